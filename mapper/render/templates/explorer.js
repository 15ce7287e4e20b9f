/* mapper explorer: wires the payload, the map layers, the panel and the search together.
 * cfg holds the folium layers' JavaScript objects (see mapper/render/elements.py). */
function mapperExplorer(cfg) {
  "use strict";
  var dom = mapperDom, el = dom.el, $ = dom.byId, map = cfg.map;
  var ctx = mapperData();
  var panel = null;
  var layers = mapperLayers(ctx, cfg, function (i, under) { panel.select(i, false, under); });
  panel = mapperPanel(ctx, layers, {
    selected: function (p) { setHash(p ? "place=" + encodeURIComponent(p.key) : ""); },
    changed: updateStats
  });
  var search = mapperSearch(ctx, function (i) { panel.select(i, true); });

  $("mp-title").textContent = ctx.title;
  function updateStats() {
    var shown = layers.counts.filter(function (n) { return n > 0; }).length;
    var on = panel.filtering();
    var articles = on ? ctx.articles.filter(panel.articlePasses).length : ctx.articles.length;
    var excerpts = on ? ctx.excerpts.filter(panel.passes).length : ctx.excerpts.length;
    $("mp-stats").textContent = dom.plural(shown, "place") + " \u00b7 " +
      dom.plural(articles, "article") + " \u00b7 " +
      dom.plural(excerpts, "excerpt") + (on ? " (filtered)" : "");
  }
  updateStats();
  ctx.places.slice(0, 10).forEach(function (p) {
    var li = el("li"), b = el("button", "", ctx.label(p));
    b.type = "button";
    b.dataset.place = p.key;
    b.addEventListener("click", function () { panel.select(p.i, true); });
    li.appendChild(b);
    li.appendChild(el("small", "", " " + dom.plural(p.mentions, "mention")));
    $("mp-top").appendChild(li);
  });

  /* Shareable links: #place=<key> opens that place. */
  function setHash(h) {
    if (location.hash === (h ? "#" + h : "")) return;
    var url = location.href.split("#")[0] + (h ? "#" + h : "");
    try { history.replaceState(null, "", url); } catch (err) { location.hash = h; }
  }
  function fromHash(first) {
    var m = /^#place=(.+)$/.exec(location.hash), key;
    if (!m) return false;
    try { key = decodeURIComponent(m[1]); } catch (err) { return false; }
    var i = ctx.keyIndex[key];
    if (i === undefined || i === panel.state.selected) return false;
    panel.select(i, first === true ? "now" : true);
    return true;
  }
  /* The start view: the smallest box that holds most (START_SHARE) of the mentions of
   * places with a precise spot (cities, provinces, features: a country's point says little
   * of where), padded; outliers stay a zoom-out or "Show all" away. */
  var START_SHARE = 0.85, START_CANDIDATES = 150;
  function startBounds() {
    var local = ctx.places.filter(function (p) { return layers.group(p) !== "area"; });
    if (!local.length) local = ctx.places.slice();
    local = local.sort(function (a, b) { return b.mentions - a.mentions; }).slice(0, START_CANDIDATES);
    var total = local.reduce(function (s, p) { return s + p.mentions; }, 0);
    var pts = local.map(function (p) {
      var q = L.Projection.SphericalMercator.project(L.latLng(p.lat, p.lon));
      return { x: q.x, y: q.y, w: p.mentions, p: p };
    }).sort(function (a, b) { return a.x - b.x; });
    var size = map.getSize(), best = null;
    for (var a = 0; a < pts.length; a++) {
      var byY = [];  // the points from a to b, kept sorted by y
      for (var b = a; b < pts.length; b++) {
        var at = 0;
        while (at < byY.length && byY[at].y < pts[b].y) at++;
        byY.splice(at, 0, pts[b]);
        var sum = 0, lo = 0;
        for (var hi = 0; hi < byY.length; hi++) {  // the shortest run in y holding the share
          sum += byY[hi].w;
          while (sum - byY[lo].w >= START_SHARE * total) { sum -= byY[lo].w; lo++; }
          if (sum >= START_SHARE * total - 1e-9) {
            var cost = Math.max((pts[b].x - pts[a].x) / size.x, (byY[hi].y - byY[lo].y) / size.y);
            if (!best || cost < best.cost) {
              best = { cost: cost, minX: pts[a].x, maxX: pts[b].x, minY: byY[lo].y, maxY: byY[hi].y };
            }
          }
        }
      }
    }
    if (!best) return null;
    var sw = L.Projection.SphericalMercator.unproject(L.point(best.minX, best.minY));
    var ne = L.Projection.SphericalMercator.unproject(L.point(best.maxX, best.maxY));
    return L.latLngBounds(sw, ne);
  }
  function allBounds() {
    return L.latLngBounds(ctx.places.map(function (p) { return [p.lat, p.lon]; }));
  }
  var home = ctx.places.length ? startBounds() : null;
  function goHome(bounds, animate) {
    map.fitBounds(bounds, { padding: [60, 50], maxZoom: 7, animate: animate });
  }
  if (home) goHome(home, false);
  /* "Show all": every place, outliers too. */
  if (ctx.places.length) {
    var all = L.control({ position: "topleft" });
    all.onAdd = function () {
      var box = el("div", "leaflet-bar mp-view");
      [["mp-show-all", "Show all", "Zoom out to every place", allBounds],
       ["mp-show-home", "Start view", "Back to where most mentions are", startBounds]
      ].forEach(function (b) {
        var btn = el("button", "", b[1]);
        btn.type = "button";
        btn.id = b[0];
        btn.title = b[2];
        btn.addEventListener("click", function () { goHome(b[3]() || allBounds(), true); });
        box.appendChild(btn);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    all.addTo(map);
  }
  /* The tile layer is the reader's choice, remembered by the browser (nothing is sent). */
  var TILES_KEY = "mapper-tiles";
  function remembered() {
    try { return window.localStorage.getItem(TILES_KEY); } catch (err) { return null; }
  }
  if (remembered() === "on" && cfg.tiles && cfg.base && !map.hasLayer(cfg.tiles)) {
    map.removeLayer(cfg.base);
    map.addLayer(cfg.tiles);
    map.fire("baselayerchange", { layer: cfg.tiles, name: "tiles" });
  }
  map.on("baselayerchange", function (e) {
    try { window.localStorage.setItem(TILES_KEY, e.layer === cfg.tiles ? "on" : "off"); }
    catch (err) { /* storage refused (private mode, file: rules): the choice is not kept */ }
  });
  /* A narrow screen: the layer list folds into its button, which opens it. */
  var layerBox = map.getContainer().querySelector(".leaflet-control-layers");
  if (layerBox && map.getSize().x < 600) {
    layerBox.classList.remove("leaflet-control-layers-expanded");
    var toggle = layerBox.querySelector(".leaflet-control-layers-toggle");
    if (toggle) {
      toggle.addEventListener("click", function (e) {
        e.preventDefault();
        layerBox.classList.add("leaflet-control-layers-expanded");  // the map's click folds it
      });
    }
    map.on("click", function () { layerBox.classList.remove("leaflet-control-layers-expanded"); });
    layers.labels.update();
  }
  fromHash(true);
  window.addEventListener("hashchange", fromHash);

  /* For tests and benchmarks. */
  window.mapper = {
    map: map, places: ctx.places, articles: ctx.articles, excerpts: ctx.excerpts,
    drawn: layers.drawn, matching: layers.matching, search: search.search, openReader: panel.openReader,
    shading: layers.shadingTotals, basemap: layers.basemap, labels: layers.labels.shown,
    labelMs: layers.labels.ms, hidden: layers.hidden, halo: layers.halo, radius: function (key) {
      var i = ctx.keyIndex[key];
      return layers.radius(layers.counts[i]);
    },
    select: function (key) { panel.select(ctx.keyIndex[key], true); },
    selected: function () {
      return panel.state.selected === null ? null : ctx.places[panel.state.selected].key;
    },
    filter: function () { return panel.state.filter; }
  };
  performance.mark("mapper-ready");
  document.documentElement.dataset.mapperReady = "1";
  requestAnimationFrame(function () {  // markers are drawn in this frame (for benchmarks)
    setTimeout(function () { performance.mark("mapper-painted"); }, 0);
  });
}
