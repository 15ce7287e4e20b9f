/* The embedded payload (see mapper/render/data.py) as objects with indexes. */
function mapperData() {
  "use strict";
  var raw = JSON.parse(document.getElementById("mapper-data").textContent);
  var geo = JSON.parse(document.getElementById("mapper-geo").textContent);
  /* Geometry comes as flat integer deltas in hundredths of a degree (mapper/render/encoding.py). */
  function line(flat) {
    var out = new Array(flat.length / 2), x = 0, y = 0;
    for (var k = 0; k < flat.length; k += 2) {
      x += flat[k]; y += flat[k + 1];
      out[k / 2] = [x / 100, y / 100];
    }
    return out;
  }
  var DEPTH = { LineString: 0, MultiLineString: 1, Polygon: 1, MultiPolygon: 2 };
  function decode(g) {
    function walk(c, d) { return d ? c.map(function (x) { return walk(x, d - 1); }) : line(c); }
    return { type: g.type, coordinates: walk(g.coordinates, DEPTH[g.type]) };
  }
  ["countries", "provinces"].forEach(function (k) {
    (geo[k] || []).forEach(function (f) { f.geometry = decode(f.geometry); });
  });
  ["rivers", "lakes", "provinceBorders"].forEach(function (k) {
    geo[k] = (geo[k] || []).map(function (g) {
      return { type: "Feature", properties: {}, geometry: decode(g) };
    });
  });
  var places = raw.places.map(function (r, i) {
    return { i: i, key: r[0], name: r[1], kind: r[2], country: r[3], lat: r[4], lon: r[5],
             mentions: r[6], nArticles: r[7], alt: r[8], omitted: r[9] || 0 };
  });
  var articles = raw.articles.map(function (r, i) {
    return { i: i, id: r[0], title: r[1] || r[0], date: r[2], text: r[3] || "",
             outlet: r[4] || "", url: /^https?:\/\//i.test(r[5] || "") ? r[5] : "",
             pages: r[6] || [] };
  });
  var excerpts = raw.excerpts.map(function (r) {
    return { place: r[0], article: r[1], start: r[2], body: r[3], marks: r[4] };
  });
  var byPlace = places.map(function () { return []; });
  var byArticle = articles.map(function () { return []; });
  excerpts.forEach(function (ex) { byPlace[ex.place].push(ex); byArticle[ex.article].push(ex); });
  var keyIndex = {};
  places.forEach(function (p) { keyIndex[p.key] = p.i; });
  /* A place's label: the spelling its excerpts use most ("Kandahar", not the gazetteer's
   * "Kandahār"), among those that are its name or an alternate (not a demonym, "Afghan"). */
  var labels = [], GENERIC = /\s+(province|district|governorate|region|state)$/i;
  function label(p) {
    if (labels[p.i] !== undefined) return labels[p.i];
    var known = {}, tally = {}, best = p.name, most = 0;
    [p.name].concat(p.alt).forEach(function (n) { known[mapperDom.norm(n)] = true; });
    byPlace[p.i].forEach(function (ex) {
      var text = excerptText(ex);
      for (var k = 0; k + 1 < ex.marks.length; k += 2) {
        var s = text.slice(ex.marks[k], ex.marks[k + 1]).replace(GENERIC, "");
        if (!known[mapperDom.norm(s)] || s === s.toUpperCase()) continue;
        tally[s] = (tally[s] || 0) + 1;
        if (tally[s] > most || (tally[s] === most && s === p.name)) { most = tally[s]; best = s; }
      }
    });
    labels[p.i] = best;
    return best;
  }
  function excerptText(ex) {
    return typeof ex.body === "number" ?
      articles[ex.article].text.slice(ex.start, ex.start + ex.body) : ex.body;
  }
  var dates = articles.map(function (a) { return a.date; }).filter(Boolean).sort();
  return {
    title: raw.title, partial: raw.partial, maxExcerpts: raw.maxExcerpts, geo: geo, places: places, articles: articles,
    excerpts: excerpts, byPlace: byPlace, byArticle: byArticle, keyIndex: keyIndex, dates: dates,
    /* An excerpt's text: a slice of its article, or its own text when it is not one. */
    excerptText: excerptText,
    label: label,
    /* Mentions an excerpt stands for: its marks (at least one). */
    weight: function (ex) { return Math.max(1, ex.marks.length / 2); },
    /* Newest first, undated last, then by title. */
    byDateDesc: function (a, b) {
      if (a.date !== b.date) {
        if (!a.date) return 1;
        if (!b.date) return -1;
        return a.date < b.date ? 1 : -1;
      }
      return a.title < b.title ? -1 : a.title > b.title ? 1 : a.i - b.i;
    },
    /* "province" for admin1, "district" for admin2... (what "Also here" says of a place). */
    kindWord: function (p) {
      return { admin1: "province", admin2: "district", feature: "place" }[p.kind] || p.kind;
    },
    describe: function (p) { return [p.kind, p.country].filter(Boolean).join(" \u00b7 "); }
  };
}
