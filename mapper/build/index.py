"""The article index on disk: what each article's last parse found, so a rebuild only parses
what changed, and renders from SQL what the map shows.

``<out>/mapper-index.sqlite`` (SQLite, standard library) holds per article its content hash
and the file's size and times when it was hashed (so an unchanged file is not read again),
its metadata and blanked text, its resolved mentions (offsets, surface, place fields,
score, demonym), its excerpts (offsets into the text), the byte lengths of its lines in the
mention exports, and the names no geocoder could resolve. ``meta`` holds the schema version
and the *fingerprint* of whatever produced the rows (parser code, gazetteer data, online
geocoder); an index with another version or fingerprint, or one SQLite cannot read, is
never used: :meth:`ArticleIndex.open` discards it and says why.

Every change is one SQLite transaction (rollback journal, ``synchronous=FULL``): a build
killed at any point leaves each article's rows complete or absent, never half-written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mapper.build.places import PlaceCount
from mapper.build.records import Record, Unresolved
from mapper.errors import ArticleIndexError, IndexCorruptError
from mapper.models import Article, Mention, Place
from mapper.read.scan import Stat
from mapper.render.passages import Document, article_fragment, excerpt_fragment

#: Bump when the tables change: an index of another version is rebuilt, not migrated.
SCHEMA_VERSION = 7
INDEX_NAME = "mapper-index.sqlite"

# The texts in a table of their own: with them in ``articles`` each row filled a page or
# more, and every scan of ids, hashes and dates (each build makes several) read the whole
# corpus again (6 s of a warm build at 100,000 articles).
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL,
    -- The file's stat when it was hashed (NULL: hash it again next time).
    size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, inode INTEGER,
    title TEXT NOT NULL, date TEXT, chars INTEGER NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0,  -- 1: an online lookup failed; parse it again
    -- Bytes of its lines in mentions.csv and mentions.geojson (see mapper.exports.offsets).
    csv_bytes INTEGER NOT NULL, geojson_bytes INTEGER NOT NULL,
    path TEXT NOT NULL
);
CREATE TABLE texts (
    article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    text TEXT NOT NULL
);
CREATE TABLE mentions (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL,
    place_key TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL, geonameid INTEGER, admin1 TEXT NOT NULL,
    population INTEGER NOT NULL, score REAL NOT NULL, demonym INTEGER NOT NULL
);
CREATE TABLE excerpts (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    place_key TEXT NOT NULL,
    -- The article's date as -ordinal (newest smallest), 1 when undated: the map shows the
    -- excerpts of a place's newest articles, read in this index's order.
    age INTEGER NOT NULL, start INTEGER NOT NULL, length INTEGER NOT NULL,
    -- A copy of the article's text there: slicing the article's text in SQL reads its
    -- overflow pages for every excerpt (1 s for the 57,000 a 10,000-article map shows).
    text TEXT NOT NULL,
    marks TEXT NOT NULL  -- JSON [start, end, start, end, ...] into the excerpt
);
-- What the map shows, kept up to date for the places a build touched (see refresh()): per
-- place its fields and counts, and its newest excerpts up to the map's cap.
CREATE TABLE places (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL, mentions INTEGER NOT NULL,
    excerpts INTEGER NOT NULL,
    -- The ids of its articles, sorted, joined by "|" (as the exports write them), and how
    -- many: read as they are, not as 2 million strings at 100,000 articles.
    articles TEXT NOT NULL, n_articles INTEGER NOT NULL
);
CREATE TABLE shown (
    place_key TEXT NOT NULL, article_id TEXT NOT NULL, start INTEGER NOT NULL,
    length INTEGER NOT NULL, text TEXT NOT NULL, marks TEXT NOT NULL,
    fragment TEXT  -- its row in the page's payload (mapper.render.passages), made by refresh()
);
-- Per article its row in the page's payload: its whole text or the passages its shown
-- excerpts quote. Made again only for the articles whose shown excerpts a build changed.
CREATE TABLE docs (
    article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    fragment TEXT NOT NULL
);
CREATE TABLE unresolved (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL
);
"""
#: Secondary indexes. A new index gets them after its first parse, built in one pass each:
#: kept up to date row by row, they made inserting 10,000 articles' mentions and excerpts
#: 2.5 times slower (22 s against 9 s). An index killed before then gets them on open.
_INDEXES = """
CREATE INDEX IF NOT EXISTS mentions_article ON mentions (article_id);
CREATE INDEX IF NOT EXISTS mentions_place ON mentions (place_key, article_id);
CREATE INDEX IF NOT EXISTS excerpts_article ON excerpts (article_id);
CREATE INDEX IF NOT EXISTS excerpts_newest ON excerpts (place_key, age, article_id, start, length);
CREATE INDEX IF NOT EXISTS shown_place ON shown (place_key, article_id, start, length);
CREATE INDEX IF NOT EXISTS shown_article ON shown (article_id);
CREATE INDEX IF NOT EXISTS unresolved_article ON unresolved (article_id);
"""
_TABLES = {"meta", "articles", "texts", "mentions", "excerpts", "places", "shown",
           "docs", "unresolved"}

