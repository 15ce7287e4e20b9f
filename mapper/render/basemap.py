"""The offline vector basemap and the choropleth: Natural Earth polygons as small GeoJSON.

Countries come from ``geodata/countries.parquet`` (``iso_a2``, ``name``, geometry) and
provinces from ``geodata/admin1.parquet`` (``country``, ``admin1``, ``iso3166_2``, ``name``,
geometry). Polygons are simplified and their coordinates rounded so the whole world costs a few
hundred kilobytes; only provinces that contain a mentioned place are embedded.

Simplifying the world is costly, and every ``mapper build`` is a new process, so the geodata
build stores each row's simplified polygon beside the real one (column
``compact``, made by :func:`compacted_wkb`); a layer without it (older geodata, a
``MAPPER_GEODATA`` folder of one's own) is simplified here. A process keeps each layer and the
polygons it has drawn (:func:`load_layer`), so the next map it builds (``mapper watch``) reads
nothing again.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
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
#: Layers whose real polygons are used, not only drawn: a province is found by point in
#: polygon, a country by its code.
_CONTAINING = {"admin1"}
#: The column of a layer's file with each row's polygon as drawn (:func:`compacted_wkb`).
COMPACT = "compact"
_EPSG_4326 = {"authority": "EPSG", "code": 4326}


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


def compacted_wkb(geometry: np.ndarray, layer: str) -> np.ndarray:
    """WKB of each geometry as the map draws ``layer`` ("countries" or "admin1"):
    simplified, rounded and without specks; None where nothing is left.

    ``geodata/build.py`` stores it as the layer's ``compact`` column, with
    :func:`compact_version` in the file's ``attrs``. WKB keeps the rounded coordinates' exact
    floats, so the map is the same either way.
    """
    tolerance, digits = _PRECISION[layer]
    return shapely.to_wkb(_compact(geometry, tolerance, digits), byte_order=1)


def compact_version(layer: str) -> str:
    """The settings :func:`compacted_wkb` draws ``layer`` with. A compact column made with
    others (the constants changed, the geodata was not rebuilt) is not used."""
    tolerance, digits = _PRECISION[layer]
    return f"tolerance={tolerance} digits={digits} min_part_area={MIN_PART_AREA}"


@dataclass
class Layer:
    """A polygon layer and the GeoJSON of its rows as drawn, made once per row.

    ``frame`` holds the attributes (no geometry) with a RangeIndex, so a row's label is its
    position. ``shapes`` holds the real polygons (EPSG:4326), or is None when the layer is
    only drawn and its file has them drawn already (``compacted``, WKB): then nothing is
    simplified. :func:`load_layer` keeps a layer per file, so a process that builds many maps
    (``mapper watch``) draws each polygon once.
    """

    frame: pd.DataFrame
    shapes: np.ndarray | None
    tolerance: float
    digits: int
    compacted: np.ndarray | None = None
    _drawn: dict[int, dict[str, Any] | None] = field(default_factory=dict, init=False, repr=False)

    def geometries(self, rows: Sequence[int]) -> list[dict[str, Any] | None]:
        """GeoJSON geometries of ``rows`` (simplified, rounded, without specks), or None
        for a row with nothing left. Each is a new dict, but its coordinates are the layer's:
        read them, don't change them."""
        missing = [i for i in dict.fromkeys(rows) if i not in self._drawn]
        if missing:
            if self.compacted is not None:
                drawn = shapely.from_wkb(self.compacted[missing])
            else:
                assert self.shapes is not None  # read whenever compacted is not
                drawn = _compact(self.shapes[missing], self.tolerance, self.digits)
            for i, shape in zip(missing, _geojson_or_none(drawn), strict=True):
                self._drawn[i] = shape
        shapes = [self._drawn[i] for i in rows]
        return [None if s is None else dict(s) for s in shapes]

    @cached_property
    def prepared(self) -> np.ndarray:
        """``shapes``, prepared for many point-in-polygon tests."""
        if self.shapes is None:
            raise ValueError("this layer was read without its polygons")
        shapely.prepare(self.shapes)
        return self.shapes


_LAYERS: dict[Path, tuple[tuple[int, int], Layer]] = {}


