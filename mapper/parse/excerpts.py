"""Mentions -> excerpts: the sentences of an article that name a place, with the name marked.

Sentences come from a small rule splitter (:func:`_split_chunk`) that knows titles ("Gen."),
abbreviations ("U.S.", "Aug."), initials ("George J. Mitchell"), quotes and "strategy.This".
Libraries made for the job were measured (docs/architecture.md) and were too slow for the
pipeline's budget or ship an x86-only native library. The splitter runs only on the
paragraphs that hold a mention, once per paragraph. Sentences never cross a paragraph: a
blank line, which includes a furniture line that :mod:`mapper.read.corpus` overwrote with
spaces.

Inside a paragraph a single line break also ends a sentence (titles, captions and exports
with one paragraph per line have no blank lines), unless the paragraph looks hard-wrapped:
three or more lines, all but the last between 40 and 100 characters.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from mapper.models import Article, Excerpt, Mention

#: A sentence shorter than this is widened to a neighbour in its paragraph.
MIN_CHARS = 60
#: An excerpt is a sentence, but no longer than this: a "sentence" of a 5 MB line with no
#: full stop is cut to a window of WINDOW characters either side of the mention.
MAX_CHARS = 1200
WINDOW = 240

# A paragraph break: a line break, then one or more lines of nothing but spaces.
_BREAK = re.compile(r"(?:\r\n|\r|\n)(?:[^\S\r\n]*(?:\r\n|\r|\n))+")
_NEWLINE = re.compile(r"\r\n|\r|\n")

#: Abbreviations that never end a sentence: a name follows.
_TITLES = (
    "mr mrs ms mx dr prof gen gens lt col maj capt cpt sgt cpl pvt adm cmdr brig gov sen rep "
    "rev fr st mt ft sec pres amb hon supt insp det atty rt sheikh"
)
TITLES = frozenset(_TITLES.split())
#: Abbreviations that may end a sentence: split after them only before a sentence starter.
_ABBREVIATIONS = (
    "jan feb mar apr jun jul aug sep sept oct nov dec inc corp co ltd bros jr sr no nos vol "
    "vs approx est fig ave blvd rd dept univ calif ont qld mass conn ariz fla wash pa va "
    "al op cf"
)
ABBREVIATIONS = frozenset(_ABBREVIATIONS.split())
#: Capitalised words that start sentences but rarely follow "U.S." or an initial in one.
_STARTERS = (
    "the a an but and or so yet in on at for as if when while after before since during "
    "there this that these those it its he she they we i you his her their our my however "
    "meanwhile still also then now some many most one no not what why how who where "
    "according despite although though with without from by to under instead earlier "
    "later last next other another such both each all"
)
STARTERS = frozenset(_STARTERS.split())
# End punctuation, closing quotes, then space (or, after a lowercase word, no space before
# a capitalised word: "strategy.This"), then the next word after any opening quotes.
_CANDIDATE = re.compile(
    r"(?P<punct>[.!?\u2026]+)[\"'\u201d\u2019)\]]*"
    r"(?:\s+|(?<=[a-z][a-z][.!?])(?=[A-Z][a-z]))"
    r"(?=[\"'\u201c\u2018(\[]*(?P<next>\w+))"
)
# "u.s", "p.m", "e.g" (the final period is the candidate's) or a single letter: "j".
_ACRONYM = re.compile(r"(?:\w\.)*\w")

Span = tuple[int, int]


def excerpts_for(article: Article, mentions: Sequence[Mention]) -> list[Excerpt]:
    """The excerpts of ``article`` for ``mentions``, ordered by position then place key.

    One excerpt per place and sentence (or run of overlapping widened sentences), however
    many mentions it holds; every mention of the place in it is in ``marks``.

    Raises ``ValueError`` for a mention outside the text.
    """
    text = article.text
    splitter = _Sentences(text)
    units: dict[str, list[tuple[int, int, int, int]]] = {}
    for m in sorted(mentions, key=lambda m: (m.start, m.end)):
        if not 0 <= m.start <= m.end <= len(text):
            raise ValueError(
                f"mention {m.surface!r} at {m.start}:{m.end} is outside article "
                f"{article.id!r} of {len(text)} characters"
            )
        a, b = splitter.unit(m.start, m.end)
        units.setdefault(m.place.key, []).append((a, b, m.start, m.end))

    out: list[Excerpt] = []
    for key, items in units.items():
        for a, b, marks in _merge(items):
            out.append(
                Excerpt(
                    article_id=article.id,
                    place_key=key,
                    start=a,
                    text=text[a:b],
                    marks=tuple((s - a, e - a) for s, e in marks),
                )
            )
    out.sort(key=lambda x: (x.start, x.place_key))
    return out


def sentences(text: str) -> list[Span]:
    """All sentence spans of ``text`` (stripped of surrounding whitespace), in order."""
    splitter = _Sentences(text)
    return [s for para in splitter.paragraphs for s in splitter.in_paragraph(para)]


def _merge(items: list[tuple[int, int, int, int]]) -> list[tuple[int, int, list[Span]]]:
    """Merge overlapping excerpt spans of one place, collecting the mention spans; a merge
    that would pass MAX_CHARS (windows cut from one giant sentence) starts a new excerpt."""
    merged: list[tuple[int, int, list[Span]]] = []
    seen: set[Span] = set()  # the marks of the last excerpt, for O(1) duplicate checks
    for a, b, s, e in sorted(items):
        if merged and a < merged[-1][1] and max(merged[-1][1], b) - merged[-1][0] <= max(
                MAX_CHARS, merged[-1][1] - merged[-1][0], b - a):
            pa, pb, marks = merged[-1]
            merged[-1] = (pa, max(pb, b), marks)
        elif merged and (a, b) == merged[-1][:2]:  # empty mentions share an empty span
            pass
        else:
            merged.append((a, b, []))
            seen = set()
        if (s, e) not in seen:
            seen.add((s, e))
            merged[-1][2].append((s, e))
    return merged


class _Sentences:
    """Sentence spans of one text, computed per paragraph on demand and cached."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.paragraphs = _paragraphs(text)
        self._starts = [p[0] for p in self.paragraphs]
        # paragraph index -> (sentence spans, their starts for bisecting)
        self._cache: dict[int, tuple[list[Span], list[int]]] = {}

    def in_paragraph(self, para: Span) -> list[Span]:
        return self._split(bisect.bisect_left(self._starts, para[0]))[0]

    def _split(self, i: int) -> tuple[list[Span], list[int]]:
        found = self._cache.get(i)
        if found is None:
            spans = _split_paragraph(self.text, *self.paragraphs[i])
            found = self._cache[i] = (spans, [s for s, _ in spans])
        return found

    def unit(self, start: int, end: int) -> Span:
        """The excerpt span for a mention: its sentence(s), widened when short."""
        spans = self._around(start, end)
        if not spans:  # a mention in whitespace: the mention is its own excerpt
            return start, end
        a, b = spans[0][1][0], spans[-1][1][1]
        if b - a < MIN_CHARS and len(spans) == 1:
            a, b = self._widen(*spans[0])
        if b - a > MAX_CHARS:
            a, b = self._window(a, b, start, end)
        return min(a, start), max(b, end)

    def _window(self, a: int, b: int, start: int, end: int) -> Span:
        """WINDOW characters either side of the mention, cut at spaces, inside ``a:b``."""
        lo, hi = max(a, start - WINDOW), min(b, end + WINDOW)
        space = self.text.find(" ", lo, start)
        if lo > a and space != -1:
            lo = space + 1
        space = self.text.rfind(" ", end, hi)
        if hi < b and space != -1:
            hi = space
        return lo, hi

    def _around(self, start: int, end: int) -> list[tuple[tuple[int, int], Span]]:
        """``((paragraph, sentence index), span)`` of the sentences overlapping the mention.

        An empty mention (``start == end``) is "in" the sentence that holds or ends at it.
        """
        out: list[tuple[tuple[int, int], Span]] = []
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        while i < len(self.paragraphs):
            if self.paragraphs[i][0] > end or (self.paragraphs[i][0] == end and end > start):
                break
            spans, starts = self._split(i)
            k = max(bisect.bisect_right(starts, start) - 1, 0)
            while k < len(spans):
                s, e = spans[k]
                if s > end or (s == end and end > start):
                    break
                if (s < end and start < e) or s <= start < e or start == end == e:
                    out.append(((i, k), (s, e)))
                k += 1
            i += 1
        return out

    def _widen(self, where: tuple[int, int], span: Span) -> Span:
        """Join a short sentence to the previous one in its paragraph, else to the next."""
        i, k = where
        sents = self._split(i)[0]
        a, b = span
        if k > 0:
            a = sents[k - 1][0]
        if b - a < MIN_CHARS and k + 1 < len(sents):
            b = sents[k + 1][1]
        return a, b


