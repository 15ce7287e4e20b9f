"""``places.html``: every place in a table by mentions, each linking into the map."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

import geopandas as gpd
from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from mapper import atomic
from mapper.models import Article
from mapper.render import assets, csp

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def summary_rows(places: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """Table rows, most mentioned first (ties by name, then key)."""
    rows = [
        {
            "key": str(r.key),
            "name": str(r.name),
            "kind": str(r.kind),
            "country": str(r.country or ""),
            "mentions": int(r.mentions),
            "n_articles": int(r.n_articles),
            "href": "index.html#place=" + quote(str(r.key), safe=""),
        }
        for r in places.itertuples(index=False)
    ]
    rows.sort(key=lambda r: (-r["mentions"], r["name"], r["key"]))
    return rows


def render_summary(places: gpd.GeoDataFrame, articles: Sequence[Article], *, title: str) -> str:
    """The summary page; every value is HTML-escaped by Jinja's autoescape."""
    page = _ENV.from_string(assets.template("places.html.j2")).render(
        title=title,
        rows=summary_rows(places),
        n_articles=len(articles),
        css=Markup(assets.template("summary.css")),  # ours: not to be HTML-escaped
    )
    return csp.add_policy(page)


def write_summary(
    places: gpd.GeoDataFrame, articles: Sequence[Article], path: Path, *, title: str
) -> Path:
    """Atomically write the summary page to ``path``."""
    atomic.write_text(path, render_summary(places, articles, title=title))
    return path
