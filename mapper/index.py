"""The article index on disk: what each article's last parse found, so a rebuild only parses
what changed.

``<out>/mapper-index.sqlite`` (SQLite, standard library) holds per article its content hash,
metadata and blanked text, its resolved mentions (offsets, surface, place fields, score,
demonym), its excerpts, its lines of the mention exports, and the names no geocoder could
resolve. ``meta`` holds the schema
version and the *fingerprint* of whatever produced the rows (parser code, gazetteer data,
online geocoder); an index with another version or fingerprint, or one SQLite cannot read,
is never used: :meth:`ArticleIndex.open` discards it and says why.

Every change is one SQLite transaction (rollback journal, ``synchronous=FULL``): a build
killed at any point leaves each article's rows complete or absent, never half-written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mapper.errors import ArticleIndexError
from mapper.models import Article, Excerpt, Mention
from mapper.store import PlaceCount

#: Bump when the tables change: an index of another version is rebuilt, not migrated.
SCHEMA_VERSION = 2
INDEX_NAME = "mapper-index.sqlite"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, path TEXT NOT NULL, title TEXT NOT NULL,
    date TEXT, text TEXT NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0,  -- 1: an online lookup failed; parse again next time
    -- JSON [[place_key, start, length, text or null (a slice of text), [s, e, ...]], ...]
    excerpts TEXT NOT NULL,
    -- The article's rows of mentions.csv and features of mentions.geojson, ready to join:
    -- a rebuild concatenates them instead of formatting 200,000 mentions again.
    csv TEXT NOT NULL, geojson TEXT NOT NULL
);
CREATE INDEX articles_sha256 ON articles (sha256);
CREATE TABLE mentions (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL,
    place_key TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL, geonameid INTEGER, admin1 TEXT NOT NULL,
    population INTEGER NOT NULL, score REAL NOT NULL, demonym INTEGER NOT NULL
);
CREATE INDEX mentions_article ON mentions (article_id);
-- Covers the per-place counts and article lists of every rebuild.
CREATE INDEX mentions_place ON mentions (place_key, article_id);
CREATE TABLE unresolved (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL
);
CREATE INDEX unresolved_article ON unresolved (article_id);
"""
_TABLES = {"meta", "articles", "mentions", "unresolved"}


@dataclass(frozen=True)
class Record:
    """Everything the index keeps about one parsed article."""

    article: Article
    mentions: Sequence[Mention]
    excerpts: Sequence[Excerpt]
    unresolved: Sequence[tuple[int, int, str]] = field(default=())
    """Unknown-name candidates that no geocoder resolved: (start, end, surface)."""
    pending: bool = False
    """An online lookup failed for this article: parse it again on the next build."""
    csv: str = ""
    """The article's lines of ``mentions.csv`` (see :func:`mapper.store.csv_text`)."""
    geojson: str = ""
    """The article's features of ``mentions.geojson`` (see :mod:`mapper.exports`)."""


@dataclass(frozen=True)
class Snapshot:
    """What the outputs are made of, every list in a stable order (by article id, offset)."""

    articles: list[Article]
    excerpts: list[Excerpt]
    places: list[PlaceCount]
    mentions: int
    unresolved: int


