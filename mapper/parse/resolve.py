"""Resolve recognised names to gazetteer places, using the whole article as context.

Each name starts from its candidates' context-free prior (kind, population, capital, how
the name was spelled; see :mod:`mapper.parse.candidates`). The article then votes (see
:mod:`mapper.parse.context`): the countries its unambiguous names point to pull every other
name towards themselves ("Kandahar" in an article about Afghanistan is the Afghan city, not
the Indian town), the states its towns lie in pull their namesakes ("Springfield" in an
Illinois story), provinces it names pull their cities, and cue words ("X province", "the
city of X") pull towards a kind. No name votes for itself. A name resolves the same way
everywhere in one article unless a cue word says otherwise.
"""

from __future__ import annotations

import math
from collections import Counter

from mapper.parse.candidates import shape
from mapper.parse.context import Context, article_context, persons
from mapper.parse.gazetteer import ALTERNATE, BROAD_KINDS, DEMONYM, Candidate, Gazetteer
from mapper.parse.geo import distance_km
from mapper.parse.pairs import Resolved, contained_pairs, in_dateline_state, paired, possessed
from mapper.parse.recognize import QUALIFIERS, Found

COUNTRY_WEIGHT = 3.0
ADMIN1_WEIGHT = 0.6
#: Pull of the states the article's other towns lie in, by their share of those towns.
STATE_WEIGHT = 1.5
#: Pull towards places near the article's other places, fading out at PROXIMITY_KM.
PROXIMITY_WEIGHT = 1.0
PROXIMITY_KM = 300.0
#: How many of a name's most plausible readings the nearness to other places is measured
#: for (a name like "Springfield" has dozens).
PROXIMITY_CANDIDATES = 30
CUE_WEIGHT = 3.0
#: A place this populous (or a capital) is known well enough to stand on its own even when
#: its name is a common word ("Washington", "Nice" is not).
BIG_POPULATION = 500_000
#: A town this populous, named by its own name, stands on its own ("Timbuktu", "Bourem"
#: is not and needs its country named).
STRONG_POPULATION = 50_000
#: A city this populous named by a common word or a first name ("Geneva", "Reading") is the
#: city when a sentence capitalises it in its middle.
KNOWN_WORD_POPULATION = 150_000
#: A namesake this many times smaller than a big city that has the name...
FAMOUS_RATIO = 20
#: ...takes it only when this share of the story's towns lie in its state.
SET_IN_STATE = 0.75
#: A namesake this many times smaller never takes a big city's name, whatever the story.
HAMLET_RATIO = 200
#: With no other place in the article, a lone town must be this big to count.
LONE_TOWN_POPULATION = 20_000
#: How many distinct weak names agreeing on a country make it the article's.
WEAK_PEERS = 3
#: The share of the article's country votes that vouches for a weak name.
CONTEXT_SHARE = 0.1


CandidateKey = tuple[str, str, "str | None", bool]


def _ck(text: str, f: Found) -> CandidateKey:
    """What a name's candidates depend on: its key, spelling, cue word and article."""
    return (f.key, text[f.start:f.end], f.cue, f.article)


def resolve(text: str, found: list[Found], gaz: Gazetteer, lang: str = "en") -> list[Resolved]:
    """Pick one place for each recognised name; drop names that are not places after all."""
    cands: dict[CandidateKey, list[Candidate]] = {}
    per_found: dict[int, list[Candidate]] = {}
    for f in found:
        ck = _ck(text, f)
        c = cands.get(ck)
        if c is None:
            c = cands[ck] = shape(ck[1], f, gaz)
        per_found[id(f)] = c

    def cands_of(f: Found) -> list[Candidate]:
        return per_found[id(f)]

    article_persons = persons(found, cands_of, gaz)
    by_verdict: dict[str, list[Found]] = {"strong": [], "weak": [], "local": [], "no": []}
    in_pairs = paired(text, found, cands_of, gaz)
    for f in found:
        c = cands_of(f)
        if c:
            verdict = _verdict(f, c[0], gaz, f.key in article_persons, lang,
                               _names_its_region(c, gaz))
            if verdict in ("weak", "local") and f.start in in_pairs:
                verdict = "strong"  # "Reading, Berkshire": each vouches for the other
            by_verdict[verdict].append(f)
    strong = by_verdict["strong"]
    ctx = article_context(strong, cands_of, gaz)
    vouched = _vouched(by_verdict["weak"], by_verdict["local"], cands_of, ctx, gaz)
    kept = sorted(strong + vouched, key=lambda f: f.start)
    if vouched:  # names the article vouched for vote too when the places are chosen
        ctx = article_context(kept, cands_of, gaz)

    out: list[Resolved] = []
    chosen = contained_pairs(text, kept, cands_of, gaz)
    for f in kept:
        unit = (f.key, f.cue)
        if unit not in chosen:
            chosen[unit] = _choose(f, cands_of(f), ctx, gaz)
        pid, score, demonym = chosen[unit]
        out.append(Resolved(f, pid, score, demonym))
    return in_dateline_state(text, possessed(text, out, cands_of, gaz), cands_of, gaz)


