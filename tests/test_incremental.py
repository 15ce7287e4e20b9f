"""Incremental builds: only new and changed articles are parsed, the map follows the folder,
the same input gives the same bytes, and a killed, corrupt or stale index costs nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from buildkit import (
    ALL,
    geopackage_rows,
    make_corpus,
    outputs,
    payload,
    place_names,
    write_articles,
)

import mapper.build.pipeline as pipeline
import mapper.build.writing as writing
from mapper.build.index import INDEX_NAME
from mapper.build.mapview import MapView
from mapper.errors import MapperWarning
from mapper.parse.gazetteer import Gazetteer

pytestmark = pytest.mark.usefixtures("stable_geodata")








def test_adding_one_article_parses_only_it(tmp_path: Path, parses: list[str]) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt", "nairobi.txt"])
    out = tmp_path / "out"
    first = pipeline.build(corpus, out, exports=ALL)
    assert sorted(parses) == ["dhaka.txt", "lima.txt", "nairobi.txt"]
    assert first.parsed == 3 and first.unchanged == 0
    assert "Oslo" not in place_names(out)

    parses.clear()
    write_articles(corpus, ["oslo.txt"])
    second = pipeline.build(corpus, out)
    assert parses == ["oslo.txt"]
    assert second.new == ("oslo.txt",) and second.unchanged == 3
    assert set(second.places_added) == {"Oslo", "Norway"}
    assert second.places_removed == ()
    assert {"Oslo", "Norway", "Dhaka", "Lima", "Nairobi"} <= place_names(out)
    data = payload(out / "index.html")
    articles = {a[0]: a for a in data["articles"]}
    assert articles["oslo.txt"][1] == "Prize announced in Oslo"
    oslo = next(i for i, p in enumerate(data["places"]) if p[1] == "Oslo")
    article = sorted(articles).index("oslo.txt")
    assert any(e[0] == oslo and e[1] == article for e in data["excerpts"])
    csv_text = (out / "mentions.csv").read_text(encoding="utf-8")
    assert "oslo.txt" in csv_text and "announced the winner" in csv_text

    parses.clear()
    third = pipeline.build(corpus, out)
    assert parses == [] and third.parsed == 0 and third.unchanged == 4


def test_changed_article_is_parsed_again(tmp_path: Path, parses: list[str]) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    parses.clear()
    (corpus / "lima.txt").write_text("Talks in Nairobi\n\nThey met in Nairobi, Kenya.\n",
                                     encoding="utf-8")
    result = pipeline.build(corpus, out)
    assert parses == ["lima.txt"]
    assert result.changed == ("lima.txt",) and result.new == ()
    assert set(result.places_removed) == {"Lima", "Peru"}
    assert set(result.places_added) == {"Nairobi", "Kenya"}
    assert "Lima" not in place_names(out)


def test_removing_an_article_removes_its_places(tmp_path: Path, parses: list[str]) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt", "oslo.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out, exports=ALL)
    assert {"Lima", "Peru"} <= place_names(out)
    parses.clear()
    (corpus / "lima.txt").unlink()
    result = pipeline.build(corpus, out)
    assert parses == []
    assert result.removed == ("lima.txt",) and result.articles == 2
    assert set(result.places_removed) == {"Lima", "Peru"}
    assert not {"Lima", "Peru"} & place_names(out)
    assert "lima.txt" not in {a[0] for a in payload(out / "index.html")["articles"]}
    assert "lima.txt" not in (out / "mentions.csv").read_text(encoding="utf-8")


def test_moved_article_is_removed_and_added(tmp_path: Path, parses: list[str]) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out, exports=ALL)
    parses.clear()
    (corpus / "sub").mkdir()
    (corpus / "lima.txt").rename(corpus / "sub" / "peru.txt")
    result = pipeline.build(corpus, out)
    assert parses == ["sub/peru.txt"]
    assert result.new == ("sub/peru.txt",) and result.removed == ("lima.txt",)
    assert result.places_added == result.places_removed == ()
    ids = {a[0] for a in payload(out / "index.html")["articles"]}
    assert ids == {"dhaka.txt", "sub/peru.txt"}
    csv_text = (out / "mentions.csv").read_text(encoding="utf-8")
    assert "sub/peru.txt" in csv_text and "lima.txt" not in csv_text


def test_article_that_becomes_unreadable_leaves_the_map(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    (corpus / "lima.txt").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    result = pipeline.build(corpus, out)
    assert result.removed == ("lima.txt",)
    assert [p.path for p in result.problems] == [str(corpus / "lima.txt")]
    assert "Lima" not in place_names(out)


def test_same_input_same_bytes_cold_or_incremental(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    for seed in sorted(Path(__file__).parent.parent.joinpath("seeds").glob("*.txt"))[:2]:
        (corpus / seed.name).write_bytes(seed.read_bytes())
    incremental = tmp_path / "incremental"
    pipeline.build(corpus, incremental, exports=ALL)
    write_articles(corpus, ["nairobi.txt", "oslo.txt"])
    (corpus / "lima.txt").unlink()
    pipeline.build(corpus, incremental)
    cold_a, cold_b = tmp_path / "cold_a", tmp_path / "cold_b"
    pipeline.build(corpus, cold_a, exports=ALL)
    pipeline.build(corpus, cold_b, exports=ALL)
    a, b, inc = outputs(cold_a), outputs(cold_b), outputs(incremental)
    assert set(a) >= {"index.html", "places.html", "places.geojson", "mentions.csv",
                      "mentions.geojson", "places.gpkg"}
    for name in a:
        assert a[name] == b[name], f"{name} differs between two cold builds"
        if name == "places.gpkg":
            # A database: updated in place by an incremental build (rows deleted and
            # appended), so the same rows in other pages. Cold builds are byte-identical.
            assert geopackage_rows(cold_a / name) == geopackage_rows(incremental / name)
            continue
        assert a[name] == inc[name], f"{name} differs between a cold and an incremental build"
    # A rebuild with nothing changed rewrites the same bytes.
    pipeline.build(corpus, cold_a)
    assert outputs(cold_a) == a


def test_corrupt_index_is_rebuilt_with_a_warning(tmp_path: Path, parses: list[str]) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    index = out / INDEX_NAME
    data = bytearray(index.read_bytes())
    data[100:4000] = os.urandom(3900)  # the header's tail and the schema page
    index.write_bytes(bytes(data))
    parses.clear()
    with pytest.warns(MapperWarning, match="rebuilt"):
        result = pipeline.build(corpus, out)
    assert sorted(parses) == ["dhaka.txt", "lima.txt"]
    assert result.warnings and "rebuilt" in result.warnings[0]
    assert {"Dhaka", "Lima"} <= place_names(out)
    # The rebuilt index is sound: the next build parses nothing and warns about nothing.
    parses.clear()
    again = pipeline.build(corpus, out)
    assert parses == [] and again.warnings == ()


def test_not_a_database_is_rebuilt(tmp_path: Path, parses: list[str]) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt"])
    out = tmp_path / "out"
    out.mkdir()
    (out / INDEX_NAME).write_text("this is not SQLite\n" * 100)
    with pytest.warns(MapperWarning, match="rebuilt"):
        result = pipeline.build(corpus, out)
    assert result.parsed == 1 and "Dhaka" in place_names(out)


def test_other_schema_version_or_fingerprint_is_rebuilt(
        tmp_path: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    with sqlite3.connect(out / INDEX_NAME) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    parses.clear()
    with pytest.warns(MapperWarning, match="schema version 0"):
        pipeline.build(corpus, out)
    assert len(parses) == 2

    # A new gazetteer or parser version changes the fingerprint.
    monkeypatch.setattr(pipeline, "fingerprint", lambda gaz, online="": "another parser")
    parses.clear()
    with pytest.warns(MapperWarning, match="geoparser, its gazetteer"):
        pipeline.build(corpus, out)
    assert len(parses) == 2


def _indexed(index: Path) -> int:
    conn = sqlite3.connect(f"{index.as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def test_killed_build_leaves_the_previous_map_and_a_usable_index(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 30)
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    before = outputs(out)
    make_corpus(corpus, 1500, start=30)  # several batches of parsing: seconds of work

    proc = subprocess.Popen(
        [sys.executable, "-m", "mapper.cli", "build", str(corpus), "--out", str(out), "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        # Kill it once at least one batch of new articles is committed: mid-parse.
        while _indexed(out / INDEX_NAME) <= 30:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the build made no progress"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    # The previous map is untouched; no temporary files are left in sight.
    assert outputs(out) == before
    conn = sqlite3.connect(out / INDEX_NAME)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()

    # The next build keeps what was committed and parses only the rest.
    done = _indexed(out / INDEX_NAME)
    assert 30 < done < 1530
    result = pipeline.build(corpus, out)
    assert result.warnings == ()
    assert result.unchanged == done and result.parsed == 1530 - done
    cold = tmp_path / "cold"
    pipeline.build(corpus, cold)
    assert outputs(out) == outputs(cold)


def test_commit_killed_halfway_is_rolled_back(tmp_path: Path, parses: list[str]) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 40)
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    # A process dies in the middle of a transaction that has already overwritten pages of
    # the database file (a tiny page cache forces the spill): a hot journal is left behind.
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size = 1')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute('DELETE FROM mentions')\n"
        "c.execute(\"UPDATE texts SET text = 'garbage'\")\n"
        "c.execute(\"UPDATE articles SET title = ''\")\n"
        "os._exit(9)\n")
    done = subprocess.run([sys.executable, "-c", script, str(out / INDEX_NAME)])
    assert done.returncode == 9
    assert (out / f"{INDEX_NAME}-journal").stat().st_size > 0
    before = outputs(out)
    parses.clear()
    result = pipeline.build(corpus, out)
    assert result.warnings == () and parses == [] and result.unchanged == 40
    assert outputs(out) == before
    assert not (out / f"{INDEX_NAME}-journal").exists()


def test_fingerprint_follows_gazetteer_data_and_geocoder(tmp_path: Path,
                                                         gazetteer: Gazetteer) -> None:
    import shutil

    from mapper.build.fingerprint import fingerprint

    base = fingerprint(gazetteer)
    assert fingerprint(gazetteer) == base
    assert fingerprint(gazetteer, "nominatim []") != base
    copy = tmp_path / "geodata"
    shutil.copytree(gazetteer._folder, copy)
    other = Gazetteer.load(copy)
    assert fingerprint(other) == base  # the same data elsewhere
    with (copy / "names.parquet").open("ab") as fh:
        fh.write(b"\0")  # a rebuilt gazetteer
    assert fingerprint(other) != base


def test_unchanged_exports_are_not_rewritten(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out, exports=ALL)
    names = ("places.geojson", "mentions.csv", "mentions.geojson", "places.gpkg")

    def stamps() -> dict[str, int]:
        return {n: (out / n).stat().st_mtime_ns for n in names}

    first = stamps()
    pipeline.build(corpus, out)  # nothing changed: the same files stay
    assert stamps() == first
    write_articles(corpus, ["oslo.txt"])
    pipeline.build(corpus, out)  # an article more: every export is written again
    second = stamps()
    assert all(second[n] != first[n] for n in names)
    assert "oslo.txt" in (out / "mentions.csv").read_text(encoding="utf-8")
    (out / "mentions.csv").unlink()  # an export asked for, gone (or touched): written again
    pipeline.build(corpus, out, exports=ALL)
    assert "oslo.txt" in (out / "mentions.csv").read_text(encoding="utf-8")
    assert (out / "places.gpkg").stat().st_mtime_ns != second["places.gpkg"]
    # A mention file not asked for and deleted is no longer written; the rest stay.
    third = stamps()
    (out / "mentions.geojson").unlink()
    pipeline.build(corpus, out)
    assert not (out / "mentions.geojson").exists()
    assert {n: (out / n).stat().st_mtime_ns for n in ("places.geojson", "mentions.csv")} == {
        n: third[n] for n in ("places.geojson", "mentions.csv")}


def test_index_damaged_where_only_a_build_looks_is_rebuilt(tmp_path: Path,
                                                           parses: list[str]) -> None:
    # The header, the schema and the meta table are sound, so the index opens; the pages of
    # the mentions and excerpts are not, which SQLite finds only when the build reads them.
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    cold = outputs(out)
    index = out / INDEX_NAME
    data = bytearray(index.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    assert len(data) > 4 * page
    data[3 * page:] = os.urandom(len(data) - 3 * page)
    index.write_bytes(bytes(data))
    parses.clear()
    with pytest.warns(MapperWarning, match="rebuilt"):
        result = pipeline.build(corpus, out)
    assert sorted(parses) == ["dhaka.txt", "lima.txt"]
    assert "malformed" in result.warnings[0] or "not a database" in result.warnings[0]
    assert outputs(out) == cold


@pytest.mark.parametrize("where", ["refreshing the map tables", "drawing the map"])
def test_a_build_that_fails_after_the_exports_started_replaces_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out, exports=ALL)
    before = outputs(out)
    write_articles(corpus, ["oslo.txt"])

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if where == "drawing the map":
        monkeypatch.setattr(writing, "stage_page", full)
    else:
        monkeypatch.setattr(MapView, "refresh", full)
    with pytest.raises(OSError, match="No space left"):
        pipeline.build(corpus, out)
    # The exports were being written beside the build (spliced, in a child): none of them,
    # nor the table of places, is put in place; nothing temporary is left.
    assert outputs(out) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".mapper.lock"]
    monkeypatch.undo()
    # Oslo's parse was committed before the failure: the next build only draws it.
    assert pipeline.build(corpus, out).parsed == 0
    cold = tmp_path / "cold"
    pipeline.build(corpus, cold, exports=ALL)
    got, want = outputs(out), outputs(cold)
    for name in ("index.html", "places.html", "places.geojson", "mentions.csv",
                 "mentions.geojson"):
        assert got[name] == want[name], name
