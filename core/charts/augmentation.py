"""Figures for the augmentation page.

Each figure is written as plain data (trace and layout dicts) and handed to
``go.Figure(..., _validate=False)``: plotly's validation of every property and
``make_subplots``' grid bookkeeping cost 7-16 ms per figure (2 ms without), on every cold
press, for properties that are fixed here. The layout that ``make_subplots`` and
``style_subplots`` produce is taken from plotly itself, once per process (``house_layout``);
tests/charts/test_augmentation.py checks each figure equals the one the validated plotly
calls build (BENCHMARKS.md, "Issue 18: /augmentation's cold press, server side").
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.augmentation import TEST_ANGLES, TEST_SHIFTS, GalleryResult, TrainingRun
from core.charts.common import FONT_FAMILY, PALETTE, layout_data, mark_diverged, style_subplots

COLORS = {"plain": PALETTE[1], "augmented": PALETTE[0]}
COLUMNS = 8
TWO_PANELS = {"rows": 1, "cols": 2, "horizontal_spacing": 0.1}  # both training charts
# The gallery's colour scale as validation writes a named one: its list of stops.
GREYS = go.Heatmap(colorscale="Greys").to_plotly_json()["colorscale"]


@functools.lru_cache(maxsize=16)
def _plotly_house_layout(height: int, legend_y: float, two_panels: bool) -> dict:
    """The layout of ``style_subplots`` on an empty figure (on ``make_subplots``' two panels
    titled "left" and "right", with ``two_panels``), built and validated by plotly itself.
    Without the template: a figure made from it takes the default one when it is built, as
    plotly's own do (the default is not fixed at import: streamlit's import sets its own).
    Shared between calls: read it through ``house_layout``, which copies."""
    fig = (make_subplots(**TWO_PANELS, subplot_titles=("left", "right")) if two_panels
           else go.Figure())
    style_subplots(fig, "", height=height, legend_y=legend_y)
    return layout_data(fig)


def house_layout(title: str, height: int = 430, legend_y: float = -0.22,
                 panel_titles: tuple[str, str] | None = None) -> dict:
    """A fresh layout dict equal to ``style_subplots(fig, title, height, legend_y)`` on an
    empty figure, or on ``make_subplots(**TWO_PANELS, subplot_titles=panel_titles)``."""
    layout = copy.deepcopy(_plotly_house_layout(height, legend_y, panel_titles is not None))
    layout["title"]["text"] = title
    for annotation, text in zip(layout.get("annotations", ()), panel_titles or ()):
        annotation["text"] = text
    return layout


def unvalidated_figure(data: list[dict], layout: dict) -> go.Figure:
    """A go.Figure of finished trace and layout dicts, without plotly's validation."""
    return go.Figure({"data": data, "layout": layout}, _validate=False)


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


def gallery_titles(result: GalleryResult, text: Mapping[str, str]) -> list[str]:
    """The title above each tile: "original", then each copy's angle and zoom."""
    # Rounded to whole degrees before the sign is chosen: "{:+.0f}" printed -0.3° as "-0°".
    return [text["original"]] + [f"{int(round(float(a))):+d}°, ×{z:.2f}"
                                 for a, _, _, z in result.params]


