"""The embedded gazetteer through geopy's door: geopandas.tools.geocode takes it as a provider,
as it takes an online geocoder."""

from __future__ import annotations

import geopandas
import pytest
from geopy.location import Location

from mapper.parse import Gazetteer, GazetteerGeocoder


def test_geopandas_geocodes_with_the_gazetteer(gazetteer: Gazetteer) -> None:
    frame = geopandas.tools.geocode(["Lashkargah", "Doha", "Qwzzyxville"],
                                    provider=GazetteerGeocoder, gazetteer=gazetteer)
    assert frame.crs == "EPSG:4326"
    assert list(frame["address"][:2]) == ["Lashkar Gāh, AF", "Doha, QA"]
    # Points are (lon, lat): Lashkar Gah is at 31.6 N, 64.4 E.
    assert frame.geometry[0].x == pytest.approx(64.37, abs=0.05)
    assert frame.geometry[0].y == pytest.approx(31.59, abs=0.05)
    assert frame.geometry[1].x == pytest.approx(51.53, abs=0.05)
    assert frame.geometry[2].is_empty  # a name the gazetteer does not know


def test_locations_keep_the_gazetteer_row(gazetteer: Gazetteer) -> None:
    geocoder = GazetteerGeocoder(gazetteer=gazetteer)
    kandahar = geocoder.geocode("Qandahar")
    assert isinstance(kandahar, Location)
    assert kandahar.raw["key"] == "gn:1138336" and kandahar.raw["matched_form"] == "Qandahar"
    every = geocoder.geocode("Kandahar", exactly_one=False)
    assert {loc.raw["kind"] for loc in every} >= {"city", "admin1"}
    assert geocoder.geocode("Qwzzyxville") is None


def test_country_bias_puts_the_country_first(gazetteer: Gazetteer) -> None:
    plain = GazetteerGeocoder(gazetteer=gazetteer).geocode("Perth")
    scottish = GazetteerGeocoder(gazetteer=gazetteer, country_bias="gb").geocode("Perth")
    assert plain.raw["country"] == "AU" and scottish.raw["country"] == "GB"
