"""The JSON payload the page reads: places, articles and excerpts, in compact arrays.

One ``<script type="application/json">`` tag carries everything, so thousands of places and
excerpts cost one parse instead of thousands of folium objects. Offsets are converted from
Python's code points to JavaScript's UTF-16 units, so ``String.slice`` finds the same text
even when an article contains emoji or other characters outside the BMP.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd

from mapper.render.passages import GAP, script_json

__all__ = ["GAP", "payload_from_fragments", "script_json"]

#: ``omitted``: the place's excerpts left out of the page by the ``max_excerpts`` cap (the
#: exports keep every one).
PLACE_FIELDS = ("key", "name", "kind", "country", "lat", "lon", "mentions", "n_articles", "alt",
                "omitted")
#: Articles carry their id (the path inside the corpus) but not ``Article.path``: a shared
#: map should not reveal where the corpus sat on the analyst's disk. ``outlet`` and ``url``
#: (an http(s) address, the only kind the page links to) are left off when both are empty;
#: ``pages``, a PDF's page starts in its text, when the text is embedded whole.
ARTICLE_FIELDS = ("id", "title", "date", "text", "outlet", "url", "pages")
EXCERPT_FIELDS = ("place", "article", "start", "text_or_length", "marks")
_FIELDS = {"places": PLACE_FIELDS, "articles": ARTICLE_FIELDS, "excerpts": EXCERPT_FIELDS}


def _split(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [part for part in value.split("|") if part]


def _text(value: Any) -> str:
    """A string column's value; missing values (None, NaN) become ''."""
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    return int(number) if math.isfinite(number) else 0


def place_rows(places: gpd.GeoDataFrame) -> list[list[Any]]:
    """One array per place, in :data:`PLACE_FIELDS` order; rows without a point are dropped."""
    # Columns, not itertuples; a missing or empty point has NaN x.
    xs, ys = places.geometry.x.to_numpy(), places.geometry.y.to_numpy()
    alt = places["alt_names"].tolist() if "alt_names" in places else [""] * len(places)
    columns = [places[c].tolist() for c in ("key", "name", "kind", "country", "mentions",
                                            "n_articles")]
    rows = []
    for key, name, kind, country, mentions, n_articles, alt_names, x, y in zip(
            *columns, alt, xs.tolist(), ys.tolist(), strict=True):
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        rows.append(
            [
                str(key),
                _text(name) or str(key),
                _text(kind),
                _text(country),
                round(float(y), 5),  # GeoJSON order is lon, lat; Leaflet wants lat, lon
                round(float(x), 5),
                _int(mentions),
                _int(n_articles),
                _split(alt_names),
            ]
        )
    return rows


def _row(place: int, article: int, fragment: str) -> str:
    """An excerpt's row of the payload: its place's and article's positions, then its
    fragment (:func:`mapper.render.passages.excerpt_fragment`)."""
    return f"[{place},{article},{fragment}]"


def _assemble(title: str, partial: bool, cap: int, place_list: list[list[Any]],
              article_fragments: Sequence[str], excerpt_rows: Sequence[str]) -> str:
    """The payload's JSON from its parts: place rows (with their ``omitted`` counts), the
    articles' fragments in id order, and per shown excerpt its row ``[place position,
    article position, fragment]`` (:mod:`mapper.render.passages`). What ``script_json`` makes of
    the same values as one dict, keys sorted."""
    return "".join([
        '{"articles":[', ",".join(article_fragments),
        '],"excerpts":[', ",".join(excerpt_rows),
        '],"fields":', script_json(_FIELDS), ',"maxExcerpts":', script_json(cap),
        ',"partial":', script_json(partial), ',"places":', script_json(place_list),
        ',"title":', script_json(title), "}",
    ])


def payload_from_fragments(places: gpd.GeoDataFrame, articles: Sequence[tuple[str, str]],
                           shown: Iterable[tuple[str, str, str]], *, title: str,
                           partial: bool, cap: int, omitted: Mapping[str, int]) -> str:
    """The payload's JSON from fragments the article index keeps: ``articles`` as ``(id,
    fragment)`` by id, ``shown`` as ``(place key, article id, fragment)`` by place key,
    article id, start and length, and per place how many excerpts were left out."""
    place_list = place_rows(places)
    place_index = {row[0]: i for i, row in enumerate(place_list)}
    article_index = {aid: i for i, (aid, _) in enumerate(articles)}
    for row in place_list:
        row.append(omitted.get(row[0], 0))
    rows = [_row(p, a, frag) for key, aid, frag in shown
            if (p := place_index.get(key)) is not None
            and (a := article_index.get(aid)) is not None]
    return _assemble(title, partial, cap, place_list, [f for _, f in articles], rows)
