"""The lab's drawing element: network, output over the plane, legend, loss curve and the
epoch and losses, drawn in place by one Streamlit Custom Component v2 (no iframe, no build
step; its code is static/lab_drawing.js, loaded once per page: ui.assets).

The element is mounted with a fixed key, so Streamlit keeps it (and its canvases and SVG)
across reruns and only hands it new data (core.charts.lab_drawing.drawing_data) each tick:
no remount, no picture re-sent, nothing dimmed. Every interaction works by tap and by mouse:
tap (or hover) a neuron to show its output large on the plane, tap (or hover) a link to read
its weight (kept and updated while playing), tap an input thumbnail to switch that feature,
+/- buttons for layers and neurons. Those taps that change the network come back to Python
as the state value ``action`` ({"kind": "feature" | "layers" | "neurons", ..., "id"}).

While playing, the element asks for the next tick itself: each tick's data carries a token
(``tick``), and once the element has painted that data into its canvases it sends the
token back once as the trigger value ``painted``, which reruns the lab's fragment. So the
server trains the next tick exactly when the browser has shown the last one: no timer, never
more than one tick asked for. A paused lab's data has no token and the element sends nothing.
If an answer is lost (a dropped connection), the element sends the same token again every
``WATCH_MS``; the page trains only for the token it gave last, so a repeat is harmless.
"""

from __future__ import annotations

import streamlit as st

from ui.assets import static_module

KEY = "_pg_drawing"  # the element's identity: the same key keeps the same element

CSS = """
.pgd { container-type: inline-size; font-family: inherit; color: var(--st-text-color, #262730);
  --fs: 13px; font-size: var(--fs); user-select: none; -webkit-user-select: none; }
.pgd.present { --fs: 18px; }
.pgd .wrap { display: grid; grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr);
  gap: 12px; align-items: start; }
@container (max-width: 620px) { .pgd .wrap { grid-template-columns: minmax(0, 1fr); }
  .pgd .out { order: -1; } }
.pgd .metrics { display: grid; grid-template-columns: repeat(auto-fit, minmax(64px, 1fr));
  gap: 0 8px; margin-bottom: 4px; line-height: 1.15; }
.pgd .metrics span { font-size: .8em; opacity: .8; display: block; word-break: keep-all; }
.pgd .metrics b { font-size: 1.35em; font-variant-numeric: tabular-nums; display: block;
  white-space: nowrap; }
.pgd.present .metrics b { font-size: 1.1em; }
.pgd .plane { position: relative; width: 100%; aspect-ratio: 1 / 1; max-height: var(--plane-max, 100vh);
  margin: 0 auto; }
.pgd .plane canvas { position: absolute; inset: 0; width: 100%; height: 100%; border-radius: 4px; }
.pgd .plane canvas.grid { image-rendering: auto; }
.pgd .showing { position: absolute; left: 4px; top: 4px; background: rgba(255,255,255,.9);
  border-radius: 4px; padding: 1px 6px; font-size: .9em; pointer-events: none; }
.pgd .axis { display: flex; justify-content: space-between; font-size: .85em; opacity: .75; }
.pgd .legend { display: flex; align-items: center; gap: 6px; margin: 4px 0 2px; font-size: .85em; }
.pgd .legend canvas { flex: 1; height: 10px; border-radius: 3px; min-width: 60px; }
.pgd .curve { width: 100%; display: block; }
.pgd .curve text { font-size: var(--fs); fill: currentColor; }
.pgd .net { position: relative; width: 100%; }
.pgd .net svg { position: absolute; inset: 0; width: 100%; height: 100%; overflow: visible; }
.pgd .node { position: absolute; border: 1px solid #999; border-radius: 3px; cursor: pointer;
  box-sizing: border-box; background: #fff; touch-action: manipulation; }
.pgd .node canvas { width: 100%; height: 100%; display: block; image-rendering: auto; }
.pgd .node.off { opacity: .3; border-style: dashed; }
.pgd .node.sel { outline: 3px solid #222; outline-offset: 1px; }
.pgd .label { position: absolute; font-size: .85em; white-space: nowrap; pointer-events: none; }
.pgd .colhead { position: absolute; font-size: .85em; text-align: center; transform: translateX(-50%);
  white-space: nowrap; display: flex; gap: 4px; align-items: center; }
.pgd button.pm { min-width: 30px; min-height: 30px; border: 1px solid #bbb; border-radius: 15px;
  background: #fff; font-size: 16px; line-height: 1; cursor: pointer; padding: 0 6px;
  touch-action: manipulation; color: #262730; }
.pgd .tip { position: absolute; background: #222; color: #fff; padding: 2px 7px; border-radius: 4px;
  font-size: .9em; pointer-events: none; white-space: nowrap; z-index: 2; }
.pgd .hint { font-size: .85em; opacity: .75; margin-top: 2px; }
"""

JS = static_module("lab_drawing.js")  # the element's code, loaded once per page

HTML = ""

_component = st.components.v2.component(
    "dle_lab_drawing", html=HTML, css=CSS, js=JS, isolate_styles=False)


def draw(data: dict) -> dict | None:
    """Mount (first run) or update (every later run) the element with this tick's data
    (``data["tick"]``: the token to send back once painted, None while paused); returns the
    last tap that changes the network (or None)."""
    result = _component(key=KEY, data=data, on_action_change=_ignore,
                        on_painted_change=_ignore, height="content")
    action = getattr(result, "action", None)
    return action if isinstance(action, dict) else None


def painted() -> int | None:
    """The token the element sent back after painting, if that is what started this run
    (a trigger value: None in any other run). Read before the element is drawn again."""
    state = st.session_state.get(KEY)
    value = state.get("painted") if isinstance(state, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ignore() -> None:
    """Taps and paints are read in the run they start (ui.lab.state, the page's fragment)."""
