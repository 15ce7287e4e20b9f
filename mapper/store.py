"""Mentions -> tables: the places GeoDataFrame the map is drawn from, and mention rows.

Columns of :func:`places_frame` (one row per place, sorted by mentions, then key):
``key, name, kind, country, mentions, n_articles, article_ids (|-joined), alt_names
(|-joined), geometry`` (``Point(lon, lat)``, EPSG:4326).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

from mapper.atomic import write_text
from mapper.gazetteer import Gazetteer
from mapper.models import Article, Excerpt, Mention

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
    article_ids: tuple[str, ...]
    """Sorted."""


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
                       r["place"].lat, r["place"].lon, r["mentions"],
                       tuple(sorted(r["articles"]))) for r in rows.values()]


def places_frame(mentions: Sequence[Mention], gazetteer: Gazetteer | None = None,
                 ) -> gpd.GeoDataFrame:
    """One row per place that ``mentions`` name, with its counts; alternate names from
    ``gazetteer`` (for the map's search) when given."""
    return places_frame_of(place_counts(mentions), gazetteer)


def places_frame_of(counts: Sequence[PlaceCount], gazetteer: Gazetteer | None = None,
                    ) -> gpd.GeoDataFrame:
    """:func:`places_frame` from counts made elsewhere (the article index counts in SQL)."""
    records = []
    for row in sorted(counts, key=lambda r: (-r.mentions, r.key)):
        alt = gazetteer.alternates(row.key) if gazetteer is not None else ()
        records.append({
            "key": row.key, "name": row.name, "kind": row.kind, "country": row.country,
            "mentions": row.mentions, "n_articles": len(row.article_ids),
            "article_ids": "|".join(row.article_ids),
            "alt_names": "|".join(alt),
            # Point takes (x, y): longitude first.
            "geometry": Point(row.lon, row.lat),
        })
    return gpd.GeoDataFrame(records, columns=[*PLACE_COLUMNS, "geometry"], geometry="geometry",
                            crs="EPSG:4326")


def write_places_geojson(places: gpd.GeoDataFrame, path: Path) -> None:
    """``places.geojson``: one Point feature per place, its counts and article ids."""
    out = places.copy()
    out["article_ids"] = out["article_ids"].str.split("|")
    write_text(path, out.drop(columns=["alt_names"]).to_json(drop_id=True, ensure_ascii=False,
                                                            indent=1) + "\n")


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

