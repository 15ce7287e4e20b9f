"""Which places a recognised name may be, before the article votes.

The gazetteer gives every place a name can reach, ranked by a context-free prior. The
spelling and the words around the name narrow and re-rank them:

* an abbreviation ("US") only in its exact case, a short all-caps word only as one;
* an alternate name never outranks a place whose own name it is ("Wien" the Austrian state's
  name before the alternate of the city; a village's alternate "Hamas" before nothing);
* a city before the province or district named after it ("Mandalay", "Herat", "Kunduz"),
  unless a cue word asks for the unit ("Herat province");
* a river word ("the Niger River", "River Elbe", "the Elbe burst its banks") leaves only
  natural features, and "the X" puts features before towns and provinces.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from mapper.parse.gazetteer import (
    ABBREVIATION,
    ALTERNATE,
    BROAD_KINDS,
    DEMONYM,
    Candidate,
    Gazetteer,
)
from mapper.parse.recognize import Found

#: How far below the place it yields to a demoted candidate's prior is set.
YIELD = 0.1
#: A city must be this populous to take a province's or district's name from it (a hamlet
#: called "Texas" somewhere in Texas does not).
NAMESAKE_CITY_POPULATION = 20_000
#: Kinds a region-level cue asks for.
UNIT_CUES = frozenset({"admin1", "admin2"})
UNITS = frozenset({"admin1", "admin2"})


def shape(surface: str, f: Found, gaz: Gazetteer) -> list[Candidate]:
    """The candidates of ``f`` its spelling and cue words permit, best first (do not change
    the list: it is shared by every name spelled and placed alike)."""
    return _shape(surface, f.key, f.demonym_only, f.shouted, f.allcaps, f.camel, f.dotted,
                  f.cue, f.article, gaz)


@lru_cache(maxsize=16_384)
def _shape(surface: str, key: str, demonym_only: bool, shouted: bool, allcaps: bool,
           camel: bool, dotted: bool, cue: str | None, article: bool,
           gaz: Gazetteer) -> list[Candidate]:
    cands = gaz.candidates_for_key(key)
    if demonym_only:
        return [c for c in cands if c.source == DEMONYM]
    out = _spelled(surface, cands, shouted=shouted, allcaps=allcaps, camel=camel,
                   dotted=dotted)
    if cue == "river":
        return [c for c in out if gaz.kind(c.place_id) == "feature"]
    out = _alternates_yield(out, gaz)
    if cue not in UNIT_CUES:
        out = _cities_first(out, gaz)
    if article or cue == "feature":
        out = _features_first(out, gaz, keep_units=cue in UNIT_CUES)
    return sorted(out, key=lambda c: (-c.prior, c.place_id))


#: A place whose own name a word is, this small, yields that word to a place...
HAMLET_POPULATION = 20_000
#: ...this many times as populous that has it as an alternate name.
EXONYM_RATIO = 100

#: Capitals run into a lowercase letter inside a word: a spelling only its own case matches.
_MIXED_CAPS = re.compile(r"[A-Z]{2}[a-z]")


def _spelled(surface: str, cands: list[Candidate], *, shouted: bool, allcaps: bool,
             camel: bool, dotted: bool) -> list[Candidate]:
    """Candidates the surface's spelling permits: an abbreviation ("US") only in its exact
    case, and a short all-caps word only as an abbreviation (not "KBL" the airport)."""
    letters = surface.replace(".", "")
    short_caps = shouted or (allcaps and len(letters) <= 3)
    out = []
    for c in cands:
        if (camel or _MIXED_CAPS.search(c.form)) and c.form != surface:
            continue  # "XIe" (Paris' 11th arrondissement) is no "Xie", a surname
        if c.source == ABBREVIATION:
            if c.form.replace(".", "") != letters:
                continue
            # "Calif.", "Mass.": a short word's abbreviation needs its dot.
            if c.form.endswith(".") and not surface.endswith(".") and not dotted and (
                    not letters.isupper()):
                continue
        elif short_caps:
            continue
        out.append(c)
    return out


def _alternates_yield(cands: list[Candidate], gaz: Gazetteer) -> list[Candidate]:
    """An alternate name of a town or province ranks below the best place whose own name
    (or abbreviation) it is; other names of countries and regions ("the Gulf") keep their
    rank."""
    own = [c for c in cands if c.source != ALTERNATE]
    if not own:
        return cands
    best_own = max(own, key=lambda c: c.prior)
    ceiling = best_own.prior - YIELD
    if not any(c.source == ALTERNATE and c.prior > ceiling for c in cands):
        return cands
    # An English name of a great city keeps its rank over a hamlet of that name: "Basra"
    # is Al Başrah (2.6 million), not a village of 1,000 (Canton, Ohio, 70,000, still
    # keeps "Canton" from Guangzhou).
    hamlet = gaz.population(best_own.place_id) < HAMLET_POPULATION
    floor = gaz.population(best_own.place_id) * EXONYM_RATIO
    return [replace(c, prior=ceiling) if c.source == ALTERNATE and c.prior > ceiling
            and gaz.kind(c.place_id) not in BROAD_KINDS
            and not (hamlet and gaz.population(c.place_id) >= floor) else c for c in cands]


def _cities_first(cands: list[Candidate], gaz: Gazetteer) -> list[Candidate]:
    """A province or district ranks below a city of the same name inside it: by the city's
    own name ("Mandalay", "Herat"), or by an alternate name when the city holds a third of
    the province's people or is a city of millions ("New York"; "Bahia" stays the state,
    not Salvador)."""
    if not any(gaz.kind(c.place_id) in UNITS for c in cands):
        return cands
    cities: dict[tuple[str, str], list[Candidate]] = {}
    for c in cands:
        if gaz.kind(c.place_id) == "city" and (
                gaz.population(c.place_id) >= NAMESAKE_CITY_POPULATION):
            unit = (gaz.country(c.place_id), gaz.admin1(c.place_id))
            cities.setdefault(unit, []).append(c)
    if not cities:
        return cands
    out = []
    for c in cands:
        if gaz.kind(c.place_id) in UNITS:
            inside = [x for x in cities.get((gaz.country(c.place_id), gaz.admin1(c.place_id)),
                                            ()) if _namesake_city(x, c, gaz)]
            if inside:
                ceiling = max(x.prior for x in inside) - YIELD
                if c.prior >= ceiling:
                    c = replace(c, prior=ceiling)
        out.append(c)
    return out


def _namesake_city(city: Candidate, unit: Candidate, gaz: Gazetteer) -> bool:
    """Whether ``city`` is what a name of both means before ``unit`` (see
    :func:`_cities_first`)."""
    people = gaz.population(city.place_id)
    return (city.source != ALTERNATE or unit.source == ALTERNATE  # "Basra": both so named
            or people >= MEGACITY_POPULATION
            or people * CITY_SHARE >= gaz.population(unit.place_id))


#: An alternate name shared by a province and a city inside it is the city's when the city
#: holds at least 1/CITY_SHARE of the province's people, or is this big ("New York", which
#: GeoNames calls New York City).
CITY_SHARE = 3
MEGACITY_POPULATION = 5_000_000


def _features_first(cands: list[Candidate], gaz: Gazetteer, keep_units: bool = False,
                    ) -> list[Candidate]:
    """Natural features instead of towns and provinces ("The Atlantic hurricane season" is
    not Atlantic, Iowa, however American the story); countries and regions stay ahead.
    ``keep_units``: a cue names a unit ("the Helmand province"): towns and provinces stay,
    after the features."""
    if not any(gaz.kind(c.place_id) == "feature" for c in cands):
        return cands
    kept = [c for c in cands if keep_units or gaz.kind(c.place_id) in BROAD_KINDS
            or gaz.kind(c.place_id) == "feature"]
    # Features are not broad, so this is the best of them, towns and provinces.
    floor = max(c.prior for c in cands if gaz.kind(c.place_id) not in BROAD_KINDS)
    return [replace(c, prior=max(c.prior, floor + YIELD))
            if gaz.kind(c.place_id) == "feature" else c for c in kept]
