"""A folder of news articles -> :class:`~mapper.models.Article` records (no geography here).

Which files are articles (the walk, also :mod:`.scan`'s), reading one safely (size limit,
links, permissions) and its stable id. What is in a file is its reader's business
(:mod:`.formats`, by file type): ``Article.text`` is the text offsets point into, the
decoded file for plain text (see :mod:`.formats.text`), the extracted text for a web page
or a PDF; this is what ``mapper parse`` reports offsets into (``--with-text`` prints it).
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mapper.errors import ArticleError
from mapper.models import Article
from mapper.read.decoding import blank, decode
from mapper.read.formats import EXTENSIONS, extract, short_title
from mapper.read.formats.common import MAX_TITLE_CHARS

__all__ = ["DEFAULT_MAX_BYTES", "EXTENSIONS", "MAX_TITLE_CHARS", "Problem", "blank", "decode",
           "ignored_summary", "read_article", "read_corpus", "short_title"]
#: Largest file read by default (bytes).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: Directory names never entered: ours and tools' caches (hidden ones are skipped anyway).
SKIP_DIRS = frozenset({"__pycache__", "node_modules"})




@dataclass(frozen=True)
class Problem:
    """A file that could not be read as an article, and why."""

    path: str
    message: str


def read_corpus(
    folder: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    exclude: Iterable[str | os.PathLike[str]] = (),
    follow_links: bool = False,
) -> tuple[list[Article], list[Problem]]:
    """Read every article file (:data:`EXTENSIONS`) under ``folder``, recursively, in sorted order.

    Hidden files and directories are skipped, as are the directories in ``exclude`` (the
    caller's own output folder), and links leading outside ``folder`` unless
    ``follow_links`` (each a :class:`Problem`). One unreadable file never stops the others:
    it becomes a :class:`Problem` and reading goes on.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ArticleError(str(folder), "not a folder")
    excluded = {_identity(Path(p)) for p in exclude if Path(p).exists()}
    articles: list[Article] = []
    problems: list[Problem] = []
    for _, path, note, _ in _candidates(root, excluded, follow_links=follow_links):
        if note:
            problems.append(Problem(str(path), note))
            continue
        try:
            articles.append(read_article(path, root=root, max_bytes=max_bytes))
        except ArticleError as exc:
            problems.append(Problem(str(path), exc.reason))
    return articles, problems


def read_article(
    path: str | os.PathLike[str],
    root: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Article:
    """Read one article file. ``root`` makes the id relative; without it the id is the name.

    Raises :class:`~mapper.errors.ArticleError` for anything that is not a readable article
    (binary, empty, a web page with no article text, a PDF without a text layer...).
    """
    p = Path(path)
    data = _read_bytes(p, max_bytes)
    found = extract(data, str(p))
    return Article(
        id=_article_id(p, root),
        path=str(path),
        title=found.title,
        date=found.date,
        text=found.text,
        sha256=hashlib.sha256(data).hexdigest(),
        outlet=found.outlet,
        url=found.url,
        pages=found.pages,
    )


def _read_bytes(p: Path, max_bytes: int) -> bytes:
    try:
        st = p.stat()  # follows symlinks: a broken one or a loop fails here
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ArticleError(str(p), "symbolic link loop") from None
        if p.is_symlink():
            raise ArticleError(str(p), "broken symbolic link") from None
        raise ArticleError(str(p), _os_reason(exc)) from None
    if p.is_dir():
        raise ArticleError(str(p), "is a directory, not an article file")
    if st.st_size > max_bytes:
        raise ArticleError(
            str(p),
            f"file is {st.st_size:,} bytes, over the limit of {max_bytes:,}; "
            "raise it with max_bytes= (on the command line: --max-bytes)",
        )
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may grow between stat and read
    except OSError as exc:
        raise ArticleError(str(p), _os_reason(exc)) from None
    if len(data) > max_bytes:
        raise ArticleError(str(p), f"file grew over the limit of {max_bytes:,} bytes")
    return data


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied (cannot read the file)"
    return exc.strerror or str(exc)


def _article_id(p: Path, root: str | os.PathLike[str] | None) -> str:
    if root is None:
        return p.name
    try:
        return p.relative_to(root).as_posix()
    except ValueError:
        return os.path.relpath(p, root).replace(os.sep, "/")


def _identity(p: Path) -> tuple[int, int]:
    st = p.stat()
    return st.st_dev, st.st_ino


def _candidates(root: Path, excluded: set[tuple[int, int]],
                ignored: Counter[str] | None = None, follow_links: bool = False,
                ) -> list[tuple[str, str, str, os.DirEntry | None]]:
    """Article files under ``root`` sorted by id: (id, path, note, the folder's entry of a
    file), with a note for entries that are not files; ``ignored`` counts the other files
    met, by their ending (".docx"). Ids and paths are made from the names met on the way
    down, as strings: asking pathlib for each path takes most of a 100,000-file walk.

    Symlinked directories are followed once: a directory already visited (by device and
    inode) is not entered again, so link loops end. A link (to a file or a folder) that
    leads outside ``root`` is not followed but noted, unless ``follow_links``: a map is
    shared, and a link must not pull ``/etc/passwd`` into it.
    """
    walker = _Walk(root, excluded, ignored, follow_links)
    walker.walk(str(root), "")
    return sorted(walker.found, key=lambda t: t[0])


class _Walk:
    """One walk of :func:`_candidates`: what it found and the folders it entered."""

    def __init__(self, root: Path, excluded: set[tuple[int, int]],
                 ignored: Counter[str] | None, follow_links: bool) -> None:
        self.excluded, self.ignored, self.follow_links = excluded, ignored, follow_links
        self.inside = os.path.realpath(root)
        self.found: list[tuple[str, str, str, os.DirEntry | None]] = []
        self.visited: set[tuple[int, int]] = set()

    def outside(self, path: str) -> str | None:
        """Where the link ``path`` leads, when that is outside the root (and exists)."""
        target = os.path.realpath(path)
        if target == self.inside or target.startswith(self.inside.rstrip(os.sep) + os.sep):
            return None
        return target if os.path.exists(target) else None

    def walk(self, folder: str, prefix: str) -> None:
        try:
            ident = _identity(Path(folder))
        except OSError:
            return
        if ident in self.visited or ident in self.excluded:
            return
        self.visited.add(ident)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self.found.append((prefix.rstrip("/") or ".", folder,
                               f"cannot list folder: {_os_reason(exc)}", None))
            return
        base = folder if folder.endswith(os.sep) else folder + os.sep
        found = self.found
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            # The common case, inline (100,000 of them in a large folder): a plain file with
            # an article's ending, not a link.
            try:
                plain = (name.lower().endswith(EXTENSIONS) and not entry.is_symlink()
                         and not entry.is_dir(follow_symlinks=False))
            except OSError:
                plain = False
            if plain:
                found.append((prefix + name, base + name, "", entry))
            else:
                self.entry(folder, prefix, entry)

    def entry(self, folder: str, prefix: str, entry: os.DirEntry) -> None:
        name = entry.name
        path = os.path.join(folder, name)
        is_article = name.lower().endswith(EXTENSIONS)
        if not self.follow_links and entry.is_symlink() and (
                target := self.outside(path)) is not None and (
                is_article or os.path.isdir(target)):
            self.found.append((prefix + name, path,
                               f"symbolic link to {target}, outside the articles folder: not "
                               "followed (--follow-links follows it)", None))
            return
        try:
            is_dir = entry.is_dir()  # follows symlinks; False for broken ones and loops
        except OSError:
            is_dir = False
        if is_dir:
            if is_article:
                self.found.append((prefix + name, path,
                                   "is a directory, not an article file (its files are read "
                                   "as usual)", None))
            if name not in SKIP_DIRS:
                self.walk(path, prefix + name + "/")
        elif is_article:
            self.found.append((prefix + name, path, "", entry))
        elif self.ignored is not None:
            self.ignored[os.path.splitext(name)[1].lower() or "(no ending)"] += 1


def ignored_summary(ignored: Counter[str] | dict[str, int]) -> str:
    """What a build tells of the files it did not read: '3 .docx files ignored: not a
    supported format' ('' when none were)."""
    if not ignored:
        return ""
    kinds = sorted(ignored.items(), key=lambda kv: (-kv[1], kv[0]))
    files = ", ".join(f"{n:,} {ending} file{'' if n == 1 else 's'}" for ending, n in kinds)
    return (f"{files} ignored: not a supported format (mapper reads "
            f"{', '.join(EXTENSIONS)})")
