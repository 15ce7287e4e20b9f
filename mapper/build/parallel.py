"""Geoparse many articles: in this process, a local process pool, or a Dask cluster.

Geoparsing is a pure function of an article and the gazetteer, so it parallelises by article.

:func:`iter_records` is the build's path: each worker reads its articles' files, parses them
and makes their records (excerpts, export lines: :mod:`mapper.build.records`), so the process
that writes the index only stores what arrives. :func:`parse_many` returns mentions only
(the Dask path, evaluation, benchmarks).

* ``jobs > 1``: a pool of worker processes, kept for the next call with the same settings.
  On Linux the workers are forked from this process, so they share its loaded gazetteer
  (copy-on-write) instead of loading their own; elsewhere each loads it once, in the pool's
  initializer. Articles travel in chunks, and mentions come back as compact tuples that
  this process turns into :class:`~mapper.models.Mention` records again.
* ``scheduler``: a ``dask.distributed`` scheduler address (``"tcp://host:8786"``) or a
  ``Client``. Each chunk of articles becomes one task, which writes one GeoParquet partition
  of mentions (:mod:`mapper.build.partitions`); the partitions are read back here. Workers load the
  gazetteer once per process (:func:`mapper.parse.gazetteer.default_gazetteer`), so they need
  mapper and its ``geodata/`` installed.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from mapper.build.records import Palette, Record, make_record
from mapper.errors import ArticleError
from mapper.exports.rows import STREAMS
from mapper.models import Article, Mention, Place
from mapper.parse.geoparse import Geoparser
from mapper.parse.unknown import unknown_names
from mapper.read.corpus import DEFAULT_MAX_BYTES, Problem, read_article
from mapper.read.scan import Entry

#: Below this much text a pool costs more than it saves: parse in this process.
MIN_PARALLEL_CHARS = 200_000
#: Articles per chunk sent to a worker: enough to amortise the trip, small enough to balance.
CHUNK_ARTICLES = 64

#: Per article, its mentions as (start, end, place index, score, demonym).
_Compact = list[tuple[int, int, int, float, bool]]

# The parser of this process's pool workers; set before forking, or by _init_worker.
_WORKER_PARSER: Geoparser | None = None
_POOL: tuple[int, Geoparser, ProcessPoolExecutor] | None = None


def parse_many(articles: Sequence[Article], *, jobs: int = 1, parser: Geoparser | None = None,
               scheduler: Any = None) -> list[list[Mention]]:
    """The mentions of each article, in the order of ``articles``.

    ``jobs`` worker processes parse them (1: this process); ``scheduler`` (a Dask address or
    ``Client``) sends them to a Dask cluster instead. Every path gives the same mentions.
    """
    return list(iter_parse(articles, jobs=jobs, parser=parser, scheduler=scheduler))


def iter_parse(articles: Sequence[Article], *, jobs: int = 1, parser: Geoparser | None = None,
               scheduler: Any = None) -> Iterator[list[Mention]]:
    """Like :func:`parse_many`, one article's mentions at a time: with ``jobs > 1`` the
    workers parse ahead while the caller uses what is done (excerpts, index writes)."""
    if scheduler is not None:
        from mapper.build import partitions

        with tempfile.TemporaryDirectory(prefix="mapper-parts-") as tmp:
            paths = parse_to_partitions(articles, tmp, scheduler=scheduler)
            yield from partitions.read_mentions(paths, articles)
        return
    parser = parser or Geoparser()
    chars = sum(len(a.text) for a in articles)
    if jobs <= 1 or len(articles) < 2 or chars < MIN_PARALLEL_CHARS:
        for a in articles:
            yield parser.parse(a)
        return
    pool = _pool(jobs, parser)
    size = max(1, min(CHUNK_ARTICLES, -(-len(articles) // (jobs * 4))))
    chunks = (articles[i:i + size] for i in range(0, len(articles), size))
    # A bounded window of chunks in flight: the workers stay busy, memory stays flat.
    window: deque[tuple[Sequence[Article], Future]] = deque()
    try:
        for chunk in chunks:
            window.append((chunk, pool.submit(_parse_chunk, list(chunk))))
            if len(window) >= jobs * 3:
                yield from _mentions(*window.popleft())
        while window:
            yield from _mentions(*window.popleft())
    finally:
        for _, future in window:  # the caller stopped early
            future.cancel()


def iter_records(entries: Sequence[Entry], *, root: str | os.PathLike[str],
                 max_bytes: int = DEFAULT_MAX_BYTES, jobs: int = 1,
                 parser: Geoparser | None = None, scheduler: Any = None,
                 streams: Sequence[str] = STREAMS) -> Iterator[tuple[Entry, Record | Problem]]:
    """Read, parse and record the article file of each entry (ids relative to ``root``), in
    the order of ``entries``: its :class:`~mapper.build.records.Record`, or the
    :class:`~mapper.read.corpus.Problem` that kept it from being read.

    ``jobs`` worker processes do the work when there is enough of it; the caller receives
    the records as chunks finish, while the workers go on (a bounded window: memory stays
    flat however many articles there are). With a Dask ``scheduler``, the cluster parses
    and this process reads the articles and makes their records. Records carry the export
    lines of ``streams`` (see :class:`~mapper.exports.rows.Lines`).
    """
    parser = parser or Geoparser()
    if scheduler is not None:
        yield from _dask_records(entries, root, max_bytes, parser, scheduler, streams)
        return
    total = sum(e.stat[0] if e.stat else _size(e.path) for e in entries)
    if jobs <= 1 or len(entries) < 2 or total < MIN_PARALLEL_CHARS:
        palette = Palette()
        for e in entries:
            yield e, _record_of(str(e.path), root, max_bytes, parser, palette, streams)
        return
    pool = _pool(jobs, parser)
    size = max(1, min(CHUNK_ARTICLES, -(-len(entries) // (jobs * 4))))
    window: deque[tuple[Sequence[Entry], Future]] = deque()
    try:
        for lo in range(0, len(entries), size):
            chunk = entries[lo:lo + size]
            window.append((chunk, pool.submit(_record_chunk, [str(e.path) for e in chunk],
                                              str(root), max_bytes, tuple(streams))))
            if len(window) >= jobs * 3:
                done, future = window.popleft()
                yield from zip(done, future.result(), strict=True)
        while window:
            done, future = window.popleft()
            yield from zip(done, future.result(), strict=True)
    finally:
        for _, future in window:  # the caller stopped early
            future.cancel()


def _dask_records(entries: Sequence[Entry], root: str | os.PathLike[str], max_bytes: int,
                  parser: Geoparser, scheduler: Any, streams: Sequence[str],
                  ) -> Iterator[tuple[Entry, Record | Problem]]:
    """:func:`iter_records` with the parsing on a Dask cluster, a batch of articles at a
    time."""
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
                                 unknown_names(a.text, mentions, parser.gazetteer.has_key),
                                 streams=streams)


def _size(path: os.PathLike[str]) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _record_chunk(paths: list[str], root: str, max_bytes: int, streams: tuple[str, ...],
                  ) -> list[Record | Problem]:
    """Pool task: the records of a chunk of files, sharing one list of places."""
    parser, palette = _parser(), Palette()
    return [_record_of(p, root, max_bytes, parser, palette, streams) for p in paths]


def _record_of(path: str, root: str | os.PathLike[str], max_bytes: int, parser: Geoparser,
               palette: Palette, streams: Sequence[str]) -> Record | Problem:
    try:
        article = read_article(path, root=root, max_bytes=max_bytes)
    except ArticleError as exc:
        return Problem(path, exc.reason)
    found = parser.parse(article)
    unknown = unknown_names(article.text, found, parser.gazetteer.has_key)
    return make_record(article, found, unknown, palette=palette, streams=streams)


def _mentions(chunk: Sequence[Article], future: Future) -> Iterator[list[Mention]]:
    """The Mentions of a chunk from its compact form (see :func:`_parse_chunk`)."""
    places, compact = future.result()
    for article, rows in zip(chunk, compact, strict=True):
        text, aid = article.text, article.id
        yield [Mention(aid, s, e, text[s:e], places[p], score, demonym)
               for s, e, p, score, demonym in rows]


def parse_to_partitions(articles: Sequence[Article], out_dir: str | os.PathLike[str], *,
                        scheduler: Any, chunk_articles: int = CHUNK_ARTICLES * 4,
                        ) -> list[Path]:
    """Parse ``articles`` on a Dask cluster: one task and one GeoParquet partition per chunk.

    ``out_dir`` must be visible to the workers and to this process (any local folder with a
    ``LocalCluster``; shared storage with a real cluster). Returns the partitions' paths in
    the order of ``articles``.
    """
    from distributed import Client

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        chunks = [list(articles[i:i + chunk_articles])
                  for i in range(0, len(articles), chunk_articles)]
        # Scattered, the articles travel once to the workers instead of inside the task graph.
        data = client.scatter(chunks)
        paths = [str(out / f"part-{n:05d}.parquet") for n in range(len(chunks))]
        futures = client.map(_write_chunk, data, paths, pure=False)
        return [Path(p) for p in client.gather(futures)]
    finally:
        if client is not scheduler:
            client.close()


def _write_chunk(chunk: list[Article], path: str) -> str:
    """Dask task: parse a chunk and write its mentions as one GeoParquet partition."""
    from mapper.build import partitions

    parser = _parser()
    partitions.write_partition([m for a in chunk for m in parser.parse(a)], path)
    return path


def _parse_chunk(chunk: list[Article]) -> tuple[list[Place], list[_Compact]]:
    """Pool task: the chunk's places, and per article its mentions pointing into them."""
    parser = _parser()
    places: list[Place] = []
    index: dict[str, int] = {}
    compact: list[_Compact] = []
    for article in chunk:
        rows = []
        for m in parser.parse(article):
            p = index.get(m.place.key)
            if p is None:
                p = index[m.place.key] = len(places)
                places.append(m.place)
            rows.append((m.start, m.end, p, m.score, m.demonym))
        compact.append(rows)
    return places, compact


