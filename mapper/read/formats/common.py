"""What every reader returns (:class:`Extracted`) and the small rules they share: titles cut
to a length, dates as people and pages write them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

#: A title longer than this is cut at a word and marked with an ellipsis: an article that is
#: one long line has that line as its "title", and every export row repeats the title.
MAX_TITLE_CHARS = 200
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Extracted:
    """An article file's text and metadata, as one reader found them.

    ``text`` is what offsets point into: for plain text the decoded file (furniture blanked),
    for a web page or a PDF the text extracted from it."""

    text: str
    title: str
    date: dt.date | None
    outlet: str = ""
    url: str = ""
    pages: tuple[int, ...] = ()
    """For a PDF: the offset in ``text`` where each page starts (the first is 0)."""


def short_title(title: str) -> str:
    """``title``, cut to at most MAX_TITLE_CHARS characters at a word boundary."""
    if len(title) <= MAX_TITLE_CHARS:
        return title
    cut = title.rfind(" ", 0, MAX_TITLE_CHARS)
    return title[:cut if cut > MAX_TITLE_CHARS // 2 else MAX_TITLE_CHARS - 1].rstrip() + "\u2026"


def one_line(value: object) -> str:
    """A metadata value as one line of text ('' for none)."""
    return _SPACE.sub(" ", value).strip() if isinstance(value, str) else ""


def web_url(value: object) -> str:
    """``value`` when it is an absolute http(s) URL, else '': only those become links."""
    url = one_line(value)
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def written_date(value: str) -> dt.date | None:
    """The calendar date in ``value`` as news writes one ("July 16, 2021", "16 July 2021",
    "2021-07-16", with or without a time after it), or None. A date needs its day, month
    and year: "July 2021" is none."""
    value = one_line(value)
    if not value or len(value) > 80:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        pass
    if not re.search(r"\d{4}", value):  # no year written: nothing to guess from
        return None
    import dateparser  # a second to load its language data: only for written-out dates

    parsed = dateparser.parse(value, languages=["en"], settings={
        "STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"],
        "RETURN_AS_TIMEZONE_AWARE": False})
    return parsed.date() if parsed else None
