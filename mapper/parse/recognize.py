"""Find place names in text: one pass over the words, longest gazetteer match first.

A name starts at a capitalised word and runs over at most :data:`MAX_WORDS` words joined by
spaces, hyphens, apostrophes or dots ("Lashkar Gah", "Qala-e-Naw", "U.S."). Its key (see
:func:`mapper.parse.names.key`) must be in the gazetteer's name index. Rules then drop what news
text capitalises for other reasons: names inside organisations ("Wall Street Journal"),
person names ("Mullah Omar", "Ismail Khan"), common words at the start of a sentence or in
a title-case headline, and all-caps words that are not a dateline or a known abbreviation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mapper.parse.common_words import is_common_word, is_everyday_word
from mapper.parse.cues import CUE_KIND, allcaps_ok, cue
from mapper.parse.names import fold, key_of_words
from mapper.parse.persons import is_first_name
from mapper.parse.textwords import (
    NEWLINE_CHAR,
    TITLES,
    Word,
    line_start,
    sentence_initial,
    split_words,
    titlecase_lines,
)

MAX_WORDS = 6

# What may stand between two words of one name: "Lashkar Gah", "Mazar-i-Sharif",
# "Côte d'Ivoire", "U.S.", "Washington, D.C.".
_JOIN = re.compile(r"[ \t]|[ \t]?[-'’.][ \t]?|, ")

#: Lowercase words allowed inside a name ("Bosnia and Herzegovina", "Rio de Janeiro",
#: "Democratic Republic of the Congo").
INNER_LOWER = frozenset(
    "and au aux d de del della des di do dos da das du en es ez la las le les los of on upon "
    "sur am an der im al el e i y ye bin ibn ul ud the".split()
)

#: Articles, prepositions and pronouns that are never a place on their own, though the
#: gazetteer has towns, codes or alternates spelled so ("A", "In", "La" for Louisiana, the
#: French town of Die): they may only start a longer name ("La Paz", "El Paso", "A Coruña").
FUNCTION_WORDS = frozenset(
    "a an in on at of to by for the this that it its we he she they our my his her "
    "la le les l el los las lo die der das den dem des ein eine un une il i al".split()
)

#: Names of movements, armed groups, parties and peoples that GeoNames lists among the
#: alternate names of villages (Taliban, Hamas; "Igbo" for Igbo-Ukwu, "Hausa" for Haouza):
#: a group is never a place.
GROUPS = frozenset(
    """taliban hamas hezbollah hizbollah hizballah alshabaab shabaab bokoharam isis isil daesh
    houthis houthi ansarallah fatah haqqani alqaeda alqaida hayattahriralsham
    tehriketaliban igbo hausa""".split()
)

#: Capitalised words that, following a place name, make it part of an organisation's or a
#: landmark's name ("Lincoln Home" is a historic site, not the town of Lincoln).
ORG_SUFFIX = frozenset(
    """University College School Academy Institute Institution Journal Times Post Herald
    Tribune Gazette Chronicle Daily News Press Review Magazine Group Council Committee
    Bank Club Company Corporation Corp Inc Ltd Airlines Airways Air FC United Stadium
    Hotel Party Fund Foundation Agency Association Society Museum Hospital Mosque Church
    Cathedral Temple Prize Award Awards Accord Accords Agreement Declaration Conference
    Summit Process Protocol Format Convention Treaty Talks Initiative Office Ministry
    Department Police Army Navy Command Brigade Corps Regiment Division Battalion Forces
    Force Consulate Embassy Broadcasting Radio TV Television Network Pictures Studios
    Records Exchange Stock Securities Capital Partners Holdings Energy Oil Gas Motors
    Telecom Center Centre Street Avenue Square Park Road Times Observer Standard Telegraph
    Express Mail Star Sun Guardian Independent Monitor Weekly Bulletin Report Papers
    Cup League Open Marathon Festival Games Olympics Show Fair Week Syndrome Virus
    Home House Memorial Monument Library Hall Tower Building Plaza Mall Arena Castle Palace
    Zoo Commission Elementary Prison Jail Authority Board Trust Service Services
    """.split()
)
#: How many capitalised words after a name may lead to an organisation's word.
ORG_RUN = 4

#: Words that may qualify a place without being part of a person's or organisation's name.
QUALIFIERS = frozenset(
    """North South East West Northern Southern Eastern Western Central Upper Lower Greater
    Northeast Northwest Southeast Southwest Northeastern Northwestern Southeastern
    Southwestern Inner Outer Mid Middle Old Downtown Rural Urban Neighbouring Neighboring
    Nearby Provincial Occupied Metropolitan""".split()
)

#: Lowercase words that may run on in a landmark's name ("Zaporizhzhia nuclear plant",
#: "Kandahar airport"): a name only goes over them to reach a longer gazetteer name.
LANDMARK_LOWER = frozenset("nuclear power plant station airport airfield air base dam".split())


#: Lowercase particles inside persons' names.
NAME_PARTICLES = frozenset({"de", "van", "von", "der", "den", "da", "di", "du", "bin", "ibn",
                            "le", "la"})

#: Words that English capitalises without naming a place: months and weekdays ("March" is a
#: town in Cambridgeshire, "August" one in California).
CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)

_OF_ORG = re.compile(r"\b([A-Z][a-z]+) of (?:the )?$")
_NAME_PARTS = re.compile(r"[\s.\-'\u2019]+")
_SPEECH_AFTER = re.compile(r"[ \t]+(?:said|says|told|added|asked|wrote|explained)\b")

@dataclass(slots=True, eq=False)
class Found:
    """A name recognised in text, before it is resolved to a place. Not frozen: one is
    made for every capitalised word the gazetteer knows, and a frozen dataclass's
    ``__init__`` is five times slower; nothing changes one once made."""

    start: int
    end: int
    key: str
    words: tuple[str, ...]
    allcaps: bool
    sentence_initial: bool
    titlecase_line: bool
    common: bool
    """Every word of the name is a common English word."""
    first_name: bool
    """A single word that is a common first name ("James", "Olivia")."""
    camel: bool
    """A word of it has capitals inside ("MoD", "McKenzie"): only its exact spelling counts."""
    cue: str | None = None
    """A kind the context asks for: "admin1" ("X province"), "admin2", "city"."""
    org: bool = False
    """Followed by an organisation word ("Kabul University", "Washington Post")."""
    person: bool = False
    """Preceded by a title or a capitalised word: the end of a person's name ("Mullah Omar",
    "Ismail Khan", "Richard Nixon")."""
    person_cue: bool = False
    """Preceded by a title, a known first name or an initial ("Gen. McKenzie", "Andre
    Wilson", "J. Smith"): a cue strong enough to make the word a person's all through the
    article. A bare capitalised word before a name is not ("Smart Dubai")."""
    continues: bool = False
    """Followed by another capitalised word: the start of a longer name ("Sami Hamdi")."""
    shouted: bool = False
    """All capitals outside a dateline or headline: only an abbreviation may match."""
    speaks: bool = False
    """A lone word that starts a clause and then speaks ("Nelson said")."""
    everyday: bool = False
    """A single word of everyday language ("Nice", "Reading"), not merely in the dictionary
    ("Geneva")."""
    plain: bool = False
    """Every word of it is a common word, however many ("White House"): an alternate name
    spelled so is a translation ("Casablanca"), not what the text means."""
    dotted: bool = False
    """Followed by a full stop: "Mass." may be Massachusetts, "Mass" is not."""
    demonym_only: bool = False
    """A lowercase word of a language that writes demonyms so ("los estadounidenses", "les
    Afghans britanniques"): it may only be a demonym."""
    article: bool = False
    """Right after a lowercase "the" ("the Niger", "the Atlantic"): news puts an article
    before rivers, seas, ranges and deserts, seldom before a town."""
    org_run: bool = False
    """Followed by capitalised words that end in an organisation's word ("Venice
    Commission", "Colorado State University"): a place only where the article agrees."""
    given: bool = False
    """Right after a title, a known first name or an initial ("Andrew Jordan"), not merely
    a rare word ("DeSmog Canada"): a country's name is a person's there."""


def find_names(text: str, has_key: Callable[[str], bool], lang: str = "en",
               is_demonym: Callable[[str], bool] | None = None) -> list[Found]:
    """Every place-name candidate in ``text``, left to right, not overlapping.

    ``has_key(key)`` tells whether the gazetteer knows a name key; ``lang`` is the text's
    language (ISO 639-1): the rules that read capitals as names are English's. In other
    languages a lowercase word is a candidate too when ``is_demonym(key)`` says it is a
    demonym ("estadounidenses", "britanniques").
    """
    lowercase_demonyms = is_demonym if lang != "en" else None
    folded = fold(text)
    words = split_words(text, folded)
    line_titlecase = titlecase_lines(text, words)
    newlines = [m.start() for m in NEWLINE_CHAR.finditer(text)]
    amp = "&" in text
    found: list[Found] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        if not w.cap or (text[w.start - 1:w.start] in _APOSTROPHES
                         and _word_tail(text, w.start)):
            if lowercase_demonyms is not None and lowercase_demonyms(w.folded):
                found.append(Found(w.start, w.end, w.folded, (w.folded,), False, False, False,
                                   False, False, False, demonym_only=True))
            i += 1
            continue
        match = _longest_match(text, words, i, has_key)
        if match is None and lang == "de" and w.folded.endswith("s") and has_key(w.folded[:-1]):
            match = (i, w.folded[:-1])  # German genitive: "Afghanistans", "Kabuls"
        if match is None:
            i += 1
            continue
        j, key = match
        if key in GROUPS or (w.folded in FUNCTION_WORDS and all(
                x.folded in FUNCTION_WORDS for x in words[i + 1:j + 1])):
            i += 1
            continue
        f = _found(text, words, i, j, key, line_titlecase, lang, newlines, has_key, amp)
        if f is not None:
            found.append(f)
        i = j + 1
    return found


def _longest_match(text: str, words: list[Word], i: int,
                   has_key: Callable[[str], bool]) -> tuple[int, str] | None:
    """The last word index and key of the longest gazetteer name starting at word ``i``."""
    end = i
    for k in range(i + 1, min(len(words), i + MAX_WORDS)):
        w = words[k]
        gap = text[words[k - 1].end:w.start]
        if gap != " " and (not _JOIN.fullmatch(gap) or (
                gap[0] == "." and gap[-1] in " \t" and words[k - 1].end - words[k - 1].start > 3)):
            break  # "St. Louis", "Mt. Everest"; not "Idaho. An economy" (Idahoan)
        if (not w.cap and w.folded not in INNER_LOWER and w.folded not in LANDMARK_LOWER
                and not (gap in _APOSTROPHES and words[k - 1].cap)):  # "Cox's Bazar"
            # No name ends on this word or runs over it (see below): stop here, as most
            # capitalised words are followed by an ordinary lowercase one.
            break
        end = k
    if end == i:  # most capitalised words stand alone
        key = words[i].folded
        return (i, key) if has_key(key) else None
    for j in range(end, i - 1, -1):
        last = words[j]
        landmark = not last.cap and last.folded in LANDMARK_LOWER and all(
            x.cap or x.folded in LANDMARK_LOWER or x.folded in INNER_LOWER
            for x in words[i + 1:j + 1])
        # A name of two words or more may end on "'s" where the gazetteer has it so ("St.
        # John's"); "Canada's" and "New York's" are possessives.
        if not last.cap and not landmark and not (j > i and _stuck(text, words, j,
                                                                   clitic=j > i + 1)):
            continue
        if j > i + 1 and not landmark and any(
                not x.cap and x.folded not in INNER_LOWER
                and not _stuck(text, words, k, clitic=True)
                for k, x in enumerate(words[i + 1:j], start=i + 1)):
            continue  # "Cox's Bazar", "Martha's Vineyard" run over their "s"
        key = last.folded if j == i else key_of_words([x.folded for x in words[i:j + 1]])
        if has_key(key):
            return j, key
    return None


def _found(text: str, words: list[Word], i: int, j: int, key: str,
           line_titlecase: dict[int, bool], lang: str, newlines: list[int],
           has_key: Callable[[str], bool], amp: bool = True) -> Found | None:
    """The name of words ``i`` to ``j`` with what its surroundings say of it; ``amp``:
    whether the text has an ampersand at all."""
    first, last = words[i], words[j]
    start, end = first.start, last.end
    # "U.S." and "D.C.": keep the final dot of a dotted abbreviation.
    if end - last.start == 1 and text[end:end + 1] == "." and text[end - 2:end - 1] == ".":
        end += 1
    span_words = words[i:j + 1]
    # Most names start with a word that is not in capitals: no need to look further.
    allcaps = (first.upper or first.end - first.start == 1) and (
        all(x.upper or (x.end - x.start == 1 and text[x.start].isupper())
            for x in span_words) and any(x.upper for x in span_words) or (
            len(span_words) > 1 and all(text[x.start:x.end].isupper() for x in span_words)))
    titlecase = line_titlecase.get(line_start(text, start, newlines), False)
    initial = sentence_initial(text, start)

    org = org_run = person = person_cue = given = continues = False
    nxt = words[j + 1] if j + 1 < len(words) else None
    if nxt and nxt.cap and text[end:nxt.start] in (" ", "\t") and not titlecase:
        nxt_text = text[nxt.start:nxt.end]
        if nxt_text in ORG_SUFFIX:
            org = True
        elif (nxt_text.lower() not in CUE_KIND and not nxt.upper
              and not is_common_word(nxt.folded, lang)):
            # "Sami Hamdi": a name goes on. Not "Florida The controversy...", where a lost
            # full stop runs two sentences together.
            continues = True
        org_run = not org and _org_run(text, words, j + 1)
    if i == j and amp and _ampersand_joined(text, words, i):
        org = True  # "Johnson & Johnson", "Marks & Spencer": a firm's name
    prev = words[i - 1] if i > 0 else None
    if prev is not None:
        person, person_cue, given = _after_name_part(text, words, i, titlecase, has_key,
                                                     lang)
        # "Ministry of Commerce", "University of Alberta", "Bank of the Philippines".
        if text[start - 3:start] == "of " or text[start - 7:start] == "of the ":
            m = _OF_ORG.search(text, max(0, start - 40), start)
            if m and m.group(1) in ORG_SUFFIX:
                org = True
    # "Nelson said", "..., Florence told reporters": a lone word that starts a clause and
    # speaks is a person, or a capital for its government ("police in Perth said" is not).
    speaks = bool(j == i and lang == "en" and (initial or text[start - 2:start] == ", ")
                  and _SPEECH_AFTER.match(text, end))
    # Outside a dateline or a capitals-only line, an all-caps word can only be a known
    # abbreviation ("US", "UAE", "DPRK"), not an airport code or a shouted word.
    shouted = allcaps and not allcaps_ok(text, start, end)

    ws = tuple(x.folded for x in span_words)
    if len(ws) == 1 and ws[0] in CALENDAR:
        return None
    content = [x for x in ws if x not in INNER_LOWER]
    plain = common = all(is_common_word(x, lang) for x in content)
    surface = text[start:end]
    # Capitals inside a word ("MoD", "McKenzie"), not after a hyphen or an apostrophe
    # ("Qala-i-Naw", "Pul-e-Khumri", "Côte d'Ivoire").
    camel = sum(map(str.isupper, surface)) > len(ws) and any(
        not w.isupper() and any(c.isupper() for c in w[1:])
        for w in _NAME_PARTS.split(surface) if w)
    first_name = len(ws) == 1 and is_first_name(ws[0])
    article = text[max(0, start - 4):start].lower() == "the "
    return Found(start, end, key, ws, allcaps, initial, titlecase, common, first_name, camel,
                 cue(text, start, end), org, person, person_cue, continues, shouted, speaks,
                 len(ws) == 1 and (common or first_name) and is_everyday_word(ws[0], lang),
                 plain,
                 dotted=text[end:end + 1] == ".", article=article, given=given,
                 org_run=org_run)


def _org_run(text: str, words: list[Word], k: int) -> bool:
    """Whether the capitalised words from ``k`` on, one space apart, end in an organisation's
    word within a few words: "Stonewall Golf Club", "Colorado State University", "Venice
    Commission", "Heathrow Animal Reception Center"."""
    for m in range(k + 1, min(k + ORG_RUN, len(words))):
        w = words[m]
        if not w.cap or text[words[m - 1].end:w.start] != " ":
            return False
        if text[w.start:w.end] in ORG_SUFFIX:
            return True
    return False


def _stuck(text: str, words: list[Word], k: int, clitic: bool = False) -> bool:
    """Whether word ``k`` is a lowercase part stuck by an apostrophe to the capitalised word
    before it: "Xi'an", "Sana'a"; an English clitic only if ``clitic`` (inside a name:
    "Cox's Bazar"; a name never ends on one: "Canada's" is not "Canadas")."""
    return (k > 0 and words[k - 1].cap and (clitic or words[k].folded not in _CLITICS)
            and text[words[k - 1].end:words[k].start] in _APOSTROPHES)


_CLITICS = frozenset({"s", "d", "ll", "re", "ve", "t", "m"})
_APOSTROPHES = ("'", "’")


def _word_tail(text: str, start: int) -> bool:
    """Whether the word at ``start``, right after an apostrophe, ends a name: "O'Toole",
    "Macy-O'Toole" (no name starts at "Toole"). A lowercase elision before it is no name
    ("d'Afghanistan", "l'Irak"), and "N'Djamena" is matched from its "N"."""
    if start < 2 or not text[start - 2].isalpha():
        return False
    k = start - 2
    while k > 0 and text[k - 1].isalpha():
        k -= 1
    return text[k].isupper()


def _ampersand_joined(text: str, words: list[Word], i: int) -> bool:
    """Whether word ``i`` is joined by an ampersand to a capitalised word (the gazetteer
    did not know the two together, as it knows "Trinidad & Tobago")."""
    w = words[i]
    after = text[w.end:w.end + 3].lstrip(" ")[:1] == "&"
    before = text[max(0, w.start - 3):w.start].rstrip(" ")[-1:] == "&"
    return ((after and i + 2 < len(words) and words[i + 2].cap)
            or (before and i >= 2 and words[i - 2].cap))


def _after_name_part(text: str, words: list[Word], i: int, titlecase: bool,
                     has_key: Callable[[str], bool], lang: str = "en") -> tuple[bool, bool, bool]:
    """Whether word ``i`` follows a title or another part of a person's name; whether that
    is a real person cue (a title, a known first name, an initial, a name particle, a rare
    word); and whether it is a given name's (not merely a rare word's)."""
    prev = words[i - 1]
    gap = text[prev.end:words[i].start]
    prev_text = text[prev.start:prev.end]
    if prev.cap:
        # A title's dot is an abbreviation's ("Gen. McKenzie"): after a whole word
        # ("the Ministry of Justice. Azerbaijan has...") it ends a sentence.
        if (prev_text in TITLES and (gap in (" ", "\t") or (gap == ". " and len(prev_text) <= 4))
                ) or (gap == ". " and len(prev_text) == 1 and prev_text.isalpha()):
            return True, True, True  # "Mullah Omar", "Gen. McKenzie", "Johnathan J. Dunbar"
        if (gap not in (" ", "\t") or titlecase or prev_text in QUALIFIERS or prev.upper
                or not prev_text[0].isalpha() or prev.folded in FUNCTION_WORDS):
            return False, False, False  # "300 Kharkiv residents", "The Kyiv Independent"
        if is_first_name(prev.folded):
            return True, True, True  # "Andre Wilson", even at a sentence start
        if lang != "en":
            # German capitalises every noun ("die Provinz Helmand"): only a first name
            # says "person" there.
            return False, False, False
        # A rare word that names no place is a given name the census list lacks ("Ismail
        # Khan", "Seergeoh Villanueva"); a common word ("Smart Dubai", "Baseball Toronto")
        # or a place ("Kabul Herat highway") makes at most this one occurrence a name.
        # Rare by the dictionary and by use: the dictionary lacks inflected forms
        # ("Connecting California", a column's name).
        rare = not is_common_word(prev.folded, lang) and not is_everyday_word(prev.folded,
                                                                               lang)
        if not sentence_initial(text, prev.start):
            return True, rare and not has_key(prev.folded), False  # "University Belfast"
        # At a sentence start a capital says nothing about a common word.
        return rare, rare and not has_key(prev.folded), False
    # "Philippe de Marigny de Mandeville", "Ludwig van Beethoven".
    if prev.folded in NAME_PARTICLES and gap == " " and i >= 2:
        before = words[i - 2]
        particle = before.cap and text[before.end:prev.start] == " "
        return particle, particle, particle
    return False, False, False
