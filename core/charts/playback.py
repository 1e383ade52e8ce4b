"""Play a finished chart back step by step in the browser (issue 10 item 5).

A static figure that draws curves against a step axis becomes a Plotly animation: every frame
is computed here, once, from the numbers already drawn; the browser plays them (play / pause,
speed buttons, a step slider) with no server work per frame. Frames do not redraw the whole
chart (fast), so they may only move scatter traces: anything that must appear over time (a
"best so far" line, a counter) is a scatter trace too, given by ``extras``.

The last frame shows every point of the static chart (tests compare them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from core.charts.common import FONT_SIZE

MAX_FRAMES = 100  # frames across the whole run
SPEEDS = (0.5, 1.0, 2.0, 4.0)  # × the base frame rate
BASE_FRAME_MS = 100
CONTROLS_PX = 130  # room added under the chart: a row of buttons, then the step slider
LEGEND_PX = 60  # a legend under the plot (two rows at 1024 px)


def frame_steps(first: float, last: float, frames: int = MAX_FRAMES) -> list[int]:
    """Integer steps first … last (both included), at most ``frames`` of them, evenly spread."""
    first, last = int(first), int(last)
    count = min(frames, last - first + 1)
    return sorted({int(round(s)) for s in np.linspace(first, last, max(count, 1))})


def _plain(values) -> list | None:
    """A trace's coordinates as a plain list (plotly.js drops typed arrays in redraw-free frames)."""
    if values is None:
        return None
    return [None if isinstance(v, float) and not np.isfinite(v) else v
            for v in np.asarray(values, dtype=object).tolist()]


def _upto(trace: go.Scatter, step: float) -> tuple[list, list]:
    """The points of ``trace`` whose x is at most ``step``."""
    x = np.asarray(trace.x, dtype=float)
    keep = x <= step + 1e-9
    y = np.asarray(trace.y, dtype=object)
    return _plain(x[keep]), _plain(y[keep])


def _axis_names(fig: go.Figure, letter: str) -> list[str]:
    names = {f"{letter}axis"}
    for trace in fig.data:
        ref = getattr(trace, f"{letter}axis", None) or letter
        names.add(f"{letter}axis{ref[1:]}")
    return sorted(names)


def _fix_ranges(fig: go.Figure) -> None:
    """Give every linear axis without a range the range of its full data, so the axes do not
    jump while the curves grow (frames never autorange)."""
    for letter in ("x", "y"):
        for name in _axis_names(fig, letter):
            axis = fig.layout[name]
            if axis.range is not None or axis.type in ("log", "category"):
                continue
            ref = letter + name[5:]
            values = []
            for trace in fig.data:
                if (getattr(trace, f"{letter}axis", None) or letter) != ref:
                    continue
                data = getattr(trace, letter, None)
                if data is None:
                    continue
                try:
                    array = np.asarray(data, dtype=float)
                except (TypeError, ValueError):
                    continue
                values.append(array[np.isfinite(array)])
            values = np.concatenate(values) if values else np.array([])
            if values.size == 0:
                continue
            lo, hi = float(values.min()), float(values.max())
            pad = 0.05 * (hi - lo) if hi > lo else 0.5
            if letter == "x":
                fig.layout[name].range = [lo, hi]
            else:
                fig.layout[name].range = [lo - pad, hi + pad]


