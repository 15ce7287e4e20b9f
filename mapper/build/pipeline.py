"""The whole job: a folder of articles -> mentions -> places -> the map and its exports.

A build is incremental: ``<out>/mapper-index.sqlite`` (:mod:`mapper.build.index`) remembers what
every article's last parse found, keyed by the hash of its bytes, so only new and changed
articles are parsed; removed ones are dropped. The map is then rendered from the index (SQL
picks the excerpts it shows), and the exports are spliced from their previous versions and
the new articles' lines (:mod:`mapper.exports`). The same articles give the same map and
text exports, byte for byte, however they arrived; a build that changed nothing writes
nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import os
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from mapper import exports
from mapper.atomic import Batch, remove_stale
from mapper.build.background import Job, Receive
from mapper.build.fingerprint import fingerprint, render_fingerprint
from mapper.build.index import INDEX_NAME, ArticleIndex, discard_index
from mapper.build.parallel import iter_records, parse_many
from mapper.build.places import places_frame_of
from mapper.build.records import Record, make_record
from mapper.errors import ArticleError, IndexCorruptError, MapperWarning
from mapper.exports import Spool
from mapper.models import Article, Mention
from mapper.parse.gazetteer import Gazetteer, default_gazetteer
from mapper.parse.geoparse import WARM_UP_TEXT, Geoparser
from mapper.parse.online import DEFAULT_SCORE, OnlineResolver
from mapper.parse.unknown import unknown_names
from mapper.paths import geodata_dir
from mapper.read.corpus import DEFAULT_MAX_BYTES, Problem, read_article
from mapper.read.scan import Entry, scan
from mapper.render import MAP_FILES, preload, stage_page, write_summary
from mapper.render.data import MAX_EXCERPTS, TEXT_BUDGET, effective_cap, payload_from_fragments

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
    ``places.html``, ``places.geojson``, ``mentions.csv``, ``mentions.geojson`` and
    ``places.gpkg`` into ``out_dir``, beside the article index.

    Unreadable articles are skipped and listed in ``BuildResult.problems``. The index is
    committed every :data:`BATCH` articles and each output is replaced atomically, so a
    failed or killed build leaves the previous map as it was and a usable index.
    ``online`` resolves names the gazetteer lacks (see :mod:`mapper.parse.online`).
    ``jobs`` worker processes or the Dask ``scheduler`` (an address or a ``Client``) parse
    (see :mod:`mapper.build.parallel`). ``timings``, when given, receives seconds per stage.
    ``max_excerpts`` caps the excerpts per place the map embeds (see :mod:`mapper.render`).
    """
    options = dict(gazetteer=gazetteer, title=title, jobs=jobs, online=online,
                   progress=progress, scheduler=scheduler, timings=timings,
                   max_excerpts=max_excerpts, max_bytes=max_bytes)
    with _fewer_collections():
        try:
            return _build(articles_dir, out_dir, **options)
        except IndexCorruptError as exc:
            # Found damaged while in use: the index only holds derived data, start again.
            message = f"article index rebuilt from scratch: {exc}"
            discard_index(Path(out_dir) / INDEX_NAME)
            result = _build(articles_dir, out_dir, **options)
        warnings.warn(message, MapperWarning, stacklevel=2)
        return dataclasses.replace(result, warnings=(message, *result.warnings))


def _build(articles_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
           gazetteer: Gazetteer | None, title: str, jobs: int, online: OnlineResolver | None,
           progress: Progress | None, scheduler: object, timings: dict[str, float] | None,
           max_excerpts: int | None, max_bytes: int) -> BuildResult:
    lap = _Laps(timings)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale(out)
    # The gazetteer, the parser's word lists and the basemap's polygons load in threads
    # while the index is opened and the folder scanned (0.5 s of a warm build, much of it
    # in C: Parquet, msgpack, GEOS).
    loader = ThreadPoolExecutor(2, thread_name_prefix="mapper-load")
    loading = [loader.submit(_ready_parser, gazetteer), loader.submit(preload)]
    try:
        return _build_loading(articles_dir, out, loader, loading, gazetteer=gazetteer,
                              title=title, jobs=jobs, online=online, progress=progress,
                              scheduler=scheduler, lap=lap, max_excerpts=max_excerpts,
                              max_bytes=max_bytes)
    finally:
        loader.shutdown(wait=True)  # a build that failed early: not a load running on


