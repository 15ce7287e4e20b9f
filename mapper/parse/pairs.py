"""Names that place each other: "Atlanta, Georgia" and "Cook County, Illinois" pairs,
"Syria's Idlib" and "London's Heathrow" possessives, and a dateline's state ("CAMP MURRAY,
Wash. -" makes "Washington" the state). :mod:`mapper.parse.resolve` asks these first for
pairs and last, after each name's choice, for possessives and datelines."""

from __future__ import annotations

from dataclasses import dataclass

from mapper.parse.gazetteer import ALTERNATE, BROAD_KINDS, DEMONYM, Gazetteer
from mapper.parse.geo import distance_km
from mapper.parse.recognize import Found

#: How many candidates of each name a "Place, Container" pair tries.
PAIR_CANDIDATES = 60
PAIR_SCORE = 0.95
#: What joins a place to one it holds: "Syria's Idlib".
POSSESSIVES = ("'s ", "\u2019s ")
#: How far into a story a dateline's state may be named.
DATELINE_CHARS = 60
#: How near a town what follows its possessive lies ("Kabul's Bagram airfield").
POSSESSED_KM = 100.0
#: After a country's possessive, a place inside it this many times smaller than the reading
#: elsewhere does not take the name ("Russia's Bakhmut assault").
POSSESSED_RATIO = 10
#: How close a town must be to a district or county for "Town, County" to pair them.
PAIR_ADMIN2_KM = 80.0


@dataclass(frozen=True)
class Resolved:
    """A recognised name and the place it resolved to."""

    found: Found
    place_id: int
    score: float
    demonym: bool


def in_dateline_state(text: str, out: list[Resolved], cands_of,
                       gaz: Gazetteer) -> list[Resolved]:
    """A story datelined in a state ("CAMP MURRAY, Wash. -") means that state by a name
    that is also a place outside it: "Washington" is the state there, not the capital."""
    state = next((r.place_id for r in out[:3] if r.found.start < DATELINE_CHARS
                  and gaz.kind(r.place_id) == "admin1"
                  and text[r.found.start - 2:r.found.start] == ", "
                  and "\n" not in text[:r.found.start]), None)
    if state is None:
        return out
    where = (gaz.country(state), gaz.admin1(state))
    moved = {r.found.key for r in out
             if r.place_id != state and (gaz.country(r.place_id), gaz.admin1(r.place_id)) != where
             and any(c.place_id == state for c in cands_of(r.found))}
    if not moved:
        return out
    return [Resolved(r.found, state, PAIR_SCORE, False) if r.found.key in moved else r
            for r in out]


def possessed(text: str, out: list[Resolved], cands_of, gaz: Gazetteer) -> list[Resolved]:
    """A place named right after another's possessive often lies inside it, and its
    reading there holds all through the article.

    After a town's possessive it lies near the town: "London's Heathrow" is the airport,
    and a name none of whose readings lies near (Heathrow, Florida) is a place the gazetteer
    lacks and is left off. After a country's or a province's it may only be about it
    ("Israel's Gaza offensive", "Russia's Bakhmut assault"): the reading changes only to a
    place inside of a size to compare ("Pakistan's Punjab", not India's), and is never
    dropped.
    """
    fixed: dict[tuple[str, str | None], int | None] = {}
    for p, r in zip(out, out[1:], strict=False):
        if text[p.found.end:r.found.start] not in POSSESSIVES or p.demonym or r.demonym:
            continue
        holder, pid = p.place_id, r.place_id
        if gaz.kind(holder) not in ("city", "country", "admin1") or gaz.kind(pid) not in (
                "city", "admin1", "admin2"):
            continue
        floor = gaz.population(pid) / POSSESSED_RATIO
        if _holds(holder, pid, floor, gaz):
            continue
        inside = next((c.place_id for c in cands_of(r.found)
                       if c.source != DEMONYM and _holds(holder, c.place_id, floor, gaz)),
                      None)
        if inside is not None or gaz.kind(holder) == "city":
            fixed[(r.found.key, r.found.cue)] = inside
    if not fixed:
        return out
    kept = []
    for r in out:
        unit = (r.found.key, r.found.cue)
        if unit not in fixed:
            kept.append(r)
        elif fixed[unit] is not None:
            kept.append(Resolved(r.found, fixed[unit], PAIR_SCORE, False))
    return kept


def _holds(holder: int, place: int, floor: float, gaz: Gazetteer) -> bool:
    """Whether ``place`` is what a name after ``holder``'s possessive may be: a town or
    district near a town, or a place inside a country or province with ``floor`` people."""
    kind = gaz.kind(holder)
    if kind == "city":
        return gaz.kind(place) in ("city", "admin2") and distance_km(
            *gaz.latlon(place), *gaz.latlon(holder)) <= POSSESSED_KM
    return inside(place, holder, kind, gaz) and gaz.population(place) >= floor


def contained_pairs(text: str, found: list[Found], cands_of, gaz: Gazetteer,
                     ) -> dict[tuple[str, str | None], tuple[int, float, bool]]:
    """Resolve "Place, Container" pairs together: "Atlanta, Georgia" is the US state,
    "Paris, Texas" the Texan town and "Reading, Berkshire" the English one. The choice holds
    for both names all through the article."""
    chosen: dict[tuple[str, str | None], tuple[int, float, bool]] = {}
    for p, f in zip(found, found[1:], strict=False):
        if text[p.end:f.start] not in (", ", ","):
            continue
        best: tuple[float, int, int] | None = None
        for cf in cands_of(f)[:PAIR_CANDIDATES]:
            kind = gaz.kind(cf.place_id)
            if kind not in ("admin1", "admin2", "country"):
                continue
            for cp in cands_of(p)[:PAIR_CANDIDATES]:
                # The town by its own name: "Washington, New York and Boston" is no
                # Watervliet (once called Washington) in the state of New York.
                if (cp.place_id != cf.place_id and cp.source != ALTERNATE
                        and inside(cp.place_id, cf.place_id, kind, gaz)):
                    total = cp.prior + cf.prior
                    if best is None or total > best[0]:
                        best = (total, cp.place_id, cf.place_id)
        if best is not None:
            chosen[(p.key, p.cue)] = (best[1], PAIR_SCORE, False)
            chosen[(f.key, f.cue)] = (best[2], PAIR_SCORE, False)
    return chosen


def paired(text: str, found: list[Found], cands_of, gaz: Gazetteer) -> set[int]:
    """Starts of the names in "Place, Container" pairs that some reading makes true."""
    out: set[int] = set()
    for p, f in zip(found, found[1:], strict=False):
        if text[p.end:f.start] not in (", ", ","):
            continue
        for cf in cands_of(f)[:PAIR_CANDIDATES]:
            kind = gaz.kind(cf.place_id)
            if kind in ("admin1", "admin2") and any(
                    cp.place_id != cf.place_id and cp.source != ALTERNATE
                    and inside(cp.place_id, cf.place_id, kind, gaz)
                    for cp in cands_of(p)[:PAIR_CANDIDATES]):
                out.update((p.start, f.start))
                break
    return out


def inside(place: int, container: int, kind: str, gaz: Gazetteer) -> bool:
    if gaz.country(place) != gaz.country(container) or gaz.kind(place) in BROAD_KINDS:
        return False
    if kind == "country":
        return True
    if gaz.admin1(place) != gaz.admin1(container):
        return False
    # The gazetteer keeps no admin-2 codes for towns: a county holds what lies near it.
    return kind == "admin1" or distance_km(*gaz.latlon(place),
                                           *gaz.latlon(container)) <= PAIR_ADMIN2_KM
