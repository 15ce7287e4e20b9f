"""The rendered explorer page: offline, escaped, deterministic, with a CSP that matches it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from base64 import b64encode
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from mapkit import build_payload, excerpt, render_html, write_map
from shapely.geometry import Point, Polygon, box, mapping

from mapper.models import Article, Excerpt
from mapper.render import basemap
from mapper.render import data as render_data
from mapper.render.basemap import basemap_payload
from mapper.render.csp import tile_origin

CDN_MARKERS = ("https://cdn", "unpkg", "jsdelivr", "code.jquery", "maxcdn", "cdnjs", "netdna")

#: Payloads that must come out as text: script tags, handlers, template literals, comment and
#: CDATA openers, backslashes, quotes, JS line terminators and a character outside the BMP.
HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(1)> ${alert(1)} `${alert(2)}` "
    'back\\slash \\u003c \\" </script><!-- <![CDATA[ "double" \'single\' & &amp; '
    "<svg/onload=alert(3)> javascript:alert(4) \u2028\u2029 \U0001f600 near Kabul today."
)
HOSTILE_TITLE = "<script>alert(1)</script> title <img src=x onerror=alert(1)> \"'`${x}`"
HOSTILE_FILE = '"><svg onload=alert(1)>.txt'

KANDAHAR, KABUL, AFGHANISTAN, HELMAND, LASHKAR = (
    "gn:1138336",
    "gn:1138958",
    "gn:1149361",
    "gn:1147288",
    "gn:1147290",
)


def sample_inputs() -> tuple[gpd.GeoDataFrame, list[Excerpt], list[Article]]:
    """Three articles (one hostile, one undated) about five Afghan places."""
    a1 = Article(
        "a1.txt",
        "corpus/a1.txt",
        "Fighting in Kandahar",
        dt.date(2021, 8, 6),
        "Fighting in Kandahar city. Taliban near Lashkar Gah in Helmand. Afghanistan burns.",
    )
    a2 = Article(
        "a2.txt",
        "corpus/a2.txt",
        "Kandahar airport hit",
        dt.date(2021, 8, 1),
        "Rockets hit Kandahar airport. Kabul calm. Kandahar again.",
    )
    evil = Article(HOSTILE_FILE, HOSTILE_FILE, HOSTILE_TITLE, None, HOSTILE)
    excerpts = [
        excerpt(a1, KANDAHAR, "Kandahar"),
        excerpt(a2, KANDAHAR, "Kandahar"),
        excerpt(a1, LASHKAR, "Lashkar Gah", 27),
        excerpt(a1, HELMAND, "Helmand", 27),
        excerpt(a1, AFGHANISTAN, "Afghanistan", 63),
        excerpt(a2, KABUL, "Kabul", 30),
        excerpt(evil, KABUL, "Kabul"),
    ]
    rows = [
        (
            KANDAHAR,
            "Kandahar",
            "city",
            "AF",
            3,
            2,
            "a1.txt|a2.txt",
            "Qandahar|Kandahār",
            65.71,
            31.61,
        ),
        (KABUL, "Kabul", "city", "AF", 3, 2, f"a2.txt|{HOSTILE_FILE}", "Kābul", 69.17, 34.53),
        (AFGHANISTAN, "Afghanistan", "country", "AF", 1, 1, "a1.txt", "Afghanestan", 66.0, 33.0),
        (HELMAND, "Helmand", "admin1", "AF", 1, 1, "a1.txt", "Hilmand", 64.0, 31.0),
        (
            LASHKAR,
            "Lashkar Gah",
            "city",
            "AF",
            1,
            1,
            "a1.txt",
            "Lashkargah|Lashkar Gāh",
            64.36,
            31.59,
        ),
    ]
    columns = (
        "key",
        "name",
        "kind",
        "country",
        "mentions",
        "n_articles",
        "article_ids",
        "alt_names",
    )
    places = gpd.GeoDataFrame(
        [dict(zip(columns, r[:8], strict=True)) for r in rows],
        geometry=[Point(r[8], r[9]) for r in rows],
        crs="EPSG:4326",
    )
    return places, excerpts, [a1, a2, evil]


def write_geodata(directory: Path) -> Path:
    """Tiny stand-ins for ``geodata/countries.parquet`` and ``geodata/admin1.parquet``."""
    directory.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame(
        {"iso_a2": ["AF", "PK"], "name": ["Afghanistan", "Pakistan"]},
        geometry=[box(60.5, 29.4, 74.9, 38.5), box(60.9, 23.7, 77.8, 29.4)],
        crs="EPSG:4326",
    ).to_parquet(directory / "countries.parquet")
    gpd.GeoDataFrame(
        {"country": ["AF"], "admin1": ["10"], "iso3166_2": ["AF-HEL"], "name": ["Helmand"]},
        geometry=[box(61.5, 29.5, 65.5, 33.0)],
        crs="EPSG:4326",
    ).to_parquet(directory / "admin1.parquet")
    return directory


@pytest.fixture()
def geodata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = write_geodata(tmp_path / "geodata")
    monkeypatch.setenv("MAPPER_GEODATA", str(directory))
    return directory


@pytest.fixture()
def html(geodata: Path) -> str:
    return render_html(*sample_inputs(), title="Test <b>map</b>")


def _json_script(html: str, element_id: str) -> object:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


def test_write_map_writes_index_and_summary(tmp_path: Path, geodata: Path) -> None:
    out = write_map(*sample_inputs(), tmp_path / "out", title="t")
    assert out == tmp_path / "out" / "index.html"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "out" / "places.html").exists()
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_no_cdn_and_leaflet_inlined(html: str) -> None:
    for marker in CDN_MARKERS:
        assert marker not in html, marker
    assert "<link" not in html
    assert re.search(r"<script[^>]*\ssrc=", html) is None
    assert "Leaflet 1.9.4" in html
    assert "url(images/" not in html  # Leaflet's CSS images became data URIs
    assert "sourceMappingURL" not in html


def test_hostile_text_never_reaches_markup(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<svg onload" not in html and "<svg/onload" not in html
    assert "Test <b>map</b>" not in html  # the title is escaped in <title>
    assert "<title>Test &lt;b&gt;map&lt;/b&gt;</title>" in html
    # Only the page's own scripts and the two JSON blocks: nothing closes them early.
    tags = re.findall(r"<script[^>]*>", html)
    assert tags.count('<script type="application/json" id="mapper-data">') == 1
    assert len(tags) == html.count("</script>")


def test_payload_round_trips(html: str) -> None:
    places, excerpts, articles = sample_inputs()
    payload = _json_script(html, "mapper-data")
    assert payload["title"] == "Test <b>map</b>"
    assert [p[0] for p in payload["places"]] == list(places["key"])
    kandahar = payload["places"][0]
    assert kandahar[:4] == [KANDAHAR, "Kandahar", "city", "AF"]
    assert kandahar[4:6] == [31.61, 65.71]  # lat, lon for Leaflet
    assert kandahar[8] == ["Qandahar", "Kandahār"]
    by_id = {a[0]: a for a in payload["articles"]}
    evil = by_id[HOSTILE_FILE]
    assert evil[1] == HOSTILE_TITLE and evil[2] is None and evil[3] == HOSTILE
    assert by_id["a1.txt"][2] == "2021-08-06"
    assert len(payload["excerpts"]) == len(excerpts)
    # Excerpts are slices of their article: they carry (UTF-16) offsets into it.
    assert all(isinstance(e[3], int) for e in payload["excerpts"])


def _utf16_slice(text: str, start: int, end: int) -> str:
    units = text.encode("utf-16-le")
    return units[2 * start : 2 * end].decode("utf-16-le")


def test_offsets_are_utf16_units() -> None:
    places, _, _ = sample_inputs()
    text = "\U0001f600\U0001f600 Kabul \U0001f600 Kabul"
    art = Article("e.txt", "e.txt", "emoji", None, text)
    ex = excerpt(art, KABUL, "Kabul", 1)
    payload = build_payload(places, [ex], [art], title="t")
    (_, _, start, length, marks) = payload["excerpts"][0]
    assert _utf16_slice(text, start, start + length) == ex.text
    for s, e in zip(marks[::2], marks[1::2], strict=True):
        assert _utf16_slice(text, start + s, start + e) == "Kabul"


def test_script_json_escapes_markup() -> None:
    value = {"x": "</script><script>alert(1)</script> & \u2028"}
    text = render_data.script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_render_is_deterministic(geodata: Path) -> None:
    first = render_html(*sample_inputs(), title="t")
    second = render_html(*sample_inputs(), title="t")
    assert first == second
    assert not re.search(r"[0-9a-f]{32}", first)  # no uuid-style folium ids left


def test_csp_hashes_every_inline_script(html: str) -> None:
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert meta and html.index(meta.group(0)) < html.index("<script")
    policy = meta.group(1).replace("&#39;", "'")
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "unsafe-eval" not in policy
    bodies = [
        m.group(2)
        for m in re.finditer(r"<script([^>]*)>(.*?)</script>", html, re.S)
        if "application/json" not in m.group(1)
    ]
    assert len(bodies) >= 2
    for body in bodies:
        digest = b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "img-src data: https://tile.openstreetmap.org" in policy


def test_tile_origin_wildcards_subdomains() -> None:
    assert (
        tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    )


def test_basemap_and_province_shading(html: str) -> None:
    geo = _json_script(html, "mapper-geo")
    countries = {f["properties"]["code"]: f["properties"] for f in geo["countries"]}
    assert countries["AF"]["mentions"] == 9  # every place in AF (the country itself too)
    assert countries["PK"]["mentions"] == 0
    provinces = {f["properties"]["code"]: f["properties"] for f in geo["provinces"]}
    assert provinces == {
        "AF-HEL": {
            "code": "AF-HEL",
            "mentions": 2,
            "name": "Helmand",
            "places": [HELMAND, LASHKAR],
        }
    }
    # A country's places are found by the page from their country codes (not listed).
    assert "places" not in countries["AF"]


def test_basemap_kept_until_geodata_changes(tmp_path: Path) -> None:
    places, _, _ = sample_inputs()
    directory = write_geodata(tmp_path / "geodata")
    first = basemap_payload(places, directory)
    assert basemap_payload(places, directory) == first
    shape = box(60.0, 29.0, 75.0, 39.0)
    gpd.GeoDataFrame(
        {"iso_a2": ["AF"], "name": ["Afghanistan"]}, geometry=[shape], crs="EPSG:4326"
    ).to_parquet(directory / "countries.parquet")
    (country,) = json.loads(
        render_data.script_json(basemap_payload(places, directory)["countries"])
    )
    assert country["properties"]["code"] == "AF"
    assert country["geometry"] == {
        "type": "Polygon",
        "coordinates": [list(map(list, shape.exterior.coords))],
    }


def _store_compact(directory: Path, wkb: object = None, version: str | None = None) -> None:
    """Give the layers of ``directory`` a compact column, as the geodata build does (or
    ``wkb`` for every row, made with settings ``version``)."""
    for layer in ("countries", "admin1"):
        path = directory / f"{layer}.parquet"
        frame = gpd.read_parquet(path)
        drawn = basemap.compacted_wkb(frame.geometry.to_numpy(), layer)
        frame[basemap.COMPACT] = drawn if wkb is None else [wkb] * len(frame)
        frame.attrs[basemap.COMPACT] = version or basemap.compact_version(layer)
        frame.to_parquet(path)


def test_basemap_reads_the_stored_compact_polygons(tmp_path: Path) -> None:
    places, _, _ = sample_inputs()
    plain = write_geodata(tmp_path / "plain")
    stored = write_geodata(tmp_path / "stored")
    _store_compact(stored)
    assert render_data.script_json(basemap_payload(places, stored)) == render_data.script_json(
        basemap_payload(places, plain)
    )
    countries = basemap.load_layer("countries", stored)
    provinces = basemap.load_layer("admin1", stored)
    assert countries is not None and provinces is not None
    # Countries are only drawn; provinces still need their real polygons (point in polygon).
    assert countries.compacted is not None and countries.shapes is None
    assert provinces.compacted is not None and provinces.shapes is not None


def _drawn_countries(places: gpd.GeoDataFrame, directory: Path) -> dict[str, object]:
    features = json.loads(render_data.script_json(basemap_payload(places, directory)))
    return {f["properties"]["code"]: f["geometry"] for f in features["countries"]}


def test_stored_compact_polygons_need_the_same_settings(tmp_path: Path) -> None:
    places, _, _ = sample_inputs()
    directory = write_geodata(tmp_path / "geodata")
    af = _drawn_countries(places, directory)["AF"]
    triangle = Polygon([(60.0, 30.0), (75.0, 30.0), (68.0, 38.0)])
    _store_compact(directory, shapely.to_wkb(triangle))
    assert _drawn_countries(places, directory)["AF"] == json.loads(json.dumps(mapping(triangle)))
    _store_compact(directory, shapely.to_wkb(triangle), version="tolerance=1 digits=0")
    assert _drawn_countries(places, directory)["AF"] == af  # simplified here, as before


def test_layer_in_another_crs_is_reprojected_and_simplified(tmp_path: Path) -> None:
    places, _, _ = sample_inputs()
    directory = write_geodata(tmp_path / "geodata")
    expected = _drawn_countries(places, directory)
    triangle = Polygon([(60.0, 30.0), (75.0, 30.0), (68.0, 38.0)])
    _store_compact(directory, shapely.to_wkb(triangle))  # in the file's CRS: not used
    path = directory / "countries.parquet"
    gpd.read_parquet(path).to_crs(3857).to_parquet(path)
    assert _drawn_countries(places, directory) == expected


def test_missing_geodata_still_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAPPER_GEODATA", str(tmp_path / "nowhere"))
    html = render_html(*sample_inputs())
    assert _json_script(html, "mapper-geo") == {
        "countries": [], "provinces": [], "rivers": [], "lakes": [], "provinceBorders": [],
        "provinceLabels": [], "countryLabels": [], "towns": [], "names": ""}


def test_empty_map(geodata: Path) -> None:
    places, _, _ = sample_inputs()
    html = render_html(places.iloc[0:0], [], [])
    assert _json_script(html, "mapper-data")["places"] == []


def test_summary_table_links_into_map(tmp_path: Path, geodata: Path) -> None:
    write_map(*sample_inputs(), tmp_path, title="<i>t</i>")
    page = (tmp_path / "places.html").read_text(encoding="utf-8")
    assert "<i>t</i>" not in page and "&lt;i&gt;t&lt;/i&gt;" in page
    rows = re.findall(r'<a href="index\.html#place=([^"]+)">([^<]+)</a>', page)
    assert rows[0] == ("gn%3A1138958", "Kabul")
    assert [name for _, name in rows][:2] == ["Kabul", "Kandahar"]  # 3 mentions each, by name
    assert "Content-Security-Policy" in page and "<script" not in page
    assert '"Segoe UI"' in page  # our stylesheet is not HTML-escaped


def test_large_corpus_embeds_only_quoted_passages() -> None:
    places, excerpts, articles = sample_inputs()
    payload = build_payload(places, excerpts, articles, title="t", text_budget=10)
    assert payload["partial"] is True
    texts = {a[0]: a[3] for a in payload["articles"]}
    a1 = articles[0]
    # a1 is quoted from offset 0 to the end, so it is whole; offsets still resolve
    assert texts["a1.txt"] == a1.text
    for place, art, start, body, marks in payload["excerpts"]:
        if isinstance(body, int):
            text = payload["articles"][art][3]
            excerpt = _utf16_slice(text, start, start + body)
            for s, e in zip(marks[::2], marks[1::2], strict=True):
                assert _utf16_slice(excerpt, s, e) == payload["places"][place][1]


def test_partial_text_keeps_passages_and_gaps() -> None:
    places, _, _ = sample_inputs()
    text = "Intro without places. Kabul is here. Filler " * 3 + "Kabul again at the end."
    art = Article("p.txt", "p.txt", "p", None, text)
    first = text.index("Kabul is here.")
    last = text.rindex("Kabul again")
    excerpts = [
        Excerpt("p.txt", KABUL, first, "Kabul is here.", ((0, 5),)),
        Excerpt("p.txt", KABUL, last, "Kabul again at the end.", ((0, 5),)),
    ]
    payload = build_payload(places, excerpts, [art], title="t", text_budget=0)
    doc = payload["articles"][0][3]
    assert doc == "Kabul is here." + render_data.GAP + "Kabul again at the end."
    spans = [(row[2], row[3]) for row in payload["excerpts"]]
    assert [doc[s : s + n] for s, n in spans] == ["Kabul is here.", "Kabul again at the end."]


def test_jinja_syntax_in_articles_is_not_evaluated(tmp_path: Path, geodata: Path) -> None:
    """branca compiles MacroElement output as a template again; our data must not go there."""
    places, excerpts, articles = sample_inputs()
    probe = tmp_path / "pwned"
    evil = (
        "{{ 7*7 }} {% raw %} {{ cycler.__init__.__globals__.os.system('touch "
        + str(probe)
        + "') }} {# #} Kabul"
    )
    art = Article("j.txt", "/home/{{ 6*6 }}/j.txt", "{% if true %}T{% endif %}", None, evil)
    at = evil.index("Kabul")
    ex = Excerpt("j.txt", KABUL, 0, evil, ((at, at + 5),))
    html = render_html(places, [*excerpts, ex], [*articles, art], title="{{ 8*8 }}")
    assert not probe.exists()
    payload = _json_script(html, "mapper-data")
    assert [evil, "{% if true %}T{% endif %}"] == [
        next(a[3] for a in payload["articles"] if a[0] == "j.txt"),
        next(a[1] for a in payload["articles"] if a[0] == "j.txt"),
    ]
    assert payload["title"] == "{{ 8*8 }}" and "<title>{{ 8*8 }}</title>" in html
    assert "/home/" not in html  # Article.path (where the corpus sat) is not embedded


def test_missing_values_in_places_frame() -> None:
    places, excerpts, articles = sample_inputs()
    places.loc[0, ["country", "alt_names", "name"]] = [None, None, None]
    places.loc[1, "country"] = float("nan")
    places.loc[2, "geometry"] = Point(float("nan"), 1.0)
    places.loc[3, "geometry"] = None
    rows = build_payload(places, excerpts, articles, title="t")["places"]
    assert rows[0][1] == KANDAHAR and rows[0][3] == "" and rows[0][8] == []
    assert rows[1][3] == ""
    assert [r[0] for r in rows] == [KANDAHAR, KABUL, LASHKAR]  # no usable point: left out
    render_data.script_json(rows)  # would raise on NaN


def test_max_excerpts_keeps_the_newest_per_place() -> None:
    places, excerpts, articles = sample_inputs()
    payload = build_payload(places, excerpts, articles, title="t", max_excerpts=1)
    rows = {r[0]: r for r in payload["places"]}
    ids = [a[0] for a in payload["articles"]]
    kandahar = rows[KANDAHAR]
    at = [r[0] for r in payload["places"]].index(KANDAHAR)
    kept = [ids[row[1]] for row in payload["excerpts"] if row[0] == at]
    assert kept == ["a1.txt"]  # 2021-08-06 is newer than a2's 2021-08-01
    assert kandahar[render_data.PLACE_FIELDS.index("omitted")] == 1
    assert payload["maxExcerpts"] == 1
    every = build_payload(places, excerpts, articles, title="t", max_excerpts=0)
    assert len(every["excerpts"]) == len(excerpts)
    assert all(r[render_data.PLACE_FIELDS.index("omitted")] == 0 for r in every["places"])


def _decode_line(flat: list[int]) -> list[list[float]]:
    """What templates/data.js does with an encoded line."""
    out, x, y = [], 0, 0
    for k in range(0, len(flat), 2):
        x, y = x + flat[k], y + flat[k + 1]
        out.append([x / 100, y / 100])
    return out


def test_geometry_encoding_round_trips_to_hundredths() -> None:
    from mapper.render.encoding import encode

    ring = [[65.123, 33.456], [66.0, 33.456], [66.004, 33.458], [65.5, 34.25], [65.123, 33.456]]
    encoded = encode({"type": "Polygon", "coordinates": [ring]})
    assert encoded["type"] == "Polygon"
    (flat,) = encoded["coordinates"]
    assert flat[:2] == [6512, 3346] and all(isinstance(v, int) for v in flat)
    # (66.004, 33.458) rounds onto the point before it and is dropped; the ring stays closed.
    assert _decode_line(flat) == [[65.12, 33.46], [66.0, 33.46], [65.5, 34.25], [65.12, 33.46]]
    two = [[[0, 0], [1, 1]], [[-2, 3], [-1, 3]]]
    lines = encode({"type": "MultiLineString", "coordinates": two})
    assert [_decode_line(f) for f in lines["coordinates"]] == two


def test_page_geo_carries_context_from_the_real_geodata() -> None:
    from mapper.render.context import page_geo

    places, _, _ = sample_inputs()
    geo = page_geo(places)  # geodata/ as committed
    assert len(geo["rivers"]) > 300 and len(geo["lakes"]) > 200
    towns = {t[0]: t for t in geo["towns"]}
    assert "Kabul" not in towns  # an article place is not context
    assert towns["Islamabad"][3] == 3  # a capital, from zoom 3
    assert "Gereshk" in towns and towns["Gereshk"][3] == 8  # a small Afghan town, close up
    assert {"Helmand", "Kandahār"} <= {p[0] for p in geo["provinceLabels"]}
    assert "Timbuktu" in geo["names"].split("|")
    countries = {c[3] for c in geo["countryLabels"]}
    assert {"AF", "PK", "AU"} <= countries
