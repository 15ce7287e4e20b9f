"""``places.gpkg``: a GeoPackage for QGIS and GDAL (EPSG:4326): a ``places`` and a ``mentions``
layer of points, and the ``excerpts`` and ``articles`` tables that mentions point at by
``excerpt_id`` and ``article_id``, so each excerpt and each title is kept once. Written
whole after a cold parse; after that updated in place (:mod:`.gpkg_update`: the rows of
changed and removed articles deleted, the new ones appended, in one transaction).

It holds the same rows however it was reached, but its bytes (row ids, free pages) depend
on the builds that led to it; GDAL's timestamps are pinned.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyogrio
import shapely

from mapper.atomic import Batch, file_mode
from mapper.exports.gpkg_update import update_in_place
from mapper.exports.rows import ARTICLE_COLUMNS, EXCERPT_COLUMNS, GPKG_MENTION_COLUMNS

#: GeoPackages record when they were written; a fixed date keeps builds byte-identical.
GPKG_DATE = "2000-01-01T00:00:00Z"

#: The GeoPackage's tables besides ``places``, their columns, and Arrow types other than
#: strings. ``mentions`` is a layer of points (from ``lat`` and ``lon``), the others are
#: attribute tables.
TABLES = {"mentions": GPKG_MENTION_COLUMNS, "excerpts": EXCERPT_COLUMNS,
          "articles": ARTICLE_COLUMNS}
_TYPES = {"start": pa.int64(), "end": pa.int64(), "page": pa.int64(), "demonym": pa.int64(),
          "score": pa.float64(), "lat": pa.float64(), "lon": pa.float64(),
          "excerpt_id": pa.int64()}

#: CSV bytes per Arrow block. Arrow's streaming CSV reader reads up to 32 blocks ahead of
#: its consumer: small blocks keep that read-ahead small while GDAL writes.
_BLOCK = 1 << 20
#: Blocks per batch handed to GDAL (16 MB of CSV). GDAL commits once per batch and the
#: GeoPackage's header counts the commits, so the number of batches is part of the file's
#: bytes: changing it changes every GeoPackage.
_BLOCKS_PER_BATCH = 16


def table_reader(csv_path: Path, table: str) -> pa.RecordBatchReader:
    """The rows of a CSV file of one of :data:`TABLES` as Arrow batches; for ``mentions``
    with a WKB ``geometry`` in place of ``lat`` and ``lon``.

    Arrow's CSV reader is the fast way to a table of hundreds of thousands of rows, and its
    float parser is exact, so the points are the coordinates written. Streamed: a batch at
    a time is in memory (and Arrow's read-ahead, see :data:`_BLOCK`), not the whole file.
    """
    columns = TABLES[table]
    types = {c: _TYPES.get(c, pa.string()) for c in columns}
    reader = pacsv.open_csv(
        str(csv_path),
        read_options=pacsv.ReadOptions(block_size=_BLOCK),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                             quoted_strings_can_be_null=False))
    point = table == "mentions"
    kept = [c for c in columns if not (point and c in ("lat", "lon"))]
    schema = pa.schema([pa.field(c, types[c]) for c in kept]
                       + ([pa.field("geometry", pa.binary())] if point else []))

    def shaped(batch: pa.RecordBatch) -> pa.RecordBatch:
        arrays = [batch.column(c) for c in kept]
        if point:
            # shapely.points takes (x, y): longitude first.
            points = shapely.points(batch.column("lon").to_numpy(zero_copy_only=False),
                                    batch.column("lat").to_numpy(zero_copy_only=False))
            arrays.append(pa.array(shapely.to_wkb(points), pa.binary()))
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    def batches() -> Iterator[pa.RecordBatch]:
        blocks = []
        for block in reader:
            blocks.append(block)
            if len(blocks) == _BLOCKS_PER_BATCH:
                yield shaped(pa.concat_batches(blocks))
                blocks = []
        if blocks:
            yield shaped(pa.concat_batches(blocks))

    return pa.RecordBatchReader.from_batches(schema, batches())


def write_geopackage(places: gpd.GeoDataFrame, tables: dict[str, pa.RecordBatchReader],
                     path: Path, batch: Batch | None = None) -> None:
    """A GeoPackage with the ``places`` layer and the :data:`TABLES` (readers of
    :func:`table_reader`), replaced atomically."""
    with _replacing_gpkg(Path(path), copy=False, batch=batch) as tmp:
        pyogrio.write_dataframe(places, tmp, layer="places", driver="GPKG")
        for name, reader in tables.items():
            _append(tmp, name, reader, append=False)


def update_geopackage(path: Path, places: Callable[[], gpd.GeoDataFrame], dropped: set[str],
                      added: dict[str, pa.RecordBatchReader],
                      batch: Batch | None = None, touched: Collection[str] | None = None,
                      ) -> gpd.GeoDataFrame:
    """Update the GeoPackage at ``path`` in place (:mod:`.gpkg_update`): the rows of the
    ``dropped`` articles deleted, the ``added`` rows (readers of :func:`table_reader`)
    appended and the places layer made that of ``places()`` (asked for last; only the rows
    of the places ``touched`` written again, when given), committed with ``batch``; returns
    that frame."""
    return update_in_place(path, places, dropped, added, batch, GPKG_DATE, touched)


def _append(path: str, table: str, reader: pa.RecordBatchReader, append: bool) -> None:
    """Write (or append) ``table``'s rows into the GeoPackage at ``path``."""
    if table == "mentions":
        pyogrio.write_arrow(reader, path, layer=table, driver="GPKG", append=append,
                            geometry_name="geometry", geometry_type="Point", crs="EPSG:4326")
    else:
        pyogrio.write_arrow(reader, path, layer=table, driver="GPKG", append=append)


class _replacing_gpkg:
    """A temporary GeoPackage beside ``path`` (empty, or a copy of ``path``) that replaces
    it on success (or is left to ``batch`` to), with GDAL's clock pinned to
    :data:`GPKG_DATE`."""

    def __init__(self, path: Path, copy: bool, batch: Batch | None = None) -> None:
        self.path, self.copy, self.batch = path, copy, batch

    def __enter__(self) -> str:
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=".gpkg",
                                        dir=self.path.parent)
        os.close(fd)
        if self.copy:
            shutil.copyfile(self.path, self.tmp)  # copy_file_range/sendfile inside
        else:
            os.unlink(self.tmp)  # GDAL creates the file itself
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
        return self.tmp

    def __exit__(self, exc_type: object, *rest: object) -> None:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
        try:
            if exc_type is None:
                os.chmod(self.tmp, file_mode())
                with open(self.tmp, "rb") as fh:
                    os.fsync(fh.fileno())
                if self.batch is None:
                    os.replace(self.tmp, self.path)
                else:
                    self.batch.add(self.tmp, self.path)
                    return
        except BaseException:
            Path(self.tmp).unlink(missing_ok=True)
            raise
        Path(self.tmp).unlink(missing_ok=True)
