"""Figures for the /playground lab: output over the plane, the network, curves, confusion.

These are redrawn on every live tick (about five times a second), so they are built as
plain plotly JSON dicts wrapped in ``LiveFigure`` instead of through plotly's object model:
go.Figure validation and the "plotly_white" template cost 50-150 ms per figure here, more
than a training tick. ``st.plotly_chart`` only calls ``to_dict()`` on a figure; tests turn
one into a validated ``go.Figure(fig.to_dict())`` (which also proves the dict is valid).
Few traces: the output is ONE heatmap plus two point traces, the network is ONE tiled
heatmap (every neuron's thumbnail in one matrix, NaN gaps between them) plus at most ten
link traces (weights binned by size and sign) and two invisible hover/click marker traces.

Colours follow TensorFlow Playground: orange for negative / class 0, blue for positive /
class 1, a light grey at zero; further classes get their own colours.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from plotly.basedatatypes import BaseFigure

from core.charts.common import FONT_FAMILY, FONT_SIZE
from core.claims import no_negative_zero

NEG, MID, POS = "#f59322", "#e8eaeb", "#0877bd"
DIVERGING = [[0.0, NEG], [0.5, MID], [1.0, POS]]
CLASS_COLORS = (NEG, POS, "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")
DIVERGED_RED = "#d62728"
AXIS = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8",
        "automargin": True, "ticks": "", "showline": False}


class LiveFigure(BaseFigure):
    """A finished plotly figure as a plain dict (no validation, no template): what
    ``st.plotly_chart`` needs, built in a few milliseconds."""

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


def _diverged_banner(layout: dict, text: str) -> None:
    """core.charts.common.mark_diverged, for a dict figure."""
    layout.setdefault("annotations", []).append({
        "text": f"⚠ {text}", "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
        "showarrow": False, "font": {"size": FONT_SIZE + 2, "color": DIVERGED_RED},
        "bgcolor": "rgba(255,255,255,0.85)", "bordercolor": DIVERGED_RED, "borderwidth": 1})


def _finite_or_none(values: np.ndarray) -> list:
    """A float array as a JSON list with gaps (None) where it is not finite."""
    values = np.asarray(values, dtype=float)
    return [float(v) if np.isfinite(v) else None for v in values]


def _z(values: np.ndarray) -> dict:
    """A 2-D array as a plotly.js typed array (base64 float32; NaN = a transparent cell).

    A 100 × 100 heatmap is ~53 kB this way instead of ~190 kB of JSON numbers, and encodes
    in well under a millisecond (JSON: ~45 ms here)."""
    values = np.asarray(values, dtype="<f4")
    values = np.where(np.isfinite(values), values, np.float32("nan")).astype("<f4")
    return {"dtype": "f4", "bdata": base64.b64encode(values.tobytes()).decode("ascii"),
            "shape": f"{values.shape[0]}, {values.shape[1]}"}


def decode_typed(value: dict | list) -> np.ndarray:
    """The numbers of a ``_z`` typed array (or a plain list), for tests and checks."""
    if isinstance(value, dict) and "bdata" in value:
        shape = tuple(int(v) for v in value["shape"].split(","))
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype="<f4").reshape(shape)
    return np.asarray(value, dtype=float)


# Colours ----------------------------------------------------------------------------------
def class_color(k: int) -> str:
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def _hex_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _mix(color: str, weight: float) -> str:
    """``color`` blended with white: weight 1 is the colour, 0 is white."""
    r, g, b = (round(255 + (c - 255) * weight) for c in _hex_rgb(color))
    return f"rgb({r},{g},{b})"


def diverging_color(value: float) -> str:
    """The Playground's colour of a value in [-1, 1] (clamped): orange - grey - blue."""
    v = float(np.clip(value, -1.0, 1.0)) if np.isfinite(value) else 0.0
    a, b, w = (MID, POS, v) if v >= 0 else (MID, NEG, -v)
    (r1, g1, b1), (r2, g2, b2) = _hex_rgb(a), _hex_rgb(b)
    return (f"rgb({round(r1 + (r2 - r1) * w)},{round(g1 + (g2 - g1) * w)},"
            f"{round(b1 + (b2 - b1) * w)})")


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


def _point_colors(labels: np.ndarray, regression: bool) -> list[str]:
    labels = np.asarray(labels)
    if regression:
        return [diverging_color(v) for v in labels]
    return [class_color(int(k)) for k in labels]


