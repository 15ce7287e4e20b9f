"""The map's saved view: which places the map shows, which of their excerpts, and the page's
payload fragments, kept in the article index's file and made again only where a build
changed them.

The rule of what the map shows is here and only here: per place the excerpts of its newest
articles (dated newest first, undated last, then by article id, offset and length), at
most a cap per place (:data:`MAX_EXCERPTS` unless asked otherwise), lowered when the page
would embed more than :data:`EXCERPT_BUDGET` in all (:func:`effective_cap`); the articles'
whole texts while they stay within :data:`TEXT_BUDGET` characters, else only the passages
the shown excerpts quote.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Collection, Iterable, Sequence

import numpy as np

from mapper.build.index import ArticleIndex
from mapper.build.records import unpack
from mapper.render.passages import Document, article_fragment, excerpt_fragment

#: Excerpts embedded per place, newest articles first: a country named in 5,000 articles
#: would otherwise carry 5,000 sentences nobody scrolls through (the exports have them all).
MAX_EXCERPTS = 20
#: Excerpts a page embeds in all. Beyond it the cap per place is lowered until they fit, so
#: that the page of a large corpus stays a size a browser opens quickly.
EXCERPT_BUDGET = 60_000
#: Above this many characters of article text in total, only the quoted passages are
#: embedded (10,000 news articles are ~50 M characters; the page must stay near 15 MB).
TEXT_BUDGET = 6_000_000

#: The newest ``cap`` excerpts of a place (``-1``: all), read along ``excerpts_newest``.
_NEWEST = """
SELECT place_key, article_id, start, length, marks FROM excerpts WHERE place_key = ?
ORDER BY age, article_id, start, length LIMIT ?
"""
_PLACE = """
INSERT INTO places
SELECT key, name, kind, country, lat, lon, ?2, ?3, ?4, ?5 FROM place_info WHERE key = ?1
"""


def effective_cap(counts: Iterable[int], cap: int, budget: int | None = None) -> int:
    """The largest cap per place, at most ``cap``, under which places with ``counts``
    excerpts embed at most ``budget`` (default :data:`EXCERPT_BUDGET`) in all; never below 1.
    A ``cap`` of 0 (no cap, asked for) stays 0."""
    if not cap:
        return 0
    budget = EXCERPT_BUDGET if budget is None else budget
    counts = np.fromiter(counts, dtype=np.int64)  # 43,000 places, summed for each cap tried
    for c in range(cap, 1, -1):
        if int(np.minimum(counts, c).sum()) <= budget:
            return c
    return 1


class MapView:
    """The map's saved view in an open :class:`~mapper.build.index.ArticleIndex`."""

    def __init__(self, index: ArticleIndex) -> None:
        self._index = index

    def settings(self, max_excerpts: int | None, touched: Collection[str] | None = None,
                 ) -> tuple[int, bool]:
        """The cap per place the map uses when ``max_excerpts`` are asked for (None: the
        default), and whether the articles' texts are too long to embed whole; ``touched``:
        the only places whose excerpts changed since the last :meth:`refresh` (None: not
        known, all are counted)."""
        asked = MAX_EXCERPTS if max_excerpts is None else max_excerpts
        return (effective_cap(self.excerpt_counts(touched), asked),
                self._index.total_chars() > TEXT_BUDGET)

    def refreshed_for(self) -> str | None:
        """The contents digest of the index the last :meth:`refresh` was made for."""
        stamp = self._index.meta("shown")
        return json.loads(stamp)[0] if stamp else None

    def refresh(self, keys: Iterable[str] | None, cap: int, stamp: str, partial: bool,
                ) -> tuple[dict[str, str], dict[str, str]]:
        """Make the places and shown excerpts of ``keys`` (None: of every place) those of
        the articles now indexed, with at most ``cap`` excerpts per place (0: all), make the
        payload fragments of the articles whose shown excerpts changed (``partial``: each
        article embeds only the passages they quote), and record ``stamp`` (meta ``shown``:
        what they were refreshed for) in the same transaction. Returns the places (key ->
        name) that came onto the map and those that left it.

        A build refreshes only the places its new, changed and removed articles mention.
        """
        with self._index.transaction() as c:
            if keys is None:
                before = dict(c.execute("SELECT key, name FROM places"))
                c.execute("DELETE FROM places")
                c.execute("DELETE FROM shown")
                c.execute("DELETE FROM docs")
                keys = [k for k, in c.execute("SELECT DISTINCT place_key FROM place_articles")]
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
                ids = [a for a, in c.execute("SELECT article_id FROM place_articles "
                                             "WHERE place_key = ? ORDER BY article_id", (key,))]
                if ids:
                    (n_excerpts, n_mentions), = c.execute(
                        "SELECT sum(excerpts), sum(mentions) FROM place_articles "
                        "WHERE place_key = ?", (key,))
                    c.execute(_PLACE, (key, n_mentions, n_excerpts, "|".join(ids), len(ids)))
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

    def place_rows(self, article_ids: bool = True) -> list[tuple]:
        """Every mentioned place with its counts and the ids of its articles (sorted, joined
        by ``|``; left empty without ``article_ids``, see :meth:`article_ids`), as of the
        last :meth:`refresh`: rows in the places frame's order, by mentions (most first),
        then key (see :func:`mapper.build.places.places_frame_of_rows`)."""
        ids = "articles" if article_ids else "''"
        return self._index.query(
            f"SELECT key, name, kind, country, lat, lon, mentions, n_articles, {ids} "
            "FROM places ORDER BY mentions DESC, key")

    def article_ids(self) -> dict[str, str]:
        """Per place key the ids of its articles, sorted, joined by ``|`` (as of the last
        :meth:`refresh`)."""
        return dict(self._index.query("SELECT key, articles FROM places"))

    def map_fragments(self) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
        """What the page embeds, as the last :meth:`refresh` made it: per article by id its
        payload fragment, and per shown excerpt ``(place key, article id, fragment)`` by
        place, article, offset and length (see
        :func:`mapper.render.data.payload_from_fragments`)."""
        articles = self._index.query("SELECT a.id, d.fragment FROM articles a "
                               "JOIN docs d ON d.article_id = a.id ORDER BY a.id")
        shown = self._index.query("SELECT place_key, article_id, fragment FROM shown "
                            "ORDER BY place_key, article_id, start, length")
        return articles, shown

    def omitted(self) -> dict[str, int]:
        """Per place how many of its excerpts the map leaves out (the cap of the last
        :meth:`refresh`)."""
        shown = dict(self._index.query("SELECT place_key, count(*) FROM shown GROUP BY place_key"))
        return {key: total - shown.get(key, 0) for key, total in self._index.query(
            "SELECT key, excerpts FROM places") if total > shown.get(key, 0)}

    def excerpt_counts(self, touched: Collection[str] | None = None) -> list[int]:
        """How many excerpts each place has: counted in the excerpts of every place, or,
        when only the places ``touched`` changed since the last :meth:`refresh`, in theirs
        and taken from the places table for the others (a few against 40,000)."""
        if touched is None:
            return [n for n, in self._index.query(
                "SELECT sum(excerpts) FROM place_articles GROUP BY place_key")]
        counts = dict(self._index.query("SELECT key, excerpts FROM places"))
        for key in touched:
            (counts[key],), = self._index.query(
                "SELECT coalesce(sum(excerpts), 0) FROM place_articles WHERE place_key = ?",
                (key,))
        return [n for n in counts.values() if n]

    def place_count(self) -> int:
        """How many places the map shows (as of the last :meth:`refresh`)."""
        (n,), = self._index.query("SELECT count(*) FROM places")
        return n


