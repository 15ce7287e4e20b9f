/* The side panel: filters, one place's excerpts grouped by article, the mentions-over-time
 * chart and the reader view of a whole article. */
function mapperPanel(ctx, layers, hooks) {
  "use strict";
  var dom = mapperDom, el = dom.el, $ = dom.byId;
  var articles = ctx.articles, places = ctx.places;
  var state = { selected: null, filter: { article: null, source: null, from: "", to: "" } };
  /* An article's source: the outlet its page or feed names, else the folder its id starts
   * with ("reuters/2021/x.txt" -> "reuters", shown as "reuters/"). */
  function source(a) {
    if (a.outlet) return a.outlet;
    var k = a.id.indexOf("/");
    return k > 0 ? a.id.slice(0, k) : null;
  }
  var folders = {};
  function sourceLabel(s) { return folders[s] ? s + "/" : s; }
  /* The line under an article's title: date, outlet, file. */
  function about(a) { return [a.date || "undated", a.outlet, a.id].filter(Boolean).join(" \u00b7 "); }
  /* A link to the article's original page (only http/https addresses reach here). */
  function original(a) {
    var link = el("a", "mp-link mp-original", "Original at " + (a.outlet || hostOf(a.url)) + " \u2197");
    link.href = a.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }
  /* The page (from 1) of a PDF that offset `at` of its text is on. */
  function pageOf(a, at) {
    var n = 0;
    while (n < a.pages.length && a.pages[n] <= at) n++;
    return Math.max(n, 1);
  }
  function hostOf(url) { try { return new URL(url).host; } catch (e) { return url; } }

  /* ---------- filters ---------- */
  function articlePasses(a) {
    var f = state.filter;
    if (f.article !== null && a.i !== f.article) return false;
    if (f.source !== null && source(a) !== f.source) return false;
    if (f.from || f.to) {
      var d = a.date;
      if (!d || (f.from && d < f.from) || (f.to && d > f.to)) return false;
    }
    return true;
  }
  function passes(ex) { return articlePasses(articles[ex.article]); }
  function filtering() {
    var f = state.filter;
    return f.article !== null || f.source !== null || !!f.from || !!f.to;
  }
  function total(list) { return list.reduce(function (s, ex) { return s + ctx.weight(ex); }, 0); }
  function applyFilters() {
    var on = filtering();
    layers.setCounts(places.map(function (p) {
      return on ? total(ctx.byPlace[p.i].filter(passes)) : p.mentions;
    }));
    $("mp-reset").hidden = !on;
    hooks.changed();
    if (state.selected !== null && !$("mp-place").hidden) showPlace(state.selected);
  }
  /* Article or source filter: type-ahead over sources (top folders), titles and file names
   * (a <select> of 10,000 options costs half a second of layout on load). */
  var articleInput = $("mp-article");
  var articleKeys = articles.map(function (a) { return dom.norm(a.title) + "\n" + dom.norm(a.id); });
  var newestFirst = articles.slice().sort(ctx.byDateDesc);
  var sources = {};
  articles.forEach(function (a) {
    var s = source(a);
    if (s !== null) sources[s] = (sources[s] || 0) + 1;
    if (s !== null && !a.outlet) folders[s] = true;
  });
  var sourceNames = Object.keys(sources).sort();
  function findArticles(q) {
    q = dom.norm(q);
    if (!q) return [];
    var hits = sourceNames.filter(function (s) { return dom.norm(s).indexOf(q) >= 0; })
      .slice(0, 4).map(function (s) { return { source: s }; });
    return hits.concat(newestFirst.filter(function (a) {
      return articleKeys[a.i].indexOf(q) >= 0;
    }).slice(0, 12 - hits.length));
  }
  dom.picker(articleInput, $("mp-article-results"), findArticles, function (a, b) {
    if (a.source !== undefined) {
      b.textContent = sourceLabel(a.source);
      b.dataset.source = a.source;
      b.appendChild(el("small", "", " \u00b7 source \u00b7 " + dom.plural(sources[a.source], "article")));
      return;
    }
    b.textContent = a.title;
    b.dataset.article = a.id;
    b.appendChild(el("small", "", " \u00b7 " + about(a)));
  }, function (a) {
    var isSource = a.source !== undefined;
    articleInput.value = isSource ? sourceLabel(a.source) : a.title;
    state.filter.article = isSource ? null : a.i;
    state.filter.source = isSource ? a.source : null;
    applyFilters();
  });
  articleInput.addEventListener("input", function () {
    if (!articleInput.value && (state.filter.article !== null || state.filter.source !== null)) {
      state.filter.article = null;
      state.filter.source = null;
      applyFilters();
    }
  });
  if (ctx.dates.length) {
    $("mp-dates").hidden = false;
    ["mp-from", "mp-to"].forEach(function (id) {
      var input = $(id);
      input.min = ctx.dates[0];
      input.max = ctx.dates[ctx.dates.length - 1];
      input.addEventListener("change", function () {
        state.filter[id === "mp-from" ? "from" : "to"] = input.value;
        applyFilters();
      });
    });
  }
  $("mp-reset").addEventListener("click", function () {
    state.filter = { article: null, source: null, from: "", to: "" };
    articleInput.value = "";
    $("mp-from").value = "";
    $("mp-to").value = "";
    applyFilters();
  });

  /* ---------- one place ---------- */
  var PAGE = 50;  // article groups drawn at once; the rest behind a button
  function show(section) {
    ["mp-intro", "mp-place", "mp-reader"].forEach(function (id) { $(id).hidden = id !== section; });
  }
  function group(a, list, i) {
    var g = el("article", "mp-group");
    g.dataset.article = a.id;
    g.appendChild(el("h3", "", a.title));
    g.appendChild(el("p", "mp-muted", about(a)));
    list.sort(function (x, y) { return x.start - y.start; }).forEach(function (ex) {
      var para = el("p", "mp-excerpt");
      if (a.pages.length && typeof ex.body === "number") {
        para.appendChild(el("span", "mp-page", "p. " + pageOf(a, ex.start)));
      }
      dom.appendMarked(para, ctx.excerptText(ex), ex.marks);
      g.appendChild(para);
    });
    var read = el("button", "mp-link mp-read", ctx.partial ? "Read its passages" : "Read the article");
    read.type = "button";
    read.addEventListener("click", function () { openReader(a.i, i); });
    g.appendChild(read);
    if (a.url) g.appendChild(original(a));
    return g;
  }
  function showPlace(i) {
    var p = places[i], list = ctx.byPlace[i].filter(passes), groups = {};
    list.forEach(function (ex) { (groups[ex.article] = groups[ex.article] || []).push(ex); });
    var order = Object.keys(groups).map(function (a) { return articles[a]; }).sort(ctx.byDateDesc);
    $("mp-place-name").textContent = p.name;
    $("mp-place-meta").textContent = ctx.describe(p) + " \u00b7 " + (list.length ?
      dom.plural(total(list), "mention") + " in " + dom.plural(order.length, "article") +
      (filtering() ? " (filtered)" : "") : "no mention in the articles the filters keep");
    /* The page embeds only the newest excerpts of a much-mentioned place: say so, and where
     * the rest are. */
    var capped = $("mp-capped");
    capped.hidden = !p.omitted;
    capped.textContent = p.omitted ? "Showing " + dom.plural(total(ctx.byPlace[i]), "mention") +
      " of " + p.mentions.toLocaleString("en") + ", from the newest articles \u2014 all are in " +
      "mentions.csv and places.gpkg." : "";
    drawChart(list);
    var box = $("mp-groups");
    dom.clear(box);
    function more(from) {
      order.slice(from, from + PAGE).forEach(function (a) { box.appendChild(group(a, groups[a.i], i)); });
      if (from + PAGE < order.length) {
        var b = el("button", "mp-link mp-more", "Show " + dom.plural(order.length - from - PAGE, "more article"));
        b.type = "button";
        b.addEventListener("click", function () { box.removeChild(b); more(from + PAGE); });
        box.appendChild(b);
      }
    }
    more(0);
    sameName(i).forEach(function (j) { box.appendChild(namesake(j)); });
    show("mp-place");
  }
  /* Places of the same name ("Kandahar" the city and "Kandahar province"): news uses one
   * name for both, so a reader clicking either wants the other's excerpts too. */
  var byName = null;
  function sameName(i) {
    if (!byName) {
      byName = {};
      places.forEach(function (p, j) { (byName[dom.norm(p.name)] = byName[dom.norm(p.name)] || []).push(j); });
    }
    return byName[dom.norm(places[i].name)].filter(function (j) { return j !== i; });
  }
  function namesake(j) {
    var list = ctx.byPlace[j].filter(passes), groups = {};
    var section = el("section", "mp-namesake");
    list.forEach(function (ex) { (groups[ex.article] = groups[ex.article] || []).push(ex); });
    var order = Object.keys(groups).map(function (a) { return articles[a]; }).sort(ctx.byDateDesc);
    var head = el("button", "mp-link mp-namesake-head",
                  "Also named " + places[j].name + ": " + ctx.describe(places[j]) + " \u00b7 " +
                  dom.plural(order.length, "article"));
    head.type = "button";
    head.dataset.place = places[j].key;
    head.addEventListener("click", function () { select(j, true); });
    section.appendChild(head);
    order.slice(0, PAGE).forEach(function (a) { section.appendChild(group(a, groups[a.i], j)); });
    return section;
  }
  /* Other places under the clicked point, as links. */
  function showAlso(i, others) {
    var box = $("mp-also");
    dom.clear(box);
    others = (others || []).filter(function (j) { return j !== i; });
    box.hidden = !others.length;
    if (!others.length) return;
    box.appendChild(document.createTextNode("Also here: "));
    others.forEach(function (j) {
      var b = el("button", "mp-link", ctx.label(places[j]) + " \u00b7 " + ctx.kindWord(places[j]));
      b.type = "button";
      b.dataset.place = places[j].key;
      b.title = ctx.describe(places[j]);
      b.addEventListener("click", function () { select(j, false, others.concat([i])); });
      box.appendChild(b);
    });
  }
  function select(i, move, others) {
    state.selected = i;
    showAlso(i, others);
    layers.highlight(i);
    if (move) layers.focus(i, move !== "now");
    showPlace(i);
    $("mapper-panel").scrollTop = 0;
    hooks.selected(places[i]);
  }

  /* ---------- mentions over time (day, month or year bars over the corpus' dates) ---------- */
  var dates = ctx.dates;
  var span = dates.length ? (Date.parse(dates[dates.length - 1]) - Date.parse(dates[0])) / 864e5 : 0;
  var cut = span <= 92 ? 10 : span <= 1900 ? 7 : 4;
  var buckets = dates.map(function (d) { return d.slice(0, cut); })
    .filter(function (d, k, arr) { return k === 0 || arr[k - 1] !== d; });
  function drawChart(list) {
    var box = $("mp-chart"), tally = {}, any = false;
    dom.clear(box);
    list.forEach(function (ex) {
      var d = articles[ex.article].date;
      if (!d) return;
      any = true;
      tally[d.slice(0, cut)] = (tally[d.slice(0, cut)] || 0) + ctx.weight(ex);
    });
    if (!any) return;
    var top = Math.max.apply(null, Object.keys(tally).map(function (k) { return tally[k]; }));
    var W = 360, H = 56, n = buckets.length, bw = Math.max(2, Math.min(24, (W - 4) / n - 2));
    var chart = dom.svg("svg", { width: W, height: H + 14, role: "img", "aria-label": "Mentions over time" });
    buckets.forEach(function (k, j) {
      var v = tally[k] || 0, h = v ? Math.max(2, H * v / top) : 0;
      var x = n === 1 ? W / 2 - bw / 2 : 2 + j * (W - 4 - bw) / (n - 1);
      var bar = dom.svg("rect", { x: x.toFixed(1), y: (H - h).toFixed(1), width: bw.toFixed(1),
        height: h.toFixed(1), fill: "#e0702b" });
      bar.appendChild(dom.svg("title")).textContent = k + ": " + dom.plural(v, "mention");
      chart.appendChild(bar);
    });
    chart.appendChild(dom.svg("line", { x1: 0, x2: W, y1: H + 0.5, y2: H + 0.5, stroke: "#999" }));
    chart.appendChild(dom.svg("text", { x: 0, y: H + 12 })).textContent = buckets[0];
    if (n > 1) {
      chart.appendChild(dom.svg("text", { x: W, y: H + 12, "text-anchor": "end" })).textContent =
        buckets[n - 1];
    }
    box.appendChild(chart);
  }

  /* ---------- reader: the article with every mentioned place marked and clickable ---------- */
  function openReader(ai, focus) {
    var a = articles[ai], spans = [], flat = [], owners = [], end = 0;
    $("mp-reader-title").textContent = a.title;
    var meta = $("mp-reader-meta");
    meta.textContent = about(a) +
      (ctx.partial ? " \u00b7 passages that name places (the corpus is too large to embed whole)" : "");
    if (a.url) meta.appendChild(original(a));
    ctx.byArticle[ai].forEach(function (ex) {
      if (typeof ex.body !== "number") return;  // not a slice of the text: nothing to mark
      for (var k = 0; k + 1 < ex.marks.length; k += 2) {
        spans.push([ex.start + ex.marks[k], ex.start + ex.marks[k + 1], ex.place]);
      }
    });
    spans.sort(function (x, y) { return x[0] - y[0] || y[1] - x[1]; });
    spans.forEach(function (s) {
      if (s[0] >= end) { flat.push(s[0], s[1]); owners.push(s[2]); end = s[1]; }
    });
    var box = $("mp-reader-text");
    dom.clear(box);
    box.dataset.article = a.id;
    dom.appendMarked(box, a.text, flat, function (k) {
      return owners[k] === focus ? "mp-here" : "";
    }, function (mark, k) {
      var p = places[owners[k]];
      mark.title = p.name + " (" + ctx.describe(p) + ")";
      mark.dataset.place = p.key;
      mark.tabIndex = 0;
      mark.addEventListener("click", function () { select(p.i, true); });
    });
    show("mp-reader");
    $("mapper-panel").scrollTop = 0;
    var first = box.querySelector("mark.mp-here");
    if (first) first.scrollIntoView({ block: "center" });
  }
  $("mp-close").addEventListener("click", function () {
    state.selected = null;
    layers.unhighlight();
    show("mp-intro");
    hooks.selected(null);
  });
  $("mp-back").addEventListener("click", function () {
    if (state.selected !== null) showPlace(state.selected); else show("mp-intro");
  });

  return { state: state, select: select, openReader: openReader, filtering: filtering,
           passes: passes, articlePasses: articlePasses,
           applyFilters: applyFilters };
}
