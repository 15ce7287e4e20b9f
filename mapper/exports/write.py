"""The GIS exports beside the map, written together for the articles of the index:

``places.geojson`` (:mod:`.places_geojson`) and ``places.gpkg`` (:mod:`.geopackage`) by
default, ``mentions.csv`` and ``mentions.geojson`` (:mod:`.mention_files`) when asked for.
Each is written to a temporary file and put in place atomically, or handed to a
:class:`~mapper.atomic.Batch` that puts them in place together.

Same inputs, same text: rows are sorted; the GeoPackage holds the same rows however it was
reached (see :mod:`.geopackage`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pyarrow as pa

from mapper.atomic import Batch
from mapper.exports.geopackage import TABLES, table_reader, update_geopackage, write_geopackage
from mapper.exports.mention_files import MENTION_FILES, Layout, write_mention_files
from mapper.exports.places_geojson import write_places_geojson
from mapper.exports.rows import csv_head
from mapper.exports.splice import splice
from mapper.exports.spool import Spool

#: Every export, in the order a build puts them in place.
EXPORTS = ("places.geojson", "mentions.csv", "mentions.geojson", "places.gpkg")
#: What a build writes unless asked for more: what most users open.
DEFAULT_EXPORTS = ("places.geojson", "places.gpkg")
#: The names ``--export`` and ``mapper export`` take, and their files.
FORMATS = {"csv": "mentions.csv", "geojson": "mentions.geojson", "gpkg": "places.gpkg",
           "places": "places.geojson"}


def exports_to_write(out_dir: Path, asked: Iterable[str] = ()) -> tuple[str, ...]:
    """The exports a build into ``out_dir`` writes: the default ones, the files ``asked``
    for, and the mention files already there (kept up to date, never left stale: delete
    one to stop it being written)."""
    present = {n for n in MENTION_FILES if (Path(out_dir) / n).is_file()}
    wanted = set(DEFAULT_EXPORTS) | set(asked) | present
    return tuple(n for n in EXPORTS if n in wanted)


def write_exports(out_dir: Path, places: Callable[[], gpd.GeoDataFrame], layout: Layout,
                  spool: Spool, names: Iterable[str], *, previous: Layout | None = None,
                  dropped: Iterable[str] = (), batch: Batch | None = None,
                  touched: Collection[str] | None = None) -> None:
    """Write the exports ``names`` (of :data:`EXPORTS`) into ``out_dir`` for the articles
    of ``layout``.

    Each article's lines come from ``spool`` if it has them, else from the previous files,
    which must then have been written for ``previous`` (see :func:`matches`). ``dropped``:
    the articles of ``previous`` whose rows are gone or replaced (changed, removed): with
    ``previous`` the GeoPackage is updated, without it written anew. ``places()`` gives the
    places frame, asked for only once the mentions are on their way: a build counts the
    places while this runs beside it. With ``batch``, the new files are put in place by
    :meth:`~mapper.atomic.Batch.commit`. ``touched``: the places whose rows changed since
    ``previous``, when known (the others' rows in the GeoPackage stay as they are).
    """
    out_dir = Path(out_dir)
    names = [n for n in EXPORTS if n in set(names)]
    mention_names = [n for n in names if n in MENTION_FILES]
    gpkg = out_dir / "places.gpkg" if "places.gpkg" in names else None
    spool.flush()
    if previous is None or (gpkg is not None and not gpkg.exists()):
        write_mention_files(out_dir, layout, spool, mention_names, None, batch)
        frame = places()
        if "places.geojson" in names:
            write_places_geojson(frame, out_dir / "places.geojson", batch)
        if gpkg is not None:
            with _tables(out_dir, spool, [aid for aid, _, _ in layout]) as tables:
                write_geopackage(frame, tables, gpkg, batch)
        return
    # The mention files are spliced in a thread of their own while the GeoPackage is
    # updated and places.geojson written: mostly copies in the kernel and in SQLite, outside
    # the GIL, so the two overlap.
    with ThreadPoolExecutor(1, thread_name_prefix="mapper-mentions") as pool:
        spliced = pool.submit(write_mention_files, out_dir, layout, spool, mention_names,
                              previous, batch)
        if gpkg is not None:
            added = [aid for aid, _, _ in layout if aid in spool.at]
            with _tables(out_dir, spool, added) as tables:
                frame = update_geopackage(gpkg, places, set(dropped), tables, batch,
                                          touched)
        else:
            frame = places()
        if "places.geojson" in names:
            write_places_geojson(frame, out_dir / "places.geojson", batch)
        spliced.result()


@contextmanager
def _tables(out_dir: Path, spool: Spool, ids: Sequence[str],
            ) -> Iterator[dict[str, pa.RecordBatchReader]]:
    """Readers of the GeoPackage's tables' rows of the articles ``ids``, from ``spool``."""
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".mapper-") as tmp:
        readers = {}
        for table, columns in TABLES.items():
            path = Path(tmp) / f"{table}.csv"
            splice(path, csv_head(columns), [spool.piece(aid, table) for aid in ids])
            readers[table] = table_reader(path, table)
        yield readers
