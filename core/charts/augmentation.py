"""Figures for the augmentation page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.augmentation import TEST_ANGLES, TEST_SHIFTS, GalleryResult, TrainingRun
from core.charts.common import FONT_FAMILY, PALETTE, mark_diverged, style_subplots

COLORS = {"plain": PALETTE[1], "augmented": PALETTE[0]}
COLUMNS = 8


GAP = 2  # pixels of empty plane between two tiles of the gallery (a row gap also holds a title)


def tile_origin(i: int, size: int) -> tuple[int, int]:
    """(top row, left column) of image ``i``'s tile in ``gallery_tiles``' array. A row's gap
    is wider than a column's: the titles of the row below sit in it."""
    return (i // COLUMNS) * (size + 2 * GAP), (i % COLUMNS) * (size + GAP)


def gallery_tiles(images: list[np.ndarray]) -> np.ndarray:
    """The images laid out in rows of COLUMNS as one array, NaN (drawn empty) between them
    and in the unused tiles; row 0 of the array is the top row of the picture."""
    size = images[0].shape[0]
    rows = -(-len(images) // COLUMNS)
    tiles = np.full((rows * (size + 2 * GAP) - 2 * GAP, COLUMNS * (size + GAP) - GAP), np.nan)
    for i, image in enumerate(images):
        top, left = tile_origin(i, size)
        tiles[top:top + size, left:left + size] = image
    return tiles


def gallery_figure(result: GalleryResult, text: Mapping[str, str]) -> go.Figure:
    """The original digit, then its augmented copies, as small grey-scale images: one heatmap
    of all of them side by side (``gallery_tiles``), each titled above. One trace on one pair
    of axes, not one subplot per image: 16 subplots cost ~70 ms to build on the server and ~70
    ms to draw in the browser on every gallery press (BENCHMARKS.md, "Issue 18 (session
    2026-12-05d)")."""
    images = [result.original, *result.augmented]
    size = images[0].shape[0]
    rows = -(-len(images) // COLUMNS)
    # Rounded to whole degrees before the sign is chosen: "{:+.0f}" printed -0.3° as "-0°".
    titles = [text["original"]] + [f"{int(round(float(a))):+d}°, ×{z:.2f}"
                                   for a, _, _, z in result.params]
    tiles = gallery_tiles(images)
    height = len(tiles)
    fig = go.Figure(go.Heatmap(z=tiles[::-1], zmin=0, zmax=1, colorscale="Greys",
                               showscale=False, hoverongaps=False,
                               hovertemplate="%{z:.2f}<extra></extra>"))
    # The tiles are ~4 times wider than tall: a plot as high as the subplots had left a band
    # of empty plane above and below them.
    style_subplots(fig, text["title"], height=150 + 110 * rows)
    origins = [tile_origin(i, size) for i in range(len(titles))]
    fig.update_layout(annotations=[  # over its tile's middle, just above its top row
        {"text": title, "x": left + (size - 1) / 2, "y": height - top - 0.5, "xref": "x",
         "yref": "y", "yanchor": "bottom", "showarrow": False,
         "font": {"size": 12, "family": FONT_FAMILY}}
        for title, (top, left) in zip(titles, origins)])
    fig.update_xaxes(visible=False, range=[-0.5, len(tiles[0]) - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[-0.5, height + 1.5], scaleanchor="x", scaleratio=1,
                     constrain="domain", constraintoward="top")
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
