"""Mentions as GeoParquet partitions: what each Dask task writes and the build reads back.

One row per mention, in the order the parser found them; columns: the mention's fields
(:data:`mapper.exports.rows.MENTION_FIELDS`) but ``lat`` and ``lon`` (``geonameid`` null when
none), and ``geometry``: the place's ``Point(lon, lat)``, EPSG:4326. A partition holds the
mentions of whole articles, so per-article order survives.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import shapely

from mapper.exports.rows import MENTION_FIELDS, mention_fields, mention_of
from mapper.models import Article, Mention, Place

COLUMNS = [c for c in MENTION_FIELDS if c not in ("lat", "lon")]
CRS = "EPSG:4326"

_DTYPES = {"article_id": "string", "start": "int64", "end": "int64", "surface": "string",
           "score": "float64", "demonym": "bool", "place_key": "string", "name": "string",
           "kind": "string", "country": "string", "admin1": "string", "geonameid": "Int64",
           "population": "int64"}
_LAT, _LON = MENTION_FIELDS.index("lat"), MENTION_FIELDS.index("lon")


def mentions_frame(mentions: Sequence[Mention]) -> gpd.GeoDataFrame:
    """The partition table of ``mentions`` (see the module docstring)."""
    rows = [mention_fields(m) for m in mentions]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(MENTION_FIELDS)
    frame = pd.DataFrame({c: pd.Series(v, dtype=_DTYPES[c])
                          for c, v in zip(MENTION_FIELDS, columns, strict=True) if c in _DTYPES})
    # shapely.points takes x, y: longitude first.
    return gpd.GeoDataFrame(frame, geometry=shapely.points(columns[_LON], columns[_LAT]),
                            crs=CRS)


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
    columns = [xs if c == "lon" else ys if c == "lat" else rows[c] for c in MENTION_FIELDS]
    for values in zip(*columns, strict=True):
        mention = mention_of(values)
        # One Place per key, shared by its mentions.
        place = places.setdefault(mention.place.key, mention.place)
        by_article[mention.article_id].append(dataclasses.replace(mention, place=place))
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
