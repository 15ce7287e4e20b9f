"""The one place where a mention becomes columns.

- :data:`MENTION_FIELDS`: a :class:`~mapper.models.Mention` flat, as the article index and
  the Dask partitions keep it (:func:`mention_fields`, :func:`place_fields`, back with
  :func:`mention_of`);
- :data:`MENTION_COLUMNS`: the rows of ``mentions.csv``, ``mentions.geojson`` and the
  GeoPackage's ``mentions`` layer, with the article's title and date and the excerpt.
  :func:`mention_chunks` makes an article's lines where the article is parsed (a pool
  worker); the writers only copy them;
- :func:`mention_json`: a mention as ``mapper parse`` prints it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from mapper.models import Article, Excerpt, Mention, Place

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: A place's fields in :data:`MENTION_FIELDS`, in the order of :class:`~mapper.models.Place`.
PLACE_FIELDS = ("place_key", "name", "kind", "country", "lat", "lon", "geonameid", "admin1",
                "population")
MENTION_FIELDS = ("article_id", "start", "end", "surface", *PLACE_FIELDS, "score", "demonym")

MENTION_COLUMNS = ["article_id", "title", "date", "start", "end", "surface", "place_key",
                   "name", "kind", "country", "lat", "lon", "score", "demonym", "excerpt"]


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


def feature_lines(rows: Sequence[Sequence]) -> str:
    """Mention rows (:func:`mention_rows`) as GeoJSON Point features, one per
    line, joined by ``,\n`` (no trailing separator)."""
    lat_at, lon_at = MENTION_COLUMNS.index("lat"), MENTION_COLUMNS.index("lon")
    names = [(i, c) for i, c in enumerate(MENTION_COLUMNS) if i not in (lat_at, lon_at)]
    return ",\n".join(_ENCODE({
        "type": "Feature",
        "properties": {c: row[i] for i, c in names},
        # GeoJSON positions are [longitude, latitude].
        "geometry": {"type": "Point", "coordinates": [row[lon_at], row[lat_at]]},
    }) for row in rows)


def mention_chunks(article: Article, mentions: Sequence[Mention],
                   excerpts: Sequence[Excerpt]) -> tuple[bytes, bytes]:
    """The article's lines of ``mentions.csv`` and its features of ``mentions.geojson``
    (joined by :data:`GEOJSON_SEP`), UTF-8."""
    rows = mention_rows(mentions, excerpts, [article])
    return csv_text(rows).encode(), feature_lines(rows).encode()


def place_fields(p: Place) -> tuple[Any, ...]:
    """A place as its :data:`PLACE_FIELDS`."""
    return (p.key, p.name, p.kind, p.country, p.lat, p.lon, p.geonameid, p.admin1,
            p.population)


def mention_fields(m: Mention) -> tuple[Any, ...]:
    """A mention as its :data:`MENTION_FIELDS`."""
    return (m.article_id, m.start, m.end, m.surface, *place_fields(m.place), m.score,
            m.demonym)


def mention_of(fields: Sequence[Any]) -> Mention:
    """The mention of :data:`MENTION_FIELDS` values (see :func:`mention_fields`)."""
    aid, start, end, surface, *place, score, demonym = fields
    return Mention(aid, start, end, surface, Place(*place), score, bool(demonym))


def mention_json(m: Mention) -> dict[str, Any]:
    """A mention as ``mapper parse`` prints it: offsets, surface, place, score."""
    p = m.place
    return {
        "start": m.start, "end": m.end, "surface": m.surface, "name": p.name, "kind": p.kind,
        "country": p.country, "geonameid": p.geonameid, "lat": p.lat, "lon": p.lon,
        "score": m.score, "demonym": m.demonym, "key": p.key,
    }
