"""The committed gazetteer files in geodata/: schemas, integrity and lookups news depends on.

These read the real files (built by ``python geodata/build.py``), not fixtures.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from mapper.models import KINDS
from mapper.parse.names import key
from mapper.render import basemap

GEODATA = Path(__file__).resolve().parent.parent / "geodata"

PLACES_SCHEMA = {
    "id": pa.int32(), "key": pa.string(), "geonameid": pa.int64(), "name": pa.string(),
    "asciiname": pa.string(), "alternatenames": pa.string(), "kind": pa.string(),
    "country": pa.string(), "admin1": pa.string(), "iso3166_2": pa.string(),
    "population": pa.int64(), "capital": pa.bool_(), "lat": pa.float64(), "lon": pa.float64(),
}
NAMES_SCHEMA = {"key": pa.string(), "place_id": pa.int32(), "form": pa.string(),
                "source": pa.int8()}
PRIMARY, ASCII, ALTERNATE, ABBREVIATION, DEMONYM = range(5)

AFGHAN_PROVINCES = {  # GeoNames admin1 codes of Afghanistan's 34 provinces
    "01", "02", "03", "05", "06", "07", "08", "09", "10", "11", "13", "14", "17", "18", "19",
    "23", "24", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38",
    "39", "40", "41", "42",
}


@pytest.fixture(scope="module")
def places() -> pa.Table:
    return pq.read_table(GEODATA / "places.parquet")


@pytest.fixture(scope="module")
def names() -> pa.Table:
    return pq.read_table(GEODATA / "names.parquet")


@pytest.fixture(scope="module")
def lookup(places: pa.Table, names: pa.Table):
    """``lookup(name)`` -> list of (place row dict, name source), most populous first."""
    slim = places.drop_columns(["asciiname", "alternatenames"])

    def find(name: str) -> list[tuple[dict, int]]:
        hits = names.filter(pc.equal(names["key"], key(name)))
        rows = slim.take(hits["place_id"]).to_pylist()
        pairs = zip(rows, hits["source"].to_pylist(), strict=True)
        return sorted(pairs, key=lambda h: -h[0]["population"])

    return find


def test_places_schema_and_ids(places: pa.Table) -> None:
    assert {f.name: f.type for f in places.schema} == PLACES_SCHEMA
    assert places["id"].to_pylist() == list(range(places.num_rows))
    assert pc.count_distinct(places["key"]).as_py() == places.num_rows
    assert set(places["kind"].to_pylist()) <= set(KINDS)
    assert pc.min(places["lat"]).as_py() >= -90 and pc.max(places["lat"]).as_py() <= 90
    assert pc.min(places["lon"]).as_py() >= -180 and pc.max(places["lon"]).as_py() <= 180
    assert places.num_rows > 170_000


def test_place_keys_follow_the_convention(places: pa.Table) -> None:
    for k, gid, kind in zip(places["key"].to_pylist(), places["geonameid"].to_pylist(),
                            places["kind"].to_pylist(), strict=True):
        assert k == f"gn:{gid}" if gid else k.startswith(f"{kind}:"), k


def test_kind_counts(places: pa.Table) -> None:
    counts = dict(zip(*pc.value_counts(places["kind"]).flatten(), strict=True))
    counts = {k.as_py(): n.as_py() for k, n in counts.items()}
    assert counts["continent"] == 7
    assert counts["country"] >= 250
    assert counts["admin1"] > 3_500
    assert counts["city"] > 170_000
    assert counts["region"] >= 15 and counts["feature"] >= 10


def test_alternates_are_clean(places: pa.Table) -> None:
    for alts in places["alternatenames"].to_pylist()[::50]:
        for alt in alts.split("|") if alts else []:
            assert alt and not (alt.isupper() and alt.isalpha() and len(alt) <= 3), alt
    kabul = places.filter(pc.equal(places["key"], "gn:1138958")).to_pylist()[0]
    assert "KBL" not in kabul["alternatenames"].split("|")


def test_names_schema_sorted_and_unique(names: pa.Table, places: pa.Table) -> None:
    assert {f.name: f.type for f in names.schema} == NAMES_SCHEMA
    order = pc.sort_indices(names, [("key", "ascending"), ("place_id", "ascending")])
    assert (order.to_numpy() == np.arange(names.num_rows)).all()  # sorted by key, place
    keys, pids = names["key"].to_numpy(zero_copy_only=False), names["place_id"].to_numpy()
    assert not ((keys[1:] == keys[:-1]) & (pids[1:] == pids[:-1])).any()  # unique pairs
    assert pc.min(pc.utf8_length(names["key"])).as_py() > 0
    assert pids.min() >= 0 and pids.max() < places.num_rows
    assert set(pc.unique(names["source"]).to_pylist()) == {0, 1, 2, 3, 4, 5}


def _one(hits, **want) -> dict:
    match = [r for r, _ in hits if all(r[k] == v for k, v in want.items())]
    assert match, f"no {want} among {[(r['name'], r['kind'], r['country']) for r, _ in hits]}"
    return match[0]


def test_afghan_cities(lookup) -> None:
    herat = _one(lookup("Herat"), kind="city", country="AF")
    assert herat["name"] == "Herāt" and herat["population"] == 574300
    for spelling in ("Lashkargah", "Lashkar Gah", "LASHKAR-GAH"):
        assert _one(lookup(spelling), kind="city")["name"] == "Lashkar Gāh"
    kandahars = [r for r, _ in lookup("Kandahar") if r["kind"] == "city"]
    assert kandahars[0]["country"] == "AF"
    assert any(r["country"] == "IN" for r in kandahars)
    for name in ("Kunduz", "Ghazni", "Khost", "Sangin", "Musa Qala", "Spin Boldak",
                 "Marjah", "Torkham"):
        _one(lookup(name), country="AF")
    _one(lookup("Kundus"), kind="city", country="AF")  # German exonym
    _one(lookup("Caboul"), kind="city", country="AF", capital=True)  # French exonym


def test_afghan_provinces_and_districts(lookup) -> None:
    assert _one(lookup("Helmand"), kind="admin1")["country"] == "AF"
    assert _one(lookup("Kandahar"), kind="admin1")["admin1"] == "23"
    assert _one(lookup("Nangarhar"), kind="admin1")["iso3166_2"] == "AF-NAN"
    assert _one(lookup("Surkhroad"), kind="admin2")["country"] == "AF"
    for name in ("Nad Ali", "Garmsir", "Panjwai", "Zhari", "Maiwand", "Arghandab", "Nawa"):
        _one(lookup(name), kind="admin2", country="AF")


def test_world_cities(lookup) -> None:
    assert lookup("Doha")[0][0]["country"] == "QA"
    _one(lookup("Doha"), kind="city", country="QA", capital=True)
    assert _one(lookup("Saigon"), kind="city")["name"] == "Ho Chi Minh City"
    assert _one(lookup("Paris"), kind="city", capital=True)["country"] == "FR"
    assert _one(lookup("JAKARTA"), kind="city")["country"] == "ID"


def test_washington(lookup) -> None:
    us_cities = [r for r, _ in lookup("Washington") if r["kind"] == "city" and r["country"] == "US"]
    assert us_cities[0]["key"] == "gn:4140963" and us_cities[0]["capital"]
    for spelling in ("Washington DC", "Washington, D.C.", "Washington D.C."):
        _one(lookup(spelling), key="gn:4140963")


def test_countries_regions_and_abbreviations(lookup) -> None:
    assert {r["kind"] for r, _ in lookup("Georgia")} >= {"country", "admin1"}
    _one(lookup("Georgia"), kind="country", country="GE")
    _one(lookup("Georgia"), kind="admin1", country="US")
    for form in ("US", "U.S.", "USA", "U.S.A.", "United States of America"):
        _one(lookup(form), kind="country", country="US")
    assert [s for r, s in lookup("U.S.") if r["kind"] == "country"] == [ABBREVIATION]
    for form in ("UK", "U.K.", "Britain", "Great Britain"):
        _one(lookup(form), kind="country", country="GB")
    for form, iso in [("South Korea", "KR"), ("Republic of Korea", "KR"), ("Ivory Coast", "CI"),
                      ("Czechia", "CZ"), ("Russian Federation", "RU"), ("UAE", "AE"),
                      ("DRC", "CD")]:
        _one(lookup(form), kind="country", country=iso)
    _one(lookup("Middle East"), kind="region", key="region:middle-east")
    _one(lookup("South Asia"), kind="region")
    _one(lookup("Europe"), kind="continent")
    _one(lookup("Calif."), kind="admin1", iso3166_2="US-CA")


def test_demonyms(lookup) -> None:
    for form, iso in [("Afghan", "AF"), ("Afghans", "AF"), ("Pakistani", "PK"),
                      ("Pakistanis", "PK"), ("American", "US"), ("Americans", "US"),
                      ("French", "FR"), ("British", "GB"), ("Iranian", "IR"), ("Qatari", "QA")]:
        hits = [(r, s) for r, s in lookup(form) if r["kind"] == "country"]
        assert [(r["country"], s) for r, s in hits] == [(iso, DEMONYM)], form
    _one(lookup("European"), kind="continent")
    _one(lookup("Middle Eastern"), kind="region")


def test_countries_polygons() -> None:
    gdf = gpd.read_parquet(GEODATA / "countries.parquet")
    assert list(gdf.columns) == ["iso_a2", "name", "geometry", "compact"]
    assert gdf.crs.to_epsg() == 4326
    assert gdf["iso_a2"].is_unique and gdf["iso_a2"].str.fullmatch("[A-Z]{2}").all()
    assert {"FR", "NO", "XK", "AF", "US"} <= set(gdf["iso_a2"])
    assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
    kabul = gpd.points_from_xy([69.17], [34.53], crs="EPSG:4326")[0]
    assert gdf[gdf.contains(kabul)]["iso_a2"].tolist() == ["AF"]


def test_admin1_polygons(places: pa.Table) -> None:
    gdf = gpd.read_parquet(GEODATA / "admin1.parquet")
    assert list(gdf.columns) == ["country", "admin1", "iso3166_2", "name", "geometry", "compact"]
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
    assert not gdf.duplicated(["country", "admin1", "iso3166_2"]).any()
    assert set(gdf[gdf["country"] == "AF"]["admin1"]) == AFGHAN_PROVINCES
    # Every polygon joins to an admin-1 place.
    admin1 = places.filter(pc.equal(places["kind"], "admin1"))
    known = set(zip(admin1["country"].to_pylist(), admin1["admin1"].to_pylist(),
                    admin1["iso3166_2"].to_pylist(), strict=True))
    assert set(zip(gdf["country"], gdf["admin1"], gdf["iso3166_2"], strict=True)) <= known
    lashkar_gah = gpd.points_from_xy([64.37], [31.59], crs="EPSG:4326")[0]
    assert gdf[gdf.contains(lashkar_gah)]["iso3166_2"].tolist() == ["AF-HEL"]


@pytest.mark.parametrize("layer", ["countries", "admin1"])
def test_compact_column_is_what_the_map_draws(layer: str) -> None:
    """The stored drawn polygons are those basemap makes from the real ones, byte for byte
    (every row: a few rows would miss a stale build), with the settings basemap checks."""
    gdf = gpd.read_parquet(GEODATA / f"{layer}.parquet")
    assert gdf.attrs[basemap.COMPACT] == basemap.compact_version(layer)
    stored = gdf[basemap.COMPACT].tolist()
    assert all(isinstance(w, bytes) for w in stored)
    assert stored == basemap.compacted_wkb(gdf.geometry.to_numpy(), layer).tolist()


def test_physical_layer_holds_rivers_and_lakes() -> None:
    gdf = gpd.read_parquet(GEODATA / "physical.parquet")
    assert gdf.crs.to_epsg() == 4326
    counts = gdf["layer"].value_counts().to_dict()
    assert counts["river"] > 300 and counts["lake"] > 200
    rivers, lakes = gdf[gdf["layer"] == "river"], gdf[gdf["layer"] == "lake"]
    assert set(rivers.geom_type) <= {"LineString", "MultiLineString"}
    assert set(lakes.geom_type) <= {"Polygon", "MultiPolygon"}
    # The Helmand runs past Lashkar Gah; Lake Victoria holds a point in its middle.
    lashkar_gah = gpd.points_from_xy([64.37], [31.59], crs="EPSG:4326")[0]
    assert rivers.distance(lashkar_gah).min() < 0.1
    victoria = gpd.points_from_xy([33.0], [-1.0], crs="EPSG:4326")[0]
    assert lakes.contains(victoria).any()


def test_towns_are_the_gazetteer_rows_the_map_context_reads() -> None:
    """towns.parquet is what the render would take from places.parquet (a stale copy after a
    gazetteer rebuild would show towns that are gone)."""
    from mapper.render.context import context_rows

    stored = pq.read_table(GEODATA / "towns.parquet").to_pandas()
    assert stored.equals(context_rows(pq.read_table(GEODATA / "places.parquet")))
    assert {"Kabul", "Gereshk", "Timbuktu"} <= set(stored["name"])
