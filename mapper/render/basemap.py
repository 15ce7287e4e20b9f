"""The offline vector basemap and the choropleth: Natural Earth polygons as small GeoJSON.

Countries come from ``geodata/countries.parquet`` (``iso_a2``, ``name``, geometry) and
provinces from ``geodata/admin1.parquet`` (``country``, ``admin1``, ``iso3166_2``, ``name``,
geometry). Polygons are simplified and their coordinates rounded so the whole world costs a few
hundred kilobytes; only provinces that contain a mentioned place are embedded.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

from mapper.paths import geodata_dir

log = logging.getLogger(__name__)

#: Degrees; about 5 km at the equator, invisible below zoom 6 where the basemap matters.
COUNTRY_TOLERANCE = 0.03
ADMIN1_TOLERANCE = 0.01
_DIGITS = 3
#: Kinds whose mentions count towards the country or province they lie in.
_AREA_KINDS = {"continent", "region"}
_INSIDE_PROVINCE = {"admin2", "city", "feature", "admin1"}


def read_layer(name: str, directory: Path | None = None) -> gpd.GeoDataFrame | None:
    """``geodata/<name>.parquet`` in EPSG:4326, or None (with a warning) when it is missing."""
    path = (directory or geodata_dir()) / f"{name}.parquet"
    if not path.exists():
        log.warning("no %s: the map has no %s polygons", path, name)
        return None
    frame = gpd.read_parquet(path)
    return frame.to_crs(4326) if frame.crs and frame.crs.to_epsg() != 4326 else frame


def _compact(geometry: Any, tolerance: float) -> dict[str, Any] | None:
    if geometry is None or geometry.is_empty:
        return None
    simple = shapely.simplify(geometry, tolerance, preserve_topology=True)
    rounded = shapely.transform(simple, lambda xy: np.round(xy, _DIGITS))
    if rounded.is_empty:
        return None
    return mapping(rounded)


def _features(
    frame: gpd.GeoDataFrame, codes: list[str], counts: list[int], tolerance: float
) -> list[dict[str, Any]]:
    features = []
    for name, code, count, geometry in zip(
        frame["name"], codes, counts, frame.geometry, strict=True
    ):
        geo = _compact(geometry, tolerance)
        if geo is not None:
            props = {"name": str(name), "code": str(code), "mentions": int(count)}
            features.append({"type": "Feature", "properties": props, "geometry": geo})
    features.sort(key=lambda f: (f["properties"]["code"], f["properties"]["name"]))
    return features


def country_features(
    places: gpd.GeoDataFrame, countries: gpd.GeoDataFrame | None
) -> list[dict[str, Any]]:
    """Every country polygon with the mentions of places in it (by ISO2 code)."""
    if countries is None or countries.empty:
        return []
    local = places[~places["kind"].isin(_AREA_KINDS)]
    totals = local.groupby(local["country"].fillna("").astype(str))["mentions"].sum()
    codes = [str(c or "") for c in countries["iso_a2"]]
    counts = [int(totals.get(c, 0)) if c else 0 for c in codes]
    return _features(countries, codes, counts, COUNTRY_TOLERANCE)


def province_features(
    places: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame | None
) -> list[dict[str, Any]]:
    """Provinces that contain a mentioned place (point in polygon), with those mentions."""
    if provinces is None or provinces.empty or places.empty:
        return []
    provinces = provinces.reset_index(drop=True)
    inside = places[places["kind"].isin(_INSIDE_PROVINCE)][["mentions", "geometry"]]
    if inside.empty:
        return []
    joined = gpd.sjoin(inside, provinces[["geometry"]], predicate="within", how="inner")
    totals = joined.groupby("index_right")["mentions"].sum()
    hit = provinces.loc[sorted(totals.index)]
    codes = [
        str(iso or f"{country}-{admin1}")
        for iso, country, admin1 in zip(
            hit.get("iso3166_2", [""] * len(hit)), hit["country"], hit["admin1"], strict=True
        )
    ]
    return _features(hit, codes, [int(totals[i]) for i in hit.index], ADMIN1_TOLERANCE)


def basemap_payload(places: gpd.GeoDataFrame, directory: Path | None = None) -> dict[str, Any]:
    """``{"countries": [...], "provinces": [...]}``: GeoJSON features for the page."""
    return {
        "countries": country_features(places, read_layer("countries", directory)),
        "provinces": province_features(places, read_layer("admin1", directory)),
    }
