"""What the words around a name say of it: the kind of place a cue word asks for ("Herat
province", "the city of Kandahar", "states such as Utah and Idaho", "the Elbe burst its
banks"), and whether an all-caps name stands in a dateline or a headline, where capitals
say nothing."""

from __future__ import annotations

import re

from mapper.parse.textwords import HEADLINE_CHARS, first_on_line, mostly_capitals

_CUE_AFTER = re.compile(r"[ \t]+(province|district|city|town|county|state|region|river|"
                        r"valley|National Guard|oblast|krai|governorate|prefecture|"
                        r"voivodeship|raion|rayon)\b", re.IGNORECASE)
_CUE_BEFORE = re.compile(r"\b(province|district|city|town|county|state|region) of[ \t]+$",
                         re.IGNORECASE)
#: "states such as Utah, Colorado and X": a list that a kind word heads.
_CUE_LIST = re.compile(
    r"\b(states|provinces|regions|counties|districts|cities|towns) (?:such as|like|including)"
    r"[ \t]+(?:[A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*)*(?:,? (?:and|or) |, ))*$")
_LIST_BEFORE = (" as ", " like ", " including ", " and ", " or ", ", ")
#: How far before a name the head of its list is looked for.
CUE_LIST_CHARS = 100
CUE_KIND = {"province": "admin1", "state": "admin1", "region": "admin1",
             "district": "admin2", "county": "admin2", "city": "city", "town": "city",
             "river": "river", "valley": "feature",
             "national guard": "admin1", "oblast": "admin1", "krai": "admin1",
             "governorate": "admin1", "prefecture": "admin1", "voivodeship": "admin1",
             "raion": "admin2", "rayon": "admin2"}
# ("the Georgia National Guard": only US states have one.)
# Words that put "the X" in a river's context: "the Elbe burst its banks".
_RIVER_CONTEXT = re.compile(r"\b(?:rivers?|riverbanks?|banks|flows?|flowed|flowing|upstream|"
                            r"downstream|tributar(?:y|ies)|estuary|delta|water levels?|"
                            r"burst|navigable|barges?)\b", re.IGNORECASE)
#: How far around "the X" a river word is looked for (about a sentence).
RIVER_CONTEXT_CHARS = 80
# "JAKARTA -", "KABUL, Afghanistan (AP) —", "WASHINGTON, April 5 (Thomson Reuters) -".
# The dash may be "--", an en or em dash, or what is left of Windows-1252's en dash byte
# (0x96) when it was read as Latin-1 (U+0096) or as broken UTF-8 (U+FFFD).
_DATELINE = re.compile(r"[ \t]*(,[ \t]*[\w .,]{1,40}?)?[ \t]*(\([^()\n]{1,40}\))?[ \t]*"
                       r"(?:([-\u2013\u2014\u0096\ufffd])|[:\"\u201c])")
# "LONDON The Latest on...", "SAN ANTONIO Turner Sports": a capitals-only place that starts
# a line and runs straight into a sentence.
_DATELINE_BARE = re.compile(r"[ \t]+[A-Z][a-z]")


def cue(text: str, start: int, end: int) -> str | None:
    """The kind of place the words around ``text[start:end]`` ask for: "admin1" ("X
    province", "the state of X", "states such as Utah and X"), "admin2", "city", "river"
    ("River X", "the X burst its banks"), "feature" ("X valley"), or None."""
    m = _CUE_AFTER.match(text, end)
    if m:
        return CUE_KIND[m.group(1).lower()]
    m = _CUE_BEFORE.search(text, max(0, start - 20), start)
    if m:
        return CUE_KIND[m.group(1).lower()]
    if text[max(0, start - 10):start].endswith(_LIST_BEFORE):
        m = _CUE_LIST.search(text[max(0, start - CUE_LIST_CHARS):start])
        if m:
            return CUE_KIND[m.group(1)[:-1].replace("ie", "y")]
    if text[max(0, start - 6):start].lower() == "river ":
        return "river"
    if text[max(0, start - 4):start].lower() == "the " and _RIVER_CONTEXT.search(
            text, max(0, start - RIVER_CONTEXT_CHARS), end + RIVER_CONTEXT_CHARS):
        return "river"
    return None


def allcaps_ok(text: str, start: int, end: int) -> bool:
    """All-caps names count in a dateline ("JAKARTA -", "KABUL, Afghanistan (AP) -") or in a
    line that is all capitals (a headline)."""
    m = _DATELINE.match(text, end)
    # A dateline starts its line, unless an agency's credit marks it ("... Biron. WASHINGTON,
    # April 5 (Thomson Reuters Foundation) -") or a place and a dash follow a headline on the
    # same line ("Floods hit capital KHARTOUM, Sudan --").
    if m and (m.group(2) or (m.group(1) and m.group(3)) or first_on_line(text, start)):
        return True
    if first_on_line(text, start) and _DATELINE_BARE.match(text, end):
        return True
    # Only a short line can be a headline; looking no further keeps one-line articles of
    # megabytes linear.
    ls = text.rfind("\n", max(0, start - HEADLINE_CHARS), start) + 1
    le = text.find("\n", end, end + HEADLINE_CHARS)
    if (ls == 0 and start > HEADLINE_CHARS) or le == -1 and len(text) - end > HEADLINE_CHARS:
        return False
    return mostly_capitals(text[ls:le if le >= 0 else len(text)])
