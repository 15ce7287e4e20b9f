"""The one place where a mention becomes columns.

- :data:`MENTION_FIELDS`: a :class:`~mapper.models.Mention` flat, as the article index and
  the Dask partitions keep it (:func:`mention_fields`, :func:`place_fields`, back with
  :func:`mention_of`);
- :data:`MENTION_COLUMNS`: the rows of ``mentions.csv``, ``mentions.geojson`` and the
  GeoPackage's ``mentions`` layer, with the article's title, date, outlet and URL, the page
  of a PDF, and the excerpt;
- :data:`GPKG_MENTION_COLUMNS`, :data:`EXCERPT_COLUMNS`, :data:`ARTICLE_COLUMNS`: the
  GeoPackage's tables, where each excerpt and each title is kept once.
  :func:`export_lines` makes an article's lines of every export where the article is parsed
  (a pool worker); the writers only copy them;
- :func:`mention_json`: a mention as ``mapper parse`` prints it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mapper.models import Article, Excerpt, Mention, Place

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: A place's fields in :data:`MENTION_FIELDS`, in the order of :class:`~mapper.models.Place`.
PLACE_FIELDS = ("place_key", "name", "kind", "country", "lat", "lon", "geonameid", "admin1",
                "population")
MENTION_FIELDS = ("article_id", "start", "end", "surface", *PLACE_FIELDS, "score", "demonym")

#: The GeoPackage keeps each text once: its ``mentions`` layer (a point per mention) points at
#: the ``excerpts`` table by ``excerpt_id`` and at the ``articles`` table by ``article_id``.
#: ``page``: the page of a PDF the mention is on (from 1), empty for other articles.
GPKG_MENTION_COLUMNS = ["article_id", "date", "start", "end", "page", "surface", "place_key",
                        "name", "kind", "country", "lat", "lon", "score", "demonym",
                        "excerpt_id"]
EXCERPT_COLUMNS = ["excerpt_id", "article_id", "start", "end", "page", "text"]
#: ``outlet`` and ``url``: where the article came from, as its page, feed or front matter
#: says (empty when it does not).
ARTICLE_COLUMNS = ["article_id", "title", "date", "outlet", "url"]

MENTION_COLUMNS = ["article_id", "title", "date", "outlet", "url", "start", "end", "page",
                   "surface", "place_key", "name", "kind", "country", "lat", "lon", "score",
                   "demonym", "excerpt"]


def mention_rows(mentions: Sequence[Mention], excerpts: Sequence[Excerpt],
                 articles: Sequence[Article]) -> list[list]:
    """One list per mention in :data:`MENTION_COLUMNS` order, with its excerpt's text."""
    by_id = {a.id: a for a in articles}
    rows = []
    for m, ex in zip(mentions, excerpt_of(mentions, excerpts), strict=True):
        a = by_id.get(m.article_id)
        page = a.page_at(m.start) if a else None
        rows.append([
            m.article_id, a.title if a else "", a.date.isoformat() if a and a.date else "",
            a.outlet if a else "", a.url if a else "", m.start, m.end,
            "" if page is None else page, m.surface, m.place.key, m.place.name, m.place.kind,
            m.place.country, m.place.lat, m.place.lon, m.score, int(m.demonym),
            ex.text if ex else "",
        ])
    return rows


def excerpt_of(mentions: Sequence[Mention], excerpts: Sequence[Excerpt],
               ) -> list[Excerpt | None]:
    """Per mention the excerpt it stands in: its place's, around it (None if none is)."""
    excerpt_at: dict[tuple[str, str], list[Excerpt]] = {}
    for e in excerpts:
        excerpt_at.setdefault((e.article_id, e.place_key), []).append(e)
    return [next((e for e in excerpt_at.get((m.article_id, m.place.key), ())
                  if e.start <= m.start and m.end <= e.start + len(e.text)), None)
            for m in mentions]


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
        # A page is a number or nothing: null, not CSV's empty cell.
        "properties": {c: None if c == "page" and row[i] == "" else row[i] for i, c in names},
        # GeoJSON positions are [longitude, latitude].
        "geometry": {"type": "Point", "coordinates": [row[lon_at], row[lat_at]]},
    }) for row in rows)


