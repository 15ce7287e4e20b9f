"""The whole job: a folder of articles -> mentions -> places -> the map and its exports.

A build is incremental and goes in four steps, each a module:

1. :mod:`.plan`: the folder's files against what the article index (:mod:`.index`) knows:
   what is new, changed, gone;
2. :mod:`.parsing`: the new and changed articles read, parsed and recorded into the index;
3. :mod:`.mapview`: the map's saved view refreshed for the places the build touched;
4. :mod:`.writing`: the map drawn from it, the exports spliced beside it, all put in place
   together.

The same articles give the same map and text exports, byte for byte, however they arrived;
a build that changed nothing writes nothing.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import warnings
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mapper import hooks, journal
from mapper.atomic import remove_stale
from mapper.build.background import forked
from mapper.build.fingerprint import exports_damage, fingerprint
from mapper.build.index import INDEX_NAME, ArticleIndex, discard_index
from mapper.build.lock import holding
from mapper.build.mapview import MapView
from mapper.build.options import BuildOptions
from mapper.build.outdir import prepare, write_errors
from mapper.build.parsing import parse_changes, warn
from mapper.build.plan import plan
from mapper.build.runtime import Laps, fewer_collections
from mapper.build.writing import write_outputs
from mapper.errors import IndexCorruptError, MapperWarning, NoArticlesError
from mapper.exports import MENTION_FILES, Spool, exports_to_write
from mapper.exports.rows import streams_for
from mapper.parse.gazetteer import Gazetteer, default_gazetteer
from mapper.parse.geoparse import WARM_UP_TEXT, Geoparser
from mapper.paths import geodata_dir
from mapper.read.corpus import Problem, ignored_summary
from mapper.read.scan import Walked, walk
from mapper.render import MAP_FILES, preload


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
    """Names of places on the map now that were not on the map it replaced (sorted)."""
    places_removed: tuple[str, ...] = field(default=())
    map_articles: tuple[int, int] | None = None
    """Articles on the map this build replaced and on the one it wrote (None: the map was
    not written, nothing changed)."""
    unresolved: int = 0
    """Unknown-name candidates no online geocoder resolved (none asked: all of them)."""
    warnings: tuple[str, ...] = field(default=())
    """Why the index was rebuilt, online lookups that failed (also issued as warnings)."""
    ignored: tuple[tuple[str, int], ...] = field(default=())
    """Files of types mapper does not read, counted by ending: ((".docx", 3), ...)."""

    @property
    def parsed(self) -> int:
        """How many articles this build parsed."""
        return len(self.new) + len(self.changed)


def build(articles_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str],
          options: BuildOptions | None = None, /, **settings: object) -> BuildResult:
    """Geoparse the new and changed articles of ``articles_dir`` and write ``index.html``,
    ``places.html``, ``places.geojson``, ``mentions.csv``, ``mentions.geojson`` and
    ``places.gpkg`` into ``out_dir``, beside the article index.

    ``options`` (or the fields of :class:`BuildOptions` given as keywords) say how.
    Unreadable articles are skipped and listed in ``BuildResult.problems``. The index is
    committed in batches and the outputs are replaced atomically, together, so a failed or
    killed build leaves the previous map as it was and a usable index.
    """
    options = dataclasses.replace(options or BuildOptions(), **settings)
    articles_dir, out = Path(articles_dir), Path(out_dir)
    new_out = not out.exists()
    prepare(articles_dir, out)
    with (write_errors(out), fewer_collections(),
          holding(out, wait=options.wait, waiting=options.waiting)):
        try:
            return _build(articles_dir, out, options, new_out)
        except IndexCorruptError as exc:
            # Found damaged while in use: the index only holds derived data, start again.
            message = f"article index rebuilt from scratch: {exc}"
            discard_index(out / INDEX_NAME)
            result = _build(articles_dir, out, options)
        warnings.warn(message, MapperWarning, stacklevel=2)
        return dataclasses.replace(result, warnings=(message, *result.warnings))


def _build(articles_dir: Path, out: Path, options: BuildOptions, new_out: bool = False,
           ) -> BuildResult:
    """The build, ``out`` held; ``new_out``: the build made the folder (and removes it if
    there is nothing to map)."""
    lap = Laps(options.timings)
    # This build holds the folder: what a killed one left is finished or undone, and its
    # temporary files go.
    recovered = journal.recover(out)
    remove_stale(out, older_than=0)
    # A large folder is walked in another process (stat calls, 100,000 of them at times),
    # and the gazetteer, the parser's word lists and the basemap's polygons load in threads
    # (much of it in C: Parquet, GEOS), while the index is opened. Forked first: a child
    # must not start with a lock that a thread of its parent held.
    walked = None
    if _index_bytes(out) > WALK_APART_INDEX_BYTES:
        walked = forked(walk, articles_dir, exclude=(out,),
                        follow_links=options.follow_links).result
    loader = ThreadPoolExecutor(2, thread_name_prefix="mapper-load")
    loading = [loader.submit(_ready_parser, options.gazetteer), loader.submit(preload)]
    try:
        return _steps(articles_dir, out, options, loader, loading, lap, recovered, walked)
    except NoArticlesError:
        if new_out:  # nothing to show: no folder left holding only an empty index
            shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        loader.shutdown(wait=True)  # a build that failed early: not a load running on


#: An article index larger than this (about 25,000 articles) is of a folder walked in a
#: process of its own while the index opens: 0.3 s saved at 100,000 articles, where at
#: 10,000 the fork and the walk's trip back cost what the walk takes (0.05 s).
WALK_APART_INDEX_BYTES = 200 * 2**20


def _index_bytes(out: Path) -> int:
    """The size of the article index in ``out`` (0: none yet)."""
    try:
        return (out / INDEX_NAME).stat().st_size
    except OSError:
        return 0


def _steps(articles_dir: Path, out: Path, options: BuildOptions, loader: ThreadPoolExecutor,
           loading: list[futures.Future], lap: Laps, recovered: str | None,
           walked: Callable[[], Walked] | None) -> BuildResult:
    """:func:`_build` once the gazetteer and the basemap are ``loading`` (and the folder is
    being walked elsewhere, when ``walked()`` waits for it); ``recovered``: what was done to
    the commit of a killed build (see :mod:`mapper.journal`)."""
    notes: list[str] = []
    if recovered:
        warn(notes, recovered)
    online = options.online.identity if options.online else ""
    index, reason = ArticleIndex.open(out / INDEX_NAME,
                                      fingerprint(options.gazetteer or geodata_dir(), online))
    written = exports_to_write(out, options.exports)
    for name, how in exports_damage(index.meta("exports"), out, written).items():
        warn(notes, f"{out / name} {how}; written again from the article index")
    if reason:
        warn(notes, f"article index {index.path} rebuilt from scratch: {reason}")
        kept = [n for n in written if n in MENTION_FILES and n not in options.exports]
        if kept:  # a folder of an older mapper, which wrote them by default
            warn(notes, f"{' and '.join(kept)} in {out} are kept up to date because they are "
                        "there; they are no longer written by default (delete them to stop, "
                        "or ask for them with --export)")
    with index, Spool(out) as spool:
        todo = plan(index, articles_dir, out, options.max_bytes, written,
                    options.follow_links, walked)
        hooks.reached("planned")
        if not todo.present:  # before anything changes: the map on disk stays as it was
            raise _nothing_to_map(articles_dir, todo.problems, todo.ignored)
        index.set_stats(todo.stats)
        index.remove(todo.gone)
        lap("read")
        # Both loads end before anything forks (the parse pool, the exports): a child must
        # not start with a lock that a thread of its parent held.
        futures.wait(loading)
        loader.shutdown(wait=True)  # its threads gone too
        parser = loading[0].result()  # a failed preload: the map says why, when drawn
        lap("gazetteer")
        parsed = parse_changes(index, todo.to_parse, articles_dir, parser, options, spool,
                               streams_for(written), notes, lap)
        index.ensure_indexes()
        done = set(parsed.ids)
        removed = [i for i in todo.touched if i in todo.known and i not in done]
        index.remove(removed)
        if not index.counts()[0]:
            raise _nothing_to_map(articles_dir, todo.problems + parsed.problems, todo.ignored)
        change = write_outputs(index, todo, parsed, removed, spool, parser.gazetteer,
                                   options, out, written, lap)
        n_articles, mentions, unresolved = index.counts()
        n_places = MapView(index).place_count()
    return BuildResult(
        articles=n_articles, places=n_places, mentions=mentions,
        out_dir=out, map_path=out / MAP_FILES[0],
        problems=tuple(todo.problems + parsed.problems),
        new=tuple(i for i in parsed.ids if i not in todo.known),
        changed=tuple(i for i in parsed.ids if i in todo.known),
        removed=tuple(removed), unchanged=todo.unchanged,
        places_added=tuple(sorted(change.came.values())),
        places_removed=tuple(sorted(change.left.values())),
        map_articles=change.articles,
        unresolved=unresolved, warnings=tuple(notes), ignored=tuple(sorted(todo.ignored.items())),
    )


def _nothing_to_map(folder: Path, problems: list[Problem], ignored: dict[str, int],
                    ) -> NoArticlesError:
    """The error of a build that found nothing readable in ``folder``."""
    found = [f"{len(problems):,} unreadable"] if problems else []
    found += [ignored_summary(ignored)] if ignored else []
    return NoArticlesError(f"{folder}: nothing to map: no readable article"
                           + (f" ({'; '.join(found)})" if found else " (the folder is empty)"),
                           tuple(problems), ignored)


def _ready_parser(gazetteer: Gazetteer | None) -> Geoparser:
    """A parser of ``gazetteer`` (default: the embedded one) that has read its word lists."""
    parser = Geoparser(gazetteer or default_gazetteer())
    parser.mentions(WARM_UP_TEXT)
    return parser
