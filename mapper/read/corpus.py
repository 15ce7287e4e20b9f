"""A folder of news articles -> :class:`~mapper.models.Article` records (no geography here).

Offsets
    ``Article.text`` is the file's decoded text *without* a byte-order mark and with nothing
    normalised that changes length (CRLF stays CRLF). Furniture and metadata are overwritten
    by spaces, newlines kept. So every offset into ``Article.text`` is an offset into the
    decoded file with its BOM (if any) removed; this is what ``mapper parse`` reports.

Encodings
    UTF-8 (with or without BOM), UTF-16/32 with BOM, BOM-less UTF-16 of mostly ASCII text,
    then whatever charset-normalizer detects (Windows-1252, Latin-1, ...).
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mapper.errors import ArticleError
from mapper.models import Article
from mapper.read.furniture import furniture_spans, is_furniture, lines

#: File name endings read as articles.
EXTENSIONS = (".txt", ".md")
#: Largest file read by default (bytes).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: Directory names never entered: ours and tools' caches (hidden ones are skipped anyway).
SKIP_DIRS = frozenset({"__pycache__", "node_modules"})

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DATE_HEADER = re.compile(r"[ \t]*date:?[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]+|[ \t]*$)", re.I)
_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(.*?)(?:\r?\n|^)---[ \t]*(?:\r?\n|$)", re.S | re.M)
_YAML_KEY = re.compile(r"^(title|date)[ \t]*:[ \t]*(.*?)[ \t]*$", re.M | re.I)
# A front-matter line: "key: value", a list item, an indented continuation or a comment;
# a Markdown file that merely opens with a "---" rule has prose instead.
_YAML_LINE = re.compile(r"\s*$|\s*#|[\w-]+[ \t]*:(\s|$)|\s*- |\s+\S")
_RULE = re.compile(r"\s*([-*_=~])(\s*\1){2,}\s*")
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
# Control characters that never occur in text files (tab, newlines and form feed do).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


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
) -> tuple[list[Article], list[Problem]]:
    """Read every ``.txt``/``.md`` file under ``folder``, recursively, in sorted order.

    Hidden files and directories are skipped, as are the directories in ``exclude`` (the
    caller's own output folder). One unreadable file never stops the others: it becomes a
    :class:`Problem` and reading goes on.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ArticleError(str(folder), "not a folder")
    excluded = {_identity(Path(p)) for p in exclude if Path(p).exists()}
    articles: list[Article] = []
    problems: list[Problem] = []
    for _, path, note in _candidates(root, excluded):
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

    Raises :class:`~mapper.errors.ArticleError` for anything that is not a readable text file.
    """
    p = Path(path)
    data = _read_bytes(p, max_bytes)
    text = decode(data, str(p))
    if not text.strip():
        raise ArticleError(str(p), "empty file (nothing but whitespace)")
    title, date, spans, title_line = _metadata(text)
    title = short_title(title)
    spans += furniture_spans(text, keep=title_line)
    return Article(
        id=_article_id(p, root),
        path=str(path),
        title=title,
        date=date,
        text=blank(text, spans),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def decode(data: bytes, path: str = "<bytes>") -> str:
    """Decode a file's bytes to text without a BOM; raise :class:`ArticleError` if binary."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _checked(data[len(codecs.BOM_UTF8) :].decode("utf-8"), path)
        except UnicodeDecodeError as exc:
            raise ArticleError(path, f"has a UTF-8 BOM but is not UTF-8 ({exc.reason})") from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(codec), path)  # the codec drops the BOM
            except UnicodeDecodeError as exc:
                raise ArticleError(path, f"invalid {codec.upper()} text ({exc.reason})") from None
    if b"\x00" in data:
        utf16 = _bomless_utf16(data)
        if utf16 is None:
            raise ArticleError(path, "binary file (contains NUL bytes), not text")
        return _checked(utf16, path)
    try:
        return _checked(data.decode("utf-8"), path)
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # slow import: only for non-UTF-8 files

    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise ArticleError(path, "not text in any encoding recognised (binary file?)")
    # On short texts the detector ranks look-alike code pages (mac_latin2, cp1250) above
    # Windows-1252, by far the commonest legacy encoding of news text: among the guesses
    # that fit equally well, prefer it (and Latin-1, its subset) when they fit at all.
    floor = min(m.chaos for m in results)
    for match in results:
        fits = match.could_be_from_charset
        if match.chaos <= floor + 0.01 and ("cp1252" in fits or "latin_1" in fits):
            for codec in ("cp1252", "latin-1"):
                try:
                    return _checked(data.decode(codec), path)
                except UnicodeDecodeError:
                    continue
    return _checked(str(best), path)


def blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each span's characters replaced by spaces, line breaks kept."""
    parts: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if end <= start:
            continue
        parts.append(text[pos:start])
        parts.append(re.sub(r"[^\r\n]", " ", text[start:end]))
        pos = end
    parts.append(text[pos:])
    out = "".join(parts)
    assert len(out) == len(text)
    return out


def _bomless_utf16(data: bytes) -> str | None:
    """Decode BOM-less UTF-16 when one byte of each pair is almost always NUL (ASCII text)."""
    if len(data) % 2 or len(data) < 4:
        return None
    even, odd = data[0::2], data[1::2]
    for zeros, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) == 0:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _checked(text: str, path: str) -> str:
    if "\x00" in text or len(_CONTROL.findall(text[:65536])) > 8:
        raise ArticleError(path, "binary file (control characters), not text")
    return text


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


def _candidates(root: Path, excluded: set[tuple[int, int]]) -> list[tuple[str, Path, str]]:
    """Article files under ``root`` sorted by id: (id, path, note), with a note for entries
    that are not files. Ids are made from the names met on the way down, not by asking
    pathlib for each relative path (half the time of a 10,000-file walk).

    Symlinked directories are followed once: a directory already visited (by device and
    inode) is not entered again, so link loops end.
    """
    found: list[tuple[str, Path, str]] = []
    visited: set[tuple[int, int]] = set()

    def walk(folder: Path, prefix: str) -> None:
        try:
            ident = _identity(folder)
        except OSError:
            return
        if ident in visited or ident in excluded:
            return
        visited.add(ident)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            found.append((prefix.rstrip("/") or ".", folder,
                          f"cannot list folder: {_os_reason(exc)}"))
            return
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            is_article = name.lower().endswith(EXTENSIONS)
            try:
                is_dir = entry.is_dir()  # follows symlinks; False for broken ones and loops
            except OSError:
                is_dir = False
            if is_dir:
                path = folder / name
                if is_article:
                    found.append((prefix + name, path,
                                  "is a directory, not an article file (its files are read as "
                                  "usual)"))
                if name not in SKIP_DIRS:
                    walk(path, prefix + name + "/")
            elif is_article:
                found.append((prefix + name, folder / name, ""))

    walk(root, "")
    found.sort(key=lambda t: t[0])
    return found


#: A title longer than this is cut at a word and marked with an ellipsis: an article that is
#: one long line has that line as its "title", and every export row repeats the title.
MAX_TITLE_CHARS = 200


def short_title(title: str) -> str:
    """``title``, cut to at most MAX_TITLE_CHARS characters at a word boundary."""
    if len(title) <= MAX_TITLE_CHARS:
        return title
    cut = title.rfind(" ", 0, MAX_TITLE_CHARS)
    return title[:cut if cut > MAX_TITLE_CHARS // 2 else MAX_TITLE_CHARS - 1].rstrip() + "\u2026"


def _metadata(text: str) -> tuple[str, dt.date | None, list[tuple[int, int]], int]:
    """Title, date, metadata spans to blank, and the offset where the title line starts."""
    spans: list[tuple[int, int]] = []
    title = ""
    date: dt.date | None = None
    pos = 0
    fm = _FRONT_MATTER.match(text)
    if fm and all(_YAML_LINE.match(x) for x in fm.group(1).splitlines()):
        for key, value in _YAML_KEY.findall(fm.group(1)):
            value = value.strip().strip("'\"").strip()
            if key.lower() == "title" and value:
                title = value
            elif key.lower() == "date":
                date = _parse_date(value[:10])
        spans.append((0, fm.end()))
        pos = fm.end()
    title_line = len(text)
    for start, end, line in lines(text[pos:]):
        # Skip "Advertisement" above the headline and Markdown rules ("---", "***").
        if not line.strip() or is_furniture(line) or _RULE.fullmatch(line):
            continue
        start, end = start + pos, end + pos
        title_line = start
        header = _DATE_HEADER.match(line)
        if header:
            header_date = _parse_date(header.group(1))
            if header_date is not None:
                date = date or header_date
                spans.append((start, start + header.end()))
                line = line[header.end() :]
                if not line.strip():  # the date was a line of its own: the title comes next
                    title_line = len(text)
                    continue
        if not title:
            heading = _HEADING.match(line)
            title = (heading.group(1) if heading else line).strip()
        break
    return title, date, spans, title_line


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def other_files(folder: Path) -> tuple[bool, list[str]]:
    """Whether ``folder`` holds any article file (``.txt``/``.md``, as :func:`read_corpus`
    walks), and the paths (relative, sorted) of the other files it ignores: what to tell a
    user whose folder holds only PDFs."""
    others: list[str] = []
    for top, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(files):
            if name.startswith("."):
                continue
            if name.lower().endswith(EXTENSIONS):
                return True, []
            others.append(os.path.relpath(os.path.join(top, name), folder))
    return False, sorted(others)