@dataclass(frozen=True)
class Lines:
    """An article's lines in each export, UTF-8, made where the article was parsed; the
    writers only copy them."""

    csv: bytes = b""
    """Its rows of ``mentions.csv``."""
    geojson: bytes = b""
    """Its features of ``mentions.geojson``, joined by ``,\\n``."""
    mentions: bytes = b""
    """Its CSV rows of the GeoPackage's mentions layer (:data:`GPKG_MENTION_COLUMNS`)."""
    excerpts: bytes = b""
    """Its CSV rows of the GeoPackage's excerpts table, each excerpt once."""
    articles: bytes = b""
    """Its CSV row of the GeoPackage's articles table."""


#: The streams of :class:`Lines`, in order.
STREAMS = ("csv", "geojson", "mentions", "excerpts", "articles")


#: The streams of the GeoPackage's tables (made for every build: it is always written).
GPKG_STREAMS = ("mentions", "excerpts", "articles")


def streams_for(files: Sequence[str]) -> tuple[str, ...]:
    """The streams of :class:`Lines` that writing the export ``files`` needs."""
    wanted = {"mentions.csv": ("csv",), "mentions.geojson": ("geojson",),
              "places.gpkg": GPKG_STREAMS}
    return tuple(s for s in STREAMS if any(s in wanted.get(f, ()) for f in files))


def export_lines(article: Article, mentions: Sequence[Mention],
                 excerpts: Sequence[Excerpt], streams: Sequence[str] = STREAMS) -> Lines:
    """The article's :class:`Lines` for its ``mentions`` and their ``excerpts``: those of
    ``streams``, the others empty."""
    rows = mention_rows(mentions, excerpts, [article]) if {"csv", "geojson"} & {*streams} else []
    if not set(GPKG_STREAMS) & set(streams):
        return Lines(csv=csv_text(rows).encode() if "csv" in streams else b"",
                     geojson=feature_lines(rows).encode() if "geojson" in streams else b"")
    date = article.date.isoformat() if article.date else ""
    ids, texts = [], {}
    for ex in excerpt_of(mentions, excerpts):
        if ex is None:
            ids.append("")
            continue
        end = ex.start + len(ex.text)
        ids.append(key := excerpt_id(article.id, ex.start, end))
        texts[key] = [key, article.id, ex.start, end, _page(article, ex.start), ex.text]
    table = [[m.article_id, date, m.start, m.end, _page(article, m.start), m.surface,
              m.place.key, m.place.name, m.place.kind, m.place.country, m.place.lat,
              m.place.lon, m.score, int(m.demonym), key]
             for m, key in zip(mentions, ids, strict=True)]
    return Lines(csv=csv_text(rows).encode() if "csv" in streams else b"",
                 geojson=feature_lines(rows).encode() if "geojson" in streams else b"",
                 mentions=csv_text(table).encode(),
                 excerpts=csv_text(sorted(texts.values(), key=lambda r: r[2:4])).encode(),
                 articles=csv_text([[article.id, article.title, date, article.outlet,
                                     article.url]]).encode())


def _page(article: Article, offset: int) -> int | str:
    """The page of ``article`` at ``offset`` as a CSV cell: empty unless a PDF."""
    page = article.page_at(offset)
    return "" if page is None else page


def excerpt_id(article_id: str, start: int, end: int) -> int:
    """A stable 63-bit id of an article's excerpt at ``start:end``: the same in every
    GeoPackage that holds it, however the GeoPackage was updated."""
    digest = hashlib.blake2b(f"{article_id}\0{start}\0{end}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def csv_head(columns: Sequence[str]) -> bytes:
    """The header line of a CSV file of ``columns``."""
    return csv_text([columns]).encode()


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


def mention_json(m: Mention, article: Article | None = None) -> dict[str, Any]:
    """A mention as ``mapper parse`` prints it: offsets, surface, place, score; and the page
    it is on when ``article`` is a PDF."""
    p = m.place
    page = article.page_at(m.start) if article is not None else None
    return {
        "start": m.start, "end": m.end, "surface": m.surface, "name": p.name, "kind": p.kind,
        "country": p.country, "geonameid": p.geonameid, "lat": p.lat, "lon": p.lon,
        "score": m.score, "demonym": m.demonym, "key": p.key,
    } | ({"page": page} if page is not None else {})