#: The newest ``cap`` excerpts of a place (``-1``: all), read along ``excerpts_newest``: dated
#: articles newest first, undated last, then by article id, offset and length (the order of
#: ``mapper.render.data``'s cap).
_NEWEST = """
SELECT place_key, article_id, start, length, text, marks FROM excerpts WHERE place_key = ?
ORDER BY age, article_id, start, length LIMIT ?
"""
_PLACE = """
INSERT INTO places
SELECT place_key, name, kind, country, lat, lon, (SELECT count(*) FROM mentions
    WHERE place_key = ?1), (SELECT count(*) FROM excerpts WHERE place_key = ?1), ?2, ?3
FROM mentions WHERE place_key = ?1 LIMIT 1
"""


@dataclass(frozen=True)
class Known:
    """What the index knows of an article file."""

    sha256: str
    pending: bool
    stat: Stat | None


@dataclass(frozen=True)
class Stored:
    """An article as the index holds it, to make its record again (see
    :func:`mapper.build.records.make_record`)."""

    article: Article
    mentions: list[Mention]
    unresolved: list[Unresolved]
    pending: bool


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
                index = cls(path, _connect(path))
                index.ensure_indexes()
                return index, None
            discard_index(path)
        conn = _connect(path)
        try:
            with conn:
                # No secondary indexes yet: the first parse fills the tables faster without
                # them (see ensure_indexes).
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

    def known(self) -> dict[str, Known]:
        """Every indexed article id -> what the index knows of its file."""
        rows = self._query("SELECT id, sha256, pending, size, mtime_ns, ctime_ns, inode "
                           "FROM articles")
        return {r[0]: Known(r[1], bool(r[2]), None if r[3] is None else Stat(*r[3:]))
                for r in rows}

    def place_counts(self) -> list[PlaceCount]:
        """Every mentioned place with its counts and articles, by key (as of the last
        :meth:`refresh`)."""
        return [PlaceCount(*row) for row in self._query(
            "SELECT key, name, kind, country, lat, lon, mentions, n_articles, articles "
            "FROM places ORDER BY key")]

    def places_of(self, ids: Iterable[str]) -> set[str]:
        """The keys of the places the articles ``ids`` mention."""
        keys: set[str] = set()
        for aid in ids:
            keys.update(k for k, in self._query("SELECT place_key FROM mentions "
                                                 "WHERE article_id = ?", (aid,)))
        return keys

    def counts(self) -> tuple[int, int, int, int]:
        """How many articles the index holds, places on the map (as of the last
        :meth:`refresh`), mentions, and names no geocoder resolved."""
        return self._query("SELECT (SELECT count(*) FROM articles), "
                           "(SELECT count(*) FROM places), (SELECT count(*) FROM mentions), "
                           "(SELECT count(*) FROM unresolved)")[0]

    def total_chars(self) -> int:
        """The length of all the articles' texts together."""
        (total,), = self._query("SELECT coalesce(sum(chars), 0) FROM articles")
        return total

    def map_fragments(self) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
        """What the page embeds, as the last :meth:`refresh` made it: per article by id its
        payload fragment, and per shown excerpt ``(place key, article id, fragment)`` by
        place, article, offset and length (see
        :func:`mapper.render.data.payload_from_fragments`)."""
        articles = self._query("SELECT a.id, d.fragment FROM articles a "
                               "JOIN docs d ON d.article_id = a.id ORDER BY a.id")
        shown = self._query("SELECT place_key, article_id, fragment FROM shown "
                            "ORDER BY place_key, article_id, start, length")
        return articles, shown

    def omitted(self) -> dict[str, int]:
        """Per place how many of its excerpts the map leaves out (the cap of the last
        :meth:`refresh`)."""
        shown = dict(self._query("SELECT place_key, count(*) FROM shown GROUP BY place_key"))
        return {key: total - shown.get(key, 0) for key, total in self._query(
            "SELECT key, excerpts FROM places") if total > shown.get(key, 0)}

    def excerpt_counts(self) -> list[int]:
        """How many excerpts each place has (from the index on places alone)."""
        return [n for n, in self._query("SELECT count(*) FROM excerpts GROUP BY place_key")]

    def layout(self) -> list[tuple[str, int, int]]:
        """Per article by id: the bytes of its lines in the two mention exports (see
        :func:`mapper.exports.offsets`)."""
        return self._query("SELECT id, csv_bytes, geojson_bytes FROM articles ORDER BY id")

    def stored(self, ids: Iterable[str]) -> Iterator[Stored]:
        """The articles ``ids`` with their mentions, as the index holds them."""
        for aid in ids:
            rows = self._query("SELECT a.sha256, a.path, a.title, a.date, a.pending, t.text "
                               "FROM articles a JOIN texts t ON t.article_id = a.id "
                               "WHERE a.id = ?", (aid,))
            if not rows:
                continue
            sha, path, title, date, pending, text = rows[0]
            article = Article(aid, path, title, dt.date.fromisoformat(date) if date else None,
                              text, sha)
            mentions = [Mention(aid, s, e, surface, Place(*place), score, bool(demonym))
                        for s, e, surface, *place, score, demonym in self._query(
                            'SELECT start, "end", surface, place_key, name, kind, country, '
                            "lat, lon, geonameid, admin1, population, score, demonym "
                            'FROM mentions WHERE article_id = ? ORDER BY rowid', (aid,))]
            unresolved = self._query('SELECT start, "end", surface FROM unresolved '
                                     "WHERE article_id = ? ORDER BY rowid", (aid,))
            yield Stored(article, mentions, [tuple(u) for u in unresolved], bool(pending))

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

    # -- writing (each call is one transaction) ------------------------------------------

    def put(self, records: Iterable[Record], stats: Mapping[str, Stat | None] | None = None,
            ) -> None:
        """Replace the rows of each record's article by the record; ``stats``: the files'
        stat when they were hashed, by article id."""
        stats = stats or {}
        with self._write() as c:
            for rec in records:
                a, places = rec.article, rec.places
                st = stats.get(a.id)
                c.execute("DELETE FROM articles WHERE id = ?", (a.id,))
                c.execute("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", (
                    a.id, a.sha256, *(st if st else (None,) * 4), a.title,
                    a.date.isoformat() if a.date else None, len(a.text), int(rec.pending),
                    len(rec.csv), len(rec.geojson), a.path))
                c.execute("INSERT INTO texts VALUES (?, ?)", (a.id, a.text))
                text = a.text
                c.executemany("INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [
                    (a.id, s, e, text[s:e], p.key, p.name, p.kind, p.country, p.lat, p.lon,
                     p.geonameid, p.admin1, p.population, score, int(demonym))
                    for s, e, i, score, demonym in rec.mentions for p in (places[i],)])
                age = -a.date.toordinal() if a.date else 1
                c.executemany("INSERT INTO excerpts VALUES (?, ?, ?, ?, ?, ?, ?)", [
                    (a.id, places[i].key, age, start, length, text[start:start + length],
                     f"[{','.join(map(str, flat))}]") for i, start, length, flat in rec.excerpts])
                c.executemany("INSERT INTO unresolved VALUES (?, ?, ?, ?)",
                              [(a.id, s, e, surface) for s, e, surface in rec.unresolved])

    def refresh(self, keys: Iterable[str] | None, cap: int, stamp: str, partial: bool,
                ) -> tuple[dict[str, str], dict[str, str]]:
        """Make the places and shown excerpts of ``keys`` (None: of every place) those of
        the articles now indexed, with at most ``cap`` excerpts per place (0: all), make the
        payload fragments of the articles whose shown excerpts changed (``partial``: each
        article embeds only the passages they quote), and record ``stamp`` (meta ``shown``:
        what they were refreshed for) in the same transaction. Returns the places (key ->
        name) that came onto the map and those that left it.

        A build refreshes only the places its new, changed and removed articles mention:
        reading the newest excerpts of all 15,000 places of 10,000 articles took 1.1 s.
        """
        with self._write() as c:
            if keys is None:
                before = dict(c.execute("SELECT key, name FROM places"))
                c.execute("DELETE FROM places")
                c.execute("DELETE FROM shown")
                c.execute("DELETE FROM docs")
                keys = [k for k, in c.execute("SELECT DISTINCT place_key FROM mentions")]
            else:
                keys = sorted(set(keys))
                before = {}
                for key in keys:
                    before.update(c.execute("SELECT key, name FROM places WHERE key = ?",
                                            (key,)))
                    c.execute("DELETE FROM places WHERE key = ?", (key,))
            after = {}
            changed: set[str] = set()
            for key in keys:
                ids = [a for a, in c.execute("SELECT DISTINCT article_id FROM mentions "
                                             "WHERE place_key = ? ORDER BY article_id", (key,))]
                if ids:
                    c.execute(_PLACE, (key, "|".join(ids), len(ids)))
                    after.update(c.execute("SELECT key, name FROM places WHERE key = ?",
                                           (key,)))
                changed.update(_show(c, key, cap if ids else 0, bool(ids)))
            # The articles whose rows in the page change: their shown excerpts did, or they
            # are new or parsed again (their docs went with their old rows).
            changed.update(a for a, in c.execute(
                "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM docs)"))
            c.executemany("DELETE FROM docs WHERE article_id = ?", [(a,) for a in changed])
            _make_docs(c, sorted(changed), partial)
            c.execute("INSERT OR REPLACE INTO meta VALUES ('shown', ?)", (stamp,))
        return ({k: n for k, n in after.items() if k not in before},
                {k: n for k, n in before.items() if k not in after})

    def ensure_indexes(self) -> None:
        """Create the secondary indexes that are missing (see :data:`_INDEXES`)."""
        with self._write() as c:
            for statement in _INDEXES.strip().splitlines():
                c.execute(statement)

    def set_stats(self, stats: Mapping[str, Stat | None]) -> None:
        """Record the files' stat for articles whose bytes are the indexed ones."""
        with self._write() as c:
            c.executemany("UPDATE articles SET size = ?, mtime_ns = ?, ctime_ns = ?, inode = ? "
                          "WHERE id = ?", [(*(st if st else (None,) * 4), aid)
                                           for aid, st in stats.items()])

    def remove(self, ids: Iterable[str]) -> None:
        """Forget the articles ``ids`` and everything found in them."""
        with self._write() as c:
            c.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in ids])

    # -- plumbing ------------------------------------------------------------------------

    def _query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _error(f"cannot read the article index {self.path}", exc) from exc

    def _write(self) -> _Transaction:
        return _Transaction(self)


