"""``places.gpkg``: a GeoPackage with a ``places`` and a ``mentions`` layer (EPSG:4326), for
QGIS and GDAL. Written whole after a cold parse; after that updated in a copy (the rows of
changed and removed articles deleted, the new ones appended), which replaces it.

It holds the same rows however it was reached, but its bytes (row ids, free pages) depend
on the builds that led to it; GDAL's timestamps are pinned.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyogrio
import shapely

from mapper.atomic import Batch, file_mode
from mapper.exports.rows import MENTION_COLUMNS

#: GeoPackages record when they were written; a fixed date keeps builds byte-identical.
GPKG_DATE = "2000-01-01T00:00:00Z"

#: Arrow types of the mention columns (strings unless named).
_TYPES = dict.fromkeys(MENTION_COLUMNS, pa.string()) | {
    "start": pa.int64(), "end": pa.int64(), "demonym": pa.int64(), "score": pa.float64(),
    "lat": pa.float64(), "lon": pa.float64()}


#: CSV bytes per Arrow block. Arrow's streaming CSV reader reads up to 32 blocks ahead of
#: its consumer: small blocks keep that read-ahead small while GDAL writes.
_BLOCK = 1 << 20
#: Blocks per batch handed to GDAL (16 MB of CSV). GDAL commits once per batch and the
#: GeoPackage's header counts the commits, so the number of batches is part of the file's
#: bytes: changing it changes every GeoPackage.
_BLOCKS_PER_BATCH = 16


def mentions_reader(csv_path: Path) -> pa.RecordBatchReader:
    """The mentions of a ``mentions.csv`` file as Arrow batches with a WKB ``geometry``.

    Arrow's CSV reader is the fast way to a table of 200,000 mentions (a tenth of the time
    of pandas and shapely objects), and its float parser is exact, so the points are the
    coordinates written. Streamed: a batch at a time is in memory (and Arrow's read-ahead,
    see :data:`_BLOCK`), not the whole file. Arrow makes one batch per block read.
    """
    reader = pacsv.open_csv(
        str(csv_path),
        read_options=pacsv.ReadOptions(block_size=_BLOCK),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=_TYPES, strings_can_be_null=False,
                                             quoted_strings_can_be_null=False))
    columns = [c for c in MENTION_COLUMNS if c not in ("lat", "lon")]
    schema = pa.schema([pa.field(c, _TYPES[c]) for c in columns]
                       + [pa.field("geometry", pa.binary())])

    def located(batch: pa.RecordBatch) -> pa.RecordBatch:
        # shapely.points takes (x, y): longitude first.
        points = shapely.points(batch.column("lon").to_numpy(zero_copy_only=False),
                                batch.column("lat").to_numpy(zero_copy_only=False))
        return pa.RecordBatch.from_arrays(
            [batch.column(c) for c in columns]
            + [pa.array(shapely.to_wkb(points), pa.binary())], schema=schema)

    def batches() -> Iterator[pa.RecordBatch]:
        blocks = []
        for block in reader:
            blocks.append(block)
            if len(blocks) == _BLOCKS_PER_BATCH:
                yield located(pa.concat_batches(blocks))
                blocks = []
        if blocks:
            yield located(pa.concat_batches(blocks))

    return pa.RecordBatchReader.from_batches(schema, batches())


def write_geopackage(places: gpd.GeoDataFrame, mentions: pa.Table | pa.RecordBatchReader,
                     path: Path, batch: Batch | None = None) -> None:
    """A GeoPackage with the ``places`` and ``mentions`` (:func:`mentions_reader`) layers,
    replaced atomically."""
    with _replacing_gpkg(Path(path), copy=False, batch=batch) as tmp:
        pyogrio.write_dataframe(places, tmp, layer="places", driver="GPKG")
        pyogrio.write_arrow(mentions, tmp, layer="mentions", driver="GPKG",
                            geometry_name="geometry", geometry_type="Point", crs="EPSG:4326")


def update_geopackage(path: Path, places: Callable[[], gpd.GeoDataFrame], dropped: set[str],
                      added: pa.Table | pa.RecordBatchReader,
                      batch: Batch | None = None) -> gpd.GeoDataFrame:
    """Replace the GeoPackage at ``path`` atomically by a copy with the mentions of the
    ``dropped`` articles deleted, the ``added`` mentions appended and the places layer
    written anew, from ``places()`` (asked for last); returns that frame."""
    with _replacing_gpkg(Path(path), copy=True, batch=batch) as tmp:
        if dropped:
            # Plain SQLite can delete: the layer's R-tree triggers on delete call no GDAL
            # function (those on insert do, so rows are added through GDAL).
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                conn.execute("BEGIN")
                conn.executemany("DELETE FROM mentions WHERE article_id = ?",
                                 [(aid,) for aid in sorted(dropped)])
                conn.execute("COMMIT")
            finally:
                conn.close()
        pyogrio.write_arrow(added, tmp, layer="mentions", driver="GPKG", append=True,
                            geometry_name="geometry", geometry_type="Point", crs="EPSG:4326")
        frame = places()
        pyogrio.write_dataframe(frame, tmp, layer="places", driver="GPKG")
    return frame


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
