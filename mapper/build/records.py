"""Article + mentions -> the record the article index keeps: compact rows and export lines.

A record is made where the article was parsed (a pool worker, or this process) and travels
to the process that writes the index in compact form: mentions and excerpts point into a
list of places by position and are plain tuples. Records made in one worker chunk share
that list, so each place crosses the process boundary once per chunk, and the one process
every record passes through makes no objects per mention.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from mapper.exports.rows import STREAMS, Lines, export_lines
from mapper.models import Article, Mention, Place
from mapper.parse.excerpts import excerpts_for

#: (start, end, place index, score, demonym)
MentionRow = tuple[int, int, int, float, bool]
#: (place index, start, length, marks as flat (start, end, start, end...) into the excerpt)
ExcerptRow = tuple[int, int, int, tuple[int, ...]]
#: (start, end, surface) of a name the gazetteer lacks that no geocoder resolved
Unresolved = tuple[int, int, str]


class Palette:
    """The places of a batch of records, each stored once and referred to by position."""

    def __init__(self) -> None:
        self.places: list[Place] = []
        self._at: dict[str, int] = {}

    def __call__(self, place: Place) -> int:
        at = self._at.get(place.key)
        if at is None:
            at = self._at[place.key] = len(self.places)
            self.places.append(place)
        return at


@dataclass(frozen=True)
class Record:
    """Everything the article index keeps about one parsed article.

    Every excerpt is a slice of ``article.text`` (see :func:`mapper.parse.excerpts.excerpts_for`),
    so only its offsets are kept.
    """

    article: Article
    places: Sequence[Place]
    """What the place indexes of ``mentions`` and ``excerpts`` refer to (may be shared)."""
    mentions: Sequence[MentionRow]
    """Sorted by start, end, place key."""
    excerpts: Sequence[ExcerptRow]
    unresolved: Sequence[Unresolved] = field(default=())
    """Names the gazetteer lacks (see :mod:`mapper.parse.unknown`) that no geocoder resolved."""
    pending: bool = False
    """An online lookup failed for this article: parse it again on the next build."""
    packed: bytes = b""
    """The article's text as the index stores it (:func:`pack`), packed by the worker."""
    lines: Lines = field(default=Lines())
    """The article's lines in each export (see :func:`mapper.exports.rows.export_lines`)."""

    def mention_list(self) -> list[Mention]:
        """The mentions as :class:`~mapper.models.Mention` records."""
        a = self.article
        return [Mention(a.id, s, e, a.text[s:e], self.places[p], score, demonym)
                for s, e, p, score, demonym in self.mentions]


def make_record(article: Article, mentions: Sequence[Mention],
                unresolved: Sequence[Unresolved] = (), *, pending: bool = False,
                palette: Palette | None = None, streams: Sequence[str] = STREAMS) -> Record:
    """The record of ``article`` and its ``mentions``: excerpts and the export lines of
    ``streams`` (see :class:`~mapper.exports.rows.Lines`) made here.

    ``palette`` collects the places of several records (a worker's chunk) in one list.
    """
    palette = palette or Palette()
    mentions = sorted(mentions, key=lambda m: (m.start, m.end, m.place.key))
    excerpts = excerpts_for(article, mentions)
    lines = export_lines(article, mentions, excerpts, streams)
    place_of = {m.place.key: m.place for m in mentions}
    return Record(
        article, palette.places,
        [(m.start, m.end, palette(m.place), m.score, m.demonym) for m in mentions],
        [(palette(place_of[e.place_key]), e.start, len(e.text),
          tuple(x for span in e.marks for x in span)) for e in excerpts],
        tuple(unresolved), pending, pack(article.text), lines)


def pack(text: str) -> bytes:
    """An article's text as the index stores it: zlib of its UTF-8."""
    return zlib.compress(text.encode("utf-8"), 6)


def unpack(blob: bytes) -> str:
    """The text :func:`pack` stored."""
    return zlib.decompress(blob).decode("utf-8")

