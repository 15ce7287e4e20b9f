"""The GIS exports beside the map, each written atomically (temporary file, then rename):

``places.geojson``
    One Point per place with its counts and article ids (:func:`mapper.store.places_frame`).
``mentions.csv``, ``mentions.geojson``
    One row / Point per mention: article id, title, date, offsets, surface, place, excerpt.
``places.gpkg``
    A GeoPackage with a ``places`` and a ``mentions`` layer (EPSG:4326), for QGIS.

Same inputs, same bytes: rows are sorted, and GDAL's timestamps are pinned.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyogrio
import shapely

from mapper.atomic import replacing
from mapper.store import MENTION_COLUMNS, csv_text, write_places_geojson

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: The files :func:`write_exports` writes.
EXPORTS = ("places.geojson", "mentions.csv", "mentions.geojson", "places.gpkg")

#: GeoPackages record when they were written; a fixed date keeps builds byte-identical.
GPKG_DATE = "2000-01-01T00:00:00Z"


def write_exports(places: gpd.GeoDataFrame, csv_chunks: Iterable[str],
                  features: Iterable[str], out_dir: Path) -> None:
    """Write every export into ``out_dir``.

    ``csv_chunks`` are the lines of ``mentions.csv`` without its header, in chunks (see
    :func:`mapper.store.csv_text`), and ``features`` the mentions' GeoJSON feature lines in
    chunks (see :func:`feature_lines`): the article index keeps both per article, so a
    rebuild streams them from the index to disk instead of holding 300 MB of text (10,000
    articles) in memory; the GeoPackage's mentions are then read back from the CSV in
    batches.
    """
    out_dir = Path(out_dir)
    write_places_geojson(places, out_dir / "places.geojson")
    write_mentions_csv_chunks(csv_chunks, out_dir / "mentions.csv")
    write_mentions_geojson(features, out_dir / "mentions.geojson")
    write_geopackage(places, mentions_reader(out_dir / "mentions.csv"), out_dir / "places.gpkg")


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
        files.append([name, st.st_size, st.st_mtime_ns])
    return json.dumps({"digest": digest, "files": files}, separators=(",", ":"))


def write_mentions_csv_chunks(chunks: Iterable[str], path: Path) -> None:
    """``mentions.csv``: the header, then ``chunks`` of rows as they come."""
    with replacing(path) as fh:
        fh.write(csv_text([], header=True))
        for chunk in chunks:
            fh.write(chunk)


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


def write_mentions_geojson(features: Iterable[str], path: Path) -> None:
    """``mentions.geojson``: a FeatureCollection of one Point per mention (EPSG:4326, the
    GeoJSON default), one feature per line so that two maps diff well."""
    with replacing(path) as fh:
        fh.write('{"type":"FeatureCollection","features":[\n')
        first = True
        for chunk in features:
            if chunk:
                fh.write(chunk if first else ",\n" + chunk)
                first = False
        fh.write(("" if first else "\n") + "]}\n")


#: Arrow types of the mention columns (strings unless named).
_TYPES = dict.fromkeys(MENTION_COLUMNS, pa.string()) | {
    "start": pa.int64(), "end": pa.int64(), "demonym": pa.int64(), "score": pa.float64(),
    "lat": pa.float64(), "lon": pa.float64()}


def mentions_reader(csv_path: Path) -> pa.RecordBatchReader:
    """The mentions of a ``mentions.csv`` file as Arrow batches with a WKB ``geometry``.

    Arrow's CSV reader is the fast way to a table of 200,000 mentions (a tenth of the time
    of pandas and shapely objects), and its float parser is exact, so the points are the
    coordinates written. Streamed: one batch at a time is in memory, not the whole file.
    """
    reader = pacsv.open_csv(
        str(csv_path),
        read_options=pacsv.ReadOptions(block_size=16 << 20),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=_TYPES, strings_can_be_null=False,
                                             quoted_strings_can_be_null=False))
    columns = [c for c in MENTION_COLUMNS if c not in ("lat", "lon")]
    schema = pa.schema([pa.field(c, _TYPES[c]) for c in columns]
                       + [pa.field("geometry", pa.binary())])

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            # shapely.points takes (x, y): longitude first.
            points = shapely.points(batch.column("lon").to_numpy(zero_copy_only=False),
                                    batch.column("lat").to_numpy(zero_copy_only=False))
            yield pa.RecordBatch.from_arrays(
                [batch.column(c) for c in columns]
                + [pa.array(shapely.to_wkb(points), pa.binary())], schema=schema)

    return pa.RecordBatchReader.from_batches(schema, batches())


def mentions_table(mentions_csv: str) -> pa.Table:
    """The mentions of a ``mentions.csv`` text as an Arrow table (see
    :func:`mentions_reader`)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mentions.csv"
        path.write_text(mentions_csv, encoding="utf-8")
        return mentions_reader(path).read_all()


def write_geopackage(places: gpd.GeoDataFrame, mentions: pa.Table | pa.RecordBatchReader,
                     path: Path) -> None:
    """A GeoPackage with the ``places`` and ``mentions`` (:func:`mentions_reader`) layers,
    replaced atomically."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # GDAL creates the file itself
    try:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
        try:
            pyogrio.write_dataframe(places, tmp, layer="places", driver="GPKG")
            pyogrio.write_arrow(mentions, tmp, layer="mentions", driver="GPKG",
                                geometry_name="geometry", geometry_type="Point",
                                crs="EPSG:4326")
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
        os.chmod(tmp, 0o644)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
