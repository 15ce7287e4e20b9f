"""Benchmark the explorer on a generated corpus: page size, load and click times in Chromium.

    python -m mapper.render.bench --articles 10000 --places 2000 --excerpts 50000

Prints the HTML size, the render time, the time from navigation to drawn markers and the time
a click on a marker takes to fill the panel (headless Chromium at /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

from mapper.models import Article, Excerpt
from mapper.render import write_map

_WORDS = [
    "the",
    "government",
    "said",
    "on",
    "monday",
    "that",
    "forces",
    "had",
    "moved",
    "into",
    "the",
    "province",
    "after",
    "talks",
    "between",
    "officials",
    "and",
    "local",
    "leaders",
    "broke",
    "down",
    "amid",
    "reports",
    "of",
    "fighting",
    "near",
    "the",
    "border",
]
_KINDS = ("city",) * 6 + ("admin1", "country", "feature", "admin2")


def synthetic(
    n_articles: int, n_places: int, n_excerpts: int, seed: int = 1
) -> tuple[gpd.GeoDataFrame, list[Excerpt], list[Article]]:
    """A corpus of ~5,000-character articles quoting random places, and its places frame."""
    rng = random.Random(seed)
    names = [f"Place{i:04d}" for i in range(n_places)]
    articles, slots = [], []
    start = dt.date(2020, 1, 1)
    for a in range(n_articles):
        sentences = []
        for _ in range(30):
            words = rng.choices(_WORDS, k=25)
            words[rng.randrange(25)] = rng.choice(names)
            sentence = " ".join(words)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        text = " ".join(sentences)
        date = start + dt.timedelta(days=rng.randrange(900)) if rng.random() < 0.9 else None
        articles.append(Article(f"{a:05d}.txt", f"corpus/{a:05d}.txt", f"Article {a}", date, text))
        offset = 0
        for sentence in sentences:
            slots.append((a, offset, sentence))
            offset += len(sentence) + 1
    excerpts, mentions = [], [0] * n_places
    by_place: list[set[str]] = [set() for _ in range(n_places)]
    for a, offset, sentence in rng.sample(slots, min(n_excerpts, len(slots))):
        i = sentence.find("Place")
        if i < 0:
            continue
        p = int(sentence[i + 5 : i + 9])
        excerpts.append(Excerpt(articles[a].id, f"gn:{p}", offset, sentence, ((i, i + 9),)))
        mentions[p] += 1
        by_place[p].add(articles[a].id)
    rows = [
        {
            "key": f"gn:{p}",
            "name": names[p],
            "kind": rng.choice(_KINDS),
            "country": "XX",
            "mentions": mentions[p],
            "n_articles": len(by_place[p]),
            "article_ids": "|".join(sorted(by_place[p])),
            "alt_names": f"Alt{p}",
        }
        for p in range(n_places)
    ]
    points = [Point(rng.uniform(-150, 150), rng.uniform(-50, 65)) for _ in range(n_places)]
    frame = gpd.GeoDataFrame(rows, geometry=points, crs="EPSG:4326")
    frame = frame[frame["mentions"] > 0].sort_values(["mentions", "key"], ascending=[False, True])
    return frame.reset_index(drop=True), excerpts, articles


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
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--places", type=int, default=2_000)
    parser.add_argument("--excerpts", type=int, default=50_000)
    parser.add_argument("--html", type=Path, default=None,
                        help="measure this built map (e.g. a benchmark's 10,000-article "
                             "index.html) instead of a synthetic one")
    args = parser.parse_args()
    if args.html is not None:
        print(f"{args.html}: {args.html.stat().st_size / 1e6:.2f} MB")
        _report([measure(args.html.resolve()) for _ in range(3)])
        return
    places, excerpts, articles = synthetic(args.articles, args.places, args.excerpts)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        html = write_map(places, excerpts, articles, Path(tmp), title="bench")
        render_s = time.perf_counter() - t
        print(f"{len(articles)} articles, {len(places)} places, {len(excerpts)} excerpts")
        print(f"render: {render_s:.2f} s, index.html: {html.stat().st_size / 1e6:.2f} MB")
        _report([measure(html) for _ in range(3)])


def _report(runs: list[dict[str, float]]) -> None:
    for key in runs[0]:
        print(f"{key}: {statistics.median(r[key] for r in runs):.0f} (median of 3)")


if __name__ == "__main__":
    main()
