"""Saved web pages: the story's text and its metadata, extracted with trafilatura.

trafilatura keeps the article and drops navigation, ads, "related stories", comments and
cookie banners; its metadata functions read the title, the site's name and the canonical URL
from JSON-LD, OpenGraph and meta tags. The publication date comes from the page's own markup
only (:mod:`.published`), never from a date in its text, nor the file's time (the day it was
saved).

The text offsets point into is the extracted text, paragraphs apart by a blank line, as
``mapper parse --with-text`` prints it.
"""

from __future__ import annotations

import functools
import re

from mapper.errors import ArticleError
from mapper.read.decoding import blank, decode
from mapper.read.formats.common import Extracted, one_line, short_title, web_url
from mapper.read.formats.published import published_date
from mapper.read.furniture import furniture_spans

# What a browser's "Save as" writes above the page: the address it came from.
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)
_BREAKS = re.compile(r"\s*\n\s*")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@functools.cache
def _config():
    from trafilatura.settings import use_config

    config = use_config()
    # mapper's own --max-bytes decides which files are too big to read.
    config.set("DEFAULT", "MAX_FILE_SIZE", str(2**62))
    # Its timeout is a SIGALRM, which only the main thread of a process may set.
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


def read_html(data: bytes, path: str) -> Extracted:
    """A saved web page's bytes as an article's text and metadata."""
    import trafilatura

    page = decode(data, path)
    tree = _tree(page, path)
    # The date first: trafilatura's extraction prunes the tree it is given.
    date = published_date(tree)
    doc = trafilatura.bare_extraction(
        tree, with_metadata=True, include_comments=False, include_tables=True,
        include_images=False, include_links=False, favor_precision=True, config=_config(),
        date_extraction_params={"extensive_search": False})
    # A paragraph a line as trafilatura gives it, a blank line between: paragraphs as in
    # a plain-text article, for the excerpts and the reader alike.
    text = _BREAKS.sub("\n\n", doc.text or "").strip() if doc is not None else ""
    if not text:
        raise ArticleError(path, "no article text found in the web page")
    title = one_line(doc.title) or one_line(text.lstrip().split("\n", 1)[0])
    url = web_url(doc.url) or _saved_from(page)
    return Extracted(
        text=blank(text, furniture_spans(text)), title=short_title(title),
        date=date, outlet=one_line(doc.sitename) or one_line(doc.hostname),
        url=url)


def _tree(page: str, path: str):
    """The page as one lxml document whatever comes before its ``<html>`` (a comment, an
    XML declaration lxml refuses in a decoded string)."""
    import lxml.etree
    import lxml.html

    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", page, count=1))
    except (ValueError, lxml.etree.LxmlError) as exc:
        raise ArticleError(path, f"not a web page ({exc})") from None


def _saved_from(page: str) -> str:
    found = _SAVED_FROM.search(page[:4096])
    return web_url(found.group(1)) if found else ""

