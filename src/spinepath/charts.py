"""Vega-Lite specs rendered to SVG on the server, for every chart in spinepath.

vl-convert renders a spec with its own embedded Vega engine: no network, no JavaScript in
the page, and the same SVG prints in a PDF. Specs are plain dicts (serialising Altair's
object model costs about 25 ms a chart, more than the render); the tests parse each kind of
spec with Altair against the Vega-Lite schema. A rendered SVG is cached per distinct spec.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import vl_convert
from django.utils.safestring import SafeString, mark_safe

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"  # an identifier; never fetched

Spec = dict[str, Any]


def render_svg(spec: Spec) -> SafeString:
    return _svg(json.dumps(spec, sort_keys=True, default=float))


@lru_cache(maxsize=512)
def _svg(spec: str) -> SafeString:
    svg = vl_convert.vegalite_to_svg(spec)
    # vl-convert escapes every text it draws; the SVG holds no script. The figure around it
    # carries the text alternative, so the SVG itself is hidden from screen readers.
    return mark_safe(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))  # noqa: S308


def forget_rendered() -> None:
    """Empty the cache of rendered charts (benchmarks measure the render itself)."""
    _svg.cache_clear()
