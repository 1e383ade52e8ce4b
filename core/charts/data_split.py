"""Figures for the data-split page."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.charts.common import PALETTE, base_figure, mark_diverged, style_subplots, subplots
from core.charts.common import BLUE, BLUISH_GREEN, GREY, REDDISH_PURPLE, VERMILLION  # Okabe–Ito
from core.charts.playback import frame_steps, play_figure
from core.data_split import METHODS, SPLITS, EarlyStopResult, SplitResult, TuningResult


def split_figure(result: SplitResult, text: Mapping[str, str],
                 names: Mapping[str, str]) -> go.Figure:
    """Class shares (%) of every split, random vs stratified, next to the whole dataset.

    text: title, y, all, digit ("digit {c}"); names: method and split ids -> display names.
    """
    fig = subplots(rows=1, cols=2, subplot_titles=[names[m] for m in METHODS],
                   shared_yaxes=True, horizontal_spacing=0.05)
    x = [text["all"]] + [names[s] for s in SPLITS]
    for col, method in enumerate(METHODS, start=1):
        counts = np.vstack([result.class_sizes, result.counts[method]])  # (4, classes)
        totals = counts.sum(1, keepdims=True)
        shares = 100 * np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
        for c in range(counts.shape[1]):
            fig.add_trace(go.Bar(
                x=x, y=shares[:, c], name=text["digit"].format(c=c), legendgroup=str(c),
                showlegend=col == 1, marker_color=PALETTE[c % len(PALETTE)],
                text=[str(int(v)) for v in counts[:, c]], textposition="inside",
                hovertemplate="%{x}: %{y:.1f}% (%{text})<extra></extra>"), row=1, col=col)
    style_subplots(fig, text["title"], height=440, legend_y=-0.15)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(range=[0, 100], row=1, col=1, title_text=text["y"])
    return fig


def early_stop_figure(result: EarlyStopResult, text: Mapping[str, str]) -> go.Figure:
    """Training and validation loss per epoch; the best-validation epoch and the stop.

    text: title, x, y, train, val, best, stop, diverged.
    """
    fig = base_figure(text["title"], text["x"], text["y"])
    for values, name, color in ((result.train_loss, text["train"], BLUE),
                                (result.val_loss, text["val"], VERMILLION)):
        finite = np.where(np.isfinite(values), values, np.nan)
        fig.add_trace(go.Scatter(x=result.epochs, y=finite, name=name, mode="lines+markers",
                                 line={"width": 3, "color": color}, marker={"size": 5}))
    if result.diverged:
        mark_diverged(fig, text["diverged"])
        return fig
    fig.add_vline(x=result.best_epoch, line={"color": BLUISH_GREEN, "width": 3})
    top = float(np.nanmax(np.where(np.isfinite(result.val_loss), result.val_loss, np.nan)))
    # The best-epoch label sits left of its line unless the line is near the left edge.
    left = result.best_epoch > 0.15 * max(float(result.epochs[-1]), 1.0)
    fig.add_annotation(x=result.best_epoch, y=top, text=text["best"], showarrow=False,
                       xanchor="right" if left else "left", yanchor="top",
                       font={"color": BLUISH_GREEN})
    if result.stopped:  # no stop line when patience never ran out
        fig.add_vline(x=result.stop_epoch, line={"color": GREY, "dash": "dash"})
        fig.add_annotation(x=result.stop_epoch, y=0.85 * top, text=text["stop"],
                           showarrow=False, xanchor="left", yanchor="top",
                           font={"color": GREY})
    return fig


def early_stop_watch(result: EarlyStopResult, patience: int, upto: int) -> tuple[int, int, int | None]:
    """What the early-stopping rule knows after epoch ``upto``: (best epoch so far, epochs
    since it without improvement, stop epoch or None). The same rule as run_early_stop's."""
    best, best_loss, stop = 0, float("inf"), None
    for epoch, loss in zip(result.epochs[: upto + 1], result.val_loss[: upto + 1]):
        if stop is not None:
            break
        if loss < best_loss:
            best, best_loss = int(epoch), float(loss)
        elif epoch - best >= patience:
            stop = int(epoch)
    waited = (stop if stop is not None else int(min(upto, result.epochs[-1]))) - best
    return best, waited, stop


