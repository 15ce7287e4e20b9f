"""mapper.parse.excerpts on the seed articles, hand-made texts and arbitrary ones (hypothesis)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapper.models import Article, Mention, Place
from mapper.parse.excerpts import excerpts_for, sentences
from mapper.read.corpus import read_corpus

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    articles, _ = read_corpus(SEEDS)
    return {a.id[:3]: a for a in articles}


def place(name: str) -> Place:
    return Place(key=f"test:{name}", name=name, kind="city", country="AF", lat=0.0, lon=0.0)


def mention(article: Article, surface: str, nth: int = 0, after: str = "") -> Mention:
    """The ``nth`` occurrence of ``surface`` in the article (after the text ``after``)."""
    i = article.text.index(after) - 1 if after else -1
    for _ in range(nth + 1):
        i = article.text.index(surface, i + 1)
    return Mention(article.id, i, i + len(surface), surface, place(surface), 0.9)


def only(article: Article, m: Mention):
    (ex,) = excerpts_for(article, [m])
    assert ex.article_id == article.id and ex.place_key == m.place.key
    assert article.text[ex.start : ex.start + len(ex.text)] == ex.text
    assert [ex.text[s:e] for s, e in ex.marks] == [m.surface]
    return ex


def test_plain_sentence(seeds):
    a = seeds["004"]
    ex = only(a, mention(a, "Kandahar"))
    assert ex.text == (
        "Afghan special operations forces have been able to hold off the Taliban in key "
        "centers, including Kandahar and Lashkar Gah, they said."
    )
    assert ex.marks == ((98, 106),)


def test_title_abbreviation_does_not_split(seeds):
    a = seeds["004"]
    assert only(a, mention(a, "Middle East")).text == (
        "Army Gen Mark Milley, chairman of the Joint Chiefs of Staff, spoke with his top "
        "Middle East commander, Gen. Frank McKenzie, on Monday, officials said."
    )


def test_us_abbreviation_does_not_split(seeds):
    a = seeds["003"]
    assert only(a, mention(a, "Vietnam", 1)).text == (
        "U.S. President Richard Nixon and his national security adviser, Henry Kissinger, had "
        "been looking for a way out of Vietnam as early as 1969."
    )


def test_curly_quotes_and_apostrophes(seeds):
    a = seeds["000"]
    ex = only(a, mention(a, "Kabul"))
    assert ex.text.startswith("Experts say the Taliban’s conventional strength")
    assert ex.text.endswith("would keep the rebels at bay.")


def test_title_line_is_an_excerpt(seeds):
    a = seeds["001"]
    ex = only(a, mention(a, "Herat"))
    assert ex.start == 0
    assert ex.text == (
        "Reply To US Airstrikes: Taliban Increase Attacks On Major Cities, Targeting Kandahar "
        "And Herat"
    )


def test_date_header_not_in_title_excerpt(seeds):
    a = seeds["000"]
    m = Mention(a.id, 17, 24, "Taliban", place("Taliban"), 0.5)
    ex = only(a, m)
    assert ex.start == 17
    assert ex.text.startswith("Taliban leaders see")


def test_short_sentence_widened_to_previous(seeds):
    a = seeds["002"]
    i = a.text.index("It was about withdrawing US forces.")
    ex = only(a, Mention(a.id, i + 25, i + 27, "US", place("US"), 0.9))
    assert ex.text == (
        "It was not about securing some kind of national reconciliation in Afghanistan. "
        "It was about withdrawing US forces."
    )


def test_caption_stops_at_blanked_credit(seeds):
    a = seeds["002"]
    ex = only(a, mention(a, "Kabul", after="Taliban fighters ride"))
    assert ex.text == (
        "Taliban fighters ride in their vehicle in Surkhroad district of Nangarhar province, "
        "east of Kabul, Afghanistan, Saturday, June 16, 2018"
    )
    ex = only(a, mention(a, "Kandahar"))
    assert ex.text.endswith("in Kandahar province, Afghanistan, July 13, 2021.")


def test_one_excerpt_per_place_and_sentence(seeds):
    a = seeds["001"]
    start = a.text.index('"Operations in Kandahar')
    end = a.text.index("said.", start) + 5
    ms = [
        Mention(a.id, m.start(), m.end(), m.group(), place(m.group()), 0.9)
        for m in re.finditer("Kandahar|Herat", a.text[start:end])
    ]
    ms = [Mention(a.id, m.start + start, m.end + start, m.surface, m.place, 0.9) for m in ms]
    herat, kandahar = excerpts_for(a, ms[::-1])  # order of input does not matter
    assert herat.place_key == "test:Herat" and kandahar.place_key == "test:Kandahar"
    assert herat.text == kandahar.text == a.text[start:end]
    assert kandahar.marks == ((15, 23), (127, 135), (173, 181))
    assert herat.marks == ((28, 33), (140, 145))


def test_ordered_by_position(seeds):
    a = seeds["001"]
    ms = [
        Mention(a.id, m.start(), m.end(), m.group(), place(m.group()), 0.9)
        for m in re.finditer("Kandahar|Herat|Kabul|Iran", a.text)
    ]
    out = excerpts_for(a, ms)
    assert [(x.start, x.place_key) for x in out] == sorted((x.start, x.place_key) for x in out)
    assert sum(len(x.marks) for x in out) == len(ms)
    for x in out:
        assert all(x.text[s:e] == x.place_key.split(":")[1] for s, e in x.marks)


def _article(text: str) -> Article:
    return Article(id="t.txt", path="t.txt", title="", date=None, text=text)


def test_short_sentence_never_crosses_paragraph():
    text = "Kabul.\n\nA much longer paragraph about something else entirely, far from here.\n"
    a = _article(text)
    (ex,) = excerpts_for(a, [Mention(a.id, 0, 5, "Kabul", place("Kabul"), 1.0)])
    assert ex.text == "Kabul."


def test_short_first_sentence_widened_to_next():
    text = "Kabul is calm. Shops opened on Monday and traffic returned to the main roads."
    a = _article(text)
    (ex,) = excerpts_for(a, [Mention(a.id, 0, 5, "Kabul", place("Kabul"), 1.0)])
    assert ex.text == text


def test_crlf_text():
    text = "Title\r\n\r\nFighting in Herat went on all night, officials in the west said.\r\n"
    a = _article(text)
    i = text.index("Herat")
    (ex,) = excerpts_for(a, [Mention(a.id, i, i + 5, "Herat", place("Herat"), 1.0)])
    assert ex.text == "Fighting in Herat went on all night, officials in the west said."


def test_out_of_range_raises():
    a = _article("Kabul.")
    with pytest.raises(ValueError, match="outside"):
        excerpts_for(a, [Mention(a.id, 3, 10, "x", place("x"), 1.0)])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "He met Dr. Smith in Kabul. Then he left for the U.S. The talks ended.",
            ["He met Dr. Smith in Kabul.", "Then he left for the U.S.", "The talks ended."],
        ),
        (
            "MICHAEL SEMPLE is at the George J. Mitchell Institute. He lives in Belfast.",
            ["MICHAEL SEMPLE is at the George J. Mitchell Institute.", "He lives in Belfast."],
        ),
        (
            '“If that doesn’t work, we fight.” He said so. "Really?" she asked.',
            ["“If that doesn’t work, we fight.”", "He said so.", '"Really?" she asked.'],
        ),
        (
            "The war ended on Aug. 30. Troops left Kabul at 11 p.m. local time.",
            ["The war ended on Aug. 30.", "Troops left Kabul at 11 p.m. local time."],
        ),
        (
            "JAKARTA - Militants changed strategy.This was revealed by commanders.",
            ["JAKARTA - Militants changed strategy.", "This was revealed by commanders."],
        ),
        ("It rose 3.5 per cent. No.", ["It rose 3.5 per cent.", "No."]),
        (
            "A headline without a stop\nThe body starts here. Second sentence.",
            ["A headline without a stop", "The body starts here.", "Second sentence."],
        ),
        (
            # Hard-wrapped: line breaks are spaces.
            "The Taliban have conquered more than 150 districts in the last\n"
            "two months alone, seizing a huge archipelago of security outposts\n"
            "and weapons. Many districts surrendered.",
            [
                "The Taliban have conquered more than 150 districts in the last\n"
                "two months alone, seizing a huge archipelago of security outposts\n"
                "and weapons.",
                "Many districts surrendered.",
            ],
        ),
    ],
)
def test_sentences(text, expected):
    assert [text[s:e] for s, e in sentences(text)] == expected


def test_seed_sentences_within_paragraphs(seeds):
    for a in seeds.values():
        for s, e in sentences(a.text):
            chunk = a.text[s:e]
            assert chunk == chunk.strip()
            assert not re.search(r"\n[^\S\n]*\n", chunk)  # never across a blank line


# Pieces that exercise the splitter: abbreviations, quotes, breaks, blank lines.
_PIECES = list("ab Kabul.!?\"“”’'\n\r\t -,:;()AUS") + ["U.S. ", "Gen. ", "\n\n", ". The "]
_texts = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=120).map("".join), st.text(max_size=300)
)


@st.composite
def article_and_mentions(draw):
    text = draw(_texts)
    a = _article(text)
    names = ["Kabul", "Herat", "Iran"]
    ms = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        name = draw(st.sampled_from(names))
        ms.append(Mention(a.id, start, end, text[start:end], place(name), 0.5))
    return a, ms


@settings(max_examples=400, deadline=None)
@given(article_and_mentions())
def test_property_excerpts_hold_their_mentions(case):
    a, ms = case
    out = excerpts_for(a, ms)
    marked: dict[str, set[tuple[int, int]]] = {}
    for ex in out:
        assert a.text[ex.start : ex.start + len(ex.text)] == ex.text
        for s, e in ex.marks:
            assert 0 <= s <= e <= len(ex.text)
            marked.setdefault(ex.place_key, set()).add((ex.start + s, ex.start + e))
    for m in ms:  # every mention is marked, with its surface, in an excerpt of its place
        assert (m.start, m.end) in marked[m.place.key]
        assert any(
            ex.text[s:e] == m.surface
            for ex in out
            if ex.place_key == m.place.key
            for s, e in ex.marks
        )
    keys = [(ex.start, ex.place_key) for ex in out]
    assert keys == sorted(keys)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_property_sentences_any_text(text):
    spans = sentences(text)
    assert spans == sorted(spans)
    for s, e in spans:
        assert 0 <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()


def test_one_giant_sentence_gives_bounded_excerpts_quickly():
    """A 5 MB line with no full stop: excerpts are windows around the mentions, not the
    whole line, and building them is linear (it once took ten minutes)."""
    import time

    from mapper.parse.excerpts import MAX_CHARS

    unit = "Fighting in Kabul went on while officials talked and talked "
    text = (unit * (5_000_000 // len(unit) + 1))[:5_000_000]
    place = Place("gn:1138958", "Kabul", "city", "AF", 34.5, 69.2)
    starts = range(text.index("Kabul"), len(text) - 10, len(unit))
    mentions = [Mention("big.txt", s, s + 5, "Kabul", place, 1.0) for s in starts]
    started = time.process_time()
    excerpts = excerpts_for(Article("big.txt", "big.txt", "t", None, text), mentions)
    assert time.process_time() - started < 30
    assert max(len(e.text) for e in excerpts) <= MAX_CHARS
    marked = sum(len(e.marks) for e in excerpts)
    assert marked == len(mentions)
    for e in excerpts[:50]:
        assert all(e.text[a:b] == "Kabul" for a, b in e.marks)
