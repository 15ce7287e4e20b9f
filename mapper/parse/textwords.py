"""The words of an article's text and where they stand: at the start of a line or a
sentence, in a headline, on a line set in title case. Capitalisation means less there."""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import NamedTuple

#: Titles and honorifics that start a person's name ("Mullah Omar", "General Dostum").
TITLES = frozenset(
    """Mr Mrs Ms Miss Dr Prof Professor Sir Dame Lord Lady Mullah Mulla Mawlavi Maulvi
    Mawlawi Maulana Sheikh Shaikh Sheik Imam Ayatollah Hajji Haji Qari Ustad Commander
    General Gen Lieutenant Lt Colonel Col Major Maj Captain Capt Sergeant Sgt Admiral Adm
    Marshal President Vice Premier Minister Chancellor Senator Sen Governor Gov Mayor
    Ambassador Envoy Secretary Judge Justice Bishop Pope Father Brother Sister Saint
    King Queen Prince Princess Emir Amir Sultan Rep Representative Spokesman
    Spokeswoman Chief Director Chairman Chairwoman Officer Agent Detective Coach
    """.split()
)
_WORD = re.compile(r"[^\W_]+")
#: Words, and the ampersand as the word "and" ("Trinidad & Tobago"), in a text that has one.
_WORD_OR_AMPERSAND = re.compile(r"[^\W_]+|&")
#: Share of a line's longer words that are capitalised in a title-case headline.
TITLECASE_SHARE = 0.85


class Word(NamedTuple):
    # A NamedTuple, not a frozen dataclass: one is made per word of every article, and a
    # tuple is built several times faster.
    start: int
    end: int
    folded: str
    cap: bool
    upper: bool


def split_words(text: str, folded: str) -> list[Word]:
    """The words of ``text`` (found in its folded form ``folded``, of the same length)."""
    out = []
    append = out.append
    for m in (_WORD_OR_AMPERSAND if "&" in folded else _WORD).finditer(folded):
        s, e = m.span()
        first = text[s]
        if first.islower():  # most words: neither capitalised nor in capitals
            append(_new(Word, (s, e, m.group(), False, False)))
        elif first == "&":
            append(_new(Word, (s, e, "and", False, False)))
        else:
            append(_new(Word, (s, e, m.group(), first.isupper() or first.isdigit(),
                                e - s > 1 and text[s:e].isupper())))
    return out


_new = tuple.__new__  # builds a Word without NamedTuple's Python-level __new__


def first_on_line(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k < 0 or text[k] == "\n"


#: The longest line that may be a headline.
HEADLINE_CHARS = 300


@lru_cache(maxsize=1024)
def mostly_capitals(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.9


NEWLINE_CHAR = re.compile("\n")


def line_start(text: str, pos: int, newlines: list[int]) -> int:
    """Offset of the line holding ``pos``; ``newlines`` are the text's newline offsets."""
    k = bisect.bisect_left(newlines, pos)
    return newlines[k - 1] + 1 if k else 0


def sentence_initial(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and text[k] in " \t\"'“‘(«*•-–—":
        k -= 1
    if k < 0 or text[k] in "\n!?:;":
        return True
    if text[k] != ".":
        return False
    # "Gen. Frank McKenzie", "J. Smith": a title's or an initial's dot ends no sentence.
    m = _WORD_BEFORE.search(text, max(0, k - 20), k)
    return not (m and (m.group() in TITLES or len(m.group()) == 1))


_WORD_BEFORE = re.compile(r"[^\W_]+$")


def titlecase_lines(text: str, words: list[Word]) -> dict[int, bool]:
    """For each line start: is the line a title-case headline ("Taliban Increase Attacks On
    Major Cities")? There, capitals say nothing about names."""
    counts: dict[int, list[int]] = {}
    line_start, next_nl = 0, text.find("\n")
    for w in words:
        while next_nl != -1 and w.start > next_nl:
            line_start, next_nl = next_nl + 1, text.find("\n", next_nl + 1)
        if w.end - w.start >= 4:
            c = counts.setdefault(line_start, [0, 0])
            c[0] += w.cap
            c[1] += 1
    return {ls: 3 <= total <= 20 and caps / total >= TITLECASE_SHARE
            for ls, (caps, total) in counts.items()}
