"""Helpers of the input-format tests: PDFs made here, the fixture pages, a mixed corpus and
a local HTTP server on 127.0.0.1 (the only network any test uses)."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
#: The fixture pages: (title, date, outlet, canonical URL, sentences of the story).
STORIES = {
    "wire_jsonld.html": ("Floodwaters reach Dhaka as rivers swell", dt.date(2021, 7, 16),
                         "Meridian Wire",
                         "https://www.meridianwire.example/world/asia/2021/07/16/"
                         "floodwaters-reach-dhaka"),
    "blog_time.html": ("Notes from the road to Herat", dt.date(2021, 8, 3), "Field Notes",
                       "https://fieldnotes.example/2021/08/notes-from-the-road-to-herat/"),
    "comments_cookies.html": ("Port reopens in Beira after cyclone repairs",
                              dt.date(2021, 6, 22), "The Coastal Herald",
                              "https://www.coastalherald.example/news/2021/06/22/"
                              "port-reopens-in-beira"),
}
#: Places named only in the pages' boilerplate (navigation, ads, related stories, footers,
#: sidebars, comments, cookie banners): none may reach an article's text.
BOILERPLATE_PLACES = ("Paris", "Tokyo", "Singapore", "Madrid", "Lima", "Rotterdam", "Nairobi",
                      "London", "New York", "Johannesburg", "Istanbul", "Kyrgyzstan",
                      "Tajikistan", "Dushanbe", "Bishkek", "Almaty", "Khorog", "Lisbon",
                      "Dublin", "Frankfurt", "Maputo", "Lusaka", "Cape Town", "Durban",
                      "Bulawayo", "Nampula")
#: Places the stories name (one per page at least), which must be mapped.
STORY_PLACES = {"wire_jsonld.html": "Sirajganj", "blog_time.html": "Herat",
                "comments_cookies.html": "Beira"}

#: A two-page report: page 1 names Mekelle and Gondar, page 2 Kombolcha and Addis Ababa.
REPORT_PAGES = (
    "Situation report\n\nFighting around Mekelle displaced families towards the north, "
    "aid agencies said. Roads to Gondar remained closed for a second week.",
    "Access to Kombolcha improved after the rains, while flights to Addis Ababa resumed "
    "on Monday.",
)
REPORT_TITLE = "Humanitarian update: northern Ethiopia"
REPORT_DATE = dt.date(2021, 7, 14)


def make_pdf(path: Path, pages: tuple[str, ...] = REPORT_PAGES, *, title: str = REPORT_TITLE,
             date: dt.date | None = REPORT_DATE) -> Path:
    """A PDF with a text layer, one page per text, and the title and date as metadata."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    if date:
        pdf.set_creation_date(dt.datetime(date.year, date.month, date.day, 9,
                                          tzinfo=dt.timezone.utc))
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    path.write_bytes(bytes(pdf.output()))
    return path


def make_scan(path: Path) -> Path:
    """A PDF whose page is only a picture (a scan): no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("L", (400, 300), 255)
    draw = ImageDraw.Draw(image)
    for y in range(40, 260, 20):
        draw.line((30, y, 370, y), fill=0, width=6)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=180)
    path.write_bytes(bytes(pdf.output()))
    return path


def mixed_corpus(folder: Path) -> Path:
    """A corpus of the three fixture pages, a two-page PDF report and a dated text file."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in STORIES:
        shutil.copy(PAGES / name, folder / name)
    make_pdf(folder / "report.pdf")
    (folder / "kabul.txt").write_text(
        "Flights resume at Kabul airport\nPublished: September 9, 2021\n\nThe first "
        "international flight since the evacuation landed in Kabul on Thursday.\n",
        encoding="utf-8")
    return folder


Handler = Callable[[BaseHTTPRequestHandler], None]


@contextmanager
def local_server(routes: dict[str, tuple[int, str, bytes] | Handler]) -> Iterator[Server]:
    """An HTTP server on 127.0.0.1 (a free port) answering ``routes``: path -> (status,
    content type, body) or a function of the request handler. Records every request."""
    log: list[tuple[str, str, float]] = []

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            import time

            log.append((self.path, self.headers.get("User-Agent", ""), time.monotonic()))
            route = routes.get(self.path)
            if callable(route):
                route(self)
                return
            status, media, body = route or (404, "text/plain", b"not found")
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{server.server_address[1]}", log)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class Server:
    """A running :func:`local_server`: its base URL and the requests it got (path,
    User-Agent, monotonic time)."""

    def __init__(self, base: str, log: list[tuple[str, str, float]]) -> None:
        self.base = base
        self.log = log

    def url(self, path: str) -> str:
        return self.base + path


#: The story of the hostile page: the only text that may come out of it.
HOSTILE_STORY = ("Protesters gathered in Kraków and Zürich on Sunday, and later in São Paulo, "
                 "according to organisers who spoke to reporters after the marches ended.")


def hostile_page(size: int = 0) -> bytes:
    """A page that tries everything: scripts and an iframe that name places, ``javascript:``
    links and canonical URL, markup in its site name, a charset declaration that lies
    (it says ISO-8859-1, the bytes are UTF-8), and padding of scripts and ads up to
    ``size`` bytes."""
    head = (
        '<!DOCTYPE html><html><head><meta charset="iso-8859-1">'
        "<title>Marches &amp; rallies</title>"
        '<meta property="og:site_name" content="&lt;img src=x onerror=alert(1)&gt;Evil News">'
        '<link rel="canonical" href="javascript:alert(document.cookie)">'
        '<meta property="article:published_time" content="2021-09-12T10:00:00Z">'
        "<script>var capital = 'Tripoli'; alert('Benghazi');</script></head><body>"
        '<nav><a href="javascript:alert(1)">Misrata</a></nav>'
        '<iframe src="https://evil.example/" srcdoc="<p>Tobruk</p>"></iframe>'
        "<article><h1>Marches and rallies</h1>"
    )
    story = "".join(f"<p>{HOSTILE_STORY} <a href=\"javascript:alert('x')\">More</a></p>"
                    for _ in range(3))
    tail = "</article><script>document.write('Sirte')</script></body></html>"
    pad_unit = ("<script>var x='" + "A" * 1000 + "';</script>"
                "<div class='ad'><a href='javascript:void(0)'>Win a trip to Derna</a>"
                "<iframe src='https://ads.example/'></iframe></div>\n")
    page = head + story + tail
    if size:
        padding = pad_unit * max(0, (size - len(page.encode())) // len(pad_unit))
        page = head + padding + story + tail
    return page.encode("utf-8")


#: Places that only the hostile page's scripts, links, iframes and ads name.
HOSTILE_PLACES = ("Tripoli", "Benghazi", "Misrata", "Tobruk", "Sirte", "Derna")
