"""The offline vector basemap and the choropleth: Natural Earth polygons as small GeoJSON.

Countries come from ``geodata/countries.parquet`` (``iso_a2``, ``name``, geometry) and
provinces from ``geodata/admin1.parquet`` (``country``, ``admin1``, ``iso3166_2``, ``name``,
geometry). Polygons are simplified and their coordinates rounded so the whole world costs a few
hundred kilobytes; only provinces that contain a mentioned place are embedded. A process
keeps each layer and the polygons it has compacted (:func:`load_layer`), so the next map it
builds (``mapper watch``) reads and simplifies nothing again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
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
#: Layer name -> (simplification tolerance, decimals kept).
_PRECISION = {"countries": (COUNTRY_TOLERANCE, 2), "admin1": (ADMIN1_TOLERANCE, 3)}


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


@dataclass
class Layer:
    """A polygon layer and the compacted GeoJSON geometry of its rows, made once per row.

    ``frame`` has a RangeIndex, so a row's label is its position. Compacting the world's
    countries took most of a map's build; :func:`load_layer` keeps a layer per file, so a
    process that builds many maps (``mapper watch``) compacts each polygon once.
    """

    frame: gpd.GeoDataFrame
    tolerance: float
    digits: int
    _shapes: dict[int, dict[str, Any] | None] = field(default_factory=dict, init=False, repr=False)

    def geometries(self, rows: Sequence[int]) -> list[dict[str, Any] | None]:
        """GeoJSON geometries of ``rows`` (simplified, rounded, without specks), or None
        for a row with nothing left. Each is a new dict, but its coordinates are the layer's:
        read them, don't change them."""
        missing = [i for i in dict.fromkeys(rows) if i not in self._shapes]
        if missing:
            geometry = self.frame.geometry.to_numpy()[missing]
            for i, shape in zip(
                missing, _compact(geometry, self.tolerance, self.digits), strict=True
            ):
                self._shapes[i] = shape
        shapes = [self._shapes[i] for i in rows]
        return [None if s is None else dict(s) for s in shapes]


_LAYERS: dict[Path, tuple[tuple[int, int], Layer]] = {}


def load_layer(name: str, directory: Path | None = None) -> Layer | None:
    """:func:`read_layer` as a :class:`Layer`, kept while the file's mtime and size stay."""
    path = (directory or geodata_dir()) / f"{name}.parquet"
    try:
        status = path.stat()
    except OSError:
        return read_layer(name, directory)  # None, with its warning
    # Stat before reading: a file replaced meanwhile has a new stamp next time.
    stamp = (status.st_mtime_ns, status.st_size)
    cached = _LAYERS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    frame = read_layer(name, directory)
    if frame is None:
        return None
    tolerance, digits = _PRECISION[name]
    layer = Layer(frame.reset_index(drop=True), tolerance, digits)
    _LAYERS[path] = (stamp, layer)
    return layer


def _compact(geometry: np.ndarray, tolerance: float, digits: int) -> list[dict[str, Any] | None]:
    """GeoJSON of each geometry simplified, rounded and without specks, or None when nothing
    is left."""
    kept = np.array(
        [None if g is None or g.is_empty else _without_specks(g) for g in geometry], dtype=object
    )
    simple = shapely.simplify(kept, tolerance, preserve_topology=True)
    rounded = shapely.transform(simple, lambda xy: np.round(xy, digits))
    shapes: list[dict[str, Any] | None] = [None] * len(rounded)
    present = np.flatnonzero(~shapely.is_missing(rounded) & ~shapely.is_empty(rounded))
    for i, shape in zip(present.tolist(), _geojson(rounded[present]), strict=True):
        shapes[i] = shape
    return shapes


def _without_specks(geometry: Any) -> Any:
    """The geometry without parts under MIN_PART_AREA, except its largest part."""
    parts = shapely.get_parts(geometry)
    if len(parts) <= 1:
        return geometry
    area = shapely.area(parts)
    keep = area >= MIN_PART_AREA
    keep[np.argmax(area)] = True  # the first largest, as max() picks
    parts = parts[keep]
    return shapely.multipolygons(parts) if len(parts) > 1 else parts[0]


