"""A map of articles as people keep them (plain text, saved web pages, a PDF report) in
headless Chromium: outlet and date in the panel, the reader's link to the original, the
date filter on the pages' own dates. Screenshot: MAPPER_SCREENSHOTS=folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from buildkit import payload
from formatkit import STORIES, hostile_page, mixed_corpus
from test_browser import Page, browser, pytestmark  # noqa: F401 (the fixture, the marks)

from mapper.build import build

WIRE = "wire_jsonld.html"
_, WIRE_DATE, WIRE_OUTLET, WIRE_URL = STORIES[WIRE]


@pytest.fixture(scope="module")
def mixed_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("mixed")
    corpus = mixed_corpus(tmp / "corpus")
    (corpus / "hostile.html").write_bytes(hostile_page())
    result = build(corpus, tmp / "out")
    assert result.articles == 6 and not result.problems
    return result.map_path


@pytest.fixture()
def page(browser: Any, mixed_map: Path) -> Any:  # noqa: F811 (browser is a fixture)
    page = Page(browser, mixed_map.as_uri())
    yield page
    page.page.close()


def _key(page: Page, name: str) -> str:
    return page.js("n => mapper.places.find(p => p.name === n).key", name)


def test_panel_shows_outlet_and_date_and_the_reader_links_the_original(page: Page) -> None:
    page.js("k => mapper.select(k)", _key(page, "Sirajganj"))
    group = page.page.locator(f'#mp-groups .mp-group[data-article="{WIRE}"]')
    meta = group.locator("p.mp-muted").text_content()
    assert meta == f"{WIRE_DATE.isoformat()} \u00b7 {WIRE_OUTLET} \u00b7 {WIRE}"
    link = group.locator("a.mp-original")
    assert link.get_attribute("href") == WIRE_URL
    assert link.get_attribute("rel") == "noopener noreferrer"
    shots = os.environ.get("MAPPER_SCREENSHOTS")
    if shots:
        page.page.screenshot(path=str(Path(shots) / "panel-web-page.png"))
    group.locator("button.mp-read").click()
    reader = page.page.locator("#mp-reader-meta")
    assert reader.text_content().startswith(f"{WIRE_DATE.isoformat()} \u00b7 {WIRE_OUTLET}")
    original = reader.locator("a")
    assert original.count() == 1
    assert original.get_attribute("href") == WIRE_URL
    assert original.get_attribute("rel") == "noopener noreferrer"
    assert original.get_attribute("target") == "_blank"
    marks = page.js("[...document.querySelectorAll('#mp-reader-text mark')]"
                    ".map(m => m.textContent)")
    assert "Sirajganj" in marks and "Dhaka" in marks
    if shots:
        page.page.screenshot(path=str(Path(shots) / "reader-web-page.png"))
    page.assert_clean()


def test_a_pdf_excerpt_and_a_hostile_page_stay_text(page: Page) -> None:
    page.js("k => mapper.select(k)", _key(page, "Gonder"))
    report = page.page.locator('#mp-groups .mp-group[data-article="report.pdf"]')
    assert report.locator("p.mp-muted").text_content().startswith("2021-07-14 \u00b7 report.pdf")
    assert report.locator("a").count() == 0  # no URL, no link
    # Each excerpt of a PDF says its page.
    assert report.locator(".mp-excerpt .mp-page").all_text_contents() == ["p. 1"]
    page.js("k => mapper.select(k)", _key(page, "Addis Ababa"))
    report = page.page.locator('#mp-groups .mp-group[data-article="report.pdf"]')
    assert report.locator(".mp-excerpt .mp-page").all_text_contents() == ["p. 2"]
    assert page.page.locator(".mp-page").count() == 1  # only the PDF's excerpts have one
    shots = os.environ.get("MAPPER_SCREENSHOTS")
    if shots:
        page.page.screenshot(path=str(Path(shots) / "panel-pdf.png"))
    page.js("k => mapper.select(k)", _key(page, "Kraków"))
    hostile = page.page.locator('#mp-groups .mp-group[data-article="hostile.html"]')
    hostile.locator("button.mp-read").click()
    meta = page.page.locator("#mp-reader-meta")
    assert "Evil News" in meta.text_content()
    assert meta.locator("a").count() == 0  # its canonical URL was javascript:
    assert page.js("document.querySelectorAll('#mapper-panel img, #mapper-panel iframe,"
                   " #mapper-panel script, a[href^=\"javascript\"]').length") == 0
    page.assert_clean()


def test_the_date_filter_narrows_by_the_pages_dates(page: Page, mixed_map: Path) -> None:
    data = payload(mixed_map)
    dates = {i: row[2] for i, row in enumerate(data["articles"])}

    def places_between(start: str, end: str) -> int:
        return len({ex[0] for ex in data["excerpts"]
                    if dates[ex[1]] and start <= dates[ex[1]] <= end})

    everything = page.js("mapper.matching()")
    assert everything == len(data["places"])
    page.page.fill("#mp-from", "2021-07-01")
    page.page.fill("#mp-to", "2021-07-31")
    july = page.js("mapper.matching()")
    assert july == places_between("2021-07-01", "2021-07-31") > 0
    assert july < everything
    page.js("k => mapper.select(k)", _key(page, "Sirajganj"))
    assert page.js("[...document.querySelectorAll('#mp-groups .mp-group')]"
                   ".map(g => g.dataset.article)") == [WIRE]
    page.page.fill("#mp-from", "2021-08-01")
    page.page.fill("#mp-to", "2021-08-31")
    assert page.js("mapper.matching()") == places_between("2021-08-01", "2021-08-31") > 0
    assert page.js("mapper.places.filter(p => p.name === 'Herāt').length") == 1
    page.assert_clean()
