"""Figures for the home page."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.common import FONT_FAMILY, FONT_SIZE, mark_diverged
from core.home import LoopResult


def loop_figure(result: LoopResult, text: Mapping[str, str]) -> go.Figure:
    """Training loss per step (left) and validation accuracy per epoch (right).

    text: title, loss_title, acc_title, step, epoch, train_loss, val_loss, val_acc, diverged.
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=(text["loss_title"], text["acc_title"]),
                        horizontal_spacing=0.1)
    steps_per_epoch = result.steps.max() / max(result.eval_epochs.max(), 1)
    fig.add_trace(go.Scatter(x=result.steps / steps_per_epoch, y=result.train_loss,
                             name=text["train_loss"], line={"color": "#9ecae1", "width": 1.5}),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=result.eval_epochs, y=result.val_loss, name=text["val_loss"],
                             line={"color": "#d62728", "width": 3}), row=1, col=1)
    fig.add_trace(go.Scatter(x=result.eval_epochs, y=100 * result.val_accuracy,
                             name=text["val_acc"], line={"color": "#2ca02c", "width": 3}),
                  row=1, col=2)
    fig.update_layout(
        title={"text": text["title"], "x": 0.0, "font": {"size": FONT_SIZE + 3}},
        font={"family": FONT_FAMILY, "size": FONT_SIZE}, template="plotly_white", height=400,
        margin={"l": 60, "r": 20, "t": 90, "b": 60},
        legend={"orientation": "h", "y": -0.25, "x": 0.5, "xanchor": "center"},
    )
    fig.update_xaxes(title_text=text["epoch"])
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(range=[0, 102], title_text="%", row=1, col=2)
    if result.diverged:
        mark_diverged(fig, text["diverged"])
    return fig
