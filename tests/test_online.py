"""Online geocoding of names the gazetteer lacks, against a fake Nominatim on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from buildkit import payload
from click.testing import CliRunner

import mapper.build.pipeline as pipeline
from mapper.cli import main
from mapper.errors import MapperWarning, OnlineGeocoderError
from mapper.parse.geoparse import Geoparser
from mapper.parse.online import make_resolver, parse_options
from mapper.parse.unknown import unknown_names

pytestmark = pytest.mark.usefixtures("stable_geodata")

HOSTILE = "<script>alert(1)</script>Evilton"


def _place(name: str, osm_id: int, cls: str = "place", typ: str = "town") -> list[dict]:
    return [{
        "place_id": osm_id, "osm_type": "relation", "osm_id": osm_id, "lat": "34.52",
        "lon": "62.21", "class": cls, "type": typ, "name": name, "importance": 0.41,
        "display_name": f"{name}, Herat Province, Afghanistan",
        "address": {"town": name, "country": "Afghanistan", "country_code": "af"},
    }]


class FakeNominatim(BaseHTTPRequestHandler):
    """Answers /search like Nominatim, or fails the way real services do, by query."""

    requests: list[dict] = []
    broken = True  # set False to make the failing names answer normally

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append(query | {"user_agent": self.headers.get("User-Agent", "")})
        q = query.get("q", "")
        if url.path != "/search":
            return self._send(404, b"not found")
        if q == "Qarghunzar":
            return self._json(_place("Qarghunzar", 4242))
        if q == "Evilton":
            return self._json(_place(HOSTILE, 666))
        if q in ("Slowtown", "Busyville", "Brokenburg", "Garbagia") and not type(self).broken:
            return self._json(_place(q, 1000 + sum(map(ord, q)), "boundary", "administrative"))
        if q == "Slowtown":
            time.sleep(1.5)
            return self._json([])
        if q == "Busyville":
            return self._send(429, b"Too Many Requests")
        if q == "Brokenburg":
            return self._send(500, b"Internal Server Error")
        if q == "Garbagia":
            return self._send(200, b"<html>not json{", "text/html")
        return self._json([])

    def _json(self, value: object) -> None:
        self._send(200, json.dumps(value).encode(), "application/json")

    def _send(self, status: int, body: bytes, ctype: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the client may have timed out and left

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def nominatim() -> Iterator[tuple[str, type[FakeNominatim]]]:
    """A fake Nominatim on 127.0.0.1: (domain, handler class with its request log)."""
    FakeNominatim.requests = []
    FakeNominatim.broken = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", FakeNominatim
    finally:
        server.shutdown()
        server.server_close()






def _resolver(domain: str, cache: Path):
    return make_resolver("nominatim", [f"domain={domain}", "scheme=http", "timeout=0.5",
                                       "min_delay_seconds=0"], cache_path=cache)


def _corpus(folder: Path, towns: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for town in towns:
        (folder / f"{town.lower()}.txt").write_text(
            f"News from {town}\n\nFighting broke out in {town} on Monday, officials in "
            f"Kabul said. Residents of {town} fled.\n", encoding="utf-8")
    return folder


def _places(out: Path) -> dict[str, dict]:
    data = json.loads((out / "places.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["key"]: f["properties"] | {"xy": f["geometry"]["coordinates"]}
            for f in data["features"]}


def test_unknown_names_after_cues() -> None:
    parser = Geoparser()
    text = ("Fighting broke out in Qarghunzar near the border. The city of Zorblaxia was "
            "shelled. In January officials in Congress met in Kandahar. Troops moved to "
            "Pashtun Zarghun district.")
    found = parser.mentions(text)
    spans = unknown_names(text, found, parser.gazetteer.has_key)
    assert [s for _, _, s in spans] == ["Qarghunzar", "Zorblaxia", "Pashtun Zarghun"]
    again = "Qarghunzar fell. Troops left Qarghunzar-Bala and entered Qarghunzar, in Qarghunzar."
    starts = [s for s, _, _ in unknown_names(again, [])]
    assert starts == [0, again.index("Qarghunzar,"), again.index("Qarghunzar.")]
    for start, end, surface in spans:
        assert text[start:end] == surface
    assert "Kandahar" in [m.surface for m in found]  # known: a mention, not a candidate
    assert unknown_names("He lives in Kabul.", []) == [(12, 17, "Kabul")]
    assert unknown_names("He lives in Kabul.", [], parser.gazetteer.has_key) == []


def test_online_geocoder_resolves_what_the_gazetteer_lacks(tmp_path: Path, nominatim) -> None:
    domain, server = nominatim
    corpus = _corpus(tmp_path / "corpus", ["Qarghunzar", "Zorblaxia"])
    online = _resolver(domain, tmp_path / "cache.sqlite")
    result = pipeline.build(corpus, tmp_path / "out", online=online,
                            exports=("mentions.csv",))
    places = _places(tmp_path / "out")
    town = places["osm:relation:4242"]
    assert (town["name"], town["kind"], town["country"]) == ("Qarghunzar", "city", "AF")
    assert town["xy"] == [62.21, 34.52]  # lon, lat
    assert town["article_ids"] == ["qarghunzar.txt"]
    assert town["mentions"] == 3  # the title, the cue "in Qarghunzar", "Residents of ..."
    assert result.unresolved == 3  # "Zorblaxia": Nominatim does not know it either
    asked = sorted(r["q"] for r in server.requests)
    assert asked == ["Qarghunzar", "Zorblaxia"]  # each name once, not once per mention
    assert all(r["user_agent"].startswith("mapper/") for r in server.requests)
    assert all(r.get("addressdetails") == "1" for r in server.requests)
    data = payload(tmp_path / "out" / "index.html")
    assert any(p[0] == "osm:relation:4242" for p in data["places"])
    csv_text = (tmp_path / "out" / "mentions.csv").read_text(encoding="utf-8")
    assert "osm:relation:4242" in csv_text and "Fighting broke out in Qarghunzar" in csv_text

    # The cache answers a second build, found and not found alike: no request at all.
    server.requests.clear()
    online2 = _resolver(domain, tmp_path / "cache.sqlite")
    pipeline.build(corpus, tmp_path / "out2", online=online2)
    assert server.requests == [] and online2.requests == 0
    assert "osm:relation:4242" in _places(tmp_path / "out2")


def test_failures_leave_names_unresolved_and_are_retried(tmp_path: Path, nominatim) -> None:
    domain, server = nominatim
    towns = ["Slowtown", "Busyville", "Brokenburg", "Garbagia"]
    corpus = _corpus(tmp_path / "corpus", [*towns, "Qarghunzar"])
    out = tmp_path / "out"
    online = _resolver(domain, tmp_path / "c.sqlite")
    online.max_failures = 10
    with pytest.warns(MapperWarning) as caught:
        result = pipeline.build(corpus, out, online=online)
    # (geopy's HTTP adapter retries a read timeout itself; everything else is asked once)
    assert {r["q"] for r in server.requests} == {*towns, "Qarghunzar"}
    assert [r["q"] for r in server.requests if r["q"] != "Slowtown"].count("Busyville") == 1
    messages = " ".join(str(w.message) for w in caught)
    for town in towns:
        assert town in messages
    assert result.articles == 5 and not result.problems  # no article lost
    keys = set(_places(out))
    assert "osm:relation:4242" in keys
    assert not any(k.startswith("osm:") and k != "osm:relation:4242" for k in keys)
    assert "Kabul" in {p["name"] for p in _places(out).values()}

    # Failures are not cached: once the service works, the next build asks again and maps them.
    server.broken = False
    server.requests.clear()
    assert result.unresolved == 4 * 3
    online = _resolver(domain, tmp_path / "c.sqlite")
    again = pipeline.build(corpus, out, online=online)
    assert sorted(again.changed) == sorted(f"{t.lower()}.txt" for t in towns)
    assert sorted(r["q"] for r in server.requests) == sorted(towns)
    names = {p["name"] for p in _places(out).values()}
    assert set(towns) <= names
    assert again.warnings == ()


def test_many_failures_in_a_row_stop_the_asking(tmp_path: Path, nominatim) -> None:
    domain, server = nominatim
    towns = ["Busyville", "Brokenburg", "Garbagia", "Qarghunzar"]
    corpus = _corpus(tmp_path / "corpus", towns)
    online = _resolver(domain, tmp_path / "c.sqlite")
    with pytest.warns(MapperWarning, match="failures in a row"):
        pipeline.build(corpus, tmp_path / "out", online=online)
    assert len(server.requests) == 3  # the fourth name is not sent to a failing service
    assert online.requests == 3


def test_hostile_place_name_from_the_service_is_text(tmp_path: Path, nominatim) -> None:
    domain, _ = nominatim
    corpus = _corpus(tmp_path / "corpus", ["Evilton"])
    pipeline.build(corpus, tmp_path / "out", online=_resolver(domain, tmp_path / "c.sqlite"))
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    assert HOSTILE in [p[1] for p in payload(tmp_path / "out" / "index.html")["places"]]
    summary = (tmp_path / "out" / "places.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in summary and "&lt;script&gt;alert(1)" in summary


def test_cli_geocoder_options(tmp_path: Path, nominatim, monkeypatch) -> None:
    domain, server = nominatim
    monkeypatch.setenv("MAPPER_CACHE_DIR", str(tmp_path / "cache"))
    corpus = _corpus(tmp_path / "corpus", ["Qarghunzar"])
    args = ["build", str(corpus), "--out", str(tmp_path / "out"), "--geocoder", "nominatim",
            "--geocoder-option", f"domain={domain}", "--geocoder-option", "scheme=http",
            "--geocoder-option", "min_delay_seconds=0", "--geocoder-option",
            "user_agent=mapper-test/1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "osm:relation:4242" in _places(tmp_path / "out")
    assert [r["user_agent"] for r in server.requests] == ["mapper-test/1"]
    assert (tmp_path / "cache" / "geocode.sqlite").exists()

    bad = CliRunner().invoke(main, ["build", str(corpus), "--out", str(tmp_path / "o2"),
                                    "--geocoder", "no-such-service"])
    assert bad.exit_code == 1 and "unknown geocoder" in bad.output
    bad = CliRunner().invoke(main, ["build", str(corpus), "--out", str(tmp_path / "o2"),
                                    "--geocoder", "nominatim", "--geocoder-option", "oops"])
    assert bad.exit_code == 1 and "not key=value" in bad.output


def test_option_parsing() -> None:
    assert parse_options(["domain=a:1", "scheme=http", "x="]) == {
        "domain": "a:1", "scheme": "http", "x": ""}
    with pytest.raises(OnlineGeocoderError):
        parse_options(["=1"])