def _build_loading(articles_dir: str | os.PathLike[str], out: Path,
                   loader: ThreadPoolExecutor, loading: list[futures.Future], *,
                   gazetteer: Gazetteer | None, title: str, jobs: int,
                   online: OnlineResolver | None, progress: Progress | None,
                   scheduler: object, lap: _Laps, max_excerpts: int | None,
                   max_bytes: int) -> BuildResult:
    """:func:`_build` once the gazetteer and the basemap are loading (``loading``)."""
    notes: list[str] = []
    index, reason = ArticleIndex.open(out / INDEX_NAME, fingerprint(
        gazetteer or geodata_dir(), online.identity if online else ""))
    if reason:
        _warn(notes, f"article index {index.path} rebuilt from scratch: {reason}")
    asked = MAX_EXCERPTS if max_excerpts is None else max_excerpts
    with index, Spool(out) as spool:
        known = index.known()
        entries = scan(articles_dir, exclude=(out,), max_bytes=max_bytes, known=known)
        problems = [Problem(str(e.path), e.note) for e in entries if e.note]
        readable = [e for e in entries if not e.note]
        present = {e.id for e in readable}
        fresh = {e.id for e in readable if e.id in known and e.sha256 == known[e.id].sha256
                 and not known[e.id].pending}
        index.set_stats({e.id: e.stat for e in readable
                         if e.id in fresh and e.stat != known[e.id].stat})
        to_parse = [e for e in readable if e.id not in fresh]
        # Per article only what the rest of the build asks: ids, not entries and stats
        # (100,000 of each were 130 MB held until the map was written).
        unchanged = len(fresh)
        known = set(known)
        del entries, readable, fresh
        # Whether the exports on disk are those of the index as it is now: then they are
        # spliced from their previous versions, else written from scratch.
        digest_before = index.contents_digest()
        shown_before = index.meta("shown")
        previous = None
        if index.meta("exports") == exports.stamp(out, digest_before):
            previous = index.layout()
            if not exports.matches(out, previous):
                previous = None
        touched = sorted({i for i in known if i not in present} | {e.id for e in to_parse})
        keys_touched = index.places_of(i for i in touched if i in known)
        index.remove(i for i in known if i not in present)
        lap("read")
        # Both loads end before anything forks (the parse pool, the exports): a child must
        # not start with a lock that a thread of its parent held.
        futures.wait(loading)
        loader.shutdown(wait=True)  # its threads gone too
        parser = loading[0].result()  # a failed preload: the map says why, when drawn
        lap("gazetteer")
        parsed, failed, keys_parsed = _parse(index, to_parse, articles_dir, max_bytes, parser,
                                             jobs, online, progress, notes, spool, scheduler,
                                             lap)
        problems += failed
        index.ensure_indexes()
        parsed_ids = set(parsed)
        removed = sorted(i for i in touched if i in known and i not in parsed_ids)
        index.remove(removed)
        digest = index.contents_digest()
        # The cap per place, lowered when the map would embed too many excerpts in all, and
        # whether the articles' texts fit in the page or only the passages it quotes.
        cap = effective_cap(index.excerpt_counts(), asked)
        partial = index.total_chars() > TEXT_BUDGET
        export = parsed or removed or index.meta("exports") != exports.stamp(out, digest)
        draw = parsed or removed or index.meta("map") != _map_stamp(out, digest, title, cap)
        if export and previous is None:
            # From scratch: the lines of the articles not parsed now are made again from the
            # index (after a killed build, or an export deleted or edited by hand).
            for stored in index.stored(sorted(present - spool.at.keys() - set(removed))):
                rec = make_record(stored.article, stored.mentions, stored.unresolved,
                                  pending=stored.pending)
                spool.add(rec.article.id, rec.csv, rec.geojson)
        # The exports and the table of places are written beside this process (from here:
        # the mention files need no places) while it counts the places and draws the map,
        # which replaces the old one once they are written and flushed. In a forked child
        # when they are spliced (a second of work at 10,000 articles, half of it holding
        # the GIL); in a thread when they are written from scratch, as after a cold parse:
        # a child would end up with a copy of this process's heap, half a gigabyte by then.
        layout = index.layout()
        spool.flush()  # by this process: a forked child would flush a copy of the buffers
        beside = Job(_write_beside, out, layout, spool, export=export, previous=previous,
                     dropped=[*removed, *(i for i in parsed if i in known)], summary=draw,
                     title=title, fork=previous is not None or not export
                     ) if export or draw else None
        page = Batch(flush_on_commit=True)  # its fsync after theirs, not behind them
        try:
            # What the map shows of each place: refreshed for the places this build
            # touched, or for all of them if the last refresh was not of the index as it was.
            came, left = {}, {}
            stamp = _shown_stamp(digest, cap, partial)
            if shown_before != _shown_stamp(digest_before, cap, partial):
                came, left = index.refresh(None, cap, stamp, partial)
            elif parsed or removed:
                came, left = index.refresh(keys_touched | keys_parsed, cap, stamp, partial)
            lap("index")
            if beside is not None:
                places = places_frame_of(index.place_counts(), parser.gazetteer)
                beside.send(places)
            if draw:
                articles, shown = index.map_fragments()
                omitted = index.omitted()
                lap("index")
                payload = payload_from_fragments(places, articles, shown, title=title,
                                                 partial=partial, cap=cap, omitted=omitted)
                stage_page(places, payload, out, title=title, batch=page)
                del payload, articles, shown  # not held while the exports are written
                lap("render")
            if beside is not None:
                beside.send(_COMMIT)  # all is written: the exports go in place, then the map
                beside.result()
                lap("write")
        except BaseException:
            page.discard()
            if beside is not None:  # told nothing more, it discards what it wrote
                beside.close()
                with contextlib.suppress(Exception):
                    beside.result()
            raise
        page.commit()
        lap("render")
        if export:
            index.set_meta("exports", exports.stamp(out, digest))
        if draw:
            index.set_meta("map", _map_stamp(out, digest, title, cap))
        n_articles, n_places, mentions, unresolved = index.counts()
    return BuildResult(
        articles=n_articles, places=n_places, mentions=mentions,
        out_dir=out, map_path=out / MAP_FILES[0], problems=tuple(problems),
        new=tuple(i for i in parsed if i not in known),
        changed=tuple(i for i in parsed if i in known),
        removed=tuple(removed), unchanged=unchanged,
        places_added=tuple(sorted(came.values())),
        places_removed=tuple(sorted(left.values())),
        unresolved=unresolved, warnings=tuple(notes),
    )