def play_figure(fig: go.Figure, steps: Sequence[int], text: Mapping[str, str],
                animated: Sequence[int] | None = None,
                extras: Callable[[int], Sequence[go.Scatter]] | None = None,
                label: Callable[[int], str] = str) -> go.Figure:
    """``fig`` as an animation over ``steps``: frame k draws the points with x ≤ k of the
    ``animated`` traces (default: every scatter trace) and ``extras(k)``'s traces.

    The figure opens at the first step. text: play, pause, step (the slider's prefix).
    """
    fig = go.Figure(fig)
    _fix_ranges(fig)
    if animated is None:
        animated = [i for i, trace in enumerate(fig.data) if trace.type == "scatter"]
    animated = list(animated)
    for index in animated:
        fig.data[index].update(x=_plain(fig.data[index].x), y=_plain(fig.data[index].y))
    extra_indices: list[int] = []
    if extras is not None:
        for trace in extras(steps[-1]):
            fig.add_trace(trace)
            extra_indices.append(len(fig.data) - 1)
    # Frames as plain dicts: building ~100 validated go.Frame objects costs seconds.
    frames = []
    for k in steps:
        data = []
        for index in animated:
            x, y = _upto(fig.data[index], k)
            data.append({"type": "scatter", "x": x, "y": y})
        if extras is not None:
            data.extend(_moving(trace) for trace in extras(k))
        frames.append({"data": data, "traces": animated + extra_indices, "name": str(k)})
    for trace, index in zip(frames[0]["data"], frames[0]["traces"]):  # open at the first step
        fig.data[index].update(trace)

    def play(factor: float) -> dict:
        return {"frame": {"duration": BASE_FRAME_MS / factor, "redraw": False},
                "fromcurrent": True, "transition": {"duration": 0}, "mode": "immediate"}

    still = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
             "transition": {"duration": 0}}
    buttons = [{"label": text["play"], "method": "animate", "args": [None, play(1.0)]},
               {"label": text["pause"], "method": "animate", "args": [[None], still]}]
    buttons += [{"label": f"{factor:g}×", "method": "animate", "args": [None, play(factor)]}
                for factor in SPEEDS]
    # The controls go under everything the chart already draws below its plot (axis titles,
    # a legend there): a row of buttons, then the step slider. Nothing moves at the top, where
    # titles and legends live.
    height = fig.layout.height or 450
    margin = fig.layout.margin
    top = margin.t if margin.t is not None else 80
    bottom = margin.b if margin.b is not None else 80
    plot_px = max(height - top - bottom, 100)
    below = float(bottom)
    legend = fig.layout.legend
    if legend.y is not None and legend.y < 0:
        anchored_top = legend.yanchor != "bottom"  # plotly anchors a legend under the plot at its top
        below = max(below, -legend.y * plot_px + (LEGEND_PX if anchored_top else 0) + 8)
    fig.update_layout(
        height=int(height - bottom + below + CONTROLS_PX), margin={"b": int(below + CONTROLS_PX)},
        updatemenus=[{"type": "buttons", "direction": "left", "showactive": False,
                      "x": 0.0, "xanchor": "left", "y": -(below + 4) / plot_px,
                      "yanchor": "top", "pad": {"t": 0, "b": 0}, "buttons": buttons}],
        sliders=[{"active": 0, "x": 0.0, "len": 1.0, "y": -(below + 44) / plot_px,
                  "yanchor": "top",
                  "currentvalue": {"prefix": f"{text['step']} ",
                                   "font": {"size": FONT_SIZE, "color": "#444"}},
                  "font": {"color": "rgba(0,0,0,0)"},  # no crowded tick labels
                  "ticklen": 0, "minorticklen": 0, "pad": {"t": 10},
                  "steps": [{"label": label(k), "method": "animate",
                             "args": [[str(k)], still]} for k in steps]}])
    figure = fig.to_dict()
    figure["frames"] = frames
    return go.Figure(figure, skip_invalid=False, _validate=False)


def _moving(trace: go.Scatter) -> dict:
    """The parts of an extra trace a frame changes: its points and its text."""
    moved = {"type": "scatter", "x": _plain(trace.x), "y": _plain(trace.y)}
    if trace.text is not None:
        moved["text"] = list(trace.text)
    return moved


def last_frame_points(fig: go.Figure) -> dict[int, tuple[list, list]]:
    """Trace index -> (x, y) drawn by the last frame (for tests and checks)."""
    frame = fig.frames[-1]
    return {index: (list(trace.x), list(trace.y)) for trace, index in zip(frame.data,
                                                                        frame.traces)}