def _show(c: sqlite3.Connection, key: str, cap: int, mentioned: bool) -> set[str]:
    """Make the shown excerpts of ``key`` its newest ``cap`` (none when it is no longer
    ``mentioned``); the rows that stay keep their fragments. Returns the ids of the
    articles that gained or lost a shown excerpt."""
    wanted = Counter(c.execute(_NEWEST, (key, cap or -1)) if mentioned else ())
    changed: set[str] = set()
    gone = []
    for rowid, *row in c.execute(
            "SELECT rowid, place_key, article_id, start, length, text, marks FROM shown "
            "WHERE place_key = ?", (key,)).fetchall():
        if wanted[tuple(row)] > 0:  # still shown: kept with its fragment
            wanted[tuple(row)] -= 1
        else:
            gone.append((rowid,))
            changed.add(row[1])
    came = list(wanted.elements())
    changed.update(row[1] for row in came)
    c.executemany("DELETE FROM shown WHERE rowid = ?", gone)
    c.executemany("INSERT INTO shown (place_key, article_id, start, length, text, marks) "
                  "VALUES (?, ?, ?, ?, ?, ?)", came)
    return changed


def _make_docs(c: sqlite3.Connection, ids: Sequence[str], partial: bool) -> None:
    """The payload fragments of the articles ``ids`` and of their shown excerpts."""
    for lo in range(0, len(ids), 500):
        chunk = ids[lo:lo + 500]
        marks = ",".join("?" * len(chunk))
        shown: dict[str, list[tuple]] = {a: [] for a in chunk}
        for aid, *row in c.execute(
                f"SELECT article_id, rowid, start, text, marks FROM shown "
                f"WHERE article_id IN ({marks})", chunk):
            shown[aid].append(row)
        texts = dict(c.execute(f"SELECT article_id, text FROM texts "
                               f"WHERE article_id IN ({marks})", chunk)) if not partial else {}
        heads = c.execute(f"SELECT id, title, date FROM articles "
                          f"WHERE id IN ({marks})", chunk).fetchall()
        docs, fragments = [], []
        for aid, title, date in heads:
            rows = shown[aid]
            flat = _json_lists(r[3] for r in rows)
            if partial:
                doc = Document("", [(start, text) for _, start, text, _ in rows if text])
            else:
                doc = Document(texts[aid])
            docs.append((aid, article_fragment(aid, title, date, doc)))
            fragments.extend(
                (excerpt_fragment(doc if text else None, start, text,
                                  tuple(zip(f[0::2], f[1::2], strict=True))), rowid)
                for (rowid, start, text, _), f in zip(rows, flat, strict=True))
        c.executemany("INSERT INTO docs VALUES (?, ?)", docs)
        c.executemany("UPDATE shown SET fragment = ? WHERE rowid = ?", fragments)


