"""folium elements of the explorer: inlined Leaflet, and the one element that draws the data."""

from __future__ import annotations

from typing import Any

from branca.element import Element, MacroElement
from jinja2 import Template

from mapper.render import assets

#: The explorer's scripts (templates/), concatenated in this order into one inline script.
SCRIPTS = ("dom.js", "data.js", "basemap.js", "labels.js", "legend.js", "layers.js", "panel.js",
           "search.js", "explorer.js")


class _Final(Element):
    """Markup that is already rendered and is written out as it is.

    branca's ``MacroElement.render`` wraps each macro's output in ``Element(output)``, which
    compiles that output as a Jinja template a second time: article text containing ``{{ }}``
    would then be evaluated by Jinja while the map is written (template injection) or break
    the build. Our elements hand their output over in this class instead.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class _Rendered(MacroElement):
    """A MacroElement whose macros' output is placed in the page as final markup."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        module = self._template.module
        for part in ("header", "html", "script"):
            macro = getattr(module, part, None)
            if macro is not None:
                text = macro(self, kwargs)
                getattr(figure, part).add_child(_Final(text), name=self.get_name())


class InlineLeaflet(_Rendered):
    """Leaflet's CSS and JS written into the page's ``<head>`` instead of CDN links, and the
    vendored rbush the labels are placed with."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        <script>{{ this.js }}</script>
        <script>{{ this.rbush }}</script>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "InlineLeaflet"
        self.css = assets.leaflet_css()
        self.js = assets.leaflet_js()
        self.rbush = assets.vendored_js("rbush.min.js")


class Explorer(_Rendered):
    """The side panel, the JSON payload and the script that draws places from it.

    ``layers`` maps a role (``"tiles"``, ``"shading"``, ``"places"``) to the folium layer
    whose JavaScript object the script uses; it is passed as ``cfg.<role>``, with ``cfg.map``.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        {{ this.panel }}
        <script type="application/json" id="mapper-data">{{ this.payload }}</script>
        <script type="application/json" id="mapper-geo">{{ this.geo }}</script>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
        {{ this.js }}
        mapperExplorer({
          map: {{ this._parent.get_name() }},
          {%- for role, layer in this.layers.items() %}
          {{ role }}: {{ layer.get_name() }},
          {%- endfor %}
        });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, payload: str, geo: str, layers: dict[str, Any]) -> None:
        super().__init__()
        self._name = "Explorer"
        self.payload = payload
        self.geo = geo
        self.layers = layers
        self.css = assets.template("explorer.css")
        self.panel = assets.template("panel.html")
        self.js = "\n".join(assets.template(name) for name in SCRIPTS)


def fix_ids(root: Element) -> None:
    """Replace folium's random element ids by their position in the tree (stable output)."""
    counter = 0

    def walk(element: Element) -> None:
        nonlocal counter
        element._id = f"{counter:04d}"
        counter += 1
        for child in list(element._children.values()):
            walk(child)

    walk(root)
