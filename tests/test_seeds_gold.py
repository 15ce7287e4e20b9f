"""The geoparser against our hand-checked places of the five seed articles (gold_seeds.json).

Every 'literal' place must be found in its article within 161 km (countries: same code);
at most one found place per article may be in neither tier.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mapper.parse.geo import distance_km
from mapper.parse.geoparse import Geoparser
from mapper.read.corpus import read_article

ROOT = Path(__file__).resolve().parent.parent
GOLD = json.loads((Path(__file__).parent / "gold_seeds.json").read_text(encoding="utf-8"))
DOCS = GOLD["documents"]


def _matches(found, gold: dict) -> bool:
    if gold["kind"] == "country" and found.kind == "country":
        return found.country == gold["cc"]
    return distance_km(found.lat, found.lon, gold["lat"], gold["lon"]) <= 161


@pytest.fixture(scope="module")
def parsed() -> dict[str, list]:
    parser = Geoparser()
    out = {}
    for doc in DOCS:
        article = read_article(ROOT / "seeds" / doc["file"], ROOT / "seeds")
        out[doc["file"]] = parser.parse(article)
    return out


@pytest.mark.parametrize("doc", DOCS, ids=[d["file"] for d in DOCS])
def test_every_literal_place_is_found(doc, parsed):
    places = {m.place.key: m.place for m in parsed[doc["file"]]}
    missing = [g["name"] for g in doc["places"] if g["tier"] == "literal"
               and not any(_matches(p, g) for p in places.values())]
    assert missing == [], f"not found in {doc['file']}: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=[d["file"] for d in DOCS])
def test_at_most_one_place_outside_gold(doc, parsed):
    places = {m.place.key: m.place for m in parsed[doc["file"]]}
    extra = sorted(
        f"{p.name} ({p.kind}, {p.country})" for p in places.values()
        if not any(_matches(p, g) for g in doc["places"])
    )
    assert len(extra) <= 1, f"places in neither tier in {doc['file']}: {extra}"


def test_mentions_are_exact_spans(parsed):
    for doc in DOCS:
        text = read_article(ROOT / "seeds" / doc["file"]).text
        for m in parsed[doc["file"]]:
            assert text[m.start:m.end] == m.surface
