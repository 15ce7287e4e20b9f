"""The GIS exports beside the map, each written atomically (temporary file, then rename):

``places.geojson``
    One Point per place with its counts and article ids (:func:`mapper.store.places_frame`).
``mentions.csv``, ``mentions.geojson``
    One row / Point per mention: article id, title, date, offsets, surface, place, excerpt.
``places.gpkg``
    A GeoPackage with a ``places`` and a ``mentions`` layer (EPSG:4326), for QGIS.

The mention files are the articles' lines (:func:`mention_chunks`, made where the article is
parsed) in article id order. A build writes the lines of the articles it parsed into a
:class:`Spool`; the new files are then spliced (:mod:`mapper.splice`) from the spool and
from the previous files, so adding one article to 10,000 copies 300 MB inside the kernel
instead of formatting it again. The GeoPackage is a database: the previous one is copied,
the rows of changed and removed articles are deleted and the new ones appended.

Same inputs, same text: rows are sorted, and GDAL's timestamps are pinned. The GeoPackage
holds the same rows however it was reached, but its bytes (row ids, free pages) depend on
the builds that led to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyogrio
import shapely

from mapper.atomic import Batch, file_mode
from mapper.models import Article, Excerpt, Mention
from mapper.splice import Piece, splice
from mapper.store import MENTION_COLUMNS, csv_text, mention_rows, write_places_geojson

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: The files :func:`write_exports` writes.
EXPORTS = ("places.geojson", "mentions.csv", "mentions.geojson", "places.gpkg")

#: GeoPackages record when they were written; a fixed date keeps builds byte-identical.
GPKG_DATE = "2000-01-01T00:00:00Z"

CSV_HEAD = csv_text([], header=True).encode()
GEOJSON_HEAD = b'{"type":"FeatureCollection","features":[\n'
#: Between two articles' features in ``mentions.geojson`` (and between features).
GEOJSON_SEP = b",\n"

#: Per article in id order: (article id, bytes of its CSV lines, bytes of its features).
Layout = Sequence[tuple[str, int, int]]


def mention_chunks(article: Article, mentions: Sequence[Mention],
                   excerpts: Sequence[Excerpt]) -> tuple[bytes, bytes]:
    """The article's lines of ``mentions.csv`` and its features of ``mentions.geojson``
    (joined by :data:`GEOJSON_SEP`), UTF-8."""
    rows = mention_rows(mentions, excerpts, [article])
    return csv_text(rows).encode(), feature_lines(rows).encode()


def write_mention_files(out_dir: Path, layout: Layout, spool: Spool,
                        previous: Layout | None = None, batch: Batch | None = None) -> None:
    """``mentions.csv`` and ``mentions.geojson`` for ``layout``: each article's lines from
    ``spool`` if it has them, else from the files in ``out_dir`` written for ``previous``."""
    spool.flush()
    old = offsets(previous) if previous is not None else {}
    with contextlib.ExitStack() as opened:
        old_csv, old_geojson = (
            opened.enter_context(open(out_dir / name, "rb")).fileno() if previous is not None
            else -1 for name in ("mentions.csv", "mentions.geojson"))
        csv_pieces, geojson_pieces = [], []
        for aid, _, _ in layout:
            if aid in spool.at:
                c, g = spool.pieces(aid)
            else:
                o = old[aid]  # KeyError: the caller's bug, not the user's
                c, g = Piece(old_csv, o[0], o[1]), Piece(old_geojson, o[2], o[3])
            csv_pieces.append(c)
            geojson_pieces.append(g)
        splice(out_dir / "mentions.csv", CSV_HEAD, csv_pieces, batch=batch)
        splice(out_dir / "mentions.geojson", GEOJSON_HEAD, geojson_pieces,
               _geojson_tail(any(p.length for p in geojson_pieces)), GEOJSON_SEP, batch)


class Spool:
    """The export lines of the articles a build formatted, in two unnamed temporary files
    in the output folder (so the kernel can copy from them into the exports)."""

    def __init__(self, folder: Path) -> None:
        # Owned by the spool and closed by close(), not by a with block here.
        self._csv = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self._geojson = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self.at: dict[str, tuple[int, int, int, int]] = {}
        """Article id -> (CSV offset, length, GeoJSON offset, length)."""

    def add(self, article_id: str, csv: bytes, geojson: bytes) -> None:
        self.at[article_id] = (self._csv.tell(), len(csv), self._geojson.tell(), len(geojson))
        self._csv.write(csv)
        self._geojson.write(geojson)

    def pieces(self, article_id: str) -> tuple[Piece, Piece]:
        c, clen, g, glen = self.at[article_id]
        return Piece(self._csv.fileno(), c, clen), Piece(self._geojson.fileno(), g, glen)

    def flush(self) -> None:
        self._csv.flush()
        self._geojson.flush()

    def close(self) -> None:
        self._csv.close()
        self._geojson.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def offsets(layout: Layout) -> dict[str, tuple[int, int, int, int]]:
    """Where each article's lines sit in the mention files written for ``layout``:
    article id -> (CSV offset, length, GeoJSON offset, length); and ``""`` -> the two
    files' sizes."""
    at: dict[str, tuple[int, int, int, int]] = {}
    c, g, features = len(CSV_HEAD), len(GEOJSON_HEAD), False
    for aid, clen, glen in layout:
        if glen and features:
            g += len(GEOJSON_SEP)
        at[aid] = (c, clen, g, glen)
        c += clen
        g += glen
        features = features or bool(glen)
    at[""] = (c, 0, g + len(_geojson_tail(features)), 0)
    return at


