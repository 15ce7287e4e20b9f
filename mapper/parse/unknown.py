"""Names the gazetteer lacks: proper nouns that a cue word marks as places.

The geoparser only finds names its gazetteer knows. An online geocoder can resolve others,
but asking it about every capitalised word would be slow and wrong ("in Congress"). So a
candidate must be a capitalised proper noun of one to four words that a place cue marks:
"in X", "near X", "outside X", "the city of X", "X province", "X district"... and that is not
a month, a common English word, a name the gazetteer knows, or part of a mention found.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from itertools import accumulate

from mapper.models import Mention
from mapper.parse import names
from mapper.parse.common_words import is_common_word
from mapper.parse.recognize import CALENDAR

#: Most words in a candidate name.
MAX_WORDS = 4

# A capitalised word with a lowercase letter (not an acronym): "Qala", "Sar-e", "O'Neill".
# Each run of letters is taken whole: a name never ends inside a word, and allowing it made
# the engine try every split of every capitalised word before a cue failed (most of the time).
_LETTERS = r"[^\W\d_]+(?![^\W\d_])"
_WORD = rf"[A-Z](?=[^\W\d_]*?[a-z]){_LETTERS}(?:['\u2019]{_LETTERS})?"
_NAME = rf"{_WORD}(?:(?: |-){_WORD}){{0,{MAX_WORDS - 1}}}"
_PREPOSITIONS = ("in", "near", "outside", "around", "inside")
_OF = ("city", "town", "village", "province", "district", "region", "county", "valley")


def _cue_words(words: Sequence[str]) -> str:
    r"""An alternation of ``words``, each at the start of a word.

    Each word is followed by a lookbehind, ``(?<!\w.{n})``, instead of being preceded by
    ``\b``: a pattern that opens with literal letters lets ``re`` skip to where they occur,
    which makes a pass over an article nearly twice as fast.
    """
    return "|".join(rf"{re.escape(w)}(?<!\w.{{{len(w)}}})" for w in words)


_CUES_BEFORE = [v for w in _PREPOSITIONS for v in (w.capitalize(), w)] + [f"{w} of" for w in _OF]
_BEFORE = rf"(?:{_cue_words(_CUES_BEFORE)})[ \t]+"
_AFTER = r"[ \t]+(?:[Pp]rovince|[Dd]istrict|[Vv]illage|[Cc]ounty|[Vv]alley|[Rr]egion)\b"
_CUE_BEFORE = re.compile(rf"{_BEFORE}(?P<name>{_NAME})")
_CUE_AFTER = re.compile(rf"(?P<name>{_NAME}){_AFTER}")

Span = tuple[int, int, str]


def unknown_names(text: str, mentions: Sequence[Mention],
                  known: Callable[[str], bool] | None = None) -> list[Span]:
    """Candidate place names in ``text`` that no mention covers: sorted (start, end, surface).

    Every occurrence of a name that a cue marks once is a candidate.

    ``known(key)`` tells whether the gazetteer has a name key (see :func:`mapper.parse.names.key`);
    names it knows are left out, since the geoparser saw them and chose not to map them.
    """
    overlaps = _overlap_test([(m.start, m.end) for m in mentions])
    found: dict[tuple[int, int], str] = {}
    for pattern in (_CUE_BEFORE, _CUE_AFTER):
        for match in pattern.finditer(text):
            start, end = match.span("name")
            surface = text[start:end]
            if (start, end) in found or overlaps(start, end):
                continue
            if not _plausible(surface):
                continue
            if known is not None and known(names.key(surface)):
                continue
            found[(start, end)] = surface
    # A name a cue marked once is the same place elsewhere in the article ("Residents of X").
    for surface in sorted(set(found.values())):
        for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?![\w-])", text):
            start, end = match.span()
            if (start, end) not in found and not overlaps(start, end):
                found[(start, end)] = surface
    return sorted((s, e, surface) for (s, e), surface in found.items())


def _plausible(surface: str) -> bool:
    """Not a month or weekday, and not an ordinary English word that sentences capitalise."""
    words = re.split(r"[ -]", surface)
    first = words[0].lower()
    if first in CALENDAR or first in {"the", "a", "an"}:
        return False
    return not all(is_common_word(w.lower()) for w in words)


def _overlap_test(spans: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """``overlaps(start, end)``: whether ``[start, end)`` overlaps one of ``spans``.

    The spans that start before ``end`` are a prefix of them sorted; one of those overlaps
    when the furthest end in that prefix lies after ``start``.
    """
    spans = sorted(spans)
    starts = [s for s, _ in spans]
    reach = list(accumulate((e for _, e in spans), max))

    def overlaps(start: int, end: int) -> bool:
        i = bisect_left(starts, end)
        return i > 0 and reach[i - 1] > start

    return overlaps
