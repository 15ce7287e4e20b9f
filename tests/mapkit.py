"""Maps of hand-made inputs, drawn the one way every map is drawn: the articles and their
excerpts put into an article index, its map view refreshed, the page made from the view's
fragments (mapper.build.writing.draw_map) with the places frame given."""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd

from mapper.build import mapview
from mapper.build.index import INDEX_NAME, ArticleIndex
from mapper.build.mapview import MapView
from mapper.build.records import Palette, Record, pack
from mapper.build.writing import draw_map
from mapper.models import Article, Excerpt, Place
from mapper.render import MAP_FILES, write_summary


def excerpt(article: Article, key: str, name: str, start: int = 0) -> Excerpt:
    """An excerpt covering ``article.text[start:]`` with every ``name`` in it marked."""
    text = article.text[start:]
    marks = tuple((m.start(), m.end()) for m in re.finditer(re.escape(name), text))
    return Excerpt(article.id, key, start, text, marks)


def records(places: gpd.GeoDataFrame, excerpts: Sequence[Excerpt],
            articles: Sequence[Article]) -> list[Record]:
    """One record per article: a mention per marked name of its excerpts, of the place
    (from ``places``) the excerpt is of."""
    rows = {r.key: r for r in places.itertuples()}
    palette = Palette()
    out = []
    for a in articles:
        mentions, kept = [], []
        for e in excerpts:
            if e.article_id != a.id:
                continue
            assert a.text[e.start:e.start + len(e.text)] == e.text, "an excerpt is a slice"
            r = rows[e.place_key]
            # Where the page draws it comes from ``places``: the view keeps only the key.
            at = palette(Place(r.key, str(r.name), str(r.kind), str(r.country), 0.0, 0.0))
            mentions += [(e.start + s, e.start + t, at, 1.0, False) for s, t in e.marks]
            kept.append((at, e.start, len(e.text), tuple(x for m in e.marks for x in m)))
        out.append(Record(a, palette.places, sorted(mentions), kept, packed=pack(a.text)))
    return out


def write_map(places: gpd.GeoDataFrame, excerpts: Sequence[Excerpt],
              articles: Sequence[Article], out: Path, *, title: str = "mapper",
              max_excerpts: int | None = None) -> Path:
    """Write ``out/index.html`` and ``places.html`` of hand-made inputs; returns the map."""
    out.mkdir(parents=True, exist_ok=True)
    index, _ = ArticleIndex.open(out / INDEX_NAME, "hand-made")
    with index:
        index.put(records(places, excerpts, articles))
        view = MapView(index)
        cap, partial = view.settings(max_excerpts)
        view.refresh(None, cap, "", partial)
        draw_map(view, places, out, title=title, cap=cap, partial=partial)
    write_summary(places, len(articles), out, title=title)
    return out / MAP_FILES[0]


def render_html(places: gpd.GeoDataFrame, excerpts: Sequence[Excerpt],
                articles: Sequence[Article], *, title: str = "mapper",
                max_excerpts: int | None = None, text_budget: int | None = None) -> str:
    """The page :func:`write_map` writes, as text; ``text_budget``: the characters of
    article text above which only quoted passages are embedded (see mapper.build.mapview)."""
    budget = mapview.TEXT_BUDGET if text_budget is None else text_budget
    with tempfile.TemporaryDirectory() as tmp, _budget(budget):
        page = write_map(places, excerpts, articles, Path(tmp), title=title,
                         max_excerpts=max_excerpts)
        return page.read_text(encoding="utf-8")


def build_payload(places: gpd.GeoDataFrame, excerpts: Sequence[Excerpt],
                  articles: Sequence[Article], **options: object) -> dict:
    """The JSON payload of :func:`render_html`'s page."""
    html = render_html(places, excerpts, articles, **options)
    match = re.search(r'<script type="application/json" id="mapper-data">(.*?)</script>',
                      html, re.S)
    assert match, "no payload in the page"
    return json.loads(match.group(1))


@contextlib.contextmanager
def _budget(budget: int):
    before = mapview.TEXT_BUDGET
    mapview.TEXT_BUDGET = budget
    try:
        yield
    finally:
        mapview.TEXT_BUDGET = before
