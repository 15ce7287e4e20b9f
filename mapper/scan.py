"""Which article files a folder holds and what their bytes hash to, without decoding them.

A rebuild reads every file's bytes (hashing 50 MB takes a tenth of a second) but decodes and
parses only those whose hash the article index does not know. The files are the ones
:func:`mapper.corpus.read_corpus` would read, found by the same walk.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from mapper import corpus
from mapper.errors import ArticleError


@dataclass(frozen=True)
class Entry:
    """One article file: its id (path relative to the folder), path, and content hash."""

    id: str
    path: Path
    sha256: str | None
    """None when the file could not be read here: reading it as an article says why."""
    note: str = ""
    """Why the entry is not a readable article file at all (a directory named like one)."""


def scan(folder: str | os.PathLike[str], *, exclude: tuple[Path, ...] = (),
         max_bytes: int = corpus.DEFAULT_MAX_BYTES) -> list[Entry]:
    """The article files under ``folder``, sorted by id, with their hashes."""
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
    entries = []
    for path, note in corpus._candidates(root, excluded):
        aid = corpus._article_id(path, root)
        entries.append(Entry(aid, path, None if note else _hash(path, max_bytes), note))
    return entries


def _hash(path: Path, max_bytes: int) -> str | None:
    try:
        if path.stat().st_size > max_bytes:
            return None
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError:
        return None
    return hashlib.sha256(data).hexdigest() if len(data) <= max_bytes else None
