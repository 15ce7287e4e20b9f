/* The legend: kinds, sizes and shading, folded at the bottom right of the map. opts holds
 * the layers' style, names, radius(n), maxMentions, ramp (null: no shading), maxShade and
 * toggled() (the legend covers more or less of the map). */
function mapperLegend(cfg, opts) {
  "use strict";
  var dom = mapperDom, el = dom.el, svg = dom.svg, box = dom.byId("mp-legend");
  var radius = opts.radius, top = opts.maxMentions;
  box.appendChild(el("summary", "", "Legend"));
  box.appendChild(el("h4", "", "Places"));
  ["area", "province", "city", "feature"].forEach(function (g) {
    var row = el("div", "row"), s = opts.style[g], pic = svg("svg", { width: 18, height: 18 });
    pic.appendChild(svg("circle", { cx: 9, cy: 9, r: 6, stroke: s.color, "stroke-width": s.weight,
      fill: s.fillColor, "fill-opacity": s.fillOpacity, "stroke-dasharray": s.dashArray || "none" }));
    row.appendChild(pic);
    row.appendChild(el("span", "", opts.names[g]));
    box.appendChild(row);
  });
  box.appendChild(el("h4", "", "Size: mentions"));
  var sizes = el("div", "row sizes");
  [1, Math.round(top / 4), top].filter(function (v, k, arr) {
    return v > 0 && arr.indexOf(v) === k;
  }).forEach(function (v) {
    var r = radius(v), pic = svg("svg", { width: 2 * r + 4, height: 2 * radius(top) + 4 });
    pic.appendChild(svg("circle", { cx: r + 2, cy: 2 * radius(top) + 2 - r, r: r,
      fill: "none", stroke: "#555" }));
    var item = el("span", "size");
    item.appendChild(pic);
    item.appendChild(el("span", "", String(v)));
    sizes.appendChild(item);
  });
  box.appendChild(sizes);
  if (opts.ramp) {
    box.appendChild(el("h4", "", "Shading: mentions of places inside"));
    var ramp = el("div", "ramp");
    opts.ramp.forEach(function (c) { var sw = el("span"); sw.style.background = c; ramp.appendChild(sw); });
    box.appendChild(ramp);
    var ticks = el("div", "ticks");
    ticks.appendChild(el("span", "", "1"));
    ticks.appendChild(el("span", "", String(opts.maxShade)));
    box.appendChild(ticks);
  }
  var town = el("div", "row"), dot = svg("svg", { width: 18, height: 18 });
  dot.appendChild(svg("circle", { cx: 9, cy: 9, r: 2.5, fill: "#8a8a8a" }));
  town.appendChild(dot);
  town.appendChild(el("span", "", "Town no article names (for orientation)"));
  box.appendChild(town);
  box.addEventListener("toggle", opts.toggled);
  var control = L.control({ position: "bottomright" });
  control.onAdd = function () {
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  control.addTo(cfg.map);
}
