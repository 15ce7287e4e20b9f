"""The article index's file: opening it with the settings every build uses, telling why an
existing file cannot be used (not a mapper index, another schema or parser, corrupt), and
discarding one. :mod:`.index` reads and writes its rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mapper.build.schema import SCHEMA_VERSION, TABLES
from mapper.errors import ArticleIndexError, IndexCorruptError


def index_error(doing: str, exc: sqlite3.DatabaseError) -> ArticleIndexError:
    """The error to raise for ``exc``: :class:`IndexCorruptError` when the file is damaged."""
    if getattr(exc, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return IndexCorruptError(f"{doing}: {exc}")
    return ArticleIndexError(f"{doing}: {exc}")


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: transactions are exactly the BEGIN/COMMIT we issue.
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    # The default rollback journal with full sync: a kill or power cut mid-commit is rolled
    # back on the next open (WAL would leave -wal/-shm files beside the map).
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    # 64 MB of page cache, not SQLite's 2 MB: a cache that holds the B-trees of a large
    # index makes inserting into them much cheaper.
    conn.execute("PRAGMA cache_size = -65536")
    return conn


def unusable(path: Path, fingerprint: str | None) -> str | None:
    """Why the index at ``path`` cannot be used (for ``fingerprint``; None: by any parser),
    or None when it can."""
    try:
        # Read-write, not read-only: a build killed mid-commit leaves a hot journal, which
        # only a connection that may write can roll back (read-only would call it corrupt).
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    except sqlite3.Error as exc:
        return f"it cannot be opened ({exc})"
    # No PRAGMA quick_check: it would read the whole file on every build. Damage it would
    # find surfaces as SQLITE_CORRUPT when a page is read, and
    # the build then starts again with a new index (IndexCorruptError).
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables >= TABLES:
            return "it is not a mapper index (tables missing)"
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    except sqlite3.DatabaseError as exc:
        return f"it is corrupt ({exc})"
    finally:
        conn.close()
    if meta.get("schema_version") != str(SCHEMA_VERSION):
        return (f"it has schema version {meta.get('schema_version')}, "
                f"this mapper uses {SCHEMA_VERSION}")
    if fingerprint is not None and meta.get("fingerprint") != fingerprint:
        return "the geoparser, its gazetteer or the online geocoder changed since it was built"
    return None


def discard_index(path: Path) -> None:
    """Delete an unusable index and its journal (it only holds derived data)."""
    for p in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"),
              path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


