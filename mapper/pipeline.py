"""The whole job: a folder of articles -> mentions -> places -> the map and its exports.

A build is incremental: ``<out>/mapper-index.sqlite`` (:mod:`mapper.index`) remembers what
every article's last parse found, keyed by the hash of its bytes, so only new and changed
articles are parsed; removed ones are dropped; then every output is rendered again from the
index, in a stable order, so the same articles give the same bytes however they arrived.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mapper import exports
from mapper.corpus import DEFAULT_MAX_BYTES, Problem, read_article
from mapper.errors import ArticleError, MapperWarning
from mapper.excerpts import excerpts_for
from mapper.exports import feature_lines
from mapper.fingerprint import fingerprint
from mapper.gazetteer import Gazetteer, default_gazetteer
from mapper.geoparse import Geoparser
from mapper.index import INDEX_NAME, ArticleIndex, Record
from mapper.models import Article, Mention
from mapper.online import DEFAULT_SCORE, OnlineResolver
from mapper.parallel import iter_parse
from mapper.render import write_map
from mapper.scan import scan
from mapper.store import csv_text, mention_rows, places_frame_of
from mapper.unknown import unknown_names

#: Articles parsed between two commits of the index: a killed build loses at most this many.
BATCH = 250

#: ``progress(done, total)`` after each batch of parsed articles.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build read, parsed and wrote."""

    articles: int
    places: int
    mentions: int
    out_dir: Path
    map_path: Path
    problems: tuple[Problem, ...] = field(default=())
    new: tuple[str, ...] = field(default=())
    """Ids of articles parsed for the first time."""
    changed: tuple[str, ...] = field(default=())
    """Ids of articles parsed again: their bytes changed (or an online lookup had failed)."""
    removed: tuple[str, ...] = field(default=())
    """Ids of articles gone from the folder (or now unreadable), dropped from the map."""
    unchanged: int = 0
    places_added: tuple[str, ...] = field(default=())
    """Names of places on the map now that were not before (sorted)."""
    places_removed: tuple[str, ...] = field(default=())
    unresolved: int = 0
    """Unknown-name candidates no online geocoder resolved (none asked: all of them)."""
    warnings: tuple[str, ...] = field(default=())
    """Why the index was rebuilt, online lookups that failed (also issued as warnings)."""

    @property
    def parsed(self) -> int:
        """How many articles this build parsed."""
        return len(self.new) + len(self.changed)


