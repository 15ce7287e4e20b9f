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


class Stat(NamedTuple):
    """What a file's stat says of it, as far as telling a changed file goes."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int


#: A Stat made from a tuple without NamedTuple's keyword handling: one per file scanned.
_STAT_NEW = tuple.__new__


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
    read: bool = False
    """Whether the file was read to hash it (False: its stat matched the index's)."""


def scan(folder: str | os.PathLike[str], *, exclude: tuple[Path, ...] = (),
         max_bytes: int = corpus.DEFAULT_MAX_BYTES,
         known: Mapping[str, Hashed] | None = None,
         ignored: Counter[str] | None = None,
         follow_links: bool = False) -> list[Entry]:
    """The article files under ``folder``, sorted by id, with their hashes; ``known``: what
    the article index knows, by id (files with the stat it recorded are not read);
    ``ignored`` counts the files of other types met, by ending. Links leading outside
    ``folder`` are entries with a note, unless ``follow_links``."""
    root = Path(folder)
    if not root.is_dir():
        raise ArticleError(str(folder), "not a folder")
    excluded = set()
    for p in exclude:
        try:
            excluded.add(corpus._identity(Path(p)))
        except OSError:
            continue
    # corpus._candidates is the walk read_corpus makes (hidden files, link loops, skipped
    # folders): reusing it keeps "which files are articles" defined in one place.
    known = known or {}
    settled = time.time_ns() - int(SETTLED * 1e9)
    entries = []
    for aid, path, note, dir_entry in corpus._candidates(root, excluded, ignored,
                                                          follow_links):
        if note:
            entries.append(Entry(aid, path, None, note))
            continue
        stat = _stat(dir_entry)
        before = known.get(aid)
        if (stat is not None and before is not None and before.stat == stat
                and stat[0] <= max_bytes):
            entries.append(Entry(aid, path, before.sha256, stat=stat))
            continue
        if stat is not None and max(stat.mtime_ns, stat.ctime_ns) > settled:
            stat = None
        entries.append(Entry(aid, path, _hash(path, max_bytes), stat=stat, read=True))
    return entries


def _stat(entry: os.DirEntry) -> Stat | None:
    try:
        st = entry.stat()  # through a link, as pathlib's would
    except OSError:
        return None
    # Inode numbers of some network and overlay file systems pass 2**63, which SQLite's
    # signed integers cannot hold: kept as the signed number with the same bits.
    inode = st.st_ino - (1 << 64) if st.st_ino >= 1 << 63 else st.st_ino
    return _STAT_NEW(Stat, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, inode))


def _hash(path: str, max_bytes: int) -> str | None:
    try:
        if os.stat(path).st_size > max_bytes:
            return None
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError:
        return None
    return hashlib.sha256(data).hexdigest() if len(data) <= max_bytes else None
