/* The offline basemap under the places: land and borders (Natural Earth countries), lakes,
 * major rivers, and province borders from zoom 5, all on one canvas under the tile pane. */
function mapperBasemap(ctx, cfg) {
  "use strict";
  var map = cfg.map, geo = ctx.geo;
  var canvas = L.canvas({ pane: "mapper-base" });
  /* Water and province borders above the shading (which would hide them), under the places;
   * off when the tiles are on (they draw their own). */
  var above = L.canvas({ pane: "mapper-water" });
  var WATER = "#b9d3e3", PROVINCE_ZOOM = 5;
  var land = L.geoJSON(geo.countries, {
    renderer: canvas, interactive: false,
    attribution: "Boundaries, rivers: Natural Earth \u00b7 Place names: GeoNames",
    style: { color: "#9a9a9a", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1 }
  }).addTo(map);
  var lakes = L.geoJSON(geo.lakes, {
    renderer: above, interactive: false,
    style: { color: "#9fc0d4", weight: 0.5, fillColor: WATER, fillOpacity: 1 }
  }).addTo(map);
  var rivers = L.geoJSON(geo.rivers, {
    renderer: above, interactive: false, style: { color: "#8fb6cf", weight: 1, fill: false }
  }).addTo(map);
  /* Every province drawn: those holding article places (their shading outlines them too)
   * and those of the most-mentioned countries around them. */
  var provinces = L.geoJSON(geo.provinceBorders.concat(geo.provinces.map(function (f) {
    return { type: "Feature", properties: {}, geometry: f.geometry };
  })), {
    renderer: above, interactive: false,
    style: { color: "#a8998a", weight: 0.6, dashArray: "3 3", fill: false }
  });
  function zoomed() {
    var on = map.getZoom() >= PROVINCE_ZOOM;
    if (on && !map.hasLayer(provinces)) provinces.addTo(map);
    else if (!on && map.hasLayer(provinces)) provinces.remove();
  }
  map.on("zoomend", zoomed);
  map.on("baselayerchange", function (e) {
    var tiles = e.layer === cfg.tiles;
    [lakes, rivers].forEach(function (l) { if (tiles) l.remove(); else l.addTo(map); });
  });
  zoomed();
  /* What is drawn (for tests): features per layer; with inView, those whose bounds meet
   * the view. */
  function counts(inView) {
    var view = map.getBounds();
    function n(layer) {
      if (!map.hasLayer(layer)) return 0;
      return layer.getLayers().filter(function (l) {
        return !inView || view.intersects(l.getBounds());
      }).length;
    }
    return { land: n(land), lakes: n(lakes), rivers: n(rivers), provinces: n(provinces) };
  }
  return { counts: counts, PROVINCE_ZOOM: PROVINCE_ZOOM };
}
