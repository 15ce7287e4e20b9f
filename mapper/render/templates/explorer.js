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
    $("mp-stats").textContent = dom.plural(shown, "place") + " \u00b7 " +
      dom.plural(ctx.articles.length, "article") + " \u00b7 " +
      dom.plural(ctx.excerpts.length, "excerpt") + (panel.filtering() ? " (filtered)" : "");
  }
  updateStats();
  ctx.places.slice(0, 10).forEach(function (p) {
    var li = el("li"), b = el("button", "", p.name);
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
  if (ctx.places.length) {
    map.fitBounds(L.latLngBounds(ctx.places.map(function (p) { return [p.lat, p.lon]; })),
                  { padding: [30, 30], maxZoom: 6, animate: false });
  }
  fromHash(true);
  window.addEventListener("hashchange", fromHash);

  /* For tests and benchmarks. */
  window.mapper = {
    map: map, places: ctx.places, articles: ctx.articles, excerpts: ctx.excerpts,
    drawn: layers.drawn, search: search.search, openReader: panel.openReader,
    shading: layers.shadingTotals,
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
