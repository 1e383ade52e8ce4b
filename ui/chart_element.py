"""The app's one chart element: a Plotly figure drawn by a Streamlit Custom Components v2
element that updates the SAME plot in place (``Plotly.react``) on later reruns.

Why not ``st.plotly_chart``: it hashes the figure into the element's id, so a changed figure is a
new element, unmounted and drawn from scratch with ``Plotly.newPlot`` (about twice the browser
time of ``Plotly.react``, BENCHMARKS.md). A v2 component's identity is its key: Streamlit keeps
its DOM node across reruns and runs ``static/chart_element.js`` again with the new data.

plotly.js comes from plotly.py's own bundle, copied once into ``static/`` (served by Streamlit's
static serving, as the fonts are) under its version's name: no network, no build step, and the
browser caches it across pages.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import plotly
import streamlit as st
from plotly.io.json import to_json_plotly
from plotly.offline import get_plotlyjs_version

from ui.assets import STATIC_DIR, STATIC_URL, static_module

_HERE = Path(__file__).resolve().parent
PLOTLY_JS_NAME = f"plotly-{get_plotlyjs_version()}.min.js"
PLOTLY_JS_URL = f"{STATIC_URL}{PLOTLY_JS_NAME}"
DEFAULT_HEIGHT = 450  # px: what plotly (and st.plotly_chart) draw when a figure sets none
_TAGS = re.compile(r"<[^>]+>")
_LOG = logging.getLogger(__name__)


def _install_plotly_js() -> None:
    """Copy plotly.py's bundled plotly.min.js into static/ unless this version is there.

    Copied rather than committed: the file (4.8 MB) must match the plotly.py installed, and
    Streamlit's static serving refuses symlinks that leave static/. Written to a temporary
    name and renamed, so processes started together (scripts/serve.sh) never serve half a file.
    """
    target = STATIC_DIR / PLOTLY_JS_NAME
    if target.exists():
        return
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    try:
        with tempfile.NamedTemporaryFile(dir=STATIC_DIR, delete=False, suffix=".tmp") as tmp:
            with source.open("rb") as src:
                shutil.copyfileobj(src, tmp)
        os.replace(tmp.name, target)
    except OSError:  # a read-only app folder: charts cannot draw, say why in the log
        _LOG.exception("could not copy plotly.js to %s", target)


_install_plotly_js()

_ELEMENT = st.components.v2.component(
    "dle_chart",
    js=static_module("chart_element.js"),  # static/chart_element.js, loaded once per page
    css=(_HERE / "chart_element.css").read_text(encoding="utf-8"),
    # Not isolated: plotly.js puts its CSS (hover labels, mode bar) in the page's <head>.
    isolate_styles=False,
)


def _text(title: Any) -> str:
    text = title.get("text") if isinstance(title, dict) else title
    return _TAGS.sub(" ", str(text or "")).replace("  ", " ").strip()


def text_alternative(spec: dict) -> str:
    """The figure's title, then its axis titles: the short text a screen reader announces."""
    layout = spec.get("layout") or {}
    parts = [_text(layout.get("title"))]
    for name in sorted(layout):
        if name.startswith(("xaxis", "yaxis")) and isinstance(layout[name], dict):
            parts.append(_text(layout[name].get("title")))
    return " · ".join(dict.fromkeys(part for part in parts if part))


def draw(figure: Any, key: str, *, presenter: bool, title: str | None = None) -> None:
    """Draw ``figure`` (a go.Figure or anything with ``to_dict()``) under ``key``.

    ``presenter``: drawn as the figure says (``theme=None``); otherwise with Streamlit's chart
    theme, rebuilt in the browser from Streamlit's CSS variables (static/chart_element.js).
    ``title``: the figure's title, drawn above the plot by the element itself (presenter view).
    """
    spec = figure.to_dict()
    message = {"figure": spec, "presenter": presenter, "key": key, "heading": title or "",
               "label": " · ".join(filter(None, (_text(title), text_alternative(spec)))),
               "height": DEFAULT_HEIGHT, "plotly": PLOTLY_JS_URL}
    # Bytes, not a dict: plotly's encoder handles numpy arrays, and Streamlit forwards bytes
    # as they are (a dict would be JSON-encoded again).
    _ELEMENT(key=key, data=to_json_plotly(message).encode("utf-8"), width="stretch",
             height="content")

