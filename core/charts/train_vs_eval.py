"""Figures for the train-vs-eval page."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from core.charts.common import FONT_FAMILY, FONT_SIZE, subplots
from core.charts.common import SKY_BLUE, VERMILLION  # Okabe–Ito
from core.train_vs_eval import COMBOS, TrainEvalResult, combo_id


def costs_figure(result: TrainEvalResult, text: Mapping[str, str],
                 selected: str | None = None) -> go.Figure:
    """Accuracy, forward time and bytes saved for backward, one bar per combination.

    text: title, accuracy, time, memory, and one label per combo id.
    """
    ids = [combo_id(mode, ng) for mode, ng in COMBOS]
    labels = [text[i] for i in ids]
    colors = [VERMILLION if i == selected else SKY_BLUE for i in ids]
    # Horizontal bars: the combination names are written once, on the left (vertical bars
    # needed them under every panel, where they collided at 1024 px).
    fig = subplots(rows=1, cols=3, shared_yaxes=True, horizontal_spacing=0.06,
                   subplot_titles=(text["accuracy"], text["time"], text["memory"]))
    values = (
        [100 * result.combos[i].accuracy for i in ids],
        [result.combos[i].forward_ms for i in ids],
        [result.combos[i].saved_bytes / 1024 for i in ids],
    )
    formats = ("{:.1f}", "{:.3g}", "{:,.0f}")
    for col, (series, fmt) in enumerate(zip(values, formats), start=1):
        fig.add_trace(go.Bar(y=labels, x=series, orientation="h", marker_color=colors,
                             showlegend=False, text=[fmt.format(v) for v in series],
                             textposition="outside", cliponaxis=False), row=1, col=col)
        fig.update_xaxes(range=[0, max(max(series), 1e-9) * 1.45], row=1, col=col)
    lo = min(values[0])
    fig.update_xaxes(range=[max(0, lo - 10), 100 + 0.45 * (100 - max(0, lo - 10))], row=1, col=1)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    fig.update_layout(
        title={"text": text["title"], "x": 0.0, "font": {"size": FONT_SIZE + 3}},
        font={"family": FONT_FAMILY, "size": FONT_SIZE - 2},
        height=340, margin={"l": 20, "r": 20, "t": 100, "b": 40},
    )
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(showticklabels=False, showgrid=False)  # each bar carries its value
    for annotation in fig.layout.annotations:
        annotation.font = {"size": FONT_SIZE - 1, "family": FONT_FAMILY}
    return fig
