/* Place search over names and the gazetteer's alternate names, ignoring case, accents,
 * spaces and punctuation ("Lashkargah" finds "Lashkar Gah"). */
function mapperSearch(ctx, onPick) {
  "use strict";
  var dom = mapperDom, el = dom.el, norm = dom.norm;
  var names = ctx.places.map(function (p) {
    return [p.name].concat(p.alt).map(function (n) { return [norm(n), n]; });
  });
  /* Best first: exact name, then prefix, then substring; ties by mentions. */
  function search(q) {
    q = norm(q);
    if (!q) return [];
    var hits = [];
    ctx.places.forEach(function (p) {
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
  var input = dom.byId("mp-search");
  dom.picker(input, dom.byId("mp-results"), search, function (h, b) {
    b.textContent = h.p.name;
    b.dataset.place = h.p.key;
    b.appendChild(el("small", "", (h.alias && h.alias !== h.p.name ? " (" + h.alias + ")" : "") +
      " \u00b7 " + ctx.describe(h.p) + " \u00b7 " + dom.plural(h.p.mentions, "mention")));
  }, function (h) {
    input.value = h.p.name;
    onPick(h.p.i);
  }, function (q) {
    if (!norm(q)) return null;
    var known = gazetteerName(q);
    return known ? known + ": in the gazetteer, in no article" :
      "No place named \u201c" + q.trim() + "\u201d in these articles";
  });
  /* Names the gazetteer knows (towns drawn for context, and more), for a search that finds
   * no article place. */
  var gazetteer = null;
  function gazetteerName(q) {
    if (!gazetteer) {
      gazetteer = {};
      (ctx.geo.towns || []).forEach(function (t) { gazetteer[norm(t[0])] = t[0]; });
      (ctx.geo.countryLabels || []).forEach(function (t) { gazetteer[norm(t[0])] = t[0]; });
      (ctx.geo.provinceLabels || []).forEach(function (t) { gazetteer[norm(t[0])] = t[0]; });
      (ctx.geo.names || "").split("|").forEach(function (n) { if (n) gazetteer[norm(n)] = n; });
    }
    return gazetteer[norm(q)] || null;
  }
  return { search: search };
}
