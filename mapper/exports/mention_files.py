"""``mentions.csv`` and ``mentions.geojson`` (written when asked for): each article's lines
(:mod:`.rows`, made where the article was parsed) in article id order, spliced
(:mod:`.splice`) from the lines of the articles a build parsed (a :class:`Spool`) and from
the previous files, so adding one article copies the rest inside the kernel instead of
formatting it again."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from mapper.atomic import Batch
from mapper.exports.rows import MENTION_COLUMNS, csv_head
from mapper.exports.splice import Piece, splice
from mapper.exports.spool import Spool

CSV_HEAD = csv_head(MENTION_COLUMNS)
GEOJSON_HEAD = b'{"type":"FeatureCollection","features":[\n'
#: Between two articles' features in ``mentions.geojson`` (and between features).
GEOJSON_SEP = b",\n"

#: Per article in id order: (article id, bytes of its CSV lines, bytes of its features).
Layout = Sequence[tuple[str, int, int]]


#: The mention files: the stream of the spool their lines come from.
MENTION_FILES = {"mentions.csv": "csv", "mentions.geojson": "geojson"}


def write_mention_files(out_dir: Path, layout: Layout, spool: Spool, names: Iterable[str],
                        previous: Layout | None = None, batch: Batch | None = None) -> None:
    """The mention files ``names`` (of :data:`MENTION_FILES`) for ``layout``: each article's
    lines from ``spool`` if it has them, else from the file in ``out_dir`` written for
    ``previous``."""
    spool.flush()
    old = offsets(previous) if previous is not None else {}
    for name in names:
        csv = name == "mentions.csv"
        with contextlib.ExitStack() as opened:
            fd = (opened.enter_context(open(out_dir / name, "rb")).fileno()
                  if previous is not None else -1)
            pieces = []
            for aid, _, _ in layout:
                if aid in spool.at:
                    pieces.append(spool.piece(aid, MENTION_FILES[name]))
                else:
                    o = old[aid]  # KeyError: the caller's bug, not the user's
                    pieces.append(Piece(fd, o[0], o[1]) if csv else Piece(fd, o[2], o[3]))
            if csv:
                splice(out_dir / name, CSV_HEAD, pieces, batch=batch)
            else:
                splice(out_dir / name, GEOJSON_HEAD, pieces,
                       _geojson_tail(any(p.length for p in pieces)), GEOJSON_SEP, batch)


def offsets(layout: Layout) -> dict[str, tuple[int, int, int, int]]:
    """Where each article's lines sit in the mention files written for ``layout``:
    article id -> (CSV offset, length, GeoJSON offset, length); and ``""`` -> the two
    files' sizes."""
    at: dict[str, tuple[int, int, int, int]] = {}
    c, g, features = len(CSV_HEAD), len(GEOJSON_HEAD), False
    for aid, clen, glen in layout:
        if glen and features:
            g += len(GEOJSON_SEP)
        at[aid] = (c, clen, g, glen)
        c += clen
        g += glen
        features = features or bool(glen)
    at[""] = (c, 0, g + len(_geojson_tail(features)), 0)
    return at


def _geojson_tail(features: bool) -> bytes:
    return b"\n]}\n" if features else b"]}\n"


def matches(out_dir: Path, layout: Layout, names: Iterable[str]) -> bool:
    """Whether the mention files ``names`` in ``out_dir`` have the sizes ``layout`` gives
    them."""
    csv_size, _, geojson_size, _ = offsets(layout)[""]
    sizes = {"mentions.csv": csv_size, "mentions.geojson": geojson_size}
    try:
        return all((out_dir / name).stat().st_size == sizes[name]
                   for name in names if name in sizes)
    except FileNotFoundError:
        return False
