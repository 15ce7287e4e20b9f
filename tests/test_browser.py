"""The explorer in headless Chromium, from file:// with the network cut off.

Every request that is not a file: URL is aborted and recorded; map tiles are the only ones
allowed to be attempted (and only once the user switches to the tile layer).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mapper.render import write_map

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

CHROMIUM = Path(os.environ.get("MAPPER_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TILE_HOSTS = ("tile.openstreetmap.org",)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    ),
]


class Page:
    """A Playwright page on one map, with what it logged, requested and tried to alert."""

    def __init__(self, browser: Any, url: str) -> None:
        self.errors: list[str] = []
        self.console: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._on_dialog)
        self.page.route("**/*", self._route)
        self.page.goto(url)
        self.page.wait_for_function("document.documentElement.dataset.mapperReady === '1'")

    def _on_console(self, message: Any) -> None:
        self.console.append(f"{message.type}: {message.text}")
        if message.type in ("error", "warning"):
            self.errors.append(message.text)

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def click_place(self, key: str) -> None:
        """Click the place's marker where it is drawn on the canvas."""
        self.js("k => mapper.select(k)", key)  # brings it into view
        point = self.js(
            """k => { const p = mapper.places.find(q => q.key === k);
                      const map = mapper.map, xy = map.latLngToContainerPoint([p.lat, p.lon]);
                      const box = map.getContainer().getBoundingClientRect();
                      return [box.left + xy.x, box.top + xy.y]; }""",
            key,
        )
        self.page.mouse.click(*point)

    def groups(self) -> list[dict[str, Any]]:
        """The excerpt groups shown in the panel, in order."""
        return self.js(
            """() => [...document.querySelectorAll('#mp-groups .mp-group')].map(g => ({
                 article: g.dataset.article,
                 title: g.querySelector('h3').textContent,
                 marks: [...g.querySelectorAll('mark')].map(m => m.textContent),
                 text: [...g.querySelectorAll('.mp-excerpt')].map(p => p.textContent)}))"""
        )

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs
        leaks = [u for u in self.requests if not any(h in u for h in TILE_HOSTS)]
        assert leaks == [], leaks


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def sample_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_render import sample_inputs, write_geodata

    tmp = tmp_path_factory.mktemp("sample")
    old = os.environ.get("MAPPER_GEODATA")
    os.environ["MAPPER_GEODATA"] = str(write_geodata(tmp / "geodata"))
    try:
        return write_map(*sample_inputs(), tmp / "out", title="Sample <b>map</b>")
    finally:
        if old is None:
            del os.environ["MAPPER_GEODATA"]
        else:
            os.environ["MAPPER_GEODATA"] = old


@pytest.fixture()
def page(browser: Any, sample_map: Path) -> Iterator[Page]:
    page = Page(browser, sample_map.as_uri())
    yield page
    page.page.close()


def test_loads_offline_and_draws_every_place(page: Page) -> None:
    assert page.js("mapper.drawn()") == 5
    assert page.js("typeof L") == "object" and page.js("L.version") == "1.9.4"
    assert page.js("document.querySelectorAll('.leaflet-pane canvas').length") >= 3
    assert page.js("document.getElementById('mp-title').textContent") == "Sample <b>map</b>"
    page.assert_clean()


def test_click_place_groups_excerpts_newest_first(page: Page) -> None:
    from test_render import KANDAHAR

    page.click_place(KANDAHAR)
    assert page.js("mapper.selected()") == KANDAHAR
    groups = page.groups()
    assert [g["article"] for g in groups] == ["a1.txt", "a2.txt"]  # 2021-08-06, then 08-01
    assert groups[1]["marks"] == ["Kandahar", "Kandahar"]
    assert page.js("document.getElementById('mp-place-name').textContent") == "Kandahar"
    assert page.js("location.hash") == "#place=gn%3A1138336"
    page.assert_clean()


def test_hostile_article_is_text_and_runs_nothing(page: Page) -> None:
    from test_render import HOSTILE, HOSTILE_FILE, HOSTILE_TITLE, KABUL

    page.click_place(KABUL)
    groups = page.groups()
    assert [g["article"] for g in groups] == ["a2.txt", HOSTILE_FILE]  # undated last
    evil = groups[1]
    assert evil["title"] == HOSTILE_TITLE
    assert HOSTILE in evil["text"] and "<b>rewritten</b> Kabul" in evil["text"]
    assert (
        page.js(
            "document.querySelectorAll('#mapper-panel img, #mapper-panel svg script,"
            " #mapper-panel script').length"
        )
        == 0
    )
    page.page.click("#mp-groups .mp-group:last-child .mp-read")
    assert page.js("document.getElementById('mp-reader-text').textContent") == HOSTILE
    assert page.js("document.getElementById('mp-reader-title').textContent") == HOSTILE_TITLE
    page.page.wait_for_timeout(200)
    page.assert_clean()
    assert page.js("window.__xss === undefined")
