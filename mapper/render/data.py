"""The JSON payload the page reads: places, articles and excerpts, in compact arrays.

One ``<script type="application/json">`` tag carries everything, so 2,000 places and 50,000
excerpts cost one parse instead of thousands of folium objects. Offsets are converted from
Python's code points to JavaScript's UTF-16 units, so ``String.slice`` finds the same text
even when an article contains emoji or other characters outside the BMP.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd

from mapper.models import Article, Excerpt
from mapper.render.passages import GAP, Document, article_fragment, excerpt_fragment, script_json

__all__ = ["GAP", "build_payload", "payload_from_fragments", "payload_json",
           "script_json"]

#: ``omitted``: the place's excerpts left out of the page by the ``max_excerpts`` cap (the
#: exports keep every one).
PLACE_FIELDS = ("key", "name", "kind", "country", "lat", "lon", "mentions", "n_articles", "alt",
                "omitted")
#: Articles carry their id (the path inside the corpus) but not ``Article.path``: a shared
#: map should not reveal where the corpus sat on the analyst's disk.
ARTICLE_FIELDS = ("id", "title", "date", "text")
EXCERPT_FIELDS = ("place", "article", "start", "text_or_length", "marks")
_FIELDS = {"places": PLACE_FIELDS, "articles": ARTICLE_FIELDS, "excerpts": EXCERPT_FIELDS}
#: Above this many characters of article text in total, only the quoted passages are embedded
#: (10,000 news articles are ~50 M characters; the page must stay near 15 MB).
TEXT_BUDGET = 6_000_000
#: Excerpts embedded per place, newest articles first: a country named in 5,000 articles
#: would otherwise carry 5,000 sentences nobody scrolls through (the exports have them all).
MAX_EXCERPTS = 20
#: Excerpts a page embeds in all. Beyond it the cap per place is lowered until they fit: the
#: 15,000 places of 10,000 articles fit under a cap of 20 (57,000 excerpts), the 41,000
#: places of 100,000 articles made a 61 MB page under it.
EXCERPT_BUDGET = 60_000


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
    # Columns, not itertuples (0.5 s for 15,000 places); a missing or empty point has NaN x.
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


def _is_slice(article: Article, ex: Excerpt) -> bool:
    """Whether the excerpt quotes the article (then it is sent as offsets into it)."""
    return bool(ex.text) and article.text[ex.start : ex.start + len(ex.text)] == ex.text


def effective_cap(counts: Iterable[int], cap: int, budget: int | None = None) -> int:
    """The largest cap per place, at most ``cap``, under which places with ``counts``
    excerpts embed at most ``budget`` (default :data:`EXCERPT_BUDGET`) in all; never below 1.
    A ``cap`` of 0 (no cap, asked for) stays 0."""
    if not cap:
        return 0
    budget = EXCERPT_BUDGET if budget is None else budget
    counts = list(counts)
    for c in range(cap, 1, -1):
        if sum(n if n < c else c for n in counts) <= budget:
            return c
    return 1


def _newest(excerpts: list[Excerpt], ordered: Sequence[Article],
            article_index: dict[str, int], cap: int) -> tuple[list[Excerpt], dict[str, int]]:
    """At most ``cap`` excerpts per place (all when ``cap`` is 0), newest articles first
    (undated last, then by article id and offset), sorted by place, article, offset; and
    per place key how many were left out."""
    # Newest first: date descending as the negated ordinal; undated sorts after every date.
    rank = [(-a.date.toordinal() if a.date else 1, a.id) for a in ordered]
    # (The article index's SQL keeps the same order: mapper.build.index._NEWEST.)
    excerpts.sort(key=lambda e: (e.place_key, rank[article_index[e.article_id]], e.start,
                                 len(e.text), e.text))
    kept: list[Excerpt] = []
    omitted: dict[str, int] = {}
    run_key, run = None, 0
    for ex in excerpts:
        if ex.place_key != run_key:
            run_key, run = ex.place_key, 0
        run += 1
        if cap and run > cap:
            omitted[ex.place_key] = omitted.get(ex.place_key, 0) + 1
        else:
            kept.append(ex)
    kept.sort(key=lambda e: (e.place_key, e.article_id, e.start, len(e.text), e.text))
    return kept, omitted


def payload_json(
    places: gpd.GeoDataFrame,
    excerpts: Sequence[Excerpt],
    articles: Sequence[Article],
    *,
    title: str,
    text_budget: int | None = None,
    max_excerpts: int | None = None,
) -> str:
    """Everything the explorer needs, as JSON that can sit in a ``<script>`` element.

    Each place keeps at most ``max_excerpts`` excerpts (default :data:`MAX_EXCERPTS`; 0 for
    no cap), those of its newest articles, fewer if they would pass
    :data:`EXCERPT_BUDGET` in all (:func:`effective_cap`); its ``omitted`` field counts the
    others.
    Articles' full texts are embedded while their total stays within ``text_budget``
    characters (default :data:`TEXT_BUDGET`); beyond it, each article keeps only the passages
    its kept excerpts quote. (The article index keeps the same JSON in pieces:
    :func:`payload_from_fragments`.)
    """
    budget = TEXT_BUDGET if text_budget is None else text_budget
    cap = MAX_EXCERPTS if max_excerpts is None else max_excerpts
    place_list = place_rows(places)
    place_index = {row[0]: i for i, row in enumerate(place_list)}
    ordered = sorted(articles, key=lambda a: a.id)
    article_index = {article.id: i for i, article in enumerate(ordered)}
    shown = [ex for ex in excerpts
             if ex.place_key in place_index and ex.article_id in article_index]
    cap = effective_cap(Counter(ex.place_key for ex in shown).values(), cap)
    kept, dropped = _newest(shown, ordered, article_index, cap)
    for row in place_list:
        row.append(dropped.get(row[0], 0))
    partial = sum(len(a.text) for a in ordered) > budget
    docs = _documents(ordered, kept, partial)
    rows = [_row(place_index[ex.place_key], a, excerpt_fragment(
                docs[a] if _is_slice(ordered[a], ex) else None, ex.start, ex.text, ex.marks))
            for ex in kept for a in (article_index[ex.article_id],)]
    fragments = [article_fragment(a.id, a.title, a.date.isoformat() if a.date else None, doc)
                 for a, doc in zip(ordered, docs, strict=True)]
    return _assemble(title, partial, cap, place_list, fragments, rows)


def _row(place: int, article: int, fragment: str) -> str:
    """An excerpt's row of the payload: its place's and article's positions, then its
    fragment (:func:`mapper.render.passages.excerpt_fragment`)."""
    return f"[{place},{article},{fragment}]"


def _documents(ordered: Sequence[Article], kept: Sequence[Excerpt], partial: bool,
               ) -> list[Document]:
    """Each article's embedded text: whole, or (``partial``) the passages ``kept`` quote."""
    if not partial:
        return [Document(a.text) for a in ordered]
    pieces: dict[str, list[tuple[int, str]]] = {a.id: [] for a in ordered}
    by_id = {a.id: a for a in ordered}
    for ex in kept:
        if _is_slice(by_id[ex.article_id], ex):
            pieces[ex.article_id].append((ex.start, ex.text))
    return [Document("", pieces[a.id]) for a in ordered]


def build_payload(places: gpd.GeoDataFrame, excerpts: Sequence[Excerpt],
                  articles: Sequence[Article], **options: Any) -> dict[str, Any]:
    """:func:`payload_json` as plain JSON values."""
    return json.loads(payload_json(places, excerpts, articles, **options))


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
