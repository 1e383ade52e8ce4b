"""core.charts.playback: frames replay a static chart point by point; the last frame is it."""

import json

import numpy as np
import plotly.graph_objects as go

from core.charts.playback import frame_steps, last_frame_points, play_figure

TEXT = {"play": "PLAY", "pause": "PAUSE", "step": "STEP"}


def _static() -> go.Figure:
    fig = go.Figure()
    x = np.arange(1, 51)
    fig.add_trace(go.Scatter(x=x, y=np.sin(x / 5)))
    fig.add_trace(go.Scatter(x=x[::5], y=np.cos(x[::5] / 5)))  # a sparser series
    fig.add_trace(go.Bar(x=[1, 2], y=[3, 4]))  # not a scatter: left alone
    return fig


def test_frame_steps_cover_both_ends_without_repeats():
    assert frame_steps(1, 10) == list(range(1, 11))
    steps = frame_steps(0, 1000)
    assert steps[0] == 0 and steps[-1] == 1000 and len(steps) == 100
    assert len(set(steps)) == len(steps) and steps == sorted(steps)


def test_each_frame_draws_exactly_the_points_up_to_its_step():
    static = _static()
    fig = play_figure(static, frame_steps(1, 50), TEXT)
    assert [f.name for f in fig.frames] == [str(k) for k in range(1, 51)]
    for frame in fig.frames[::7]:
        k = int(frame.name)
        assert list(frame.traces) == [0, 1]
        for trace, index in zip(frame.data, frame.traces):
            x = np.asarray(static.data[index].x, float)
            np.testing.assert_array_equal(np.asarray(trace.x, float), x[x <= k])
            np.testing.assert_allclose(np.asarray(trace.y, float),
                                       np.asarray(static.data[index].y, float)[x <= k])


def test_last_frame_equals_the_static_chart_and_opens_at_the_first():
    static = _static()
    fig = play_figure(static, frame_steps(1, 50), TEXT)
    for index, (x, y) in last_frame_points(fig).items():
        np.testing.assert_array_equal(x, static.data[index].x)
        np.testing.assert_allclose(y, static.data[index].y)
    assert list(fig.data[0].x) == [1]  # opens at step 1
    assert list(fig.layout.xaxis.range) == [1, 50]  # axes fixed: frames never autorange
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert labels[:2] == ["PLAY", "PAUSE"] and "4×" in labels
    assert all(b.args[1]["frame"]["redraw"] is False for b in fig.layout.updatemenus[0].buttons
               if b.args[0] is None)  # no full redraw per frame
    json.dumps(fig.to_plotly_json(), default=str)


def test_extras_move_with_the_frames_and_nan_is_not_drawn():
    static = go.Figure(go.Scatter(x=[0, 1, 2, 3], y=[1.0, float("nan"), 3.0, 4.0]))

    def extras(k):
        return [go.Scatter(x=[k, k], y=[0, 1], mode="lines")]

    fig = play_figure(static, [0, 1, 2, 3], TEXT, extras=extras)
    assert len(fig.data) == 2
    assert [list(f.data[1].x) for f in fig.frames] == [[0, 0], [1, 1], [2, 2], [3, 3]]
    assert list(fig.frames[-1].data[0].y) == [1.0, None, 3.0, 4.0]  # a gap, not a NaN
    assert "NaN" not in json.dumps(fig.to_plotly_json(), default=str)
