"""Figures for the home page."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

import numpy as np

from core.charts.common import finite_positive, log_axis, mark_diverged, style_subplots, subplots
from core.charts.common import BLUISH_GREEN, SKY_BLUE, VERMILLION  # Okabe–Ito
from core.home import LoopResult


SPIKE_RATIO = 10  # a loss this many times its 90th percentile gets a log axis


def loop_figure(result: LoopResult, text: Mapping[str, str]) -> go.Figure:
    """Training loss per step (left) and validation accuracy per epoch (right).

    text: title, loss_title, acc_title, step, epoch, train_loss, val_loss, val_acc, diverged.
    """
    fig = subplots(rows=1, cols=2, subplot_titles=(text["loss_title"], text["acc_title"]),
                   horizontal_spacing=0.1)
    steps_per_epoch = result.steps.max() / max(result.eval_epochs.max(), 1)
    fig.add_trace(go.Scatter(x=result.steps / steps_per_epoch, y=result.train_loss,
                             name=text["train_loss"], line={"color": SKY_BLUE, "width": 1.5}),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=result.eval_epochs, y=result.val_loss, name=text["val_loss"],
                             line={"color": VERMILLION, "width": 3}), row=1, col=1)
    fig.add_trace(go.Scatter(x=result.eval_epochs, y=100 * result.val_accuracy,
                             name=text["val_acc"], line={"color": BLUISH_GREEN, "width": 3}),
                  row=1, col=2)
    style_subplots(fig, text["title"], height=400, legend_y=-0.25)
    fig.update_xaxes(title_text=text["epoch"])
    losses = finite_positive(np.concatenate([result.train_loss, result.val_loss]))
    finite = losses[np.isfinite(losses)]
    if finite.size and finite.max() > SPIKE_RATIO * np.percentile(finite, 90):
        # One batch's spike (lr too high: ~95 against ~0.5) squashed a linear axis flat, so
        # the values the notice quotes could not be read; a log axis shows both.
        log_axis(fig, finite, row=1, col=1)
    else:
        fig.update_yaxes(rangemode="tozero", row=1, col=1)
    # No axis title: the panel's own title says "(%)", and a "%" title sat in the gap between
    # the two panels, where it read as the left panel's.
    fig.update_yaxes(range=[0, 102], row=1, col=2)
    if result.diverged:
        mark_diverged(fig, text["diverged"])
    return fig
