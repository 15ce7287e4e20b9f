"""mapper.parse.evaluate on a tiny hand-made gold with known scores, and on GeoWebNews."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from geopy.distance import great_circle

from mapper.errors import GoldError
from mapper.models import Mention, Place
from mapper.parse.evaluate import (
    GoldDoc,
    GoldToponym,
    format_report,
    match,
    read_gold,
    score,
)
from mapper.parse.geo import distance_km

GEOWEBNEWS = Path(__file__).resolve().parents[2] / "shared" / "gold" / "geowebnews.jsonl"

KABUL = (34.52813, 69.17233)
HERAT = (34.34817, 62.19967)
KANDAHAR = (31.61332, 65.71013)
AFGHANISTAN = (33.0, 65.0)
NEW_YORK = (40.71427, -74.00597)

TEXT1 = "Kabul and Herat are in Afghanistan. Paris too."
TEXT2 = "New York City was quiet."


def place(name: str, latlon: tuple[float, float]) -> Place:
    return Place(
        key=f"test:{name}", name=name, kind="city", country="", lat=latlon[0], lon=latlon[1]
    )


def mention(doc: str, text: str, start: int, end: int, name: str, latlon) -> Mention:
    return Mention(doc, start, end, text[start:end], place(name, latlon), 0.9)


@pytest.fixture()
def gold_file(tmp_path: Path) -> Path:
    docs = [
        {
            "id": "d1",
            "text": TEXT1,
            "toponyms": [
                {"start": 0, "end": 5, "name": "Kabul", "lat": KABUL[0], "lon": KABUL[1]},
                {"start": 10, "end": 15, "name": "Herat", "lat": HERAT[0], "lon": HERAT[1]},
                {
                    "start": 23,
                    "end": 34,
                    "name": "Afghanistan",
                    "lat": 33.0,
                    "lon": 65.0,
                    "geonameid": 1149361,
                    "type": "Literal",
                },
                {"start": 36, "end": 41, "name": "Paris", "lat": None, "lon": None},
            ],
        },
        {
            "id": "d2",
            "text": TEXT2,
            "toponyms": [
                {
                    "start": 0,
                    "end": 13,
                    "name": "New York City",
                    "lat": NEW_YORK[0],
                    "lon": NEW_YORK[1],
                }
            ],
        },
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n\n", encoding="utf-8")
    return path


def predictions() -> dict[str, list[Mention]]:
    return {
        "d1": [
            mention("d1", TEXT1, 0, 5, "Kabul", KABUL),  # right
            mention("d1", TEXT1, 10, 15, "Kandahar", KANDAHAR),  # found, misplaced
            mention("d1", TEXT1, 23, 30, "Afghanistan", AFGHANISTAN),  # partial span: a match
            mention("d1", TEXT1, 42, 45, "Too", KABUL),  # spurious
            # Paris: missed
        ],
        "d2": [
            mention("d2", TEXT2, 0, 8, "New York", NEW_YORK),  # overlaps 8: loses
            mention("d2", TEXT2, 4, 13, "York City", NEW_YORK),  # overlaps 9: wins
        ],
        "not-in-gold": [mention("x", "Kabul", 0, 5, "Kabul", KABUL)],
    }


def test_read_gold(gold_file):
    docs = read_gold(gold_file)
    assert [d.id for d in docs] == ["d1", "d2"]
    afg = docs[0].toponyms[2]
    assert afg == GoldToponym(23, 34, "Afghanistan", 33.0, 65.0, 1149361, "Literal")
    assert docs[0].toponyms[3].lat is None
    assert isinstance(docs[0], GoldDoc) and docs[0].text == TEXT1


def test_scores_known_numbers(gold_file):
    s = score(read_gold(gold_file), predictions())
    assert (s.true_positives, s.false_positives, s.false_negatives) == (4, 2, 1)
    assert s.precision == pytest.approx(4 / 6)
    assert s.recall == pytest.approx(4 / 5)
    assert s.f1 == pytest.approx(8 / 11)
    herat_kandahar = distance_km(*HERAT, *KANDAHAR)
    assert 440 < herat_kandahar < 455  # straight line; the road is ~560 km
    assert s.located == 4  # Kabul, Herat, Afghanistan, New York City
    assert s.accuracy_161 == pytest.approx(3 / 4)
    assert s.mean_km == pytest.approx(herat_kandahar / 4)
    assert s.median_km == pytest.approx(0.0)
    kinds = [(m.kind, m.doc_id, m.surface) for m in s.mistakes]
    assert kinds == [
        ("misplaced", "d1", "Herat"),
        ("missed", "d1", "Paris"),
        ("spurious", "d1", "too"),
        ("spurious", "d2", "New York"),
    ]
    misplaced = s.mistakes[0]
    assert misplaced.place_name == "Kandahar" and misplaced.km == pytest.approx(herat_kandahar)


def test_report(gold_file):
    s = score(read_gold(gold_file), predictions())
    text = format_report(s)
    assert "precision        0.667" in text and "recall           0.800" in text
    assert "F1               0.727" in text and "accuracy@161km   0.750" in text
    assert "mistakes" not in text
    full = format_report(s, errors=True, limit=2)
    assert "mistakes (4, showing 2)" in full
    assert "gold 'Herat', found 'Kandahar' (test:Kandahar)" in full and "km away" in full
    assert "'Paris' not found" in full


def test_no_predictions_and_empty_gold(gold_file):
    s = score(read_gold(gold_file), {})
    assert (s.true_positives, s.false_negatives, s.precision, s.recall, s.f1) == (0, 5, 0, 0, 0)
    assert s.accuracy_161 is None and s.mean_km is None and s.median_km is None
    assert "n/a" in format_report(s)
    assert score([], predictions()).docs == 0


def test_match_one_to_one_greedy():
    gold = [GoldToponym(0, 7, "Lashkar"), GoldToponym(8, 11, "Gah")]
    text = "Lashkar Gah"
    wide = mention("d", text, 0, 11, "Lashkar Gah", KANDAHAR)
    assert match(gold, [wide]) == [(0, 0)]  # overlaps Lashkar by 7, Gah by 3
    touching = mention("d", text, 7, 8, "space", KANDAHAR)  # touches both, overlaps neither
    assert match(gold, [touching]) == []


def test_distance_agrees_with_geopy():
    for a, b in [(KABUL, HERAT), (KABUL, NEW_YORK), ((0.0, 179.9), (0.0, -179.9))]:
        assert distance_km(*a, *b) == pytest.approx(great_circle(a, b).km, rel=1e-9)
    assert distance_km(*KABUL, *KABUL) == 0.0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1"),
        ('{"id": "a"}', "missing key 'text'"),
        ('{"id": "a", "text": "Kabul", "toponyms": [{"start": 3, "end": 9}]}', "bad span"),
    ],
)
def test_malformed_gold(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match=message):
        read_gold(path)


def test_missing_gold_file(tmp_path):
    with pytest.raises(GoldError, match="No such file"):
        read_gold(tmp_path / "nope.jsonl")


@pytest.mark.skipif(not GEOWEBNEWS.exists(), reason="GeoWebNews gold not available here")
def test_geowebnews_gold_against_itself():
    docs = read_gold(GEOWEBNEWS)
    assert len(docs) == 200 and sum(len(d.toponyms) for d in docs) == 2718
    perfect = {
        d.id: [
            mention(d.id, d.text, t.start, t.end, t.name, (t.lat or 0.0, t.lon or 0.0))
            for t in d.toponyms
        ]
        for d in docs
    }
    s = score(docs, perfect)
    assert (s.precision, s.recall, s.accuracy_161, s.mean_km) == (1.0, 1.0, 1.0, 0.0)
    assert s.located == sum(1 for d in docs for t in d.toponyms if t.lat is not None)
