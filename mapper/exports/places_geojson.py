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
    with replacing(path, batch=batch) as fh:
        fh.write('{"type":"FeatureCollection","features":[\n')
        sep = ""
        for *values, x, y in zip(*columns, places.geometry.x.tolist(),
                                 places.geometry.y.tolist(), strict=True):
            fh.write(sep)
            fh.write(_ids_as_list(_ENCODE({
                "type": "Feature", "properties": dict(zip(names, values, strict=True)),
                # GeoJSON positions are [longitude, latitude].
                "geometry": {"type": "Point", "coordinates": [x, y]}})))
            sep = ",\n"
        fh.write(("\n" if sep else "") + "]}\n")


def _ids_as_list(feature: str) -> str:
    """A feature's JSON with its ``article_ids``, encoded as one string joined by "|",
    turned into the list of the ids: the same text as encoding the list (JSON escapes no
    "|", and ids hold none), made without a Python string per id (3.7 million of them at
    100,000 articles)."""
    start = feature.index(_IDS) + len(_IDS)
    end = feature.index('"', start + 1)
    while _escaped(feature, end):  # a quote inside an id
        end = feature.index('"', end + 1)
    ids = feature[start:end + 1]
    listed = "[]" if ids == '""' else "[" + ids.replace("|", '","') + "]"
    return feature[:start] + listed + feature[end + 1:]


_IDS = '"article_ids":'


def _escaped(text: str, at: int) -> bool:
    """Whether the character at ``at`` is escaped: an odd number of backslashes before it."""
    n = 0
    while text[at - 1 - n] == "\\":
        n += 1
    return n % 2 == 1