def gallery_figure(result: GalleryResult, text: Mapping[str, str]) -> go.Figure:
    """The original digit, then its augmented copies, as small grey-scale images: one heatmap
    of all of them side by side (``gallery_tiles``), each titled above. One trace on one pair
    of axes, not one subplot per image: 16 subplots cost ~70 ms to build on the server and ~70
    ms to draw in the browser on every gallery press (BENCHMARKS.md, "Issue 18 (session
    2026-12-05d)")."""
    images = [result.original, *result.augmented]
    size = images[0].shape[0]
    rows = -(-len(images) // COLUMNS)
    titles = gallery_titles(result, text)
    tiles = gallery_tiles(images)
    height = len(tiles)
    heatmap = {"type": "heatmap", "z": tiles[::-1], "zmin": 0, "zmax": 1, "colorscale": GREYS,
               "showscale": False, "hoverongaps": False,
               "hovertemplate": "%{z:.2f}<extra></extra>"}
    # The tiles are ~4 times wider than tall: a plot as high as the subplots had left a band
    # of empty plane above and below them.
    layout = house_layout(text["title"], height=150 + 110 * rows)
    origins = [tile_origin(i, size) for i in range(len(titles))]
    layout["annotations"] = [  # over its tile's middle, just above its top row
        {"font": {"family": FONT_FAMILY, "size": 12}, "showarrow": False, "text": title,
         "x": left + (size - 1) / 2, "xref": "x", "y": height - top - 0.5, "yanchor": "bottom",
         "yref": "y"}
        for title, (top, left) in zip(titles, origins)]
    layout["xaxis"] = {"constrain": "domain", "range": [-0.5, len(tiles[0]) - 0.5],
                       "visible": False}
    layout["yaxis"] = {"constrain": "domain", "constraintoward": "top",
                       "range": [-0.5, height + 1.5], "scaleanchor": "x", "scaleratio": 1,
                       "visible": False}
    return unvalidated_figure([heatmap], layout)


def curves_figure(runs: Mapping[str, TrainingRun], text: Mapping[str, str],
                  names: Mapping[str, str]) -> go.Figure:
    """Accuracy (left) and loss (right) on the training subset (dashed) and validation (solid)."""
    data = []
    for name, run in runs.items():
        color = COLORS[name]
        for split, acc, loss, dash in (("train", run.train_accuracy, run.train_loss, "dash"),
                                       ("val", run.val_accuracy, run.val_loss, "solid")):
            label = f"{names[name]} · {text[split]}"
            style = {"color": color, "dash": dash, "width": 3}
            data.append({"type": "scatter", "x": run.eval_epochs, "y": 100 * acc, "name": label,
                         "line": style, "legendgroup": label, "xaxis": "x", "yaxis": "y"})
            data.append({"type": "scatter", "x": run.eval_epochs,
                         "y": np.where(np.isfinite(loss), loss, np.nan), "name": label,
                         "line": dict(style), "legendgroup": label, "showlegend": False,
                         "xaxis": "x2", "yaxis": "y2"})
    layout = house_layout(text["title"], height=460, legend_y=-0.3,
                          panel_titles=(text["accuracy"], text["loss"]))
    finite = [v for r in runs.values() for v in (*r.train_loss, *r.val_loss) if np.isfinite(v)]
    layout["xaxis"]["title"] = {"text": text["x"]}
    layout["xaxis2"]["title"] = {"text": text["x"]}
    layout["yaxis"].update(range=[0, 102], title={"text": "%"})
    layout["yaxis2"]["range"] = [0, min(max(finite, default=1.0), 5.0) * 1.05]
    fig = unvalidated_figure(data, layout)
    if any(r.diverged for r in runs.values()):
        mark_diverged(fig, text["diverged"])
    return fig


def robustness_figure(runs: Mapping[str, TrainingRun], text: Mapping[str, str],
                      names: Mapping[str, str]) -> go.Figure:
    """Validation accuracy when every validation digit is rotated (left) or shifted (right)."""
    data = []
    for name, run in runs.items():
        style = {"color": COLORS[name], "width": 3}
        data.append({"type": "scatter", "x": list(TEST_ANGLES), "y": 100 * run.rotated_accuracy,
                     "name": names[name], "mode": "lines+markers", "line": style,
                     "legendgroup": name, "xaxis": "x", "yaxis": "y"})
        data.append({"type": "scatter", "x": list(TEST_SHIFTS), "y": 100 * run.shifted_accuracy,
                     "name": names[name], "mode": "lines+markers", "line": dict(style),
                     "legendgroup": name, "showlegend": False, "xaxis": "x2", "yaxis": "y2"})
    layout = house_layout(text["title"], legend_y=-0.25,
                          panel_titles=(text["rotated"], text["shifted"]))
    layout["xaxis"]["title"] = {"text": text["angle"]}
    layout["xaxis2"]["title"] = {"text": text["shift"]}
    for axis in ("yaxis", "yaxis2"):
        layout[axis].update(range=[0, 102], title={"text": "%"})
    return unvalidated_figure(data, layout)
