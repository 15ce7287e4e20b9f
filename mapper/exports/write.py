"""The GIS exports beside the map, written together for the articles of the index:

``places.geojson`` (:mod:`.places_geojson`), ``mentions.csv`` and ``mentions.geojson``
(:mod:`.mention_files`), ``places.gpkg`` (:mod:`.geopackage`). Each is written to a
temporary file and put in place atomically, or handed to a :class:`~mapper.atomic.Batch`
that puts them in place together.

Same inputs, same text: rows are sorted; the GeoPackage holds the same rows however it was
reached (see :mod:`.geopackage`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd

from mapper.atomic import Batch
from mapper.exports.geopackage import mentions_reader, update_geopackage, write_geopackage
from mapper.exports.mention_files import CSV_HEAD, Layout, Spool, write_mention_files
from mapper.exports.places_geojson import write_places_geojson
from mapper.exports.splice import splice

#: The files :func:`write_exports` writes.
EXPORTS = ("places.geojson", "mentions.csv", "mentions.geojson", "places.gpkg")


def write_exports(out_dir: Path, places: Callable[[], gpd.GeoDataFrame], layout: Layout,
                  spool: Spool, *, previous: Layout | None = None,
                  dropped: Iterable[str] = (), batch: Batch | None = None) -> None:
    """Write every export into ``out_dir`` for the articles of ``layout``.

    Each article's lines come from ``spool`` if it has them, else from the previous files,
    which must then have been written for ``previous`` (see :func:`matches`). ``dropped``:
    the articles of ``previous`` whose rows are gone or replaced (changed, removed): with
    ``previous`` the GeoPackage is updated, without it written anew. ``places()`` gives the
    places frame, asked for only once the mentions are on their way: a build counts the
    places while this runs beside it. With ``batch``, the new files are put in place by
    :meth:`~mapper.atomic.Batch.commit`.
    """
    out_dir = Path(out_dir)
    gpkg = out_dir / "places.gpkg"
    spool.flush()
    if previous is None or not gpkg.exists():
        # The GeoPackage's mentions are read back from the new mentions.csv: put in place
        # once all are written, it is read where it was written.
        mentions = Batch()
        try:
            write_mention_files(out_dir, layout, spool, previous, mentions)
            frame = places()
            write_places_geojson(frame, out_dir / "places.geojson", batch)
            csv = mentions.written(out_dir / "mentions.csv")
            write_geopackage(frame, mentions_reader(csv), gpkg, batch)
        except BaseException:
            mentions.discard()
            raise
        mentions.hand_to(batch)
        return
    # The mention files are spliced in a thread of their own while the GeoPackage is
    # updated and places.geojson written: mostly copies in the kernel and in SQLite, outside
    # the GIL, so the two overlap.
    with ThreadPoolExecutor(1, thread_name_prefix="mapper-mentions") as pool:
        spliced = pool.submit(write_mention_files, out_dir, layout, spool, previous, batch)
        frame = _update_geopackage(out_dir, gpkg, places, layout, spool, set(dropped), batch)
        write_places_geojson(frame, out_dir / "places.geojson", batch)
        spliced.result()


def _update_geopackage(out_dir: Path, gpkg: Path, places: Callable[[], gpd.GeoDataFrame],
                       layout: Layout, spool: Spool, dropped: set[str],
                       batch: Batch | None) -> gpd.GeoDataFrame:
    """:func:`update_geopackage` with the mentions of the articles in ``spool``; returns
    the places frame."""
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".mapper-") as tmp:
        added = Path(tmp) / "added.csv"
        splice(added, CSV_HEAD, [spool.pieces(aid)[0] for aid, _, _ in layout
                                 if aid in spool.at])
        return update_geopackage(gpkg, places, dropped, mentions_reader(added), batch)
