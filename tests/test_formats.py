"""Saved web pages, PDF reports and dated plain text: what each reader takes from a file,
and what a build of them maps (never the pages' boilerplate)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from buildkit import payload
from click.testing import CliRunner
from formatkit import (
    BOILERPLATE_PLACES,
    HOSTILE_PLACES,
    HOSTILE_STORY,
    PAGES,
    REPORT_DATE,
    REPORT_PAGES,
    REPORT_TITLE,
    STORIES,
    STORY_PLACES,
    hostile_page,
    make_pdf,
    make_scan,
    mixed_corpus,
)

from mapper.build import build
from mapper.cli import main
from mapper.errors import ArticleError, NoArticlesError
from mapper.read.corpus import read_article
from mapper.read.formats.text import read_text


@pytest.mark.parametrize("name", sorted(STORIES))
def test_a_saved_page_gives_its_story_title_date_outlet_and_url(name: str) -> None:
    title, date, outlet, url = STORIES[name]
    article = read_article(PAGES / name)
    assert (article.title, article.date, article.outlet, article.url) == (title, date, outlet,
                                                                          url)
    assert STORY_PLACES[name] in article.text
    leaked = [p for p in BOILERPLATE_PLACES if p in article.text]
    assert leaked == []
    for junk in ("cookies", "Accept all", "comments", "Related stories", "All rights reserved",
                 "Advertisement", "harbourwatcher", "dataLayer"):
        assert junk not in article.text


def test_the_date_of_saving_is_never_the_date(tmp_path: Path) -> None:
    # A page with no date of its own, saved by a browser extension that notes when.
    page = tmp_path / "undated.html"
    page.write_text(
        "<!-- Page saved with SingleFile, saved date: Mon Dec 01 2025 10:14:07 GMT -->"
        "<html><head><title>Water talks</title></head><body><article><h1>Water talks</h1>"
        + "<p>Negotiators met in Geneva to discuss the river basin, and agreed to meet "
          "again after the rainy season, officials said on Tuesday.</p>" * 3
        + "</article><footer>Saved 2025-12-01. Copyright 2026.</footer></body></html>",
        encoding="utf-8")
    article = read_article(page)
    assert article.date is None and "Geneva" in article.text
    assert article.url == ""  # no canonical URL and no "saved from" line


def test_a_browser_saved_page_keeps_the_address_it_came_from(tmp_path: Path) -> None:
    page = tmp_path / "saved.html"
    page.write_text("<!-- saved from url=(0031)https://news.example/a/story -->\n<html><body>"
                    "<article><p>" + "Rain fell on Lagos for a third day running. " * 8
                    + "</p></article></body></html>", encoding="utf-8")
    assert read_article(page).url == "https://news.example/a/story"


def test_a_hostile_page_maps_safely(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "hostile.html").write_bytes(hostile_page(size=20_000_000))
    assert (corpus / "hostile.html").stat().st_size > 19_900_000
    result = build(corpus, tmp_path / "out")
    assert result.articles == 1 and not result.problems
    data = payload(tmp_path / "out" / "index.html")
    fields = data["fields"]["articles"]
    article = dict(zip(fields, data["articles"][0], strict=False))
    text = article["text"]  # the whole text: the corpus is small
    assert HOSTILE_STORY in text  # UTF-8 read as UTF-8, whatever the page declares
    assert [p for p in HOSTILE_PLACES if p in text] == []
    for junk in ("alert", "javascript", "<", "AAAA"):
        assert junk not in text
    assert article.get("url", "") == ""  # a javascript: canonical URL is not an address
    assert article["date"] == "2021-09-12"
    names = {p[1] for p in data["places"]}
    assert {"Kraków", "Zürich", "São Paulo"} & names
    assert not names & set(HOSTILE_PLACES)


def test_a_pdf_report_gives_its_pages_title_and_date(tmp_path: Path) -> None:
    article = read_article(make_pdf(tmp_path / "report.pdf"))
    assert (article.title, article.date) == (REPORT_TITLE, REPORT_DATE)
    assert len(article.pages) == 2 and article.pages[0] == 0
    second = article.text[article.pages[1]:]
    assert "Kombolcha" in second and "Mekelle" not in second
    assert article.page_at(article.text.index("Gondar")) == 1
    assert article.page_at(article.text.index("Addis Ababa")) == 2
    # The title comes from the first line when the metadata has none.
    bare = read_article(make_pdf(tmp_path / "bare.pdf", title=""))
    assert bare.title == "Situation report"


def test_a_scanned_pdf_is_refused_by_name(tmp_path: Path) -> None:
    scan = make_scan(tmp_path / "scan.pdf")
    with pytest.raises(ArticleError, match="no text layer.*OCR it first"):
        read_article(scan)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really")
    with pytest.raises(ArticleError, match="not a readable PDF"):
        read_article(broken)


def test_excerpts_say_their_page_in_every_export(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_pdf(corpus / "report.pdf")
    shutil.copy(PAGES / "wire_jsonld.html", corpus / "wire.html")
    out = tmp_path / "out"
    build(corpus, out, exports=("mentions.csv", "mentions.geojson"))
    with (out / "mentions.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    pages = {r["surface"]: r["page"] for r in rows if r["article_id"] == "report.pdf"}
    assert pages["Gondar"] == "1" and pages["Addis Ababa"] == "2"
    wire = [r for r in rows if r["article_id"] == "wire.html"]
    assert wire and {r["page"] for r in wire} == {""}
    assert {(r["outlet"], r["url"], r["date"]) for r in wire} == {
        (STORIES["wire_jsonld.html"][2], STORIES["wire_jsonld.html"][3], "2021-07-16")}
    features = json.loads((out / "mentions.geojson").read_text(encoding="utf-8"))["features"]
    by_surface = {f["properties"]["surface"]: f["properties"] for f in features}
    assert by_surface["Addis Ababa"]["page"] == 2 and by_surface["Sirajganj"]["page"] is None
    assert by_surface["Sirajganj"]["outlet"] == "Meridian Wire"
    import pyogrio

    gpkg = out / "places.gpkg"
    mentions = pyogrio.read_dataframe(gpkg, layer="mentions")
    assert set(mentions.loc[mentions["surface"] == "Addis Ababa", "page"]) == {2}
    articles = pyogrio.read_dataframe(gpkg, layer="articles")
    row = articles.set_index("article_id").loc["wire.html"]
    assert (row["outlet"], row["url"]) == STORIES["wire_jsonld.html"][2:]


def test_a_mixed_corpus_maps_its_stories_and_never_their_boilerplate(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build(mixed_corpus(tmp_path / "corpus"), out)
    assert result.articles == 5 and not result.problems
    data = payload(out / "index.html")
    fields = data["fields"]["articles"]
    articles = {r[0]: dict(zip(fields, r, strict=False)) for r in data["articles"]}
    assert articles["wire_jsonld.html"]["outlet"] == "Meridian Wire"
    assert articles["report.pdf"]["date"] == REPORT_DATE.isoformat()
    assert articles["kabul.txt"]["date"] == "2021-09-09"
    names = {p[1] for p in data["places"]}
    assert {"Sirajganj", "Herāt", "Beira", "Kabul", "Gonder"} <= names
    excerpts = json.dumps(data, ensure_ascii=False)
    assert [p for p in BOILERPLATE_PLACES if p in names] == []
    for junk in ("Accept all", "harbourwatcher", "Related stories"):
        assert junk not in excerpts


@pytest.mark.parametrize(("head", "date"), [
    ("Published: July 16, 2021", dt.date(2021, 7, 16)),
    ("Date: 16 July 2021", dt.date(2021, 7, 16)),
    ("Published on 2021-07-16 10:30 GMT", dt.date(2021, 7, 16)),
    ("date: Friday, July 16, 2021", dt.date(2021, 7, 16)),
    ("Published: July 2021", None),  # no day: no date
    ("Published: yesterday", None),  # nothing to tell which day
])
def test_plain_text_reads_the_dates_people_write(head: str, date: dt.date | None) -> None:
    text = f"Floods in Dhaka\nBy a correspondent\n{head}\n\nRain fell on 3 March 2020 in Dhaka."
    found = read_text(text.encode(), "x.txt")
    assert (found.title, found.date) == ("Floods in Dhaka", date)
    assert head not in found.text if date else head in found.text
    assert len(found.text) == len(text)  # the date line blanked, not removed


def test_a_date_line_below_the_fifth_line_or_in_the_story_is_not_the_date() -> None:
    late = "Title\nb\nc\nd\ne\nDate: July 16, 2021\n"
    assert read_text(late.encode(), "x.txt").date is None
    inside = "Title\n\nThe ceasefire was agreed on July 16, 2021. Published: 12 May 2020.\n"
    assert read_text(inside.encode(), "x.txt").date is None


def test_front_matter_gives_outlet_and_url_and_only_http_links() -> None:
    text = ("---\ntitle: Port strike ends\ndate: 2021-05-02\noutlet: Harbour Times\n"
            "url: https://harbour.example/strike\n---\n\nDockers in Antwerp went back.\n")
    found = read_text(text.encode(), "x.md")
    assert (found.outlet, found.url, found.date) == ("Harbour Times",
                                                     "https://harbour.example/strike",
                                                     dt.date(2021, 5, 2))
    evil = text.replace("https://harbour.example/strike", "javascript:alert(1)")
    assert read_text(evil.encode(), "x.md").url == ""


def _run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_build_names_the_file_types_it_ignores(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    shutil.copy(PAGES / "blog_time.html", corpus / "blog.html")
    for name in ("a.docx", "b.docx", "sub/c.docx", "photo.jpg"):
        (corpus / name).write_bytes(b"PK\x03\x04")
    result = _run("build", corpus, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.output
    assert ("3 .docx files, 1 .jpg file ignored: not a supported format" in result.stderr)


def test_a_folder_with_nothing_readable_stops_with_a_message(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.docx", "b.docx", "c.docx"):
        (corpus / name).write_bytes(b"PK\x03\x04")
    out = tmp_path / "out"
    result = _run("build", corpus, "--out", out)
    assert result.exit_code == 1
    assert "nothing to map" in result.output
    assert "3 .docx files ignored: not a supported format" in result.output
    assert not out.exists()
    # Only a scan: it is named, and nothing is mapped.
    make_scan(corpus / "scan.pdf")
    result = _run("build", corpus, "--out", out)
    assert result.exit_code == 1
    assert f"skipped {corpus / 'scan.pdf'}: no text layer" in result.stderr
    assert "1 unreadable" in result.output and not out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run("build", empty, "--out", out)
    assert result.exit_code == 1 and "the folder is empty" in result.output
    with pytest.raises(NoArticlesError):
        build(empty, out)


def test_parse_prints_the_extracted_text_its_offsets_point_into(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "report.pdf")
    result = _run("parse", "--with-text", PAGES / "wire_jsonld.html", pdf)
    assert result.exit_code == 0, result.output
    docs = [json.loads(line) for line in result.output.splitlines()]
    wire, report = docs
    assert wire["outlet"] == "Meridian Wire" and wire["date"] == "2021-07-16"
    assert wire["text"] == read_article(PAGES / "wire_jsonld.html").text
    for doc in docs:
        assert doc["mentions"]
        for m in doc["mentions"]:
            assert doc["text"][m["start"]:m["end"]] == m["surface"]
    pages = {m["surface"]: m["page"] for m in report["mentions"]}
    assert pages["Gondar"] == 1 and pages["Addis Ababa"] == 2
    assert "page" not in wire["mentions"][0]
    assert REPORT_PAGES[1].split()[0] in report["text"]
