"""Figures for the metrics page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.charts.common import base_figure
from core.charts.common import BLUE, BLUISH_GREEN, GREY, ORANGE, REDDISH_PURPLE, VERMILLION  # Okabe–Ito
from core.metrics import RegressionResult, ThresholdMetrics, ThresholdSweep


def confusion_figure(m: ThresholdMetrics, text: Mapping[str, str]) -> go.Figure:
    """2×2 confusion matrix with counts. text: title, x, y, neg, pos, and tn/fp/fn/tp names."""
    names = [[text["tn"], text["fp"]], [text["fn"], text["tp"]]]
    fig = base_figure(text["title"], text["x"], text["y"], height=400)
    fig.add_trace(go.Heatmap(
        z=m.confusion, x=[text["neg"], text["pos"]], y=[text["neg"], text["pos"]],
        colorscale="Blues", showscale=False,
        # "TN (참 음성)" on two lines: a half-width column at 1024 px cannot hold it on one
        text=[[f"{names[i][j].replace(' (', '<br>(')}<br><b>{m.confusion[i, j]}</b>"
               for j in range(2)] for i in range(2)],
        texttemplate="%{text}", textfont={"size": 16},
    ))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="bottom")
    return fig


def scores_figure(m: ThresholdMetrics, text: Mapping[str, str]) -> go.Figure:
    """Accuracy beside the majority baseline and the class-aware scores, in percent.

    text: title, y, accuracy, baseline, precision, recall, f1, balanced, na (undefined).
    """
    keys = ("accuracy", "baseline", "balanced", "precision", "recall", "f1")
    values = [m.accuracy, m.baseline_accuracy, m.balanced_accuracy, m.precision, m.recall, m.f1]
    shown = [100 * v if np.isfinite(v) else 0.0 for v in values]
    labels = [f"{v:.1f}%" if np.isfinite(raw) else text.get("na", "n/a")
              for v, raw in zip(shown, values)]
    colors = [BLUE, GREY, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, VERMILLION]
    fig = base_figure(text["title"], "", text["y"], height=400)
    fig.add_trace(go.Bar(x=[text[k] for k in keys], y=shown, marker_color=colors, text=labels,
                         textposition="outside", cliponaxis=False))
    fig.update_yaxes(range=[0, 112])
    fig.update_layout(showlegend=False)
    return fig


def sweep_figure(sweep: ThresholdSweep, threshold: float, text: Mapping[str, str]) -> go.Figure:
    """Each metric against the decision threshold, the chosen one marked.

    text: title, x, y, accuracy, precision, recall, f1, balanced.
    """
    fig = base_figure(text["title"], text["x"], text["y"], height=420)
    # Each line has its own dash too: five lines must stay apart for every colour vision.
    for key, color, dash in (("accuracy", BLUE, "solid"), ("precision", REDDISH_PURPLE, "dot"),
                             ("recall", ORANGE, "dashdot"), ("f1", VERMILLION, "solid"),
                             ("balanced", BLUISH_GREEN, "dash")):
        values = getattr(sweep, "balanced_accuracy" if key == "balanced" else key)
        fig.add_trace(go.Scatter(x=sweep.thresholds, y=100 * values, name=text[key],
                                 mode="lines", line={"width": 3, "color": color, "dash": dash}))
    fig.add_vline(x=threshold, line={"color": "#333333", "dash": "dash"})
    fig.update_yaxes(range=[0, 103])
    fig.update_layout(legend={"y": -0.25, "yanchor": "top", "x": 0.5, "xanchor": "center"},
                      margin={"b": 110})
    return fig


def regression_errors_figure(result: RegressionResult, outlier: float,
                             text: Mapping[str, str]) -> go.Figure:
    """MSE, RMSE and MAE of the same predictions as one target moves away (log y).

    text: title, x, y, mse, rmse, mae.
    """
    fig = base_figure(text["title"], text["x"], text["y"], height=420)
    for key, color, dash in (("mse", VERMILLION, "solid"), ("rmse", ORANGE, "dash"),
                             ("mae", BLUE, "dot")):
        fig.add_trace(go.Scatter(x=result.sizes, y=getattr(result, key), name=text[key],
                                 mode="lines", line={"width": 3, "color": color, "dash": dash}))
    fig.add_vline(x=outlier, line={"color": "#333333", "dash": "dash"})
    fig.update_yaxes(type="log", dtick=1, exponentformat="power")
    legend_below(fig)
    return fig


def legend_below(fig: go.Figure) -> None:
    """Legend under the plot: above it, it collides with the title in a half-width column."""
    fig.update_layout(legend={"orientation": "h", "y": -0.22, "yanchor": "top", "x": 0.5,
                              "xanchor": "center"}, margin={"b": 110})


def regression_data_figure(result: RegressionResult, outlier: float,
                           text: Mapping[str, str]) -> go.Figure:
    """The points, the (fixed) fitted line and the moved target. text: title, x, y, data,
    fit, outlier."""
    fig = base_figure(text["title"], text["x"], text["y"], height=420)
    y = result.y.copy()
    y[result.outlier_index] += outlier
    others = np.arange(len(y)) != result.outlier_index
    fig.add_trace(go.Scatter(x=result.x[others], y=y[others], mode="markers", name=text["data"],
                             marker={"color": BLUE, "size": 8}))
    fig.add_trace(go.Scatter(x=result.x[~others], y=y[~others], mode="markers",
                             name=text["outlier"],
                             marker={"color": VERMILLION, "size": 13, "symbol": "diamond"}))
    fig.add_trace(go.Scatter(x=result.x, y=result.pred, mode="lines", name=text["fit"],
                             line={"color": "#333333", "width": 3}))
    legend_below(fig)
    return fig
