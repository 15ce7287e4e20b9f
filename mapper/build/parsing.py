"""The parse step of a build: the new and changed articles read, parsed and recorded (in
worker processes or on a Dask cluster, see :mod:`.parallel`), names the gazetteer lacks
looked up online when asked, each record put into the index and its export lines into the
spool. The index is committed every :data:`BATCH` articles: a killed build loses at most
that many."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

from mapper.build.index import ArticleIndex
from mapper.build.options import BuildOptions
from mapper.build.parallel import iter_records
from mapper.build.records import Record, make_record
from mapper.build.runtime import Laps
from mapper.errors import MapperWarning
from mapper.exports import Spool
from mapper.models import Mention
from mapper.parse.geoparse import Geoparser
from mapper.parse.online import DEFAULT_SCORE, OnlineResolver
from mapper.read.corpus import Problem
from mapper.read.scan import Entry

#: Articles parsed between two commits of the index.
BATCH = 250


@dataclass(frozen=True)
class Parsed:
    """What the parse step did."""

    ids: list[str]
    """The articles parsed, in the order they were."""
    problems: list[Problem]
    """The files that could not be read."""
    places: set[str]
    """Keys of the places the parsed articles name."""


def parse_changes(index: ArticleIndex, entries: list[Entry], root: str | os.PathLike[str],
                  parser: Geoparser, options: BuildOptions, spool: Spool,
                  streams: tuple[str, ...], notes: list[str], lap: Laps) -> Parsed:
    """Read, parse and record the article files ``entries`` (ids relative to ``root``) into
    ``index`` and their export lines of ``streams`` into ``spool``; warnings go to
    ``notes`` too.

    The workers read, parse, excerpt and format; this process only stores what arrives.
    """
    total = len(entries)
    progress = options.progress
    if progress and total:
        progress(0, total)
    stats = {e.id: e.stat for e in entries}
    stream = iter_records(entries, root=root, max_bytes=options.max_bytes, jobs=options.jobs,
                          parser=parser, scheduler=options.scheduler, streams=streams)
    parsed = Parsed([], [], set())
    batch: list[Record] = []
    for done, (_, item) in enumerate(stream, start=1):
        lap("geoparse")
        if isinstance(item, Problem):
            parsed.problems.append(item)
        else:
            rec = (item if options.online is None
                   else resolve_online(item, options.online, notes, streams))
            spool.add(rec.article.id, rec.lines)
            batch.append(rec)
            parsed.ids.append(rec.article.id)
            parsed.places.update(rec.places[m[2]].key for m in rec.mentions)
        if len(batch) == BATCH or (done == total and batch):
            index.put(batch, stats)
            batch = []
            lap("index")
        if progress and (done % BATCH == 0 or done == total):
            progress(done, total)
    return parsed


def resolve_online(rec: Record, online: OnlineResolver, notes: list[str],
                   streams: tuple[str, ...]) -> Record:
    """The record with the names the gazetteer lacks resolved by the online geocoder."""
    article = rec.article
    added: list[Mention] = []
    unresolved = []
    pending = False
    for start, end, surface in rec.unresolved:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            place, failed = online.resolve(surface)
        for w in caught:
            warn(notes, f"{article.id}: {w.message}")
        pending = pending or failed
        if place is None:
            unresolved.append((start, end, surface))
        else:
            added.append(Mention(article.id, start, end, surface, place, DEFAULT_SCORE))
    if not added and not pending:
        return rec
    return make_record(article, [*rec.mention_list(), *added], unresolved, pending=pending,
                       streams=streams)


def warn(notes: list[str], message: str) -> None:
    """Issue ``message`` as a :class:`~mapper.errors.MapperWarning` and keep it in ``notes``
    (the build's result lists them)."""
    notes.append(message)
    warnings.warn(message, MapperWarning, stacklevel=3)


__all__ = ["BATCH", "Parsed", "parse_changes", "resolve_online", "warn"]
