"""Distances on the Earth: the one formula every module uses."""

from __future__ import annotations

import math

#: Mean Earth radius in km, as geopy's ``great_circle`` uses.
EARTH_RADIUS_KM = 6371.009


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine on a sphere of :data:`EARTH_RADIUS_KM`)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
