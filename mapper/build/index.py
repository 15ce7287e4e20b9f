"""The article store: what each article's last parse found, so a rebuild only parses what
changed.

``<out>/mapper-index.sqlite`` (SQLite, standard library) holds per article its content hash
and the file's size and times when it was hashed (so an unchanged file is not read again),
its metadata and blanked text, its resolved mentions (offsets, surface, place fields,
score, demonym), its excerpts (offsets into the text), the byte lengths of its lines in the
mention exports, and the names no geocoder could resolve. ``meta`` holds the schema version
and the *fingerprint* of whatever produced the rows (parser code, gazetteer data, online
geocoder); an index with another version or fingerprint, or one SQLite cannot read, is
never used: :meth:`ArticleIndex.open` discards it and says why. The same file keeps the
map's saved view (:mod:`.mapview`); its tables are in :mod:`.schema`.

Every change is one SQLite transaction (rollback journal, ``synchronous=FULL``): a build
killed at any point leaves each article's rows complete or absent, never half-written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import xxhash

from mapper.build.index_file import connect, discard_index, index_error, unusable
from mapper.build.records import Record, Unresolved, unpack
from mapper.build.schema import INDEX_NAME, INDEXES, SCHEMA, SCHEMA_VERSION
from mapper.errors import ArticleIndexError
from mapper.exports.rows import mention_of, place_fields
from mapper.models import Article, Mention
from mapper.read.scan import Stat

__all__ = ["INDEX_NAME", "ArticleIndex", "Known", "Stored", "discard_index"]

#: An article's mentions with their places' fields, in the order of MENTION_FIELDS but the
#: article id and the surface (sliced from the text).
_STORED_MENTIONS = """
SELECT m.start, m."end", m.place_key, p.name, p.kind, p.country, p.lat, p.lon, p.geonameid,
       p.admin1, p.population, m.score, m.demonym