def _json_lists(texts: Iterable[str]) -> list[list]:
    """The JSON arrays ``texts`` (the index's own), parsed in one call: ``json.loads`` per
    row cost more than the query (75,000 excerpts' marks of 10,000 articles)."""
    return json.loads("[" + ",".join(texts) + "]")


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
                raise _error(f"cannot write the article index {self._index.path}", err
                             ) from err
            return
        conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError):
            raise _error(f"cannot write the article index {self._index.path}", exc) from exc


def _error(doing: str, exc: sqlite3.DatabaseError) -> ArticleIndexError:
    """The error to raise for ``exc``: :class:`IndexCorruptError` when the file is damaged."""
    if getattr(exc, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return IndexCorruptError(f"{doing}: {exc}")
    return ArticleIndexError(f"{doing}: {exc}")


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: transactions are exactly the BEGIN/COMMIT we issue.
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    # The default rollback journal with full sync: a kill or power cut mid-commit is rolled
    # back on the next open (WAL would leave -wal/-shm files beside the map).
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    # 64 MB of page cache, not 2 MB: the B-trees of a 10,000-article index are that size,
    # and a cache that holds them halves the cost of inserting into them.
    conn.execute("PRAGMA cache_size = -65536")
    return conn


def _unusable(path: Path, fingerprint: str) -> str | None:
    """Why the index at ``path`` cannot be used, or None when it can."""
    try:
        # Read-write, not read-only: a build killed mid-commit leaves a hot journal, which
        # only a connection that may write can roll back (read-only would call it corrupt).
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    except sqlite3.Error as exc:
        return f"it cannot be opened ({exc})"
    # No PRAGMA quick_check: it reads the whole file (0.3-1.3 s at 10,000 articles, on every
    # build). Damage it would find surfaces as SQLITE_CORRUPT when a page is read, and
    # the build then starts again with a new index (IndexCorruptError).
    try:
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


def discard_index(path: Path) -> None:
    """Delete an unusable index and its journal (it only holds derived data)."""
    for p in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"),
              path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