def _parse(index: ArticleIndex, entries: list[Entry], root: str | os.PathLike[str],
           max_bytes: int, parser: Geoparser, jobs: int, online: OnlineResolver | None,
           progress: Progress | None, notes: list[str], spool: Spool, scheduler: object,
           lap: _Laps) -> tuple[list[str], list[Problem], set[str]]:
    """Read, parse and record ``entries`` (see :func:`mapper.build.parallel.iter_records`), put
    their records into the index, committed every :data:`BATCH` articles, and their export
    lines into ``spool``. Returns the ids of the articles parsed, the files that could not
    be read, and the keys of the places the articles mention.

    The workers read, parse, excerpt and format; this process only stores what arrives.
    """
    total = len(entries)
    if progress and total:
        progress(0, total)
    stats = {e.id: e.stat for e in entries}
    if scheduler is None:
        stream = iter_records(entries, root=root, max_bytes=max_bytes, jobs=jobs,
                              parser=parser)
    else:
        stream = _dask_records(entries, root, max_bytes, parser, scheduler)
    parsed: list[str] = []
    problems: list[Problem] = []
    keys: set[str] = set()
    batch: list[Record] = []
    for done, (_, item) in enumerate(stream, start=1):
        lap("geoparse")
        if isinstance(item, Problem):
            problems.append(item)
        else:
            rec = _resolve_online(item, online, notes) if online is not None else item
            spool.add(rec.article.id, rec.csv, rec.geojson)
            batch.append(rec)
            parsed.append(rec.article.id)
            keys.update(rec.places[m[2]].key for m in rec.mentions)
        if len(batch) == BATCH or (done == total and batch):
            index.put(batch, stats)
            batch = []
            lap("index")
        if progress and (done % BATCH == 0 or done == total):
            progress(done, total)
    return parsed, problems, keys


#: What a build sends :func:`_write_beside` once its map is written too.
_COMMIT = "commit"