def _geojson(geometry: np.ndarray) -> list[dict[str, Any]]:
    """``mapping(g)`` of each geometry, as lists: the same JSON.

    The same floats, read in a few numpy calls for all the rings instead of one Python tuple
    per point, which took a third of :func:`basemap_payload`.
    """
    kinds = shapely.get_type_id(geometry)
    if not np.isin(kinds, _POLYGONAL).all():
        return [mapping(g) for g in geometry]
    # Every level in order: geometry -> its polygons -> their rings (exterior first) -> points.
    polygons, polygon_of = shapely.get_parts(geometry, return_index=True)
    rings, ring_of = shapely.get_rings(polygons, return_index=True)
    xy = shapely.get_coordinates(rings).tolist()
    ends = np.cumsum(shapely.get_num_coordinates(rings)).tolist()
    points = [xy[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    by_polygon = _group(points, ring_of, len(polygons))
    by_geometry = _group(by_polygon, polygon_of, len(geometry))
    return [
        {"type": "MultiPolygon", "coordinates": parts}
        if kind == _MULTIPOLYGON
        else {"type": "Polygon", "coordinates": parts[0]}
        for kind, parts in zip(kinds.tolist(), by_geometry, strict=True)
    ]


_MULTIPOLYGON = int(shapely.GeometryType.MULTIPOLYGON)
_POLYGONAL = [int(shapely.GeometryType.POLYGON), _MULTIPOLYGON]


def _group(items: list[Any], owner: np.ndarray, n: int) -> list[list[Any]]:
    """``items`` as ``n`` lists, item i going to list ``owner[i]`` (``owner`` ascending)."""
    ends = np.cumsum(np.bincount(owner, minlength=n)).tolist()
    return [items[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def _features(
    frame: gpd.GeoDataFrame,
    codes: list[str],
    members: list[list[str]],
    geometries: list[dict[str, Any] | None],
    mentions: dict[str, int],
) -> list[dict[str, Any]]:
    """GeoJSON features with their code, the keys of the places inside and their mentions."""
    features = []
    for name, code, keys, geo in zip(
        frame["name"].tolist(), codes, members, geometries, strict=True
    ):
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


def country_features(places: gpd.GeoDataFrame, countries: Layer | None) -> list[dict[str, Any]]:
    """Every country polygon with the mentions of places in it (by ISO2 code)."""
    if countries is None or countries.frame.empty:
        return []
    frame = countries.frame
    local = places[~places["kind"].isin(_AREA_KINDS)]
    by_country: dict[str, list[str]] = {}
    for key, country in zip(local["key"].tolist(), local["country"].tolist(), strict=True):
        if isinstance(country, str) and country:
            by_country.setdefault(country, []).append(str(key))
    codes = [c if isinstance(c, str) else "" for c in frame["iso_a2"].tolist()]
    members = [by_country.get(c, []) if c else [] for c in codes]
    geometries = countries.geometries(range(len(frame)))
    return _features(frame, codes, members, geometries, _mentions(places))


def _mentions(places: gpd.GeoDataFrame) -> dict[str, int]:
    return {
        str(k): int(m)
        for k, m in zip(places["key"].tolist(), places["mentions"].tolist(), strict=True)
    }


def province_features(places: gpd.GeoDataFrame, provinces: Layer | None) -> list[dict[str, Any]]:
    """Provinces that contain a mentioned place (point in polygon), with those mentions."""
    if provinces is None or provinces.frame.empty or places.empty:
        return []
    inside = places[places["kind"].isin(_INSIDE_PROVINCE)][["key", "geometry"]]
    if inside.empty:
        return []
    frame = provinces.frame
    joined = gpd.sjoin(inside, frame[["geometry"]], predicate="within", how="inner")
    keys = joined.groupby("index_right")["key"].agg(lambda k: [str(x) for x in k])
    rows = sorted(keys.index)
    hit = frame.loc[rows]
    codes = [
        str(iso or f"{country}-{admin1}")
        for iso, country, admin1 in zip(
            hit.get("iso3166_2", [""] * len(hit)), hit["country"], hit["admin1"], strict=True
        )
    ]
    members = [keys[i] for i in rows]
    return _features(hit, codes, members, provinces.geometries(rows), _mentions(places))


def basemap_payload(places: gpd.GeoDataFrame, directory: Path | None = None) -> dict[str, Any]:
    """``{"countries": [...], "provinces": [...]}``: GeoJSON features for the page."""
    return {
        "countries": country_features(places, load_layer("countries", directory)),
        "provinces": province_features(places, load_layer("admin1", directory)),
    }
