/* Map layers: the Natural Earth basemap, the shading by mentions, the place markers and the
 * legend. Everything is drawn on canvases (one per pane), so thousands of places stay fast. */
function mapperLayers(ctx, cfg, onSelect) {
  "use strict";
  var map = cfg.map, dom = mapperDom, el = dom.el, svg = dom.svg;
  // The basemap sits under the tile pane (200): tiles cover it when they load, and where they
  // cannot load (offline) it shows through.
  [["mapper-base", 150], ["mapper-shade", 350], ["mapper-places", 450]].forEach(function (p) {
    map.createPane(p[0]).style.zIndex = p[1];
  });

  /* Basemap: Natural Earth land on the map's sea-coloured background, always drawn. */
  L.geoJSON(ctx.geo.countries, {
    renderer: L.canvas({ pane: "mapper-base" }), interactive: false,
    attribution: "Boundaries: Natural Earth",
    style: { color: "#8d8d8d", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1 }
  }).addTo(map);

  /* Places: circles sized by mentions (sqrt, so area tracks the count), styled by kind. */
  var KIND_GROUP = { continent: "area", region: "area", country: "area", admin1: "province",
                     admin2: "province", city: "city", feature: "feature" };
  var STYLE = {
    area: { color: "#54358f", fillColor: "#8e6cc9", fillOpacity: 0.18, weight: 2.2, dashArray: null },
    province: { color: "#17609c", fillColor: "#4a90d0", fillOpacity: 0.28, weight: 2, dashArray: "4 3" },
    city: { color: "#7d2c00", fillColor: "#f07c24", fillOpacity: 0.85, weight: 1, dashArray: null },
    feature: { color: "#1e6b33", fillColor: "#3fae5a", fillOpacity: 0.85, weight: 1, dashArray: null }
  };
  var LABEL = { area: "Continent, region, country", province: "Province, district",
                city: "City, town", feature: "Other place" };
  var DRAW_ORDER = { area: 0, province: 1, city: 2, feature: 2 };
  var maxMentions = ctx.places.reduce(function (m, p) { return Math.max(m, p.mentions); }, 1);
  function radius(n) { return 4 + 20 * Math.sqrt(n / maxMentions); }
  function group(p) { return KIND_GROUP[p.kind] || "feature"; }

  var renderer = L.canvas({ pane: "mapper-places", padding: 0.2 });
  /* One tooltip for all markers (2,000 bound tooltips cost a tenth of a second on load). Its
   * content is an element built with textContent: Leaflet would parse a string as HTML. */
  var tip = L.tooltip({ direction: "top", className: "mp-tip" });
  function showTip(p, m) {
    var box = el("div");
    box.appendChild(el("strong", "", p.name));
    box.appendChild(document.createTextNode(" \u2014 " + dom.plural(counts[p.i], "mention")));
    tip.options.offset = [0, -m.getRadius()];
    tip.setLatLng(m.getLatLng()).setContent(box).addTo(map);
  }
  var counts = ctx.places.map(function (p) { return p.mentions; });
  var markers = [];
  ctx.places.slice().sort(function (a, b) {  // big areas first, so cities are drawn on top
    return DRAW_ORDER[group(a)] - DRAW_ORDER[group(b)] || b.mentions - a.mentions || a.i - b.i;
  }).forEach(function (p) {
    var m = L.circleMarker([p.lat, p.lon], L.extend({ renderer: renderer, pane: "mapper-places",
      radius: radius(p.mentions) }, STYLE[group(p)]));
    m.mapperPlace = p.i;
    markers[p.i] = m;
    m.addTo(cfg.places);
  });
  cfg.places.on("mouseover", function (e) { showTip(ctx.places[e.layer.mapperPlace], e.layer); });
  cfg.places.on("mouseout", function () { tip.remove(); });
  cfg.places.on("click", function (e) { onSelect(e.layer.mapperPlace, under(e.containerPoint)); });
  /* Other visible places whose circles cover the clicked point (a city on its province...). */
  function under(point) {
    var found = [];
    cfg.places.eachLayer(function (m) {
      var d = map.latLngToContainerPoint(m.getLatLng()).distanceTo(point);
      if (d <= m.getRadius() + 2) found.push([d, m.mapperPlace]);
    });
    return found.sort(function (x, y) { return x[0] - y[0]; }).map(function (f) { return f[1]; });
  }
  /* Shading: countries and provinces by the mentions of the places inside them (log classes
   * over the unfiltered maximum, so colours keep their meaning when a filter is on). */
  var RAMP = ["#fdeccd", "#fbcb8f", "#f59a5b", "#dc6030", "#a8321a"];
  var shaded = ctx.geo.countries.concat(ctx.geo.provinces).filter(function (f) {
    return f.properties.mentions > 0;
  });
  shaded.forEach(function (f) {
    f.members = f.properties.places.map(function (k) { return ctx.keyIndex[k]; })
      .filter(function (i) { return i !== undefined; });
  });
  var maxShade = shaded.reduce(function (m, f) { return Math.max(m, f.properties.mentions); }, 1);
  function shadeClass(n) {
    return Math.min(RAMP.length - 1, Math.floor(RAMP.length * Math.log(n) / Math.log(maxShade + 1)));
  }
  var shadeOpacity = 0.7;
  function shadeStyle(f) {
    var n = f.members.reduce(function (s, i) { return s + counts[i]; }, 0);
    var province = f.properties.code.indexOf("-") > 0;
    return { color: province ? "#7a4a2a" : "#6b6b6b", weight: province ? 0.8 : 0.6,
             dashArray: province ? "3 2" : null, opacity: n > 0 ? 1 : 0,
             fillColor: RAMP[shadeClass(Math.max(n, 1))], fillOpacity: n > 0 ? shadeOpacity : 0 };
  }
  var shading = L.geoJSON(shaded, {
    renderer: L.canvas({ pane: "mapper-shade" }), interactive: false, style: shadeStyle
  }).addTo(cfg.shading);
  map.on("baselayerchange", function (e) {  // let the tiles show through the shading
    shadeOpacity = e.layer === cfg.tiles ? 0.35 : 0.7;
    shading.setStyle(shadeStyle);
  });
  function shadingTotals() {  // code -> mentions now shown (for tests)
    var out = {};
    shading.eachLayer(function (l) {
      out[l.feature.properties.code] = l.feature.members.reduce(function (s, i) {
        return s + counts[i];
      }, 0);
    });
    return out;
  }

  var halo = L.circleMarker([0, 0], { renderer: renderer, pane: "mapper-places", radius: 8,
    color: "#111", weight: 3, fill: false, interactive: false });

  /* Show each place with its (filtered) count; places at zero are removed. */
  function setCounts(next) {
    ctx.places.forEach(function (p) {
      var n = next[p.i], m = markers[p.i];
      counts[p.i] = n;
      if (n > 0) {
        m.setRadius(radius(n));
        if (!cfg.places.hasLayer(m)) m.addTo(cfg.places);
      } else if (cfg.places.hasLayer(m)) {
        cfg.places.removeLayer(m);
      }
    });
    shading.setStyle(shadeStyle);
  }
  function unhighlight() { halo.remove(); }
  function highlight(i) {
    var p = ctx.places[i];
    halo.setLatLng([p.lat, p.lon]).setRadius(radius(Math.max(counts[i], 1)) + 4);
    if (!map.hasLayer(halo)) halo.addTo(map);
  }
  function focus(i, animate) {  // zoom in to the place, never out
    var p = ctx.places[i];
    var zoom = { area: 4, province: 6, city: 7, feature: 7 }[group(p)];
    map.setView([p.lat, p.lon], Math.max(map.getZoom(), zoom), { animate: animate !== false });
  }

  function legend() {
    var box = dom.byId("mp-legend");
    box.appendChild(el("h4", "", "Places"));
    ["area", "province", "city", "feature"].forEach(function (g) {
      var row = el("div", "row"), s = STYLE[g], pic = svg("svg", { width: 18, height: 18 });
      pic.appendChild(svg("circle", { cx: 9, cy: 9, r: 6, stroke: s.color, "stroke-width": s.weight,
        fill: s.fillColor, "fill-opacity": s.fillOpacity, "stroke-dasharray": s.dashArray || "none" }));
      row.appendChild(pic);
      row.appendChild(el("span", "", LABEL[g]));
      box.appendChild(row);
    });
    box.appendChild(el("h4", "", "Size: mentions"));
    var sizes = el("div", "row sizes");
    [1, Math.round(maxMentions / 4), maxMentions].filter(function (v, k, arr) {
      return v > 0 && arr.indexOf(v) === k;
    }).forEach(function (v) {
      var r = radius(v), pic = svg("svg", { width: 2 * r + 4, height: 2 * radius(maxMentions) + 4 });
      pic.appendChild(svg("circle", { cx: r + 2, cy: 2 * radius(maxMentions) + 2 - r, r: r,
        fill: "none", stroke: "#555" }));
      var item = el("span", "size");
      item.appendChild(pic);
      item.appendChild(el("span", "", String(v)));
      sizes.appendChild(item);
    });
    box.appendChild(sizes);
    if (shaded.length) {
      box.appendChild(el("h4", "", "Shading: mentions of places inside"));
      var ramp = el("div", "ramp");
      RAMP.forEach(function (c) { var sw = el("span"); sw.style.background = c; ramp.appendChild(sw); });
      box.appendChild(ramp);
      var ticks = el("div", "ticks");
      ticks.appendChild(el("span", "", "1"));
      ticks.appendChild(el("span", "", String(maxShade)));
      box.appendChild(ticks);
    }
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
  }
  legend();

  return { markers: markers, counts: counts, setCounts: setCounts, highlight: highlight,
           unhighlight: unhighlight,
           focus: focus, group: group,
           shadingTotals: shadingTotals,
           drawn: function () { return cfg.places.getLayers().length; } };
}
