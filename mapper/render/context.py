"""What the basemap shows around the articles' places, for a reader to orient by.

- rivers and lakes (``geodata/physical.parquet``, made by ``geodata/context.py``);
- country names at their label points, province names and borders in the countries the
  articles are about (the provinces of the most-mentioned countries first, within
  :data:`PROVINCE_POINTS` drawn points);
- context towns from the gazetteer (``geodata/places.parquet``) that no article names:
  national capitals and cities of a million anywhere, and in each country the articles name
  its largest towns (:data:`TOWNS_PER_COUNTRY`), each with the zoom from which it may show
  (read from ``geodata/towns.parquet``, the gazetteer's rows these can come from, made by
  ``geodata/context.py``; else from ``places.parquet``).

Everything is kept small: geometry as integer deltas (:mod:`.encoding`), points in
hundredths of a degree. The page decides what to draw at each zoom, and labels only what
fits (``templates/labels.js``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from mapper.paths import geodata_dir
from mapper.render.basemap import Layer, basemap_payload, load_layer
from mapper.render.encoding import encode, encode_shape

log = logging.getLogger(__name__)

#: Towns per country the articles name (largest first, at least MIN_TOWN people).
TOWNS_PER_COUNTRY = 40
MIN_TOWN = 10_000
#: Cities anywhere shown for orientation however far from the articles.
WORLD_CITY = 1_000_000
#: Drawn points of provinces that no article place lies in (borders and names only).
PROVINCE_POINTS = 40_000
#: Cities of at least this many people are named for search (a search that no article
#: place matches says the gazetteer knows the name).
SEARCH_CITY = 50_000
#: Population -> the first zoom at which a town may be labelled (capitals from 3).
TOWN_ZOOMS = ((5_000_000, 4), (1_000_000, 5), (250_000, 6), (50_000, 7), (0, 8))
_GAZETTEER_COLUMNS = ["key", "name", "kind", "country", "iso3166_2", "population", "capital",
                      "lat", "lon"]
_AREA_KINDS = {"continent", "region"}


def context_rows(table: pa.Table) -> pd.DataFrame:
    """The gazetteer rows the context is drawn from: countries, provinces, and the cities a
    town or search name can come from (capitals, :data:`MIN_TOWN` people or more), capitals
    first, then by population (the order towns are labelled in). ``geodata/context.py``
    stores them as ``towns.parquet``, so a build does not read the whole gazetteer."""
    frame = table.select(_GAZETTEER_COLUMNS).to_pandas()
    city = frame["kind"] == "city"
    keep = frame["kind"].isin(["country", "admin1"]) | (
        city & (frame["capital"] | (frame["population"] >= MIN_TOWN)))
    return frame[keep].sort_values(["capital", "population"], ascending=[False, False],
                                   kind="stable").reset_index(drop=True)


@cache
def _gazetteer(path: Path, stamp: tuple[int, int]) -> pd.DataFrame | None:
    """:func:`context_rows` of ``towns.parquet`` (made already) or ``places.parquet``."""
    try:
        table = pq.ParquetFile(path).read(columns=_GAZETTEER_COLUMNS)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("cannot read %s (%s): the map has no context towns", path, exc)
        return None
    return context_rows(table)


def gazetteer(directory: Path | None = None) -> pd.DataFrame | None:
    """The gazetteer rows of the context (:func:`context_rows`), kept per file."""
    folder = directory or geodata_dir()
    for name in ("towns.parquet", "places.parquet"):
        try:
            status = (folder / name).stat()
        except OSError:
            continue
        return _gazetteer(folder / name, (status.st_mtime_ns, status.st_size))
    log.warning("no %s: the map has no context towns", folder / "places.parquet")
    return None


@cache
def _physical(path: Path, stamp: tuple[int, int]) -> dict[str, list[dict[str, Any]]]:
    try:
        frame = gpd.read_parquet(path)
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s (%s): the map has no rivers and lakes", path, exc)
        return {"rivers": [], "lakes": []}
    out: dict[str, list[dict[str, Any]]] = {"rivers": [], "lakes": []}
    for layer, shape in zip(frame["layer"].tolist(), frame.geometry.to_numpy(), strict=True):
        encoded = encode_shape(shape)
        if encoded is not None:
            out["rivers" if layer == "river" else "lakes"].append(encoded)
    return out


def physical(directory: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """``{"rivers": [...], "lakes": [...]}``: encoded geometries (none without the file)."""
    path = (directory or geodata_dir()) / "physical.parquet"
    try:
        status = path.stat()
    except OSError:
        log.warning("no %s: the map has no rivers and lakes", path)
        return {"rivers": [], "lakes": []}
    return _physical(path, (status.st_mtime_ns, status.st_size))


def _hundredths(values: Any) -> list[int]:
    return np.rint(np.asarray(values, dtype=float) * 100).astype(np.int64).tolist()


def country_weights(places: gpd.GeoDataFrame) -> dict[str, int]:
    """Mentions per country code of the places inside countries (not regions)."""
    local = places[~places["kind"].isin(_AREA_KINDS)]
    sums = local.groupby("country")["mentions"].sum()
    return {str(c): int(n) for c, n in sums.items() if isinstance(c, str) and c}


def town_zoom(population: np.ndarray, capital: np.ndarray) -> np.ndarray:
    zoom = np.full(len(population), 8, dtype=np.int64)
    for floor, z in reversed(TOWN_ZOOMS):
        zoom[population >= floor] = z
    zoom[capital] = np.minimum(zoom[capital], 3)
    return zoom


def towns(gaz: pd.DataFrame, weights: dict[str, int], named: set[str]) -> list[list[Any]]:
    """``[name, lat, lon, zoom]`` (lat and lon in hundredths of a degree) of the context
    towns, capitals first, then by population: what the page labels in that order."""
    city = (gaz["kind"] == "city").to_numpy()
    population, capital = gaz["population"].to_numpy(), gaz["capital"].to_numpy()
    world = city & (capital | (population >= WORLD_CITY))
    near = city & (population >= MIN_TOWN) & np.fromiter(
        (c in weights for c in gaz["country"].tolist()), bool, len(gaz))
    candidates = np.flatnonzero(world | near)
    keys = gaz["key"].to_numpy()[candidates]
    candidates = candidates[np.fromiter((k not in named for k in keys.tolist()), bool,
                                        len(candidates))]
    # Of the towns near the articles, the largest per country (the frame is by population).
    per_country: dict[str, int] = {}
    keep = []
    countries = gaz["country"].to_numpy()
    for i in candidates.tolist():
        if world[i]:
            keep.append(i)
        elif per_country.get(countries[i], 0) < TOWNS_PER_COUNTRY:
            per_country[countries[i]] = per_country.get(countries[i], 0) + 1
            keep.append(i)
    chosen = gaz.iloc[keep]
    zoom = town_zoom(chosen["population"].to_numpy(), chosen["capital"].to_numpy())
    return [list(row) for row in zip(chosen["name"].tolist(), _hundredths(chosen["lat"]),
                                     _hundredths(chosen["lon"]), zoom.tolist(), strict=True)]


def known_names(gaz: pd.DataFrame, named: set[str]) -> str:
    """The names of cities of :data:`SEARCH_CITY` people or more that no article names,
    sorted and joined by ``|`` (no name holds one: the gazetteer splits on it)."""
    cities = gaz[(gaz["kind"] == "city") & (gaz["population"] >= SEARCH_CITY)]
    return "|".join(sorted({name for key, name in zip(cities["key"].tolist(),
                                                      cities["name"].tolist(), strict=True)
                            if key not in named}))


def country_labels(gaz: pd.DataFrame) -> list[list[Any]]:
    """``[name, lat, lon, code]`` of every country at its label point."""
    c = gaz[gaz["kind"] == "country"]
    return [list(row) for row in zip(c["name"].tolist(), _hundredths(c["lat"]),
                                     _hundredths(c["lon"]), c["country"].tolist(), strict=True)]


def province_context(provinces: Layer | None, gaz: pd.DataFrame | None,
                     weights: dict[str, int], shown: Sequence[str],
                     ) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """Borders of provinces without article places, in the countries with the most
    mentions first (within :data:`PROVINCE_POINTS`), and ``[name, lat, lon]`` of every
    province drawn (``shown``: the codes of those drawn for their places already)."""
    if provinces is None or provinces.frame.empty:
        return [], []
    frame = provinces.frame
    codes = [str(c) if isinstance(c, str) and c else f"{k}-{a}" for c, k, a in zip(
        frame.get("iso3166_2", pd.Series([""] * len(frame))).tolist(),
        frame["country"].tolist(), frame["admin1"].tolist(), strict=True)]
    rank = {c: -n for c, n in weights.items()}
    country = frame["country"].tolist()
    rows = sorted((i for i, k in enumerate(country) if k in rank),
                  key=lambda i: (rank[country[i]], country[i], i))
    taken, budget, borders = set(shown), PROVINCE_POINTS, []
    geometries = provinces.geometries(rows)
    labelled = [i for i in rows if codes[i] in taken]
    for i, geometry in zip(rows, geometries, strict=True):
        if codes[i] in taken or geometry is None:
            continue
        encoded = encode(geometry)
        points = _count(encoded["coordinates"]) // 2
        if points > budget:
            break
        budget -= points
        borders.append(encoded)
        labelled.append(i)
    return borders, _province_labels(frame, codes, labelled, geometries, rows, gaz)


def _count(coords: Any) -> int:
    if coords and isinstance(coords[0], int):
        return len(coords)
    return sum(_count(c) for c in coords)


def _province_labels(frame: pd.DataFrame, codes: list[str], labelled: list[int],
                     geometries: list[Any], rows: list[int], gaz: pd.DataFrame | None,
                     ) -> list[list[Any]]:
    """A label point per province: the gazetteer's (its main part's centre), else a point
    on its polygon."""
    points: dict[str, tuple[float, float]] = {}
    if gaz is not None:
        admin = gaz[(gaz["kind"] == "admin1") & (gaz["iso3166_2"] != "")]
        points = dict(zip(admin["iso3166_2"].tolist(),
                          zip(admin["lat"].tolist(), admin["lon"].tolist(), strict=True),
                          strict=True))
    shape_of = dict(zip(rows, geometries, strict=True))
    out = []
    for i in labelled:
        point = points.get(codes[i])
        if point is None and shape_of.get(i) is not None:
            p = shapely.point_on_surface(shapely.geometry.shape(shape_of[i]))
            point = (p.y, p.x)
        if point is not None:
            lat, lon = _hundredths(point)
            out.append([str(frame["name"].iat[i]), lat, lon])
    return out


def context_payload(places: gpd.GeoDataFrame, shown_provinces: Sequence[str],
                    directory: Path | None = None) -> dict[str, Any]:
    """The basemap's context for the page (see the module's doc)."""
    gaz = gazetteer(directory)
    weights = country_weights(places)
    named = set(places["key"].tolist())
    borders, province_names = province_context(load_layer("admin1", directory), gaz, weights,
                                               shown_provinces)
    return {
        **physical(directory),
        "provinceBorders": borders,
        "provinceLabels": province_names,
        "countryLabels": [] if gaz is None else country_labels(gaz),
        "towns": [] if gaz is None else towns(gaz, weights, named),
        "names": "" if gaz is None else known_names(gaz, named),
    }


def page_geo(places: gpd.GeoDataFrame, directory: Path | None = None) -> dict[str, Any]:
    """Everything the page draws under the places: :func:`.basemap.basemap_payload` with its
    geometry encoded (countries without their places: the page finds them by country code),
    and :func:`context_payload`."""
    base = basemap_payload(places, directory)
    countries = [{"type": "Feature", "geometry": encode(f["geometry"]),
                  "properties": {k: v for k, v in f["properties"].items() if k != "places"}}
                 for f in base["countries"]]
    provinces = [{**f, "geometry": encode(f["geometry"])} for f in base["provinces"]]
    shown = [f["properties"]["code"] for f in provinces]
    return {"countries": countries, "provinces": provinces,
            **context_payload(places, shown, directory)}
