"""An article's text as the map embeds it, and each shown excerpt as offsets into it, both
as finished JSON fragments of the page's payload.

The page carries each article once: its whole text or, when the corpus is too large for
that, only the passages its shown excerpts quote, joined by :data:`GAP`. An excerpt that
quotes the article is sent as an offset and a length into that text, not as a second copy.
Offsets are converted from Python's code points to JavaScript's UTF-16 units, so
``String.slice`` finds the same text even when an article holds emoji or other characters
outside the BMP.

Both the article index (which keeps the fragments of what the map shows, and makes again
only those of the articles a build touched) and the in-memory renderer make them here, so
the two give the same page byte for byte.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from typing import Any

#: ``json.dumps`` output is safe inside ``<script>`` once these can no longer close the tag,
#: open a comment or start an entity; the escapes are valid JSON, so the text round-trips.
#: (Chained ``str.replace``, which runs in C, rather than ``str.translate`` with a dict,
#: which looks every character up in Python.)
_SCRIPT_ESCAPES = (
    ("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
#: Characters outside the BMP: each is two UTF-16 units in JavaScript.
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
#: Joins the kept passages of an article in excerpt-only mode.
GAP = "\n[\u2026]\n"

#: ``(start, end)`` spans of a mark in an excerpt, relative to the excerpt's text.
Marks = Sequence[tuple[int, int]]


def script_json(value: Any) -> str:
    """``value`` as JSON that can sit inside a ``<script>`` element (deterministic).

    Escaping is per character and only touches characters inside strings, so pieces
    escaped apart and joined equal the whole escaped at once."""
    # allow_nan=False: NaN is not JSON, and JSON.parse would refuse the whole payload.
    text = json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
    )
    for char, escape in _SCRIPT_ESCAPES:
        if char in text:
            text = text.replace(char, escape)
    return text


def bmp_only(text: str) -> bool:
    """Whether every character of ``text`` is one UTF-16 unit (none outside the BMP): one
    C pass, cheaper than the regex even on short non-ASCII passages."""
    return text.isascii() or len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text)


class Utf16:
    """Converts code-point offsets in one string to UTF-16 offsets."""

    def __init__(self, text: str) -> None:
        # A regex scan in C, not a Python loop over every character. A BMP-only text has
        # nothing to find.
        self._astral = [] if bmp_only(text) else [m.start() for m in _ASTRAL.finditer(text)]

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self._astral, offset) if self._astral else offset


def merge(pieces: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
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


class Document:
    """The text of one article as embedded in the page, and offsets into it.

    With ``pieces`` (excerpt-only mode: ``(article offset, text)`` of the passages the shown
    excerpts quote) the document is their union, joined by :data:`GAP`; offsets are mapped
    from the article to the document. The article's whole text is not needed for that.
    """

    def __init__(self, text: str, pieces: Sequence[tuple[int, str]] | None = None) -> None:
        self._starts: list[int] = []  # article offset where each kept piece starts
        self._bases: list[int] = []  # document offset of that piece
        if pieces is None:
            self.text = text
        else:
            parts: list[str] = []
            length = 0
            for start, piece in merge(pieces):
                if parts:
                    parts.append(GAP)
                    length += len(GAP)
                self._starts.append(start)
                self._bases.append(length)
                parts.append(piece)
                length += len(piece)
            self.text = "".join(parts)
        self._utf16 = Utf16(self.text)
        self.partial = pieces is not None

    def offset(self, article_offset: int) -> int:
        """The UTF-16 offset in the document of a code-point offset in the article."""
        if self.partial:
            k = max(bisect.bisect_right(self._starts, article_offset) - 1, 0)
            article_offset = self._bases[k] + article_offset - self._starts[k]
        return self._utf16(article_offset)


def clipped(marks: Marks, length: int) -> list[tuple[int, int]]:
    """``marks`` clipped to an excerpt of ``length`` characters, sorted, without overlaps."""
    if len(marks) == 1:  # most excerpts: one mention of the place
        (start, stop), = marks
        start, stop = max(start, 0), min(stop, length)
        return [(start, stop)] if start < stop else []
    spans, end = [], 0
    for start, stop in sorted(marks):
        start, stop = max(start, end), min(stop, length)
        if start < stop:
            spans.append((start, stop))
            end = stop
    return spans


def excerpt_fragment(doc: Document | None, start: int, text: str, marks: Marks) -> str:
    """The JSON of an excerpt's ``base, body, marks`` (its row in the payload without the
    place and article in front): with ``doc``, the document of the article it quotes, an
    offset into it and a length; without, ``-1`` and the excerpt's own text."""
    spans = clipped(marks, len(text))
    if doc is None:
        base: int = -1
        conv = Utf16(text)
        body: str | int = text
        flat = [conv(x) for span in spans for x in span]
    else:
        # The document holds the excerpt's text in one run, so offsets inside it are the
        # excerpt's own.
        base = doc.offset(start)
        if bmp_only(text):
            body, flat = len(text), [x for span in spans for x in span]
        else:
            conv = Utf16(text)
            body, flat = conv(len(text)), [conv(x) for span in spans for x in span]
    return script_json([base, body, flat])[1:-1]


def article_fragment(article_id: str, title: str, date: str | None, doc: Document,
                     outlet: str = "", url: str = "", pages: Sequence[int] = ()) -> str:
    """The JSON of an article's row in the payload: id, title, ISO date, embedded text, and
    when the article has them its outlet, original URL and (a PDF embedded whole) the
    offsets in the text where its pages start."""
    starts = [doc.offset(p) for p in pages] if pages and not doc.partial else []
    extra = [outlet, url, starts] if starts else [outlet, url] if outlet or url else []
    return script_json([article_id, title, date, doc.text, *extra])
