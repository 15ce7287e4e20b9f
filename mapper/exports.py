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
import pyogrio

from mapper.atomic import write_text
from mapper.models import Article, Excerpt, Mention
from mapper.store import mentions_frame, write_mentions_csv, write_places_geojson

#: GeoPackages record when they were written; a fixed date keeps builds byte-identical.
GPKG_DATE = "2000-01-01T00:00:00Z"


def write_exports(places: gpd.GeoDataFrame, mentions: Sequence[Mention],
                  excerpts: Sequence[Excerpt], articles: Sequence[Article],
                  out_dir: Path) -> None:
    """Write every export of ``places`` and ``mentions`` into ``out_dir``."""
    out_dir = Path(out_dir)
    frame = mentions_frame(mentions, excerpts, articles)
    write_places_geojson(places, out_dir / "places.geojson")
    write_mentions_csv(mentions, excerpts, articles, out_dir / "mentions.csv")
    write_mentions_geojson(frame, out_dir / "mentions.geojson")
    write_geopackage(places, frame, out_dir / "places.gpkg")


def write_mentions_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """``mentions.geojson``: one Point feature per mention (a FeatureCollection, EPSG:4326).

    Written feature by feature: ``GeoDataFrame.to_json`` takes seconds on 200,000 rows.
    """
    columns = [c for c in frame.columns if c != "geometry"]
    lines = []
    xs, ys = frame.geometry.x.tolist(), frame.geometry.y.tolist()
    for values, x, y in zip(frame[columns].itertuples(index=False, name=None), xs, ys,
                            strict=True):
        props = {c: _plain(v) for c, v in zip(columns, values, strict=True)}
        lines.append(json.dumps({"type": "Feature", "properties": props,
                                 "geometry": {"type": "Point", "coordinates": [x, y]}},
                                ensure_ascii=False, separators=(",", ":")))
    write_text(path, '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines)
               + "\n]}\n")


def write_geopackage(places: gpd.GeoDataFrame, mentions: gpd.GeoDataFrame, path: Path) -> None:
    """A GeoPackage with the ``places`` and ``mentions`` layers, replaced atomically."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # GDAL creates the file itself
    try:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
        try:
            pyogrio.write_dataframe(places, tmp, layer="places", driver="GPKG")
            pyogrio.write_dataframe(mentions, tmp, layer="mentions", driver="GPKG")
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
        os.chmod(tmp, 0o644)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _plain(value: object) -> object:
    """NumPy scalars as Python ones, for JSON."""
    return value.item() if hasattr(value, "item") else value
