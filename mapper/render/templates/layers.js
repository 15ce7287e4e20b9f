/* Map layers: the basemap (basemap.js), the shading by mentions, the place markers, their
 * labels (labels.js) and the legend. Everything but the labels is drawn on canvases (one per
 * pane), so thousands of places stay fast. */
function mapperLayers(ctx, cfg, onSelect) {
  "use strict";
  var map = cfg.map, dom = mapperDom, el = dom.el;
  // The basemap sits under the tile pane (200): tiles cover it when they load, and where they
  // cannot load (offline) it shows through.
  [["mapper-base", 150], ["mapper-shade", 350], ["mapper-water", 360],
   ["mapper-places", 450]].forEach(function (p) {
    map.createPane(p[0]).style.zIndex = p[1];
  });

  var basemap = mapperBasemap(ctx, cfg);

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
    box.appendChild(el("strong", "", ctx.label(p)));
    box.appendChild(document.createTextNode(" \u2014 " + dom.plural(counts[p.i], "mention")));
    tip.options.offset = [0, -m.getRadius()];
    tip.setLatLng(m.getLatLng()).setContent(box).addTo(map);
  }
  var counts = ctx.places.map(function (p) { return p.mentions; });
  var markers = [], shown = ctx.places.map(function () { return true; });
  /* Drawing order, bottom to top: areas, provinces, then cities and features; within each,
   * more mentions first, so small circles lie on large ones. A click picks the top one. */
  var drawOrder = ctx.places.slice().sort(function (a, b) {
    return DRAW_ORDER[group(a)] - DRAW_ORDER[group(b)] || b.mentions - a.mentions || a.i - b.i;
  }).map(function (p) { return p.i; });
  drawOrder.forEach(function (i) {
    var p = ctx.places[i];
    var m = L.circleMarker([p.lat, p.lon], L.extend({ renderer: renderer, pane: "mapper-places",
      radius: radius(p.mentions) }, STYLE[group(p)]));
    m.mapperPlace = p.i;
    markers[p.i] = m;
    m.addTo(cfg.places);
  });
  function restack() { drawOrder.forEach(function (i) { if (shown[i]) markers[i].bringToFront(); }); }
  cfg.places.on("mouseover", function (e) { showTip(ctx.places[e.layer.mapperPlace], e.layer); });
  cfg.places.on("mouseout", function () { tip.remove(); });
  cfg.places.on("click", function (e) {
    onSelect(e.layer.mapperPlace, under(e.containerPoint, e.layer.mapperPlace));
  });
  /* Other drawn places at the clicked point: under it, or with a circle overlapping the
   * clicked one's (a city on its province...), nearest first. */
  function under(point, top) {
    var found = [], centre = top !== undefined ? map.latLngToContainerPoint(markers[top].getLatLng()) : null;
    cfg.places.eachLayer(function (m) {
      var xy = map.latLngToContainerPoint(m.getLatLng()), d = xy.distanceTo(point);
      var overlap = centre && xy.distanceTo(centre) < m.getRadius() + markers[top].getRadius();
      if (d <= m.getRadius() + 2 || overlap) found.push([d, m.mapperPlace]);
    });
    return found.sort(function (x, y) { return x[0] - y[0]; }).map(function (f) { return f[1]; });
  }

  /* Places projected at the current zoom (world pixels), made once per zoom. */
  var projected = { zoom: null, xy: null };
  function world() {
    var z = map.getZoom();
    if (projected.zoom !== z) {
      projected = { zoom: z, xy: ctx.places.map(function (p) { return map.project([p.lat, p.lon], z); }) };
    }
    return projected.xy;
  }
  /* Dense maps: drawn by priority. A place closer than GAP pixels (or well inside the circle)
   * to a drawn place of its kind with more mentions is left out at this zoom; it shows as
   * you zoom in. The selected place always shows. */
  var CELL = 32, GAP = 14, hiddenCount = 0, underLabels = [];
  function declutter() {
    var xy = world(), grid = {}, sel = selected;
    hiddenCount = 0;
    underLabels = [];
    counts.forEach(function (n, i) { if (n <= 0) show(i, false); });
    byCount().forEach(function (i) {
      var g = group(ctx.places[i]), q = xy[i], cx = Math.floor(q.x / CELL), cy = Math.floor(q.y / CELL);
      var keep = true;
      if (i !== sel) {
        for (var dx = -1; dx <= 1 && keep; dx++) {
          for (var dy = -1; dy <= 1 && keep; dy++) {
            var cell = grid[(cx + dx) + ":" + (cy + dy)];
            if (!cell) continue;
            for (var k = 0; k < cell.length; k++) {
              var j = cell[k], near = Math.max(GAP, 0.75 * radius(counts[j]));
              if (group(ctx.places[j]) !== g) continue;
              if (Math.abs(xy[j].x - q.x) < near && Math.abs(xy[j].y - q.y) < near) {
                keep = false;
                break;
              }
            }
          }
        }
      }
      if (keep) (grid[cx + ":" + cy] = grid[cx + ":" + cy] || []).push(i);
      else hiddenCount++;
      show(i, keep);
    });
  }
  function show(i, on) {
    var m = markers[i];
    on = on && counts[i] > 0;
    if (on === shown[i]) return;
    shown[i] = on;
    if (on) { m.addTo(cfg.places); restackNeeded = true; } else cfg.places.removeLayer(m);
  }
  var restackNeeded = false, sortedByCount = null;
  function byCount() {  // places with mentions now, most first
    if (!sortedByCount) {
      sortedByCount = ctx.places.map(function (p) { return p.i; }).filter(function (i) {
        return counts[i] > 0;
      }).sort(function (a, b) { return counts[b] - counts[a] || DRAW_ORDER[group(ctx.places[b])] -
        DRAW_ORDER[group(ctx.places[a])] || a - b; });
    }
    return sortedByCount;
  }
  function refresh() {
    declutter();
    if (restackNeeded) { restack(); restackNeeded = false; }
    labels.update();
  }

  /* Labels: the api the placement pass reads. */
  var selected = null;
  function containerPoint(i) {
    var q = world()[i], o = map.getPixelOrigin(), pan = map._getMapPanePos();
    return { x: q.x - o.x + pan.x, y: q.y - o.y + pan.y };
  }
  var labels = mapperLabels(ctx, cfg, {
    /* Places with a spot first, then areas (countries are named by the basemap too). */
    order: function () {
      var list = byCount().filter(function (i) { return shown[i]; });
      return list.filter(function (i) { return group(ctx.places[i]) !== "area"; })
        .concat(list.filter(function (i) { return group(ctx.places[i]) === "area"; }));
    },
    selected: function () { return selected !== null && counts[selected] > 0 ? selected : null; },
    point: function (i) {
      var pt = containerPoint(i), size = map.getSize();
      return pt.x < 0 || pt.y < 0 || pt.x > size.x || pt.y > size.y ? null : pt;
    },
    radius: function (i) { return radius(counts[i]); },
    weight: function (i) { return counts[i]; },
    group: function (i) { return group(ctx.places[i]); },
    isShown: function (i) { return shown[i]; },
    /* A circle under a label of a place with more mentions: left for a closer zoom, or
     * until the next placement (restore). */
    hide: function (i) { show(i, false); underLabels.push(i); },
    restore: function () {
      underLabels.forEach(function (i) { show(i, true); });
      underLabels = [];
      if (restackNeeded) { restack(); restackNeeded = false; }
    },
    circles: function () {
      var size = map.getSize(), out = [];
      byCount().forEach(function (i) {
        if (!shown[i]) return;
        var pt = containerPoint(i), r = 0.85 * radius(counts[i]);
        if (pt.x < -r || pt.y < -r || pt.x > size.x + r || pt.y > size.y + r) return;
        out.push({ minX: pt.x - r, minY: pt.y - r, maxX: pt.x + r, maxY: pt.y + r, i: i,
                   n: counts[i], area: group(ctx.places[i]) === "area" });
      });
      return out;
    },
    onClick: function (i) {  // a label: its place, and those overlapping its circle
      onSelect(i, under(map.latLngToContainerPoint(markers[i].getLatLng()), i));
    }
  });
  map.on("zoomend", function () { declutter(); if (restackNeeded) { restack(); restackNeeded = false; } });

  /* Shading: countries and provinces by the mentions of the places inside them (log classes
   * over the unfiltered maximum, so colours keep their meaning when a filter is on). */
  var RAMP = ["#fdeccd", "#fbcb8f", "#f59a5b", "#dc6030", "#a8321a"];
  var shaded = ctx.geo.countries.concat(ctx.geo.provinces).filter(function (f) {
    return f.properties.mentions > 0;
  });
  /* A country's places are found by its code (every place in it but continents and
   * regions: the payload does not list them); a province lists its own. */
  var inCountry = {};
  ctx.places.forEach(function (p) {
    if (p.country && p.kind !== "continent" && p.kind !== "region") {
      (inCountry[p.country] = inCountry[p.country] || []).push(p.i);
    }
  });
  shaded.forEach(function (f) {
    f.members = f.properties.places ? f.properties.places.map(function (k) {
      return ctx.keyIndex[k];
    }).filter(function (i) { return i !== undefined; }) : inCountry[f.properties.code] || [];
  });
  var maxShade = shaded.reduce(function (m, f) { return Math.max(m, f.properties.mentions); }, 1);
  function shadeClass(n) {
    return Math.min(RAMP.length - 1, Math.floor(RAMP.length * Math.log(n) / Math.log(maxShade + 1)));
  }
  var shadeOpacity = 0.5;
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
    shadeOpacity = e.layer === cfg.tiles ? 0.35 : 0.5;
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
      counts[p.i] = next[p.i];
      if (next[p.i] > 0) markers[p.i].setRadius(radius(next[p.i]));
    });
    sortedByCount = null;
    shading.setStyle(shadeStyle);
    refresh();
    if (selected !== null) highlight(selected);
  }
  function unhighlight() {
    selected = null;
    halo.remove();
    labels.soon();
  }
  function highlight(i) {  // a place filtered down to no mentions keeps no halo
    var p = ctx.places[i];
    selected = i;
    if (counts[i] > 0) {
      halo.setLatLng([p.lat, p.lon]).setRadius(radius(counts[i]) + 4);
      if (!map.hasLayer(halo)) halo.addTo(map);
    } else {
      halo.remove();
    }
    if (shown[i] || counts[i] <= 0) labels.soon(); else refresh();  // declutter lets it in
  }
  /* Zoom to a place so that its nearest drawn neighbours stay in view (with their labels):
   * the largest zoom, up to 10, at which the three nearest fit around it; areas at 4. */
  function focusZoom(i) {
    var p = ctx.places[i], g = group(p);
    if (g === "area") return Math.max(map.getZoom(), 4);
    var z0 = map.getZoom(), here = map.project([p.lat, p.lon], z0), near = [];
    ctx.places.forEach(function (q) {
      if (q.i === i || counts[q.i] <= 0 || group(q) === "area") return;
      var d = map.project([q.lat, q.lon], z0).subtract(here);
      if (Math.abs(d.x) + Math.abs(d.y) < 1e-6 * Math.pow(2, z0)) return;  // the same spot
      near.push(d);
    });
    near.sort(function (a, b) { return a.x * a.x + a.y * a.y - b.x * b.x - b.y * b.y; });
    var size = map.getSize(), fit = Infinity;
    near.slice(0, 3).forEach(function (d) {
      var room = Math.min((size.x / 2 - 90) / Math.max(Math.abs(d.x), 1),
                          (size.y / 2 - 40) / Math.max(Math.abs(d.y), 1));
      fit = Math.min(fit, room);
    });
    var z = fit === Infinity ? 8 : Math.floor(z0 + Math.log(fit) / Math.LN2);
    return Math.max(4, Math.min(10, z));
  }
  function focus(i, animate) {
    var p = ctx.places[i];
    map.setView([p.lat, p.lon], focusZoom(i), { animate: animate !== false });
  }

  mapperLegend(cfg, { style: STYLE, names: LABEL, radius: radius, maxMentions: maxMentions,
                      ramp: shaded.length ? RAMP : null, maxShade: maxShade,
                      toggled: function () { labels.update(); } });

  refresh();
  return { markers: markers, counts: counts, setCounts: setCounts, highlight: highlight,
           unhighlight: unhighlight, focus: focus, group: group, radius: radius,
           shadingTotals: shadingTotals, basemap: basemap.counts, labels: labels,
           under: under, halo: function () { return map.hasLayer(halo); },
           hidden: function () { return hiddenCount + underLabels.length; },
           drawn: function () { return cfg.places.getLayers().length; },
           /* Places the filters keep: drawn, or waiting for a closer zoom. */
           matching: function () { return counts.filter(function (n) { return n > 0; }).length; } };
}
