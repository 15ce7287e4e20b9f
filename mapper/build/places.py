"""Mentions -> the places GeoDataFrame the map and the exports are drawn from.

Its columns are :data:`mapper.models.PLACE_COLUMNS` (one row per place, sorted by mentions,
then key): ``key, name, kind, country, mentions, n_articles, article_ids (|-joined),
alt_names (|-joined), geometry`` (``Point(lon, lat)``, EPSG:4326).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import pyarrow as pa

from mapper.models import PLACE_COLUMNS, Mention
from mapper.parse.gazetteer import Gazetteer


@dataclass(frozen=True)
class PlaceCount:
    """One place with how often and where it is mentioned (a row of :func:`places_frame`)."""

    key: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    mentions: int
    n_articles: int
    article_ids: str
    """The ids of the articles, sorted, joined by ``|``."""


def place_counts(mentions: Sequence[Mention]) -> list[PlaceCount]:
    """The places ``mentions`` name, with their counts."""
    rows: dict[str, dict] = {}
    for m in mentions:
        p = m.place
        row = rows.get(p.key)
        if row is None:
            row = rows[p.key] = {"place": p, "mentions": 0, "articles": set()}
        row["mentions"] += 1
        row["articles"].add(m.article_id)
    return [PlaceCount(r["place"].key, r["place"].name, r["place"].kind, r["place"].country,
                       r["place"].lat, r["place"].lon, r["mentions"], len(r["articles"]),
                       "|".join(sorted(r["articles"]))) for r in rows.values()]


def places_frame(mentions: Sequence[Mention], gazetteer: Gazetteer | None = None,
                 ) -> gpd.GeoDataFrame:
    """One row per place that ``mentions`` name, with its counts; alternate names from
    ``gazetteer`` (for the map's search) when given."""
    return places_frame_of(place_counts(mentions), gazetteer)


def places_frame_of(counts: Sequence[PlaceCount], gazetteer: Gazetteer | None = None,
                    ) -> gpd.GeoDataFrame:
    """:func:`places_frame` from counts made elsewhere."""
    rows = sorted(counts, key=lambda r: (-r.mentions, r.key))
    return places_frame_of_rows([(r.key, r.name, r.kind, r.country, r.lat, r.lon, r.mentions,
                                  r.n_articles, r.article_ids) for r in rows], gazetteer)


def places_frame_of_rows(rows: Sequence[tuple], gazetteer: Gazetteer | None = None,
                         ) -> gpd.GeoDataFrame:
    """:func:`places_frame` from rows ``(key, name, kind, country, lat, lon, mentions,
    n_articles, article_ids)`` already in its order (the article index's, read in SQL:
    43,000 places at 100,000 articles, made into columns without an object per place)."""
    if rows:
        keys, names, kinds, countries, lats, lons, mentions, n_articles, ids = map(
            list, zip(*rows, strict=True))
    else:
        keys = names = kinds = countries = lats = lons = mentions = n_articles = ids = []
    alternates = gazetteer.alternate_names(keys) if gazetteer is not None else [""] * len(keys)
    columns = {
        "key": keys, "name": names, "kind": kinds, "country": countries,
        "mentions": mentions, "n_articles": n_articles, "article_ids": ids,
        "alt_names": alternates,
    }
    # points_from_xy takes (x, y): longitude first. One call, not a Point per place.
    points = gpd.points_from_xy(lons, lats)
    frame = pd.DataFrame({name: _strings(values) if name in _STRINGS else values
                          for name, values in columns.items()}, columns=PLACE_COLUMNS)
    frame["mentions"] = frame["mentions"].astype("int64")
    frame["n_articles"] = frame["n_articles"].astype("int64")
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


#: The frame's text columns.
_STRINGS = frozenset({"key", "name", "kind", "country", "article_ids", "alt_names"})
#: pandas' own dtype for text (what it infers for a column of str).
_STR = pd.StringDtype("pyarrow", na_value=float("nan"))


def _strings(values: list[str]) -> pd.api.extensions.ExtensionArray:
    """A text column, made by Arrow in one call: pandas inferring the type of 43,000 names
    and their lists of article ids (19 MB at 100,000 articles) took three times as long."""
    return pd.array(pa.array(values, type=pa.large_string()), dtype=_STR)


def with_article_ids(frame: gpd.GeoDataFrame, ids: Mapping[str, str]) -> gpd.GeoDataFrame:
    """``frame`` (made without its lists of article ids) with them, from ``ids`` by key."""
    frame = frame.copy(deep=False)
    frame["article_ids"] = _strings([ids[key] for key in frame["key"].tolist()])
    return frame