def _geojson_tail(features: bool) -> bytes:
    return b"\n]}\n" if features else b"]}\n"


def matches(out_dir: Path, layout: Layout) -> bool:
    """Whether the mention files in ``out_dir`` have the sizes ``layout`` gives them."""
    csv_size, _, geojson_size, _ = offsets(layout)[""]
    try:
        return ((out_dir / "mentions.csv").stat().st_size == csv_size
                and (out_dir / "mentions.geojson").stat().st_size == geojson_size)
    except FileNotFoundError:
        return False


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
    # the GIL (a warm build at 10,000 articles: 0.46 s against 0.33 + 0.15 s).
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


def stamp(out_dir: Path, digest: str) -> str:
    """What the exports in ``out_dir`` were made of (``digest``) and their sizes and
    modification times: when a build computes the same stamp, the files on disk are the
    ones it would write, and rewriting 300 MB (10,000 articles) can be skipped."""
    files = []
    for name in EXPORTS:
        try:
            st = (Path(out_dir) / name).stat()
        except FileNotFoundError:
            return ""
        files.append([name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino])
    return json.dumps({"digest": digest, "files": files}, separators=(",", ":"))


def feature_lines(rows: Sequence[Sequence]) -> str:
    """Mention rows (:func:`mapper.store.mention_rows`) as GeoJSON Point features, one per
    line, joined by ``,\n`` (no trailing separator)."""
    lat_at, lon_at = MENTION_COLUMNS.index("lat"), MENTION_COLUMNS.index("lon")
    names = [(i, c) for i, c in enumerate(MENTION_COLUMNS) if i not in (lat_at, lon_at)]
    return ",\n".join(_ENCODE({
        "type": "Feature",
        "properties": {c: row[i] for i, c in names},
        # GeoJSON positions are [longitude, latitude].
        "geometry": {"type": "Point", "coordinates": [row[lon_at], row[lat_at]]},
    }) for row in rows)


#: Arrow types of the mention columns (strings unless named).
_TYPES = dict.fromkeys(MENTION_COLUMNS, pa.string()) | {
    "start": pa.int64(), "end": pa.int64(), "demonym": pa.int64(), "score": pa.float64(),
    "lat": pa.float64(), "lon": pa.float64()}


#: CSV bytes per Arrow block. Arrow's streaming CSV reader reads up to 32 blocks ahead of
#: its consumer: with 16 MB blocks it held 512 MB (at 100,000 articles; all of mentions.csv
#: at 10,000) while GDAL wrote the first batches, with 1 MB blocks at most 32 MB.
_BLOCK = 1 << 20
#: Blocks per batch handed to GDAL: 16 MB of CSV, as when each block was a batch. GDAL
#: commits once per batch and the GeoPackage's header counts the commits, so the number of
#: batches is part of the file's bytes.
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
