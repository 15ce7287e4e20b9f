"""The GIS exports: valid layers in EPSG:4326 that read back with geopandas/pyogrio, written
atomically."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from buildkit import ALL, SEEDS, assert_same_outputs, outputs, snapshot_geodata, write_articles

import mapper.build.pipeline as pipeline
import mapper.exports.gpkg_update as gpkg_update
from mapper.parse.gazetteer import Gazetteer


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return Gazetteer.load(snapshot_geodata(tmp_path_factory.mktemp("geodata")))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> Path:
    corpus = write_articles(tmp_path_factory.mktemp("corpus"))
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        (corpus / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path_factory.mktemp("out")
    pipeline.build(corpus, out, gazetteer=gazetteer,
                   exports=("mentions.csv", "mentions.geojson"))
    return out


def _csv(out: Path) -> list[dict[str, str]]:
    with (out / "mentions.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_geopackage_layers_read_back(built: Path) -> None:
    gpkg = built / "places.gpkg"
    layers = {name: kind for name, kind in pyogrio.list_layers(gpkg)}
    assert layers == {"places": "Point", "mentions": "Point", "excerpts": None,
                      "articles": None}
    places = gpd.read_file(gpkg, layer="places")
    mentions = gpd.read_file(gpkg, layer="mentions")
    rows = _csv(built)
    for frame in (places, mentions):
        assert frame.crs.to_epsg() == 4326
        assert frame.geometry.is_valid.all() and not frame.geometry.is_empty.any()
        assert (frame.geometry.geom_type == "Point").all()
        assert frame.geometry.x.between(-180, 180).all()
        assert frame.geometry.y.between(-90, 90).all()
    assert len(mentions) == len(rows)
    assert {"article_id", "excerpt_id", "start", "end", "surface", "place_key"} <= set(mentions)
    oslo = places[places["name"] == "Oslo"].iloc[0]
    assert oslo["country"] == "NO" and oslo["article_ids"] == "oslo.txt"
    assert abs(oslo.geometry.x - 10.75) < 0.2 and abs(oslo.geometry.y - 59.91) < 0.2
    first = mentions.iloc[0]
    assert (first["article_id"], int(first["start"]), first["surface"]) == (
        rows[0]["article_id"], int(rows[0]["start"]), rows[0]["surface"])


def test_geopackage_keeps_each_excerpt_once_and_joins_back_to_the_csv(built: Path) -> None:
    """Mentions point at their excerpt and article by id; joined, they are mentions.csv."""
    gpkg = built / "places.gpkg"
    mentions = gpd.read_file(gpkg, layer="mentions")
    excerpts = pyogrio.read_dataframe(gpkg, layer="excerpts")
    articles = pyogrio.read_dataframe(gpkg, layer="articles")
    assert excerpts["excerpt_id"].is_unique and articles["article_id"].is_unique
    assert len(excerpts) < len(mentions)  # mentions in one sentence share it
    text = dict(zip(excerpts["excerpt_id"], excerpts["text"], strict=True))
    title = dict(zip(articles["article_id"], articles["title"], strict=True))
    rows = _csv(built)
    for m, want in zip(mentions.itertuples(), rows, strict=True):
        assert (m.article_id, m.date or "", m.start, m.end, m.surface, m.place_key, m.name,
                m.kind, m.country, m.demonym) == (
            want["article_id"], want["date"], int(want["start"]), int(want["end"]),
            want["surface"], want["place_key"], want["name"], want["kind"], want["country"],
            int(want["demonym"]))
        assert text[m.excerpt_id] == want["excerpt"] and m.surface in want["excerpt"]
        assert title[m.article_id] == want["title"]
        assert abs(m.geometry.x - float(want["lon"])) < 1e-9
        assert abs(m.geometry.y - float(want["lat"])) < 1e-9
    # Each excerpt's offsets are where its text stands in its article.
    for ex in excerpts.itertuples():
        assert ex.end - ex.start == len(ex.text)


def test_mentions_geojson_matches_the_csv(built: Path) -> None:
    frame = gpd.read_file(built / "mentions.geojson")
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.is_valid.all()
    rows = _csv(built)
    assert len(frame) == len(rows)
    for got, want in zip(frame.itertuples(), rows, strict=True):
        assert (got.article_id, got.start, got.end, got.surface, got.place_key) == (
            want["article_id"], int(want["start"]), int(want["end"]), want["surface"],
            want["place_key"])
        assert abs(got.geometry.x - float(want["lon"])) < 1e-9
        assert abs(got.geometry.y - float(want["lat"])) < 1e-9
        assert got.excerpt == want["excerpt"]
    oslo = [f for f in json.loads((built / "mentions.geojson").read_text())["features"]
            if f["properties"]["article_id"] == "oslo.txt"]
    assert oslo and all(f["geometry"]["type"] == "Point" for f in oslo)


def test_places_geojson_still_valid(built: Path) -> None:
    places = gpd.read_file(built / "places.geojson")
    assert places.crs.to_epsg() == 4326
    assert {"Oslo", "Dhaka", "Lima", "Nairobi"} <= set(places["name"])


def test_a_failed_export_leaves_the_previous_file(tmp_path: Path, gazetteer: Gazetteer,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out, gazetteer=gazetteer, exports=ALL)
    before = outputs(out)
    write_articles(corpus, ["lima.txt"])
    calls = tmp_path / "calls"  # a file: the exports may be written in a child process
    real = gpkg_update._insert

    def failing(conn, table, names, rows):
        with open(calls, "a") as fh:
            fh.write(table + "\n")
        real(conn, table, names, rows)  # written into the open transaction, then a failure
        raise OSError("disk full")

    monkeypatch.setattr(gpkg_update, "_insert", failing)
    with pytest.raises(OSError, match="disk full"):
        pipeline.build(corpus, out, gazetteer=gazetteer, exports=ALL)
    assert calls.read_text().split() == ["mentions"]
    # Not only the GeoPackage (its transaction rolled back): the mention files spliced
    # meanwhile, places.geojson and the map are all the previous ones.
    assert outputs(out) == before
    assert not (out / "places.gpkg-journal").exists()
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".mapper.lock"]
    monkeypatch.undo()
    pipeline.build(corpus, out, gazetteer=gazetteer)
    assert "Lima" in set(gpd.read_file(out / "places.gpkg", layer="places")["name"])


def test_a_geopackage_committed_before_a_failure_is_healed_by_the_next_build(
        tmp_path: Path, gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The GeoPackage's transaction commits just before the files are renamed: a failure in
    between leaves it newer than the rest until the next build, which writes the set again."""
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out, gazetteer=gazetteer)
    write_articles(corpus, ["lima.txt"])
    real = os.replace

    def failing(src, dst, *args, **kwargs):
        if Path(dst).name == "places.geojson":
            raise OSError("disk full")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        pipeline.build(corpus, out, gazetteer=gazetteer)
    monkeypatch.undo()
    assert "Lima" in set(gpd.read_file(out / "places.gpkg", layer="places")["name"])
    assert pipeline.build(corpus, out, gazetteer=gazetteer).parsed == 0
    cold = tmp_path / "cold"
    pipeline.build(corpus, cold, gazetteer=gazetteer)
    assert_same_outputs(out, cold)