def _vouched(weak: list[Found], local: list[Found], cands_of, ctx: Context,
             gaz: Gazetteer) -> list[Found]:
    """The weak names the article vouches for, and the local ones whose province it names.

    A weak name (a small town, an alternate spelling, a common word) needs the article's
    other places to vouch for its country; with no other places, only a town of some size.
    Weak names can vouch for each other: "Nenagh", "Ballina" and "Newport" together make an
    Irish article even where no country is named."""
    countries = ctx.countries.shares()
    weak_country = {f.key: gaz.country(cands_of(f)[0].place_id) for f in weak}
    peers = Counter(weak_country.values())
    kept = []
    for f in weak:
        c = cands_of(f)
        vouched = any(countries.get(gaz.country(x.place_id), 0.0) >= CONTEXT_SHARE for x in c)
        peered = bool(weak_country[f.key]) and peers[weak_country[f.key]] >= WEAK_PEERS
        lone_town = (not countries and c[0].source != ALTERNATE
                     and gaz.population(c[0].place_id) >= LONE_TOWN_POPULATION)
        if vouched or peered or lone_town:
            kept.append(f)
    for f in local:
        if any((gaz.country(x.place_id), gaz.admin1(x.place_id)) in ctx.admin1s
               and gaz.kind(x.place_id) != "admin1" for x in cands_of(f)):
            kept.append(f)
    return kept


def _names_its_region(cands: list[Candidate], gaz: Gazetteer) -> bool:
    """Whether the best reading, a city by an alternate name, lies in a province or county
    whose own name the name is: "New York" is New York City's alternate name and the
    state's own, and the city comes first (:mod:`.candidates`). The name is then the city's
    as much as a name can be, not a translation ("White House" for Casablanca)."""
    best = cands[0]
    if best.source != ALTERNATE or gaz.kind(best.place_id) != "city":
        return False
    where = (gaz.country(best.place_id), gaz.admin1(best.place_id))
    return any(x.source != ALTERNATE and gaz.kind(x.place_id) in ("admin1", "admin2")
               and (gaz.country(x.place_id), gaz.admin1(x.place_id)) == where
               for x in cands[1:])


def _verdict(f: Found, best: Candidate, gaz: Gazetteer, person: bool,
             lang: str = "en", names_region: bool = False) -> str:
    verdict = _plain_verdict(f, best, gaz, person, lang, names_region)
    if verdict == "strong" and f.org_run and gaz.kind(best.place_id) not in BROAD_KINDS:
        return "weak"  # "the Venice Commission" in a story with no Italian place
    return verdict


def _plain_verdict(f: Found, best: Candidate, gaz: Gazetteer, person: bool,
                   lang: str = "en", names_region: bool = False) -> str:
    """"strong" (a place on its own), "weak" (a place if the article agrees), "local" (a
    place only if the article names its province too) or "no". ``names_region``: the best
    reading is a city by a name that is its province's own (:func:`_names_its_region`)."""
    kind = gaz.kind(best.place_id)
    if f.given and kind == "country" and best.source != DEMONYM:
        return "no"  # "Andrew Jordan": a first name or a title right before it, here
    if best.source == DEMONYM or (kind in BROAD_KINDS and best.source != ALTERNATE):
        return "strong"
    if f.org or f.continues or person or f.person:
        return "no"
    if kind in BROAD_KINDS:
        return "strong"  # "Britain", "Holy See": other names of countries
    if kind == "feature" and (f.cue in ("river", "feature") or f.article
                              or (best.source != ALTERNATE and len(f.words) > 1)):
        return "strong"  # "the Niger River", "the Atlantic", "Lake Chad"
    if len(f.words) == 1 and f.words[0].capitalize() in QUALIFIERS:
        return "no"  # "Western officials", "the North": not the Western Region of Uganda
    pop = gaz.population(best.place_id)
    big = _big(best, gaz)
    if f.speaks and not big:
        return "no"  # "Nelson said"; "Washington said" is the US government
    # An exonym in the article's own language ("Wien", "Londres") is as good as the name.
    own_name = best.source != ALTERNATE or lang != "en" or names_region
    if best.source == ALTERNATE and f.plain and not names_region:
        return "local"  # "White House" is an alternate name of Casablanca
    if f.common or f.first_name:
        # A capital at a sentence's start says nothing of its word; of the words after
        # it, it does ("Orange County has grown").
        if f.titlecase_line or (f.sentence_initial and len(f.words) == 1):
            return "strong" if big and own_name else "no"
        # "Salt Lake City", "Great Falls": several common words that name a known town;
        # "Geneva", "Reading" inside a sentence: a word, or a first name, that names a city
        # of some size.
        known = (kind == "admin1" or pop >= (STRONG_POPULATION if len(f.words) > 1
                                            else KNOWN_WORD_POPULATION)) and not (
            (f.everyday and not f.first_name)
            or all(w.capitalize() in QUALIFIERS for w in f.words))
        if (big or known) and own_name:
            return "strong"
        # "the Orange line", "son James": a word or a first name, unless its province is
        # named too ("Reading, Berkshire").
        return "local"
    if f.article and len(f.words) == 1:
        # "the Centre" (India's government), "the State": a town or province takes no
        # article, so the article's country must vouch for it ("the Punjab").
        return "weak"
    if not own_name and not big:
        return "weak"
    if kind == "admin1" or (kind == "city" and pop >= STRONG_POPULATION) or big:
        return "strong"
    return "weak"


