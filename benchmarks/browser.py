"""Benchmark the explorer in Chromium: page size, load and click times.

    python benchmarks/browser.py OUT/index.html       # a map built already
    python benchmarks/browser.py --articles 10000     # the benchmark corpus, built first

Prints the HTML size, the time from navigation to drawn markers and the time a click on a
marker takes to fill the panel (headless Chromium at /usr/bin/chromium), medians of 3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: corpus.py beside it

from corpus import write_corpus  # noqa: E402

from mapper.build import build  # noqa: E402


def measure(html: Path, chromium: str = "/usr/bin/chromium", clicks: int = 5) -> dict[str, float]:
    """Milliseconds to drawn markers, and per click on a marker to a filled panel."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto(html.as_uri())
        page.wait_for_function("performance.getEntriesByName('mapper-painted').length > 0")
        ready = page.evaluate("performance.getEntriesByName('mapper-painted')[0].startTime")
        load = page.evaluate(
            "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
        )
        times = [
            page.evaluate(
                """i => { const p = mapper.places[i], map = mapper.map;
                  map.setView([p.lat, p.lon], 6, {animate: false});
                  const xy = map.latLngToContainerPoint([p.lat, p.lon]);
                  const canvas = document.querySelector('.leaflet-mapper-places-pane canvas');
                  const box = map.getContainer().getBoundingClientRect();
                  const t = performance.now();
                  canvas.dispatchEvent(new MouseEvent('click', {bubbles: true,
                    clientX: box.left + xy.x, clientY: box.top + xy.y}));
                  if (mapper.selected() !== p.key) return -1;
                  return performance.now() - t; }""",
                i,
            )
            for i in range(clicks)
        ]
        browser.close()
    return {"dom_content_loaded_ms": load, "markers_drawn_ms": ready, "click_ms": max(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, nargs="?", default=None,
                        help="a built map (e.g. OUT/index.html of `benchmarks/run.py`)")
    parser.add_argument("--articles", type=int, default=10_000,
                        help="without HTML: build the benchmark corpus of this many articles")
    args = parser.parse_args()
    if args.html is not None:
        print(f"{args.html}: {args.html.stat().st_size / 1e6:.2f} MB")
        _report([measure(args.html.resolve()) for _ in range(3)])
        return
    with tempfile.TemporaryDirectory() as tmp:
        corpus, out = Path(tmp) / "corpus", Path(tmp) / "out"
        write_corpus(corpus, args.articles)
        t = time.perf_counter()
        html = build(corpus, out, jobs=os.cpu_count() or 1).map_path
        print(f"{args.articles} articles: built in {time.perf_counter() - t:.1f} s, "
              f"index.html {html.stat().st_size / 1e6:.2f} MB")
        _report([measure(html) for _ in range(3)])


def _report(runs: list[dict[str, float]]) -> None:
    for key in runs[0]:
        print(f"{key}: {statistics.median(r[key] for r in runs):.0f} (median of 3)")


if __name__ == "__main__":
    main()
