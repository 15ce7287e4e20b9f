"""A Content-Security-Policy that lets the page run its own inline code and nothing else.

Every executable inline ``<script>`` of the finished page is hashed (SHA-256) and listed in
``script-src``, so an injected script, inline event handler or ``javascript:`` URL, should one
ever slip past the escaping, is refused by the browser. ``default-src 'none'`` blocks every
fetch; only ``data:`` images (Leaflet's control icons) and the tile server are allowed.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from markupsafe import escape

_NOT_CODE = re.compile(r"""type\s*=\s*["']?application/(?:ld\+)?json""", re.IGNORECASE)
_HEAD_META = re.compile(r"<meta http-equiv=\"content-type\"[^>]*>", re.IGNORECASE)


def script_hashes(html: str) -> list[str]:
    """``'sha256-…'`` sources for each executable inline script, in page order, no repeats."""
    seen: dict[str, None] = {}
    for attrs, body in _scripts(html):
        if _NOT_CODE.search(attrs) or "src=" in attrs:
            continue
        digest = hashlib.sha256(body.encode("utf-8")).digest()
        seen[f"'sha256-{base64.b64encode(digest).decode('ascii')}'"] = None
    return list(seen)


#: Tags in any case. Each pattern starts with a literal ``<``, which the regex engine finds
#: at C speed; the page's JSON payloads hold no ``<`` at all (:func:`.data.script_json`), so
#: nothing crawls through them character by character, and the page is never lowercased
#: whole.
_OPEN = re.compile(r"<(?i:script)(?=[>\s/])")
_CLOSE = re.compile(r"</(?i:script)>")


def _scripts(html: str) -> Iterator[tuple[str, str]]:
    """(attributes, body) of each ``<script>`` element."""
    at = 0
    while (found := _OPEN.search(html, at)) is not None:
        start = found.start()
        opened = html.find(">", start)
        end = _CLOSE.search(html, opened) if opened != -1 else None
        if end is None:
            return
        yield html[start + 7:opened], html[opened + 1:end.start()]
        at = end.end()


def tile_origin(url: str) -> str:
    """The CSP source for a tile URL template: ``https://{s}.tile.x/{z}/…`` -> ``https://*.tile.x``."""
    parts = urlsplit(url.replace("{s}", "SUBDOMAIN"))
    host = (parts.hostname or "").replace("subdomain", "*")
    return f"{parts.scheme}://{host}"


def policy(html: str, tile_urls: Iterable[str] = ()) -> str:
    """The policy for ``html`` (which must already be final apart from the policy itself)."""
    quote_none = "'none'"
    images = " ".join(["data:", *sorted({tile_origin(u) for u in tile_urls})])
    directives = [
        "default-src 'none'",
        f"script-src {' '.join(script_hashes(html)) or quote_none}",
        "style-src 'unsafe-inline'",
        f"img-src {images}",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    return "; ".join(directives)


def add_policy(html: str, tile_urls: Iterable[str] = ()) -> str:
    """``html`` with a CSP ``<meta>`` right after its content-type declaration."""
    tag = f'<meta http-equiv="Content-Security-Policy" content="{escape(policy(html, tile_urls))}">'
    match = _HEAD_META.search(html)
    if match is None:
        return html.replace("<head>", "<head>\n" + tag, 1)
    return html[: match.end()] + "\n    " + tag + html[match.end() :]
