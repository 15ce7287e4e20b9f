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
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  return { el: el, svg: svg, clear: clear, appendMarked: appendMarked, plural: plural,
           byId: function (id) { return document.getElementById(id); } };
})();
