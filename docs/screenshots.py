"""Rebuild the README screenshots from the seeds map: ``python docs/screenshots.py``.

Builds ``seeds/`` into a temporary folder and opens the map in headless Chromium with the
network cut off, as a reader would: nothing here sets a zoom. It saves ``docs/map.png`` (the
view the map opens on), ``docs/kandahar.png`` (Kandahar selected from its link: the zoom the
map picks) and ``docs/reader.png`` (the reader view of Kandahar's newest article).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from mapper.build.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
READY = "document.documentElement.dataset.mapperReady === '1'"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        html = build(ROOT / "seeds", Path(tmp)).map_path
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 820})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else r.abort())
        page.goto(html.as_uri())
        page.wait_for_function(READY)
        page.wait_for_timeout(300)
        page.screenshot(path=str(ROOT / "docs" / "map.png"))
        page.goto(html.as_uri() + "#place=gn%3A1138336")
        page.reload()  # a new page on the link, as a reader who follows it
        page.wait_for_function(READY)
        page.wait_for_timeout(500)
        page.screenshot(path=str(ROOT / "docs" / "kandahar.png"))
        page.click("#mp-groups .mp-group:first-child .mp-read")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ROOT / "docs" / "reader.png"))
        browser.close()


if __name__ == "__main__":
    main()
