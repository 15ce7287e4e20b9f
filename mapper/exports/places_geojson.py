"""``places.geojson``: one Point feature per place, with its counts and article ids."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd

from mapper.atomic import Batch, replacing
from mapper.models import PLACE_COLUMNS

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def write_places_geojson(places: gpd.GeoDataFrame, path: Path,
                         batch: Batch | None = None) -> None:
    """``places.geojson``: one Point feature per place (a line each), its counts and
    article ids. Written with the json module (``GeoDataFrame.to_json`` iterates the article
    ids one by one) and a feature at a time (joined first, the file would be held three
    times over: as the features, the text and its UTF-8)."""
    names = [c for c in PLACE_COLUMNS if c != "alt_names"]
    columns = [places[c].tolist() for c in names]
    at = names.index("article_ids")
    with replacing(path, batch=batch) as fh:
        fh.write('{"type":"FeatureCollection","features":[\n')
        sep = ""
        for *values, x, y in zip(*columns, places.geometry.x.tolist(),
                                 places.geometry.y.tolist(), strict=True):
            values[at] = values[at].split("|") if values[at] else []
            fh.write(sep)
            fh.write(_ENCODE({
                "type": "Feature", "properties": dict(zip(names, values, strict=True)),
                # GeoJSON positions are [longitude, latitude].
                "geometry": {"type": "Point", "coordinates": [x, y]}}))
            sep = ",\n"
        fh.write(("\n" if sep else "") + "]}\n")