# The output over the plane ----------------------------------------------------------------
def boundary_figure(
    grid: np.ndarray,
    output: np.ndarray,
    points_train: np.ndarray,
    labels_train: np.ndarray,
    points_test: np.ndarray | None,
    labels_test: np.ndarray | None,
    text: Mapping[str, str],
    *,
    show_test: bool = False,
    discretize: bool = False,
    regression: bool = False,
    diverged: bool = False,
    height: int = 440,
) -> LiveFigure:
    """The output over the plane with the data on top (the Playground's big square).

    ``grid``: (n,) evenly spaced coordinates of the output's columns (x1) and rows (x2);
    ``output``: (n, n) or (K, n, n), row i at x2 = grid[i] (see output_z). ``labels_*``:
    class ids (classification) or targets (regression). text: title, x, y, train, test,
    diverged.
    """
    grid = np.asarray(grid, dtype=float)
    step = float(grid[1] - grid[0])
    lo, hi = float(grid[0]) - step / 2, float(grid[-1]) + step / 2
    z, colors = output_z(output, discretize)
    data: list[dict] = [{"type": "heatmap", "z": _z(z), "x0": float(grid[0]), "dx": step,
                         "y0": float(grid[0]), "dy": step, "showscale": False,
                         "hoverinfo": "skip", **colors}]
    sets = [(points_train, labels_train, "white", text["train"])]
    if show_test and points_test is not None and len(points_test):
        sets.append((points_test, labels_test, "black", text["test"]))
    for points, labels, edge, name in sets:
        points = np.asarray(points, dtype=float)
        data.append({
            "type": "scatter", "x": points[:, 0].tolist(), "y": points[:, 1].tolist(),
            "mode": "markers", "name": name,
            "marker": {"size": 7, "color": _point_colors(labels, regression),
                       "line": {"width": 1.2, "color": edge}},
            "hovertemplate": "(%{x:.2f}, %{y:.2f})<extra>" + name + "</extra>",
        })
    layout = _layout(text["title"], text["x"], text["y"], height)
    layout["xaxis"] |= {"range": [lo, hi], "constrain": "domain", "showgrid": False,
                        "zeroline": False}
    layout["yaxis"] |= {"range": [lo, hi], "scaleanchor": "x", "scaleratio": 1,
                        "constrain": "domain", "showgrid": False, "zeroline": False}
    layout["margin"] = {"l": 50, "r": 10, "t": 60, "b": 50}
    layout["legend"] = {"orientation": "h", "y": -0.14, "yanchor": "top", "x": 0.5,
                        "xanchor": "center"}
    if diverged:
        _diverged_banner(layout, text["diverged"])
    return LiveFigure({"data": data, "layout": layout})


def neuron_figure(extent: tuple[float, float], values: np.ndarray, title: str,
                  height: int = 320) -> LiveFigure:
    """One node's output over the plane, large (the enlarged thumbnail)."""
    lo, hi = extent
    values = np.asarray(values, dtype=float)
    n = values.shape[-1]
    step = (hi - lo) / (n - 1)
    layout = _layout(title, "", "", height)
    layout["xaxis"] |= {"range": [lo - step / 2, hi + step / 2], "showgrid": False,
                        "zeroline": False}
    layout["yaxis"] |= {"range": [lo - step / 2, hi + step / 2], "scaleanchor": "x",
                        "showgrid": False, "zeroline": False}
    layout["margin"] = {"l": 40, "r": 10, "t": 50, "b": 30}
    return LiveFigure({"data": [{
        "type": "heatmap", "z": _z(values), "x0": lo, "dx": step, "y0": lo, "dy": step,
        "colorscale": DIVERGING, "zmin": -1, "zmax": 1, "showscale": True,
        "colorbar": {"thickness": 10},
        "hovertemplate": "(%{x:.1f}, %{y:.1f}): %{z:.3f}<extra></extra>"}], "layout": layout})


# The network diagram -----------------------------------------------------------------------
LINK_BINS = (0.0, 0.1, 0.3, 0.7, 1.5, np.inf)  # |w| bins: one trace per (bin, sign)
LINK_WIDTHS = (0.7, 1.6, 2.8, 4.2, 6.0)
ROW = 1.3  # vertical distance between node tops (a node is 1 × 1)
COL = 3.0  # horizontal distance between columns


def network_layout(widths: Sequence[int]) -> list[list[tuple[float, float]]]:
    """Centre (x, y) of every node, column by column; nodes top-aligned like the Playground.

    Column c occupies x in [COL·c, COL·c + 1]; node j of a column y in [-(ROW j + 1), -ROW j].
    """
    return [[(COL * c + 0.5, -(ROW * j + 0.5)) for j in range(n)] for c, n in enumerate(widths)]


