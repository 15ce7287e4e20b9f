"""One reader per kind of article file, behind :func:`extract`: plain text and Markdown
(:mod:`.text`), saved web pages (:mod:`.html`), PDF reports (:mod:`.pdf`). Each turns a
file's bytes into an :class:`~.common.Extracted`: the text offsets point into, and the
title, date, outlet, URL and page starts it found."""

from __future__ import annotations

from collections.abc import Callable

from mapper.errors import ArticleError
from mapper.read.formats.common import Extracted, short_title
from mapper.read.formats.html import read_html
from mapper.read.formats.pdf import read_pdf
from mapper.read.formats.text import read_text

#: Reader by file name ending (lower case).
READERS: dict[str, Callable[[bytes, str], Extracted]] = {
    ".txt": read_text, ".md": read_text, ".html": read_html, ".htm": read_html,
    ".pdf": read_pdf,
}
#: File name endings read as articles.
EXTENSIONS = tuple(READERS)


def extract(data: bytes, path: str) -> Extracted:
    """The text and metadata of the article file at ``path`` whose bytes are ``data``."""
    name = path.lower()
    for ending, reader in READERS.items():
        if name.endswith(ending):
            return reader(data, path)
    raise ArticleError(path, f"not an article file (names end with {', '.join(EXTENSIONS)})")


__all__ = ["EXTENSIONS", "READERS", "Extracted", "extract", "short_title"]
