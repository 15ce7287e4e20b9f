"""mapper.read.corpus and mapper.read.furniture on the seed articles and on broken files."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapper.errors import ArticleError
from mapper.read.corpus import Problem, decode, read_article, read_corpus
from mapper.read.furniture import furniture_spans, is_furniture

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

TITLES = {
    "000_0a9d9fb4efdf6a0c.txt": "Taliban leaders see battlefield dominance as a means of gaining "
    "political and diplomatic power.",
    "001_af361669c30f5528.txt": "Reply To US Airstrikes: Taliban Increase Attacks On Major "
    "Cities, Targeting Kandahar And Herat",
    "004_63138d52634a9ea7.txt": "US signals no change in airstrikes as Afghan Taliban advance",
}


@pytest.fixture(scope="module")
def seeds() -> dict[str, object]:
    articles, problems = read_corpus(SEEDS)
    assert problems == []
    return {a.id: a for a in articles}


def test_seed_ids_sorted_and_hashed(seeds):
    assert list(seeds) == sorted(p.name for p in SEEDS.glob("*.txt"))
    a = seeds["000_0a9d9fb4efdf6a0c.txt"]
    assert len(a.sha256) == 64
    assert a.path == str(SEEDS / "000_0a9d9fb4efdf6a0c.txt")


def test_seed_titles_and_dates(seeds):
    for name, title in TITLES.items():
        assert seeds[name].title == title
    assert seeds["002_2a46004d9f5f3fd3.txt"].title.startswith(
        "The US-backed prisoner swap between Kabul and the Taliban* eventually backfired"
    )
    assert seeds["003_614860f572497f8b.txt"].title.startswith("Zalmay Khalilzad, the United States")
    assert seeds["000_0a9d9fb4efdf6a0c.txt"].date == dt.date(2021, 7, 16)
    for name in list(seeds)[1:]:
        assert seeds[name].date is None


def test_lengths_equal_decoded_file(seeds):
    for a in seeds.values():
        assert len(a.text) == len(Path(a.path).read_bytes().decode("utf-8"))


def test_date_header_blanked_title_kept(seeds):
    text = seeds["000_0a9d9fb4efdf6a0c.txt"].text
    assert "date" not in text.split("\n")[0]
    assert text.startswith(" " * 17 + "Taliban leaders see battlefield dominance")


@pytest.mark.parametrize(
    ("name", "gone"),
    [
        (
            "001_af361669c30f5528.txt",
            "Illustration of the Taliban Army. (Wikimedia Commons/isafmedia)",
        ),
        ("001_af361669c30f5528.txt", "Mirahmad Kouhnavard"),
        ("002_2a46004d9f5f3fd3.txt", "© REUTERS"),
        ("002_2a46004d9f5f3fd3.txt", "Raumat Gul"),
        ("003_614860f572497f8b.txt", "You are reading a free article."),
        ("003_614860f572497f8b.txt", "Subscribe Now"),
        ("003_614860f572497f8b.txt", "Subscribe to Foreign Affairs"),
        ("003_614860f572497f8b.txt", "Paywall-free reading"),
        ("003_614860f572497f8b.txt", "Queen’s University Belfast"),
        ("003_614860f572497f8b.txt", "More By Michael Semple"),
        ("004_63138d52634a9ea7.txt", "Share it"),
        ("004_63138d52634a9ea7.txt", "Next Story"),
    ],
)
def test_furniture_blanked(seeds, name, gone):
    a = seeds[name]
    assert gone in Path(a.path).read_text(encoding="utf-8")
    assert gone not in a.text


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("001_af361669c30f5528.txt", "Heavy fighting broke out inside the cities of Herat"),
        ("001_af361669c30f5528.txt", "Kandahar and Herat are the second and third largest cities"),
        ("002_2a46004d9f5f3fd3.txt", "in Kandahar province, Afghanistan, July 13, 2021."),
        (
            "002_2a46004d9f5f3fd3.txt",
            "*Taliban is designated as a terrorist organisation in Russia",
        ),
        ("003_614860f572497f8b.txt", "The United States may not manage a responsible exit"),
        ("003_614860f572497f8b.txt", "with\u00a0Afghanistan's President Ashraf Ghani in Kabul"),
        ("004_63138d52634a9ea7.txt", "Washington DC: The United States showed no sign Monday"),
        (
            "004_63138d52634a9ea7.txt",
            "the end of the month despite the Taliban's rapid strategic gains.",
        ),
    ],
)
def test_real_sentences_kept(seeds, name, kept):
    assert kept in seeds[name].text


@pytest.mark.parametrize(
    "line",
    [
        "Next Story",
        "Share it",
        "Subscribe Now",
        "You are reading a free article.",
        "Subscribe to Foreign Affairs to get unlimited access.",
        "© REUTERS / Danish Siddiqui",
        "© AP Photo / Raumat Gul",
        "Illustration of the Taliban Army. (Wikimedia Commons/isafmedia)",
        "  • More By Michael Semple",
        "Advertisement",
        "Read more: Taliban seize Kunduz",
        "Photo: AFP",
        "REUTERS/Mohammad Ismail",
        "Follow us on Twitter",
        "Sign up for our daily newsletter",
        "We use cookies to improve your experience.",
        "Copyright 2018 Scripps Media, Inc. All rights reserved.",
    ],
)
def test_is_furniture(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        # Real lines from the seeds, including short ones and captions with places.
        "They have besieged provincial capitals and assaulted vital border crossings, full of "
        "confidence.",
        "Officials and experts say they have seen signs of a change in the Taliban's strategy in "
        "the last month.",
        "Taliban leaders are wrong to imagine that they can replicate the successes of the "
        "Vietnamese communists.",
        "Washington's hasty pullout is nothing short of \"a disgraceful betrayal of Afghan "
        'people," insists Akbarzadeh.',
        "US signals no change in airstrikes as Afghan Taliban advance",
        "Share prices in Kabul fell sharply on Monday.",
        "Subscribers in Herat lost access to the network.",
        "More than 150 districts have fallen.",
        "Copyright law in Afghanistan is weak.",
        "Related talks in Doha stalled, officials said.",
        "Following the fall of Kunduz, officials met in Kabul.",
    ],
)
def test_not_furniture(line):
    assert not is_furniture(line)


def test_paywall_bullets_only_after_opener():
    text = "Title\n\nThe army listed:\n  • Kandahar\n  • Herat\n"
    assert furniture_spans(text) == []


def _write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


SENTENCE = "Fighting near Kandahar in Afghanistan’s south — café owners fled.\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("cp1252", b""),
        ("latin-1", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16", b""),  # Python's utf-16 writes a BOM
        ("utf-16-le", b"\xff\xfe"),
    ],
)
def test_encodings(tmp_path, encoding, prefix):
    text = "Title line\n\n" + SENTENCE * 3
    if encoding == "latin-1":
        text = text.replace("’", "'").replace("—", "-")
    _write(tmp_path, "a.txt", prefix + text.encode(encoding))
    a = read_article(tmp_path / "a.txt", root=tmp_path)
    assert a.text == text  # decoded exactly, BOM dropped
    assert a.title == "Title line"


def test_bomless_utf16(tmp_path):
    text = "Title\n\nKabul and Herat were quiet on Monday.\n"
    assert decode(text.encode("utf-16-le")) == text
    assert decode(text.encode("utf-16-be")) == text


def test_crlf_kept(tmp_path):
    raw = "Title\r\n\r\nKabul fell.\r\nShare it\r\n"
    _write(tmp_path, "crlf.txt", raw.encode())
    a = read_article(tmp_path / "crlf.txt")
    assert len(a.text) == len(raw)
    assert a.text.index("Kabul") == raw.index("Kabul")
    assert a.text.endswith("Kabul fell.\r\n" + " " * 8 + "\r\n")


def test_front_matter(tmp_path):
    raw = '---\ntitle: "Fall of Kunduz"\ndate: 2021-08-08\nauthor: X\n---\n'
    raw += "# Heading\n\nKunduz fell.\n"
    _write(tmp_path, "fm.md", raw.encode())
    a = read_article(tmp_path / "fm.md")
    assert (a.title, a.date) == ("Fall of Kunduz", dt.date(2021, 8, 8))
    assert "title" not in a.text and "2021" not in a.text
    assert a.text.index("Kunduz fell.") == raw.index("Kunduz fell.")


def test_markdown_heading_and_date_line(tmp_path):
    _write(tmp_path, "h.md", b"date 2021-08-09\n\n## Herat under siege ##\n\nText about Herat.\n")
    a = read_article(tmp_path / "h.md")
    assert (a.title, a.date) == ("Herat under siege", dt.date(2021, 8, 9))
    assert a.text.startswith(" " * 15 + "\n")


def test_no_invented_date(tmp_path):
    _write(tmp_path, "d.txt", b"date 2021-13-45 Kabul\n\nNothing.\n")
    a = read_article(tmp_path / "d.txt")
    assert a.date is None
    assert a.text.startswith("date 2021-13-45")


def test_broken_files_are_problems(tmp_path):
    good = (SEEDS / "004_63138d52634a9ea7.txt").read_bytes()
    _write(tmp_path, "good.txt", good)
    _write(tmp_path, "sub/deeper/good2.md", b"Kabul\n\nKabul is a city.\n")
    _write(tmp_path, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    _write(tmp_path, "empty.txt", b"")
    _write(tmp_path, "blank.txt", b"  \n\t\r\n  ")
    _write(tmp_path, "big.txt", b"Kabul. " * 1000)
    _write(tmp_path, ".hidden.txt", b"ignored")
    _write(tmp_path, "notes.csv", b"ignored")
    (tmp_path / "dir.txt").mkdir()
    _write(tmp_path, "dir.txt/inner.txt", b"Herat\n\nHerat is a city.\n")
    os.symlink(tmp_path / "missing.txt", tmp_path / "broken.txt")
    os.symlink(tmp_path / "loop.txt", tmp_path / "loop.txt")
    os.symlink(tmp_path, tmp_path / "sub" / "up")  # a directory loop: not followed twice

    articles, problems = read_corpus(tmp_path, max_bytes=5000)
    assert [a.id for a in articles] == ["dir.txt/inner.txt", "good.txt", "sub/deeper/good2.md"]
    assert articles[1].text.startswith("US signals no change")
    by_name = {Path(p.path).name: p.message for p in problems}
    assert set(by_name) == {
        "binary.txt",
        "empty.txt",
        "blank.txt",
        "big.txt",
        "dir.txt",
        "broken.txt",
        "loop.txt",
    }
    assert "binary" in by_name["binary.txt"]
    assert "empty" in by_name["empty.txt"] and "empty" in by_name["blank.txt"]
    assert "5,000" in by_name["big.txt"] and "max-bytes" in by_name["big.txt"]
    assert "directory" in by_name["dir.txt"]
    assert "broken" in by_name["broken.txt"]
    assert "loop" in by_name["loop.txt"]
    assert all(isinstance(p, Problem) and str(tmp_path) in p.path for p in problems)


def test_read_article_raises(tmp_path):
    (tmp_path / "d.txt").mkdir()
    with pytest.raises(ArticleError) as info:
        read_article(tmp_path / "d.txt")
    assert info.value.path == str(tmp_path / "d.txt")
    with pytest.raises(ArticleError, match="binary"):
        read_article(_write(tmp_path, "z.txt", b"text\x00more text"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable(tmp_path):
    p = _write(tmp_path, "secret.txt", b"Kabul\n")
    p.chmod(0)
    try:
        _, problems = read_corpus(tmp_path)
        assert problems == [Problem(str(p), "permission denied (cannot read the file)")]
    finally:
        p.chmod(0o644)


def test_exclude_output_folder(tmp_path):
    shutil.copy(SEEDS / "004_63138d52634a9ea7.txt", tmp_path / "a.txt")
    _write(tmp_path, "out/report.md", b"Report\n\nKabul\n")
    articles, _ = read_corpus(tmp_path, exclude=[tmp_path / "out"])
    assert [a.id for a in articles] == ["a.txt"]


def test_furniture_above_title_is_not_the_title(tmp_path):
    raw = "Advertisement\n\nKabul airport reopens\n\nFlights to Kabul resumed.\n"
    a = read_article(_write(tmp_path, "ad.txt", raw.encode()))
    assert a.title == "Kabul airport reopens"
    assert a.text.startswith(" " * 13 + "\n\nKabul airport reopens")


def test_horizontal_rule_is_not_front_matter(tmp_path):
    raw = "---\nKabul airport reopens\n\nFlights resumed.\n---\nMore text.\n"
    a = read_article(_write(tmp_path, "hr.md", raw.encode()))
    assert a.title == "Kabul airport reopens"
    assert "Flights resumed." in a.text


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_property_any_bytes(data):
    """Any bytes give an Article as long as their decoded text, or an ArticleError."""
    try:
        text = decode(data)
    except ArticleError:
        return
    try:
        a = _article_from(data)
    except ArticleError as exc:
        assert "empty" in exc.reason
        return
    assert len(a.text) == len(text)


def _article_from(data: bytes):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        return read_article(_write(Path(d), "x.txt", data))


def test_one_line_article_gets_a_short_title(tmp_path):
    line = "Fighting in Kabul went on while officials talked " * 2000
    article = read_article(_write(tmp_path, "oneline.txt", line.encode()))
    assert len(article.title) <= 200 and article.title.endswith("\u2026")
    assert article.title.startswith("Fighting in Kabul went on")
    assert article.text == line  # the text itself is untouched
