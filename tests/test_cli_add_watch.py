"""``mapper add``, ``mapper watch`` and the build command's summary, quiet mode and options."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from buildkit import ARTICLES, place_names, write_articles
from click.testing import CliRunner

from mapper.cli import main
from mapper.read.watching import watch_folder

pytestmark = pytest.mark.usefixtures("stable_geodata")








def _run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_add_copies_and_rebuilds(tmp_path: Path, parses: list[str]) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    out = tmp_path / "out"
    assert _run("build", corpus, "--out", out).exit_code == 0
    inbox = write_articles(tmp_path / "inbox", ["oslo.txt", "nairobi.txt"])
    parses.clear()
    result = _run("add", inbox / "oslo.txt", inbox / "nairobi.txt", "--to", corpus,
                  "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(parses) == ["nairobi.txt", "oslo.txt"]
    assert (corpus / "oslo.txt").read_text(encoding="utf-8") == ARTICLES["oslo.txt"]
    assert f"added {corpus / 'oslo.txt'}" in result.stdout
    assert ("changes: 2 new, 0 changed, 0 removed, 2 unchanged articles; the map: 2 -> 4 "
            "articles, places +4 (Kenya, Nairobi, Norway, Oslo)") in result.stdout
    assert {"Oslo", "Nairobi", "Dhaka"} <= place_names(out)

    # The same file again: nothing to copy, nothing to parse.
    parses.clear()
    again = _run("add", inbox / "oslo.txt", "--to", corpus, "--out", out)
    assert again.exit_code == 0
    assert "already there" in again.stdout and parses == []
    assert ("changes: 0 new, 0 changed, 0 removed, 4 unchanged articles; the map: "
            "unchanged, places +0 -0") in again.stdout


def test_add_refuses_to_overwrite_a_different_article(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt"])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "dhaka.txt").write_text("Another story\n\nIt happened in Oslo.\n")
    write_articles(inbox, ["lima.txt"])
    result = _run("add", inbox / "lima.txt", inbox / "dhaka.txt", "--to", corpus,
                  "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "not replacing a different article of the same name" in result.output
    assert str(corpus / "dhaka.txt") in result.output
    assert (corpus / "dhaka.txt").read_text(encoding="utf-8") == ARTICLES["dhaka.txt"]
    assert not (corpus / "lima.txt").exists()  # all or nothing
    assert not (tmp_path / "out").exists()

    (inbox / "notes.docx").write_bytes(b"PK")
    bad = _run("add", inbox / "notes.docx", "--to", corpus)
    assert bad.exit_code == 1 and "not an article file" in bad.output


def test_quiet_build_prints_nothing_and_skips_count(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt"])
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02\x03" * 40)
    result = _run("build", corpus, "--out", tmp_path / "out", "--quiet", "--jobs", "1")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith(f"skipped {corpus / 'broken.txt'}: binary file")
    assert "parsing" not in result.stderr  # no progress bar off a terminal
    loud = _run("build", corpus, "--out", tmp_path / "out")
    assert "mapper: 1 article," in loud.stdout and "changes: 0 new" in loud.stdout


def test_watch_folder_reports_a_new_file(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt"])
    out = corpus / "maps"  # inside the watched folder: its changes must not count
    out.mkdir()
    seen: list[set[str]] = []
    stop = threading.Event()

    def on_change(paths: set[str]) -> None:
        seen.append(paths)
        stop.set()

    thread = threading.Thread(target=watch_folder, args=(corpus, on_change),
                              kwargs={"out_dir": out, "debounce_ms": 50, "stop_event": stop})
    thread.start()
    try:
        time.sleep(0.5)  # let the watcher start
        (out / "index.html").write_text("not an article")
        (corpus / ".hidden.txt.tmp").write_text("ours")
        write_articles(corpus, ["oslo.txt"])
        thread.join(timeout=20)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert seen and seen[0] == {str(corpus / "oslo.txt")}


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_watch_command_rebuilds_on_a_real_change(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt"])
    out = tmp_path / "out"
    log = tmp_path / "watch.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mapper.cli", "watch", str(corpus), "--out", str(out),
             "--debounce", "100"], stdout=fh, stderr=subprocess.STDOUT,
            env=os.environ | {"PYTHONUNBUFFERED": "1"})
    try:
        _wait_for(lambda: "watching" in log.read_text(), 60, "the first build")
        assert "Dhaka" in place_names(out)
        write_articles(corpus, ["oslo.txt"])
        _wait_for(lambda: (out / "places.geojson").exists() and "Oslo" in place_names(out), 60,
                  "the rebuild")
        (corpus / "dhaka.txt").unlink()
        _wait_for(lambda: "1 removed" in log.read_text(), 60, "the rebuild after a removal")
        assert "Dhaka" not in place_names(out)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    text = log.read_text()
    assert proc.returncode == 0, text
    assert "rebuilding" in text and "changes: 1 new" in text and "stopped" in text


def test_watching_an_empty_folder_waits_for_its_first_article(tmp_path: Path) -> None:
    corpus = tmp_path / "inbox"
    corpus.mkdir()
    out = tmp_path / "out"
    log = tmp_path / "watch.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mapper.cli", "watch", str(corpus), "--out", str(out),
             "--debounce", "100"], stdout=fh, stderr=subprocess.STDOUT,
            env=os.environ | {"PYTHONUNBUFFERED": "1"})
    try:
        _wait_for(lambda: "watching" in log.read_text(), 60, "the first build")
        assert "nothing to map" in log.read_text() and not out.exists()
        write_articles(corpus, ["oslo.txt"])
        _wait_for(lambda: (out / "places.geojson").exists() and "Oslo" in place_names(out), 60,
                  "the first map")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, log.read_text()


def test_readme_states_the_max_bytes_default_the_help_shows() -> None:
    from mapper.read.corpus import DEFAULT_MAX_BYTES

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"--max-bytes (default {DEFAULT_MAX_BYTES:,}" in readme
    assert f"[default: {DEFAULT_MAX_BYTES}" in _run("build", "--help").output