def _extents(gpkg: Path) -> dict[str, tuple[float, ...]]:
    import sqlite3

    with sqlite3.connect(gpkg) as conn:
        return {name: box for name, *box in conn.execute(
            "SELECT table_name, min_x, min_y, max_x, max_y FROM gpkg_contents "
            "WHERE data_type = 'features'")}


def test_layer_extents_follow_in_place_updates(tmp_path: Path, gazetteer: Gazetteer) -> None:
    """The GeoPackage's layer extents (what QGIS zooms to) after articles are added (the
    extent grows by theirs) and removed (read again from the R-tree) are a cold build's."""
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out, gazetteer=gazetteer)
    dhaka = _extents(out / "places.gpkg")
    for name in ("lima.txt", "oslo.txt"):  # the extent grows west, then north
        write_articles(corpus, [name])
        pipeline.build(corpus, out, gazetteer=gazetteer)
    cold = tmp_path / "cold"
    pipeline.build(corpus, cold, gazetteer=gazetteer)
    grown = _extents(out / "places.gpkg")
    assert grown["mentions"][0] < dhaka["mentions"][0] - 100  # Lima is 167 degrees west
    for layer, box in _extents(cold / "places.gpkg").items():
        # GDAL records the points' own box; an R-tree holds float32 bounds around them.
        assert grown[layer] == pytest.approx(box, abs=1e-4), layer
    (corpus / "lima.txt").unlink()
    pipeline.build(corpus, out, gazetteer=gazetteer)
    shrunk = _extents(out / "places.gpkg")
    assert shrunk["mentions"][0] > grown["mentions"][0] + 80  # Oslo (10.7 E) is the west end
    again = tmp_path / "again"
    pipeline.build(corpus, again, gazetteer=gazetteer)
    for layer, box in _extents(again / "places.gpkg").items():
        assert shrunk[layer] == pytest.approx(box, abs=1e-4), layer
