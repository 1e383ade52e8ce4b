"""Figures for the forward-pass page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.charts.common import FONT_SIZE, base_figure, mark_diverged, style_subplots, subplots
from core.charts.common import BLUE, BLUISH_GREEN, GREY, ORANGE, VERMILLION, YELLOW  # Okabe–Ito
from core.forward_pass import (
    B_RANGE,
    W_RANGE,
    DigitResult,
    LayersResult,
    LineResult,
    NetMaps,
    OutputResult,
)

CLASS_COLORS = (BLUE, VERMILLION)


def line_figure(result: LineResult, text: Mapping[str, str]) -> go.Figure:
    """The data, the line y = Wx + b, and each point's residual as a vertical segment.

    text: title, x, y, data, line, residual.
    """
    fig = base_figure(text["title"], text["x"], text["y"])
    seg_x = np.repeat(result.x, 3)
    seg_y = np.column_stack([result.y, result.prediction, np.full_like(result.y, np.nan)])
    seg_x[2::3] = np.nan
    fig.add_trace(go.Scatter(x=seg_x, y=seg_y.ravel(), mode="lines", name=text["residual"],
                             line={"color": ORANGE, "width": 1.5}))
    fig.add_trace(go.Scatter(x=result.x, y=result.y, mode="markers", name=text["data"],
                             marker={"color": BLUE, "size": 8}))
    order = np.argsort(result.x)
    fig.add_trace(go.Scatter(x=result.x[order], y=result.prediction[order], mode="lines",
                             name=text["line"], line={"color": VERMILLION, "width": 3}))
    if result.path_w.size and not result.diverged and "fitted" in text:
        # Where autograd's fit ended up, beside the hand-picked line it started from.
        xs = np.array([result.x.min(), result.x.max()])
        fig.add_trace(go.Scatter(x=xs, y=result.path_w[-1] * xs + result.path_b[-1],
                                 mode="lines", name=text["fitted"],
                                 line={"color": BLUISH_GREEN, "width": 3, "dash": "dash"}))
    lo, hi = float(result.y.min()), float(result.y.max())
    fig.update_yaxes(range=[lo - 0.3 * (hi - lo) - 1, hi + 0.3 * (hi - lo) + 1])
    return fig


def contour_figure(result: LineResult, text: Mapping[str, str]) -> go.Figure:
    """log10 MSE over (W, b), the hand-picked point, and the autograd path if any.

    text: title, w, b, colorbar, start, path, diverged.
    """
    fig = base_figure(text["title"], text["w"], text["b"])
    fig.add_trace(go.Contour(
        x=result.grid_w, y=result.grid_b, z=np.log10(result.surface), colorscale="Viridis",
        ncontours=25, colorbar={"title": {"text": text["colorbar"], "side": "right"}},
        hovertemplate="W=%{x:.2f}<br>b=%{y:.2f}<br>log10 MSE=%{z:.2f}<extra></extra>",
        showlegend=False,
    ))
    if result.path_w.size:
        fig.add_trace(go.Scatter(x=result.path_w, y=result.path_b, mode="lines+markers",
                                 name=text["path"], line={"color": "white", "width": 2},
                                 marker={"size": 5, "color": "white"}))
    fig.add_trace(go.Scatter(x=[result.w], y=[result.b], mode="markers", name=text["start"],
                             marker={"size": 14, "color": VERMILLION, "symbol": "x"}))
    if "best" in text:
        fig.add_trace(go.Scatter(x=[result.best_w], y=[result.best_b], mode="markers",
                                 name=text["best"],
                                 marker={"size": 16, "color": YELLOW, "symbol": "star",
                                         "line": {"color": "black", "width": 1}}))
    norm = float(np.hypot(*result.grad))
    if "downhill" in text and norm > 0:
        # −gradient from the hand-picked point, drawn 1 unit long: same scale on both axes
        # (below), so the angle to the star is the true angle.
        tip = (result.w - result.grad[0] / norm, result.b - result.grad[1] / norm)
        fig.add_annotation(x=tip[0], y=tip[1], ax=result.w, ay=result.b, xref="x", yref="y",
                           axref="x", ayref="y", showarrow=True, arrowhead=3, arrowwidth=3,
                           arrowcolor=ORANGE, text="")
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=text["downhill"],
                                 line={"color": ORANGE, "width": 3}))
    # Keep the axes on the grid even if a diverging path flies off it; one unit of W is as
    # long as one unit of b, so the bowl's shape and the gradient's angle are not distorted.
    fig.update_xaxes(range=list(W_RANGE), constrain="domain")
    fig.update_yaxes(range=list(B_RANGE), scaleanchor="x", scaleratio=1, constrain="domain")
    fig.update_layout(legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": -0.18,
                              "yanchor": "top"}, margin={"b": 110}, height=520)
    if result.diverged:
        mark_diverged(fig, text["diverged"])
    return fig


def _heat(z: np.ndarray, grid: np.ndarray, zmid: float | None = 0.0, colorscale: str = "RdBu",
          zmin: float | None = None, zmax: float | None = None) -> go.Heatmap:
    return go.Heatmap(x=grid, y=grid, z=z, colorscale=colorscale, zmid=zmid, zmin=zmin,
                      zmax=zmax, showscale=False, hovertemplate="%{z:.3f}<extra></extra>")


def layer_maps_figure(maps: NetMaps, grid: np.ndarray, unit: int,
                      text: Mapping[str, str]) -> go.Figure:
    """For one hidden unit of every layer: its linear output z (top) and f(z) (bottom).

    text: title, pre, post (row names with {layer} placeholder).
    unit: 0-based unit index.
    """
    depth = len(maps.pre)
    titles = [text["pre"].format(layer=i + 1) for i in range(depth)]
    titles += [text["post"].format(layer=i + 1) for i in range(depth)]
    fig = subplots(rows=2, cols=depth, subplot_titles=titles, horizontal_spacing=0.04,
                   vertical_spacing=0.12)
    for layer in range(depth):
        pre, post = maps.pre[layer][unit], maps.post[layer][unit]
        limit = float(np.abs(pre).max()) or 1.0
        # RdBu reversed: red = positive. Shared limits per column so z and f(z) compare.
        fig.add_trace(_heat(pre, grid, zmin=-limit, zmax=limit, zmid=0.0,
                            colorscale="RdBu_r"), row=1, col=layer + 1)
        fig.add_trace(_heat(post, grid, zmin=-limit, zmax=limit, zmid=0.0,
                            colorscale="RdBu_r"), row=2, col=layer + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, scaleanchor=None)
    return style_subplots(fig, text["title"], height=620, legend_y=-0.18)


def boundary_figure(result: LayersResult, text: Mapping[str, str]) -> go.Figure:
    """P(class 1) over the plane for the net with activations and without, data on top.

    text: title, nonlinear, linear (panel titles, may use {acc}), class0, class1, diverged.
    """
    fig = subplots(rows=1, cols=2, horizontal_spacing=0.06, subplot_titles=(
        text["nonlinear"].format(acc=result.nonlinear.accuracy),
        text["linear"].format(acc=result.linear.accuracy)))
    for col, maps in enumerate((result.nonlinear, result.linear), start=1):
        fig.add_trace(_heat(maps.prob, result.grid, zmid=0.5, zmin=0, zmax=1,
                            colorscale="RdBu_r"), row=1, col=col)
        fig.add_trace(go.Contour(x=result.grid, y=result.grid, z=maps.prob, showscale=False,
                                 contours={"start": 0.5, "end": 0.5, "coloring": "none"},
                                 line={"color": "black", "width": 3}, hoverinfo="skip",
                                 showlegend=False),
                      row=1, col=col)
        for label in (0, 1):
            points = result.x[result.y == label]
            fig.add_trace(go.Scatter(
                x=points[:, 0], y=points[:, 1], mode="markers", name=text[f"class{label}"],
                marker={"color": CLASS_COLORS[label], "size": 6,
                        "line": {"color": "white", "width": 1}},
                legendgroup=str(label), showlegend=col == 1), row=1, col=col)
        if maps.diverged:
            fig.add_annotation(text=f"⚠ {text['diverged']}", xref=f"x{col} domain",
                               yref=f"y{col} domain", x=0.5, y=0.5, showarrow=False,
                               font={"color": VERMILLION, "size": FONT_SIZE + 1},
                               bgcolor="rgba(255,255,255,0.85)")
    lim = [float(result.grid[0]), float(result.grid[-1])]
    fig.update_xaxes(range=lim, title_text="x₁")
    fig.update_yaxes(range=lim, title_text="x₂")
    return style_subplots(fig, text["title"], height=470, legend_y=-0.18)


def output_figure(result: OutputResult, text: Mapping[str, str]) -> go.Figure:
    """Left: the classifier's softmax probabilities. Right: the regressor's single value.

    text: title, classification, regression, class0, class1, prob, predicted, true.
    """
    fig = subplots(rows=1, cols=2, horizontal_spacing=0.12,
                   subplot_titles=(text["classification"], text["regression"]))
    labels = [text["class0"], text["class1"]]
    fig.add_trace(go.Bar(x=labels, y=result.probs, marker_color=list(CLASS_COLORS),
                         text=[f"{p:.3f}" for p in result.probs], textposition="outside",
                         showlegend=False), row=1, col=1)
    fig.add_trace(go.Bar(x=[text["predicted"], text["true"]],
                         y=[result.value, result.true_value], marker_color=[BLUISH_GREEN, GREY],
                         text=[f"{result.value:.3f}", f"{result.true_value:.3f}"],
                         textposition="outside", showlegend=False), row=1, col=2)
    fig.update_yaxes(range=[0, 1.2], title_text=text["prob"], row=1, col=1)
    top = max(result.value, result.true_value, 0.1)
    fig.update_yaxes(range=[min(0.0, result.value) * 1.3, top * 1.3], row=1, col=2)
    return style_subplots(fig, text["title"], height=380, legend_y=-0.18)


def digit_figure(result: DigitResult, text: Mapping[str, str]) -> go.Figure:
    """The image as the 8x8 grid of numbers it is, and the same numbers flattened.

    text: title, image, flat, pixel.
    """
    fig = subplots(rows=1, cols=2, column_widths=[0.45, 0.55], horizontal_spacing=0.08,
                   subplot_titles=(text["image"], text["flat"]))
    # One decimal: at projector sizes (18 px) "0.94" was wider than its cell and overlapped.
    fmt = "{:.1f}" if result.max_value <= 1.0 else "{:.0f}"
    labels = [[fmt.format(v) for v in row] for row in result.image]
    fig.add_trace(go.Heatmap(z=result.image, colorscale="Greys", showscale=False,
                             text=labels, texttemplate="%{text}", textfont={"size": 11},
                             hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>"),
                  row=1, col=1)
    fig.add_trace(go.Heatmap(z=result.flat[None, :], colorscale="Greys", showscale=False,
                             hovertemplate="index %{x}: %{z}<extra></extra>"), row=1, col=2)
    fig.update_yaxes(autorange="reversed", scaleanchor="x", row=1, col=1, showticklabels=False)
    fig.update_xaxes(showticklabels=False, row=1, col=1)
    fig.update_yaxes(showticklabels=False, row=1, col=2)
    fig.update_xaxes(title_text=text["pixel"], row=1, col=2, tickvals=[0, 8, 16, 24, 32, 40, 48,
                                                                         56, 63])
    return style_subplots(fig, text["title"], height=360, legend_y=-0.18)

