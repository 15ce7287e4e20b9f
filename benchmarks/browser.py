"""Benchmark the explorer in Chromium: page size, load and click times.

    python benchmarks/browser.py OUT/index.html       # a map built already
    python benchmarks/browser.py --articles 10000     # the benchmark corpus, built first

Prints the HTML size, the time from navigation to drawn markers, the time a click on a
marker takes to fill the panel, the label placement after a zoom (median of 10 zooms, from
the start view into the densest places and out to the world) and how many pairs of labels
overlap over those zooms (headless Chromium at /usr/bin/chromium), medians of 3 page loads.
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
        zooms = page.evaluate(_ZOOMS)
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
    return {"dom_content_loaded_ms": load, "markers_drawn_ms": ready, "click_ms": max(times),
            "label_placement_ms": statistics.median(zooms["ms"]),
            "labels_shown": statistics.median(zooms["labels"]),
            "overlapping_labels": max(zooms["overlaps"])}


#: Ten zooms: each sets the view (no animation) and reads the placement's own timing, the
#: labels it placed and the pairs of them that overlap.
_ZOOMS = """() => {
  const map = mapper.map, top = mapper.places.slice(0, 4), out = {ms: [], labels: [], overlaps: []};
  const views = [[top[0], 3], [top[1], 5], [top[1], 7], [top[2], 6], [top[3], 8], [top[0], 4],
                 [top[2], 9], [top[3], 5], [top[1], 2], [top[0], 6]];
  for (const [p, z] of views) {
    map.setView([p.lat, p.lon], z, {animate: false});
    const labels = mapper.labels();
    let overlaps = 0;
    for (let a = 0; a < labels.length; a++) for (let b = a + 1; b < labels.length; b++) {
      const x = labels[a].box, y = labels[b].box;
      const e = 0.5;
      if (x[0] < y[2] - e && y[0] < x[2] - e && x[1] < y[3] - e && y[1] < x[3] - e) overlaps++;
    }
    out.ms.push(mapper.labelMs()); out.labels.push(labels.length); out.overlaps.push(overlaps);
  }
  return out; }"""


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
