"""The embedded gazetteer as a geopy geocoder: offline, it plugs in wherever an online one
does (``geopandas.tools.geocode``, geopy's ``RateLimiter``...)."""

from __future__ import annotations

from geopy.geocoders.base import Geocoder
from geopy.location import Location

from mapper.parse.gazetteer import Candidate, Gazetteer, default_gazetteer


class GazetteerGeocoder(Geocoder):
    """geopy geocoder over the embedded gazetteer: works with no network at all.

    It plugs in wherever a geopy geocoder does, e.g.
    ``geopandas.tools.geocode(["Kabul"], provider=GazetteerGeocoder)``.
    """

    def __init__(self, *, gazetteer: Gazetteer | None = None, country_bias: str | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.gazetteer = gazetteer or default_gazetteer()
        self.country_bias = country_bias.upper() if country_bias else None

    def geocode(self, query: str, *, exactly_one: bool = True, timeout=None,
                limit: int | None = None) -> Location | list[Location] | None:
        """Places named ``query``, best first: a :class:`geopy.location.Location` (or a list
        with ``exactly_one=False``) whose ``raw`` is the gazetteer row; None when unknown."""
        gaz = self.gazetteer
        cands = gaz.candidates(str(query))
        if self.country_bias:
            cands.sort(key=lambda c: (gaz.country(c.place_id) != self.country_bias, -c.prior))
        if not cands:
            return None
        locations = [self._location(c) for c in cands[: (limit or len(cands))]]
        return locations[0] if exactly_one else locations

    def _location(self, cand: Candidate) -> Location:
        gaz = self.gazetteer
        row = gaz.row(cand.place_id) | {"matched_form": cand.form, "prior": cand.prior}
        address = ", ".join(x for x in (row["name"], row["country"]) if x)
        return Location(address, (row["lat"], row["lon"]), row)

    def reverse(self, query, *, exactly_one: bool = True, timeout=None):
        raise NotImplementedError("the offline gazetteer does not reverse-geocode")