def _show(c: sqlite3.Connection, key: str, cap: int, mentioned: bool) -> set[str]:
    """Make the shown excerpts of ``key`` its newest ``cap`` (none when it is no longer
    ``mentioned``); the rows that stay keep their fragments. Returns the ids of the
    articles that gained or lost a shown excerpt."""
    wanted = Counter(c.execute(_NEWEST, (key, cap or -1)) if mentioned else ())
    changed: set[str] = set()
    gone = []
    for rowid, *row in c.execute(
            "SELECT rowid, place_key, article_id, start, length, marks FROM shown "
            "WHERE place_key = ?", (key,)).fetchall():
        if wanted[tuple(row)] > 0:  # still shown: kept with its fragment
            wanted[tuple(row)] -= 1
        else:
            gone.append((rowid,))
            changed.add(row[1])
    came = list(wanted.elements())
    changed.update(row[1] for row in came)
    c.executemany("DELETE FROM shown WHERE rowid = ?", gone)
    c.executemany("INSERT INTO shown (place_key, article_id, start, length, marks) "
                  "VALUES (?, ?, ?, ?, ?)", came)
    return changed


def _make_docs(c: sqlite3.Connection, ids: Sequence[str], partial: bool) -> None:
    """The payload fragments of the articles ``ids`` and of their shown excerpts."""
    for lo in range(0, len(ids), 500):
        chunk = ids[lo:lo + 500]
        marks = ",".join("?" * len(chunk))
        shown: dict[str, list[tuple]] = {a: [] for a in chunk}
        for aid, *row in c.execute(
                f"SELECT article_id, rowid, start, length, marks FROM shown "
                f"WHERE article_id IN ({marks})", chunk):
            shown[aid].append(row)
        texts = {aid: unpack(blob) for aid, blob in c.execute(
            f"SELECT article_id, text FROM texts WHERE article_id IN ({marks})", chunk)}
        heads = c.execute(f"SELECT id, title, date, outlet, url, pages FROM articles "
                          f"WHERE id IN ({marks})", chunk).fetchall()
        docs, fragments = [], []
        for aid, title, date, outlet, url, pages in heads:
            text = texts[aid]
            rows = [(rowid, start, text[start:start + length], marks)
                    for rowid, start, length, marks in shown[aid]]
            flat = _json_lists(r[3] for r in rows)
            if partial:
                doc = Document("", [(start, quoted) for _, start, quoted, _ in rows if quoted])
            else:
                doc = Document(text)
            pages = [int(p) for p in pages.split(",")] if pages else []
            docs.append((aid, article_fragment(aid, title, date, doc, outlet, url, pages)))
            fragments.extend(
                (excerpt_fragment(doc if quoted else None, start, quoted,
                                  tuple(zip(f[0::2], f[1::2], strict=True))), rowid)
                for (rowid, start, quoted, _), f in zip(rows, flat, strict=True))
        c.executemany("INSERT INTO docs VALUES (?, ?)", docs)
        c.executemany("UPDATE shown SET fragment = ? WHERE rowid = ?", fragments)


def _json_lists(texts: Iterable[str]) -> list[list]:
    """The JSON arrays ``texts`` (the index's own), parsed in one call rather than one
    ``json.loads`` per row."""
    return json.loads("[" + ",".join(texts) + "]")
