/* mapper explorer: draws the places of the embedded JSON payload and the reading panel.
 * Every string from the data reaches the page through textContent or createTextNode,
 * never innerHTML, so article text, titles and file names are shown, never run. */
function mapperExplorer(cfg) {
  "use strict";
  var map = cfg.map;
  var raw = JSON.parse(document.getElementById("mapper-data").textContent);
  var geo = JSON.parse(document.getElementById("mapper-geo").textContent);
  var $ = function (id) { return document.getElementById(id); };

  var places = raw.places.map(function (r, i) {
    return { i: i, key: r[0], name: r[1], kind: r[2], country: r[3], lat: r[4], lon: r[5],
             mentions: r[6], nArticles: r[7], alt: r[8] };
  });
  var articles = raw.articles.map(function (r, i) {
    return { i: i, id: r[0], title: r[1] || r[0], date: r[2], path: r[3], text: r[4] || "" };
  });
  var excerpts = raw.excerpts.map(function (r) {
    return { place: r[0], article: r[1], start: r[2], body: r[3], marks: r[4] };
  });
  var byPlace = places.map(function () { return []; });
  var byArticle = articles.map(function () { return []; });
  excerpts.forEach(function (ex) { byPlace[ex.place].push(ex); byArticle[ex.article].push(ex); });
  var keyIndex = {};
  places.forEach(function (p) { keyIndex[p.key] = p.i; });

  function excerptText(ex) {
    return typeof ex.body === "number" ?
      articles[ex.article].text.slice(ex.start, ex.start + ex.body) : ex.body;
  }
  function weight(ex) { return Math.max(1, ex.marks.length / 2); }

  /* ---------- DOM helpers (text only) ---------- */
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function appendMarked(node, text, flat, markClass, onMark) {
    var pos = 0;
    for (var k = 0; k + 1 < flat.length; k += 2) {
      var s = flat[k], e = flat[k + 1];
      if (s < pos || e <= s) continue;
      if (s > pos) node.appendChild(document.createTextNode(text.slice(pos, s)));
      var mark = el("mark", markClass ? markClass(k / 2) : "", text.slice(s, e));
      if (onMark) onMark(mark, k / 2);
      node.appendChild(mark);
      pos = e;
    }
    if (pos < text.length) node.appendChild(document.createTextNode(text.slice(pos)));
  }
  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (a) { node.setAttribute(a, attrs[a]); });
    return node;
  }

  /* ---------- panes, basemap and shading ---------- */
  [["mapper-base", 250], ["mapper-shade", 350], ["mapper-places", 450]].forEach(function (p) {
    map.createPane(p[0]).style.zIndex = p[1];
  });
  var LAND = { color: "#8d8d8d", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1 };
  L.geoJSON(geo.countries, {
    renderer: L.canvas({ pane: "mapper-base" }), interactive: false, style: LAND
  }).addTo(cfg.basemap);

  var RAMP = ["#fdeccd", "#fbcb8f", "#f59a5b", "#dc6030", "#a8321a"];
  var shaded = geo.countries.concat(geo.provinces).filter(function (f) {
    return f.properties.mentions > 0;
  });
  var maxShade = shaded.reduce(function (m, f) { return Math.max(m, f.properties.mentions); }, 1);
  function shadeClass(n) {  // log scale, so one hot spot does not wash out the rest
    return Math.min(RAMP.length - 1, Math.floor(RAMP.length * Math.log(n) / Math.log(maxShade + 1)));
  }
  var shadeOpacity = 0.7;
  var shading = L.geoJSON(shaded, {
    renderer: L.canvas({ pane: "mapper-shade" }), interactive: false,
    style: function (f) {
      var province = f.properties.code.indexOf("-") > 0;
      return { color: province ? "#7a4a2a" : "#6b6b6b", weight: province ? 0.8 : 0.6,
               dashArray: province ? "3 2" : null,
               fillColor: RAMP[shadeClass(f.properties.mentions)], fillOpacity: shadeOpacity };
    }
  }).addTo(cfg.shading);
  map.on("baselayerchange", function (e) {
    shadeOpacity = e.layer === cfg.tiles ? 0.35 : 0.7;
    shading.setStyle({ fillOpacity: shadeOpacity });
  });

  /* ---------- places ---------- */
  var KIND_GROUP = { continent: "area", region: "area", country: "area", admin1: "province",
                     admin2: "province", city: "city", feature: "feature" };
  var STYLE = {
    area: { color: "#54358f", fillColor: "#8e6cc9", fillOpacity: 0.18, weight: 2.2, dashArray: null },
    province: { color: "#17609c", fillColor: "#4a90d0", fillOpacity: 0.28, weight: 2, dashArray: "4 3" },
    city: { color: "#7d2c00", fillColor: "#f07c24", fillOpacity: 0.85, weight: 1, dashArray: null },
    feature: { color: "#1e6b33", fillColor: "#3fae5a", fillOpacity: 0.85, weight: 1, dashArray: null }
  };
  var LABEL = { area: "Country, region", province: "Province, district", city: "City, town",
                feature: "Other place" };
  var DRAW_ORDER = { area: 0, province: 1, city: 2, feature: 2 };
  var maxMentions = places.reduce(function (m, p) { return Math.max(m, p.mentions); }, 1);
  function radius(n) { return 4 + 20 * Math.sqrt(n / maxMentions); }
  function group(p) { return KIND_GROUP[p.kind] || "feature"; }

  var renderer = L.canvas({ pane: "mapper-places", padding: 0.2 });
  var counts = places.map(function (p) { return p.mentions; });
  var markers = [];
  places.slice().sort(function (a, b) {
    return DRAW_ORDER[group(a)] - DRAW_ORDER[group(b)] || b.mentions - a.mentions || a.i - b.i;
  }).forEach(function (p) {
    var m = L.circleMarker([p.lat, p.lon], L.extend({ renderer: renderer, pane: "mapper-places",
      radius: radius(p.mentions) }, STYLE[group(p)]));
    m.bindTooltip(function () {
      var tip = el("div", "mp-tip");
      tip.appendChild(el("strong", "", p.name));
      tip.appendChild(document.createTextNode(" \u2014 " + counts[p.i] + " mention" +
        (counts[p.i] === 1 ? "" : "s")));
      return tip;
    }, { direction: "top", offset: [0, -4] });
    m.on("click", function () { select(p.i, { move: false }); });
    markers[p.i] = m;
    m.addTo(cfg.places);
  });
  var halo = L.circleMarker([0, 0], { renderer: renderer, pane: "mapper-places", radius: 8,
    color: "#111", weight: 3, fill: false, interactive: false });

  /* ---------- filters ---------- */
  var filter = { article: null, from: "", to: "" };
  function passes(ex) {
    if (filter.article !== null && ex.article !== filter.article) return false;
    if (filter.from || filter.to) {
      var d = articles[ex.article].date;
      if (!d || (filter.from && d < filter.from) || (filter.to && d > filter.to)) return false;
    }
    return true;
  }
  function filtering() { return filter.article !== null || !!filter.from || !!filter.to; }
  function applyFilters() {
    var on = filtering();
    places.forEach(function (p) {
      var n = on ? byPlace[p.i].filter(passes).reduce(function (s, ex) { return s + weight(ex); }, 0)
                 : p.mentions;
      counts[p.i] = n;
      var m = markers[p.i];
      if (n > 0) { m.setRadius(radius(n)); if (!cfg.places.hasLayer(m)) m.addTo(cfg.places); }
      else if (cfg.places.hasLayer(m)) cfg.places.removeLayer(m);
    });
    $("mp-reset").hidden = !on;
    updateStats();
    if (selected !== null) showPlace(selected);
  }
  var articleSelect = $("mp-article");
  articles.slice().sort(byDateDesc).forEach(function (a) {
    var label = (a.date ? a.date + " \u2014 " : "") + a.title;
    var opt = el("option", "", label.length > 90 ? label.slice(0, 89) + "\u2026" : label);
    opt.value = String(a.i);
    opt.title = a.path;
    articleSelect.appendChild(opt);
  });
  articleSelect.addEventListener("change", function () {
    filter.article = articleSelect.value === "" ? null : Number(articleSelect.value);
    applyFilters();
  });
  var dates = articles.map(function (a) { return a.date; }).filter(Boolean).sort();
  if (dates.length) {
    $("mp-dates").hidden = false;
    ["mp-from", "mp-to"].forEach(function (id) {
      var input = $(id);
      input.min = dates[0]; input.max = dates[dates.length - 1];
      input.addEventListener("change", function () {
        filter[id === "mp-from" ? "from" : "to"] = input.value;
        applyFilters();
      });
    });
  }
  $("mp-reset").addEventListener("click", function () {
    filter = { article: null, from: "", to: "" };
    articleSelect.value = ""; $("mp-from").value = ""; $("mp-to").value = "";
    applyFilters();
  });

  /* ---------- panel: one place ---------- */
  var selected = null;
  function byDateDesc(a, b) {
    if (a.date !== b.date) {
      if (!a.date) return 1;
      if (!b.date) return -1;
      return a.date < b.date ? 1 : -1;
    }
    return a.title < b.title ? -1 : a.title > b.title ? 1 : a.i - b.i;
  }
  function show(section) {
    ["mp-intro", "mp-place", "mp-reader"].forEach(function (id) { $(id).hidden = id !== section; });
  }
  function describe(p) {
    return [p.kind, p.country].filter(Boolean).join(" \u00b7 ");
  }
  function showPlace(i) {
    var p = places[i];
    var list = byPlace[i].filter(passes);
    var groups = {};
    list.forEach(function (ex) { (groups[ex.article] = groups[ex.article] || []).push(ex); });
    var order = Object.keys(groups).map(function (a) { return articles[a]; }).sort(byDateDesc);
    $("mp-place-name").textContent = p.name;
    var n = list.reduce(function (s, ex) { return s + weight(ex); }, 0);
    $("mp-place-meta").textContent = describe(p) + " \u00b7 " + n + " mention" +
      (n === 1 ? "" : "s") + " in " + order.length + " article" + (order.length === 1 ? "" : "s") +
      (filtering() ? " (filtered)" : "");
    drawChart(list);
    var box = $("mp-groups");
    clear(box);
    order.forEach(function (a) {
      var g = el("article", "mp-group");
      g.dataset.article = a.id;
      g.appendChild(el("h3", "", a.title));
      g.appendChild(el("p", "mp-muted", [a.date || "undated", a.path].join(" \u00b7 ")));
      groups[a.i].sort(function (x, y) { return x.start - y.start; }).forEach(function (ex) {
        var para = el("p", "mp-excerpt");
        appendMarked(para, excerptText(ex), ex.marks);
        g.appendChild(para);
      });
      var read = el("button", "mp-link mp-read", "Read the article");
      read.type = "button";
      read.addEventListener("click", function () { openReader(a.i, i); });
      g.appendChild(read);
      box.appendChild(g);
    });
    show("mp-place");
  }
  function select(i, opts) {
    opts = opts || {};
    selected = i;
    var p = places[i];
    halo.setLatLng([p.lat, p.lon]).setRadius(radius(Math.max(counts[i], 1)) + 4);
    if (!map.hasLayer(halo)) halo.addTo(map);
    if (opts.move) {
      var zoom = { area: 5, province: 7, city: 9, feature: 9 }[group(p)];
      map.setView([p.lat, p.lon], Math.max(map.getZoom(), zoom));
    }
    showPlace(i);
    $("mapper-panel").scrollTop = 0;
    setHash("place=" + encodeURIComponent(p.key));
  }
  function setHash(h) {
    if (location.hash === "#" + h) return;
    try { history.replaceState(null, "", "#" + h); } catch (err) { location.hash = h; }
  }

  /* ---------- chart of mentions over time ---------- */
  var span = dates.length ? (Date.parse(dates[dates.length - 1]) - Date.parse(dates[0])) / 864e5 : 0;
  var bucketLength = span <= 120 ? 10 : span <= 1900 ? 7 : 4;  // day, month or year
  function drawChart(list) {
    var box = $("mp-chart");
    clear(box);
    var tally = {};
    list.forEach(function (ex) {
      var d = articles[ex.article].date;
      if (d) tally[d.slice(0, bucketLength)] = (tally[d.slice(0, bucketLength)] || 0) + weight(ex);
    });
    var keys = Object.keys(tally).sort();
    if (!keys.length) return;
    var all = dates.map(function (d) { return d.slice(0, bucketLength); })
      .filter(function (d, k, arr) { return k === 0 || arr[k - 1] !== d; });
    var top = keys.reduce(function (m, k) { return Math.max(m, tally[k]); }, 1);
    var W = 360, H = 64, bw = Math.max(2, Math.min(24, (W - 4) / all.length - 2));
    var chart = svg("svg", { width: W, height: H + 14, role: "img" });
    chart.appendChild(svg("title")).textContent = "Mentions over time";
    all.forEach(function (k, j) {
      var v = tally[k] || 0, h = v ? Math.max(2, H * v / top) : 0;
      var x = all.length === 1 ? W / 2 - bw / 2 : 2 + j * (W - 4 - bw) / (all.length - 1);
      var bar = svg("rect", { x: x.toFixed(1), y: (H - h).toFixed(1), width: bw.toFixed(1),
        height: h.toFixed(1), fill: "#e0702b" });
      bar.appendChild(svg("title")).textContent = k + ": " + v;
      chart.appendChild(bar);
    });
    chart.appendChild(svg("line", { x1: 0, x2: W, y1: H + 0.5, y2: H + 0.5, stroke: "#999" }));
    chart.appendChild(svg("text", { x: 0, y: H + 12 })).textContent = all[0];
    if (all.length > 1) {
      chart.appendChild(svg("text", { x: W, y: H + 12, "text-anchor": "end" })).textContent =
        all[all.length - 1];
    }
    box.appendChild(chart);
  }

  /* ---------- reader ---------- */
  function openReader(ai, focus) {
    var a = articles[ai];
    $("mp-reader-title").textContent = a.title;
    $("mp-reader-meta").textContent = [a.date || "undated", a.path].join(" \u00b7 ");
    var box = $("mp-reader-text");
    clear(box);
    var spans = [];
    byArticle[ai].forEach(function (ex) {
      if (typeof ex.body !== "number" &&
          a.text.slice(ex.start, ex.start + ex.body.length) !== ex.body) return;
      for (var k = 0; k + 1 < ex.marks.length; k += 2) {
        spans.push([ex.start + ex.marks[k], ex.start + ex.marks[k + 1], ex.place]);
      }
    });
    spans.sort(function (x, y) { return x[0] - y[0] || y[1] - x[1]; });
    var flat = [], owners = [], end = 0;
    spans.forEach(function (s) {
      if (s[0] >= end) { flat.push(s[0], s[1]); owners.push(s[2]); end = s[1]; }
    });
    appendMarked(box, a.text, flat, function (k) {
      return owners[k] === focus ? "mp-here" : "";
    }, function (mark, k) {
      var p = places[owners[k]];
      mark.title = p.name + " (" + describe(p) + ")";
      mark.dataset.place = p.key;
      mark.addEventListener("click", function () { select(p.i, { move: true }); });
    });
    show("mp-reader");
    var first = box.querySelector("mark.mp-here");
    $("mapper-panel").scrollTop = 0;
    if (first) first.scrollIntoView({ block: "center" });
  }
  $("mp-back").addEventListener("click", function () {
    if (selected !== null) showPlace(selected); else show("mp-intro");
  });

  /* ---------- search ---------- */
  function norm(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, "");
  }
  var names = places.map(function (p) {
    return [p.name].concat(p.alt).map(function (n) { return [norm(n), n]; });
  });
  function search(q) {
    q = norm(q);
    if (!q) return [];
    var hits = [];
    places.forEach(function (p) {
      var best = null;
      names[p.i].forEach(function (pair, j) {
        var at = pair[0].indexOf(q);
        if (at < 0) return;
        var score = pair[0] === q ? 0 : at === 0 ? 1 : 2;
        if (!best || score < best.score) best = { score: score, alias: j ? pair[1] : null };
      });
      if (best) hits.push({ p: p, score: best.score, alias: best.alias });
    });
    hits.sort(function (x, y) { return x.score - y.score || y.p.mentions - x.p.mentions; });
    return hits.slice(0, 12);
  }
  var input = $("mp-search"), results = $("mp-results"), hits = [], active = 0;
  function showResults() {
    clear(results);
    hits.forEach(function (h, j) {
      var li = el("li", j === active ? "active" : "");
      var b = el("button", "", h.p.name);
      b.type = "button";
      b.dataset.place = h.p.key;
      var note = (h.alias ? " (" + h.alias + ")" : "") + " \u00b7 " + describe(h.p) +
        " \u00b7 " + h.p.mentions;
      b.appendChild(el("small", "", note));
      b.addEventListener("click", function () { pick(j); });
      li.appendChild(b);
      results.appendChild(li);
    });
    results.hidden = !hits.length;
  }
  function pick(j) {
    var h = hits[j];
    if (!h) return;
    results.hidden = true;
    input.value = h.p.name;
    select(h.p.i, { move: true });
  }
  input.addEventListener("input", function () { hits = search(input.value); active = 0; showResults(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); pick(active); }
    else if (e.key === "Escape") { results.hidden = true; }
    else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = Math.max(0, Math.min(hits.length - 1, active + (e.key === "ArrowDown" ? 1 : -1)));
      showResults();
    }
  });

  /* ---------- header, intro, legend ---------- */
  $("mp-title").textContent = raw.title;
  function updateStats() {
    var shown = places.filter(function (p) { return counts[p.i] > 0; }).length;
    $("mp-stats").textContent = shown + " places \u00b7 " + articles.length + " articles \u00b7 " +
      excerpts.length + " excerpts" + (filtering() ? " (filtered)" : "");
  }
  var topList = $("mp-top");
  places.slice(0, 10).forEach(function (p) {
    var li = el("li");
    var b = el("button", "", p.name);
    b.type = "button";
    b.addEventListener("click", function () { select(p.i, { move: true }); });
    li.appendChild(b);
    li.appendChild(el("small", "", " " + p.mentions));
    topList.appendChild(li);
  });
  function legend() {
    var box = $("mp-legend");
    box.appendChild(el("h4", "", "Places (size: mentions)"));
    ["area", "province", "city", "feature"].forEach(function (g) {
      var row = el("div", "row"), s = STYLE[g], pic = svg("svg", { width: 18, height: 18 });
      pic.appendChild(svg("circle", { cx: 9, cy: 9, r: 6, stroke: s.color, "stroke-width": s.weight,
        fill: s.fillColor, "fill-opacity": s.fillOpacity, "stroke-dasharray": s.dashArray || "none" }));
      row.appendChild(pic);
      row.appendChild(el("span", "", LABEL[g]));
      box.appendChild(row);
    });
    var sizes = el("div", "row"), pic = svg("svg", { width: 80, height: 50 }), x = 2;
    [1, Math.round(maxMentions / 4), maxMentions].filter(function (v, k, arr) {
      return v > 0 && arr.indexOf(v) === k;
    }).forEach(function (v) {
      var r = radius(v);
      pic.appendChild(svg("circle", { cx: x + r, cy: 48 - r, r: r, fill: "none", stroke: "#555" }));
      sizes.appendChild(document.createTextNode(""));
      x += 2 * r + 3;
      pic.setAttribute("width", x);
      var label = pic.appendChild(svg("title"));
      label.textContent = (label.textContent ? label.textContent + ", " : "") + v;
    });
    sizes.appendChild(pic);
    sizes.appendChild(el("span", "", "1 \u2026 " + maxMentions + " mentions"));
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
    control.onAdd = function () { L.DomEvent.disableClickPropagation(box); return box; };
    control.addTo(map);
  }
  legend();
  updateStats();

  /* ---------- first view and shareable links ---------- */
  function fromHash() {
    var m = /^#place=(.+)$/.exec(location.hash);
    if (!m) return false;
    var i = keyIndex[decodeURIComponent(m[1])];
    if (i === undefined) return false;
    if (selected !== i) select(i, { move: true });
    return true;
  }
  if (places.length) {
    map.fitBounds(L.latLngBounds(places.map(function (p) { return [p.lat, p.lon]; })),
                  { padding: [30, 30], maxZoom: 7 });
  }
  fromHash();
  window.addEventListener("hashchange", fromHash);

  window.mapper = {
    map: map, places: places, articles: articles, excerpts: excerpts,
    select: function (key) { select(keyIndex[key], { move: true }); },
    drawn: function () { return cfg.places.getLayers().length; },
    selected: function () { return selected === null ? null : places[selected].key; },
    search: search, openReader: openReader, filter: function () { return filter; }
  };
  document.documentElement.dataset.mapperReady = "1";
}
