"""Figures for the /playground lab: output over the plane, the network, curves, confusion.

The builders take plain arrays (no Streamlit, no session state), so the live fragment can
redraw them every tick cheaply: the output is ONE heatmap trace plus two point traces, the
network is ONE tiled heatmap (every neuron's thumbnail in one matrix, NaN gaps between
them) plus a handful of link traces binned by weight, and the curves are a few lines.

Colours follow the TensorFlow Playground's convention: orange for negative / class 0,
blue for positive / class 1, a light grey at zero; further classes get their own colours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from core.charts.common import FONT_FAMILY, FONT_SIZE, base_figure, mark_diverged

NEG, MID, POS = "#f59322", "#e8eaeb", "#0877bd"
DIVERGING = [[0.0, NEG], [0.5, MID], [1.0, POS]]
CLASS_COLORS = (NEG, POS, "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")


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
    v = float(np.clip(value, -1.0, 1.0))
    a, b, w = (MID, POS, v) if v >= 0 else (MID, NEG, -v)
    (r1, g1, b1), (r2, g2, b2) = _hex_rgb(a), _hex_rgb(b)
    return f"rgb({round(r1 + (r2 - r1) * w)},{round(g1 + (g2 - g1) * w)},{round(b1 + (b2 - b1) * w)})"


def class_colorscale(n_classes: int) -> list[list]:
    """A colourscale with one band per class, pale (low confidence) to full colour.

    Used with ``z = (class + confidence') / n_classes`` where confidence' in [0, 1).
    """
    scale: list[list] = []
    for k in range(n_classes):
        lo, hi = k / n_classes, (k + 1) / n_classes
        scale.append([lo, _mix(class_color(k), 0.12)])
        scale.append([hi - 1e-9 if k < n_classes - 1 else hi, class_color(k)])
    return scale


def output_z(output: np.ndarray, discretize: bool) -> tuple[np.ndarray, dict]:
    """The heatmap values and colour settings for a model output over the grid.

    ``output`` is (H, W) values (tanh / regression output, drawn on [-1, 1]) or (K, H, W)
    class probabilities. Returns (z, heatmap kwargs).
    """
    output = np.asarray(output, dtype=float)
    if output.ndim == 2:
        z = np.where(np.isfinite(output), output, np.nan)
        if discretize:
            z = np.where(np.isnan(z), np.nan, np.where(z >= 0, 1.0, -1.0))
        return z, {"colorscale": DIVERGING, "zmin": -1.0, "zmax": 1.0}
    n = output.shape[0]
    if n == 2:  # two classes drawn like the Playground: p1 - p0 on the diverging scale
        z = output[1] - output[0]
        if discretize:
            z = np.where(z >= 0, 1.0, -1.0)
        z = np.where(np.isfinite(z), z, np.nan)
        return z, {"colorscale": DIVERGING, "zmin": -1.0, "zmax": 1.0}
    winner = np.argmax(np.nan_to_num(output, nan=-1.0), axis=0)
    top = np.max(np.nan_to_num(output, nan=0.0), axis=0)
    # confidence above chance, 0..1 (kept below 1 so a cell never leaks into the next band)
    conf = np.clip((top - 1.0 / n) / (1.0 - 1.0 / n), 0.0, 0.999)
    if discretize:
        conf = np.full_like(conf, 0.999)
    z = (winner + conf) / n
    return z, {"colorscale": class_colorscale(n), "zmin": 0.0, "zmax": 1.0}


def _point_colors(labels: np.ndarray, regression: bool) -> list[str]:
    labels = np.asarray(labels)
    if regression:
        return [diverging_color(v) for v in labels]
    return [class_color(int(k)) for k in labels]


def boundary_figure(
    extent: tuple[float, float],
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
) -> go.Figure:
    """The output over the plane with the data on top (the Playground's big square).

    ``labels_*`` are class ids (0..K-1) for classification, target values for regression.
    text: title, x, y, train, test, diverged.
    """
    lo, hi = extent
    z, colors = output_z(output, discretize)
    n = z.shape[-1]
    step = (hi - lo) / n
    fig = base_figure(text["title"], text["x"], text["y"], height=height)
    fig.add_trace(go.Heatmap(z=z, x0=lo + step / 2, dx=step, y0=lo + step / 2, dy=step,
                             showscale=False, hoverinfo="skip", **colors))
    sets = [(points_train, labels_train, "white", text["train"])]
    if show_test and points_test is not None and len(points_test):
        sets.append((points_test, labels_test, "black", text["test"]))
    for points, labels, edge, name in sets:
        points = np.asarray(points, dtype=float)
        fig.add_trace(go.Scatter(
            x=points[:, 0], y=points[:, 1], mode="markers", name=name,
            marker={"size": 7, "color": _point_colors(labels, regression),
                    "line": {"width": 1.2, "color": edge}},
            hovertemplate="(%{x:.2f}, %{y:.2f})<extra>" + name + "</extra>",
        ))
    fig.update_xaxes(range=[lo, hi], constrain="domain", showgrid=False, zeroline=False)
    fig.update_yaxes(range=[lo, hi], scaleanchor="x", scaleratio=1, constrain="domain",
                     showgrid=False, zeroline=False)
    fig.update_layout(margin={"l": 50, "r": 10, "t": 60, "b": 50},
                      legend={"y": -0.14, "yanchor": "top", "x": 0.5, "xanchor": "center"})
    if diverged:
        mark_diverged(fig, text["diverged"])
    return fig


def neuron_figure(extent: tuple[float, float], values: np.ndarray, title: str,
                  height: int = 320) -> go.Figure:
    """One neuron's output over the plane, large (the enlarged thumbnail)."""
    lo, hi = extent
    values = np.asarray(values, dtype=float)
    n = values.shape[-1]
    step = (hi - lo) / n
    fig = base_figure(title, "", "", height=height)
    fig.add_trace(go.Heatmap(z=np.where(np.isfinite(values), values, np.nan),
                             x0=lo + step / 2, dx=step, y0=lo + step / 2, dy=step,
                             colorscale=DIVERGING, zmin=-1, zmax=1, showscale=True,
                             colorbar={"thickness": 10},
                             hovertemplate="(%{x:.1f}, %{y:.1f}): %{z:.3f}<extra></extra>"))
    fig.update_xaxes(range=[lo, hi], showgrid=False, zeroline=False)
    fig.update_yaxes(range=[lo, hi], scaleanchor="x", showgrid=False, zeroline=False)
    fig.update_layout(margin={"l": 40, "r": 10, "t": 50, "b": 30})
    return fig


# The network diagram -----------------------------------------------------------------
LINK_BINS = (0.0, 0.1, 0.3, 0.7, 1.5, np.inf)  # |w| bins: one trace per (bin, sign)
LINK_WIDTHS = (0.7, 1.6, 2.8, 4.2, 6.0)


def network_layout(widths: Sequence[int]) -> list[list[tuple[float, float]]]:
    """Centre (x, y) of every node, column by column; nodes top-aligned like the Playground.

    Column c occupies x in [3c, 3c + 1]; node j of a column y in [-(1.3 j + 1), -1.3 j].
    """
    return [[(3.0 * c + 0.5, -(1.3 * j + 0.5)) for j in range(n)] for c, n in enumerate(widths)]


def _tile(maps: Sequence[np.ndarray], widths: Sequence[int], res: int) -> tuple:
    """All thumbnails in one matrix with NaN gaps, cells exactly 1/res wide.

    Between two blocks two NaN columns (rows) sit right after and right before the blocks,
    so a heatmap's cell edges (midpoints between coordinates) fall on the block edges.
    """
    xs: list[float] = []
    for c in range(len(widths)):
        start = 3.0 * c
        xs += [start + (i + 0.5) / res for i in range(res)]
        if c < len(widths) - 1:
            xs += [start + 1 + 0.5 / res, start + 3 - 0.5 / res]
    rows = max(widths)
    ys: list[float] = []
    for j in range(rows):
        top = -1.3 * j
        ys += [top - 1 + (i + 0.5) / res for i in range(res)]  # bottom to top inside a node
        if j < rows - 1:
            ys += [top - 1 - 0.5 / res, top - 1.3 + 0.5 / res]
    # ys descends node by node but ascends within one: plotly wants it sorted, so sort later
    z = np.full((len(ys), len(xs)), np.nan)
    col_stride, row_stride = res + 2, res + 2
    k = 0
    for c, n in enumerate(widths):
        for j in range(n):
            block = np.asarray(maps[k], dtype=float)
            k += 1
            if block.shape != (res, res):
                block = _resample(block, res)
            z[j * row_stride:j * row_stride + res, c * col_stride:c * col_stride + res] = block
    order = np.argsort(ys)
    return np.asarray(xs), np.asarray(ys)[order], z[order]


def _resample(block: np.ndarray, res: int) -> np.ndarray:
    """Nearest-neighbour resize of a square map to res × res."""
    n = block.shape[0]
    idx = np.minimum((np.arange(res) * n) // res, n - 1)
    return block[np.ix_(idx, idx)]


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
) -> go.Figure:
    """Inputs, hidden neurons and output as thumbnails; weights as links between them.

    widths: nodes per column (inputs, hidden layers..., output); maps: one (r, r) map per
    node, column by column, values drawn on [-1, 1]; weights[c]: (widths[c+1], widths[c])
    as in nn.Linear. Links: thickness by |w| (binned), colour by sign and size, the value on
    hover (an invisible marker at each link's middle). Each node has an invisible marker
    (customdata = node index) so a click can select it. text: title, weight, node.
    """
    layout = network_layout(widths)
    xs, ys, z = _tile(maps, widths, res)
    rows = max(widths)
    fig = go.Figure()
    # links first, under the thumbnails
    mids_x, mids_y, mids_text = [], [], []
    for bin_i in range(len(LINK_BINS) - 1):
        for sign in (-1, 1):
            lx: list[float | None] = []
            ly: list[float | None] = []
            for c, w in enumerate(weights):
                w = np.asarray(w, dtype=float)
                for j in range(w.shape[0]):
                    for i in range(w.shape[1]):
                        v = w[j, i]
                        a = abs(v) if np.isfinite(v) else np.inf
                        if not (LINK_BINS[bin_i] <= a < LINK_BINS[bin_i + 1]
                                or (bin_i == len(LINK_BINS) - 2 and a == np.inf)):
                            continue
                        if (v >= 0) != (sign > 0) and np.isfinite(v):
                            continue
                        (x0, y0), (x1, y1) = layout[c][i], layout[c + 1][j]
                        lx += [x0 + 0.5, x1 - 0.5, None]
                        ly += [y0, y1, None]
            if lx:
                level = (bin_i + 1) / (len(LINK_BINS) - 1)
                fig.add_trace(go.Scatter(
                    x=lx, y=ly, mode="lines", hoverinfo="skip", showlegend=False,
                    line={"width": LINK_WIDTHS[bin_i], "color": diverging_color(sign * level)},
                ))
    for c, w in enumerate(weights):
        w = np.asarray(w, dtype=float)
        for j in range(w.shape[0]):
            for i in range(w.shape[1]):
                (x0, y0), (x1, y1) = layout[c][i], layout[c + 1][j]
                mids_x.append((x0 + x1) / 2)
                mids_y.append((y0 + y1) / 2)
                mids_text.append(f"{text['weight']} {column_titles[c]}→{column_titles[c + 1]} "
                                 f"[{j + 1},{i + 1}] = {w[j, i]:.3f}")
    fig.add_trace(go.Scatter(x=mids_x, y=mids_y, mode="markers", hovertext=mids_text,
                             hoverinfo="text", showlegend=False,
                             marker={"size": 8, "color": "rgba(0,0,0,0)"}))
    fig.add_trace(go.Heatmap(x=xs, y=ys, z=z, colorscale=DIVERGING, zmin=-1, zmax=1,
                             showscale=False, hoverinfo="skip"))
    centres = [p for column in layout for p in column]
    fig.add_trace(go.Scatter(
        x=[p[0] for p in centres], y=[p[1] for p in centres], mode="markers",
        customdata=list(range(len(centres))), hovertext=list(node_names), hoverinfo="text",
        showlegend=False, name=text["node"],
        marker={"size": 26, "symbol": "square", "color": "rgba(0,0,0,0)",
                "line": {"width": 0}},
    ))
    if selected is not None and 0 <= selected < len(centres):
        x, y = centres[selected]
        fig.add_shape(type="rect", x0=x - 0.55, x1=x + 0.55, y0=y - 0.55, y1=y + 0.55,
                      line={"color": "#222222", "width": 2})
    for c, title in enumerate(column_titles):
        fig.add_annotation(x=3.0 * c + 0.5, y=0.35, text=title, showarrow=False,
                           font={"size": FONT_SIZE - 3})
    fig.update_xaxes(visible=False, range=[-0.4, 3.0 * (len(widths) - 1) + 1.4])
    fig.update_yaxes(visible=False, range=[-1.3 * rows - 0.1, 0.7], scaleanchor="x",
                     scaleratio=1)
    fig.update_layout(
        title={"text": text["title"], "x": 0.0, "font": {"size": FONT_SIZE + 3}},
        font={"family": FONT_FAMILY, "size": FONT_SIZE}, template="plotly_white",
        height=height or int(110 + 62 * rows), margin={"l": 10, "r": 10, "t": 50, "b": 10},
        hoverlabel={"font": {"family": FONT_FAMILY}}, clickmode="event+select",
        dragmode=False,
    )
    return fig


# Curves and the confusion matrix -------------------------------------------------------
def curves_figure(
    epochs: np.ndarray, train_loss: np.ndarray, test_loss: np.ndarray, text: Mapping[str, str],
    *, pinned: Mapping[str, np.ndarray] | None = None, diverged: bool = False,
    height: int = 300,
) -> go.Figure:
    """Train and test loss over epochs (the Playground's little chart), with a pinned run's
    curves dashed for A/B. text: title, x, y, train, test, pinned_train, pinned_test, diverged.
    """
    fig = base_figure(text["title"], text["x"], text["y"], height=height)
    series = [(epochs, train_loss, text["train"], "#555555", "solid"),
              (epochs, test_loss, text["test"], "#111111", "solid")]
    if pinned is not None:
        series += [(pinned["epochs"], pinned["train_loss"], text["pinned_train"], "#9467bd",
                    "dot"),
                   (pinned["epochs"], pinned["test_loss"], text["pinned_test"], "#d62728",
                    "dot")]
    finite_max = 0.0
    for x, y, name, color, dash in series:
        y = np.asarray(y, dtype=float)
        y = np.where(np.isfinite(y) & (np.abs(y) < 1e6), y, np.nan)
        if np.isfinite(y).any():
            finite_max = max(finite_max, float(np.nanmax(y)))
        fig.add_trace(go.Scatter(x=np.asarray(x), y=y, name=name, mode="lines",
                                 line={"color": color, "width": 2.5, "dash": dash}))
    if finite_max > 0:
        fig.update_yaxes(range=[0, finite_max * 1.05])
    fig.update_layout(margin={"l": 60, "r": 10, "t": 60, "b": 50},
                      legend={"y": -0.3, "yanchor": "top", "x": 0.5, "xanchor": "center"})
    if diverged:
        mark_diverged(fig, text["diverged"])
    return fig


def confusion_figure(matrix: np.ndarray, class_names: Sequence[str],
                     text: Mapping[str, str], height: int = 300) -> go.Figure:
    """Counts of (true class, predicted class) on the test set. text: title, x, y."""
    matrix = np.asarray(matrix)
    fig = base_figure(text["title"], text["x"], text["y"], height=height)
    fig.add_trace(go.Heatmap(
        z=matrix, x=list(class_names), y=list(class_names), colorscale="Blues", showscale=False,
        text=matrix.astype(int).astype(str), texttemplate="%{text}", textfont={"size": 16},
        hovertemplate="%{y} → %{x}: %{z}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="bottom")
    fig.update_layout(margin={"l": 60, "r": 10, "t": 60, "b": 50})
    return fig
