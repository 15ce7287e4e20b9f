"""Names the gazetteer lacks: proper nouns that a cue word marks as places.

The geoparser only finds names its gazetteer knows. An online geocoder can resolve others,
but asking it about every capitalised word would be slow and wrong ("in Congress"). So a
candidate must be a capitalised proper noun of one to four words that a place cue marks:
"in X", "near X", "outside X", "the city of X", "X province", "X district"... and that is not
a month, a common English word, a name the gazetteer knows, or part of a mention found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from mapper import names
from mapper.models import Mention
from mapper.recognize import CALENDAR, is_common_word

#: Most words in a candidate name.
MAX_WORDS = 4

# A capitalised word with a lowercase letter (not an acronym): "Qala", "Sar-e", "O'Neill".
_WORD = r"[A-Z][^\W\d_]*[a-z][^\W\d_]*(?:['\u2019][^\W\d_]+)?"
_NAME = rf"{_WORD}(?:(?: |-){_WORD}){{0,{MAX_WORDS - 1}}}"
_BEFORE = (r"(?:\b(?:[Ii]n|[Nn]ear|[Oo]utside|[Aa]round|[Ii]nside)"
           r"|\b(?:city|town|village|province|district|region|county|valley) of)[ \t]+")
_AFTER = r"[ \t]+(?:[Pp]rovince|[Dd]istrict|[Vv]illage|[Cc]ounty|[Vv]alley|[Rr]egion)\b"
_CUE_BEFORE = re.compile(rf"{_BEFORE}(?P<name>{_NAME})")
_CUE_AFTER = re.compile(rf"(?P<name>{_NAME}){_AFTER}")

Span = tuple[int, int, str]


def unknown_names(text: str, mentions: Sequence[Mention],
                  known: Callable[[str], bool] | None = None) -> list[Span]:
    """Candidate place names in ``text`` that no mention covers: sorted (start, end, surface).

    Every occurrence of a name that a cue marks once is a candidate.

    ``known(key)`` tells whether the gazetteer has a name key (see :func:`mapper.names.key`);
    names it knows are left out, since the geoparser saw them and chose not to map them.
    """
    taken = sorted((m.start, m.end) for m in mentions)
    found: dict[tuple[int, int], str] = {}
    for pattern in (_CUE_BEFORE, _CUE_AFTER):
        for match in pattern.finditer(text):
            start, end = match.span("name")
            surface = text[start:end]
            if (start, end) in found or _overlaps(taken, start, end):
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
            if (start, end) not in found and not _overlaps(taken, start, end):
                found[(start, end)] = surface
    return sorted((s, e, surface) for (s, e), surface in found.items())


def _plausible(surface: str) -> bool:
    """Not a month or weekday, and not an ordinary English word that sentences capitalise."""
    words = re.split(r"[ -]", surface)
    first = words[0].lower()
    if first in CALENDAR or first in {"the", "a", "an"}:
        return False
    return not all(is_common_word(w.lower()) for w in words)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)
