/* Labels: every drawn place named, and context (countries, provinces, towns no article names)
 * where room is left. A greedy pass over an R-tree (rbush, inlined): the circles go in first,
 * then labels in priority order (the selected place, places by mentions, then context), each
 * trying the four sides of its circle before it is dropped; a dropped label shows when a zoom
 * makes room. Labels are text in the DOM (textContent), placed after every move or zoom. */
function mapperLabels(ctx, cfg, api) {
  "use strict";
  var map = cfg.map, dom = mapperDom, geo = ctx.geo;
  var pane = map.createPane("mapper-labels");
  pane.style.zIndex = 460;
  pane.classList.add("leaflet-zoom-hide");  // no labels in the wrong place while zooming
  var FONTS = {  // must match explorer.css (.mp-label-*)
    place: "600 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    area: "italic 600 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    town: "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    province: "italic 10.5px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    country: "600 10.5px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
  };
  var HEIGHT = { place: 15, area: 15, town: 13, province: 12, country: 12 };
  var SPACING = { country: 1.2 };  // letter-spacing (px) the canvas cannot measure
  var TOWN_DOT = 9;  // the dot and its gap, left of a town's name (padding-left)
  var measurer = document.createElement("canvas").getContext("2d"), widths = {};
  function width(text, style) {
    var key = style + "\n" + text, w = widths[key];
    if (w === undefined) {
      measurer.font = FONTS[style];
      w = widths[key] = Math.ceil(measurer.measureText(text).width +
                                  (SPACING[style] || 0) * text.length) + 4;
    }
    return w;
  }
  var tree = new RBush(16);
  var pool = [], placed = [], lastMs = 0;
  /* One element per shown label, reused. Only article places' labels take clicks. */
  function element(k) {
    var node = pool[k];
    if (!node) {
      node = pool[k] = dom.el("div", "mp-label");
      node.addEventListener("click", function (e) {
        var i = node.dataset.i;
        if (i === undefined || i === "") return;
        L.DomEvent.stop(e);
        api.onClick(+i);
      });
      L.DomEvent.disableClickPropagation(node);
      pane.appendChild(node);
    }
    return node;
  }
  /* Inside the view and clear of every label and of the circles of places with as many
   * mentions or more (boxes that only touch do not collide). The circles of places with
   * fewer that it covers are returned: they give way (null: it does not fit). */
  function fits(box, w, h, own, weight, area) {
    if (box.minX < 0 || box.minY < 0 || box.maxX > w || box.maxY > h) return null;
    var inner = { minX: box.minX + 0.5, minY: box.minY + 0.5, maxX: box.maxX - 0.5,
                  maxY: box.maxY - 0.5 };
    if (!tree.collides(inner)) return [];
    if (own === undefined) return null;
    var hits = tree.search(inner), losers = [];
    for (var k = 0; k < hits.length; k++) {
      var hit = hits[k];
      if (hit.i === own) continue;
      if (hit.i === undefined || hit.n >= weight || hit.i === api.selected() ||
          (area && !hit.area)) return null;  // an area's name never hides a city
      losers.push(hit);
    }
    return losers;
  }
  function add(box, item) {
    tree.insert(box);
    placed.push(item);
  }
  /* The four sides of a circle (right, left, above, below), then its four corners. */
  function sides(x, y, r, w, h) {
    var g = 3, d = 0.7 * r;
    return [[x + r + g, y - h / 2], [x - r - g - w, y - h / 2],
            [x - w / 2, y - r - 1 - h], [x - w / 2, y + r + 1],
            [x + d + 1, y - d - h], [x + d + 1, y + d], [x - d - 1 - w, y - d - h],
            [x - d - 1 - w, y + d]];
  }
  /* The map's controls (zoom, layers, legend...) as boxes no label may go under. */
  function controls() {
    var box = map.getContainer().getBoundingClientRect(), out = [];
    map.getContainer().querySelectorAll(".leaflet-control").forEach(function (c) {
      var r = c.getBoundingClientRect();
      if (!r.width || !r.height) return;
      out.push({ minX: r.left - box.left - 2, minY: r.top - box.top - 2,
                 maxX: r.right - box.left + 2, maxY: r.bottom - box.top + 2 });
    });
    return out;
  }
  /* Places tried in view, at most: past them the view is full (a zoom brings the rest). */
  var TRIES = 600;
  function placeLabels(view) {
    var order = api.order(), sel = api.selected(), tries = 0;
    if (sel !== null) order = [sel].concat(order.filter(function (i) { return i !== sel; }));
    for (var n = 0; n < order.length; n++) {
      var i = order[n], pt = api.isShown(i) ? api.point(i) : null;
      if (!pt) continue;
      if (++tries > TRIES && i !== sel) break;
      var p = ctx.places[i], style = api.group(i) === "city" || api.group(i) === "feature" ?
        "place" : "area";
      var text = ctx.label(p), w = width(text, style), h = HEIGHT[style], r = api.radius(i);
      var choices = sides(pt.x, pt.y, r, w, h), weight = api.weight(i), placedAt = null;
      /* The side that fits and covers fewest smaller circles (none, best). */
      for (var c = 0; c < choices.length; c++) {
        var box = { minX: choices[c][0], minY: choices[c][1],
                    maxX: choices[c][0] + w, maxY: choices[c][1] + h };
        var losers = fits(box, view.x, view.y, i, weight, style === "area");
        if (losers && (!placedAt || losers.length < placedAt.losers.length)) {
          placedAt = { box: box, losers: losers };
          if (!losers.length) break;
        }
      }
      if (!placedAt && i === sel) {  // always shown, at its right
        placedAt = { box: { minX: choices[0][0], minY: choices[0][1],
                            maxX: choices[0][0] + w, maxY: choices[0][1] + h }, losers: [] };
      }
      if (placedAt) {
        placedAt.losers.forEach(function (hit) { tree.remove(hit); api.hide(hit.i); });
        add(placedAt.box, { i: i, kind: style, text: text, box: placedAt.box, selected: i === sel });
      }
    }
  }
  /* Context labels, anchored at a point: centred (countries, provinces) or right of a dot
   * (towns). Lat/lon come in hundredths of a degree. */
  function placeContext(list, style, view, zoom) {
    var origin = map.getPixelOrigin(), pan = map._getMapPanePos();
    for (var n = 0; n < list.length; n++) {
      var row = list[n];
      if (style === "town" && row[3] > zoom) continue;
      var q = map.project([row[1] / 100, row[2] / 100], zoom);
      var x = q.x - origin.x + pan.x, y = q.y - origin.y + pan.y;
      if (x < -50 || y < -20 || x > view.x + 50 || y > view.y + 20) continue;
      var text = style === "country" ? row[0].toUpperCase() : row[0];
      var w = width(text, style) + (style === "town" ? TOWN_DOT : 0), h = HEIGHT[style];
      var box = style === "town" ? { minX: x - 3, minY: y - h / 2, maxX: x - 3 + w, maxY: y + h / 2 }
        : { minX: x - w / 2, minY: y - h / 2, maxX: x + w / 2, maxY: y + h / 2 };
      if (fits(box, view.x, view.y)) add(box, { kind: style, text: text, box: box });
    }
  }
  function draw() {
    var offset = map._getMapPanePos();
    for (var k = 0; k < placed.length; k++) {
      var item = placed[k], node = element(k);
      node.className = "mp-label mp-label-" + item.kind + (item.selected ? " mp-label-selected" : "");
      node.textContent = item.text;
      node.dataset.i = item.i === undefined ? "" : item.i;
      node.hidden = false;
      // The pane moves with the map: its position is the container's minus the pane's offset.
      node.style.left = (item.box.minX - offset.x) + "px";
      node.style.top = (item.box.minY - offset.y) + "px";
    }
    for (var m = placed.length; m < pool.length; m++) pool[m].hidden = true;
  }
  function update() {
    var t0 = performance.now(), view = map.getSize(), zoom = map.getZoom();
    api.restore();
    tree.clear();
    placed = [];
    tree.load(api.circles().concat(controls()));
    placeLabels(view);
    if (zoom <= 4) placeContext(geo.countryLabels || [], "country", view, zoom);
    placeContext(geo.towns || [], "town", view, zoom);
    if (zoom >= 6) placeContext(geo.provinceLabels || [], "province", view, zoom);
    if (zoom === 5 || zoom === 6) placeContext(geo.countryLabels || [], "country", view, zoom);
    draw();
    lastMs = performance.now() - t0;  // placing and writing them into the page
  }
  map.on("moveend resize", update);
  /* Placed again in the next frame (a selection: the panel fills first). */
  var pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; update(); });
  }
  /* The labels as placed, in container pixels (for tests and benchmarks). */
  function shown() {
    return placed.map(function (item) {
      return { key: item.i === undefined ? null : ctx.places[item.i].key, kind: item.kind,
               text: item.text, box: [item.box.minX, item.box.minY, item.box.maxX, item.box.maxY] };
    });
  }
  return { update: update, soon: soon, shown: shown, ms: function () { return lastMs; } };
}
