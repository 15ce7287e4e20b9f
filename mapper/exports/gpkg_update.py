"""Update a GeoPackage in place, in one SQLite transaction left open until the build puts its
outputs in place (:meth:`mapper.atomic.Batch.commit`): only the pages that change are
written, not a copy of the whole file. Killed before the commit, SQLite rolls the file back
the next time anyone opens it (its journal stays beside it until then).

Rows are written with plain SQLite. GeoPackage geometries are a small header and WKB
(points, EPSG:4326, as GDAL writes them), and the functions the layers' R-tree triggers call
(``ST_IsEmpty``, ``ST_MinX``...) are given to the connection here, for points.
"""

from __future__ import annotations

import math
import sqlite3
import struct
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import pyarrow as pa

from mapper.atomic import Batch
from mapper.models import PLACE_COLUMNS

#: A GeoPackage point: magic, version 0, flags (little-endian header, no envelope), srs
#: 4326; then WKB (little-endian, type 1, x, y).
_POINT = struct.Struct("<2sBBi" + "BIdd")
_EMPTY = struct.Struct("<2sBBi")


def point_blob(lon: float, lat: float) -> bytes:
    """The GeoPackage geometry of ``Point(lon, lat)`` in EPSG:4326, as GDAL writes it."""
    return _POINT.pack(b"GP", 0, 1, 4326, 1, 1, lon, lat)


def _xy(blob: bytes | None) -> tuple[float, float] | None:
    """The coordinates of a GeoPackage point written by GDAL or :func:`point_blob`."""
    if not blob or len(blob) < _POINT.size:
        return None
    *_, x, y = _POINT.unpack_from(blob)
    return None if math.isnan(x) else (x, y)


def _functions(conn: sqlite3.Connection) -> None:
    """The spatial functions the GeoPackage's R-tree triggers call, for points."""
    def coordinate(i: int) -> Callable[[bytes | None], float | None]:
        return lambda blob: None if (xy := _xy(blob)) is None else xy[i]

    conn.create_function("ST_IsEmpty", 1, lambda blob: int(_xy(blob) is None),
                         deterministic=True)
    for name, i in (("ST_MinX", 0), ("ST_MaxX", 0), ("ST_MinY", 1), ("ST_MaxY", 1)):
        conn.create_function(name, 1, coordinate(i), deterministic=True)


def update_in_place(path: Path, places: Callable[[], gpd.GeoDataFrame], dropped: set[str],
                    added: dict[str, pa.RecordBatchReader], batch: Batch | None,
                    date: str, touched: Collection[str] | None = None) -> gpd.GeoDataFrame:
    """Delete the rows of the ``dropped`` articles from the GeoPackage at ``path``, append
    the ``added`` rows (readers of :func:`~.geopackage.table_reader`, by table), make the
    places layer that of ``places()`` (asked for last): the rows of the places ``touched``
    replaced when only those changed, else all of them; and commit with ``batch`` (now,
    without one); returns the places frame. ``date``: the layers' last change."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        _functions(conn)
        # A rollback journal, deleted when the transaction commits: how a commit journal
        # tells whether it did (see mapper.journal).
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("BEGIN IMMEDIATE")
        for table in added:
            conn.executemany(f"DELETE FROM {table} WHERE article_id = ?",
                             [(aid,) for aid in sorted(dropped)])
        box = None
        for table, reader in added.items():
            box = _union(box, _append(conn, table, reader))
        frame = places()
        _replace_places(conn, frame, touched)
        _set_extent(conn, "places", date)
        # Rows only added: the layer's extent grows by theirs (the whole R-tree of millions
        # of mentions is read only after a deletion, which may shrink it).
        _set_extent(conn, "mentions", date, None if dropped else box)
    except BaseException:
        conn.rollback()
        conn.close()
        raise
    if batch is None:
        _commit(conn)
    else:
        batch.add_pending(lambda: _commit(conn), lambda: _rollback(conn), path)
    return frame


def _replace_places(conn: sqlite3.Connection, frame: gpd.GeoDataFrame,
                    touched: Collection[str] | None) -> None:
    """The places layer made that of ``frame``: the rows of the keys ``touched`` (None:
    all) deleted and written again from it."""
    if touched is None:
        conn.execute("DELETE FROM places")
        _insert(conn, "places", [*PLACE_COLUMNS, "geom"], _place_rows(frame))
        return
    keys = sorted(touched)
    for lo in range(0, len(keys), 500):
        chunk = keys[lo:lo + 500]
        conn.execute(f"DELETE FROM places WHERE key IN ({','.join('?' * len(chunk))})", chunk)
    _insert(conn, "places", [*PLACE_COLUMNS, "geom"],
            _place_rows(frame[frame["key"].isin(touched)]))


#: A layer's bounding box: min x, min y, max x, max y.
Box = tuple[float, float, float, float]


def _set_extent(conn: sqlite3.Connection, layer: str, date: str,
                grown_by: Box | None = None) -> None:
    """Record the ``layer``'s extent and last change in ``gpkg_contents``: read from its
    R-tree, or the recorded one grown by the box ``grown_by`` of the rows just added."""
    if grown_by is None:
        box = conn.execute(f"SELECT min(minx), min(miny), max(maxx), max(maxy) "
                           f"FROM rtree_{layer}_geom").fetchone()
    else:
        was = conn.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents "
                           "WHERE table_name = ?", (layer,)).fetchone()
        box = _union(None if was is None or None in was else tuple(was), grown_by)
    conn.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, "
                 "last_change = ? WHERE table_name = ?", (*box, date, layer))


def _union(a: Box | None, b: Box | None) -> Box | None:
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _append(conn: sqlite3.Connection, table: str, reader: pa.RecordBatchReader,
            ) -> Box | None:
    """Insert the rows of ``reader``; a ``geometry`` column (WKB) becomes ``geom``. Returns
    the box of their points, if they have any."""
    box = None
    for part in reader:
        names = part.schema.names
        columns = part.to_pydict()
        if "geometry" in columns:  # mentions: the points made from lat and lon
            points = [struct.unpack_from("<BIdd", w)[2:] for w in columns["geometry"]]
            columns["geometry"] = [point_blob(x, y) for x, y in points]
            xs, ys = [x for x, y in points if x == x], [y for x, y in points if x == x]
            if xs:
                box = _union(box, (min(xs), min(ys), max(xs), max(ys)))
        _insert(conn, table, ["geom" if n == "geometry" else n for n in names],
                zip(*(columns[n] for n in names), strict=True))
    return box


def _place_rows(frame: gpd.GeoDataFrame) -> Iterable[Sequence]:
    xs, ys = frame.geometry.x.tolist(), frame.geometry.y.tolist()
    columns = [frame[c].tolist() for c in PLACE_COLUMNS]
    for *values, x, y in zip(*columns, xs, ys, strict=True):
        yield (*values, point_blob(x, y))


def _insert(conn: sqlite3.Connection, table: str, names: Sequence[str],
            rows: Iterable[Sequence]) -> None:
    quoted = ", ".join(f'"{n}"' for n in names)
    conn.executemany(f"INSERT INTO {table} ({quoted}) VALUES "
                     f"({', '.join('?' * len(names))})", rows)


def _commit(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("COMMIT")
    finally:
        conn.close()


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        conn.rollback()
    finally:
        conn.close()
