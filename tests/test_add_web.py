"""``mapper add URL`` and ``mapper add --feed``: against a local HTTP server on 127.0.0.1
that each test starts (never the network)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from buildkit import payload
from click.testing import CliRunner
from formatkit import PAGES, STORIES, local_server, make_pdf

from mapper.cli import main
from mapper.errors import FetchError
from mapper.read.corpus import read_article
from mapper.read.feeds import feed_entries
from mapper.read.fetch import USER_AGENT, Fetcher

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


def _run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def _feed_routes() -> dict:
    return {"/robots.txt": (200, "text/plain", ROBOTS),
            "/world.rss": (200, "application/rss+xml", (FEEDS / "world.rss").read_bytes()),
            "/updates.atom": (200, "application/atom+xml",
                              (FEEDS / "updates.atom").read_bytes())}


def test_rss_and_atom_feeds_are_added_once(tmp_path: Path) -> None:
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    with local_server(_feed_routes()) as server:
        first = _run("add", "--feed", server.url("/world.rss"), "--feed",
                     server.url("/updates.atom"), "--to", corpus, "--out", out)
        assert first.exit_code == 0, first.output
        files = sorted(p.name for p in corpus.iterdir())
        assert len(files) == 5
        assert "3 new entries, 0 already added" in first.output
        again = _run("add", "--feed", server.url("/world.rss"), "--feed",
                     server.url("/updates.atom"), "--to", corpus, "--out", out)
        assert again.exit_code == 0, again.output
        assert "0 new entries, 3 already added" in again.output
        assert "0 new entries, 2 already added" in again.output
        assert sorted(p.name for p in corpus.iterdir()) == files
        agents = {agent for _, agent, _ in server.log}
    assert agents == {USER_AGENT} and USER_AGENT.startswith("mapper/")
    # The same feed read from a file: the same entries, still none twice.
    third = _run("add", "--feed", FEEDS / "world.rss", "--to", corpus, "--out", out)
    assert "0 new entries, 3 already added" in third.output
    assert sorted(p.name for p in corpus.iterdir()) == files

    dhaka = next(corpus.glob("2021-07-16-floodwaters-reach-dhaka*.txt"))
    article = read_article(dhaka)
    assert (article.title, article.date.isoformat(), article.outlet, article.url) == (
        "Floodwaters reach Dhaka as rivers swell", "2021-07-16", "Meridian Wire: World",
        STORIES["wire_jsonld.html"][3])
    text = dhaka.read_text(encoding="utf-8")
    assert "Sirajganj" in text and "alert" not in text and "Tripoli" not in text
    assert "<p>" not in text
    # An entry without a GUID is known by its link; an Atom entry without a publication
    # date has its update date.
    herat = read_article(next(corpus.glob("*notes-from-the-road-to-herat*.txt")))
    assert herat.date.isoformat() == "2021-08-03" and herat.outlet == "Field Notes"
    assert any(p.startswith("2021-07-25-a-week-in-dushanbe") for p in files)
    data = payload(out / "index.html")
    assert len(data["articles"]) == 5
    assert {r[4] for r in data["articles"]} == {"Meridian Wire: World", "Field Notes"}


def test_a_feed_that_is_not_one_adds_nothing(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_text("<html><body>not a feed</body></html>", encoding="utf-8")
    result = _run("add", "--feed", junk, "--to", tmp_path / "corpus")
    assert result.exit_code == 1 and "not an RSS or Atom feed" in result.output
    assert not (tmp_path / "corpus").exists()
    assert feed_entries((FEEDS / "updates.atom").read_bytes(), "x")[0].outlet == "Field Notes"


def test_add_url_saves_the_page_as_it_came_and_rebuilds_offline(tmp_path: Path) -> None:
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    story = (PAGES / "wire_jsonld.html").read_bytes()
    bare = b"<html><body><article><p>" + b"Rain fell on Lagos for a third day. " * 8 + \
        b"</p></article></body></html>"
    report = make_pdf(tmp_path / "report.pdf").read_bytes()
    routes = {"/robots.txt": (200, "text/plain", ROBOTS),
              "/world/dhaka": (200, "text/html; charset=utf-8", story),
              "/lagos": (200, "text/html", bare),
              "/docs/report.pdf": (200, "application/pdf", report)}
    with local_server(routes) as server:
        urls = [server.url(p) for p in ("/world/dhaka", "/lagos", "/docs/report.pdf")]
        result = _run("add", *urls, "--to", corpus, "--out", out)
        assert result.exit_code == 0, result.output
        log = list(server.log)
    # robots.txt once, then each page, a second apart (one host).
    assert [p for p, _, _ in log] == ["/robots.txt", "/world/dhaka", "/lagos",
                                      "/docs/report.pdf"]
    gaps = [b[2] - a[2] for a, b in zip(log, log[1:], strict=False)]
    assert min(gaps) >= 0.95
    saved = sorted(corpus.iterdir())
    assert sorted(p.suffix for p in saved) == [".html", ".html", ".pdf"]
    html = next(p for p in saved if "dhaka" in p.name)
    # The page as it came, with the line a browser's "Save as" writes below its doctype.
    line = f"<!-- saved from url=({len(urls[0]):04d}){urls[0]} -->\n".encode()
    assert html.read_bytes() == story.replace(b"<!DOCTYPE html>\n", b"<!DOCTYPE html>\n" + line)
    assert read_article(html).url == STORIES["wire_jsonld.html"][3]  # its canonical URL
    lagos = read_article(next(p for p in saved if "lagos" in p.name))
    assert lagos.url == urls[1]  # no canonical URL: the address it was fetched from
    pdf = next(p for p in saved if p.suffix == ".pdf")
    assert pdf.read_bytes() == report
    # The server is gone: a rebuild reads the corpus alone.
    rebuilt = _run("build", corpus, "--out", out)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "3 articles" in rebuilt.output


def test_robots_txt_is_obeyed_and_nothing_is_written(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    routes = {"/robots.txt": (200, "text/plain", ROBOTS),
              "/private/page": (200, "text/html", b"<html><body>secret</body></html>"),
              "/ok": (200, "text/html", (PAGES / "blog_time.html").read_bytes())}
    with local_server(routes) as server:
        result = _run("add", server.url("/ok"), server.url("/private/page"), "--to", corpus)
        paths = [p for p, _, _ in server.log]
    assert result.exit_code == 1
    assert "robots.txt does not allow mapper" in result.output
    assert "/private/page" not in paths
    assert not corpus.exists()  # nothing fetched is saved when one address fails


def test_fetch_errors_are_one_line_each(tmp_path: Path) -> None:
    def slow(handler) -> None:
        time.sleep(1.5)
        handler.send_response(200)
        handler.end_headers()

    routes = {"/robots.txt": (404, "text/plain", b""), "/slow": slow,
              "/missing": (404, "text/html", b"gone"),
              "/picture": (200, "image/png", b"\x89PNG\r\n\x1a\n"),
              "/big": (200, "text/html", b"<p>" + b"x" * 5000 + b"</p>")}
    with local_server(routes) as server:
        fetcher = Fetcher(timeout=0.5, interval=0, max_bytes=4000)
        with pytest.raises(FetchError, match=r"no answer within 0.5 s"):
            fetcher.get(server.url("/slow"))
        with pytest.raises(FetchError, match="HTTP 404"):
            fetcher.get(server.url("/missing"))
        with pytest.raises(FetchError, match="more than 4,000 bytes"):
            fetcher.get(server.url("/big"))
        result = _run("add", server.url("/picture"), "--to", tmp_path / "corpus")
        assert result.exit_code == 1 and "not a web page or a PDF" in result.output
    assert not (tmp_path / "corpus").exists()


def test_one_request_per_host_per_second() -> None:
    now = [100.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(round(seconds, 3))
        now[0] += seconds

    routes = {"/robots.txt": (200, "text/plain", b""), "/a": (200, "text/html", b"<p>a</p>")}
    with local_server(routes) as server:
        fetcher = Fetcher(clock=lambda: now[0], sleep=sleep)
        fetcher.get(server.url("/a"))
        now[0] += 0.25
        fetcher.get(server.url("/a"))
    # robots.txt, then the page (waits a second), then the page again (waits 0.75 s).
    assert pauses == [1.0, 0.75]