def _big(c: Candidate, gaz: Gazetteer) -> bool:
    """A capital, or a city or province of :data:`BIG_POPULATION`."""
    return gaz.kind(c.place_id) != "admin2" and (
        gaz.population(c.place_id) >= BIG_POPULATION or gaz.is_capital(c.place_id))


def _choose(f: Found, cands: list[Candidate], ctx: Context,
            gaz: Gazetteer) -> tuple[int, float, bool]:
    scored = []
    # "Georgia" is not pulled to the country by its own reading as the country.
    own_country = f.key if f.key in ctx.country_names else None
    others = [(lat, lon) for key, lat, lon in ctx.anchors if key != f.key]
    # Namesakes among towns follow the story's state; a country's name ("China") or a
    # capital's ("Washington") does not go to a village of that name because the story is
    # in its state.
    pull_state = not (gaz.kind(cands[0].place_id) in BROAD_KINDS
                      or gaz.is_capital(cands[0].place_id))
    # "New York": the city's alternate name is its state's own, and the city is pulled by
    # its state as the state is.
    own_first = _names_its_region(cands, gaz)
    famous = _big(cands[0], gaz) and gaz.kind(cands[0].place_id) == "city"
    big_pop = gaz.population(cands[0].place_id)
    for rank, c in enumerate(cands):
        pid = c.place_id
        cc = gaz.country(pid)
        kind = gaz.kind(pid)
        s = c.prior + COUNTRY_WEIGHT * ctx.countries.share(cc, own_country)
        state = ctx.states.share((cc, gaz.admin1(pid)), f.key)
        if rank and famous and gaz.population(pid) * HAMLET_RATIO < big_pop:
            # A hamlet never takes a big city's name, whatever country the story is in:
            # "Tijuana & San Diego" is no San Diego of 2,000 in Baja California.
            scored.append((c.prior, c))
            continue
        if (rank and famous and state < SET_IN_STATE
                and gaz.population(pid) * FAMOUS_RATIO < big_pop):
            # A big city keeps its name against a small namesake unless the story is set
            # in the namesake's state: "the Portland Trail Blazers" in a Houston story.
            scored.append((s, c))
            continue
        if others and len(cands) > 1 and rank < PROXIMITY_CANDIDATES and (
                kind not in BROAD_KINDS):
            lat, lon = gaz.latlon(pid)
            near = min(distance_km(lat, lon, a, b) for a, b in others)
            s += PROXIMITY_WEIGHT * max(0.0, 1.0 - near / PROXIMITY_KM)
        if pull_state and kind not in BROAD_KINDS and (c.source != ALTERNATE
                                                       or (rank == 0 and own_first)):
            s += STATE_WEIGHT * state
        if (cc, gaz.admin1(pid)) in ctx.admin1s and kind != "admin1":
            s += ADMIN1_WEIGHT
        if f.cue and kind == f.cue:
            s += CUE_WEIGHT
        scored.append((s, c))
    scored.sort(key=lambda sc: (-sc[0], sc[1].place_id))
    best_score, best = scored[0]
    # Confidence: the winner's share of a softmax over the candidates' scores.
    z = sum(math.exp(s - best_score) for s, _ in scored)
    return best.place_id, round(1.0 / z, 4), best.source == DEMONYM
