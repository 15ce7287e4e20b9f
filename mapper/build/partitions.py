"""Mentions as GeoParquet partitions: what each Dask task writes and the build reads back.

One row per mention, in the order the parser found them; columns:
``article_id, start, end, surface, score, demonym, place_key, name, kind, country, admin1,
geonameid (null when none), population`` and ``geometry``: the place's ``Point(lon, lat)``,
EPSG:4326. A partition holds the mentions of whole articles, so per-article order survives.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import shapely

from mapper.models import Article, Mention, Place

COLUMNS = ["article_id", "start", "end", "surface", "score", "demonym", "place_key", "name",
           "kind", "country", "admin1", "geonameid", "population"]
CRS = "EPSG:4326"

_DTYPES = {"article_id": "string", "start": "int64", "end": "int64", "surface": "string",
           "score": "float64", "demonym": "bool", "place_key": "string", "name": "string",
           "kind": "string", "country": "string", "admin1": "string", "geonameid": "Int64",
           "population": "int64"}


def mentions_frame(mentions: Sequence[Mention]) -> gpd.GeoDataFrame:
    """The partition table of ``mentions`` (see the module docstring)."""
    cols: dict[str, list] = {c: [] for c in COLUMNS}
    lon, lat = [], []
    for m in mentions:
        p = m.place
        for c, v in zip(COLUMNS, (m.article_id, m.start, m.end, m.surface, m.score,
                                  m.demonym, p.key, p.name, p.kind, p.country, p.admin1,
                                  p.geonameid, p.population), strict=True):
            cols[c].append(v)
        lon.append(p.lon)
        lat.append(p.lat)
    frame = pd.DataFrame({c: pd.Series(v, dtype=_DTYPES[c]) for c, v in cols.items()})
    # shapely.points takes x, y: longitude first.
    return gpd.GeoDataFrame(frame, geometry=shapely.points(lon, lat), crs=CRS)


def write_partition(mentions: Sequence[Mention], path: str | os.PathLike[str]) -> Path:
    """Write ``mentions`` as one GeoParquet file (written aside, then renamed into place)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    mentions_frame(mentions).to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def read_partitions(paths: Iterable[str | os.PathLike[str]]) -> gpd.GeoDataFrame:
    """The rows of all ``paths``, in order, as one GeoDataFrame."""
    frames = [gpd.read_parquet(p) for p in paths]
    if not frames:
        return mentions_frame([])
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                            crs=frames[0].crs)


def read_mentions(paths: Iterable[str | os.PathLike[str]],
                  articles: Sequence[Article]) -> list[list[Mention]]:
    """The mentions of each of ``articles`` (in their order) from the partitions."""
    frame = read_partitions(paths)
    table = pa.Table.from_pandas(frame.drop(columns="geometry"), preserve_index=False)
    rows = table.to_pydict()
    xs = shapely.get_x(frame.geometry.values).tolist()
    ys = shapely.get_y(frame.geometry.values).tolist()
    by_article: dict[str, list[Mention]] = {a.id: [] for a in articles}
    places: dict[str, Place] = {}
    for i, aid in enumerate(rows["article_id"]):
        key = rows["place_key"][i]
        place = places.get(key)
        if place is None:
            place = places[key] = Place(
                key=key, name=rows["name"][i], kind=rows["kind"][i],
                country=rows["country"][i], lat=ys[i], lon=xs[i],
                geonameid=rows["geonameid"][i], admin1=rows["admin1"][i],
                population=rows["population"][i])
        by_article[aid].append(Mention(aid, rows["start"][i], rows["end"][i],
                                       rows["surface"][i], place, rows["score"][i],
                                       rows["demonym"][i]))
    return [by_article[a.id] for a in articles]


def places_from_partitions(paths: Iterable[str | os.PathLike[str]]) -> gpd.GeoDataFrame:
    """One row per place named in the partitions: ``key, name, kind, country, mentions,
    n_articles, geometry``, sorted by mentions (most first), then key.

    The same counts as :func:`mapper.build.places.places_frame`, aggregated by the table engine one
    partition at a time (memory follows the places, not the mentions). A partition holds
    whole articles, so per-partition article counts add up.
    """
    columns = ["place_key", "name", "kind", "country", "article_id", "geometry"]
    partial = []
    for path in paths:
        frame = gpd.read_parquet(path, columns=columns)
        partial.append(frame.groupby("place_key", sort=False).agg(
            name=("name", "first"), kind=("kind", "first"), country=("country", "first"),
            mentions=("article_id", "size"), n_articles=("article_id", "nunique"),
            geometry=("geometry", "first")))
    if not partial:
        empty = pd.DataFrame({c: pd.Series(dtype="object") for c in
                              ["key", "name", "kind", "country", "mentions", "n_articles"]})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
    out = pd.concat(partial).groupby(level=0, sort=False).agg(
        name=("name", "first"), kind=("kind", "first"), country=("country", "first"),
        mentions=("mentions", "sum"), n_articles=("n_articles", "sum"),
        geometry=("geometry", "first"))
    out = out.reset_index().rename(columns={"place_key": "key", "index": "key"})
    out = out.sort_values(["mentions", "key"], ascending=[False, True], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS)