FROM mentions m JOIN place_info p ON p.key = m.place_key
WHERE m.article_id = ? ORDER BY m.start, m."end", m.place_key
"""


class Known(NamedTuple):
    """What the index knows of an article file: its row of ``articles`` as it is read (one
    per indexed article, 100,000 of them at times)."""

    id: str
    sha256: str
    pending: int
    """1 when an online lookup failed: the article is parsed again."""
    size: int | None
    """The file's size, mtime_ns, ctime_ns and inode when hashed (None: not recorded)."""
    mtime_ns: int | None
    ctime_ns: int | None
    inode: int | None

    @property
    def stat(self) -> tuple[int, int, int, int] | None:
        """Size, mtime_ns, ctime_ns, inode when hashed (a plain tuple, equal to that
        :class:`~mapper.read.scan.Stat`)."""
        return None if self.size is None else self[3:]


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
            reason = unusable(path, fingerprint)
            if reason is None:
                index = cls(path, connect(path))
                index.ensure_indexes()
                return index, None
            discard_index(path)
        conn = connect(path)
        try:
            with conn:
                # No secondary indexes yet: the first parse fills the tables faster without
                # them (see ensure_indexes).
                conn.executescript("BEGIN;" + SCHEMA + "COMMIT;")
                conn.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("schema_version", str(SCHEMA_VERSION)), ("fingerprint", fingerprint)])
        except sqlite3.Error as exc:
            conn.close()
            raise ArticleIndexError(f"cannot create the article index {path}: {exc}") from exc
        return cls(path, conn), reason

    @classmethod
    def open_built(cls, path: str | os.PathLike[str]) -> ArticleIndex:
        """Open the index a build left at ``path`` to read what it holds, whatever parser
        made it; raises :class:`~mapper.errors.ArticleIndexError` (never discards it) when
        there is none or it is not of this mapper's schema."""
        path = Path(path)
        if not path.is_file():
            raise ArticleIndexError(f"{path}: no article index; build the map first")
        reason = unusable(path, None)
        if reason is not None:
            raise ArticleIndexError(f"{path}: {reason}; build the map again first")
        return cls(path, connect(path))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ArticleIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------

    def known(self) -> dict[str, Known]:
        """Every indexed article id -> what the index knows of its file."""
        rows = self.query("SELECT id, sha256, pending, size, mtime_ns, ctime_ns, inode "
                          "FROM articles")
        # Made in C (map, partial, tuple.__new__), not by Known(...) in a loop: 0.07 s
        # against 0.2 s for 100,000 rows.
        return dict(zip(map(itemgetter(0), rows), map(partial(tuple.__new__, Known), rows),
                        strict=True))

    def places_of(self, ids: Iterable[str]) -> set[str]:
        """The keys of the places the articles ``ids`` mention."""
        keys: set[str] = set()
        for aid in ids:
            keys.update(k for k, in self.query("SELECT place_key FROM mentions "
                                                 "WHERE article_id = ?", (aid,)))
        return keys

    def counts(self) -> tuple[int, int, int]:
        """How many articles the index holds, mentions, and names no geocoder resolved. The
        mentions are counted as they come and go (meta ``mentions``): counting 3.7 million
        rows read the whole table, from disk when it was not cached."""
        articles, unresolved = self.query("SELECT (SELECT count(*) FROM articles), "
                                          "(SELECT count(*) FROM unresolved)")[0]
        return articles, int(self.meta("mentions") or 0), unresolved

    def total_chars(self) -> int:
        """The length of all the articles' texts together."""
        (total,), = self.query("SELECT coalesce(sum(chars), 0) FROM articles")
        return total

    def layout(self) -> list[tuple[str, int, int]]:
        """Per article by id: the bytes of its lines in the two mention exports (see
        :func:`mapper.exports.offsets`)."""
        return self.query("SELECT id, csv_bytes, geojson_bytes FROM articles ORDER BY id")

    def stored(self, ids: Iterable[str]) -> Iterator[Stored]:
        """The articles ``ids`` with their mentions, as the index holds them."""
        for aid in ids:
            rows = self.query("SELECT a.sha256, a.path, a.title, a.date, a.pending, t.text, "
                               "a.outlet, a.url, a.pages "
                               "FROM articles a JOIN texts t ON t.article_id = a.id "
                               "WHERE a.id = ?", (aid,))
            if not rows:
                continue
            sha, path, title, date, pending, text, outlet, url, pages = rows[0]
            text = unpack(text)
            article = Article(aid, path, title, dt.date.fromisoformat(date) if date else None,
                              text, sha, outlet, url,
                              tuple(int(p) for p in pages.split(",")) if pages else ())
            mentions = [mention_of((aid, s, e, text[s:e], *place, score, demonym))
                        for s, e, *place, score, demonym in self.query(_STORED_MENTIONS, (aid,))]
            unresolved = self.query('SELECT start, "end", surface FROM unresolved '
                                     "WHERE article_id = ? ORDER BY rowid", (aid,))
            yield Stored(article, mentions, [tuple(u) for u in unresolved], bool(pending))

    def contents_digest(self) -> str:
        """A hash of what the index holds: its fingerprint and every article's id and hash.
        Equal digests mean equal rows, so equal exports.

        The articles' part is kept as it changes (meta ``contents``: the sum of a hash of
        each article's id, hash and pending flag, see :func:`_article_sum`), in the
        transaction that changes them: reading 100,000 rows twice a build took 0.2 s."""
        h = hashlib.sha256((self.meta("fingerprint") or "").encode() + b"\n")
        h.update((self.meta("contents") or "0").encode())
        return h.hexdigest()

    def meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- writing (each call is one transaction) ------------------------------------------

    def put(self, records: Iterable[Record], stats: Mapping[str, Stat | None] | None = None,
            ) -> None:
        """Replace the rows of each record's article by the record; ``stats``: the files'
        stat when they were hashed, by article id."""
        stats = stats or {}
        with self.transaction() as c:
            excerpts, per_place = [], []
            change = _Change()
            for rec in records:
                a, places = rec.article, rec.places
                st = stats.get(a.id)
                change += _delete(c, [a.id])
                change += _Change(_article_sum(a.id, a.sha256, int(rec.pending)),
                                  len(rec.mentions))
                c.execute("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
                    a.id, a.sha256, *(st if st else (None,) * 4), a.title,
                    a.date.isoformat() if a.date else None, len(a.text), int(rec.pending),
                    len(rec.lines.csv), len(rec.lines.geojson), a.path, a.outlet, a.url,
                    ",".join(map(str, a.pages)) if a.pages else None))
                c.execute("INSERT INTO texts VALUES (?, ?)", (a.id, rec.packed))
                c.executemany("INSERT OR IGNORE INTO place_info VALUES (?,?,?,?,?,?,?,?,?)",
                              [place_fields(places[i]) for i in {m[2] for m in rec.mentions}])
                c.executemany("INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?)", [
                    (a.id, s, e, places[i].key, score, int(demonym))
                    for s, e, i, score, demonym in rec.mentions])
                age = _age(a.date)
                excerpts += [(places[i].key, age, a.id, start, length,
                              f"[{','.join(map(str, flat))}]")
                             for i, start, length, flat in rec.excerpts]
                counted: dict[str, list[int]] = {}
                for i, _, _, flat in rec.excerpts:
                    n = counted.setdefault(places[i].key, [0, 0])
                    n[0] += 1
                    n[1] += len(flat) // 2
                per_place += [(key, a.id, n, m) for key, (n, m) in counted.items()]
                c.executemany("INSERT INTO unresolved VALUES (?, ?, ?, ?)",
                              [(a.id, s, e, surface) for s, e, surface in rec.unresolved])
            # In the table's own order: fewer pages touched in its B-tree.
            excerpts.sort()
            c.executemany("INSERT INTO excerpts (place_key, age, article_id, start, length, "
                          "marks) VALUES (?, ?, ?, ?, ?, ?)", excerpts)
            per_place.sort()
            c.executemany("INSERT INTO place_articles VALUES (?, ?, ?, ?)", per_place)
            _record_change(c, change)

    def ensure_indexes(self) -> None:
        """Create the secondary indexes that are missing (see :data:`.schema.INDEXES`)."""
        statements = INDEXES.strip().splitlines()
        have = {name for name, in self.query("SELECT name FROM sqlite_master "
                                             "WHERE type = 'index'")}
        if all(s.split(" IF NOT EXISTS ")[-1].split()[0] in have for s in statements):
            return  # no write: a build with nothing to change needs no write access
        with self.transaction() as c:
            for statement in statements:
                c.execute(statement)

    def set_stats(self, stats: Mapping[str, Stat | None]) -> None:
        """Record the files' stat for articles whose bytes are the indexed ones."""
        if not stats:
            return
        with self.transaction() as c:
            c.executemany("UPDATE articles SET size = ?, mtime_ns = ?, ctime_ns = ?, inode = ? "
                          "WHERE id = ?", [(*(st if st else (None,) * 4), aid)
                                           for aid, st in stats.items()])

    def set_line_lengths(self, lengths: Mapping[str, tuple[int, int]]) -> None:
        """Record the bytes of articles' lines in ``mentions.csv`` and ``mentions.geojson``,
        made again by a build that writes those files from scratch."""
        with self.transaction() as c:
            c.executemany("UPDATE articles SET csv_bytes = ?, geojson_bytes = ? WHERE id = ?",
                          [(csv, geojson, aid) for aid, (csv, geojson) in lengths.items()])

    def remove(self, ids: Iterable[str]) -> None:
        """Forget the articles ``ids`` and everything found in them."""
        ids = list(ids)
        if not ids:
            return
        with self.transaction() as c:
            _record_change(c, _delete(c, ids))

    # -- plumbing ------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """The rows of ``sql`` (for :mod:`.mapview` too, which keeps its tables here)."""
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise index_error(f"cannot read the article index {self.path}", exc) from exc

    def transaction(self) -> _Transaction:
        """``with index.transaction() as conn:`` one transaction, rolled back on error."""
        return _Transaction(self)