def _resample(block: np.ndarray, res: int) -> np.ndarray:
    """Nearest-neighbour resize of a square map to res × res."""
    n = block.shape[0]
    idx = np.minimum((np.arange(res) * n) // res, n - 1)
    return block[np.ix_(idx, idx)]


def _tile(maps: Sequence[np.ndarray], widths: Sequence[int], res: int) -> tuple:
    """All thumbnails in one matrix with NaN gaps, every cell exactly 1/res wide.

    Between two blocks, two NaN columns (rows) sit right after and right before the blocks,
    so a heatmap's cell edges (midpoints between coordinates) fall on the block edges.
    """
    xs: list[float] = []
    for c in range(len(widths)):
        start = COL * c
        xs += [start + (i + 0.5) / res for i in range(res)]
        if c < len(widths) - 1:
            xs += [start + 1 + 0.5 / res, start + COL - 0.5 / res]
    rows = max(widths)
    ys: list[float] = []
    for j in range(rows):
        top = -ROW * j
        ys += [top - 1 + (i + 0.5) / res for i in range(res)]  # bottom to top in a node
        if j < rows - 1:
            ys += [top - 1 - 0.5 / res, top - ROW + 0.5 / res]
    z = np.full((len(ys), len(xs)), np.nan)
    stride = res + 2
    k = 0
    for c, n in enumerate(widths):
        for j in range(n):
            block = np.asarray(maps[k], dtype=float)
            k += 1
            if block.shape != (res, res):
                block = _resample(block, res)
            z[j * stride:j * stride + res, c * stride:c * stride + res] = block
    order = np.argsort(ys)
    return np.asarray(xs), np.asarray(ys)[order], z[order]


def network_figure(
    widths: Sequence[int],
    maps: Sequence[np.ndarray],
    weights: Sequence[np.ndarray],
    node_names: Sequence[str],
    column_titles: Sequence[str],
    text: Mapping[str, str],
    *,
    res: int = 12,
    selected: int | None = None,
    height: int | None = None,
) -> LiveFigure:
    """Inputs, hidden neurons and outputs as thumbnails; weights as links between them.

    widths: nodes per column (inputs, hidden layers..., outputs); maps: one square map per
    node, column by column, drawn on [-1, 1]; weights[c]: (widths[c+1], widths[c]) as in
    nn.Linear. Links: thickness by |w| (binned), colour by sign and size; the value on hover
    (an invisible marker at each link's middle). Every node has an invisible marker
    (customdata = node index, the LAST trace) so a click can select it. text: title,
    weight, node.
    """
    layout_xy = network_layout(widths)
    xs, ys, z = _tile(maps, widths, res)
    rows = max(widths)
    n_bins = len(LINK_BINS) - 1
    segments: dict[tuple[int, int], tuple[list, list]] = {}
    mids_x: list[float] = []
    mids_y: list[float] = []
    mids_text: list[str] = []
    for c, w in enumerate(weights):
        w = np.asarray(w, dtype=float)
        sizes = np.where(np.isfinite(w), np.abs(w), np.inf)
        bins = np.clip(np.searchsorted(LINK_BINS, sizes, side="right") - 1, 0, n_bins - 1)
        for j in range(w.shape[0]):
            for i in range(w.shape[1]):
                (x0, y0), (x1, y1) = layout_xy[c][i], layout_xy[c + 1][j]
                sign = 1 if not w[j, i] < 0 else -1
                lx, ly = segments.setdefault((int(bins[j, i]), sign), ([], []))
                lx += [x0 + 0.5, x1 - 0.5, None]
                ly += [y0, y1, None]
                mids_x.append((x0 + x1) / 2)
                mids_y.append((y0 + y1) / 2)
                mids_text.append(f"{text['weight']} {column_titles[c]} {i + 1} → "
                                 f"{column_titles[c + 1]} {j + 1} = {no_negative_zero(w[j, i])}")
    data: list[dict] = []
    thin = min(1.0, 8 / rows)  # a 16-neuron column has twice the links in the same height
    for (bin_i, sign), (lx, ly) in sorted(segments.items()):  # links under the thumbnails
        level = (bin_i + 1) / n_bins
        data.append({"type": "scatter", "x": lx, "y": ly, "mode": "lines", "hoverinfo": "skip",
                     "showlegend": False,
                     "line": {"width": round(LINK_WIDTHS[bin_i] * thin, 2),
                              "color": diverging_color(sign * level)}})
    data.append({"type": "scatter", "x": mids_x, "y": mids_y, "mode": "markers",
                 "hovertext": mids_text, "hoverinfo": "text", "showlegend": False,
                 "marker": {"size": 8, "color": "rgba(0,0,0,0)"}})
    data.append({"type": "heatmap", "x": xs.tolist(), "y": ys.tolist(), "z": _z(z),
                 "colorscale": DIVERGING, "zmin": -1, "zmax": 1, "showscale": False,
                 "hoverinfo": "skip"})
    centres = [p for column in layout_xy for p in column]
    data.append({"type": "scatter", "x": [p[0] for p in centres], "y": [p[1] for p in centres],
                 "mode": "markers", "customdata": list(range(len(centres))),
                 "hovertext": list(node_names), "hoverinfo": "text", "showlegend": False,
                 "name": text["node"],
                 "marker": {"size": 24, "symbol": "square", "color": "rgba(0,0,0,0)"}})
    # The axes keep 1:1, so the drawing's height follows its width: size the figure for a
    # column ~340 px wide (the page's network column at 1400 px); any spare height is left
    # under the drawing ("constrain": "domain"), not spread around it.
    x_span, y_span = COL * (len(widths) - 1) + 1.8, ROW * rows + 0.8
    layout = _layout(text["title"], "", "",
                     height or int(np.clip(60 + 340 * y_span / x_span, 200, 700)))
    shapes = []
    if selected is not None and 0 <= selected < len(centres):
        x, y = centres[selected]
        shapes.append({"type": "rect", "x0": x - 0.58, "x1": x + 0.58, "y0": y - 0.58,
                       "y1": y + 0.58, "line": {"color": "#222222", "width": 2}})
    layout |= {
        "xaxis": {"visible": False, "range": [-0.4, COL * (len(widths) - 1) + 1.4],
                  "constrain": "domain"},
        "yaxis": {"visible": False, "range": [-ROW * rows - 0.1, 0.7], "scaleanchor": "x",
                  "scaleratio": 1, "constrain": "domain", "constraintoward": "top"},
        "annotations": [{"x": COL * c + 0.5, "y": 0.35, "text": title, "showarrow": False,
                         "font": {"size": FONT_SIZE - 3}}
                        for c, title in enumerate(column_titles)],
        "shapes": shapes, "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "clickmode": "event+select", "dragmode": False,
    }
    return LiveFigure({"data": data, "layout": layout})


# Curves and the confusion matrix -------------------------------------------------------------
def curves_figure(
    epochs: np.ndarray, train_loss: np.ndarray, test_loss: np.ndarray, text: Mapping[str, str],
    *, pinned: Mapping[str, np.ndarray] | None = None, diverged: bool = False,
    height: int = 300,
) -> LiveFigure:
    """Train and test loss per epoch (the Playground's small chart), a pinned run's curves
    dotted for A/B. Non-finite or exploded values are gaps; the axis spans the finite ones.
    text: title, x, y, train, test, pinned_train, pinned_test, diverged.
    """
    series: list[tuple[Any, Any, str, str, str]] = [
        (epochs, train_loss, text["train"], "#555555", "solid"),
        (epochs, test_loss, text["test"], "#111111", "solid")]
    if pinned is not None:
        series += [(pinned["epochs"], pinned["train_loss"], text["pinned_train"], "#9467bd",
                    "dot"),
                   (pinned["epochs"], pinned["test_loss"], text["pinned_test"], "#d62728",
                    "dot")]
    data, finite_max = [], 0.0
    for x, y, name, color, dash in series:
        y = np.asarray(y, dtype=float)
        y = np.where(np.isfinite(y) & (np.abs(y) < 1e6), y, np.nan)
        if np.isfinite(y).any():
            finite_max = max(finite_max, float(np.nanmax(y)))
        data.append({"type": "scatter", "x": np.asarray(x, dtype=float).tolist(),
                     "y": _finite_or_none(y), "name": name,
                     "mode": "lines" if len(y) > 1 else "markers",  # epoch 0: one point
                     "line": {"color": color, "width": 2.5, "dash": dash}})
    layout = _layout(text["title"], text["x"], text["y"], height)
    layout["yaxis"]["range"] = [0, finite_max * 1.05 if finite_max > 0 else 1.0]
    layout["xaxis"]["rangemode"] = "tozero"
    layout["margin"] = {"l": 60, "r": 10, "t": 60, "b": 50}
    layout["legend"] = {"orientation": "h", "y": -0.3, "yanchor": "top", "x": 0.5,
                        "xanchor": "center"}
    if diverged:
        _diverged_banner(layout, text["diverged"])
    return LiveFigure({"data": data, "layout": layout})


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


# The output as a picture (the live view) -------------------------------------------------------
# Streamlit keys a plotly chart in the browser by a hash of its spec, so a chart whose data
# changes every tick is unmounted and drawn again from scratch: on a loaded machine the output
# was blank in about half of the screenshots taken while playing. An image keeps its element
# and swaps its pixels, so the live output is drawn here as a PNG (numpy + Pillow, ~ms).

def _rgb(color: str) -> np.ndarray:
    if color.startswith("rgb("):
        return np.array([int(v) for v in color[4:-1].split(",")], dtype=float)
    return np.array(_hex_rgb(color), dtype=float)


def output_rgb(output: np.ndarray, discretize: bool) -> np.ndarray:
    """(H, W, 3) uint8 colours of ``output`` exactly as ``boundary_figure`` colours them
    (diverging orange-grey-blue on [-1, 1], or one pale-to-full band per class); NaN white."""
    z, colors = output_z(output, discretize)
    scale = colors["colorscale"]
    lo, hi = colors["zmin"], colors["zmax"]
    t = np.clip((np.nan_to_num(z, nan=lo) - lo) / (hi - lo), 0.0, 1.0)
    stops = np.array([s for s, _ in scale])
    rgb = np.stack([_rgb(c) for _, c in scale])
    out = np.empty((*t.shape, 3))
    for ch in range(3):
        out[..., ch] = np.interp(t, stops, rgb[:, ch])
    out[np.isnan(z)] = 255.0
    return np.round(out).astype(np.uint8)


def boundary_png(
    grid: np.ndarray,
    output: np.ndarray,
    points_train: np.ndarray,
    labels_train: np.ndarray,
    points_test: np.ndarray | None = None,
    labels_test: np.ndarray | None = None,
    *,
    show_test: bool = False,
    discretize: bool = False,
    regression: bool = False,
    size: int = 400,
) -> bytes:
    """The output over the plane with the points on top, as PNG bytes (size × size pixels).

    Same colours as ``boundary_figure``; x1 grows to the right and x2 upwards over the grid's
    extent; train points have a white ring, test points (when shown) a black one."""
    from PIL import Image  # Pillow comes with torchvision

    grid = np.asarray(grid, dtype=float)
    step = float(grid[1] - grid[0])
    lo, hi = float(grid[0]) - step / 2, float(grid[-1]) + step / 2
    colors = output_rgb(output, discretize)
    n = colors.shape[0]
    index = np.minimum((np.arange(size) * n) // size, n - 1)
    image = colors[index][:, index][::-1].copy()  # row 0 of the image is the top (x2 = hi)
    yy, xx = np.mgrid[-4:5, -4:5]
    dist = np.hypot(xx, yy)
    ring = (dist <= 4.4) & (dist > 3.0)
    fill = dist <= 3.0
    sets = [(points_train, labels_train, 255)]
    if show_test and points_test is not None and len(points_test):
        sets.append((points_test, labels_test, 0))
    for points, labels, edge in sets:
        points = np.asarray(points, dtype=float)
        if regression:
            fills = [_rgb(diverging_color(v)) for v in np.asarray(labels, dtype=float)]
        else:
            fills = [_rgb(class_color(int(k))) for k in np.asarray(labels)]
        px = np.round((points[:, 0] - lo) / (hi - lo) * (size - 1)).astype(int)
        py = np.round((hi - points[:, 1]) / (hi - lo) * (size - 1)).astype(int)
        fills = np.array(fills).reshape(-1, 3)
        for mask, value in ((ring, None), (fill, fills)):  # every ring, then every disc
            ys = py[:, None] + yy[mask][None, :]  # (points, pixels of the mask)
            xs = px[:, None] + xx[mask][None, :]
            keep = (ys >= 0) & (ys < size) & (xs >= 0) & (xs < size)
            if value is None:
                image[ys[keep], xs[keep]] = edge
            else:
                image[ys[keep], xs[keep]] = np.broadcast_to(value[:, None, :],
                                                            (*ys.shape, 3))[keep]
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def node_maps(snap, stride: int) -> list[np.ndarray]:
    """One thumbnail map per node of the network figure, input side first: the input features
    scaled to [-1, 1] each (x1 spans ±6, x1² up to 36), every hidden neuron's output, and the
    output (per class as 2p − 1 for cross-entropy), the output grid sampled every ``stride``."""
    features = snap.feature_outputs
    scale = np.max(np.abs(features), axis=(1, 2), keepdims=True)
    features = features / np.where(scale > 0, scale, 1.0)
    if snap.grid_probs is not None:
        outputs = [2 * snap.grid_probs[::stride, ::stride, k] - 1
                   for k in range(snap.grid_probs.shape[2])]
    else:
        outputs = [snap.grid_output[::stride, ::stride]]
    return [*features, *[m for layer in snap.neuron_outputs for m in layer], *outputs]
