"""Figures for the DataLoader page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.charts.common import (
    base_figure, finite_positive, log_axis, mark_diverged, style_subplots, subplots,
)
from core.charts.common import BLUE, BLUISH_GREEN, GREY, VERMILLION  # Okabe–Ito
from core.charts.playback import frame_steps, play_figure
from core.dataloader import BatchResult, ShuffleResult, ThroughputResult, WorkersResult


def batch_loss_figure(result: BatchResult, text: Mapping[str, str]) -> go.Figure:
    """Loss of every mini-batch (x in epochs, so batch sizes compare) and validation loss.

    text: title, x, y, step, full, val, diverged. ``full``: the training-set loss at the
    weights each step started from, the number each mini-batch loss estimates.
    """
    fig = base_figure(text["title"], text["x"], text["y"])
    step_loss = finite_positive(result.step_loss)
    val_loss = finite_positive(result.val_loss)
    full_loss = finite_positive(result.full_loss)
    fig.add_trace(go.Scatter(x=result.step_epoch, y=step_loss, name=text["step"],
                             mode="lines+markers" if len(step_loss) <= 60 else "lines",
                             line={"width": 1.5, "color": BLUE}, marker={"size": 6}))
    fig.add_trace(go.Scatter(x=np.arange(len(full_loss)) / result.steps_per_epoch, y=full_loss,
                             name=text["full"], mode="lines",
                             line={"width": 2, "color": "#111111", "dash": "dot"}))
    fig.add_trace(go.Scatter(x=result.val_epochs, y=val_loss, name=text["val"],
                             mode="lines+markers", line={"width": 3, "color": VERMILLION},
                             marker={"size": 9}))
    log_axis(fig, np.concatenate([step_loss, val_loss, full_loss]))
    fig.update_layout(legend={"orientation": "h", "y": -0.25, "yanchor": "top", "x": 0.5,
                              "xanchor": "center"}, margin={"b": 110})
    if result.diverged:
        mark_diverged(fig, text["diverged"])
    return fig


def throughput_figure(result: ThroughputResult, text: Mapping[str, str],
                      chosen: int | None = None) -> go.Figure:
    """Samples per second of forward + backward per batch size (both axes log).

    text: title, x, y, chosen.
    """
    fig = base_figure(text["title"], text["x"], text["y"], height=330)
    fig.add_trace(go.Scatter(x=result.batch_sizes, y=result.samples_per_s, mode="lines+markers",
                             line={"width": 3, "color": BLUISH_GREEN}, marker={"size": 10},
                             name=text["y"], hovertemplate="%{x}: %{y:,.0f}<extra></extra>"))
    fig.update_xaxes(type="log", tickvals=list(result.batch_sizes),
                     ticktext=[str(b) for b in result.batch_sizes])
    log_axis(fig, result.samples_per_s)
    if chosen is not None:
        fig.add_vline(x=chosen, line={"color": GREY, "dash": "dash"})
        fig.add_annotation(x=np.log10(chosen), y=1, yref="paper", text=text["chosen"],
                           showarrow=False, yanchor="bottom")
    fig.update_layout(showlegend=False)
    return fig


def shuffle_figure(result: ShuffleResult, text: Mapping[str, str]) -> go.Figure:
    """Top: loss per step; bottom: held-out accuracy, for sorted vs shuffled batches.

    text: title, loss, acc, x, sorted, shuffled, diverged. Dotted lines mark epochs.
    """
    fig = subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                   subplot_titles=(text["loss"], text["acc"]))
    colors = {"sorted": VERMILLION, "shuffled": BLUE}
    dashes = {"sorted": "dash", "shuffled": "solid"}  # a second cue besides colour
    for name, run in result.runs.items():
        steps = np.arange(1, len(run.step_loss) + 1)
        fig.add_trace(go.Scatter(x=steps, y=np.where(np.isfinite(run.step_loss), run.step_loss,
                                                     np.nan),
                                 name=text[name], legendgroup=name, mode="lines",
                                 line={"color": colors[name], "width": 2, "dash": dashes[name]}), row=1, col=1)
        fig.add_trace(go.Scatter(x=run.eval_steps, y=100 * run.held_out_acc, name=text[name],
                                 legendgroup=name, showlegend=False, mode="lines",
                                 line={"color": colors[name], "width": 3, "dash": dashes[name]}), row=2, col=1)
    n_steps = max(len(r.step_loss) for r in result.runs.values())
    for boundary in range(result.steps_per_epoch, n_steps, result.steps_per_epoch):
        fig.add_vline(x=boundary + 0.5, line={"color": "#999999", "dash": "dot"})
    style_subplots(fig, text["title"], height=560, legend_y=-0.12)
    fig.update_yaxes(range=[0, 100], row=2, col=1)
    fig.update_xaxes(title_text=text["x"], row=2, col=1)
    losses = np.concatenate([r.step_loss for r in result.runs.values()])
    finite = losses[np.isfinite(losses)]
    if finite.size:
        fig.update_yaxes(range=[0, min(float(finite.max()) * 1.05, 10.0)], row=1, col=1)
    if any(r.diverged for r in result.runs.values()):
        mark_diverged(fig, text["diverged"])
    return fig


def shuffle_animation(result: ShuffleResult, text: Mapping[str, str]) -> go.Figure:
    """The shuffle chart played back step by step in the browser (issue 10 item 5): the
    sorted run's loss saws up at every class change while the shuffled one falls. Frames
    come from the finished runs (no training per frame); the last frame is the static chart.

    text: as shuffle_figure, plus play, pause, step.
    """
    n_steps = max(len(r.step_loss) for r in result.runs.values())
    return play_figure(shuffle_figure(result, text), frame_steps(1, n_steps), text)


def workers_figure(result: WorkersResult, text: Mapping[str, str]) -> go.Figure:
    """Wall time per epoch for each num_workers, and the time one process would need.

    text: title, x, y, epoch ("epoch {e}"), ideal.
    """
    fig = base_figure(text["title"], text["x"], text["y"], height=380)
    x = [str(w) for w in result.workers]
    for e in range(result.epoch_s.shape[1]):
        fig.add_trace(go.Bar(x=x, y=result.epoch_s[:, e], name=text["epoch"].format(e=e + 1),
                             texttemplate="%{y:.2f} s", textposition="outside"))
    fig.add_hline(y=result.ideal_s, line={"color": GREY, "dash": "dash"},
                  annotation_text=text["ideal"], annotation_position="top right")
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 1.25 * max(float(result.epoch_s.max()), result.ideal_s)])
    return fig
