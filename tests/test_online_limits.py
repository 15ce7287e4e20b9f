"""Online look-ups are bounded: a total deadline per request (a server that drips its answer
a byte at a time), a cap on an answer's size, a budget for a build's online time, "not
found" answers that expire, and coordinates out of range rejected; against a fake service on
127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from mapper.errors import MapperWarning
from mapper.parse.online import make_resolver


def _answer(name: str, lat: str = "34.52", lon: str = "62.21", pad: int = 0) -> bytes:
    return json.dumps([{
        "place_id": 7, "osm_type": "node", "osm_id": 7, "lat": lat, "lon": lon,
        "class": "place", "type": "town", "name": name, "display_name": name + " " * pad,
        "address": {"country_code": "af"}}]).encode()


class Service(BaseHTTPRequestHandler):
    """Answers by query: ``Drip`` a byte every 0.25 s, ``Huge`` 5 MB, ``Offworld`` lon 9999,
    ``Slow...`` after 0.3 s, anything else at once."""

    asked: list[str] = []
    stop = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        q = parse_qs(urlparse(self.path).query).get("q", [""])[0]
        type(self).asked.append(q)
        if q == "Drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            for byte in b"[" + b" " * 400:  # 100 s of drip at most
                if type(self).stop.is_set():
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:  # the client left
                    return
                time.sleep(0.25)
            return
        if q.startswith("Slow"):
            time.sleep(0.3)
        body = {"Huge": lambda: _answer("Huge", pad=5_000_000),
                "Offworld": lambda: _answer("Offworld", lat="10", lon="9999")
                }.get(q, lambda: _answer(q))()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()  # no Content-Length: read to the end
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def service() -> Iterator[str]:
    Service.asked = []
    Service.stop.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Service)
    server.daemon_threads = True
    server.protocol_version = "HTTP/1.0"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        Service.stop.set()
        server.shutdown()
        server.server_close()


def _resolver(domain: str, cache: Path, *options: str):
    return make_resolver("nominatim", [f"domain={domain}", "scheme=http", "timeout=3",
                                       "min_delay_seconds=0", *options], cache_path=cache)


def _resolve_in_time(domain: str, cache: Path, name: str, seconds: float,
                     *options: str) -> tuple:
    """A resolver's ``resolve(name)`` in a thread (the resolver made there: SQLite objects
    stay in their thread), given ``seconds``: a hang fails the test rather than stalling
    it. Returns the answer, the seconds it took, the warnings and what the cache holds."""
    box: list = []

    def run() -> None:
        resolver = _resolver(domain, cache, *options)
        box.append(resolver.resolve(name))
        box.append(resolver.cache.get(resolver.service, name.lower()))
        resolver.close()

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        thread.start()
        thread.join(seconds)
    assert not thread.is_alive(), f"resolving {name!r} took over {seconds} s"
    took = time.monotonic() - started
    return box[0], took, [str(w.message) for w in caught], box[1]


def test_a_dripping_answer_is_cut_at_the_deadline(tmp_path: Path, service: str) -> None:
    # timeout=3 bounds each read, which the drip never hits; the deadline bounds the request.
    (place, failed), took, said, cached = _resolve_in_time(
        service, tmp_path / "c.sqlite", "Drip", 10, "deadline=1.5")
    assert place is None and failed
    assert 1.4 < took < 3.0
    assert any("'Drip' left unresolved" in m and "1.5 s" in m for m in said), said
    assert cached == (False, None)


def test_an_answer_over_the_cap_is_refused_not_cached(tmp_path: Path, service: str) -> None:
    cache = tmp_path / "c.sqlite"
    (place, failed), _, said, cached = _resolve_in_time(service, cache, "Huge", 20)
    assert place is None and failed and cached == (False, None)
    assert any("over 1,000,000 bytes" in m for m in said), said
    assert cache.stat().st_size < 100_000


def test_coordinates_out_of_range_are_rejected_not_wrapped(tmp_path: Path,
                                                           service: str) -> None:
    (place, failed), _, said, cached = _resolve_in_time(
        service, tmp_path / "c.sqlite", "Offworld", 10)
    assert place is None and failed and cached == (False, None)
    assert any("9999" in m and "out of range" in m for m in said), said


def test_a_build_spends_at_most_its_budget_online(tmp_path: Path, service: str) -> None:
    resolver = _resolver(service, tmp_path / "c.sqlite", "budget=0.5")
    results = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in ["Slow", "Slow2", "Slow3", "Slow4", "Slow5"]:
            results.append(resolver.resolve(name))
    said = [str(w.message) for w in caught if issubclass(w.category, MapperWarning)]
    assert len(Service.asked) == 2  # 0.3 s each: the budget is spent after the second
    assert [failed for _, failed in results] == [False, False, True, True, True]
    assert said == ["online geocoder: its budget of 0.5 s for this build is spent; the "
                    "remaining names stay unresolved (asked on the next build)"]


def test_not_found_answers_expire(tmp_path: Path, service: str) -> None:
    cache = tmp_path / "c.sqlite"
    resolver = _resolver(service, cache, "not_found_days=30")
    resolver.cache.put(resolver.service, "oldtown", None)
    resolver.cache.put(resolver.service, "newtown", None)
    conn = sqlite3.connect(cache)
    conn.execute("UPDATE answers SET stored = ? WHERE name = 'oldtown'",
                 (time.time() - 31 * 86400,))
    conn.commit()
    conn.close()
    assert resolver.resolve("Newtown") == (None, False)
    assert Service.asked == []
    place, failed = resolver.resolve("Oldtown")
    assert Service.asked == ["Oldtown"] and place is not None and not failed
