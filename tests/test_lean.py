"""Lean outputs: the default build writes what most users open; the mention files are written
on request, by a build or later from the index (the same bytes); the index keeps each text
once; a folder of an older mapper is upgraded with a message."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from buildkit import ALL, SEEDS, geopackage_rows, write_articles
from click.testing import CliRunner

import mapper.build.pipeline as pipeline
from mapper.build.index import INDEX_NAME, ArticleIndex
from mapper.cli import main
from mapper.errors import MapperWarning
from mapper.parse.geoparse import Geoparser
from mapper.read.corpus import read_corpus

pytestmark = pytest.mark.usefixtures("stable_geodata")


def _corpus(folder: Path) -> Path:
    corpus = write_articles(folder)
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        (corpus / seed.name).write_bytes(seed.read_bytes())
    return corpus


def test_a_default_build_writes_the_map_places_and_the_geopackage(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pipeline.build(_corpus(tmp_path / "corpus"), out)
    assert sorted(p.name for p in out.iterdir()) == [
        ".mapper.lock", "index.html", INDEX_NAME, "places.geojson", "places.gpkg", "places.html"]


def test_export_later_equals_a_build_that_asked(tmp_path: Path) -> None:
    """`mapper export FORMAT` writes from the index the bytes a build asking for it writes."""
    corpus = _corpus(tmp_path / "corpus")
    lean, full = tmp_path / "lean", tmp_path / "full"
    pipeline.build(corpus, lean)
    pipeline.build(corpus, full, exports=ALL)
    runner = CliRunner()
    for fmt, name in (("csv", "mentions.csv"), ("geojson", "mentions.geojson")):
        dest = tmp_path / f"exported-{name}"
        done = runner.invoke(main, ["export", fmt, "--from", str(lean), "--out", str(dest)])
        assert done.exit_code == 0, done.output
        assert dest.read_bytes() == (full / name).read_bytes()
    done = runner.invoke(main, ["export", "gpkg", "--from", str(lean), "--out",
                                str(tmp_path / "again.gpkg")])
    assert done.exit_code == 0, done.output
    assert geopackage_rows(tmp_path / "again.gpkg") == geopackage_rows(full / "places.gpkg")
    # Into the map's folder, under its name: later builds keep it up to date.
    assert runner.invoke(main, ["export", "csv", "--from", str(lean)]).exit_code == 0
    (corpus / "extra.txt").write_text("Floods in Kabul\n\nRain fell on Kabul.\n", "utf-8")
    pipeline.build(corpus, lean)
    pipeline.build(corpus, full)
    assert (lean / "mentions.csv").read_bytes() == (full / "mentions.csv").read_bytes()


def test_export_option_and_its_errors(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt"])
    runner = CliRunner()
    done = runner.invoke(main, ["build", str(corpus), "--out", str(tmp_path / "a"), "-q",
                                "--export", "all"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "a" / "mentions.csv").exists()
    assert (tmp_path / "a" / "mentions.geojson").exists()
    done = runner.invoke(main, ["build", str(corpus), "--out", str(tmp_path / "b"),
                                "--export", "xlsx"])
    assert done.exit_code == 2 and "'xlsx' is not one of csv, geojson, all" in done.output
    done = runner.invoke(main, ["export", "csv", "--from", str(tmp_path / "nothing")])
    assert done.exit_code == 1 and "no article index; build the map first" in done.output


def test_the_index_keeps_each_text_once_and_gives_it_back(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    articles = {a.id: a for a in read_corpus(corpus)[0]}
    parser = Geoparser()
    with ArticleIndex.open_built(out / INDEX_NAME) as index:
        stored = {s.article.id: s for s in index.stored(sorted(articles))}
    assert set(stored) == set(articles)
    for aid, article in articles.items():
        assert stored[aid].article.text == article.text
        assert stored[aid].mentions == parser.parse(article)
    # The text is kept compressed; uncompressed, a sentence appears once however many
    # places it names: in the page's fragment of its article (the map embeds whole texts
    # while they are short), not in its excerpts, mentions or the excerpts the map shows.
    sentence = b"Delegates met in Nairobi, Kenya"
    assert (out / INDEX_NAME).read_bytes().count(sentence) == 1


def test_an_older_folder_is_rebuilt_and_says_so(tmp_path: Path) -> None:
    """An index of another schema is made again with a warning; the mention files an older
    mapper wrote by default are kept up to date, and the build says why."""
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out, exports=ALL)
    with sqlite3.connect(out / INDEX_NAME) as conn:
        conn.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    write_articles(corpus, ["oslo.txt"])
    with pytest.warns(MapperWarning) as caught:
        result = pipeline.build(corpus, out)
    messages = [str(w.message) for w in caught]
    assert any("schema version 7, this mapper uses" in m for m in messages)
    assert any("mentions.csv and mentions.geojson" in m and "no longer written by default"
               in m for m in messages)
    assert result.parsed == 3
    assert "oslo.txt" in (out / "mentions.csv").read_text(encoding="utf-8")


def test_mention_files_dropped_and_asked_again_stay_right(tmp_path: Path) -> None:
    """Articles parsed while no mention file was written get their lines when one is asked
    for again, and the splicing after that is right."""
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out, exports=ALL)
    (out / "mentions.csv").unlink()
    (out / "mentions.geojson").unlink()
    write_articles(corpus, ["lima.txt"])
    pipeline.build(corpus, out)  # lima parsed with no mention lines made
    assert not (out / "mentions.csv").exists()
    pipeline.build(corpus, out, exports=("mentions.csv",))
    write_articles(corpus, ["oslo.txt"])
    pipeline.build(corpus, out)  # spliced: dhaka and lima from the file, oslo new
    cold = tmp_path / "cold"
    pipeline.build(corpus, cold, exports=("mentions.csv",))
    assert (out / "mentions.csv").read_bytes() == (cold / "mentions.csv").read_bytes()
    assert not (out / "mentions.geojson").exists()
