"""The tables of ``mapper-index.sqlite`` and their version.

One SQLite file beside the map holds two things: the article store (:mod:`.index`: per
article its hash, text, mentions, excerpts, export line lengths) and the map's saved view
(:mod:`.mapview`: the places on the map, the excerpts it shows, the page's fragments).
"""

from __future__ import annotations

#: Bump when the tables change: an index of another version is rebuilt, not migrated.
SCHEMA_VERSION = 11
INDEX_NAME = "mapper-index.sqlite"

# The texts in a table of their own: with them in ``articles`` each row filled a page or
# more, and every scan of ids, hashes and dates (each build makes several) would read the
# whole corpus again.
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL,
    -- The file's stat when it was hashed (NULL: hash it again next time).
    size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, inode INTEGER,
    title TEXT NOT NULL, date TEXT, chars INTEGER NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0,  -- 1: an online lookup failed; parse it again
    -- Bytes of its lines in mentions.csv and mentions.geojson (see mapper.exports.offsets).
    csv_bytes INTEGER NOT NULL, geojson_bytes INTEGER NOT NULL,
    path TEXT NOT NULL,
    -- Where it came from, as the file says ('' when it does not), and for a PDF the
    -- offsets where its pages start, joined by "," (NULL for other files).
    outlet TEXT NOT NULL, url TEXT NOT NULL, pages TEXT
);
-- Every text is stored once: the article's, zlib-compressed. Mentions, excerpts and the
-- excerpts the map shows are offsets into it, sliced in Python where a text is needed.
CREATE TABLE texts (
    article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    text BLOB NOT NULL  -- zlib of the UTF-8 text
);
-- The places the mentions resolved to, once each (a key always names the same place: a
-- new gazetteer or geocoder changes the fingerprint, and the index is made again).
CREATE TABLE place_info (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL, geonameid INTEGER, admin1 TEXT NOT NULL,
    population INTEGER NOT NULL
) WITHOUT ROWID;
-- Kept in article order (the table is its own index on article_id): a mention is one
-- name at one span, resolved to one place.
CREATE TABLE mentions (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, place_key TEXT NOT NULL,
    score REAL NOT NULL, demonym INTEGER NOT NULL,
    PRIMARY KEY (article_id, start, "end", place_key)
) WITHOUT ROWID;
-- One row per place and sentence of an article that names it; every mention of the place
-- there is in ``marks``, so a place's mentions and articles are counted here too. Deleted
-- with their article by ArticleIndex, along this key (no index on article_id).
CREATE TABLE excerpts (
    article_id TEXT NOT NULL, place_key TEXT NOT NULL,
    -- The article's date as -ordinal (newest smallest), 1 when undated: the map shows the
    -- excerpts of a place's newest articles, read in this index's order.
    age INTEGER NOT NULL, start INTEGER NOT NULL, length INTEGER NOT NULL,
    marks TEXT NOT NULL,  -- JSON [start, end, start, end, ...] into the excerpt
    -- Kept in the order the map reads them: a place's newest first.
    PRIMARY KEY (place_key, age, article_id, start, length)
) WITHOUT ROWID;
-- Per place and article how many excerpts and mentions: a place's counts and its article
-- ids, read in key order (a country named in 96,000 of 100,000 articles has 460,000
-- excerpts; summing its rows here is several times quicker).
CREATE TABLE place_articles (
    place_key TEXT NOT NULL, article_id TEXT NOT NULL,
    excerpts INTEGER NOT NULL, mentions INTEGER NOT NULL,
    PRIMARY KEY (place_key, article_id)
) WITHOUT ROWID;
-- What the map shows, kept up to date for the places a build touched (see refresh()): per
-- place its fields and counts, and its newest excerpts up to the map's cap.
CREATE TABLE places (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL, mentions INTEGER NOT NULL,
    excerpts INTEGER NOT NULL,
    -- The ids of its articles, sorted, joined by "|" (as the exports write them), and how
    -- many: read as they are, not as millions of strings.
    articles TEXT NOT NULL, n_articles INTEGER NOT NULL
);
CREATE TABLE shown (
    place_key TEXT NOT NULL, article_id TEXT NOT NULL, start INTEGER NOT NULL,
    length INTEGER NOT NULL, marks TEXT NOT NULL,
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
#: kept up to date row by row, they make the first inserts several times slower. An index
#: killed before then gets them on open.
INDEXES = """
CREATE INDEX IF NOT EXISTS shown_place ON shown (place_key, article_id, start, length);
CREATE INDEX IF NOT EXISTS shown_article ON shown (article_id);
CREATE INDEX IF NOT EXISTS unresolved_article ON unresolved (article_id);
"""
TABLES = {"meta", "articles", "texts", "place_info", "mentions", "excerpts",
          "place_articles", "places", "shown", "docs", "unresolved"}