def load_layer(name: str, directory: Path | None = None) -> Layer | None:
    """``geodata/<name>.parquet`` as a :class:`Layer`, kept while the file's mtime and size
    stay; None (with a warning) when it is missing or unreadable."""
    path = (directory or geodata_dir()) / f"{name}.parquet"
    try:
        status = path.stat()
    except OSError:
        log.warning("no %s: the map has no %s polygons", path, name)
        return None
    # Stat before reading: a file replaced meanwhile has a new stamp next time.
    stamp = (status.st_mtime_ns, status.st_size)
    cached = _LAYERS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    layer = _read_arrow(path, name)
    if layer is None:
        frame = read_layer(name, directory)
        if frame is None:
            return None
        # Only a file as the geodata build writes it (WKB, EPSG:4326) has its compact column
        # read: draw this one from its polygons.
        frame = frame.reset_index(drop=True)
        attributes = frame.drop(columns=[frame.geometry.name, COMPACT], errors="ignore")
        shapes = frame.geometry.to_numpy()
        layer = Layer(pd.DataFrame(attributes), shapes, *_PRECISION[name])
    _LAYERS[path] = (stamp, layer)
    return layer


def _read_arrow(path: Path, name: str) -> Layer | None:
    """The layer of a GeoParquet file with WKB in EPSG:4326 (what the geodata build writes),
    read with pyarrow; None for any other file (:func:`read_layer` reads those).

    ``ParquetFile.read``, unlike ``geopandas.read_parquet``, does not import pyarrow.dataset
    nor build a pyproj CRS. The real polygons are only read when they
    are needed: to find provinces, or to draw a layer that has no usable compact column.
    """
    try:
        file = pq.ParquetFile(path)
        metadata = file.schema_arrow.metadata or {}
        geo = json.loads(metadata.get(b"geo", b"{}"))
        column = geo["primary_column"]
        meta = geo["columns"][column]
        crs = meta.get("crs")
        if meta.get("encoding") != "WKB" or not isinstance(crs, dict):
            return None
        if crs.get("id") != _EPSG_4326:
            return None
        names = file.schema_arrow.names
        compact = COMPACT in names
        if compact:  # pandas keeps a frame's attrs in this key
            attrs = json.loads(metadata.get(b"PANDAS_ATTRS", b"{}"))
            if attrs.get(COMPACT) != compact_version(name):
                log.info("%s: its compact column was made otherwise; simplifying", path)
                compact = False
        polygons = name in _CONTAINING or not compact
        wanted = [n for n in names if (n != column or polygons) and (n != COMPACT or compact)]
        table = file.read(wanted, use_threads=False)  # threads cost more on files this small
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pa.ArrowException):
        return None  # read_layer tries again and says what is wrong
    shapes = None
    if polygons:
        shapes = shapely.from_wkb(table.column(column).to_numpy(zero_copy_only=False))
    compacted = table.column(COMPACT).to_numpy(zero_copy_only=False) if compact else None
    frame = table.select([n for n in table.column_names if n not in (column, COMPACT)])
    return Layer(frame.to_pandas(), shapes, *_PRECISION[name], compacted)


def _compact(geometry: np.ndarray, tolerance: float, digits: int) -> np.ndarray:
    """Each geometry simplified, rounded and without specks, or None when nothing is left."""
    kept = np.array(
        [None if g is None or g.is_empty else _without_specks(g) for g in geometry], dtype=object
    )
    simple = shapely.simplify(kept, tolerance, preserve_topology=True)
    rounded = shapely.transform(simple, lambda xy: np.round(xy, digits))
    rounded[shapely.is_missing(rounded) | shapely.is_empty(rounded)] = None
    return rounded


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


def _geojson_or_none(geometry: np.ndarray) -> list[dict[str, Any] | None]:
    """:func:`_geojson` of each geometry, None for a missing or empty one."""
    shapes: list[dict[str, Any] | None] = [None] * len(geometry)
    present = np.flatnonzero(~shapely.is_missing(geometry) & ~shapely.is_empty(geometry))
    for i, shape in zip(present.tolist(), _geojson(geometry[present]), strict=True):
        shapes[i] = shape
    return shapes


