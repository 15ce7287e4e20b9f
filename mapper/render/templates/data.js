/* The embedded payload (see mapper/render/data.py) as objects with indexes. */
function mapperData() {
  "use strict";
  var raw = JSON.parse(document.getElementById("mapper-data").textContent);
  var geo = JSON.parse(document.getElementById("mapper-geo").textContent);
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
  var dates = articles.map(function (a) { return a.date; }).filter(Boolean).sort();
  return {
    title: raw.title, partial: raw.partial, maxExcerpts: raw.maxExcerpts, geo: geo, places: places, articles: articles,
    excerpts: excerpts, byPlace: byPlace, byArticle: byArticle, keyIndex: keyIndex, dates: dates,
    /* An excerpt's text: a slice of its article, or its own text when it is not one. */
    excerptText: function (ex) {
      return typeof ex.body === "number" ?
        articles[ex.article].text.slice(ex.start, ex.start + ex.body) : ex.body;
    },
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
    describe: function (p) { return [p.kind, p.country].filter(Boolean).join(" \u00b7 "); }
  };
}
