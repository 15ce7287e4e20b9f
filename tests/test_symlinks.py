"""Symbolic links: none that leads outside the articles folder is followed unless asked
(--follow-links), each is reported by name; and nothing is written through a link in the
output folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from buildkit import payload, write_articles
from click.testing import CliRunner

from mapper.cli import main

pytestmark = pytest.mark.usefixtures("stable_geodata")

SECRET = "Secret notes\n\nThe password of the vault in Kandahar is qzxv-4242.\n"


def _corpus(tmp_path: Path) -> Path:
    """Two articles; a link to a file outside, a link to a folder outside, and links that
    stay inside (to an article, to a folder)."""
    corpus = write_articles(tmp_path / "corpus", ["oslo.txt", "lima.txt"])
    outside = tmp_path / "elsewhere"
    (outside / "folder").mkdir(parents=True)
    (outside / "passwd").write_text(SECRET, encoding="utf-8")
    (outside / "folder" / "leak.txt").write_text(SECRET.replace("Secret", "Leaked"),
                                                 encoding="utf-8")
    os.symlink(outside / "passwd", corpus / "passwd.txt")
    os.symlink(outside / "folder", corpus / "linked")
    (corpus / "sub").mkdir()
    write_articles(corpus / "sub", ["nairobi.txt"])
    os.symlink(corpus / "sub", corpus / "inside")
    os.symlink(corpus / "oslo.txt", corpus / "oslo-again.txt")
    return corpus


def test_links_out_of_the_folder_are_skipped_and_named(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out)])
    assert result.exit_code == 3, result.output  # skipped files: the map is written
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert sorted(skipped) == sorted(
        f"skipped {corpus / name}: symbolic link to {tmp_path / 'elsewhere' / target}, outside "
        f"the articles folder: not followed (--follow-links follows it)"
        for name, target in (("passwd.txt", "passwd"), ("linked", "folder")))
    assert "qzxv-4242" not in (out / "index.html").read_text(encoding="utf-8")
    assert not any(p[1].startswith("Kandah") for p in payload(out / "index.html")["places"])
    assert sorted(a[0] for a in payload(out / "index.html")["articles"]) == [
        "inside/nairobi.txt", "lima.txt", "oslo-again.txt", "oslo.txt"]  # sub/: seen


def test_follow_links_maps_them(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out),
                                       "--follow-links"])
    assert result.exit_code == 0, result.output
    ids = {a[0] for a in payload(out / "index.html")["articles"]}
    assert {"passwd.txt", "linked/leak.txt"} <= ids


@pytest.mark.parametrize("name", ["mapper-index.sqlite", "places.gpkg", "index.html"])
def test_nothing_is_written_through_a_link_in_the_output_folder(tmp_path: Path,
                                                                name: str) -> None:
    corpus = write_articles(tmp_path / "corpus", ["oslo.txt"])
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere / name, out / name)  # dangling: a build would create its target
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == (
        f"Error: {out / name} is a symbolic link; mapper writes no output through one "
        "(remove it, or build into another --out)")
    assert list(elsewhere.iterdir()) == []
