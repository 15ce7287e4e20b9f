"""Text -> mentions: the embedded gazetteer (and its geopy face), recognising place names,
resolving them to places, excerpts, and scoring against gold annotations."""

from mapper.parse.gazetteer import Gazetteer, default_gazetteer
from mapper.parse.geocoder import GazetteerGeocoder
from mapper.parse.geoparse import Geoparser

__all__ = ["Gazetteer", "GazetteerGeocoder", "Geoparser", "default_gazetteer"]
