"""Mention files spliced from their previous versions and a spool equal the files written from
scratch, whatever was added, changed or removed, and whichever articles have no mentions."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapper.exports import Lines, Spool, matches, write_mention_files
from mapper.exports.splice import Piece, splice


def _lines(aid: str, version: int, n: int) -> tuple[bytes, bytes]:
    """An article's CSV lines and GeoJSON features (n of each; none when n is 0)."""
    csv = "".join(f'{aid},{version},{i},"Kab\u00fcl, ""x"""\n' for i in range(n))
    features = ",\n".join(json.dumps({"type": "Feature", "properties": {"a": aid, "v": version,
                                      "i": i}, "geometry": None}) for i in range(n))
    return csv.encode(), features.encode()


def _write(folder: Path, articles: dict[str, tuple[int, int]],
           previous: dict[str, tuple[int, int]] | None, spooled: set[str]) -> None:
    """Write the mention files of ``articles`` (id -> (version, lines)) into ``folder``:
    the ``spooled`` ones from a spool, the others from the files written for ``previous``."""
    def layout(arts: dict[str, tuple[int, int]]) -> list[tuple[str, int, int]]:
        return [(aid, *map(len, _lines(aid, *arts[aid]))) for aid in sorted(arts)]

    with Spool(folder) as spool:
        for aid in sorted(spooled):
            csv, geojson = _lines(aid, *articles[aid])
            spool.add(aid, Lines(csv=csv, geojson=geojson))
        old = layout(previous) if previous is not None else None
        names = ("mentions.csv", "mentions.geojson")
        if old is not None:
            assert matches(folder, old, names)
        write_mention_files(folder, layout(articles), spool, names, old)


def _expected(articles: dict[str, tuple[int, int]]) -> tuple[bytes, bytes]:
    chunks = [_lines(aid, *articles[aid]) for aid in sorted(articles)]
    csv = b"".join(c for c, _ in chunks)
    features = [g for _, g in chunks if g]
    geojson = (b'{"type":"FeatureCollection","features":[\n' + b",\n".join(features)
               + (b"\n" if features else b"") + b"]}\n")
    return csv, geojson


articles_st = st.dictionaries(st.sampled_from([f"a{i:02d}.txt" for i in range(12)]),
                              st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(before=articles_st, after=articles_st, seed=st.integers(0, 2**16))
def test_spliced_files_equal_files_written_from_scratch(tmp_path_factory: pytest.TempPathFactory,
                                                        before: dict, after: dict,
                                                        seed: int) -> None:
    folder = tmp_path_factory.mktemp("out")
    _write(folder, before, None, set(before))
    # The articles whose lines changed must be spooled; unchanged ones may be (re-parsed).
    rng = random.Random(seed)
    spooled = {a for a in after if before.get(a) != after[a] or rng.random() < 0.3}
    _write(folder, after, before, spooled)
    csv, geojson = _expected(after)
    assert (folder / "mentions.csv").read_bytes().split(b"\n", 1)[1] == csv
    assert (folder / "mentions.geojson").read_bytes() == geojson
    json.loads(geojson)  # valid JSON, whichever articles had no features
    assert sorted(p.name for p in folder.iterdir()) == ["mentions.csv", "mentions.geojson"]


def test_splice_copies_runs_and_separates_pieces(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(b"aa,\nbb,\ncc")
    out = tmp_path / "out"
    with src.open("rb") as fh:
        fd = fh.fileno()
        # a, b and c sit ",\n" apart in the source: copied as one run; then b again, then
        # an empty piece that gets no separator.
        splice(out, b"[", [Piece(fd, 0, 2), Piece(fd, 4, 2), Piece(fd, 8, 2), Piece(fd, 4, 2),
                           Piece(fd, 0, 0)], b"]", b",\n")
    assert out.read_bytes() == b"[aa,\nbb,\ncc,\nbb]"
