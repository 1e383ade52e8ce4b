"""Figures for the backprop page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.backprop import (
    AccumulationResult,
    GraphResult,
    ParamGradResult,
    ZeroGradResult,
)
from core.charts.common import (
    FONT_FAMILY,
    FONT_SIZE,
    PALETTE,
    finite_positive,
    log_range,
    style_subplots,
    subplots,
)
from core.charts.common import BLUE, GREY, ORANGE, VERMILLION  # Okabe–Ito
from core.charts.playback import frame_steps, play_figure


def signed4(value: float, digits: int = 4) -> str:
    """``+0.1234`` / ``-0.1234``, and ``+0.0000`` (never ``-0.0000``) for what rounds to 0."""
    rounded = round(float(value), digits) + 0.0
    return f"{rounded:+.{digits}f}"


# Node positions of the computational graph, left (inputs) to right (loss).
_NODES = {
    "x": (0, 2), "w1": (0, 1), "b1": (0, 0), "z": (1, 1), "h": (2, 1), "w2": (2, 2.2),
    "b2": (2, -0.2), "y_hat": (3, 1), "y": (3, 2.2), "loss": (4, 1),
}
_EDGES = [("x", "z"), ("w1", "z"), ("b1", "z"), ("z", "h"), ("h", "y_hat"), ("w2", "y_hat"),
          ("b2", "y_hat"), ("y_hat", "loss"), ("y", "loss")]


def graph_figure(result: GraphResult, text: Mapping[str, str],
                 labels: Mapping[str, str]) -> go.Figure:
    """The computational graph: each node with its forward value and its ∂L/∂node.

    text: title, value, grad. labels: node id -> what it computes (e.g. "z = w1·x + b1").
    """
    grads = {**result.node_grads, **result.param_grads, "loss": 1.0}
    values = {**result.values, **result.params}
    # Passed as one list: plotly's add_annotation re-validates the whole list on every call
    # (18 calls took 30 ms of this figure's 36).
    annotations = []
    for a, b in _EDGES:
        (x0, y0), (x1, y1) = _NODES[a], _NODES[b]
        annotations.append(dict(x=x1 - 0.22, y=y1, ax=x0 + 0.22, ay=y0, xref="x", yref="y",
                                axref="x", ayref="y", showarrow=True, arrowhead=3, arrowsize=1.2,
                                arrowwidth=2, arrowcolor="#9e9e9e", text=""))
    for node, (x, y) in _NODES.items():
        is_param = node in result.params
        lines = [f"<b>{labels[node]}</b>",
                 f"{text['value']} {round(float(values[node]), 4) + 0.0:.4f}"]
        if node not in ("x", "y"):
            lines.append(f"<span style='color:{VERMILLION}'>{text['grad']} {signed4(grads[node])}</span>")
        # Small type and padding: five boxes side by side must not touch at 1024 px.
        annotations.append(dict(x=x, y=y, text="<br>".join(lines), showarrow=False,
                                align="center", bgcolor="#fff8e1" if is_param else "#e3f2fd",
                                bordercolor="#607d8b", borderwidth=1, borderpad=3,
                                font={"size": FONT_SIZE - 4}))
    fig = go.Figure(layout={"annotations": annotations})
    fig.update_xaxes(visible=False, range=[-0.5, 4.5])
    fig.update_yaxes(visible=False, range=[-0.7, 2.7])
    fig.update_layout(
        title={"text": text["title"], "x": 0.0, "font": {"size": FONT_SIZE + 3}},
        font={"family": FONT_FAMILY, "size": FONT_SIZE}, height=430,
        margin={"l": 10, "r": 10, "t": 60, "b": 10}, showlegend=False,
    )
    return fig


def param_grad_figure(result: ParamGradResult, text: Mapping[str, str]) -> go.Figure:
    """‖∂L/∂θ‖ of every parameter tensor over the steps (log), and its mean as bars.

    text: title, over_steps, mean, step, grad, diverged.
    """
    fig = subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.1,
                   subplot_titles=(text["over_steps"], text["mean"]))
    norms = finite_positive(result.grad_norms.ravel()).reshape(result.grad_norms.shape)
    steps = np.arange(1, len(norms) + 1)
    for i, name in enumerate(result.names):
        color = PALETTE[(i // 2) % len(PALETTE)]
        dash = "solid" if name.endswith("weight") else "dot"
        fig.add_trace(go.Scatter(x=steps, y=norms[:, i], mode="lines", name=name,
                                 line={"color": color, "dash": dash, "width": 2.5},
                                 legendgroup=name), row=1, col=1)
    mean = finite_positive(np.nanmean(norms, axis=0)) if len(norms) else np.zeros(0)
    fig.add_trace(go.Bar(x=result.names, y=mean, showlegend=False,
                         marker_color=[PALETTE[(i // 2) % len(PALETTE)]
                                       for i in range(len(result.names))]), row=1, col=2)
    rng = log_range(norms.ravel()) if norms.size else None
    fig.update_yaxes(type="log", range=rng, exponentformat="power", title_text=text["grad"],
                     row=1, col=1)
    fig.update_yaxes(type="log", range=rng, exponentformat="power", row=1, col=2)
    fig.update_xaxes(title_text=text["step"], row=1, col=1)
    fig.update_xaxes(tickangle=-40, row=1, col=2)
    if result.diverged:
        fig.add_annotation(text=f"⚠ {text['diverged']}", xref="paper", yref="paper", x=0.3,
                           y=0.5, showarrow=False, font={"color": VERMILLION, "size": FONT_SIZE},
                           bgcolor="rgba(255,255,255,0.85)")
    style_subplots(fig, text["title"], height=520, legend_y=-0.18)
    # room for the slanted tensor names under the bars, legend below them
    fig.update_layout(margin={"l": 60, "r": 20, "t": 90, "b": 150},
                      legend={"orientation": "h", "y": -0.42, "x": 0.5, "xanchor": "center"})
    fig.update_yaxes(dtick=1)
    return fig


def zero_grad_figure(result: ZeroGradResult, text: Mapping[str, str]) -> go.Figure:
    """Loss and .grad norm per step, with and without zero_grad (log axes).

    text: title, loss_panel, grad_panel, with, without, fresh, step, diverged.
    """
    fig = subplots(rows=1, cols=2, subplot_titles=(text["loss_panel"], text["grad_panel"]),
                   horizontal_spacing=0.1)
    # Told apart by dash as well as colour: never by red vs green alone.
    runs = ((result.with_zero_grad, text["with"], BLUE, "solid"),
            (result.without_zero_grad, text["without"], VERMILLION, "dash"))
    all_loss, all_grad = [], []
    for run, label, color, dash in runs:
        loss = finite_positive(run.loss)
        grad = finite_positive(np.linalg.norm(run.grads, axis=1))
        all_loss.append(loss)
        all_grad.append(grad)
        style = {"color": color, "width": 3, "dash": dash}
        fig.add_trace(go.Scatter(x=np.arange(1, len(loss) + 1), y=loss, name=label, line=style,
                                 legendgroup=label), row=1, col=1)
        fig.add_trace(go.Scatter(x=np.arange(1, len(grad) + 1), y=grad, name=label, line=style,
                                 legendgroup=label, showlegend=False), row=1, col=2)
    fresh = finite_positive(np.linalg.norm(result.without_zero_grad.fresh_grads, axis=1))
    fig.add_trace(go.Scatter(x=np.arange(1, len(fresh) + 1), y=fresh, name=text["fresh"],
                             line={"color": VERMILLION, "width": 2, "dash": "dot"}),
                  row=1, col=2)
    all_grad.append(fresh)
    fig.update_yaxes(type="log", exponentformat="power", dtick=1, row=1, col=1,
                     range=log_range(np.concatenate(all_loss)))
    fig.update_yaxes(type="log", exponentformat="power", dtick=1, row=1, col=2,
                     range=log_range(np.concatenate(all_grad)))
    fig.update_xaxes(title_text=text["step"])
    diverged = [label for run, label, _, _ in runs if run.diverged]
    if diverged:
        fig.add_annotation(text=f"⚠ {text['diverged']}: {', '.join(diverged)}", xref="paper",
                           yref="paper", x=0.5, y=0.5, showarrow=False,
                           bgcolor="rgba(255,255,255,0.85)",
                           font={"color": VERMILLION, "size": FONT_SIZE + 1})
    return style_subplots(fig, text["title"], height=440, legend_y=-0.18)


def zero_grad_animation(result: ZeroGradResult, text: Mapping[str, str]) -> go.Figure:
    """The zero_grad chart played back step by step in the browser (issue 10 item 5): without
    zero_grad the .grad each step uses is the running sum of every gradient so far, not the
    step's own (dotted). Frames come from the finished runs; the last frame is the static chart.

    text: as zero_grad_figure, plus play, pause (and step, the x title, for the slider).
    """
    n = max(len(result.with_zero_grad.loss), len(result.without_zero_grad.loss))
    return play_figure(zero_grad_figure(result, text), frame_steps(1, n), text)


def accumulation_figure(result: AccumulationResult, k: int, micro: int,
                        text: Mapping[str, str]) -> go.Figure:
    """Loss per step of both runs (they overlap) and the largest parameter gap between them.

    text: title, loss_panel, gap_panel, accumulated ({k}, {m}), big ({b}), step, gap, diverged.
    """
    # Wide spacing: the right panel's log ticks and axis title need room at projector sizes
    # (at 0.1 they were drawn on the left panel).
    fig = subplots(rows=1, cols=2, subplot_titles=(text["loss_panel"], text["gap_panel"]),
                   horizontal_spacing=0.2)
    steps = np.arange(1, len(result.loss_big_batch) + 1)
    fig.add_trace(go.Scatter(x=steps, y=result.loss_big_batch, mode="lines",
                             name=text["big"].format(b=k * micro),
                             line={"color": BLUE, "width": 6}), row=1, col=1)
    steps_a = np.arange(1, len(result.loss_accumulated) + 1)
    fig.add_trace(go.Scatter(x=steps_a, y=result.loss_accumulated, mode="lines+markers",
                             name=text["accumulated"].format(k=k, m=micro),
                             line={"color": ORANGE, "width": 2, "dash": "dash"},
                             marker={"size": 5}), row=1, col=1)
    gap = np.maximum(result.param_gap, 1e-12)  # exact zero on a log axis: show it at 1e-12
    fig.add_trace(go.Scatter(x=np.arange(1, len(gap) + 1), y=gap, mode="lines+markers",
                             showlegend=False, line={"color": GREY, "width": 2}),
                  row=1, col=2)
    fig.update_yaxes(type="log", range=[-13, 0], exponentformat="power",
                     title_text=text["gap"], row=1, col=2)
    fig.update_xaxes(title_text=text["step"])
    if result.diverged:
        fig.add_annotation(text=f"⚠ {text['diverged']}", xref="paper", yref="paper", x=0.25,
                           y=0.5, showarrow=False, font={"color": VERMILLION, "size": FONT_SIZE})
    return style_subplots(fig, text["title"], height=420, legend_y=-0.18)


def chain_table_rows(result: GraphResult) -> list[dict[str, object]]:
    """One row per parameter: the chain rule factors with their numbers, the product,
    autograd's value and the finite difference (for a table under the graph)."""
    rows = []
    for name in result.param_grads:
        factors = result.chain[name]
        rows.append({
            "param": name,
            "chain": " × ".join(f"{f} ({signed4(result.local[f])})" for f in factors),
            "product": result.chain_product[name],
            "autograd": result.param_grads[name],
            "finite_diff": result.finite_diff[name],
            "gap": abs(result.finite_diff[name] - result.param_grads[name]),
        })
    return rows

