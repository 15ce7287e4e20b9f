"""Name normalisation shared by the gazetteer build and the geoparser.

Two functions matter:

* :func:`fold` lowercases text and strips diacritics *without changing its length*, so an
  offset into the folded text is an offset into the original.
* :func:`key` turns a name (or a run of words from an article) into the lookup key of the
  name index: folded, split into words, transliteration connectors dropped, words joined
  with nothing, so "Lashkar Gāh", "Lashkargah" and "LASHKAR-GAH" share one key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Characters whose folded form is a different single character. Built once for the Latin
# blocks; everything else is only lowercased.
_PUNCT = {
    "\u2019": "'",  # right single quote, the usual apostrophe in news text
    "\u2018": "'",
    "\u02bc": "'",
    "\u02bb": "'",
    "`": "'",
    "\u00b4": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u00a0": " ",
}


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
        ).lower()
        if len(base) == 1 and base != ch:
            table[cp] = base
    # Letters NFKD leaves alone but news spells in ASCII.
    for ch, ascii_ in {"ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ı": "i",
                       "ħ": "h", "Ħ": "h", "ŧ": "t", "Ŧ": "t", "ð": "d", "Ð": "d", "þ": "t",
                       "Þ": "t", "ƒ": "f", "ſ": "s"}.items():
        table[ord(ch)] = ascii_
    for ch, repl in _PUNCT.items():
        table[ord(ch)] = repl
    return table


_TABLE = _build_table()


def fold(text: str) -> str:
    """Lowercase ``text`` and strip diacritics, keeping its length.

    >>> fold("Herāt’s Lashkar Gāh")
    "herat's lashkar gah"
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters (e.g. "İ") lowercase to two; fold those one by one.
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered.translate(_TABLE)


_WORD = re.compile(r"[^\W_]+", re.UNICODE)

#: Connectors of Persian/Arabic transliterations that spellings keep or drop at will:
#: "Mazar-i-Sharif" / "Mazar-e Sharif" / "Mazar Sharif", "Qala-e-Naw" / "Qala i Naw".
CONNECTORS = frozenset({"e", "i", "y", "ye", "yi"})

#: Arabic article forms: "Ar Raqqah" is also written "Raqqa".
ARTICLES = frozenset({"al", "el", "ar", "ad", "as", "an", "at", "az", "ash", "ath", "adh"})


def words(name: str) -> list[str]:
    """The folded words of ``name``."""
    return _WORD.findall(fold(name))


def key_of_words(ws: list[str]) -> str:
    """The index key of an already folded word list (see :func:`key`)."""
    if len(ws) > 2:
        ws = [ws[0], *(w for w in ws[1:-1] if w not in CONNECTORS), ws[-1]]
    return "".join(ws)


def key(name: str) -> str:
    """The name-index key of ``name``.

    >>> key("Lashkar Gāh") == key("Lashkargah") == key("LASHKAR-GAH")
    True
    >>> key("Mazar-i-Sharif") == key("Mazar-e Sharif") == key("Mazar Sharif")
    True
    """
    return key_of_words(words(name))


@cache
def variants(name: str) -> tuple[str, ...]:
    """Spellings of ``name`` worth indexing besides itself (used when building the index).

    Drops a leading Arabic article ("Ar Raqqah" -> "Raqqah") and a parenthesised part
    ("Kandahar (city)" -> "Kandahar").
    """
    out = [name]
    stripped = re.sub(r"\s*\([^)]*\)\s*", " ", name).strip()
    if stripped and stripped != name:
        out.append(stripped)
    ws = words(stripped)
    if len(ws) > 1 and ws[0] in ARTICLES:
        rest = re.split(r"[\s\-\u2010-\u2014]+", stripped, maxsplit=1)
        if len(rest) == 2:
            out.append(rest[1])
    return tuple(dict.fromkeys(out))


def is_latin(name: str) -> bool:
    """True when every letter of ``name`` is in a Latin block (worth indexing for news text)."""
    return all(
        ord(c) < 0x250 or 0x1E00 <= ord(c) < 0x1F00 or not c.isalpha() for c in name
    )
