"""A build killed while it puts its outputs in place leaves a folder that whoever opens it
next (a build, ``mapper export``) finds whole: the old set or the new, never a mix."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from buildkit import ALL, assert_same_outputs, make_corpus, place_names, write_articles

import mapper.build.pipeline as pipeline
from mapper import journal

pytestmark = pytest.mark.usefixtures("stable_geodata")


def _build(corpus: Path, out: Path, hook: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mapper.cli", "build", str(corpus), "--out", str(out), "-q",
         "--export", "all"], env=dict(os.environ, MAPPER_TEST_HOOK=hook),
        capture_output=True, text=True, start_new_session=True, timeout=300)


def _same(out: Path, other: Path) -> bool:
    try:
        assert_same_outputs(out, other)
    except AssertionError:
        return False
    return True


#: The two articles a build adds (they name places the first twelve do not).
NEW = ["dhaka.txt", "lima.txt"]


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory, gazetteer) -> tuple[Path, Path, Path]:
    """A corpus, its map before two articles were added, and after (both cold builds)."""
    root = tmp_path_factory.mktemp("sets")
    corpus = root / "corpus"
    make_corpus(corpus, 12)
    before = root / "before"
    os.environ["MAPPER_GEODATA"] = str(gazetteer._folder)
    try:
        pipeline.build(corpus, before, gazetteer=gazetteer, exports=ALL)
        write_articles(corpus, NEW)
        after = root / "after"
        pipeline.build(corpus, after, gazetteer=gazetteer, exports=ALL)
        for name in NEW:
            (corpus / name).unlink()
    finally:
        os.environ.pop("MAPPER_GEODATA", None)
    return corpus, before, after


#: Where the build dies: the journal written, the GeoPackage's transaction about to commit,
#: each file about to be renamed; the whole group (kill -9 of the build and its children),
#: or only the process that commits (the exports' writer, forked).
POINTS = [("journaled", "killgroup"), ("commit:places.gpkg", "killgroup"),
          ("rename:places.geojson", "killgroup"), ("rename:mentions.csv", "killgroup"),
          ("rename:mentions.geojson", "killgroup"), ("rename:places.html", "killgroup"),
          ("rename:index.html", "killgroup"), ("rename:mentions.csv", "kill")]


@pytest.mark.parametrize(("point", "action"), POINTS)
def test_a_kill_while_committing_leaves_one_whole_set(tmp_path: Path, sets, point: str,
                                                      action: str) -> None:
    corpus, before, after = sets
    work = tmp_path / "corpus"
    out = tmp_path / "out"
    shutil.copytree(corpus, work)
    shutil.copytree(before, out)
    write_articles(work, NEW)
    done = _build(work, out, f"{point}:{action}")
    assert done.returncode in (-signal.SIGKILL, 1), done.stderr
    # Whoever opens the folder next (a build, mapper export) recovers it first: one whole
    # set.
    journal.recover(out)
    assert _same(out, before) or _same(out, after), point
    # And the next build makes it the new set, leaving no temporary file behind.
    pipeline.build(work, out, exports=ALL)
    assert_same_outputs(out, after)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".mapper.lock"]


def test_the_summary_says_what_the_written_map_gained(tmp_path: Path, sets) -> None:
    """After a build killed before its commit, the index is ahead of the map: the next build
    parses nothing, and reports what the map it writes gained over the one on disk."""
    corpus, before, after = sets
    work = tmp_path / "corpus"
    out = tmp_path / "out"
    shutil.copytree(corpus, work)
    pipeline.build(work, out, exports=ALL)  # not a copy: a map its index knows as its own
    write_articles(work, NEW)
    assert _build(work, out, "journaled:killgroup").returncode == -signal.SIGKILL
    result = pipeline.build(work, out, exports=ALL)
    assert result.parsed == 0
    assert_same_outputs(out, after)
    assert result.map_articles == (12, 14)
    came = place_names(after) - place_names(before)
    left = place_names(before) - place_names(after)
    assert (set(result.places_added), set(result.places_removed)) == (came, left)
    assert came or left  # the two articles name places the twelve did not
