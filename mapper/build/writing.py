"""The write step of a build: the map's saved view refreshed where the build changed it,
the map drawn from it, the exports and ``places.html`` written beside it, and all of them
put in place together once every one is written.

The exports are written in another process or thread (:mod:`.background`) while this one
refreshes the view and draws the map: in a forked child when they are spliced from their
previous versions, in a thread when they are written from scratch (after a cold parse a
child would start with a copy of this process's large heap). Nothing is replaced until
everything is written: exports first, then ``places.html``, then the map.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from mapper import exports, journal
from mapper.atomic import Batch
from mapper.build.background import Job, Receive
from mapper.build.fingerprint import (
    exports_fresh,
    exports_stamp,
    map_on_disk,
    map_stamp,
    shown_stamp,
)
from mapper.build.index import ArticleIndex
from mapper.build.mapview import MapView
from mapper.build.options import BuildOptions
from mapper.build.parsing import Parsed
from mapper.build.places import places_frame_of_rows, with_article_ids
from mapper.build.plan import Plan
from mapper.build.records import make_record
from mapper.build.runtime import Laps
from mapper.exports import Spool
from mapper.exports.rows import streams_for
from mapper.parse.gazetteer import Gazetteer
from mapper.render import stage_page, write_summary
from mapper.render.data import payload_from_fragments

#: What a build sends :func:`_write_beside` once its map is written too.
_COMMIT = "commit"


@dataclass(frozen=True)
class Outputs:
    """Which outputs a build writes, and the map's settings."""

    digest: str
    """The index's contents digest after the parse."""
    cap: int
    """Excerpts per place the map embeds (see :mod:`.mapview`)."""
    partial: bool
    """Whether the map embeds only the passages its excerpts quote."""
    export: bool
    draw: bool


def outputs_to_write(index: ArticleIndex, view: MapView, out: Path, options: BuildOptions,
                     exports_written: tuple[str, ...], changed: bool,
                     touched: set[str] | None = None) -> Outputs:
    """What to write: everything after articles ``changed``; else only the outputs that are
    missing, edited by hand, or made for other settings or code. ``touched``: the only
    places whose excerpts changed since the view was refreshed, if known."""
    digest = index.contents_digest()
    cap, partial = view.settings(options.max_excerpts, touched)
    return Outputs(
        digest, cap, partial,
        export=changed or not exports_fresh(index.meta("exports"), out, digest,
                                            exports_written),
        draw=changed or index.meta("map") != map_stamp(out, digest, options.title, cap))


def write_outputs(index: ArticleIndex, plan: Plan, parsed: Parsed, removed: list[str],
                  spool: Spool, gazetteer: Gazetteer, options: BuildOptions, out: Path,
                  exports_written: tuple[str, ...], lap: Laps,
                  ) -> MapChange:
    """Refresh the map's view and write what :func:`outputs_to_write` says (the exports
    ``exports_written``); returns what the map on disk gained and lost."""
    view = MapView(index)
    in_step = view.refreshed_for() == plan.digest_before  # the view of the index before
    touched = plan.places_touched | parsed.places
    what = outputs_to_write(index, view, out, options, exports_written,
                            bool(parsed.ids or removed), touched if in_step else None)
    if what.export and plan.previous is None:
        # From scratch: the lines of the articles not parsed now are made again from the
        # index (after a killed build, or an export deleted or edited by hand).
        _respool(index, spool, sorted(plan.present - spool.at.keys() - set(removed)),
                 streams_for(exports_written))
    layout = index.layout()
    spool.flush()  # by this process: a forked child would flush a copy of the buffers
    beside = Job(_write_beside, out, index.path, layout, spool,
                 exports_written if what.export else (),
                 previous=plan.previous, summary=what.draw, title=options.title,
                 dropped=[*removed, *(i for i in parsed.ids if i in plan.known)],
                 touched=touched,
                 fork=plan.previous is not None or not what.export,
                 ) if what.export or what.draw else None
    page = Batch(flush_on_commit=True)  # its fsync after theirs, not behind them
    handed: list[tuple[str, Path]] = []
    try:
        shown_before = _map_on_disk(index, out) if what.draw else None
        _refresh(index, view, plan, parsed, removed, what)
        lap("index")
        if beside is not None:
            # Without the article ids of each place (19 MB at 100,000 articles): the map
            # does not show them, and the exports, which do, read them beside it.
            places = places_frame_of_rows(view.place_rows(article_ids=False), gazetteer)
            beside.send(places)
        if what.draw:
            draw_map(view, places, out, title=options.title, cap=what.cap,
                     partial=what.partial, batch=page, lap=lap)
        if beside is not None:
            # All is written: it puts the whole set in place, the exports, then the map.
            handed = page.take()
            # Until the stamps are recorded again, the files on disk are of no known build:
            # one killed while committing must not have its new files taken for damage.
            if what.export:
                index.set_meta("exports", "")
            beside.send((_COMMIT, handed))
            beside.result()
            lap("write")
    except BaseException:
        page.discard()
        if beside is not None:  # told nothing more, it discards what it wrote
            beside.close()
            with contextlib.suppress(Exception):
                beside.result()
        with contextlib.suppress(OSError):  # else the next build does it
            journal.recover(out)  # a commit cut short: finished, or undone, as a whole
        for tmp, _ in handed:
            Path(tmp).unlink(missing_ok=True)
        raise
    page.commit()
    lap("render")
    return _record(index, out, what, options.title, exports_written,
                   places if what.draw else None, shown_before)


