/* DOM helpers. Data strings only ever go through textContent / createTextNode. */
var mapperDom = (function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (a) { node.setAttribute(a, attrs[a]); });
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  /* Append `text` to `node`, wrapping the [start, end) pairs of `flat` in <mark>. */
  function appendMarked(node, text, flat, markClass, onMark) {
    var pos = 0;
    for (var k = 0; k + 1 < flat.length; k += 2) {
      var s = flat[k], e = flat[k + 1];
      if (s < pos || e <= s || e > text.length) continue;
      if (s > pos) node.appendChild(document.createTextNode(text.slice(pos, s)));
      var mark = el("mark", markClass ? markClass(k / 2) : "", text.slice(s, e));
      if (onMark) onMark(mark, k / 2);
      node.appendChild(mark);
      pos = e;
    }
    if (pos < text.length) node.appendChild(document.createTextNode(text.slice(pos)));
  }
  /* A type-ahead list under `input`: find(text) -> items, label(item, li), pick(item);
   * empty(text), if given, says what no item means (a message, or null). */
  function picker(input, list, find, label, pick, empty) {
    var items = [], active = 0;
    function render() {
      clear(list);
      var none = !items.length && empty ? empty(input.value) : null;
      if (none) {
        list.appendChild(el("li", "mp-empty", none));
        list.hidden = false;
        return;
      }
      items.forEach(function (item, j) {
        var li = el("li", j === active ? "active" : ""), b = el("button");
        b.type = "button";
        label(item, b);
        b.addEventListener("click", function () { choose(j); });
        li.appendChild(b);
        list.appendChild(li);
      });
      list.hidden = !items.length;
    }
    function choose(j) {
      if (!items[j]) return;
      list.hidden = true;
      pick(items[j]);
    }
    input.addEventListener("input", function () { items = find(input.value); active = 0; render(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { list.hidden = true; }
      else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = Math.max(0, Math.min(items.length - 1, active + (e.key === "ArrowDown" ? 1 : -1)));
        render();
      }
    });
    document.addEventListener("click", function (e) {
      if (!list.contains(e.target) && e.target !== input) list.hidden = true;
    });
  }
  /* Lower case, no accents, no spaces or punctuation: "Lashkar Gāh" -> "lashkargah". */
  function norm(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, "");
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  return { el: el, svg: svg, clear: clear, appendMarked: appendMarked, plural: plural,
           picker: picker, norm: norm,
           byId: function (id) { return document.getElementById(id); } };
})();