class ArticleIndex:
    """An open article index. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], fingerprint: str,
             ) -> tuple[ArticleIndex, str | None]:
        """Open the index at ``path``, creating it if absent.

        Returns the index and, when an existing file could not be used (corrupt, another
        schema version, another fingerprint), a message saying why it was discarded.
        """
        path = Path(path)
        reason = None
        if path.exists():
            reason = _unusable(path, fingerprint)
            if reason is None:
                return cls(path, _connect(path)), None
            _discard(path)
        conn = _connect(path)
        try:
            with conn:
                conn.executescript("BEGIN;" + _SCHEMA + "COMMIT;")
                conn.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("schema_version", str(SCHEMA_VERSION)), ("fingerprint", fingerprint)])
        except sqlite3.Error as exc:
            conn.close()
            raise ArticleIndexError(f"cannot create the article index {path}: {exc}") from exc
        return cls(path, conn), reason

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ArticleIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------

    def known(self) -> dict[str, tuple[str, bool]]:
        """Every indexed article id -> (sha256, pending)."""
        rows = self._query("SELECT id, sha256, pending FROM articles")
        return {r[0]: (r[1], bool(r[2])) for r in rows}

    def place_names(self) -> dict[str, str]:
        """Key -> name of every place the indexed articles mention."""
        return dict(self._query("SELECT place_key, min(name) FROM mentions GROUP BY place_key"))

    def load(self) -> Snapshot:
        """Everything the outputs are made of, in a stable order."""
        articles: list[Article] = []
        excerpts: list[Excerpt] = []
        for aid, sha, path, title, date, text, found in self._query(
                "SELECT id, sha256, path, title, date, text, excerpts "
                "FROM articles ORDER BY id"):
            articles.append(Article(aid, path, title, dt.date.fromisoformat(date) if date
                                    else None, text, sha))
            for pkey, start, length, etext, flat in json.loads(found):
                marks = tuple(zip(flat[0::2], flat[1::2], strict=True))
                excerpts.append(Excerpt(aid, pkey, start, text[start:start + length]
                                        if etext is None else etext, marks))
        ids: dict[str, list[str]] = {}
        for key, aid in self._query("SELECT DISTINCT place_key, article_id FROM mentions "
                                    "ORDER BY place_key, article_id"):
            ids.setdefault(key, []).append(aid)
        places = [PlaceCount(key, name, kind, country, lat, lon, n, tuple(sorted(ids[key])))
                  for key, name, kind, country, lat, lon, n in self._query(
                      "SELECT place_key, min(name), min(kind), min(country), min(lat), "
                      "min(lon), count(*) FROM mentions GROUP BY place_key ORDER BY place_key")]
        (unresolved,), = self._query("SELECT count(*) FROM unresolved")
        return Snapshot(articles, excerpts, places, sum(p.mentions for p in places), unresolved)

    def contents_digest(self) -> str:
        """A hash of what the index holds: its fingerprint and every article's id and hash.
        Equal digests mean equal rows, so equal exports."""
        h = hashlib.sha256((self.meta("fingerprint") or "").encode() + b"\n")
        for aid, sha, pending in self._query(
                "SELECT id, sha256, pending FROM articles ORDER BY id"):
            h.update(f"{aid}\0{sha}\0{pending}\n".encode())
        return h.hexdigest()

    def meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as c:
            c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def export_lines(self, column: str) -> Iterator[str]:
        """Each article's lines of ``mentions.csv`` (``column="csv"``) or features of
        ``mentions.geojson`` (``"geojson"``), by article id, fetched a few hundred articles
        at a time: the exports are streamed to disk, never held whole."""
        if column not in ("csv", "geojson"):
            raise ValueError(f"no export column {column!r}")
        try:
            cursor = self._conn.execute(f"SELECT {column} FROM articles ORDER BY id")
            while rows := cursor.fetchmany(500):
                for (lines,) in rows:
                    yield lines
        except sqlite3.DatabaseError as exc:
            raise ArticleIndexError(f"cannot read the article index {self.path}: {exc}") from exc

    # -- writing (each call is one transaction) ------------------------------------------

    def put(self, records: Iterable[Record]) -> None:
        """Replace the rows of each record's article by the record."""
        with self._write() as c:
            for rec in records:
                a = rec.article
                c.execute("DELETE FROM articles WHERE id = ?", (a.id,))
                found = [[e.place_key, e.start, len(e.text),
                          None if a.text[e.start:e.start + len(e.text)] == e.text else e.text,
                          [x for span in e.marks for x in span]] for e in rec.excerpts]
                c.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
                    a.id, a.sha256, a.path, a.title, a.date.isoformat() if a.date else None,
                    a.text, int(rec.pending),
                    json.dumps(found, ensure_ascii=False, separators=(",", ":")),
                    rec.csv, rec.geojson))
                c.executemany("INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [
                    (a.id, m.start, m.end, m.surface, m.place.key, m.place.name, m.place.kind,
                     m.place.country, m.place.lat, m.place.lon, m.place.geonameid,
                     m.place.admin1, m.place.population, m.score, int(m.demonym))
                    for m in rec.mentions])
                c.executemany("INSERT INTO unresolved VALUES (?, ?, ?, ?)",
                              [(a.id, s, e, surface) for s, e, surface in rec.unresolved])

    def remove(self, ids: Iterable[str]) -> None:
        """Forget the articles ``ids`` and everything found in them."""
        with self._write() as c:
            c.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in ids])

    # -- plumbing ------------------------------------------------------------------------

    def _query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise ArticleIndexError(f"cannot read the article index {self.path}: {exc}") from exc

    def _write(self) -> _Transaction:
        return _Transaction(self)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""

    def __init__(self, index: ArticleIndex) -> None:
        self._index = index

    def __enter__(self) -> sqlite3.Connection:
        self._index._conn.execute("BEGIN IMMEDIATE")
        return self._index._conn

    def __exit__(self, exc_type, exc, tb) -> None:
        conn = self._index._conn
        if exc_type is None:
            try:
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as err:
                conn.execute("ROLLBACK")
                raise ArticleIndexError(f"cannot write the article index {self._index.path}: {err}"
                                  ) from err
            return
        conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError):
            raise ArticleIndexError(f"cannot write the article index {self._index.path}: {exc}"
                              ) from exc


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: transactions are exactly the BEGIN/COMMIT we issue.
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    # The default rollback journal with full sync: a kill or power cut mid-commit is rolled
    # back on the next open (WAL would leave -wal/-shm files beside the map).
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _unusable(path: Path, fingerprint: str) -> str | None:
    """Why the index at ``path`` cannot be used, or None when it can."""
    try:
        # Read-write, not read-only: a build killed mid-commit leaves a hot journal, which
        # only a connection that may write can roll back (read-only would call it corrupt).
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    except sqlite3.Error as exc:
        return f"it cannot be opened ({exc})"
    try:
        check = conn.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            return f"it is corrupt ({check[0][0]})"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables >= _TABLES:
            return "it is not a mapper index (tables missing)"
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    except sqlite3.DatabaseError as exc:
        return f"it is corrupt ({exc})"
    finally:
        conn.close()
    if meta.get("schema_version") != str(SCHEMA_VERSION):
        return (f"it has schema version {meta.get('schema_version')}, "
                f"this mapper uses {SCHEMA_VERSION}")
    if meta.get("fingerprint") != fingerprint:
        return "the geoparser, its gazetteer or the online geocoder changed since it was built"
    return None


def _discard(path: Path) -> None:
    """Delete an unusable index and its journal (it only holds derived data)."""
    for p in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"),
              path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


