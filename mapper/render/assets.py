"""Offline assets: Leaflet's dist files from an installed package, and our own templates.

Nothing here touches the network. Leaflet comes from the PyPI package
``django-js-lib-leaflet`` (Leaflet 1.9.4's dist folder, no dependencies; we only read its
files, Django is never imported). Images referenced by Leaflet's CSS become data URIs so the
page needs no file beside it. rbush (the R-tree the labels are placed with) is vendored in
``assets/`` (version and licence in ``assets/README.md``; ``assets/refresh.sh`` refreshes it).
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources

_LEAFLET_PACKAGE = "js_lib_leaflet"
_LEAFLET_DIR = "static/js_lib_leaflet"
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((images/[\w.-]+\.png)\)")


def _leaflet_file(name: str) -> resources.abc.Traversable:
    return resources.files(_LEAFLET_PACKAGE).joinpath(_LEAFLET_DIR, name)


@cache
def leaflet_js() -> str:
    """Leaflet's minified JavaScript, without the source-map comment (it would be fetched)."""
    return _SOURCE_MAP.sub("", _leaflet_file("leaflet.js").read_text(encoding="utf-8")).strip()


@cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with every ``url(images/...)`` replaced by a ``data:`` URI."""

    def inline(match: re.Match[str]) -> str:
        data = _leaflet_file(match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    return _CSS_URL.sub(inline, _leaflet_file("leaflet.css").read_text(encoding="utf-8"))


@cache
def template(name: str) -> str:
    """The text of ``mapper/render/templates/<name>``."""
    return resources.files("mapper.render").joinpath("templates", name).read_text(encoding="utf-8")


@cache
def vendored_js(name: str) -> str:
    """A vendored script of ``mapper/render/assets/`` (see its README), without source-map
    comments."""
    text = resources.files("mapper.render").joinpath("assets", name).read_text(encoding="utf-8")
    return _SOURCE_MAP.sub("", text).strip()
