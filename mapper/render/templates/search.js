/* Place search over names and the gazetteer's alternate names, ignoring case, accents,
 * spaces and punctuation ("Lashkargah" finds "Lashkar Gah"). */
function mapperSearch(ctx, onPick) {
  "use strict";
  var dom = mapperDom, el = dom.el;
  function norm(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, "");
  }
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

  var input = dom.byId("mp-search"), results = dom.byId("mp-results"), hits = [], active = 0;
  function render() {
    dom.clear(results);
    hits.forEach(function (h, j) {
      var li = el("li", j === active ? "active" : "");
      var b = el("button", "", h.p.name);
      b.type = "button";
      b.dataset.place = h.p.key;
      b.appendChild(el("small", "", (h.alias && h.alias !== h.p.name ? " (" + h.alias + ")" : "") +
        " \u00b7 " + ctx.describe(h.p) + " \u00b7 " + dom.plural(h.p.mentions, "mention")));
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
    onPick(h.p.i);
  }
  input.addEventListener("input", function () { hits = search(input.value); active = 0; render(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); pick(active); }
    else if (e.key === "Escape") { results.hidden = true; }
    else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = Math.max(0, Math.min(hits.length - 1, active + (e.key === "ArrowDown" ? 1 : -1)));
      render();
    }
  });
  document.addEventListener("click", function (e) {
    if (!results.contains(e.target) && e.target !== input) results.hidden = true;
  });
  return { search: search, norm: norm };
}
