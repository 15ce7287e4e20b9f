"""A web page's publication date from its own markup only, in this order: JSON-LD
``datePublished``, the meta tags publishers write (``article:published_time`` and kin), a
``<time>`` the page marks as the publication's.

Not htmldate's search, which trafilatura runs: even with its extensive search off it takes
a date written in the text ("Saved 2025-12-01" in a footer, "the talks on 2021-07-16" in
the story) when the markup has none, and a page's date must never be guessed from a date
its story mentions or the day it was saved.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from mapper.read.formats.common import written_date

#: Meta tags (property, name or itemprop, lower case) that carry the publication date.
META = ("article:published_time", "og:article:published_time", "og:published_time",
        "datepublished", "pubdate", "publishdate", "publish-date", "publish_date",
        "article.published", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
        "dcterms.created", "sailthru.date", "parsely-pub-date", "citation_publication_date",
        "date")
_ARTICLE_TYPES = ("article", "posting", "report", "blog")


def published_date(tree: Any) -> dt.date | None:
    """The publication date the page ``tree`` (lxml) states, or None."""
    for source in (_json_ld, _meta, _time):
        for value in source(tree):
            found = written_date(value)
            if found is not None:
                return found
    return None


def _json_ld(tree: Any) -> Iterator[str]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        # An article's own date before any other's (a page's WebPage or its publisher's).
        nodes = list(_nodes(data))
        nodes.sort(key=lambda n: not any(t in str(n.get("@type", "")).lower()
                                         for t in _ARTICLE_TYPES))
        for node in nodes:
            value = node.get("datePublished") or node.get("dateCreated")
            if isinstance(value, str):
                yield value


def _nodes(data: Any) -> Iterator[dict]:
    if isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _nodes(value)
    elif isinstance(data, list):
        for item in data:
            yield from _nodes(item)


def _meta(tree: Any) -> Iterator[str]:
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "")
        content = meta.get("content")
        if content and key.strip().lower() in META:
            found.setdefault(key.strip().lower(), content)
    yield from (found[k] for k in META if k in found)


def _time(tree: Any) -> Iterator[str]:
    """``<time>`` elements that say they are the publication's: ``pubdate``,
    ``itemprop="datePublished"`` or a class naming it; then the first in an ``<article>``."""
    times = list(tree.iter("time"))
    marked = [t for t in times if t.get("pubdate") is not None
              or (t.get("itemprop") or "").lower() == "datepublished"
              or any(c in (t.get("class") or "").lower() for c in ("published", "entry-date",
                                                                    "pubdate"))]
    in_article = [t for t in times if any(a.tag == "article" for a in t.iterancestors())]
    for t in marked + in_article[:1]:
        yield t.get("datetime") or t.text_content()
