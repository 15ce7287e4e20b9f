"""mapper: geoparse news articles and explore the places they name on an interactive map."""

__version__ = "0.1.0"
