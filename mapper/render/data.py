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
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd

from mapper.models import Article, Excerpt

#: ``json.dumps`` output is safe inside ``<script>`` once these can no longer close the tag,
#: open a comment or start an entity; the escapes are valid JSON, so the text round-trips.
#: (Chained ``str.replace`` rather than ``str.translate`` with a dict, which looks every
#: character up in Python: 2.7 s on the 48 MB page of 10,000 articles; replace runs in C.)
_SCRIPT_ESCAPES = (
    ("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
#: Characters outside the BMP: each is two UTF-16 units in JavaScript.
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")

#: ``omitted``: the place's excerpts left out of the page by the ``max_excerpts`` cap (the
#: exports keep every one).
PLACE_FIELDS = ("key", "name", "kind", "country", "lat", "lon", "mentions", "n_articles", "alt",
                "omitted")
#: Articles carry their id (the path inside the corpus) but not ``Article.path``: a shared
#: map should not reveal where the corpus sat on the analyst's disk.
ARTICLE_FIELDS = ("id", "title", "date", "text")
EXCERPT_FIELDS = ("place", "article", "start", "text_or_length", "marks")
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
#: Joins the kept passages of an article in excerpt-only mode.
GAP = "\n\n[\u2026]\n\n"


def script_json(value: Any) -> str:
    """``value`` as JSON that can sit inside a ``<script>`` element (deterministic)."""
    # allow_nan=False: NaN is not JSON, and JSON.parse would refuse the whole payload.
    text = json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
    )
    for char, escape in _SCRIPT_ESCAPES:
        if char in text:
            text = text.replace(char, escape)
    return text


class _Utf16:
    """Converts code-point offsets in one string to UTF-16 offsets."""

    def __init__(self, text: str) -> None:
        # A regex scan in C: a Python loop over every character took 5.1 s on the text of
        # 10,000 articles, the regex 0.16 s. An ASCII text has nothing to find.
        self._astral = [] if text.isascii() else [m.start() for m in _ASTRAL.finditer(text)]

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self._astral, offset) if self._astral else offset


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


def _marks(excerpt: Excerpt) -> list[tuple[int, int]]:
    """The excerpt's marks clipped to its text, sorted, without overlaps."""
    if len(excerpt.marks) == 1:  # most excerpts: one mention of the place
        (start, stop), = excerpt.marks
        start, stop = max(start, 0), min(stop, len(excerpt.text))
        return [(start, stop)] if start < stop else []
    spans, end = [], 0
    for start, stop in sorted(excerpt.marks):
        start, stop = max(start, end), min(stop, len(excerpt.text))
        if start < stop:
            spans.append((start, stop))
            end = stop
    return spans


class _Document:
    """The text of one article as embedded in the page, and offsets into it.

    With ``pieces`` (excerpt-only mode: ``(article offset, text)`` of the passages the kept
    excerpts quote) the document is their union, joined by :data:`GAP`; offsets are mapped
    from the article to the document. The article's whole text is not needed for that.
    """

    def __init__(self, text: str, pieces: list[tuple[int, str]] | None = None) -> None:
        self._starts: list[int] = []  # article offset where each kept piece starts
        self._bases: list[int] = []  # document offset of that piece
        if pieces is None:
            self.text = text
        else:
            parts: list[str] = []
            length = 0
            for start, piece in _merge(pieces):
                if parts:
                    parts.append(GAP)
                    length += len(GAP)
                self._starts.append(start)
                self._bases.append(length)
                parts.append(piece)
                length += len(piece)
            self.text = "".join(parts)
        self._utf16 = _Utf16(self.text)
        self.partial = pieces is not None

    def offset(self, article_offset: int) -> int:
        """The UTF-16 offset in the document of a code-point offset in the article."""
        if self.partial:
            k = max(bisect.bisect_right(self._starts, article_offset) - 1, 0)
            article_offset = self._bases[k] + article_offset - self._starts[k]
        return self._utf16(article_offset)


