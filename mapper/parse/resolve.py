"""Resolve recognised names to gazetteer places, using the whole article as context.

Each name starts from its candidates' context-free prior (kind, population, capital, how
the name was spelled). The article then votes: the countries its unambiguous names point
to pull every other name towards themselves ("Kandahar" in an article about Afghanistan is
the Afghan city, not the Indian town), provinces it names pull their cities, and cue words
("X province", "the city of X") pull towards a kind. A name resolves the same way
everywhere in one article unless a cue word says otherwise.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from mapper.parse.gazetteer import ABBREVIATION, ALTERNATE, DEMONYM, Candidate, Gazetteer
from mapper.parse.geo import distance_km
from mapper.parse.recognize import QUALIFIERS, Found

#: Kinds that stand for a whole country or more: they survive rules meant for towns.
BROAD_KINDS = frozenset({"country", "continent", "region"})

COUNTRY_WEIGHT = 3.0
ADMIN1_WEIGHT = 0.6
#: Pull towards places near the article's other places, fading out at PROXIMITY_KM.
PROXIMITY_WEIGHT = 1.0
PROXIMITY_KM = 300.0
CUE_WEIGHT = 3.0
#: A place this populous (or a capital) is known well enough to stand on its own even when
#: its name is a common word ("Washington", "Nice" is not).
BIG_POPULATION = 500_000
#: A town this populous, named by its own name, stands on its own.
STRONG_POPULATION = 100_000
#: With no other place in the article, a lone town must be this big to count.
LONE_TOWN_POPULATION = 20_000
#: How many of the article's places pull on the others.
MAX_ANCHORS = 30
#: How many candidates of each name a "Place, Container" pair tries.
PAIR_CANDIDATES = 60
PAIR_SCORE = 0.95
#: How many distinct weak names agreeing on a country make it the article's.
WEAK_PEERS = 3
#: The share of the article's country votes that vouches for a weak name.
CONTEXT_SHARE = 0.1


@dataclass(frozen=True)
class Resolved:
    """A recognised name and the place it resolved to."""

    found: Found
    place_id: int
    score: float
    demonym: bool


def resolve(text: str, found: list[Found], gaz: Gazetteer) -> list[Resolved]:
    """Pick one place for each recognised name; drop names that are not places after all."""
    cands: dict[tuple[str, str], list[Candidate]] = {}
    for f in found:
        ck = (f.key, text[f.start:f.end])
        if ck not in cands:
            cands[ck] = _allowed(ck[1], f, gaz.candidates_for_key(f.key))
    # A word that ends a person's name anywhere names that person everywhere in the article.
    persons = {f.key for f in found if f.person}
    strong: list[Found] = []
    weak: list[Found] = []
    local: list[Found] = []
    for f in found:
        c = cands[(f.key, text[f.start:f.end])]
        if not c:
            continue
        verdict = _verdict(f, c[0], gaz, f.key in persons)
        if verdict == "strong":
            strong.append(f)
        elif verdict == "weak":
            weak.append(f)
        elif verdict == "local":
            local.append(f)

    countries, admin1s = _context(text, strong, cands, gaz)
    anchors = _anchors(text, strong, cands, gaz)
    # A weak name (a small town, an alternate spelling, a common word) needs the article's
    # other places to vouch for its country; with no other places, only a town of some size.
    kept = list(strong)
    # Weak names can vouch for each other: "Nenagh", "Ballina" and "Newport" together make
    # an Irish article even where no country is named.
    weak_country = {f.key: gaz.country(cands[(f.key, text[f.start:f.end])][0].place_id)
                    for f in weak}
    peers = Counter(weak_country.values())
    for f in weak:
        c = cands[(f.key, text[f.start:f.end])]
        vouched = any(countries.get(gaz.country(x.place_id), 0.0) >= CONTEXT_SHARE for x in c)
        peered = peers[weak_country[f.key]] >= WEAK_PEERS
        lone_town = (not countries and c[0].source != ALTERNATE
                     and gaz.population(c[0].place_id) >= LONE_TOWN_POPULATION)
        if vouched or peered or lone_town:
            kept.append(f)
    for f in local:
        c = cands[(f.key, text[f.start:f.end])]
        if any((gaz.country(x.place_id), gaz.admin1(x.place_id)) in admin1s
               and gaz.kind(x.place_id) != "admin1" for x in c):
            kept.append(f)
    kept.sort(key=lambda f: f.start)

    out: list[Resolved] = []
    chosen = _contained_pairs(text, kept, cands, gaz)
    for f in kept:
        unit = (f.key, f.cue)
        if unit not in chosen:
            chosen[unit] = _choose(f, cands[(f.key, text[f.start:f.end])], countries,
                                   admin1s, anchors, gaz)
        pid, score, demonym = chosen[unit]
        out.append(Resolved(f, pid, score, demonym))
    return out


def _contained_pairs(text: str, found: list[Found],
                     cands: dict[tuple[str, str], list[Candidate]], gaz: Gazetteer,
                     ) -> dict[tuple[str, str | None], tuple[int, float, bool]]:
    """Resolve "Place, Container" pairs together: "Atlanta, Georgia" is the US state and
    "Paris, Texas" the Texan town. The choice holds for both names all through the article."""
    chosen: dict[tuple[str, str | None], tuple[int, float, bool]] = {}
    for p, f in zip(found, found[1:], strict=False):
        if text[p.end:f.start] not in (", ", ","):
            continue
        best: tuple[float, int, int] | None = None
        for cf in cands[(f.key, text[f.start:f.end])][:PAIR_CANDIDATES]:
            kind = gaz.kind(cf.place_id)
            if kind not in ("admin1", "country"):
                continue
            cc = gaz.country(cf.place_id)
            for cp in cands[(p.key, text[p.start:p.end])][:PAIR_CANDIDATES]:
                if cp.place_id == cf.place_id or gaz.country(cp.place_id) != cc:
                    continue
                if kind == "admin1" and gaz.admin1(cp.place_id) != gaz.admin1(cf.place_id):
                    continue
                total = cp.prior + cf.prior
                if best is None or total > best[0]:
                    best = (total, cp.place_id, cf.place_id)
        if best is not None:
            chosen[(p.key, p.cue)] = (best[1], PAIR_SCORE, False)
            chosen[(f.key, f.cue)] = (best[2], PAIR_SCORE, False)
    return chosen


def _allowed(surface: str, f: Found, cands: list[Candidate]) -> list[Candidate]:
    """Candidates the surface's spelling permits: an abbreviation ("US") only in its exact
    case, and a short all-caps word only as an abbreviation (not "KBL" the airport)."""
    letters = surface.replace(".", "")
    short_caps = f.shouted or (f.allcaps and len(letters) <= 3)
    out = []
    for c in cands:
        if f.camel and c.form != surface:
            continue
        if c.source == ABBREVIATION:
            if c.form.replace(".", "") != letters:
                continue
        elif short_caps:
            continue
        out.append(c)
    return out


def _verdict(f: Found, best: Candidate, gaz: Gazetteer, person: bool) -> str:
    """"strong" (a place on its own), "weak" (a place if the article agrees), "local" (a
    place only if the article names its province too) or "no"."""
    kind = gaz.kind(best.place_id)
    if best.source == DEMONYM or (kind in BROAD_KINDS and best.source != ALTERNATE):
        return "strong"
    if f.org or f.continues or person:
        return "no"
    if kind in BROAD_KINDS:
        return "strong"  # "Britain", "Holy See": other names of countries
    if len(f.words) == 1 and f.words[0].capitalize() in QUALIFIERS:
        return "no"  # "Western officials", "the North": not the Western Region of Uganda
    pop = gaz.population(best.place_id)
    big = pop >= BIG_POPULATION or gaz.is_capital(best.place_id)
    if f.common or f.first_name:
        if big and best.source != ALTERNATE:
            return "strong"
        if f.sentence_initial or f.titlecase_line:
            return "no"
        # "the Orange line", "son James": a word or a first name, unless its province is
        # named too ("Reading, Berkshire").
        return "local"
    if best.source == ALTERNATE and not big:
        return "weak"
    if kind == "admin1" or pop >= STRONG_POPULATION:
        return "strong"
    return "weak"


def _context(text: str, found: list[Found], cands: dict[tuple[str, str], list[Candidate]],
             gaz: Gazetteer) -> tuple[dict[str, float], set[tuple[str, str]]]:
    """Share of the article's votes per country, and the provinces it names."""
    votes: Counter[str] = Counter()
    admin1s: set[tuple[str, str]] = set()
    for f in found:
        c = cands[(f.key, text[f.start:f.end])]
        best = c[0]
        kind = gaz.kind(best.place_id)
        # A name with one clear reading votes fully; an ambiguous one by its margin.
        margin = 1.0 if len(c) == 1 else min(1.0, (best.prior - c[1].prior) / 2.0)
        weight = (1.0 if kind == "country" or best.source == DEMONYM else 0.6) * margin
        cc = gaz.country(best.place_id)
        if cc and weight > 0:
            votes[cc] += weight
        if kind == "admin1" and margin > 0.5:
            admin1s.add((cc, gaz.admin1(best.place_id)))
    total = sum(votes.values()) or 1.0
    return {cc: v / total for cc, v in votes.items()}, admin1s


