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
from collections.abc import Callable, Iterable, Sequence
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
                    date: str) -> gpd.GeoDataFrame:
    """Delete the rows of the ``dropped`` articles from the GeoPackage at ``path``, append
    the ``added`` rows (readers of :func:`~.geopackage.table_reader`, by table), write the
    places layer anew from ``places()`` (asked for last), and commit with ``batch`` (now,
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
        for table, reader in added.items():
            _append(conn, table, reader)
        frame = places()
        conn.execute("DELETE FROM places")
        _insert(conn, "places", [*PLACE_COLUMNS, "geom"], _place_rows(frame))
        for layer in ("places", "mentions"):
            conn.execute(f"UPDATE gpkg_contents SET min_x = r.a, min_y = r.b, max_x = r.c, "
                         f"max_y = r.d, last_change = ? FROM (SELECT min(minx) AS a, "
                         f"min(miny) AS b, max(maxx) AS c, max(maxy) AS d "
                         f"FROM rtree_{layer}_geom) AS r WHERE table_name = ?", (date, layer))
    except BaseException:
        conn.rollback()
        conn.close()
        raise
    if batch is None:
        _commit(conn)
    else:
        batch.add_pending(lambda: _commit(conn), lambda: _rollback(conn), path)
    return frame


def _append(conn: sqlite3.Connection, table: str, reader: pa.RecordBatchReader) -> None:
    """Insert the rows of ``reader``; a ``geometry`` column (WKB) becomes ``geom``."""
    for part in reader:
        names = part.schema.names
        columns = part.to_pydict()
        if "geometry" in columns:  # mentions: the points made from lat and lon
            columns["geometry"] = [_blob_of_wkb(w) for w in columns["geometry"]]
        _insert(conn, table, ["geom" if n == "geometry" else n for n in names],
                zip(*(columns[n] for n in names), strict=True))


def _blob_of_wkb(wkb: bytes) -> bytes:
    """The GeoPackage geometry of a WKB point (little-endian, as shapely writes it)."""
    _, _, x, y = struct.unpack_from("<BIdd", wkb)
    return point_blob(x, y)


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
