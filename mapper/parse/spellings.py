"""Transliteration variants of a country's place names: "Laschkar Gah", "Schiberghan",
"Taluqan", "Zarandj".

Names written in another script reach news in many Latin spellings, most of which GeoNames
lacks. When an article is about such a country and a capitalised word the gazetteer does not
know sounds like one of that country's towns, districts or provinces, it is that place. The
sound is a key that drops what spellings vary in: German "sch" for "sh", "q" for "k",
doubled letters, the vowels after the first letter, "-e-"/"-i-" connectors.

Tried only where the exact name is unknown and only for the article's own country, so a
key needs to be unique among that country's places, not the world's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mapper.parse import names

if TYPE_CHECKING:
    from mapper.parse.gazetteer import Gazetteer

#: Countries whose place names are transliterated from another script.
TRANSLITERATED = frozenset(
    """AF PK IR IQ SY LB JO SA YE EG LY SD SS SO DJ ER ET DZ MA TN MR OM AE QA KW BH PS IL
    RU UA BY KZ UZ TJ TM KG MN GE AM AZ IN BD NP LK MM TH LA KH CN TW JP KR KP GR BG RS MK
    """.split()
)
#: A key this short matches too much.
MIN_KEY = 4
#: How much of the article's mentions its country must have.
FOCUS_SHARE = 0.5
FOCUS_MENTIONS = 2
#: Smallest town worth a sound-alike match.
MIN_POPULATION = 5_000
#: What starts a sound key in the gazetteer's name index.
PREFIX = "~"

_RULES = [("tsch", "ch"), ("dsch", "j"), ("sch", "sh"), ("dj", "j"), ("dzh", "j"),
          ("kh", "h"), ("gh", "g"), ("ph", "f"), ("ck", "k"), ("q", "k"), ("c", "k"),
          ("w", "v"), ("y", "i"), ("ou", "u"), ("oo", "u"), ("ee", "i")]
_DOUBLE = re.compile(r"(.)\1+")
_VOWELS = re.compile(r"(?<!^)[aeiou]")
# A capitalised word, or two joined by a space or hyphen ("Laschkar Gah", "Qala-i-Naw").
_CANDIDATE = re.compile(r"\b[A-Z][a-z]{2,}(?:(?:-[a-z]{1,2})?[- ][A-Z][a-z]{2,})?\b")


_ASCII_SPLIT = re.compile(r"[^a-z]+")


def sound_key(name: str) -> str:
    """The spelling-free key of a name ("Schiberghan" and "Sheberghan" share one)."""
    ws = _ASCII_SPLIT.split(name.lower()) if name.isascii() else names.words(name)
    ws = [w for w in ws if w]
    ws = [w for i, w in enumerate(ws) if i == 0 or w not in names.CONNECTORS]
    s = "".join(ws)
    for a, b in _RULES:
        s = s.replace(a, b)
    return _VOWELS.sub("", _DOUBLE.sub(r"\1", s))


@dataclass(frozen=True)
class Variant:
    """A spelling the gazetteer lacks and the place it sounds like."""

    start: int
    end: int
    place_id: int


def focus_country(countries: list[str]) -> str | None:
    """The country most of an article's mentions are in, if it is transliterated."""
    counts = Counter(c for c in countries if c)
    if not counts:
        return None
    cc, n = counts.most_common(1)[0]
    if cc in TRANSLITERATED and n >= FOCUS_MENTIONS and n / len(countries) >= FOCUS_SHARE:
        return cc
    return None


def indexed(kind: str, country: str, population: int) -> bool:
    """Whether the gazetteer build indexes a place's sound key."""
    return country in TRANSLITERATED and (
        kind in ("admin1", "admin2") or (kind == "city" and population >= MIN_POPULATION))


def variants(text: str, country: str, taken: list[tuple[int, int]], gaz: Gazetteer,
             is_word: Callable[[str], bool]) -> list[Variant]:
    """Capitalised words outside ``taken`` spans that sound like a place of ``country``.

    ``is_word(word)`` tells a common word or first name, never tried."""
    out = []
    for m in _CANDIDATE.finditer(text):
        start, end = m.span()
        surface = m.group()
        before = text[max(0, start - 30):start].rstrip()
        if before[-1:].isalpha() and before.split()[-1][:1].isupper():
            continue  # "Hamid Karzai": the end of a name that began before
        if is_word(surface.split()[0].split("-")[0].lower()) or any(
                s < end and start < e for s, e in taken):
            continue
        key = sound_key(surface)
        pid = _place(gaz, key, country) if len(key) >= MIN_KEY else None
        if pid is None or gaz.has_key(names.key(surface)):
            continue
        if _SPEECH.match(text, end) or re.search(rf"[A-Z][a-z]+ {re.escape(surface)}\b", text):
            continue  # "Peskov said", "Dmitry Peskov": a person's name
        out.append(Variant(start, end, pid))
    return out


_SPEECH = re.compile(r"[ \t]+(?:said|says|told|added|asked|wrote)\b")


def _place(gaz: Gazetteer, key: str, country: str) -> int | None:
    """The place of ``country`` that ``key`` sounds like: the most populous town, else the
    only province or district."""
    cands = [c.place_id for c in gaz.candidates_for_key(PREFIX + key)
             if gaz.country(c.place_id) == country]
    towns = [p for p in cands if gaz.kind(p) == "city"]
    if towns:
        return max(towns, key=lambda p: (gaz.population(p), -p))
    return cands[0] if len(cands) == 1 else None
