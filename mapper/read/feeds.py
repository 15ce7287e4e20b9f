"""RSS and Atom feeds -> article files in a corpus folder (``mapper add --feed``).

Each entry becomes a ``.txt`` file whose front matter holds what the feed says of it (title,
date, link, the feed's title as the outlet, its GUID) and whose body is the entry's content,
or its summary, as text. The file's name ends with a hash of the entry's GUID (else its
link), so an entry already in the folder, under any name that keeps that ending, is never
written twice. The feed is parsed from bytes: feedparser never fetches anything here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mapper.atomic import write_bytes
from mapper.errors import ArticleError
from mapper.read.formats.common import one_line, web_url

#: Hex digits of the entry key's hash at the end of a file name.
KEY_DIGITS = 12
_KEYED = re.compile(rf"-([0-9a-f]{{{KEY_DIGITS}}})\.txt$")
_SLUG = re.compile(r"[^a-z0-9]+")
#: Elements whose end is a paragraph break in an entry's HTML.
_BLOCKS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr",
           "section", "article", "pre", "figure", "ul", "ol", "table")


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, as its article file will say it."""

    key: str
    """What makes it the same entry in every fetch: its GUID, else its link."""
    title: str
    date: dt.date | None
    url: str
    outlet: str
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:KEY_DIGITS]

    def file_name(self) -> str:
        slug = _SLUG.sub("-", self.title.lower()).strip("-")[:60].rstrip("-") or "entry"
        return f"{self.date.isoformat() + '-' if self.date else ''}{slug}-{self.digest}.txt"

    def file_text(self) -> str:
        head = [("title", self.title), ("date", self.date.isoformat() if self.date else ""),
                ("outlet", self.outlet), ("url", self.url), ("guid", one_line(self.key))]
        lines = [f"{k}: {v}" for k, v in head if v]
        return "---\n" + "\n".join(lines) + "\n---\n\n" + self.text.strip() + "\n"


def feed_entries(data: bytes, source: str) -> list[FeedEntry]:
    """The entries of the RSS or Atom feed ``data`` (read from ``source``, named in
    errors) that have a text and a GUID or a link."""
    import feedparser

    feed = feedparser.parse(data)
    if not feed.entries and (feed.bozo or not feed.version):
        reason = getattr(feed, "bozo_exception", None) or "no entries"
        raise ArticleError(source, f"not an RSS or Atom feed ({reason})")
    outlet = one_line(feed.feed.get("title"))
    return list(_entries(feed.entries, outlet))


def _entries(entries: list, outlet: str) -> Iterator[FeedEntry]:
    for e in entries:
        link = web_url(e.get("link"))
        key = one_line(e.get("id")) or link
        content = e.get("content") or []
        body = content[0].get("value", "") if content else e.get("summary", "")
        text = html_text(body)
        title = one_line(e.get("title")) or one_line(text[:120])
        if key and text.strip():
            yield FeedEntry(key, title, _date(e), link, outlet, text)


def _date(entry: dict) -> dt.date | None:
    """The entry's publication date (else its update date): the feed's, never today."""
    for field in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(field)
        if value:
            return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    return None


def html_text(value: str) -> str:
    """An entry's (sanitised) HTML as text: a paragraph a line, a blank line between."""
    import lxml.etree
    import lxml.html

    if "<" not in value:
        return value
    try:
        root = lxml.html.fragment_fromstring(value, create_parent="div")
    except (ValueError, lxml.etree.LxmlError):  # junk: its text without the tags
        return re.sub(r"<[^>]*>", " ", value)
    for el in root.iter(*_BLOCKS):
        el.tail = "\n\n" + (el.tail or "")
    paragraphs = (" ".join(p.split()) for p in root.text_content().split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def known_entries(folder: Path) -> set[str]:
    """The entry hashes of the feed articles already in ``folder`` (any depth)."""
    found = set()
    for _, _, files in os.walk(folder):
        found.update(m.group(1) for name in files if (m := _KEYED.search(name)))
    return found


def add_entries(entries: list[FeedEntry], folder: str | os.PathLike[str],
                ) -> tuple[list[Path], int]:
    """Write the entries not yet in ``folder``: (files written, entries already there)."""
    target = Path(folder)
    known = known_entries(target) if target.is_dir() else set()
    written: list[Path] = []
    present = 0
    for entry in entries:
        if entry.digest in known:
            present += 1
            continue
        known.add(entry.digest)
        target.mkdir(parents=True, exist_ok=True)
        path = target / entry.file_name()
        write_bytes(path, entry.file_text().encode("utf-8"))
        written.append(path)
    return written, present
