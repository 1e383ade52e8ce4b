"""Figures for the augmentation page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.augmentation import TEST_ANGLES, TEST_SHIFTS, GalleryResult, TrainingRun
from core.charts.common import PALETTE, mark_diverged, style_subplots

COLORS = {"plain": PALETTE[1], "augmented": PALETTE[0]}
COLUMNS = 8


def gallery_figure(result: GalleryResult, text: Mapping[str, str]) -> go.Figure:
    """The original digit, then its augmented copies, as small grey-scale images."""
    images = [result.original, *result.augmented]
    rows = -(-len(images) // COLUMNS)
    # Rounded to whole degrees before the sign is chosen: "{:+.0f}" printed -0.3° as "-0°".
    titles = [text["original"]] + [f"{int(round(float(a))):+d}°, ×{z:.2f}"
                                   for a, _, _, z in result.params]
    fig = make_subplots(rows=rows, cols=COLUMNS, subplot_titles=titles,
                        horizontal_spacing=0.02, vertical_spacing=0.12)
    for i, image in enumerate(images):
        fig.add_trace(go.Heatmap(z=image[::-1], zmin=0, zmax=1, colorscale="Greys",
                                 showscale=False, hovertemplate="%{z:.2f}<extra></extra>"),
                      row=i // COLUMNS + 1, col=i % COLUMNS + 1)
    style_subplots(fig, text["title"], height=150 + 150 * rows)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    for annotation in fig.layout.annotations:
        annotation.font.size = 12
    return fig


def curves_figure(runs: Mapping[str, TrainingRun], text: Mapping[str, str],
                  names: Mapping[str, str]) -> go.Figure:
    """Accuracy (left) and loss (right) on the training subset (dashed) and validation (solid)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(text["accuracy"], text["loss"]))
    for name, run in runs.items():
        color = COLORS[name]
        for split, acc, loss, dash in (("train", run.train_accuracy, run.train_loss, "dash"),
                                       ("val", run.val_accuracy, run.val_loss, "solid")):
            label = f"{names[name]} · {text[split]}"
            style = {"color": color, "dash": dash, "width": 3}
            fig.add_trace(go.Scatter(x=run.eval_epochs, y=100 * acc, name=label, line=style,
                                     legendgroup=label), row=1, col=1)
            fig.add_trace(go.Scatter(x=run.eval_epochs, y=np.where(np.isfinite(loss), loss, np.nan),
                                     name=label, line=style, legendgroup=label, showlegend=False),
                          row=1, col=2)
    style_subplots(fig, text["title"], height=460, legend_y=-0.3)
    fig.update_xaxes(title_text=text["x"])
    fig.update_yaxes(range=[0, 102], title_text="%", row=1, col=1)
    finite = [v for r in runs.values() for v in (*r.train_loss, *r.val_loss) if np.isfinite(v)]
    fig.update_yaxes(range=[0, min(max(finite, default=1.0), 5.0) * 1.05], row=1, col=2)
    if any(r.diverged for r in runs.values()):
        mark_diverged(fig, text["diverged"])
    return fig


def robustness_figure(runs: Mapping[str, TrainingRun], text: Mapping[str, str],
                      names: Mapping[str, str]) -> go.Figure:
    """Validation accuracy when every validation digit is rotated (left) or shifted (right)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(text["rotated"], text["shifted"]))
    for name, run in runs.items():
        style = {"color": COLORS[name], "width": 3}
        fig.add_trace(go.Scatter(x=list(TEST_ANGLES), y=100 * run.rotated_accuracy,
                                 name=names[name], mode="lines+markers", line=style,
                                 legendgroup=name), row=1, col=1)
        fig.add_trace(go.Scatter(x=list(TEST_SHIFTS), y=100 * run.shifted_accuracy,
                                 name=names[name], mode="lines+markers", line=style,
                                 legendgroup=name, showlegend=False), row=1, col=2)
    style_subplots(fig, text["title"], legend_y=-0.25)
    fig.update_xaxes(title_text=text["angle"], row=1, col=1)
    fig.update_xaxes(title_text=text["shift"], row=1, col=2)
    fig.update_yaxes(range=[0, 102], title_text="%")
    return fig
