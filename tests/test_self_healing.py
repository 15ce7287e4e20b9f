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


def test_an_export_too_large_to_read_is_judged_by_its_stat(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the digest limit (a GeoPackage of 100,000 articles is 1.1 GB) an export is not
    read again by each build: damage with its size kept is still found by its times, and a
    file only touched is written again (it cannot be told from an altered one unread)."""
    import mapper.build.fingerprint as fingerprint

    monkeypatch.setattr(fingerprint, "DIGEST_LIMIT", 1000)  # every export is "large"
    corpus = write_articles(tmp_path / "corpus")
    cold = tmp_path / "cold"
    pipeline.build(corpus, cold)
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    digests = []
    monkeypatch.setattr(fingerprint, "file_digest", lambda path: digests.append(path) or "")
    assert pipeline.build(corpus, out).warnings == ()  # nothing read to say so
    _altered(out / "places.gpkg")
    said = pipeline.build(corpus, out).warnings
    assert said == (f"{out / 'places.gpkg'} is not the file the last build wrote (same size, "
                    "other times or inode; too large to read and compare); written again "
                    "from the article index",)
    assert digests == []
    monkeypatch.undo()
    assert_same_outputs(out, cold)
