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
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyogrio
import shapely

from mapper.atomic import write_text
from mapper.store import MENTION_COLUMNS, write_places_geojson

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: GeoPackages record when they were written; a fixed date keeps builds byte-identical.
GPKG_DATE = "2000-01-01T00:00:00Z"


def write_exports(places: gpd.GeoDataFrame, mentions_csv: str, features: Sequence[str],
                  out_dir: Path) -> None:
    """Write every export into ``out_dir``.

    ``mentions_csv`` is the text of ``mentions.csv`` (see :func:`mapper.store.csv_text`) and
    ``features`` the mentions' GeoJSON feature lines in chunks (see :func:`feature_lines`):
    the article index keeps both per article, so a rebuild only joins them.
    """
    out_dir = Path(out_dir)
    write_places_geojson(places, out_dir / "places.geojson")
    write_text(out_dir / "mentions.csv", mentions_csv)
    write_mentions_geojson(features, out_dir / "mentions.geojson")
    write_geopackage(places, mentions_table(mentions_csv), out_dir / "places.gpkg")


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


def write_mentions_geojson(features: Sequence[str], path: Path) -> None:
    """``mentions.geojson``: a FeatureCollection of one Point per mention (EPSG:4326, the
    GeoJSON default), one feature per line so that two maps diff well."""
    body = ",\n".join(f for f in features if f)
    write_text(path, '{"type":"FeatureCollection","features":[\n' + body
               + ("\n" if body else "") + "]}\n")


def mentions_table(mentions_csv: str) -> pa.Table:
    """The mentions of a ``mentions.csv`` text as an Arrow table with a WKB ``geometry``.

    Arrow's CSV reader is the fast way to a table of 200,000 mentions (a tenth of the time
    of pandas and shapely objects), and its float parser is exact, so the points are the
    coordinates written.
    """
    types = dict.fromkeys(MENTION_COLUMNS, pa.string()) | {
        "start": pa.int64(), "end": pa.int64(), "demonym": pa.int64(), "score": pa.float64(),
        "lat": pa.float64(), "lon": pa.float64()}
    table = pacsv.read_csv(
        pa.py_buffer(mentions_csv.encode("utf-8")),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                             quoted_strings_can_be_null=False))
    # shapely.points takes (x, y): longitude first.
    points = shapely.points(table.column("lon").to_numpy(), table.column("lat").to_numpy())
    return table.drop_columns(["lat", "lon"]).append_column(
        "geometry", pa.array(shapely.to_wkb(points), pa.binary()))


def write_geopackage(places: gpd.GeoDataFrame, mentions: pa.Table, path: Path) -> None:
    """A GeoPackage with the ``places`` and ``mentions`` (:func:`mentions_table`) layers,
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
