"""Figures for the losses page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.charts.common import FONT_SIZE, base_figure, style_subplots, subplots
from core.charts.common import BLUE, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, VERMILLION  # Okabe–Ito
from core.losses import CrossEntropyResult, RegressionResult

LOSS_COLORS = {"mse": VERMILLION, "mae": BLUE, "huber": REDDISH_PURPLE}
LOSS_DASHES = {"mse": "solid", "mae": "dash", "huber": "dashdot"}  # a second cue besides colour


def fits_figure(result: RegressionResult, text: Mapping[str, str],
                names: Mapping[str, str]) -> go.Figure:
    """Data (outliers marked), the true line, and the line each loss fitted.

    text: title, x, y, inliers, outliers, true, diverged. names: loss id -> display name.
    """
    fig = base_figure(text["title"], text["x"], text["y"], height=470)
    inl, out = ~result.is_outlier, result.is_outlier
    fig.add_trace(go.Scatter(x=result.x[inl], y=result.y[inl], mode="markers",
                             name=text["inliers"], marker={"color": BLUE, "size": 8}))
    if out.any():
        fig.add_trace(go.Scatter(x=result.x[out], y=result.y[out], mode="markers",
                                 name=text["outliers"],
                                 marker={"color": ORANGE, "size": 13, "symbol": "x"}))
    xs = np.array([result.x.min(), result.x.max()])
    fig.add_trace(go.Scatter(x=xs, y=result.true_slope * xs + result.true_intercept,
                             mode="lines", name=text["true"],
                             line={"color": "black", "width": 2, "dash": "dash"}))
    for name, fit in result.fits.items():
        if fit.diverged:
            continue
        fig.add_trace(go.Scatter(x=xs, y=fit.slope * xs + fit.intercept, mode="lines",
                                 name=names[name], line={"color": LOSS_COLORS[name], "width": 3,
                                                         "dash": LOSS_DASHES[name]}))
        if not fit.converged and "optimum" in text:  # SGD stopped short: show where it aims
            fig.add_trace(go.Scatter(
                x=xs, y=fit.optimum_slope * xs + fit.optimum_intercept, mode="lines",
                name=text["optimum"].format(name=names[name]),
                line={"color": LOSS_COLORS[name], "width": 2, "dash": "dot"}))
    # y range from the data, so a diverged or wild fit cannot squash the picture
    lo, hi = float(result.y.min()), float(result.y.max())
    pad = 0.1 * (hi - lo) + 0.5
    fig.update_yaxes(range=[lo - pad, hi + pad])
    fig.update_layout(legend={"orientation": "h", "y": -0.2, "x": 0.5, "xanchor": "center",
                              "yanchor": "top"})
    diverged = [names[n] for n, f in result.fits.items() if f.diverged]
    if diverged:
        fig.add_annotation(text=f"⚠ {text['diverged']}: {', '.join(diverged)}", xref="paper",
                           yref="paper", x=0.02, y=0.98, showarrow=False, xanchor="left",
                           font={"color": VERMILLION, "size": FONT_SIZE})
    return fig


def penalty_figure(result: RegressionResult, text: Mapping[str, str],
                   names: Mapping[str, str]) -> go.Figure:
    """Penalty of one point vs its residual, and how hard it pulls (d penalty / d residual).

    text: title, penalty, pull, residual.
    """
    fig = subplots(rows=1, cols=2, subplot_titles=(text["penalty"], text["pull"]),
                   horizontal_spacing=0.1)
    for name in result.penalty:
        style = {"color": LOSS_COLORS[name], "width": 3, "dash": LOSS_DASHES[name]}
        fig.add_trace(go.Scatter(x=result.residual, y=result.penalty[name], name=names[name],
                                 line=style, legendgroup=name), row=1, col=1)
        fig.add_trace(go.Scatter(x=result.residual, y=result.influence[name], name=names[name],
                                 line=style, legendgroup=name, showlegend=False), row=1, col=2)
    limit = float(result.residual.max())
    top = max(float(result.penalty["mae"].max()) * 2.5, 4.0)
    fig.update_yaxes(range=[-0.05 * top, top], row=1, col=1)
    fig.update_yaxes(range=[-min(2 * limit, 12), min(2 * limit, 12)], row=1, col=2)
    fig.update_xaxes(title_text=text["residual"])
    return style_subplots(fig, text["title"], height=420, legend_y=-0.18)


def softmax_figure(result: CrossEntropyResult, true_class: int,
                   text: Mapping[str, str]) -> go.Figure:
    """Softmax probabilities (true class highlighted) and −log p with the current point.

    text: title, probs, curve, class (with {i}), p_true, loss.
    """
    fig = subplots(rows=1, cols=2, subplot_titles=(text["probs"], text["curve"]),
                   horizontal_spacing=0.12)
    labels = [text["class"].format(i=i) for i in range(len(result.probs))]
    colors = [BLUISH_GREEN if i == true_class else "#9e9e9e" for i in range(len(result.probs))]
    fig.add_trace(go.Bar(x=labels, y=result.probs, marker_color=colors, showlegend=False,
                         text=[f"{p:.3f}" for p in result.probs], textposition="outside"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=result.p_curve, y=result.ce_curve, mode="lines",
                             line={"color": VERMILLION, "width": 3}, showlegend=False),
                  row=1, col=2)
    p = float(result.probs[true_class])
    fig.add_trace(go.Scatter(x=[max(p, 1e-3)], y=[result.cross_entropy], mode="markers+text",
                             marker={"size": 14, "color": BLUISH_GREEN}, showlegend=False,
                             text=[f"{result.cross_entropy:.3f}"], textposition="top left",
                             cliponaxis=False),
                  row=1, col=2)
    fig.update_yaxes(range=[0, 1.15], row=1, col=1)
    fig.update_xaxes(type="log", title_text=text["p_true"], dtick=1, row=1, col=2)
    fig.update_yaxes(title_text=text["loss"], range=[0, 7.5], row=1, col=2)
    return style_subplots(fig, text["title"], height=400, legend_y=-0.18)


def gradient_figure(result: CrossEntropyResult, text: Mapping[str, str]) -> go.Figure:
    """Left: ∂loss/∂logit per class for CE and MSE-on-probabilities. Right: |∂loss/∂(true
    logit)| as the prediction goes from confidently wrong to right.

    text: title, per_logit, sweep, class (with {i}), ce, mse, p_true, grad.
    """
    fig = subplots(rows=1, cols=2, subplot_titles=(text["per_logit"], text["sweep"]),
                   horizontal_spacing=0.12)
    labels = [text["class"].format(i=i) for i in range(len(result.probs))]
    fig.add_trace(go.Bar(x=labels, y=result.grad_ce, name=text["ce"], marker_color=VERMILLION,
                         legendgroup="ce"), row=1, col=1)
    fig.add_trace(go.Bar(x=labels, y=result.grad_mse, name=text["mse"], marker_color=BLUE,
                         legendgroup="mse"), row=1, col=1)
    fig.add_trace(go.Scatter(x=result.sweep_p, y=result.sweep_grad_ce, name=text["ce"],
                             line={"color": VERMILLION, "width": 3}, legendgroup="ce",
                             showlegend=False), row=1, col=2)
    fig.add_trace(go.Scatter(x=result.sweep_p, y=result.sweep_grad_mse, name=text["mse"],
                             line={"color": BLUE, "width": 3}, legendgroup="mse",
                             showlegend=False), row=1, col=2)
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[-1.1, 1.1], row=1, col=1)
    fig.update_xaxes(type="log", title_text=text["p_true"], dtick=1, row=1, col=2)
    fig.update_yaxes(title_text=text["grad"], range=[0, 1.1], row=1, col=2)
    return style_subplots(fig, text["title"], height=420, legend_y=-0.18)