def _paragraphs(text: str) -> list[Span]:
    """Spans of the paragraphs of ``text`` (runs of non-blank lines), stripped."""
    out: list[Span] = []
    pos = 0
    for m in _BREAK.finditer(text):
        out.extend(_stripped(text, pos, m.start()))
        pos = m.end()
    out.extend(_stripped(text, pos, len(text)))
    return out


def _stripped(text: str, a: int, b: int) -> list[Span]:
    """``[(a', b')]``: the span without surrounding whitespace, or ``[]`` if blank."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return [(a, b)] if a < b else []


def _split_paragraph(text: str, a: int, b: int) -> list[Span]:
    """Sentence spans of the paragraph ``text[a:b]``: by line if lines are units, then syntok."""
    para = text[a:b]
    lines: list[Span] = []
    pos = 0
    for m in _NEWLINE.finditer(para):
        lines.append((pos, m.start()))
        pos = m.end()
    lines.append((pos, len(para)))
    chunks = [(0, len(para))] if _hard_wrapped(lines) else lines
    out: list[Span] = []
    for ca, cb in chunks:
        for s, e in _split_chunk(para[ca:cb]):
            out.extend(_stripped(text, a + ca + s, a + ca + e))
    return out


def _hard_wrapped(lines: list[Span]) -> bool:
    if len(lines) < 3:
        return False
    return all(40 <= e - s <= 100 for s, e in lines[:-1])


def _split_chunk(chunk: str) -> list[Span]:
    """Sentence spans of ``chunk``: each runs to the next sentence's first character."""
    starts = [0]
    for m in _CANDIDATE.finditer(chunk):
        if _is_boundary(chunk, m):
            starts.append(m.end())
    ends = starts[1:] + [len(chunk)]
    return [(s, e) for s, e in zip(starts, ends, strict=True) if s < e]


def _is_boundary(chunk: str, m: re.Match[str]) -> bool:
    """Whether the candidate ``m`` (end punctuation, space, capital) ends a sentence."""
    nxt = m.group("next")
    if not nxt[0].isupper():
        return False  # '"Really?" she asked' goes on
    if m.group("punct") != ".":
        return True  # "?", "!", "..."
    # The word before the period, without opening quotes or brackets.
    before = chunk[max(0, m.start("punct") - 40) : m.start("punct")].rsplit(None, 1)
    word = before[-1].lstrip("\"'\u201c\u2018([").lower() if before else ""
    if word in TITLES:
        return False  # "Gen. Frank McKenzie"
    if word in ABBREVIATIONS or _ACRONYM.fullmatch(word):
        # "U.S. backing" / "in the U.S. The talks", "George J. Mitchell", "Aug. 30"
        return nxt.lower() in STARTERS
    return True
