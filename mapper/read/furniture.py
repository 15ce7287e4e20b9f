"""Page furniture: the lines of a saved web page that are not the article.

Share buttons, paywall notes, photo credits and "Next Story" links name no places the
article is about, yet a geoparser would find "Belfast" in an author bio or "Afghanistan" in a
newsletter teaser. :func:`furniture_spans` finds such lines so that :mod:`mapper.read.corpus` can
overwrite them with spaces.

The rules are data (the tuples below) so that adding a phrase is a one-line change. They are
deliberately conservative: a line is furniture only when the *whole line* matches, and long
lines (real paragraphs) are never furniture.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

#: Whole lines (compared case-insensitively, bullet and trailing punctuation removed).
PHRASES: tuple[str, ...] = (
    "next story",
    "previous story",
    "next article",
    "previous article",
    "share",
    "share it",
    "share this",
    "share this article",
    "share this story",
    "share on facebook",
    "share on twitter",
    "share via email",
    "tweet",
    "email",
    "print",
    "advertisement",
    "sponsored",
    "sponsored content",
    "story continues below",
    "story continues below advertisement",
    "scroll to continue with content",
    "read more",
    "read also",
    "also read",
    "see also",
    "related",
    "related stories",
    "related articles",
    "related content",
    "recommended",
    "most read",
    "trending",
    "you are reading a free article",
    "subscribe",
    "subscribe now",
    "subscribe today",
    "sign in",
    "log in",
    "sign up",
    "register",
    "already a subscriber? log in",
    "already a subscriber? sign in",
    "accept cookies",
    "accept all cookies",
    "comments",
    "leave a comment",
    "follow us",
    "click here",
    "all rights reserved",
)

#: Regular expressions matched against the whole line (bullet removed). Case-insensitive.
PATTERNS: tuple[str, ...] = (
    # Paywall and newsletter pitches.
    r"subscribe\b.{0,100}",
    r"sign up\b.{0,80}\b(newsletter|updates|alerts|briefing)\b.{0,60}",
    r"(get|receive) (our|the) .{0,40}newsletter.{0,60}",
    r"you (have|'ve) (\d+|one|two|three) free (articles?|stories) (left|remaining).{0,40}",
    r"already (a subscriber|have an account)\b.{0,60}",
    # Social links.
    r"(share|follow us|follow|like us|join us) (on|via) [\w ,&/]{2,60}",
    r"follow (us|@\w+)\b.{0,60}",
    # Link teasers.
    r"(read more|read also|also read|see also|related|more on this)\s*(:|»|>|\||-).{0,150}",
    r"more (by|from) [A-Z][\w.'\u2019-]*( [A-Z][\w.'\u2019-]*){0,3}",
    r"click here\b.{0,100}",
    # Cookie notices.
    r"(we use cookies|this (web)?site uses cookies|by (continuing|using)\b.{0,40}"
    r"\b(cookies|site|website)\b).{0,400}",
    # Photo credits and captions.
    r"(©|\(c\)|copyright\s*(©|\(c\)|\d{4})).{0,120}",
    r"(photo|photos|image|picture|photograph|credit|file photo|caption|video)\s*:.{0,200}",
    r"(reuters|ap|afp|epa|getty images|ap photo)\s*/\s*[\w .'\u2019-]{2,60}",
    r"illustration of .{0,200}\([^()]{2,80}\)",
    r".{0,200}\((wikimedia commons|getty images|shutterstock)(/[^()]{0,60})?\)",
    r".{0,200}[.!?]\s*\((reuters|ap|afp|epa|ap photo|file)(/[^()]{0,60})?\)",
)

#: Lines that open a paywall: the bullet list after them is part of it.
PAYWALL_OPENERS: tuple[str, ...] = (
    r"subscribe\b.{0,100}",
    r"you are reading a free article",
    r"you (have|'ve) .{0,20} free (articles?|stories).{0,40}",
)

#: Lines longer than this are paragraphs, never furniture (cookie notices are the longest).
MAX_LINE = 450

_BULLET = re.compile(r"^[\s\u2022\u00b7\u25aa\u25cf\u2023\u2043*\-\u2013\u2014>|]+")
_BULLET_LINE = re.compile(r"^\s*[\u2022\u00b7\u25aa\u25cf\u2023\u2043*\-\u2013\u2014]\s")
_TRAIL = re.compile(r"[\s.:!?\u2026>»|]+$")
_PHRASES = frozenset(PHRASES)
_PATTERN = re.compile("|".join(f"(?:{p})" for p in PATTERNS), re.IGNORECASE)
_OPENER = re.compile("|".join(f"(?:{p})" for p in PAYWALL_OPENERS), re.IGNORECASE)
# "More By <Name>" needs a capitalised name: matched case-sensitively on its own.
_MORE_BY = re.compile(r"More (By|From|by|from) [A-Z][\w.'\u2019-]*( [A-Z][\w.'\u2019-]*){0,3}")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _core(line: str) -> str:
    """The line without bullets and surrounding whitespace."""
    return _BULLET.sub("", line).strip()


def is_furniture(line: str) -> bool:
    """True when the whole ``line`` is page furniture (see :data:`PHRASES`, :data:`PATTERNS`)."""
    core = _core(line)
    if not core or len(core) > MAX_LINE:
        return False
    if _TRAIL.sub("", core).lower() in _PHRASES:
        return True
    if core[:4].lower() == "more":
        return _MORE_BY.fullmatch(core) is not None
    return _PATTERN.fullmatch(core) is not None


def _opens_paywall(line: str) -> bool:
    core = _core(line)
    return len(core) <= MAX_LINE and _OPENER.fullmatch(_TRAIL.sub("", core)) is not None


def lines(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, line)`` for each line of ``text``; ``end`` excludes the line break."""
    for m in _LINES.finditer(text):
        raw = m.group()
        body = raw.rstrip("\r\n")
        yield m.start(), m.start() + len(body), body


def furniture_spans(text: str, keep: int = -1) -> list[tuple[int, int]]:
    """Spans of ``text`` that are furniture lines, in order.

    The line starting at offset ``keep`` (the title) is kept. After a paywall opener
    ("Subscribe to ...", "You are reading a free article") the bullet lines that follow are
    furniture too: in saved pages they are the paywall's selling points and the author bio.
    """
    spans: list[tuple[int, int]] = []
    in_paywall = False
    for start, end, line in lines(text):
        if start == keep:
            continue
        if not line.strip():
            continue
        if is_furniture(line):
            spans.append((start, end))
            in_paywall = in_paywall or _opens_paywall(line)
        elif in_paywall and _BULLET_LINE.match(line):
            spans.append((start, end))
        else:
            in_paywall = False
    return spans
