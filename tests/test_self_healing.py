"""Exports verify themselves: one missing, cut short or altered since the build that wrote
it is found by the next build, written again from the index, and named."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from buildkit import ALL, assert_same_outputs, write_articles

import mapper.build.pipeline as pipeline
from mapper.errors import MapperWarning
from mapper.exports import EXPORTS

pytestmark = pytest.mark.usefixtures("stable_geodata")


def _deleted(path: Path) -> None:
    path.unlink()


def _truncated(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


def _altered(path: Path) -> None:
    """Bytes in the middle overwritten, the size and the modification time kept."""
    st = path.stat()
    with path.open("r+b") as fh:
        fh.seek(st.st_size // 2)
        fh.write(b"XXXX")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


#: Each export damaged in turn, each way at least once.
DAMAGES = [("places.geojson", _truncated), ("mentions.csv", _altered),
           ("mentions.geojson", _deleted), ("places.gpkg", _altered),
           ("places.gpkg", _truncated), ("places.geojson", _altered)]


def test_a_damaged_export_is_written_again_and_named(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus")
    cold = tmp_path / "cold"
    pipeline.build(corpus, cold, exports=ALL)
    out = tmp_path / "out"
    pipeline.build(corpus, out, exports=ALL)
    assert {name for name, _ in DAMAGES} == set(EXPORTS)
    for name, damage in DAMAGES:
        damage(out / name)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = pipeline.build(corpus, out, exports=ALL)
        said = [str(w.message) for w in caught if issubclass(w.category, MapperWarning)]
        assert said == list(result.warnings)
        assert len(said) == 1 and said[0].startswith(f"{out / name} "), (name, said)
        assert said[0].endswith("; written again from the article index")
        assert_same_outputs(out, cold)
    # Healed: the next build finds nothing to say, and touching a file is no damage.
    os.utime(out / "places.geojson")
    assert pipeline.build(corpus, out, exports=ALL).warnings == ()
