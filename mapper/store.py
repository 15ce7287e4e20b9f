"""Mentions -> tables: the places GeoDataFrame the map is drawn from, and mention rows.

Columns of :func:`places_frame` (one row per place, sorted by mentions, then key):
``key, name, kind, country, mentions, n_articles, article_ids (|-joined), alt_names
(|-joined), geometry`` (``Point(lon, lat)``, EPSG:4326).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from mapper.atomic import Batch, replacing
from mapper.gazetteer import Gazetteer
from mapper.models import Article, Excerpt, Mention

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

PLACE_COLUMNS = ["key", "name", "kind", "country", "mentions", "n_articles", "article_ids",
                 "alt_names"]
MENTION_COLUMNS = ["article_id", "title", "date", "start", "end", "surface", "place_key",
                   "name", "kind", "country", "lat", "lon", "score", "demonym", "excerpt"]


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
    """:func:`places_frame` from counts made elsewhere (the article index counts in SQL)."""
    rows = sorted(counts, key=lambda r: (-r.mentions, r.key))
    keys = [r.key for r in rows]
    alternates = gazetteer.alternate_names(keys) if gazetteer is not None else [""] * len(rows)
    columns = {
        "key": keys, "name": [r.name for r in rows],
        "kind": [r.kind for r in rows], "country": [r.country for r in rows],
        "mentions": [r.mentions for r in rows], "n_articles": [r.n_articles for r in rows],
        "article_ids": [r.article_ids for r in rows],
        "alt_names": alternates,
    }
    # points_from_xy takes (x, y): longitude first. One call, not a Point per place.
    points = gpd.points_from_xy([r.lon for r in rows], [r.lat for r in rows])
    frame = pd.DataFrame(columns, columns=PLACE_COLUMNS)
    frame["mentions"] = frame["mentions"].astype("int64")
    frame["n_articles"] = frame["n_articles"].astype("int64")
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


def write_places_geojson(places: gpd.GeoDataFrame, path: Path,
                         batch: Batch | None = None) -> None:
    """``places.geojson``: one Point feature per place (a line each), its counts and
    article ids. Written with the json module: GeoDataFrame.to_json took 2.8 s for the
    15,000 places of 10,000 articles, iterating their 170,000 article ids one by one. Written
    a feature at a time: joined first, the file was held three times over (as the features,
    the text and its UTF-8), 90 MB at 100,000 articles."""
    names = [c for c in PLACE_COLUMNS if c != "alt_names"]
    columns = [places[c].tolist() for c in names]
    at = names.index("article_ids")
    with replacing(path, batch=batch) as fh:
        fh.write('{"type":"FeatureCollection","features":[\n')
        sep = ""
        for *values, x, y in zip(*columns, places.geometry.x.tolist(),
                                 places.geometry.y.tolist(), strict=True):
            values[at] = values[at].split("|") if values[at] else []
            fh.write(sep)
            fh.write(_ENCODE({
                "type": "Feature", "properties": dict(zip(names, values, strict=True)),
                # GeoJSON positions are [longitude, latitude].
                "geometry": {"type": "Point", "coordinates": [x, y]}}))
            sep = ",\n"
        fh.write(("\n" if sep else "") + "]}\n")


def mention_rows(mentions: Sequence[Mention], excerpts: Sequence[Excerpt],
                 articles: Sequence[Article]) -> list[list]:
    """One list per mention in :data:`MENTION_COLUMNS` order, with its excerpt's text."""
    by_id = {a.id: a for a in articles}
    excerpt_at: dict[tuple[str, str], list[Excerpt]] = {}
    for e in excerpts:
        excerpt_at.setdefault((e.article_id, e.place_key), []).append(e)
    rows = []
    for m in mentions:
        a = by_id.get(m.article_id)
        ex = next((e.text for e in excerpt_at.get((m.article_id, m.place.key), ())
                   if e.start <= m.start and m.end <= e.start + len(e.text)), "")
        rows.append([
            m.article_id, a.title if a else "", a.date.isoformat() if a and a.date else "",
            m.start, m.end, m.surface, m.place.key, m.place.name, m.place.kind,
            m.place.country, m.place.lat, m.place.lon, m.score, int(m.demonym), ex,
        ])
    return rows


def csv_text(rows: Sequence[Sequence], header: bool = False) -> str:
    """``rows`` as CSV lines (the lines of ``mentions.csv``), with the header if asked."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(MENTION_COLUMNS)
    w.writerows(rows)
    return buf.getvalue()