#: The sums of :func:`_article_sum` wrap around at 128 bits.
_SUM_MODULUS = 1 << 128


def _article_sum(aid: str, sha256: str, pending: int) -> int:
    """An article's share of the index's contents sum (meta ``contents``): a hash of its id,
    content hash and pending flag. A sum, unlike a hash of the rows in order, changes by
    the rows a build changes alone."""
    return int.from_bytes(xxhash.xxh3_128_digest(f"{aid}\0{sha256}\0{pending}".encode()))


class _Change(NamedTuple):
    """What a transaction changes the index's running totals by: the contents sum (see
    :func:`_article_sum`) and the number of mentions."""

    contents: int = 0
    mentions: int = 0

    def __add__(self, other: _Change) -> _Change:  # type: ignore[override]
        return _Change(self.contents + other.contents, self.mentions + other.mentions)


def _record_change(c: sqlite3.Connection, change: _Change) -> None:
    """Add ``change`` to the running totals in meta, in the transaction ``c`` is in."""
    was = dict(c.execute("SELECT key, value FROM meta WHERE key IN ('contents', 'mentions')"))
    total = (int(was.get("contents", "0"), 16) + change.contents) % _SUM_MODULUS
    mentions = int(was.get("mentions", "0")) + change.mentions
    c.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                  [("contents", f"{total:032x}"), ("mentions", str(mentions))])


def _delete(c: sqlite3.Connection, ids: Iterable[str]) -> _Change:
    """Delete the articles ``ids`` and their rows: their excerpts and counts per place along
    those tables' keys (by their places, and age), the rest by cascade. Returns what the
    running totals change by."""
    change = _Change()
    for aid in ids:
        row = c.execute("SELECT date, sha256, pending FROM articles WHERE id = ?",
                        (aid,)).fetchone()
        if row is None:
            continue
        (mentions,), = c.execute("SELECT count(*) FROM mentions WHERE article_id = ?", (aid,))
        change += _Change(-_article_sum(aid, row[1], row[2]), -mentions)
        age = _age(dt.date.fromisoformat(row[0]) if row[0] else None)
        places = c.execute("SELECT DISTINCT place_key FROM mentions WHERE article_id = ?",
                           (aid,)).fetchall()
        c.executemany("DELETE FROM excerpts WHERE place_key = ? AND age = ? AND article_id = ?",
                      [(key, age, aid) for key, in places])
        c.executemany("DELETE FROM place_articles WHERE place_key = ? AND article_id = ?",
                      [(key, aid) for key, in places])
        c.execute("DELETE FROM articles WHERE id = ?", (aid,))
    return change


def _age(date: dt.date | None) -> int:
    """An article's date as the excerpts keep it: -ordinal (newest smallest), 1 undated."""
    return -date.toordinal() if date else 1


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
                if conn.in_transaction:  # SQLite rolls some failures back itself (disk full)
                    conn.execute("ROLLBACK")
                raise index_error(f"cannot write the article index {self._index.path}", err
                             ) from err
            return
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError):
            raise index_error(f"cannot write the article index {self._index.path}", exc) from exc
