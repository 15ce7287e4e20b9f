"""A map you can read before you click (issue 13), in headless Chromium: labels, the basemap's
context, the start view, selection as the eye sees it, and the fixes a newcomer's trial found.

The seeds map is built with the real gazetteer and basemap data; the checks measure the page
(label boxes from the DOM, the basemap's own layers), at 1280 x 800 unless said otherwise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mapkit import write_map
from test_browser import ARGS, CHROMIUM, SEEDS, Page, small_geodata, sync_api
from test_browser import pytestmark as browser_marks

pytestmark = browser_marks

KANDAHAR, KANDAHAR_PROVINCE = "gn:1138336", "gn:1138335"
START_CITIES = {"gn:1138336": "Kandahar", "gn:1140026": "Herat", "gn:1134720": "Lashkar Gah",
                "gn:1135689": "Kunduz", "gn:1141269": "Ghazni", "gn:1138958": "Kabul"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def seeds_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mapper.build.pipeline import build

    return build(SEEDS, tmp_path_factory.mktemp("seeds13")).map_path


@pytest.fixture()
def seeds(browser: Any, seeds_map: Path) -> Iterator[Page]:
    page = Page(browser, seeds_map.as_uri())
    page.page.wait_for_timeout(100)
    yield page
    page.page.close()


def visible_labels(page: Page) -> list[dict[str, Any]]:
    """The labels on screen, from the DOM: text, place key ('' for context) and box."""
    return page.js(
        """() => [...document.querySelectorAll('.mp-label')].filter(l => !l.hidden).map(l => {
             const r = l.getBoundingClientRect();
             return {text: l.textContent, key: l.dataset.i === '' ? '' :
                     mapper.places[+l.dataset.i].key, cls: l.className,
                     box: [r.left, r.top, r.right, r.bottom]}; })"""
    )


def overlapping(labels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for n, a in enumerate(labels):
        for b in labels[n + 1:]:
            (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a["box"], b["box"]
            if ax0 < bx1 - 0.5 and bx0 < ax1 - 0.5 and ay0 < by1 - 0.5 and by0 < ay1 - 0.5:
                out.append((a["text"], b["text"]))
    return out


def screen_point(page: Page, key: str) -> tuple[float, float]:
    return tuple(page.js(
        """k => { const p = mapper.places.find(q => q.key === k), map = mapper.map;
                  const xy = map.latLngToContainerPoint([p.lat, p.lon]);
                  const box = map.getContainer().getBoundingClientRect();
                  return [box.left + xy.x, box.top + xy.y]; }""", key))


def test_start_view_names_the_afghan_cities_without_overlap(seeds: Page) -> None:
    labels = visible_labels(seeds)
    named = {label["key"]: label["text"] for label in labels if label["key"]}
    assert {k: named.get(k) for k in START_CITIES} == START_CITIES
    map_box = seeds.js("(() => { const r = mapper.map.getContainer().getBoundingClientRect();"
                       " return [r.left, r.top, r.right, r.bottom]; })()")
    for label in labels:  # inside the map, not under the panel
        assert map_box[0] <= label["box"][0] and label["box"][2] <= map_box[2] + 0.5, label
    assert overlapping(labels) == []
    # Context: country names and towns no article names, quieter than the places.
    assert any("mp-label-country" in label["cls"] for label in labels)
    assert any("mp-label-town" in label["cls"] for label in labels)
    # The page's own placement data says the same as the DOM.
    assert len(seeds.js("mapper.labels()")) == len(labels)
    seeds.assert_clean()


def test_click_on_kandahar_city_selects_it_and_offers_the_province(seeds: Page) -> None:
    seeds.page.mouse.click(*screen_point(seeds, KANDAHAR))
    assert seeds.js("mapper.selected()") == KANDAHAR
    also = seeds.js("[...document.querySelectorAll('#mp-also button')]"
                    ".map(b => [b.dataset.place, b.textContent])")
    assert [KANDAHAR_PROVINCE, "Kandahar \u00b7 province"] in also
    seeds.page.wait_for_timeout(100)  # labels are placed again in the next frame
    # The selected place's label is drawn as selected.
    assert any(label["key"] == KANDAHAR and "mp-label-selected" in label["cls"]
               for label in visible_labels(seeds))
    seeds.assert_clean()


def test_clicking_a_label_selects_its_place(seeds: Page) -> None:
    seeds.page.click(".mp-label[data-i]:not([data-i='']) >> text=Herat")
    assert seeds.js("mapper.selected()") == "gn:1140026"
    seeds.assert_clean()


def test_selecting_kandahar_keeps_neighbours_and_context_in_view(seeds: Page) -> None:
    seeds.js("mapper.select('gn:1138336')")
    seeds.page.wait_for_timeout(900)  # the zoom animates
    labels = visible_labels(seeds)
    places = {label["key"] for label in labels if label["key"]}
    assert KANDAHAR in places and len(places - {KANDAHAR}) >= 3, labels
    article_names = set(seeds.js("mapper.places.map(p => p.name)"))
    towns = [label["text"] for label in labels if "mp-label-town" in label["cls"]]
    assert towns and not set(towns) & article_names
    assert overlapping(labels) == []
    drawn = seeds.js("mapper.basemap(true)")  # features whose bounds meet the view
    assert drawn["rivers"] >= 1 and drawn["lakes"] + drawn["rivers"] >= 1
    assert seeds.js("mapper.map.getZoom()") > 6
    seeds.assert_clean()


def test_search_without_match_says_so(seeds: Page) -> None:
    seeds.page.fill("#mp-search", "Xyzzyville")
    assert seeds.js("document.querySelector('#mp-results').hidden") is False
    assert seeds.js("document.querySelector('#mp-results').textContent") == (
        "No place named \u201cXyzzyville\u201d in these articles")
    seeds.page.fill("#mp-search", "timbuktu")
    assert seeds.js("document.querySelector('#mp-results').textContent") == (
        "Timbuktu: in the gazetteer, in no article")
    seeds.assert_clean()


def test_show_all_reaches_the_outliers(seeds: Page) -> None:
    outside = "mapper.places.filter(p => !mapper.map.getBounds().contains([p.lat, p.lon])).length"
    assert seeds.js(outside) > 0  # Washington, Jakarta... are off the start view
    seeds.page.click("#mp-show-all")
    seeds.page.wait_for_timeout(600)
    assert seeds.js(outside) == 0
    seeds.assert_clean()


def test_phone_width_folds_the_layer_control(browser: Any, seeds_map: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(seeds_map.as_uri())
    page.wait_for_function("document.documentElement.dataset.mapperReady === '1'")
    control = ".leaflet-control-layers"
    assert not page.evaluate(f"document.querySelector('{control}')"
                             ".classList.contains('leaflet-control-layers-expanded')")
    width = page.evaluate(f"document.querySelector('{control}').getBoundingClientRect().width")
    assert width < 60
    page.click(".leaflet-control-layers-toggle")
    assert page.evaluate(f"document.querySelector('{control}')"
                         ".classList.contains('leaflet-control-layers-expanded')")
    context.close()


def test_tile_choice_is_remembered(browser: Any, seeds_map: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else r.abort())
    page.goto(seeds_map.as_uri())
    page.wait_for_function("document.documentElement.dataset.mapperReady === '1'")
    page.click("text=OpenStreetMap tiles (online)")
    page.reload()
    page.wait_for_function("document.documentElement.dataset.mapperReady === '1'")
    tiles_on = "document.querySelectorAll('.leaflet-tile-pane img').length > 0"
    assert page.evaluate(tiles_on)
    page.click("text=Natural Earth only (offline)")
    page.reload()
    page.wait_for_function("document.documentElement.dataset.mapperReady === '1'")
    assert not page.evaluate(tiles_on)
    context.close()


@pytest.fixture(scope="module")
def undated_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_render import sample_inputs

    places, excerpts, articles = sample_inputs()
    articles = [dataclasses.replace(a, date=None) for a in articles]
    tmp = tmp_path_factory.mktemp("undated")
    with small_geodata(tmp):
        return write_map(places, excerpts, articles, tmp / "out")


def test_no_date_boxes_without_dated_articles(browser: Any, undated_map: Path) -> None:
    page = Page(browser, undated_map.as_uri())
    assert page.js("getComputedStyle(document.getElementById('mp-dates')).display") == "none"
    assert page.js("document.getElementById('mp-from').getBoundingClientRect().width") == 0
    page.assert_clean()
    page.page.close()


@pytest.fixture(scope="module")
def sample_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_render import sample_inputs

    tmp = tmp_path_factory.mktemp("sample13")
    with small_geodata(tmp):
        return write_map(*sample_inputs(), tmp / "out")


def test_date_filter_counts_and_an_emptied_selection(browser: Any, sample_map: Path) -> None:
    from test_render import HELMAND

    page = Page(browser, sample_map.as_uri())
    stats = "document.getElementById('mp-stats').textContent"
    before = page.js(stats)
    page.js(f"mapper.select('{HELMAND}')")  # named in a1 (2021-08-06) only
    page.page.fill("#mp-to", "2021-08-02")  # a2 alone
    after = page.js(stats)
    assert after != before and after.endswith("(filtered)")
    n_articles = page.js("mapper.articles.filter(a => a.date && a.date <= '2021-08-02').length")
    n_excerpts = page.js("mapper.excerpts.filter(e => { const d = mapper.articles[e.article].date;"
                         " return d && d <= '2021-08-02'; }).length")
    assert f"{n_articles} article" in after and f"{n_excerpts} excerpt" in after
    # The selected place has nothing left: no empty halo on the map, and the panel says why.
    assert page.js("mapper.selected()") == HELMAND
    assert page.js("mapper.halo()") is False
    assert "no mention in the articles the filters keep" in page.js(
        "document.getElementById('mp-place-meta').textContent")
    page.assert_clean()
    page.page.close()