def _parser() -> Geoparser:
    global _WORKER_PARSER
    if _WORKER_PARSER is None:
        _WORKER_PARSER = Geoparser()
    return _WORKER_PARSER


def _init_worker(geodata: str | None) -> None:
    """Pool initializer: a spawned worker loads the gazetteer once; a forked one has it."""
    global _WORKER_PARSER
    if _WORKER_PARSER is None:
        from mapper.parse.gazetteer import default_gazetteer

        _WORKER_PARSER = Geoparser(default_gazetteer(geodata))


def _pool(jobs: int, parser: Geoparser) -> ProcessPoolExecutor:
    """The pool of ``jobs`` workers for ``parser``: the last one if it matches."""
    global _POOL, _WORKER_PARSER
    if _POOL is not None and _POOL[0] == jobs and _POOL[1] is parser:
        return _POOL[2]
    shutdown_pool()
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    # First-call costs (word lists, caches) paid once here are inherited by forked workers.
    parser.mentions("Fighting near Kandahar, Afghanistan, and in Helmand province.")
    # The pool forks its workers when tasks arrive: they find the parser here.
    _WORKER_PARSER = parser if ctx.get_start_method() == "fork" else None
    folder = getattr(parser.gazetteer, "_folder", None)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                               initargs=(str(folder) if folder else None,))
    _POOL = (jobs, parser, pool)
    return pool


def shutdown_pool() -> None:
    """Stop the worker processes kept by :func:`parse_many` (also done at exit)."""
    global _POOL
    if _POOL is not None:
        _POOL[2].shutdown(cancel_futures=True)
        _POOL = None


atexit.register(shutdown_pool)
