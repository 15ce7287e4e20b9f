"""A build that cannot write says so in one line naming the path and the cause, exits 1 and
leaves the previous outputs as they were: a full disk, a read-only --out, an --out under a
file or inside the articles folder. A build with nothing to change needs no write access."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from buildkit import make_corpus, outputs, write_articles
from click.testing import CliRunner

from mapper.cli import main

pytestmark = pytest.mark.usefixtures("stable_geodata")


@contextlib.contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` (skips the test where mounting is not
    allowed)."""
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _build(corpus: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["build", str(corpus), "--out", str(out), "-q", *extra])


def _one_line_error(result, *parts: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    for part in parts:
        assert part in lines[0], (part, lines[0])


def test_a_full_disk_is_one_line_and_leaves_the_old_map(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 30)
    with _tmpfs(tmp_path / "disk", "3m") as disk:
        out = disk / "out"
        first = _build(corpus, out, "--export", "all")
        assert first.exit_code == 0, first.output
        before = outputs(out)
        used = sum(len(b) for b in before.values())
        assert used > 1_000_000, used  # the new copies do not fit beside the old ones
        make_corpus(corpus, 20, start=30)
        result = _build(corpus, out, "--export", "all")
        _one_line_error(result, str(out))
        # Where the space runs out (the index, an export, the map) varies with timing.
        assert ("No space left on device" in result.output
                or "database or disk is full" in result.output), result.output
        assert outputs(out) == before


def test_a_read_only_out_needs_no_write_access_when_nothing_changed(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["oslo.txt", "lima.txt"])
    with _tmpfs(tmp_path / "disk", "20m") as disk:
        out = disk / "out"
        assert _build(corpus, out).exit_code == 0
        before = outputs(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        same = _build(corpus, out)
        assert same.exit_code == 0, same.output
        write_articles(corpus, ["nairobi.txt"])
        result = _build(corpus, out)
        _one_line_error(result, str(out), "ead-only")
        assert outputs(out) == before


def test_an_out_under_a_file_or_inside_the_articles_is_refused(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["oslo.txt"])
    (tmp_path / "file").write_text("not a folder")
    _one_line_error(_build(corpus, tmp_path / "file" / "maps"), str(tmp_path / "file"),
                    "Not a directory")
    _one_line_error(_build(corpus, corpus), "is the articles folder")
    _one_line_error(_build(corpus, corpus / "maps"), "is inside the articles folder")
    assert sorted(p.name for p in corpus.iterdir()) == ["oslo.txt"]
