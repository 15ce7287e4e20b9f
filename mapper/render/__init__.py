"""Render the places, excerpts and articles into one self-contained, offline HTML explorer.

The page is a folium map whose Leaflet is inlined (:mod:`.assets`), with a vector basemap
from Natural Earth (:mod:`.basemap`), an OpenStreetMap tile layer to switch to when online,
and one JSON payload (:mod:`.data`) that a small script (``templates/explorer.js``) turns
into markers, the reading panel, search, filters and the reader view. A Content-Security-
Policy (:mod:`.csp`) lets only the page's own inline scripts run.
"""

from __future__ import annotations

from pathlib import Path

import folium
import geopandas as gpd
import xyzservices.providers as xyz
from markupsafe import escape

from mapper import atomic
from mapper.render import basemap, context, csp, data
from mapper.render.elements import Explorer, InlineLeaflet, fix_ids
from mapper.render.summary import render_summary

__all__ = ["MAP_FILES", "preload", "render_page", "stage_page", "write_summary"]

#: The map's files: the explorer (:func:`stage_page`) and the table of places
#: (:func:`write_summary`).
MAP_FILES = ("index.html", "places.html")

TILES = xyz.OpenStreetMap.Mapnik
#: Off by default: tile requests tell the tile server which regions the reader looks at, and
#: the page must work air-gapped. One click in the layer control turns them on.
TILES_ON_BY_DEFAULT = False


def _offline_map() -> folium.Map:
    """A folium Map that links no CDN: its asset lists are emptied on the instance only."""
    fmap = folium.Map(
        location=[20, 0],
        zoom_start=2,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        world_copy_jump=True,
        min_zoom=1,
        max_zoom=TILES.get("max_zoom", 19),
    )
    # Instance attributes shadow folium's class-level CDN lists without mutating them.
    fmap.default_js = []
    fmap.default_css = []
    InlineLeaflet().add_to(fmap)
    return fmap


def preload(geodata: Path | None = None) -> None:
    """Read what every page draws (the basemap's layers, kept by the process), ahead."""
    basemap.preload(geodata)


def render_page(places: gpd.GeoDataFrame, payload: str, *, title: str = "mapper",
                geodata: Path | None = None) -> list[str]:
    """The explorer page of ``places`` and a finished payload (:mod:`.data`), in parts to
    be written one after the other (joined, a large page would be copied twice more: the
    text and its UTF-8)."""
    if places.crs is not None and places.crs.to_epsg() != 4326:
        places = places.to_crs(4326)
    fmap = _offline_map()
    fmap.get_root().title = escape(title)
    base = folium.FeatureGroup(
        name="Natural Earth only (offline)", overlay=False, show=not TILES_ON_BY_DEFAULT
    )
    tiles = folium.TileLayer(
        tiles=TILES.build_url(),
        attr=TILES.html_attribution,
        name="OpenStreetMap tiles (online)",
        overlay=False,
        show=TILES_ON_BY_DEFAULT,
        max_zoom=TILES.get("max_zoom", 19),
    )
    shading = folium.FeatureGroup(name="Shading by mentions", overlay=True)
    points = folium.FeatureGroup(name="Places", overlay=True)
    for layer in (base, tiles, shading, points):
        layer.add_to(fmap)
    folium.LayerControl(collapsed=False, position="topleft").add_to(fmap)

    geo = data.script_json(context.page_geo(places, geodata))
    layers = {"base": base, "tiles": tiles, "shading": shading, "places": points}
    # The page is rendered and given its policy around two markers, which the JSON then
    # replaces: it need not pass through Jinja nor the search for scripts (JSON scripts are
    # not hashed).
    Explorer(_PAYLOAD, _GEO, layers).add_to(fmap)
    fix_ids(fmap.get_root())
    html = csp.add_policy(fmap.get_root().render(), [TILES.build_url()])
    head, rest = html.split(_PAYLOAD)
    middle, tail = rest.split(_GEO)
    return [head, payload, middle, geo, tail]


#: Where :func:`render_page` puts the payloads: no text of the page can hold them, as the
#: payloads are not in it yet and the rest is ours.
_PAYLOAD, _GEO = "\x00mapper-payload\x00", "\x00mapper-geo\x00"


def write_summary(places: gpd.GeoDataFrame, n_articles: int, out_dir: Path, *,
                  title: str = "mapper", batch: atomic.Batch | None = None) -> None:
    """Atomically write ``places.html``, the table of the places."""
    atomic.write_text(Path(out_dir) / MAP_FILES[1],
                      render_summary(places, n_articles, title=title), batch)


def stage_page(places: gpd.GeoDataFrame, payload: str, out_dir: Path, *,
               title: str = "mapper", batch: atomic.Batch | None = None) -> None:
    """Atomically write ``index.html`` of a finished payload; with ``batch``, leave it to
    :meth:`~mapper.atomic.Batch.commit` to put in place."""
    atomic.write_parts(Path(out_dir) / MAP_FILES[0], render_page(places, payload, title=title),
                       batch)
