"""Compact geometry for the page: each line or ring as one flat list of integer deltas.

GeoJSON spells every point ``[65.12,33.45]`` (about 14 bytes); here a line is
``[6512,3345,3,-2,5,1,...]``: the first point in hundredths of a degree, then each point as
its difference from the one before (about 5 bytes a point). ``templates/data.js``
(``decodeGeometry``) turns it back into GeoJSON coordinates. Hundredths of a degree are about
1 km, finer than the basemap's simplification.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping

#: Units per degree.
SCALE = 100
#: How deep a geometry type's coordinates nest above its lines or rings.
_DEPTH = {"LineString": 0, "MultiLineString": 1, "Polygon": 1, "MultiPolygon": 2}


def encode_line(points: Any) -> list[int]:
    """One line or ring (a sequence of ``[lon, lat]``) as flat deltas; repeated points
    (after rounding) are dropped."""
    xy = np.rint(np.asarray(points, dtype=float) * SCALE).astype(np.int64)
    if len(xy) > 1:
        keep = np.ones(len(xy), dtype=bool)
        keep[1:] = (np.diff(xy, axis=0) != 0).any(axis=1)
        keep[-1] = True  # a ring stays closed
        xy = xy[keep]
    deltas = np.diff(xy, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return deltas.ravel().tolist()


def encode(geometry: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON geometry dict with its coordinates encoded (``{"type", "coordinates"}``)."""
    kind = geometry["type"]
    if kind not in _DEPTH:
        raise ValueError(f"cannot encode a {kind}")

    def walk(coords: Any, depth: int) -> Any:
        if depth == 0:
            return encode_line(coords)
        return [walk(c, depth - 1) for c in coords]

    return {"type": kind, "coordinates": walk(geometry["coordinates"], _DEPTH[kind])}


def encode_shape(shape: Any) -> dict[str, Any] | None:
    """:func:`encode` of a shapely geometry; None when it is missing or empty."""
    if shape is None or shapely.is_empty(shape):
        return None
    return encode(mapping(shape))