def _merge(pieces: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Overlapping or touching slices of one text, merged: ``(start, text)``, by start."""
    merged: list[tuple[int, str]] = []
    # By start only: two places in one sentence give equal pieces, and comparing their texts
    # as tuple tie-breakers cost more than the merge (the result is the same either way).
    for start, piece in sorted(pieces, key=lambda p: p[0]):
        if merged and start <= merged[-1][0] + len(merged[-1][1]):
            first, text = merged[-1]
            overlap = first + len(text) - start
            merged[-1] = (first, text + piece[overlap:])
        else:
            merged.append((start, piece))
    return merged


def _is_slice(article: Article, ex: Excerpt) -> bool:
    """Whether the excerpt quotes the article; an article passed without its text (the
    index's excerpt-only mode) is taken at its word: its excerpts are slices of it."""
    if not article.text:
        return bool(ex.text)
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
    # (The article index's SQL keeps the same order: mapper.index._NEWEST.)
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


def build_payload(
    places: gpd.GeoDataFrame,
    excerpts: Sequence[Excerpt],
    articles: Sequence[Article],
    *,
    title: str,
    text_budget: int | None = None,
    max_excerpts: int | None = None,
    omitted: Mapping[str, int] | None = None,
    total_chars: int | None = None,
) -> dict[str, Any]:
    """Everything the explorer needs, as plain JSON values.

    Each place keeps at most ``max_excerpts`` excerpts (default :data:`MAX_EXCERPTS`; 0 for
    no cap), those of its newest articles, fewer if they would pass
    :data:`EXCERPT_BUDGET` in all (:func:`effective_cap`); its ``omitted`` field counts the
    others.
    Articles' full texts are embedded while their total stays within ``text_budget``
    characters (default :data:`TEXT_BUDGET`); beyond it, each article keeps only the passages
    its kept excerpts quote.

    A caller that already capped the excerpts (the article index does it in SQL) passes
    how many it left out per place as ``omitted``, and may pass the articles without their
    texts when ``total_chars``, the length of all of them, is over the budget.
    """
    budget = TEXT_BUDGET if text_budget is None else text_budget
    cap = MAX_EXCERPTS if max_excerpts is None else max_excerpts
    place_list = place_rows(places)
    place_index = {row[0]: i for i, row in enumerate(place_list)}
    ordered = sorted(articles, key=lambda a: a.id)
    article_index = {article.id: i for i, article in enumerate(ordered)}
    shown = [ex for ex in excerpts
             if ex.place_key in place_index and ex.article_id in article_index]
    if omitted is None:
        cap = effective_cap(Counter(ex.place_key for ex in shown).values(), cap)
        kept, dropped = _newest(shown, ordered, article_index, cap)
    else:  # capped by the caller already
        kept, dropped = shown, {}
        kept.sort(key=lambda e: (e.place_key, e.article_id, e.start, len(e.text), e.text))
    before = omitted or {}
    for row in place_list:
        row.append(dropped.get(row[0], 0) + before.get(row[0], 0))
    if total_chars is None:
        total_chars = sum(len(a.text) for a in ordered)
    partial = total_chars > budget
    pieces: dict[str, list[tuple[int, str]]] = {a.id: [] for a in ordered}
    if partial:
        for ex in kept:
            if _is_slice(ordered[article_index[ex.article_id]], ex):
                pieces[ex.article_id].append((ex.start, ex.text))
    docs = [_Document(a.text, pieces[a.id] if partial else None) for a in ordered]

    excerpt_rows = []
    for ex in kept:
        p, a = place_index[ex.place_key], article_index[ex.article_id]
        doc, marks = docs[a], _marks(ex)
        if _is_slice(ordered[a], ex):
            # The excerpt is a slice of the article: send offsets, not a second copy. The
            # document holds its text in one run, so offsets inside it are the excerpt's own.
            base = doc.offset(ex.start)
            if ex.text.isascii() or _ASTRAL.search(ex.text) is None:
                body: str | int = len(ex.text)
                flat = [x for span in marks for x in span]
            else:
                conv = _Utf16(ex.text)
                body, flat = conv(len(ex.text)), [conv(x) for span in marks for x in span]
        else:
            base, body, conv = -1, ex.text, _Utf16(ex.text)
            flat = [conv(x) for span in marks for x in span]
        excerpt_rows.append([p, a, base, body, flat])

    return {
        "title": title,
        "partial": partial,
        "maxExcerpts": cap,
        "fields": {"places": PLACE_FIELDS, "articles": ARTICLE_FIELDS, "excerpts": EXCERPT_FIELDS},
        "places": place_list,
        "articles": [
            [a.id, a.title, a.date.isoformat() if a.date else None, doc.text]
            for a, doc in zip(ordered, docs, strict=True)
        ],
        "excerpts": excerpt_rows,
    }