def _write_beside(receive: Receive, out: Path, layout: exports.Layout, spool: Spool, *,
                  export: bool, previous: exports.Layout | None, dropped: list[str],
                  summary: bool, title: str) -> None:
    """What a build writes while it draws the map (see :mod:`mapper.build.background`): the
    exports and ``places.html``, put in place when the build, its map written, sends
    :data:`_COMMIT` (it then puts the map in place itself); anything else, or nothing,
    and they are discarded. The places frame arrives first, once the build has counted
    the places."""
    places: list[gpd.GeoDataFrame] = []

    def frame() -> gpd.GeoDataFrame:
        if not places:
            places.append(receive())
        return places[0]

    batch = Batch()
    try:
        if export:
            exports.write_exports(out, frame, layout, spool, previous=previous,
                                  dropped=dropped, batch=batch)
        if summary:
            write_summary(frame(), len(layout), out, title=title, batch=batch)
        frame()  # the places come before the word, whatever was written
        word = receive()
        if not (isinstance(word, str) and word == _COMMIT):
            raise RuntimeError(f"the build sent {word!r}, not the word to commit")
        batch.commit()
    except BaseException:
        batch.discard()
        raise


def _ready_parser(gazetteer: Gazetteer | None) -> Geoparser:
    """A parser of ``gazetteer`` (default: the embedded one) that has read its word lists."""
    parser = Geoparser(gazetteer or default_gazetteer())
    parser.mentions(WARM_UP_TEXT)
    return parser


def _dask_records(entries: list[Entry], root: str | os.PathLike[str], max_bytes: int,
                  parser: Geoparser, scheduler: object,
                  ) -> Iterator[tuple[Entry, Record | Problem]]:
    """Like :func:`mapper.build.parallel.iter_records` with the parsing on a Dask cluster: this
    process reads the articles (a batch at a time) and makes their records."""
    step = 2000
    for lo in range(0, len(entries), step):
        read: list[tuple[Entry, Article | Problem]] = []
        for e in entries[lo:lo + step]:
            try:
                read.append((e, read_article(e.path, root=root, max_bytes=max_bytes)))
            except ArticleError as exc:
                read.append((e, Problem(str(e.path), exc.reason)))
        articles = [a for _, a in read if isinstance(a, Article)]
        found = iter(parse_many(articles, parser=parser, scheduler=scheduler))
        for e, a in read:
            if isinstance(a, Problem):
                yield e, a
                continue
            mentions = next(found)
            yield e, make_record(a, mentions,
                                 unknown_names(a.text, mentions, parser.gazetteer.has_key))


def _resolve_online(rec: Record, online: OnlineResolver, notes: list[str]) -> Record:
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
            _warn(notes, f"{article.id}: {w.message}")
        pending = pending or failed
        if place is None:
            unresolved.append((start, end, surface))
        else:
            added.append(Mention(article.id, start, end, surface, place, DEFAULT_SCORE))
    if not added and not pending:
        return rec
    return make_record(article, [*rec.mention_list(), *added], unresolved, pending=pending)


def _shown_stamp(digest: str, cap: int, partial: bool) -> str:
    """What the index's places, shown excerpts and payload fragments were refreshed for."""
    return json.dumps([digest, cap, partial])


def _map_stamp(out: Path, digest: str, title: str, cap: int) -> str:
    """What the map in ``out`` was made of: the index's contents, the settings, the code and
    data that draw it, and the files' sizes and times (a map edited or deleted by hand is
    drawn again)."""
    files = []
    for name in MAP_FILES:
        try:
            st = (out / name).stat()
        except FileNotFoundError:
            return ""
        files.append([name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino])
    return json.dumps({"digest": digest, "title": title, "cap": cap,
                       "render": render_fingerprint(), "files": files}, separators=(",", ":"))


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Spare the build most of the cyclic garbage collector's full passes.

    A build makes hundreds of thousands of rows (tuples, lists) that live until it ends and
    hold no cycles; each full pass walks all of them and every module's objects again (a
    third of a warm build's CPU at 10,000 articles). What exists before the build is frozen
    out of the passes and young objects are collected less often; all is put back after.
    """
    threshold = gc.get_threshold()
    ours = gc.get_freeze_count() == 0  # a caller that froze objects itself: left as it is
    if ours:
        gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if ours:
            gc.unfreeze()


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
