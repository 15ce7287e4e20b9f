"""The two tables of the gazetteer: places.parquet and names.parquet (see README.md)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from mapper.parse import spellings
from mapper.parse.names import key, variants

if TYPE_CHECKING:
    from build import Row

#: Name-index ``source`` codes (lower wins when a key reaches a place twice).
PRIMARY, ASCII, ALTERNATE, ABBREVIATION, DEMONYM, SOUND = range(6)

# Press abbreviations: "UAE", "DPRK", "U.S.", "D.R.C.", and dotted short words ("Calif.",
# "Miss.", which Natural Earth lists among US states' alternate names).
_ABBREV_LIKE = re.compile(r"^(?:[A-Z]{2,5}|(?:[A-Z]\.\s?){2,5}|[A-Z][a-z]{1,4}\.)$")


def ascii_name(name: str) -> str:
    """``name`` with diacritics stripped and other non-ASCII letters transliterated or dropped."""
    out = []
    for ch in name:
        if ord(ch) < 128:
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        if folded.isascii():
            out.append(folded)
        elif ch in "‘’ʻʼ`´":
            out.append("'")
        else:
            out.append({"ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i",
                        "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ð": "d",
                        "þ": "th", "ħ": "h"}.get(ch, ""))
    return re.sub(r"\s+", " ", "".join(out)).strip()


PLACES_SCHEMA = pa.schema([
    ("id", pa.int32()), ("key", pa.string()), ("geonameid", pa.int64()), ("name", pa.string()),
    ("asciiname", pa.string()), ("alternatenames", pa.string()), ("kind", pa.string()),
    ("country", pa.string()), ("admin1", pa.string()), ("iso3166_2", pa.string()),
    ("population", pa.int64()), ("capital", pa.bool_()), ("lat", pa.float64()),
    ("lon", pa.float64()),
])

NAMES_SCHEMA = pa.schema([
    ("key", pa.string()), ("place_id", pa.int32()), ("form", pa.string()),
    ("source", pa.int8()),
])


def places_table(rows: list[Row]) -> pa.Table:
    """places.parquet: one row per place, ``id`` = row number."""
    keys = [r.key for r in rows]
    if len(set(keys)) != len(keys):
        dup = sorted({k for k in keys if keys.count(k) > 1})[:5]
        raise ValueError(f"duplicate place keys: {dup}")
    for r in rows:
        if not (-90 <= r.lat <= 90 and -180 <= r.lon <= 180):
            raise ValueError(f"{r.key}: point out of range ({r.lat}, {r.lon})")
    return pa.table({
        "id": list(range(len(rows))), "key": keys, "geonameid": [r.geonameid for r in rows],
        "name": [r.name for r in rows], "asciiname": [ascii_name(r.name) for r in rows],
        "alternatenames": ["|".join(r.alternates) for r in rows],
        "kind": [r.kind for r in rows], "country": [r.country for r in rows],
        "admin1": [r.admin1 for r in rows], "iso3166_2": [r.iso3166_2 for r in rows],
        "population": [r.population for r in rows], "capital": [r.capital for r in rows],
        "lat": [r.lat for r in rows], "lon": [r.lon for r in rows],
    }, schema=PLACES_SCHEMA)


def build_names(rows: list[Row]) -> pa.Table:
    """names.parquet: (key, place) pairs with the best-ranked form that produced each key."""
    best: dict[tuple[str, int], tuple[int, str]] = {}

    def add(form: str, place_id: int, source: int, k: str | None = None) -> None:
        k = key(form) if k is None else k
        if not k:
            return
        seen = best.get((k, place_id))
        if seen is None or seen[0] > source:
            best[(k, place_id)] = (source, form)

    for pid, r in enumerate(rows):
        for form in variants(r.name):
            add(form, pid, PRIMARY)
        for form in variants(ascii_name(r.name)):
            add(form, pid, ASCII)
        for form in r.abbreviations:  # before alternates: the hand-kept form names the key
            add(form, pid, ABBREVIATION)
        # "Gaza City", "Kuwait City": the name and the word "City" is the name itself.
        city_form = key(f"{r.name} City") if r.kind == "city" else None
        for alt in r.alternates:
            kind = ABBREVIATION if _ABBREV_LIKE.match(alt) else ALTERNATE
            if key(alt) == city_form:
                kind = PRIMARY
            for form in variants(alt):
                add(form, pid, kind)
        for form in r.demonyms:
            add(form, pid, DEMONYM)
        if spellings.indexed(r.kind, r.country, r.population):
            sound = spellings.sound_key(r.name)
            if len(sound) >= spellings.MIN_KEY:
                add(r.name, pid, SOUND, spellings.PREFIX + sound)
    items = sorted(best.items())
    return pa.table({
        "key": [k for (k, _), _ in items], "place_id": [p for (_, p), _ in items],
        "form": [f for _, (_, f) in items], "source": [s for _, (s, _) in items],
    }, schema=NAMES_SCHEMA)


def write_parquet(table: pa.Table, path: Path, dictionary: list[str],
                  encoding: dict[str, str]) -> None:
    """Write ``table`` with zstd, dictionary-encoding only the low-cardinality columns.

    The per-column encodings (prefix-sharing DELTA_BYTE_ARRAY for sorted keys, deltas for
    ids) take a third off pyarrow's defaults; the committed files must stay small.
    """
    pq.write_table(table, path, compression="zstd", compression_level=19,
                   use_dictionary=dictionary, column_encoding=encoding,
                   row_group_size=1 << 20)
