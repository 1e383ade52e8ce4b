"""The /playground lab's colours and its one plotly figure (the confusion matrix, drawn while
paused).

Everything redrawn while playing (network, output over the plane, loss curve) is painted by the
lab's drawing element (ui/lab/drawing.py) from numbers (core.charts.lab_drawing), using the
colours and the output encoding defined here. The confusion matrix is a plain plotly JSON dict
wrapped in ``LiveFigure``: go.Figure validation and the "plotly_white" template cost 50-150 ms
per figure here; the chart element only calls ``to_dict()`` on it, and tests turn one into a
validated ``go.Figure(fig.to_dict())`` (which also proves the dict is valid).

Colours follow TensorFlow Playground: orange for negative / class 0, blue for positive /
class 1, a light grey at zero; further classes get their own colours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from plotly.basedatatypes import BaseFigure

from core.charts.common import FONT_FAMILY, FONT_SIZE

NEG, MID, POS = "#f59322", "#e8eaeb", "#0877bd"
DIVERGING = [[0.0, NEG], [0.5, MID], [1.0, POS]]
CLASS_COLORS = (NEG, POS, "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")
AXIS = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8",
        "automargin": True, "ticks": "", "showline": False}


class LiveFigure(BaseFigure):
    """A finished plotly figure as a plain dict (no validation, no template): what
    the chart element needs, built in a few milliseconds."""

    def __init__(self, spec: dict):  # noqa: D107 - no BaseFigure.__init__ on purpose
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return self._spec

    def to_plotly_json(self) -> dict:
        return self._spec

    @property
    def spec(self) -> dict:
        return self._spec


def _layout(title: str, x_title: str, y_title: str, height: int) -> dict:
    """The house look of core.charts.common.base_figure, written out (no template)."""
    return {
        "template": "none", "paper_bgcolor": "white", "plot_bgcolor": "white",
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": FONT_SIZE + 3}},
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": "#2a3f5f"},
        "height": height, "margin": {"l": 70, "r": 20, "t": 60, "b": 60},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right",
                   "x": 1.0},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "xaxis": {**AXIS, "title": {"text": x_title}},
        "yaxis": {**AXIS, "title": {"text": y_title}},
    }


# Colours ----------------------------------------------------------------------------------
def class_color(k: int) -> str:
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def _hex_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _rgb(color: str) -> np.ndarray:
    """An "#rrggbb" or "rgb(r,g,b)" colour as three floats 0..255."""
    if color.startswith("rgb("):
        return np.array([int(v) for v in color[4:-1].split(",")], dtype=float)
    return np.array(_hex_rgb(color), dtype=float)


def _mix(color: str, weight: float) -> str:
    """``color`` blended with white: weight 1 is the colour, 0 is white."""
    r, g, b = (round(255 + (c - 255) * weight) for c in _hex_rgb(color))
    return f"rgb({r},{g},{b})"


def class_colorscale(n_classes: int) -> list[list]:
    """One band per class, pale (unsure) to the full colour (sure), for
    ``z = (class + confidence) / n_classes`` with confidence in [0, 1)."""
    scale: list[list] = []
    for k in range(n_classes):
        lo, hi = k / n_classes, (k + 1) / n_classes
        scale.append([lo, _mix(class_color(k), 0.12)])
        scale.append([hi - 1e-9 if k < n_classes - 1 else hi, class_color(k)])
    return scale


def output_z(output: np.ndarray, discretize: bool) -> tuple[np.ndarray, dict]:
    """Heatmap values and colour settings for a model output over the grid.

    ``output``: (H, W) values drawn on [-1, 1] (tanh output, p(1) − p(0), a regression
    target), or (K, H, W) class probabilities (K ≥ 2). Discretize: the sign / the winner.
    """
    output = np.asarray(output, dtype=float)
    if output.ndim == 3 and output.shape[0] == 2:  # two classes: p1 - p0, like the Playground
        output = output[1] - output[0]
    if output.ndim == 2:
        z = np.where(np.isfinite(output), output, np.nan)
        if discretize:
            z = np.where(np.isnan(z), np.nan, np.where(z >= 0, 1.0, -1.0))
        return z, {"colorscale": DIVERGING, "zmin": -1.0, "zmax": 1.0}
    n = output.shape[0]
    finite = np.isfinite(output).all(axis=0)
    safe = np.where(np.isfinite(output), output, 0.0)
    winner = np.argmax(safe, axis=0)
    top = np.max(safe, axis=0)
    # confidence above chance, 0..1, kept below 1 so a cell never leaks into the next band
    conf = np.clip((top - 1.0 / n) / (1.0 - 1.0 / n), 0.0, 0.999)
    if discretize:
        conf = np.full_like(conf, 0.999)
    z = np.where(finite, (winner + conf) / n, np.nan)
    return z, {"colorscale": class_colorscale(n), "zmin": 0.0, "zmax": 1.0}


# The confusion matrix -----------------------------------------------------------------------
def confusion_figure(matrix: np.ndarray, class_names: Sequence[str],
                     text: Mapping[str, str], height: int = 300) -> LiveFigure:
    """Counts of (true class, predicted class). text: title, x, y."""
    matrix = np.asarray(matrix)
    layout = _layout(text["title"], text["x"], text["y"], height)
    layout["yaxis"] |= {"autorange": "reversed", "type": "category"}
    layout["xaxis"] |= {"type": "category", "side": "bottom"}
    layout["margin"] = {"l": 60, "r": 10, "t": 60, "b": 50}
    return LiveFigure({"data": [{
        "type": "heatmap", "z": matrix.astype(int).tolist(), "x": list(class_names),
        "y": list(class_names), "colorscale": [[0.0, "#f7fbff"], [1.0, "#2171b5"]],
        "showscale": False,
        "text": matrix.astype(int).astype(str).tolist(), "texttemplate": "%{text}",
        "textfont": {"size": 16}, "hovertemplate": "%{y} → %{x}: %{z}<extra></extra>"}],
        "layout": layout})