def build(articles_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
          gazetteer: Gazetteer | None = None, title: str = "mapper", jobs: int = 1,
          online: OnlineResolver | None = None, progress: Progress | None = None,
          scheduler: object = None, timings: dict[str, float] | None = None,
          max_excerpts: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> BuildResult:
    """Geoparse the new and changed articles of ``articles_dir`` and write ``index.html``,
    ``places.geojson``, ``mentions.csv``, ``mentions.geojson`` and ``places.gpkg`` into
    ``out_dir``, beside the article index.

    Unreadable articles are skipped and listed in ``BuildResult.problems``. The index is
    committed every :data:`BATCH` articles and each output is replaced atomically, so a
    failed or killed build leaves the previous map as it was and a usable index.
    ``online`` resolves names the gazetteer lacks (see :mod:`mapper.online`).
    ``jobs`` worker processes or the Dask ``scheduler`` (an address or a ``Client``) parse
    (see :mod:`mapper.parallel`). ``timings``, when given, receives seconds per stage.
    ``max_excerpts`` caps the excerpts per place the map embeds (see :mod:`mapper.render`).
    """
    lap = _Laps(timings)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gaz = gazetteer or default_gazetteer()
    lap("gazetteer")
    notes: list[str] = []
    index, reason = ArticleIndex.open(out / INDEX_NAME,
                                      fingerprint(gaz, online.identity if online else ""))
    if reason:
        _warn(notes, f"article index {index.path} rebuilt from scratch: {reason}")
    with index:
        entries = scan(articles_dir, exclude=(out,), max_bytes=max_bytes)
        known = index.known()
        before = index.place_names()
        problems: list[Problem] = []
        to_read, unchanged = [], 0
        present = {e.id for e in entries}
        for e in entries:
            if e.note:
                problems.append(Problem(str(e.path), e.note))
            elif e.id in known and e.sha256 == known[e.id][0] and not known[e.id][1]:
                unchanged += 1
            else:
                to_read.append(e)
        articles: list[Article] = []
        for e in to_read:
            try:
                articles.append(read_article(e.path, root=articles_dir, max_bytes=max_bytes))
            except ArticleError as exc:
                problems.append(Problem(str(e.path), exc.reason))
        failed = {e.id for e in to_read if e.id in known} - {a.id for a in articles}
        removed = sorted({i for i in known if i not in present} | failed)
        index.remove(removed)
        lap("read")
        _parse(index, articles, gaz, jobs, online, progress, notes, scheduler, lap)
        snapshot = index.load()
        after = index.place_names()
        lap("index")
        places = places_frame_of(snapshot.places, gaz)
        # Exports only when the index's contents changed since they were written (a build
        # with nothing new rewrote 300 MB at 10,000 articles), streamed from the index.
        # (Writing them in a thread beside the renderer was measured: no faster, as both
        # hold the GIL most of the time.)
        digest = index.contents_digest()
        if index.meta("exports") != exports.stamp(out, digest):
            exports.write_exports(places, index.export_lines("csv"),
                                  index.export_lines("geojson"), out)
            index.set_meta("exports", exports.stamp(out, digest))
    lap("write")
    map_path = write_map(places, snapshot.excerpts, snapshot.articles, out, title=title,
                         max_excerpts=max_excerpts)
    lap("render")
    return BuildResult(
        articles=len(snapshot.articles), places=len(places), mentions=snapshot.mentions,
        out_dir=out, map_path=map_path, problems=tuple(problems),
        new=tuple(a.id for a in articles if a.id not in known),
        changed=tuple(a.id for a in articles if a.id in known),
        removed=tuple(removed), unchanged=unchanged,
        places_added=tuple(sorted(after[k] for k in after.keys() - before.keys())),
        places_removed=tuple(sorted(before[k] for k in before.keys() - after.keys())),
        unresolved=snapshot.unresolved, warnings=tuple(notes),
    )


def _parse(index: ArticleIndex, articles: Sequence[Article], gaz: Gazetteer, jobs: int,
           online: OnlineResolver | None, progress: Progress | None, notes: list[str],
           scheduler: object = None, lap: _Laps | None = None) -> None:
    """Parse ``articles`` through :func:`mapper.parallel.iter_parse` and commit their records
    to ``index`` every :data:`BATCH` articles.

    One stream over all articles, not one pool call per batch: the workers keep parsing while
    this process makes excerpts and writes the index (cold 10,000 build 113.5 -> 85.4 s).
    """
    parser = Geoparser(gaz)
    total = len(articles)
    if progress and total:
        progress(0, total)
    # scheduler only when given: iter_parse's stand-ins (tests) may not take it.
    extra = {"scheduler": scheduler} if scheduler is not None else {}
    found_all = iter_parse(articles, jobs=jobs, parser=parser, **extra)
    records: list[Record] = []
    done = 0
    for article in articles:
        found = next(found_all)
        if lap:
            lap("geoparse")
        records.append(_record(article, found, gaz, online, notes))
        if lap:
            lap("excerpts")
        if len(records) == BATCH or done + len(records) == total:
            index.put(records)
            done += len(records)
            records = []
            if lap:
                lap("index")
            if progress:
                progress(done, total)


def _record(article: Article, found: list[Mention], gaz: Gazetteer,
            online: OnlineResolver | None, notes: list[str]) -> Record:
    """An article's index record: its mentions, those an online geocoder adds, excerpts."""
    unknown = unknown_names(article.text, found, gaz.has_key)
    mentions = list(found)
    unresolved = []
    pending = False
    for start, end, surface in unknown:
        place, failed = (None, False)
        if online is not None:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                place, failed = online.resolve(surface)
            for w in caught:
                _warn(notes, f"{article.id}: {w.message}")
        pending = pending or failed
        if place is None:
            unresolved.append((start, end, surface))
        else:
            mentions.append(Mention(article.id, start, end, surface, place, DEFAULT_SCORE))
    mentions.sort(key=lambda m: (m.start, m.end, m.place.key))
    excerpts = excerpts_for(article, mentions)
    rows = mention_rows(mentions, excerpts, [article])
    return Record(article, mentions, excerpts, unresolved, pending, csv_text(rows),
                  feature_lines(rows))


class _Laps:
    """Adds the seconds since the last lap to ``timings[stage]`` (for the benchmark)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
            self.last = now


def _warn(notes: list[str], message: str) -> None:
    notes.append(message)
    warnings.warn(message, MapperWarning, stacklevel=3)
