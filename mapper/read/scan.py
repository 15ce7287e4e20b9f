"""Which article files a folder holds and what their bytes hash to, without decoding them.

A rebuild decodes and parses only the files whose hash the article index does not know. A
file whose size, modification and change times and inode are those the index recorded when
it last hashed it is not read at all (as git does). A stat is only recorded once the file is
:data:`SETTLED` seconds old: a file changed again within the clock's resolution could
otherwise keep its old stat. The files are the ones :func:`mapper.read.corpus.read_corpus`
would read, found by the same walk."""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple, Protocol

from mapper.errors import ArticleError
from mapper.read import corpus

#: Seconds a file must have been left alone before its stat stands for its bytes.
SETTLED = 2.0


#: What a file's stat says of it, as far as telling a changed file goes: size, mtime_ns,
#: ctime_ns, inode. A plain tuple (one per file of the folder, pickled back from the walk's
#: process: a NamedTuple is made again in Python on the way, a tuple in C).
Stat = tuple[int, int, int, int]


class Hashed(Protocol):
    """What the article index knew of a file: its hash, and its stat when hashed."""

    sha256: str
    stat: tuple[int, int, int, int] | None


class Entry(NamedTuple):
    """One article file: its id (path relative to the folder), path, and content hash (a
    tuple: a build makes one per file of the folder, 100,000 of them at times)."""

    id: str
    path: str
    sha256: str | None
    """None when the file could not be read here: reading it as an article says why."""
    note: str = ""
    """Why the entry is not a readable article file at all (a directory named like one)."""
    stat: Stat | None = None
    """The file's stat, when it has settled (see :data:`SETTLED`)."""


class Scan(NamedTuple):
    """What :func:`compare` found: the files the index knows as they are, and the others."""

    same: list[str]
    """Ids, sorted, of the files whose stat is the one the index recorded: not read (their
    hash is the index's). Only ids: a large folder holds 100,000 of them."""
    entries: list[Entry]
    """The other files, sorted by id: read and hashed, or with a note."""


class Walked(NamedTuple):
    """The article files of a folder and their stat, nothing read (:func:`walk`): what a
    build finds in another process while it opens the index (all of it pickles)."""

    files: list[tuple[str, Stat | None]]
    """Id and stat (None: it could not be had) of each article file, sorted by id."""
    noted: list[Entry]
    """Entries found that are not readable article files, each with its note."""
    ignored: Counter[str]
    """The files of other types met, by ending."""


def walk(folder: str | os.PathLike[str], *, exclude: tuple[Path, ...] = (),
         follow_links: bool = False) -> Walked:
    """The article files under ``folder`` and their stat (see :class:`Walked`). Links
    leading outside ``folder`` are entries with a note, unless ``follow_links``."""
    root = Path(folder)
    if not root.is_dir():
        raise ArticleError(str(folder), "not a folder")
    excluded = set()
    for p in exclude:
        try:
            excluded.add(corpus._identity(Path(p)))
        except OSError:
            continue
    ignored: Counter[str] = Counter()
    files: list[tuple[str, Stat | None]] = []
    noted: list[Entry] = []
    # corpus._candidates is the walk read_corpus makes (hidden files, link loops, skipped
    # folders): reusing it keeps "which files are articles" defined in one place.
    for aid, path, note, dir_entry in corpus._candidates(root, excluded, ignored,
                                                          follow_links):
        if note:
            noted.append(Entry(aid, path, None, note))
        else:
            files.append((aid, _stat(dir_entry)))
    return Walked(files, noted, ignored)


def compare(walked: Walked, folder: str | os.PathLike[str], *,
            max_bytes: int = corpus.DEFAULT_MAX_BYTES,
            known: Mapping[str, Hashed] | None = None) -> Scan:
    """The files ``walked`` of ``folder`` against what the article index knows, by id
    (``known``): those with the stat it recorded are not read, the others are hashed."""
    get = (known or {}).get
    settled = time.time_ns() - int(SETTLED * 1e9)
    same: list[str] = []
    entries: list[Entry] = list(walked.noted)
    for aid, stat in walked.files:
        if stat is not None:
            before = get(aid)
            if before is not None and before.stat == stat and stat[0] <= max_bytes:
                same.append(aid)
                continue
            if max(stat[1], stat[2]) > settled:
                stat = None
        path = article_path(folder, aid)
        entries.append(Entry(aid, path, _hash(path, max_bytes), stat=stat))
    entries.sort()
    return Scan(same, entries)


def article_path(folder: str | os.PathLike[str], aid: str) -> str:
    """The path of the article ``aid`` of ``folder``, as the walk met it."""
    return os.path.join(str(Path(folder)), aid)


def _stat(entry: os.DirEntry) -> Stat | None:
    try:
        st = entry.stat()  # through a link, as pathlib's would
    except OSError:
        return None
    # Inode numbers of some network and overlay file systems pass 2**63, which SQLite's
    # signed integers cannot hold: kept as the signed number with the same bits.
    inode = st.st_ino - (1 << 64) if st.st_ino >= 1 << 63 else st.st_ino
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, inode)


def _hash(path: str, max_bytes: int) -> str | None:
    try:
        if os.stat(path).st_size > max_bytes:
            return None
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError:
        return None
    return hashlib.sha256(data).hexdigest() if len(data) <= max_bytes else None
