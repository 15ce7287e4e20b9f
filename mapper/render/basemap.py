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

#: Degrees: about 5 km at the equator, 2 px at zoom 6; the world then costs ~0.8 MB.
COUNTRY_TOLERANCE = 0.05
ADMIN1_TOLERANCE = 0.02
#: Islands smaller than this (square degrees, ~10 x 10 km) are dropped, except a country's
#: largest part, so small island states stay on the map.
MIN_PART_AREA = 0.01
#: Kinds whose mentions count towards the country or province they lie in.
_AREA_KINDS = {"continent", "region"}
_INSIDE_PROVINCE = {"admin2", "city", "feature", "admin1"}


def read_layer(name: str, directory: Path | None = None) -> gpd.GeoDataFrame | None:
    """``geodata/<name>.parquet`` in EPSG:4326, or None (with a warning) when it is missing."""
    path = (directory or geodata_dir()) / f"{name}.parquet"
    if not path.exists():
        log.warning("no %s: the map has no %s polygons", path, name)
        return None
    try:
        frame = gpd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's errors are ValueErrors
        log.warning("cannot read %s (%s): the map has no %s polygons", path, exc, name)
        return None
    return frame.to_crs(4326) if frame.crs and frame.crs.to_epsg() != 4326 else frame


def _compact(geometry: Any, tolerance: float, digits: int) -> dict[str, Any] | None:
    """Simplified, rounded GeoJSON geometry without specks, or None when nothing is left."""
    if geometry is None or geometry.is_empty:
        return None
    parts = list(getattr(geometry, "geoms", [geometry]))
    if len(parts) > 1:
        largest = max(parts, key=lambda g: g.area)
        parts = [g for g in parts if g is largest or g.area >= MIN_PART_AREA]
        geometry = shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]
    simple = shapely.simplify(geometry, tolerance, preserve_topology=True)
    rounded = shapely.transform(simple, lambda xy: np.round(xy, digits))
    if rounded.is_empty:
        return None
    return mapping(rounded)


def _features(
    frame: gpd.GeoDataFrame,
    codes: list[str],
    members: list[list[str]],
    tolerance: float,
    digits: int,
    mentions: dict[str, int],
) -> list[dict[str, Any]]:
    """GeoJSON features with their code, the keys of the places inside and their mentions."""
    features = []
    for name, code, keys, geometry in zip(
        frame["name"], codes, members, frame.geometry, strict=True
    ):
        geo = _compact(geometry, tolerance, digits)
        if geo is not None:
            props = {
                "name": str(name),
                "code": str(code),
                "mentions": sum(mentions[k] for k in keys),
                "places": sorted(keys),
            }
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
    by_country: dict[str, list[str]] = {}
    for key, country in zip(local["key"], local["country"], strict=True):
        if isinstance(country, str) and country:
            by_country.setdefault(country, []).append(str(key))
    codes = [c if isinstance(c, str) else "" for c in countries["iso_a2"]]
    members = [by_country.get(c, []) if c else [] for c in codes]
    return _features(countries, codes, members, COUNTRY_TOLERANCE, 2, _mentions(places))


def _mentions(places: gpd.GeoDataFrame) -> dict[str, int]:
    return {str(k): int(m) for k, m in zip(places["key"], places["mentions"], strict=True)}


def province_features(
    places: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame | None
) -> list[dict[str, Any]]:
    """Provinces that contain a mentioned place (point in polygon), with those mentions."""
    if provinces is None or provinces.empty or places.empty:
        return []
    provinces = provinces.reset_index(drop=True)
    inside = places[places["kind"].isin(_INSIDE_PROVINCE)][["key", "geometry"]]
    if inside.empty:
        return []
    joined = gpd.sjoin(inside, provinces[["geometry"]], predicate="within", how="inner")
    keys = joined.groupby("index_right")["key"].agg(lambda k: [str(x) for x in k])
    hit = provinces.loc[sorted(keys.index)]
    codes = [
        str(iso or f"{country}-{admin1}")
        for iso, country, admin1 in zip(
            hit.get("iso3166_2", [""] * len(hit)), hit["country"], hit["admin1"], strict=True
        )
    ]
    members = [keys[i] for i in hit.index]
    return _features(hit, codes, members, ADMIN1_TOLERANCE, 3, _mentions(places))


def basemap_payload(places: gpd.GeoDataFrame, directory: Path | None = None) -> dict[str, Any]:
    """``{"countries": [...], "provinces": [...]}``: GeoJSON features for the page."""
    return {
        "countries": country_features(places, read_layer("countries", directory)),
        "provinces": province_features(places, read_layer("admin1", directory)),
    }