def _anchors(text: str, found: list[Found], cands: dict[tuple[str, str], list[Candidate]],
             gaz: Gazetteer) -> list[tuple[str, float, float]]:
    """Points of the article's unambiguous towns and provinces: (key, lat, lon)."""
    out: dict[str, tuple[str, float, float]] = {}
    for f in found:
        c = cands[(f.key, text[f.start:f.end])]
        best = c[0]
        if gaz.kind(best.place_id) in BROAD_KINDS or best.source == DEMONYM:
            continue
        if len(c) == 1 or best.prior - c[1].prior >= 1.0:
            out.setdefault(f.key, (f.key, *gaz.latlon(best.place_id)))
    return list(out.values())[:MAX_ANCHORS]


def _choose(f: Found, cands: list[Candidate], countries: dict[str, float],
            admin1s: set[tuple[str, str]], anchors: list[tuple[str, float, float]],
            gaz: Gazetteer) -> tuple[int, float, bool]:
    scored = []
    others = [(lat, lon) for key, lat, lon in anchors if key != f.key]
    for c in cands:
        pid = c.place_id
        cc = gaz.country(pid)
        s = c.prior + COUNTRY_WEIGHT * countries.get(cc, 0.0)
        if others and len(cands) > 1 and gaz.kind(pid) not in BROAD_KINDS:
            lat, lon = gaz.latlon(pid)
            near = min(distance_km(lat, lon, a, b) for a, b in others)
            s += PROXIMITY_WEIGHT * max(0.0, 1.0 - near / PROXIMITY_KM)
        if (cc, gaz.admin1(pid)) in admin1s and gaz.kind(pid) != "admin1":
            s += ADMIN1_WEIGHT
        if f.cue and gaz.kind(pid) == f.cue:
            s += CUE_WEIGHT
        scored.append((s, c))
    scored.sort(key=lambda sc: (-sc[0], sc[1].place_id))
    best_score, best = scored[0]
    # Confidence: the winner's share of a softmax over the candidates' scores.
    z = sum(math.exp(s - best_score) for s, _ in scored)
    return best.place_id, round(1.0 / z, 4), best.source == DEMONYM
