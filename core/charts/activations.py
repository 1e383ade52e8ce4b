"""Figures for the activations page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.activations import CurvesResult, DyingReluResult, VanishingResult
from core.charts.common import (
    FONT_SIZE, base_figure, color_for, finite_positive, log_axis, mark_diverged, style_subplots,
    subplots,
)
from core.charts.common import BLUE, BLUISH_GREEN, GREY, LIGHT_GREY, VERMILLION  # Okabe–Ito
from core.charts.playback import frame_steps, play_figure


# ReLU, LeakyReLU and GELU coincide for x > 0: ReLU is drawn wide and solid underneath,
# the other two dashed and dotted on top, so all three stay visible where they overlap.
CURVE_STYLE = {
    "relu": {"width": 6},
    "leaky_relu": {"width": 3, "dash": "dash"},
    "gelu": {"width": 3, "dash": "dot"},
}


def curves_figure(result: CurvesResult, text: Mapping[str, str],
                  names: Mapping[str, str]) -> go.Figure:
    """f(x) and its autograd derivative f'(x), side by side, one colour per function.

    text: title, x, value, derivative. names: activation id -> display name.
    """
    fig = subplots(rows=1, cols=2, subplot_titles=(text["value"], text["derivative"]),
                   horizontal_spacing=0.08)
    for name, values in result.values.items():
        style = {"color": color_for(name), **CURVE_STYLE.get(name, {"width": 3})}
        fig.add_trace(go.Scatter(x=result.x, y=values, name=names[name], line=style,
                                 legendgroup=name), row=1, col=1)
        fig.add_trace(go.Scatter(x=result.x, y=result.derivatives[name], name=names[name],
                                 line=style, legendgroup=name, showlegend=False), row=1, col=2)
    style_subplots(fig, text["title"], legend_y=-0.2)
    fig.update_xaxes(title_text=text["x"], zeroline=True)
    # Derivatives of these functions live in [-0.2, 1.2]; fixing the range keeps the eye
    # on the 0.25 cap of sigmoid versus 1 of tanh/ReLU as functions are toggled.
    fig.update_yaxes(range=[-0.2, 1.25], row=1, col=2)
    return fig


def _per_layer_axis(fig: go.Figure, n_layers: int, text: Mapping[str, str]) -> None:
    ticks = list(range(1, n_layers + 1))
    labels = [str(i) for i in ticks[:-1]] + [text["head"]]
    step = max(1, -(-n_layers // 7))  # at most ~7 labels: the charts are narrow at 1024 px
    shown = [i for i in range(0, n_layers - 1, step) if n_layers - 1 - i >= step / 2]
    fig.update_xaxes(tickmode="array", tickvals=[ticks[i] for i in shown] + [ticks[-1]],
                     ticktext=[labels[i] for i in shown] + [labels[-1]], tickangle=0)


def grad_norm_figure(result: VanishingResult, text: Mapping[str, str]) -> go.Figure:
    """‖∂L/∂W‖ per layer on a log axis, input layer on the left."""
    norms = finite_positive(result.grad_norms, floor=1e-300)  # float64: may go far below 1e-38
    layers = np.arange(1, len(norms) + 1)
    fig = base_figure(text["title"], text["x"], text["y"])
    fig.update_layout(margin={"t": 95})  # two-line title: narrow columns at 1024 px
    fig.add_trace(go.Scatter(x=layers, y=norms, mode="lines+markers", name=text["y"],
                             line={"width": 3, "color": BLUE}, marker={"size": 8}))
    zero32 = result.grad_zero_float32 & (result.grad_norms > 0)
    if zero32.any() and "f32_zero" in text:  # true size > 0, but exactly 0 in float32
        fig.add_trace(go.Scatter(x=layers[zero32], y=norms[zero32], mode="markers",
                                 name=text["f32_zero"], hovertext=text["f32_zero"],
                                 marker={"size": 11, "color": "white", "symbol": "circle",
                                         "line": {"color": GREY, "width": 2}}))
    log_axis(fig, norms)
    _per_layer_axis(fig, len(norms), text)
    if zero32.any() and "f32_zero" in text:  # legend under the axis: the plot is narrow
        fig.update_layout(showlegend=True, margin={"b": 120},
                          legend={"orientation": "v", "x": 0.0, "xanchor": "left", "y": -0.25,
                                  "yanchor": "top"})
    else:
        fig.update_layout(showlegend=False)
    if not np.all(np.isfinite(result.grad_norms)):  # exploding: Inf/NaN even in float64
        fig.update_yaxes(type="log", range=[-12, 2])
        mark_diverged(fig, text["exploded"])
    elif result.exploded_float32:  # float64 holds the huge values, float32 (training) does not
        mark_diverged(fig, text["exploded"])
    return fig


def update_size_figure(result: VanishingResult, text: Mapping[str, str]) -> go.Figure:
    """Mean ‖ΔW‖/‖W‖ per SGD step, per layer (log axis), from the short training run."""
    fig = base_figure(text["title"], text["x"], text["y"])
    fig.update_layout(margin={"t": 95})  # two-line title: narrow columns at 1024 px
    if result.update_size.size:
        mean_update = np.nanmean(result.update_size, axis=0)
        layers = np.arange(1, len(mean_update) + 1)
        moved = np.isfinite(mean_update) & (mean_update > 0)
        axis_range = log_axis(fig, mean_update[moved]) if moved.any() else None
        if axis_range is None:  # nothing moved: a fixed log axis, so the stubs stay stubs
            axis_range = [-12.0, 0.0]
            fig.update_yaxes(type="log", range=axis_range, dtick=2, exponentformat="power")
        # A weight whose update is below float32 resolution does not change at all (0):
        # draw those layers as a grey stub at the bottom, labelled, instead of a 1e-30 bar.
        bottom = 10 ** axis_range[0]
        fig.add_trace(go.Bar(x=layers[moved], y=mean_update[moved], marker_color=BLUISH_GREEN,
                             name=text["y"], base=bottom))
        if (~moved).any():
            fig.add_trace(go.Bar(x=layers[~moved], y=[bottom * 3] * int((~moved).sum()),
                                 base=bottom, marker_color=LIGHT_GREY, text=["0"] * int((~moved).sum()),
                                 textposition="outside", name="0", hovertext=text["zero"]))
        _per_layer_axis(fig, len(mean_update), text)
    fig.update_layout(showlegend=False)
    if result.diverged:
        mark_diverged(fig, text["diverged"])
    return fig


def dying_figure(result: DyingReluResult, text: Mapping[str, str],
                 names: Mapping[str, str]) -> go.Figure:
    """Fraction of inactive units per layer over the steps; one panel per activation."""
    runs = list(result.runs.items())
    fig = subplots(rows=1, cols=len(runs), shared_yaxes=True, horizontal_spacing=0.05,
                   subplot_titles=[names[name] for name, _ in runs])
    for col, (_, run) in enumerate(runs, start=1):
        steps = result.steps[: len(run.inactive)]
        for layer in range(run.inactive.shape[1]):
            fig.add_trace(
                go.Scatter(x=steps, y=100 * run.inactive[:, layer], mode="lines",
                           name=text["layer"].format(n=layer + 1),
                           # layers often sit on the same value (0 % or 100 %): the first
                           # wide and solid underneath, the others dashed / dotted on top
                           line={"width": 6 if layer == 0 else 3,
                                 "dash": ("solid", "dash", "dot")[layer % 3],
                                 "color": color_for("", layer)},
                           legendgroup=str(layer), showlegend=col == 1),
                row=1, col=col,
            )
    style_subplots(fig, text["title"])
    for annotation, (_, run) in zip(fig.layout.annotations, runs):
        if run.diverged:
            # In the panel's title, not on its lines: a banner in the middle covered them and
            # was cut at the right of the last panel.
            annotation.text = f"{annotation.text}<br>⚠ {text['diverged']}"
            annotation.font = {"color": VERMILLION, "size": FONT_SIZE}
    if any(run.diverged for _, run in runs):
        fig.update_layout(margin={"t": 120})
    # Few x ticks: panels side by side are narrow on a phone ("150" and "0" ran together).
    fig.update_xaxes(title_text=text["x"], nticks=4)
    # The axis ends a little above the highest share, so 0-6 % does not lie flat on 0-100 %.
    top = max((float(np.nanmax(100 * run.inactive)) for _, run in runs
               if run.inactive.size and np.isfinite(run.inactive).any()), default=100.0)
    top = min(103.0, max(10.0, 1.15 * top))
    fig.update_yaxes(title_text=text["y"], range=[-0.03 * top, top], row=1, col=1)
    return fig


def dying_animation(result: DyingReluResult, text: Mapping[str, str],
                    names: Mapping[str, str]) -> go.Figure:
    """The dying-units chart played back step by step in the browser (issue 10 item 5): watch
    the share of inactive units climb in each layer as training goes on. Frames come from the
    finished runs (no training per frame); the last frame is the static chart.

    text: as dying_figure, plus play, pause, step.
    """
    steps = np.asarray(result.steps)
    return play_figure(dying_figure(result, text, names),
                       frame_steps(int(steps.min()), int(steps.max())), text)


def dying_loss_figure(result: DyingReluResult, text: Mapping[str, str],
                      names: Mapping[str, str]) -> go.Figure:
    """Training loss of each activation's run on one log axis."""
    fig = base_figure(text["title"], text["x"], text["y"], height=380)
    all_losses = []
    for name, run in result.runs.items():
        loss = finite_positive(run.loss)
        all_losses.append(loss)
        # Same init, so the curves can coincide: ReLU wide underneath, LeakyReLU dashed on top.
        fig.add_trace(go.Scatter(x=np.arange(1, len(loss) + 1), y=loss, name=names[name],
                                 mode="lines", line={"color": color_for(name),
                                                     **CURVE_STYLE.get(name, {"width": 3})}))
    if all_losses:
        log_axis(fig, np.concatenate(all_losses))
    return fig
