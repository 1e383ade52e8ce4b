"""Figures for the dropout page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.charts.common import base_figure, mark_diverged
from core.charts.common import BLUE, BLUISH_GREEN, GREY, LIGHT_GREY, VERMILLION  # Okabe–Ito
from core.dropout import MasksResult, OverfitResult

MAX_MASK_ROWS = 30  # passes drawn in the mask heatmap


def masks_figure(result: MasksResult, text: Mapping[str, str]) -> go.Figure:
    """Kept (1) / dropped (0) per unit for the first passes. text: title, x, y, kept, dropped."""
    masks = result.masks[:MAX_MASK_ROWS]
    fig = base_figure(text["title"], text["x"], text["y"], height=420)
    fig.add_trace(go.Heatmap(
        z=masks, x=np.arange(1, masks.shape[1] + 1), y=np.arange(1, masks.shape[0] + 1),
        zmin=0, zmax=1, colorscale=[[0, "#f2f2f2"], [0.5, "#f2f2f2"], [0.5, BLUE],
                                    [1, BLUE]],
        colorbar={"tickvals": [0.25, 0.75], "ticktext": [text["dropped"], text["kept"]],
                  "len": 0.6}, xgap=1, ygap=1,
    ))
    fig.update_yaxes(autorange="reversed")
    return fig


def outputs_figure(result: MasksResult, text: Mapping[str, str]) -> go.Figure:
    """Histogram of train-mode outputs, with the eval output and the train mean marked.

    text: title, x, y, train, eval, mean.
    """
    fig = base_figure(text["title"], text["x"], text["y"], height=420)
    fig.add_trace(go.Histogram(x=result.train_outputs, name=text["train"], nbinsx=40,
                               marker_color=BLUE, opacity=0.75))
    fig.add_vline(x=result.eval_output, line={"color": VERMILLION, "width": 3})
    fig.add_vline(x=float(result.train_outputs.mean()), line={"color": BLUISH_GREEN, "dash": "dash",
                                                               "width": 3})
    # Legend entries for the two lines (vlines have none of their own).
    for name, style in ((text["eval"], {"color": VERMILLION, "width": 3}),
                        (text["mean"], {"color": BLUISH_GREEN, "dash": "dash", "width": 3})):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=name, line=style))
    fig.update_layout(bargap=0.05, margin={"b": 120},
                      legend={"y": -0.22, "yanchor": "top", "x": 0.5, "xanchor": "center"})
    return fig


def expectation_figure(result: MasksResult, text: Mapping[str, str]) -> go.Figure:
    """Per unit: h (= eval output of the layer), mean with 1/(1-p), mean without it.

    text: title, x, y, eval, scaled, unscaled.
    """
    units = np.arange(1, len(result.hidden) + 1)
    fig = base_figure(text["title"], text["x"], text["y"], height=420)
    for name, values, color in ((text["eval"], result.hidden, VERMILLION),
                                (text["scaled"], result.mean_dropped, BLUE),
                                (text["unscaled"], result.mean_unscaled, LIGHT_GREY)):
        fig.add_trace(go.Bar(x=units, y=values, name=name, marker_color=color))
    fig.update_layout(barmode="group", legend={"y": -0.3, "yanchor": "top", "x": 0.5,
                                               "xanchor": "center"},
                      margin={"b": 110})
    fig.update_xaxes(dtick=1)
    return fig


def overfit_figure(result: OverfitResult, baseline: OverfitResult,
                   text: Mapping[str, str]) -> go.Figure:
    """Train and validation loss (eval mode) for dropout p and for p = 0.

    text: title, x, y, train, val, with, without, diverged.
    """
    fig = base_figure(text["title"], text["x"], text["y"], height=440)
    same = (np.array_equal(result.train_loss, baseline.train_loss)
            and np.array_equal(result.val_loss, baseline.val_loss))
    runs = [(baseline, text["without"], GREY)]
    if not same:  # at p = 0 both are the same run: draw it once, not one hiding the other
        runs.append((result, text["with"], BLUE))
    for run, label, color in runs:
        for series, name, dash in ((run.train_loss, text["train"], "dot"),
                                   (run.val_loss, text["val"], "solid")):
            values = np.where(np.isfinite(series), series, np.nan)
            fig.add_trace(go.Scatter(x=run.steps, y=values, mode="lines",
                                     name=f"{label} · {name}",
                                     line={"color": color, "dash": dash, "width": 3}))
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_layout(legend={"y": -0.25, "yanchor": "top", "x": 0.5, "xanchor": "center"},
                      margin={"b": 120})
    if result.diverged or baseline.diverged:
        mark_diverged(fig, text["diverged"])
    return fig
