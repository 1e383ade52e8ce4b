"""Figures for the batch-norm page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.batchnorm import BNTrainResult, PitfallsResult, RunningStatsResult
from core.charts.common import (
    FONT_SIZE, base_figure, color_for, finite_positive, log_axis, style_subplots, subplots,
)
from core.charts.common import BLUE, BLUISH_GREEN, GREY, LIGHT_GREY, REDDISH_PURPLE, VERMILLION  # Okabe–Ito


def activation_std_figure(result: BNTrainResult, text: Mapping[str, str]) -> go.Figure:
    """Std of each layer's pre-activation over training: without BN | with BN (shared log y).

    text: title, x, y, plain, bn, layer ("layer {n}"), diverged.
    """
    fig = subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.05,
                   subplot_titles=(text["plain"], text["bn"]))
    values = []
    for col, name in enumerate(("plain", "bn"), start=1):
        run = result.runs[name]
        for layer in range(run.pre_std.shape[1]):
            std = finite_positive(run.pre_std[:, layer])
            values.append(std)
            fig.add_trace(go.Scatter(
                x=np.arange(1, len(std) + 1), y=std, mode="lines",
                name=text["layer"].format(n=layer + 1), legendgroup=str(layer),
                showlegend=col == 1, line={"width": 3, "color": color_for("", layer)}),
                row=1, col=col)
        if run.diverged:
            fig.add_annotation(text=f"⚠ {text['diverged']}", xref="x domain" if col == 1 else f"x{col} domain",
                               yref="y domain", x=0.5, y=0.9, showarrow=False,
                               font={"color": VERMILLION, "size": FONT_SIZE},
                               bgcolor="rgba(255,255,255,0.85)")
    all_values = np.concatenate(values) if values else np.array([1.0])
    log_axis(fig, all_values)
    fig.update_yaxes(title_text=text["y"], row=1, col=1)
    fig.update_xaxes(title_text=text["x"])
    style_subplots(fig, text["title"], height=440)
    return fig


def bn_loss_figure(result: BNTrainResult, text: Mapping[str, str]) -> go.Figure:
    """Training loss with and without BN (log y). text: title, x, y, plain, bn."""
    fig = base_figure(text["title"], text["x"], text["y"], height=400)
    losses = []
    for name, color in (("plain", GREY), ("bn", BLUE)):
        loss = finite_positive(result.runs[name].loss)
        losses.append(loss)
        fig.add_trace(go.Scatter(x=np.arange(1, len(loss) + 1), y=loss, name=text[name],
                                 mode="lines", line={"width": 3, "color": color}))
    log_axis(fig, np.concatenate(losses))
    return fig


def running_mean_figure(result: RunningStatsResult, text: Mapping[str, str]) -> go.Figure:
    """Feature 0: batch means (dots), running mean (line), E[running] (dashed), μ (grey).

    text: title, x, y, batch, running, theory, true.
    """
    fig = base_figure(text["title"], text["x"], text["y"], height=420)
    steps = np.arange(len(result.running_mean))
    fig.add_trace(go.Scatter(x=steps[1:], y=result.batch_mean[:, 0], mode="markers",
                             name=text["batch"], marker={"color": LIGHT_GREY, "size": 6}))
    fig.add_trace(go.Scatter(x=steps, y=result.theory_mean[:, 0], mode="lines",
                             name=text["theory"],
                             line={"color": BLUISH_GREEN, "dash": "dash", "width": 2}))
    fig.add_trace(go.Scatter(x=steps, y=result.running_mean[:, 0], mode="lines",
                             name=text["running"], line={"color": BLUE, "width": 3}))
    fig.add_hline(y=float(result.true_mean[0]), line={"color": VERMILLION, "dash": "dot"},
                  annotation_text=text["true"], annotation_position="bottom right")
    return fig


def pitfalls_figure(result: PitfallsResult, text: Mapping[str, str]) -> go.Figure:
    """Test accuracy when evaluating in train mode with batches of each size, vs eval mode.

    text: title, x, y, train_mode, eval_mode, one_class.
    """
    fig = base_figure(text["title"], text["x"], text["y"], height=420)
    fig.add_trace(go.Scatter(x=result.batch_sizes, y=100 * result.train_mode_by_batch,
                             mode="lines+markers", name=text["train_mode"],
                             line={"color": VERMILLION, "width": 3}, marker={"size": 9}))
    fig.add_trace(go.Scatter(x=[result.batch_sizes[0], result.batch_sizes[-1]],
                             y=[100 * result.eval_accuracy] * 2, mode="lines",
                             name=text["eval_mode"],
                             line={"color": BLUE, "width": 3, "dash": "dash"}))
    fig.add_trace(go.Scatter(x=[result.batch_sizes[-1]], y=[100 * result.train_mode_one_class],
                             mode="markers", name=text["one_class"],
                             marker={"color": REDDISH_PURPLE, "size": 14, "symbol": "x"}))
    fig.update_xaxes(type="log", tickvals=list(result.batch_sizes),
                     ticktext=[str(b) for b in result.batch_sizes])
    fig.update_yaxes(range=[0, 103])
    fig.update_layout(legend={"y": -0.25, "yanchor": "top", "x": 0.5, "xanchor": "center"},
                      margin={"b": 110})
    return fig