def _record(index: ArticleIndex, out: Path, what: Outputs, title: str,
            exports_written: tuple[str, ...], places: gpd.GeoDataFrame | None,
            shown_before: tuple[dict[str, str], int] | None) -> MapChange:
    """Record the stamps of what was written (and what the map drawn, from ``places``,
    shows); returns what the map on disk gained and lost."""
    if what.export:
        index.set_meta("exports", exports_stamp(out, what.digest, exports_written))
    if places is None:
        return MapChange({}, {}, None)
    index.set_meta("map", map_stamp(out, what.digest, title, what.cap))
    shown = dict(zip(places["key"], places["name"], strict=True))
    articles = index.counts()[0]
    index.set_meta("map_shows", json.dumps({"places": shown, "articles": articles}))
    before, n_before = shown_before or ({}, 0)
    return MapChange({k: v for k, v in shown.items() if k not in before},
                     {k: v for k, v in before.items() if k not in shown},
                     (n_before, articles))


def _map_on_disk(index: ArticleIndex, out: Path) -> tuple[dict[str, str], int]:
    """The places (key -> name) and the number of articles of the map in ``out``, as
    recorded when it was drawn; none if the map there is not the one recorded (deleted,
    edited, or put in place by a build killed before it could record it)."""
    shows = index.meta("map_shows")
    if not shows or not map_on_disk(index.meta("map"), out):
        return {}, 0
    recorded = json.loads(shows)
    return recorded["places"], recorded["articles"]


@dataclass(frozen=True)
class MapChange:
    """What the map on disk gained and lost by a build (the map it replaced against the
    one it wrote, whatever the index held before)."""

    came: dict[str, str]
    """Places (key -> name) on the new map and not on the old."""
    left: dict[str, str]
    articles: tuple[int, int] | None
    """Articles on the old map and on the new (None: the map was not written)."""


def draw_map(view: MapView, places: gpd.GeoDataFrame, out: Path, *, title: str, cap: int,
             partial: bool, batch: Batch | None = None, lap: Laps | None = None) -> None:
    """Write ``index.html`` of ``places`` with what ``view`` shows (left to ``batch`` to put
    in place, when given)."""
    lap = lap or Laps(None)
    articles, shown = view.map_fragments()
    omitted = view.omitted()
    lap("index")
    payload = payload_from_fragments(places, articles, shown, title=title, partial=partial,
                                     cap=cap, omitted=omitted)
    del articles, shown  # not held while the page is written
    stage_page(places, payload, out, title=title, batch=batch)
    lap("render")


def _refresh(index: ArticleIndex, view: MapView, plan: Plan, parsed: Parsed,
             removed: list[str], what: Outputs) -> tuple[dict[str, str], dict[str, str]]:
    """The view refreshed for the places this build touched, or for all of them if the
    last refresh was not of the index as it was before the build."""
    stamp = shown_stamp(what.digest, what.cap, what.partial)
    if index.meta("shown") != shown_stamp(plan.digest_before, what.cap, what.partial):
        return view.refresh(None, what.cap, stamp, what.partial)
    if parsed.ids or removed:
        return view.refresh(plan.places_touched | parsed.places, what.cap, stamp,
                            what.partial)
    return {}, {}


def _respool(index: ArticleIndex, spool: Spool, ids: Iterable[str],
             streams: tuple[str, ...]) -> None:
    """The export lines of ``streams`` of the articles ``ids``, made again from the index,
    into ``spool``; the index learns the lengths of their mention files' lines."""
    lengths = {}
    for stored in index.stored(ids):
        rec = make_record(stored.article, stored.mentions, stored.unresolved,
                          pending=stored.pending, streams=streams)
        spool.add(rec.article.id, rec.lines)
        lengths[rec.article.id] = (len(rec.lines.csv), len(rec.lines.geojson))
    index.set_line_lengths(lengths)


def _write_beside(receive: Receive, out: Path, index_path: Path, layout: exports.Layout,
                  spool: Spool,
                  names: tuple[str, ...], *, previous: exports.Layout | None,
                  dropped: list[str], touched: set[str], summary: bool, title: str) -> None:
    """What a build writes while it draws the map (see :mod:`.background`): the exports and
    ``places.html``, put in place when the build, its map written, sends :data:`_COMMIT`
    with the map's files; anything else, or nothing, and they are
    discarded. The word comes with the map's files, which it puts in place last, all in one
    journaled commit (see :mod:`mapper.journal`). The exports ``names`` are written (none:
    only ``places.html``); ``touched``: the places whose rows changed since ``previous``.
    The places frame arrives first, once the build has counted the places (and committed
    them to the index at ``index_path``, where their article ids are read)."""
    places: list[gpd.GeoDataFrame] = []

    def frame() -> gpd.GeoDataFrame:
        if not places:
            counted = receive()
            with ArticleIndex.open_built(index_path) as index:
                places.append(with_article_ids(counted, MapView(index).article_ids()))
        return places[0]

    batch = Batch()
    try:
        if names:
            exports.write_exports(out, frame, layout, spool, names, previous=previous,
                                  dropped=dropped, batch=batch, touched=touched)
        if summary:
            write_summary(frame(), len(layout), out, title=title, batch=batch)
        frame()  # the places come before the word, whatever was written
        word = receive()
        if not (isinstance(word, tuple) and word[0] == _COMMIT):
            raise RuntimeError(f"the build sent {word!r}, not the word to commit")
        for tmp, target in word[1]:  # the map's files, last
            batch.add(tmp, target)
        batch.commit(journal=out)
    except BaseException:
        batch.discard()
        raise
