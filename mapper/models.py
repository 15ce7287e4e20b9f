"""The records that flow between the pipeline steps: articles -> mentions -> places -> map.

Every record is a frozen dataclass. Offsets (``start``/``end``) are always character offsets
into ``Article.text``: for plain text that has exactly the length of the file's decoded
text, so they are offsets into the file as read; for a web page or a PDF it is the text
extracted from it (``mapper parse --with-text`` prints it).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

#: The kinds of place the gazetteer knows, coarsest first.
KINDS = ("continent", "region", "country", "admin1", "admin2", "city", "feature")

#: Columns of the places GeoDataFrame (``mapper.build.places``) that the map and the exports
#: are drawn from, besides its ``geometry`` (``Point(lon, lat)``, EPSG:4326).
PLACE_COLUMNS = ["key", "name", "kind", "country", "mentions", "n_articles", "article_ids",
                 "alt_names"]


@dataclass(frozen=True)
class Article:
    """One news article read from a file.

    ``text`` is what every offset points into. For plain text it is the decoded file with
    page furniture (share buttons, paywall notes, photo credits, the ``date ...`` header)
    overwritten by spaces, so it has the length of the original and every offset into it is
    an offset into the file; for a web page or a PDF it is the text extracted from it (see
    :mod:`mapper.read.formats`). Geoparsing and excerpts only ever see ``text``.
    """

    id: str
    """Stable id: the file's path relative to the corpus folder, with ``/`` separators."""
    path: str
    """The file's path as it was given or found."""
    title: str
    date: dt.date | None
    text: str
    sha256: str = ""
    """Hash of the file's bytes, to tell changed articles from unchanged ones."""
    outlet: str = ""
    """The site or publisher it came from, as the file says ('' when it does not)."""
    url: str = ""
    """Its original address, an absolute http(s) URL ('' when the file gives none)."""
    pages: tuple[int, ...] = ()
    """For a PDF: the offset in ``text`` where each page starts (the first is 0)."""

    def page_at(self, offset: int) -> int | None:
        """The page (from 1) that the text at ``offset`` is on; None unless a PDF."""
        return bisect.bisect_right(self.pages, offset) or None if self.pages else None


@dataclass(frozen=True)
class Place:
    """One gazetteer entry that a mention resolved to."""

    key: str
    """Stable identifier: ``"gn:<geonameid>"`` or, without one, ``"<kind>:<code>"``."""
    name: str
    kind: str
    """One of :data:`KINDS`."""
    country: str
    """ISO 3166-1 alpha-2 code ('' for continents and multi-country regions)."""
    lat: float
    lon: float
    geonameid: int | None = None
    admin1: str = ""
    population: int = 0


@dataclass(frozen=True)
class Mention:
    """A place name found in an article, resolved to a place."""

    article_id: str
    start: int
    end: int
    surface: str
    """``article.text[start:end]``."""
    place: Place
    score: float
    """Confidence in (0, 1]."""
    demonym: bool = False
    """True when the surface is an adjective or demonym ("Afghan") of the place."""


@dataclass(frozen=True)
class Excerpt:
    """The sentence around one or more mentions of a place in one article."""

    article_id: str
    place_key: str
    start: int
    """Offset of the excerpt's first character in the article text."""
    text: str
    marks: tuple[tuple[int, int], ...] = field(default=())
    """Spans of the place's name, relative to ``text``."""
