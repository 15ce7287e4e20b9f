"""``mentions.csv`` and ``mentions.geojson``: each article's lines (:mod:`.rows`, made where
the article was parsed) in article id order, spliced (:mod:`.splice`) from the lines of the
articles a build parsed (a :class:`Spool`) and from the previous files, so adding one
article copies the rest inside the kernel instead of formatting it again.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mapper.atomic import Batch
from mapper.exports.rows import csv_text
from mapper.exports.splice import Piece, splice

CSV_HEAD = csv_text([], header=True).encode()
GEOJSON_HEAD = b'{"type":"FeatureCollection","features":[\n'
#: Between two articles' features in ``mentions.geojson`` (and between features).
GEOJSON_SEP = b",\n"

#: Per article in id order: (article id, bytes of its CSV lines, bytes of its features).
Layout = Sequence[tuple[str, int, int]]


def write_mention_files(out_dir: Path, layout: Layout, spool: Spool,
                        previous: Layout | None = None, batch: Batch | None = None) -> None:
    """``mentions.csv`` and ``mentions.geojson`` for ``layout``: each article's lines from
    ``spool`` if it has them, else from the files in ``out_dir`` written for ``previous``."""
    spool.flush()
    old = offsets(previous) if previous is not None else {}
    with contextlib.ExitStack() as opened:
        old_csv, old_geojson = (
            opened.enter_context(open(out_dir / name, "rb")).fileno() if previous is not None
            else -1 for name in ("mentions.csv", "mentions.geojson"))
        csv_pieces, geojson_pieces = [], []
        for aid, _, _ in layout:
            if aid in spool.at:
                c, g = spool.pieces(aid)
            else:
                o = old[aid]  # KeyError: the caller's bug, not the user's
                c, g = Piece(old_csv, o[0], o[1]), Piece(old_geojson, o[2], o[3])
            csv_pieces.append(c)
            geojson_pieces.append(g)
        splice(out_dir / "mentions.csv", CSV_HEAD, csv_pieces, batch=batch)
        splice(out_dir / "mentions.geojson", GEOJSON_HEAD, geojson_pieces,
               _geojson_tail(any(p.length for p in geojson_pieces)), GEOJSON_SEP, batch)


class Spool:
    """The export lines of the articles a build formatted, in two unnamed temporary files
    in the output folder (so the kernel can copy from them into the exports)."""

    def __init__(self, folder: Path) -> None:
        # Owned by the spool and closed by close(), not by a with block here.
        self._csv = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self._geojson = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self.at: dict[str, tuple[int, int, int, int]] = {}
        """Article id -> (CSV offset, length, GeoJSON offset, length)."""

    def add(self, article_id: str, csv: bytes, geojson: bytes) -> None:
        self.at[article_id] = (self._csv.tell(), len(csv), self._geojson.tell(), len(geojson))
        self._csv.write(csv)
        self._geojson.write(geojson)

    def pieces(self, article_id: str) -> tuple[Piece, Piece]:
        c, clen, g, glen = self.at[article_id]
        return Piece(self._csv.fileno(), c, clen), Piece(self._geojson.fileno(), g, glen)

    def flush(self) -> None:
        self._csv.flush()
        self._geojson.flush()

    def close(self) -> None:
        self._csv.close()
        self._geojson.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def matches(out_dir: Path, layout: Layout) -> bool:
    """Whether the mention files in ``out_dir`` have the sizes ``layout`` gives them."""
    csv_size, _, geojson_size, _ = offsets(layout)[""]
    try:
        return ((out_dir / "mentions.csv").stat().st_size == csv_size
                and (out_dir / "mentions.geojson").stat().st_size == geojson_size)
    except FileNotFoundError:
        return False
