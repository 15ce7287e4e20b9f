"""The JSON payload the page reads: places, articles and excerpts, in compact arrays.

One ``<script type="application/json">`` tag carries everything, so 2,000 places and 50,000
excerpts cost one parse instead of thousands of folium objects. Offsets are converted from
Python's code points to JavaScript's UTF-16 units, so ``String.slice`` finds the same text
even when an article contains emoji or other characters outside the BMP.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd

from mapper.models import Article, Excerpt

#: ``json.dumps`` output is safe inside ``<script>`` once these can no longer close the tag,
#: open a comment or start an entity; the escapes are valid JSON, so the text round-trips.
_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)

PLACE_FIELDS = ("key", "name", "kind", "country", "lat", "lon", "mentions", "n_articles", "alt")
ARTICLE_FIELDS = ("id", "title", "date", "path", "text")
EXCERPT_FIELDS = ("place", "article", "start", "text_or_length", "marks")


def script_json(value: Any) -> str:
    """``value`` as JSON that can sit inside a ``<script>`` element (deterministic)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.translate(_SCRIPT_ESCAPES)


class _Utf16:
    """Converts code-point offsets in one string to UTF-16 offsets."""

    def __init__(self, text: str) -> None:
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self._astral, offset) if self._astral else offset


def _split(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [part for part in value.split("|") if part]


def _int(value: Any) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    return int(number) if math.isfinite(number) else 0


def place_rows(places: gpd.GeoDataFrame) -> list[list[Any]]:
    """One array per place, in :data:`PLACE_FIELDS` order; rows without a point are dropped."""
    rows = []
    for row in places.itertuples(index=False):
        point = row.geometry
        if point is None or point.is_empty:
            continue
        rows.append(
            [
                str(row.key),
                str(row.name),
                str(row.kind),
                str(row.country or ""),
                round(float(point.y), 5),  # GeoJSON order is lon, lat; Leaflet wants lat, lon
                round(float(point.x), 5),
                _int(row.mentions),
                _int(row.n_articles),
                _split(getattr(row, "alt_names", "")),
            ]
        )
    return rows


def _marks(excerpt: Excerpt) -> list[tuple[int, int]]:
    """The excerpt's marks clipped to its text, sorted, without overlaps."""
    spans, end = [], 0
    for start, stop in sorted(excerpt.marks):
        start, stop = max(start, end), min(stop, len(excerpt.text))
        if start < stop:
            spans.append((start, stop))
            end = stop
    return spans


def build_payload(
    places: gpd.GeoDataFrame,
    excerpts: Sequence[Excerpt],
    articles: Sequence[Article],
    *,
    title: str,
) -> dict[str, Any]:
    """Everything the explorer needs, as plain JSON values."""
    place_list = place_rows(places)
    place_index = {row[0]: i for i, row in enumerate(place_list)}
    ordered = sorted(articles, key=lambda a: a.id)
    article_index = {article.id: i for i, article in enumerate(ordered)}
    utf16 = {article.id: _Utf16(article.text) for article in ordered}

    excerpt_rows = []
    for ex in sorted(excerpts, key=lambda e: (e.place_key, e.article_id, e.start, e.text)):
        p, a = place_index.get(ex.place_key), article_index.get(ex.article_id)
        if p is None or a is None:
            continue
        article = ordered[a]
        marks = _marks(ex)
        if article.text[ex.start : ex.start + len(ex.text)] == ex.text and ex.text:
            # The excerpt is a slice of the article: send offsets, not a second copy.
            conv = utf16[article.id]
            base = conv(ex.start)
            body: str | int = conv(ex.start + len(ex.text)) - base
            flat = [conv(ex.start + x) - base for span in marks for x in span]
        else:
            base, body = utf16[article.id](max(ex.start, 0)), ex.text
            conv = _Utf16(ex.text)
            flat = [conv(x) for span in marks for x in span]
        excerpt_rows.append([p, a, base, body, flat])

    return {
        "title": title,
        "fields": {"places": PLACE_FIELDS, "articles": ARTICLE_FIELDS, "excerpts": EXCERPT_FIELDS},
        "places": place_list,
        "articles": [
            [a.id, a.title, a.date.isoformat() if a.date else None, a.path, a.text] for a in ordered
        ],
        "excerpts": excerpt_rows,
    }
