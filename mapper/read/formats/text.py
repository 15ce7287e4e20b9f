"""Plain-text and Markdown articles: the decoded file is the text; title and date come from
front matter or the first lines, never from dates inside the story.

Offsets
    The text is the file's decoded text *without* a byte-order mark and with nothing
    normalised that changes length (CRLF stays CRLF). Furniture and metadata lines are
    overwritten by spaces, newlines kept, so every offset into it is an offset into the
    decoded file with its BOM (if any) removed.

Dates
    Front matter's ``date:``; a first line ``date 2021-07-16`` (the title may follow on the
    same line); or a ``Date:``/``Published:`` line among the first five lines, in the forms
    news uses ("July 16, 2021", "16 July 2021", "2021-07-16").
"""

from __future__ import annotations

import datetime as dt
import re

from mapper.errors import ArticleError
from mapper.read.decoding import blank, decode
from mapper.read.formats.common import Extracted, one_line, short_title, web_url, written_date
from mapper.read.furniture import furniture_spans, is_furniture, lines

#: Lines (not counting blank ones) at the top of a file where a date line is looked for.
HEAD_LINES = 5

_DATE_HEADER = re.compile(r"[ \t]*date:?[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]+|[ \t]*$)", re.I)
# "Published: July 16, 2021", "Date - 16 July 2021", "Posted on 2021-07-16 10:30 GMT".
_DATE_LINE = re.compile(r"[ \t]*(?:date|dated|published|published on|posted|posted on|"
                        r"first published)[ \t]*[:\-\u2013\u2014]?[ \t]+(.{6,80}?)[ \t]*", re.I)
_DATE_INITIALS = frozenset("dDpPfF")
_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(.*?)(?:\r?\n|^)---[ \t]*(?:\r?\n|$)", re.S | re.M)
_YAML_KEY = re.compile(r"^(title|date|outlet|source|url|link)[ \t]*:[ \t]*(.*?)[ \t]*$",
                       re.M | re.I)
# A front-matter line: "key: value", a list item, an indented continuation or a comment;
# a Markdown file that merely opens with a "---" rule has prose instead.
_YAML_LINE = re.compile(r"\s*$|\s*#|[\w-]+[ \t]*:(\s|$)|\s*- |\s+\S")
_RULE = re.compile(r"\s*([-*_=~])(\s*\1){2,}\s*")
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")


def read_text(data: bytes, path: str) -> Extracted:
    """A ``.txt``/``.md`` file's bytes as an article's text and metadata."""
    text = decode(data, path)
    if not text.strip():
        raise ArticleError(path, "empty file (nothing but whitespace)")
    fields, spans, pos = front_matter(text)
    title, date = fields.get("title", ""), written_date(fields.get("date", ""))
    head_title, head_date, head_spans, title_line = _head(text, pos)
    spans += head_spans + furniture_spans(text, keep=title_line)
    return Extracted(
        text=blank(text, spans), title=short_title(title or head_title), date=date or head_date,
        outlet=one_line(fields.get("outlet") or fields.get("source")),
        url=web_url(fields.get("url") or fields.get("link")))


def front_matter(text: str) -> tuple[dict[str, str], list[tuple[int, int]], int]:
    """The keys mapper reads from YAML front matter (lower case), the span to blank, and
    where the body starts (0 without front matter)."""
    fm = _FRONT_MATTER.match(text)
    if not fm or not all(_YAML_LINE.match(x) for x in fm.group(1).splitlines()):
        return {}, [], 0
    fields: dict[str, str] = {}
    for key, value in _YAML_KEY.findall(fm.group(1)):
        value = value.strip().strip("'\"").strip()
        if value:
            fields.setdefault(key.lower(), value)
    return fields, [(0, fm.end())], fm.end()


def _head(text: str, pos: int) -> tuple[str, dt.date | None, list[tuple[int, int]], int]:
    """Title and date from the first lines after ``pos``, the date lines' spans, and the
    offset where the title line starts (``len(text)`` when there is none)."""
    spans: list[tuple[int, int]] = []
    title, date, title_line, seen = "", None, len(text), 0
    for start, _, line in lines(text[pos:]):
        if not line.strip():
            continue
        seen += 1
        if seen > HEAD_LINES or (title and date):
            break
        start += pos
        if title:  # below it, only a date line counts: most lines are told by their start
            if line.lstrip()[:1] not in _DATE_INITIALS:
                continue
        # Skip "Advertisement" above the headline and Markdown rules ("---", "***").
        elif is_furniture(line) or _RULE.fullmatch(line):
            continue
        header = _DATE_HEADER.match(line) if seen == 1 or not title else None
        if header and (found := written_date(header.group(1))):
            date = date or found
            spans.append((start, start + header.end()))
            line = line[header.end():]
            if not line.strip():  # the date was a line of its own: the title comes next
                continue
        elif (labelled := _DATE_LINE.fullmatch(line)) and (found := written_date(
                labelled.group(1))):
            date = date or found
            spans.append((start, start + len(line)))
            continue
        if not title:
            heading = _HEADING.match(line)
            title = (heading.group(1) if heading else line).strip()
            title_line = start
    return title, date, spans, title_line
