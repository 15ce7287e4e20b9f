"""What an article's clear names say about the others: countries, states, nearby places,
persons.

Each vote is kept per name, so that a country's name never votes for itself: "Georgia" in "a
Georgia state trooper said in Atlanta" is pulled by Atlanta towards the US, not by its own
reading as the country. A town's name keeps its vote: "London" in a story from Washington
stays the British capital rather than go to London, Ohio.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from mapper.parse.gazetteer import BROAD_KINDS, DEMONYM, Candidate, Gazetteer
from mapper.parse.geo import distance_km
from mapper.parse.recognize import Found

#: How many of the article's places pull on the others.
MAX_ANCHORS = 30
#: A town this populous (or a province, a country) is known well enough that a bare
#: capitalised word before it ("Smart Dubai") does not make it a person's name elsewhere.
WELL_KNOWN_POPULATION = 50_000


@dataclass
class Votes:
    """Weights per name key towards something (a country code, a (country, admin1) pair)."""

    by_key: dict[str, Counter[str | tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(Counter))
    _total: Counter | None = None
    _sum: float = 0.0

    def add(self, key: str, target: str | tuple[str, str], weight: float) -> None:
        if weight > 0:
            self.by_key[key][target] += weight
            self._total = None

    def _totals(self) -> tuple[Counter, float]:
        if self._total is None:
            self._total = Counter()
            for votes in self.by_key.values():
                self._total.update(votes)
            self._sum = sum(self._total.values())
        return self._total, self._sum

    def shares(self) -> dict:
        """Each target's share of all the votes."""
        total, n = self._totals()
        return {t: v / n for t, v in total.items()} if n else {}

    def share(self, target: str | tuple[str, str], exclude: str | None = None) -> float:
        """``target``'s share of the votes of every name but ``exclude``."""
        total, n = self._totals()
        v = total.get(target, 0.0)
        own = self.by_key.get(exclude) if exclude is not None else None
        if own:
            v -= own.get(target, 0.0)
            n -= sum(own.values())
        return v / n if n > 1e-9 and v > 1e-9 else 0.0


@dataclass
class Context:
    """The article's votes: countries, states named, states its towns lie in; anchors."""

    countries: Votes
    #: Names whose best reading is a country: they do not vote for themselves.
    country_names: set[str]
    admin1s: set[tuple[str, str]]
    states: Votes
    anchors: list[tuple[str, float, float]]


CandidatesOf = Callable[[Found], list[Candidate]]


def article_context(found: list[Found], cands_of: CandidatesOf, gaz: Gazetteer) -> Context:
    """The context that the strong names ``found`` make."""
    countries, states = Votes(), Votes()
    admin1s: set[tuple[str, str]] = set()
    country_names: set[str] = set()
    anchors: dict[str, tuple[str, float, float]] = {}
    for f in found:
        c = cands_of(f)
        best = c[0]
        kind = gaz.kind(best.place_id)
        cc = gaz.country(best.place_id)
        # A name with one clear reading votes fully; an ambiguous one by its margin over
        # the best reading elsewhere (a city and its own district are one country's vote).
        rival = next((x.prior for x in c[1:] if gaz.country(x.place_id) != cc), None)
        margin = 1.0 if rival is None else min(1.0, (best.prior - rival) / 2.0)
        weight = (1.0 if kind == "country" or best.source == DEMONYM else 0.6) * margin
        if cc:
            countries.add(f.key, cc, weight)
        if kind == "country":
            country_names.add(f.key)
        if kind == "admin1" and margin > 0.5:
            admin1s.add((cc, gaz.admin1(best.place_id)))
        if kind in BROAD_KINDS or best.source == DEMONYM:
            continue
        # Every town counts for its state, clear or not: "Inverness", "Dundee" and
        # "Stirling" together make a Scottish story, whatever else each could be.
        if cc and kind != "feature":
            states.add(f.key, (cc, gaz.admin1(best.place_id)), 1.0)
        if len(anchors) < MAX_ANCHORS and _clear(c, gaz):
            anchors.setdefault(f.key, (f.key, *gaz.latlon(best.place_id)))
    return Context(countries, country_names, admin1s, states, list(anchors.values()))


#: Readings closer than this to the best one are the same place for pulling others.
SAME_PLACE_KM = 50.0


def _clear(c: list[Candidate], gaz: Gazetteer) -> bool:
    """Whether the best reading leads every reading elsewhere by a full point."""
    if len(c) == 1 or c[0].prior - c[1].prior >= 1.0:
        return True
    here = gaz.latlon(c[0].place_id)
    for x in c[1:]:
        if c[0].prior - x.prior >= 1.0:
            return True
        if distance_km(*here, *gaz.latlon(x.place_id)) > SAME_PLACE_KM:
            return False
    return True


def persons(found: list[Found], cands_of: CandidatesOf, gaz: Gazetteer) -> set[str]:
    """Keys that name a person all through the article.

    A real person cue ("Gen.", a known first name, an initial) makes a word a person's name
    everywhere; a bare capitalised word before it only where the word is not a well-known
    place ("Ismail Khan" makes "Khan" a person, "Smart Dubai" leaves "Dubai" a city)."""
    out = set()
    for f in found:
        if f.person_cue:
            out.add(f.key)
        elif f.person:
            c = cands_of(f)
            if not c or not well_known(c[0], gaz):
                out.add(f.key)
    return out


def well_known(c: Candidate, gaz: Gazetteer) -> bool:
    """A country, a province, a capital, or a town or county of
    :data:`WELL_KNOWN_POPULATION` ("historically Republican Orange County" names no
    person)."""
    kind = gaz.kind(c.place_id)
    return (kind in BROAD_KINDS or kind == "admin1" or gaz.is_capital(c.place_id)
            or (kind in ("city", "admin2")
                and gaz.population(c.place_id) >= WELL_KNOWN_POPULATION))
