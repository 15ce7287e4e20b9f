"""Put articles into a corpus folder (``mapper add``): copy article files, never clobbering a
different article; save a fetched web page or PDF under a name made from its address; write
a feed's new entries (:mod:`.feeds`). Only :func:`put_in` touches the network, through the
:class:`~mapper.read.fetch.Fetcher` it is given."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

from mapper.atomic import write_bytes
from mapper.errors import ArticleError, CorpusConflictError
from mapper.read.corpus import EXTENSIONS
from mapper.read.feeds import add_entries, feed_entries
from mapper.read.fetch import Fetcher, is_url

_SLUG = re.compile(r"[^a-z0-9]+")
_DOCTYPE = re.compile(rb"\A(\xef\xbb\xbf)?\s*<!doctype[^>]*>\s*", re.I)
#: Media types saved as web pages, and as PDFs.
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf",)


def add_articles(files: Sequence[str | os.PathLike[str]], folder: str | os.PathLike[str],
                 ) -> tuple[list[Path], list[Path]]:
    """Copy ``files`` into ``folder`` under their own names: (copied, already there).

    A file whose name is taken by the same bytes is already there (nothing to do). All files
    are checked before any is copied: if one would replace a different article, or is not a
    article file (:data:`EXTENSIONS`), nothing is copied and :class:`CorpusConflictError` (or
    :class:`ArticleError`) says which. Each copy is atomic, so a watcher never reads half.
    """
    target = Path(folder)
    plan: list[tuple[Path, bytes]] = []
    present: list[Path] = []
    conflicts = []
    for f in files:
        src = Path(f)
        if not src.name.lower().endswith(EXTENSIONS):
            raise ArticleError(str(src), f"not an article file (names end with "
                                         f"{' or '.join(EXTENSIONS)})")
        try:
            data = src.read_bytes()
        except OSError as exc:
            raise ArticleError(str(src), exc.strerror or str(exc)) from None
        dest = target / src.name
        if any(d == dest for d, _ in plan):
            raise CorpusConflictError(f"{src.name} is given twice")
        if dest.exists() or dest.is_symlink():
            if dest.is_file() and _digest(dest.read_bytes()) == _digest(data):
                present.append(dest)
                continue
            conflicts.append(dest)
            continue
        plan.append((dest, data))
    if conflicts:
        names = ", ".join(str(c) for c in conflicts)
        raise CorpusConflictError(f"not replacing a different article of the same name: {names}"
                                  " (rename the new file)")
    if plan:
        target.mkdir(parents=True, exist_ok=True)
    for dest, data in plan:
        write_bytes(dest, data)
    return [d for d, _ in plan], present


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_file(url: str, data: bytes, media_type: str) -> tuple[str, bytes]:
    """The file name and bytes a page fetched from ``url`` is saved as: the bytes it came
    as; raises :class:`ArticleError` when it is neither a web page nor a PDF.

    A web page gets, below its doctype, the line a browser's "Save as" writes
    (``<!-- saved from url=(N)URL -->``), so the reader knows its address even when the
    page names no canonical URL. The name is made from the address, so fetching the same
    address again replaces the page with its newer version.
    """
    if media_type in HTML_TYPES:
        # ">" escaped: the address cannot end the comment early.
        quoted = quote(url, safe=":/?#[]@!$&'()*+,;=%~")
        ending = ".html"
        line = f"<!-- saved from url=({len(quoted):04d}){quoted} -->\n".encode()
        doctype = _DOCTYPE.match(data)  # the line goes below it, as browsers write it
        at = doctype.end() if doctype else 0
        body = data[:at] + line + data[at:]
    elif media_type in PDF_TYPES or data.startswith(b"%PDF-"):
        ending, body = ".pdf", data
    else:
        raise ArticleError(url, f"not a web page or a PDF (the server says {media_type})")
    parts = urlsplit(url)
    slug = _SLUG.sub("-", f"{parts.hostname or ''} {parts.path}".lower()).strip("-")
    slug = slug.removesuffix("-html").removesuffix("-htm").removesuffix("-pdf")[:80]
    return f"{slug.rstrip('-') or 'page'}-{_digest(url.encode())[:8]}{ending}", body


def save_page(name: str, body: bytes, folder: str | os.PathLike[str]) -> tuple[Path, str]:
    """Write a fetched page (see :func:`page_file`) into ``folder``: (path, "added" |
    "updated" | "already there")."""
    path = Path(folder) / name
    if path.is_file():
        if _digest(path.read_bytes()) == _digest(body):
            return path, "already there"
        state = "updated"
    else:
        state = "added"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, body)
    return path, state


def put_in(folder: str | os.PathLike[str], sources: Sequence[str], feeds: Sequence[str],
           fetcher: Fetcher) -> list[str]:
    """Put ``sources`` (article files, or http(s) addresses of pages to fetch) and the new
    entries of ``feeds`` (files or addresses) into ``folder``; one line per thing done.

    Everything is fetched and parsed before anything is written, and every file checked
    before any is copied: a failure (a :class:`~mapper.errors.MapperError`) adds nothing.
    """
    pages = [page_file(page.url, page.data, page.media_type)
             for page in (fetcher.get(s) for s in sources if is_url(s))]
    entries = [feed_entries(fetcher.get(f).data if is_url(f) else _read(f), f) for f in feeds]
    copied, present = add_articles([s for s in sources if not is_url(s)], folder)
    done = [f"added {p}" for p in copied] + [f"already there: {p}" for p in present]
    for name, body in pages:
        path, state = save_page(name, body, folder)
        done.append(f"added {path}" if state == "added" else f"{state}: {path}")
    for feed, found in zip(feeds, entries, strict=True):
        written, known = add_entries(found, folder)
        done += [f"added {p}" for p in written]
        done.append(f"{feed}: {len(written)} new entries, {known} already added")
    return done


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ArticleError(path, exc.strerror or str(exc)) from None