def early_stop_animation(result: EarlyStopResult, patience: int,
                         text: Mapping[str, str]) -> go.Figure:
    """The early-stopping chart played back epoch by epoch in the browser (issue 10 item 5):
    the curves grow, the best-so-far line moves with every new lowest validation loss, a
    counter shows the epochs waited, and the stop line appears when patience runs out.
    Frames come from the finished run; the last frame shows what the static chart shows.

    text: as early_stop_figure, plus best_at ({e}), stop_at ({e}), waiting ({c}, {p}),
    play, pause, step.
    """
    fig = early_stop_figure(result, text)
    steps = frame_steps(0, int(result.epochs[-1]))
    if result.diverged:
        return play_figure(fig, steps, text, animated=[0, 1])
    fig.layout.shapes, fig.layout.annotations = (), ()  # drawn as traces that move
    finite = np.concatenate([v[np.isfinite(v)] for v in (result.train_loss, result.val_loss)])
    lo, hi = float(finite.min()), float(finite.max())
    pad = 0.05 * (hi - lo) if hi > lo else 0.5
    fig.update_yaxes(range=[lo - pad, hi + pad])
    top, stop_y = hi, lo + 0.85 * (hi - lo)
    edge = 0.15 * max(float(result.epochs[-1]), 1.0)

    def extras(k: int) -> list[go.Scatter]:
        best, waited, stop = early_stop_watch(result, patience, k)
        stop_x = [stop, stop] if stop is not None else [None, None]
        label = text["waiting"].format(c=waited, p=patience) if stop is None else ""
        return [
            go.Scatter(x=[best, best], y=[lo - pad, hi + pad], mode="lines", hoverinfo="skip",
                       line={"color": BLUISH_GREEN, "width": 3}, showlegend=False),
            go.Scatter(x=[best], y=[top], mode="text", text=[text["best_at"].format(e=best)],
                       textposition="bottom left" if best > edge else "bottom right",
                       textfont={"color": BLUISH_GREEN}, hoverinfo="skip", showlegend=False),
            go.Scatter(x=stop_x, y=[lo - pad, hi + pad], mode="lines", hoverinfo="skip",
                       line={"color": GREY, "dash": "dash"}, showlegend=False),
            go.Scatter(x=stop_x[:1], y=[stop_y], mode="text",
                       text=[text["stop_at"].format(e=stop) if stop is not None else ""],
                       textposition="bottom right", textfont={"color": GREY},
                       hoverinfo="skip", showlegend=False),
            # the counter sits where the stop label will appear (it goes when that comes)
            go.Scatter(x=[float(result.epochs[-1])], y=[stop_y], mode="text", text=[label],
                       textposition="bottom left", textfont={"color": VERMILLION},
                       hoverinfo="skip", showlegend=False),
        ]

    return play_figure(fig, steps, text, animated=[0, 1], extras=extras)


def tuning_figure(result: TuningResult, text: Mapping[str, str]) -> go.Figure:
    """Left: mean reported test accuracy vs accuracy on fresh data, per selection rule.
    Right: the distribution over repetitions of (test − fresh) for the chosen model.

    text: title, left, right, reported, fresh, by_test, by_val, acc, gap, count.
    """
    fig = subplots(rows=1, cols=2, subplot_titles=(text["left"], text["right"]),
                   horizontal_spacing=0.12)
    rules = (("test", text["by_test"], VERMILLION), ("val", text["by_val"], BLUISH_GREEN))
    labels = [label for _, label, _ in rules]
    fig.add_trace(go.Bar(x=labels, y=[100 * result.reported[r] for r, _, _ in rules],
                         name=text["reported"], marker_color=REDDISH_PURPLE,
                         texttemplate="%{y:.1f}%", textposition="outside"), row=1, col=1)
    fig.add_trace(go.Bar(x=labels, y=[100 * result.fresh[r] for r, _, _ in rules],
                         name=text["fresh"], marker_color=GREY,
                         texttemplate="%{y:.1f}%", textposition="outside"), row=1, col=1)
    values = np.array([100 * v for r in ("test", "val")
                       for v in (result.reported[r], result.fresh[r])])
    lo = max(0.0, float(values.min()) - 5)
    fig.update_yaxes(range=[lo, min(100.0, float(values.max()) + 3)], title_text=text["acc"],
                     row=1, col=1)
    for rule, label, color in rules:
        fig.add_trace(go.Histogram(x=100 * result.gap[rule], name=label, marker_color=color,
                                   opacity=0.6, xbins={"size": 1}, showlegend=False),
                      row=1, col=2)
        fig.add_vline(x=100 * float(result.gap[rule].mean()), line={"color": color, "width": 3},
                      row=1, col=2)
    fig.update_xaxes(title_text=text["gap"], row=1, col=2)
    fig.update_yaxes(title_text=text["count"], row=1, col=2)
    style_subplots(fig, text["title"], height=440, legend_y=-0.2)
    fig.update_layout(barmode="group")  # bars side by side; histogram bins too
    return fig
