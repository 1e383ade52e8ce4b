import dataclasses

import numpy as np

from core.charts.dataloader import batch_loss_figure, shuffle_figure, throughput_figure, workers_figure
from core.dataloader import (
    BatchConfig, ShuffleConfig, ThroughputConfig, WorkersConfig, run_batch, run_shuffle,
    run_throughput, run_workers,
)

TEXT = {k: k.upper() for k in ("title", "x", "y", "step", "full", "val", "diverged", "chosen", "loss",
                               "acc", "sorted", "shuffled", "ideal")} | {"epoch": "e{e}"}


def test_batch_loss_figure_is_log():
    fig = batch_loss_figure(run_batch(BatchConfig(epochs=1)), TEXT)
    assert fig.layout.yaxis.type == "log"


def test_batch_loss_figure_draws_the_training_set_loss_per_step():
    r = run_batch(BatchConfig(batch_size=128, epochs=1))
    fig = batch_loss_figure(r, TEXT)
    full = next(t for t in fig.data if t.name == "FULL")
    assert len(full.x) == len(r.step_loss) + 1 and full.x[-1] == 1.0


def test_diverged_batch_run_is_marked():
    r = run_batch(BatchConfig(epochs=1))
    r = dataclasses.replace(r, step_loss=np.append(r.step_loss[:5], np.nan),
                            full_loss=np.append(r.full_loss[:6], np.nan), diverged=True,
                            diverged_at=6)
    fig = batch_loss_figure(r, TEXT)
    assert any("DIVERGED" in (a.text or "") for a in fig.layout.annotations)
    assert all(np.isfinite(fig.layout.yaxis.range))


def test_throughput_figure_axes():
    fig = throughput_figure(run_throughput(ThroughputConfig(batch_sizes=(1, 16))), TEXT, 16)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"


def test_shuffle_figure_has_both_runs():
    fig = shuffle_figure(run_shuffle(ShuffleConfig(epochs=1)), TEXT)
    assert {t.name for t in fig.data} == {"SORTED", "SHUFFLED"}
    assert list(fig.layout.yaxis2.range) == [0, 100]


def test_workers_figure():
    fig = workers_figure(run_workers(WorkersConfig(workers=(0, 1))), TEXT)
    assert len(fig.data) == 3 and fig.data[0].name == "e1"  # one bar group per epoch


def test_shuffle_animation_replays_the_static_chart():
    """Issue 10 item 5: frames grow the four curves step by step from the finished runs;
    the last frame draws every point of the static chart; no NaN is drawn."""
    import json

    from core.charts.dataloader import shuffle_animation
    from core.charts.playback import last_frame_points

    text = TEXT | {"play": "PLAY", "pause": "PAUSE", "step": "STEP"}
    result = run_shuffle(ShuffleConfig(epochs=1, batch_size=64))
    static = shuffle_figure(result, text)
    fig = shuffle_animation(result, text)
    n = len(result.runs["sorted"].step_loss)
    assert fig.frames[0].name == "1" and fig.frames[-1].name == str(n)
    last = last_frame_points(fig)
    assert sorted(last) == [0, 1, 2, 3]
    for index, (x, y) in last.items():
        np.testing.assert_array_equal(x, static.data[index].x)
        np.testing.assert_allclose(np.asarray(y, float), np.asarray(static.data[index].y, float))
    middle = fig.frames[len(fig.frames) // 2]
    k = int(middle.name)
    loss = np.asarray(middle.data[0].y, float)  # the sorted run's loss, steps 1 … k
    np.testing.assert_allclose(loss, result.runs["sorted"].step_loss[:k])
    assert len(fig.layout.shapes) == len(static.layout.shapes)  # epoch lines stay
    assert "NaN" not in json.dumps(fig.to_plotly_json(), default=str)
