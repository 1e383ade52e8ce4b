"""Figures for the train-vs-eval page."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.common import FONT_FAMILY, FONT_SIZE
from core.train_vs_eval import COMBOS, TrainEvalResult, combo_id


def costs_figure(result: TrainEvalResult, text: Mapping[str, str],
                 selected: str | None = None) -> go.Figure:
    """Accuracy, forward time and bytes saved for backward, one bar per combination.

    text: title, accuracy, time, memory, and one label per combo id.
    """
    ids = [combo_id(mode, ng) for mode, ng in COMBOS]
    labels = [text[i] for i in ids]
    colors = ["#d62728" if i == selected else "#9ecae1" for i in ids]
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.09,
                        subplot_titles=(text["accuracy"], text["time"], text["memory"]))
    values = (
        [100 * result.combos[i].accuracy for i in ids],
        [result.combos[i].forward_ms for i in ids],
        [result.combos[i].saved_bytes / 1024 for i in ids],
    )
    for col, series in enumerate(values, start=1):
        fig.add_trace(go.Bar(x=labels, y=series, marker_color=colors, showlegend=False,
                             text=[f"{v:.3g}" for v in series], textposition="outside",
                             cliponaxis=False), row=1, col=col)
        fig.update_yaxes(range=[0, max(max(series), 1e-9) * 1.25], row=1, col=col)
    lo = min(values[0])
    fig.update_yaxes(range=[max(0, lo - 10), 100.5], row=1, col=1)
    fig.update_layout(
        title={"text": text["title"], "x": 0.0, "font": {"size": FONT_SIZE + 3}},
        font={"family": FONT_FAMILY, "size": FONT_SIZE - 2}, template="plotly_white",
        height=440, margin={"l": 50, "r": 20, "t": 90, "b": 120},
    )
    fig.update_xaxes(tickangle=-30)
    for annotation in fig.layout.annotations:
        annotation.font = {"size": FONT_SIZE, "family": FONT_FAMILY}
    return fig
