"""Figures for the normalization page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.charts.common import (
    FONT_SIZE, PALETTE, base_figure, finite_positive, log_axis, mark_diverged, style_subplots,
    subplots,
)
from core.charts.common import VERMILLION, YELLOW  # Okabe–Ito
from core.normalization import PixelRun, ScalingRun, Surface

COLORS = {"raw": PALETTE[1], "standard": PALETTE[0], "minmax": PALETTE[2], "divide": PALETTE[2]}
# Curves that can coincide (raw and min-max at equal scales) are told apart by dash too.
DASHES = {"raw": "solid", "standard": "solid", "minmax": "dash", "divide": "dash"}


def loss_curves_figure(runs: Mapping[str, ScalingRun], target: float, text: Mapping[str, str],
                       names: Mapping[str, str]) -> go.Figure:
    """Training MSE per step for each scaling on one log axis, the target as a dashed line."""
    fig = base_figure(text["title"], text["x"], text["y"])
    drawn = []
    for scaling, run in runs.items():
        loss = finite_positive(run.loss)
        loss = np.where(loss > 1e8, np.nan, loss)  # the exploding tail stays off the scale
        drawn.append(loss)
        label = names[scaling] + (f" ⚠ {text['diverged']}" if run.diverged else "")
        fig.add_trace(go.Scatter(x=np.arange(1, len(loss) + 1), y=loss, name=label, mode="lines",
                                 line={"width": 3, "color": COLORS[scaling],
                                       "dash": DASHES[scaling]}))
    fig.add_hline(y=target, line={"dash": "dash", "color": "#555"},
                  annotation_text=text["target"], annotation_position="top right")
    values = np.concatenate(drawn + [np.array([target])])
    log_axis(fig, values[np.isfinite(values)])
    if all(run.diverged for run in runs.values()):
        mark_diverged(fig, text["diverged"])
    return fig


def surface_figure(surfaces: Mapping[str, Surface], text: Mapping[str, str],
                   names: Mapping[str, str]) -> go.Figure:
    """Contours of L(w1, w2) and the gradient-descent path, one panel per scaling."""
    items = list(surfaces.items())
    fig = subplots(rows=1, cols=len(items), horizontal_spacing=0.1,
                   subplot_titles=[names[s] for s, _ in items])
    for col, (_, surf) in enumerate(items, start=1):
        levels = np.log10(surf.loss)
        fig.add_trace(go.Contour(x=surf.w1, y=surf.w2, z=levels, ncontours=18, showscale=False,
                                 colorscale="Blues", reversescale=True,
                                 contours={"coloring": "heatmap"}, hoverinfo="skip"),
                      row=1, col=col)
        path = surf.path.astype(float)
        inside = ((path[:, 0] >= surf.w1[0]) & (path[:, 0] <= surf.w1[-1])
                  & (path[:, 1] >= surf.w2[0]) & (path[:, 1] <= surf.w2[-1]))
        path = np.where(inside[:, None], path, np.nan)  # points off the window: a gap
        fig.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers",
                                 name=text["path"], showlegend=col == 1,
                                 line={"color": VERMILLION, "width": 2}, marker={"size": 5}),
                      row=1, col=col)
        fig.add_trace(go.Scatter(x=[surf.optimum[0]], y=[surf.optimum[1]], mode="markers",
                                 name=text["optimum"], showlegend=col == 1,
                                 marker={"symbol": "star", "size": 16, "color": YELLOW,
                                         "line": {"color": "black", "width": 1}}),
                      row=1, col=col)
        # Equal aspect ratio: one unit of w₁ is as long as one unit of w₂, so an elongated
        # valley looks elongated (core makes the window square in weight units).
        fig.update_xaxes(range=[surf.w1[0], surf.w1[-1]], title_text="w₁", row=1, col=col,
                         constrain="domain")
        fig.update_yaxes(range=[surf.w2[0], surf.w2[-1]], title_text="w₂", row=1, col=col,
                         scaleanchor="x" if col == 1 else f"x{col}", scaleratio=1,
                         constrain="domain")
    style_subplots(fig, text["title"], height=470, legend_y=-0.25)
    for col, (_, surf) in enumerate(items, start=1):
        if surf.diverged:
            axis = "x domain" if col == 1 else f"x{col} domain"
            fig.add_annotation(text=f"⚠ {text['diverged']}", xref=axis, yref="y domain",
                               x=0.5, y=0.5, showarrow=False,
                               font={"color": VERMILLION, "size": FONT_SIZE + 1},
                               bgcolor="rgba(255,255,255,0.85)")
    return fig


def pixels_figure(runs: Mapping[str, PixelRun], text: Mapping[str, str],
                  names: Mapping[str, str]) -> go.Figure:
    """Validation accuracy (left) and validation loss (right, log) per evaluation."""
    fig = subplots(rows=1, cols=2, horizontal_spacing=0.1,
                   subplot_titles=(text["accuracy"], text["loss"]))
    losses = []
    for scaling, run in runs.items():
        style = {"width": 3, "color": COLORS[scaling], "dash": DASHES[scaling]}
        label = names[scaling] + (f" ⚠ {text['diverged']}" if run.diverged else "")
        fig.add_trace(go.Scatter(x=run.val_steps, y=100 * run.val_accuracy, name=label,
                                 mode="lines+markers", line=style, legendgroup=scaling),
                      row=1, col=1)
        loss = finite_positive(run.val_loss)
        losses.append(loss)
        fig.add_trace(go.Scatter(x=run.val_steps, y=loss, name=label, mode="lines+markers",
                                 line=style, legendgroup=scaling, showlegend=False), row=1, col=2)
    style_subplots(fig, text["title"], legend_y=-0.25)
    fig.update_xaxes(title_text=text["x"])
    fig.update_yaxes(range=[0, 102], title_text="%", row=1, col=1)
    values = np.concatenate(losses) if losses else np.array([])
    log_axis(fig, values[np.isfinite(values)], row=1, col=2)
    return fig
