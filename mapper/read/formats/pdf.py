"""PDF reports: the text of each page with pypdf, title and date from the document's
metadata when it has them. A PDF without a text layer (a scan) is refused, not mapped
empty: it needs OCR first.

The text offsets point into is the pages' texts joined by a blank line; ``pages`` in the
:class:`~mapper.read.formats.common.Extracted` says where each page starts, so an excerpt can
say its page.
"""

from __future__ import annotations

import io
import logging
import re

from mapper.errors import ArticleError
from mapper.read.formats.common import Extracted, one_line, short_title

#: Between two pages' texts.
PAGE_BREAK = "\n\n"
# Characters a text file never holds (tab, newlines and form feed are kept).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Titles that name the program that made the file, not the report.
_TOOL_TITLE = re.compile(r"(microsoft (word|powerpoint) - .*|untitled.*|.*\.(docx?|pptx?|indd))",
                         re.I)


def read_pdf(data: bytes, path: str) -> Extracted:
    """A PDF's bytes as an article's text (page by page) and metadata."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are about the file
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ArticleError(path, "encrypted PDF (needs a password)")
        texts = [_CONTROL.sub(" ", page.extract_text() or "").strip("\n")
                 for page in reader.pages]
        meta = reader.metadata
        title = one_line(meta.title) if meta else ""
        made = meta.creation_date if meta else None
    except ArticleError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ArticleError(path, f"not a readable PDF ({exc})") from None
    if not any(t.strip() for t in texts):
        raise ArticleError(path, f"no text layer in its {len(texts)} page(s); OCR it first "
                                 "(e.g. with ocrmypdf)")
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + len(PAGE_BREAK)
    text = PAGE_BREAK.join(texts)
    if not title or _TOOL_TITLE.fullmatch(title):
        title = next((one_line(line) for line in text.splitlines() if line.strip()), "")
    return Extracted(text=text, title=short_title(title),
                     date=made.date() if made else None, pages=tuple(starts))
