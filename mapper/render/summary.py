"""``places.html``: every place in a table by mentions, each linking into the map."""

from __future__ import annotations

import re
from urllib.parse import quote

import geopandas as gpd
from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from mapper.render import assets, csp

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


#: Keys that ``quote(key, safe="")`` leaves as they are but for the colon ("gn:1138958").
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.~:-]*")


def _quote(key: str) -> str:
    """``quote(key, safe="")``; a plain key without urllib's per-character work."""
    return key.replace(":", "%3A") if _PLAIN_KEY.fullmatch(key) else quote(key, safe="")


#: A row of the table: key, name, kind, country, mentions, articles.
Row = tuple[str, str, str, str, int, int]


def summary_rows(places: gpd.GeoDataFrame) -> list[Row]:
    """Table rows, most mentioned first (ties by name, then key)."""
    columns = [places[c].tolist() for c in ("key", "name", "kind", "country", "mentions",
                                            "n_articles")]
    rows = [(str(key), str(name), str(kind), str(country or ""), int(mentions),
             int(n_articles))
            for key, name, kind, country, mentions, n_articles in zip(*columns, strict=True)]
    rows.sort(key=lambda r: (-r[4], r[1], r[0]))
    return rows


#: What HTML escaping changes; a text without any is its own escape.
_SPECIAL = re.compile("[&<>'\"]")


def _escape(text: str) -> str:
    """``markupsafe.escape(text)``, without making a Markup of the many texts it leaves
    as they are."""
    return escape(text) if _SPECIAL.search(text) else text


def _table_rows(rows: list[Row]) -> Markup:
    """The rows' HTML, made in one pass of string formatting rather than a Jinja loop over
    thousands of places. Names, kinds and
    countries are escaped (markupsafe); a link is a percent-encoded key, which holds no
    character HTML would read."""
    top = rows[0][4] if rows else 0
    return Markup("".join(
        f'\n    <tr>\n      <td class="num">{n}</td>\n      <td><a href="index.html#place='
        f'{_quote(key)}">{_escape(name)}</a></td>\n      <td><span class="kind kind-'
        f'{_escape(kind)}">{_escape(kind)}</span></td>\n      <td>{_escape(country)}</td>\n'
        f'      <td class="num"><span class="bar" style="width: '
        f'{round(90 * mentions / top, 1) if top else 0}px"></span>{mentions}</td>\n'
        f'      <td class="num">{n_articles}</td>\n    </tr>'
        for n, (key, name, kind, country, mentions, n_articles) in enumerate(rows, start=1)))


def render_summary(places: gpd.GeoDataFrame, n_articles: int, *, title: str) -> str:
    """The summary page; every value is HTML-escaped (Jinja's autoescape, markupsafe)."""
    rows = summary_rows(places)
    page = _ENV.from_string(assets.template("places.html.j2")).render(
        title=title,
        n_places=len(rows),
        n_articles=n_articles,
        rows=_table_rows(rows),
        css=Markup(assets.template("summary.css")),  # ours: not to be HTML-escaped
    )
    return csp.add_policy(page)