def _geojson(geometry: np.ndarray) -> list[dict[str, Any]]:
    """``mapping(g)`` of each geometry, as lists: the same JSON.

    The same floats, read in a few numpy calls for all the rings instead of one Python tuple
    per point.
    """
    kinds = shapely.get_type_id(geometry)
    if not np.isin(kinds, _POLYGONAL).all():
        return [mapping(g) for g in geometry]
    # Every level in order: geometry -> its polygons -> their rings (exterior first) -> points.
    polygons, polygon_of = shapely.get_parts(geometry, return_index=True)
    rings, ring_of = shapely.get_rings(polygons, return_index=True)
    ends = np.cumsum(shapely.get_num_coordinates(rings)).tolist()
    # A list per point: hundreds of thousands of new lists would wake the cyclic GC many
    # times (most of the time spent here) for nothing, as none can be part of a cycle.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        xy = shapely.get_coordinates(rings).tolist()
        points = [xy[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
        by_polygon = _group(points, ring_of, len(polygons))
        by_geometry = _group(by_polygon, polygon_of, len(geometry))
        return [
            {"type": "MultiPolygon", "coordinates": parts}
            if kind == _MULTIPOLYGON
            else {"type": "Polygon", "coordinates": parts[0]}
            for kind, parts in zip(kinds.tolist(), by_geometry, strict=True)
        ]
    finally:
        if was_enabled:
            gc.enable()


_MULTIPOLYGON = int(shapely.GeometryType.MULTIPOLYGON)
_POLYGONAL = [int(shapely.GeometryType.POLYGON), _MULTIPOLYGON]


def _group(items: list[Any], owner: np.ndarray, n: int) -> list[list[Any]]:
    """``items`` as ``n`` lists, item i going to list ``owner[i]`` (``owner`` ascending)."""
    ends = np.cumsum(np.bincount(owner, minlength=n)).tolist()
    return [items[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def _features(
    frame: pd.DataFrame,
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
                "mentions": sum(map(mentions.__getitem__, keys)),
                "places": sorted(keys),
            }
            features.append({"type": "Feature", "properties": props, "geometry": geo})
    features.sort(key=lambda f: (f["properties"]["code"], f["properties"]["name"]))
    return features


def country_features(
    places: gpd.GeoDataFrame, countries: Layer | None, mentions: dict[str, int] | None = None
) -> list[dict[str, Any]]:
    """Every country polygon with the mentions of places in it (by ISO2 code)."""
    if countries is None or countries.frame.empty:
        return []
    frame = countries.frame
    local = ~places["kind"].isin(_AREA_KINDS).to_numpy()
    by_country: dict[str, list[str]] = {}
    for key, country in zip(
        places["key"].to_numpy()[local].tolist(),
        places["country"].to_numpy()[local].tolist(),
        strict=True,
    ):
        if isinstance(country, str) and country:
            by_country.setdefault(country, []).append(str(key))
    codes = [c if isinstance(c, str) else "" for c in frame["iso_a2"].tolist()]
    members = [by_country.get(c, []) if c else [] for c in codes]
    if mentions is None:
        mentions = _mentions(places)
    return _features(frame, codes, members, countries.geometries(range(len(frame))), mentions)


def _mentions(places: gpd.GeoDataFrame) -> dict[str, int]:
    keys, counts = places["key"].tolist(), places["mentions"].tolist()
    return dict(zip(map(str, keys), map(int, counts), strict=True))


def province_features(
    places: gpd.GeoDataFrame, provinces: Layer | None, mentions: dict[str, int] | None = None
) -> list[dict[str, Any]]:
    """Provinces that contain a mentioned place (point in polygon), with those mentions."""
    if provinces is None or provinces.frame.empty or places.empty:
        return []
    inside = places["kind"].isin(_INSIDE_PROVINCE).to_numpy()
    if not inside.any():
        return []
    # As geopandas' sjoin(predicate="within") does: a tree of the points, each prepared
    # polygon asked which of them it contains.
    points = shapely.STRtree(places.geometry.to_numpy()[inside])
    rows_of, places_of = points.query(provinces.prepared, predicate="contains")
    if rows_of.size == 0:
        return []
    # The keys of each province's places: one run per province, in row order.
    order = np.argsort(rows_of, kind="stable")
    hit_rows, starts = np.unique(rows_of[order], return_index=True)
    keys = list(map(str, places["key"].to_numpy()[inside][places_of[order]].tolist()))
    ends = [*starts[1:].tolist(), len(keys)]
    members = [keys[a:b] for a, b in zip(starts.tolist(), ends, strict=True)]
    rows = hit_rows.tolist()
    hit = provinces.frame.iloc[rows]
    iso = hit["iso3166_2"].tolist() if "iso3166_2" in hit else [""] * len(hit)
    codes = [
        str(code or f"{country}-{admin1}")
        for code, country, admin1 in zip(
            iso, hit["country"].tolist(), hit["admin1"].tolist(), strict=True
        )
    ]
    if mentions is None:
        mentions = _mentions(places)
    return _features(hit, codes, members, provinces.geometries(rows), mentions)


def preload(directory: Path | None = None) -> None:
    """Load the layers :func:`basemap_payload` reads, and prepare the provinces' polygons
    for point-in-polygon tests (both kept for this process)."""
    load_layer("countries", directory)
    provinces = load_layer("admin1", directory)
    if provinces is not None and provinces.shapes is not None:
        provinces.prepared  # noqa: B018 - a cached property: computed here, ahead of use


def basemap_payload(places: gpd.GeoDataFrame, directory: Path | None = None) -> dict[str, Any]:
    """``{"countries": [...], "provinces": [...]}``: GeoJSON features for the page."""
    mentions = _mentions(places)
    return {
        "countries": country_features(places, load_layer("countries", directory), mentions),
        "provinces": province_features(places, load_layer("admin1", directory), mentions),
    }
