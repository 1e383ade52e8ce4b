import json

import numpy as np

from core.charts.data_split import early_stop_figure, split_figure, tuning_figure
from core.data_split import EarlyStopConfig, SplitConfig, TuningConfig, run_early_stop, run_split, run_tuning

NAMES = {k: k.upper() for k in ("random", "stratified", "train", "val", "test")}
TEXT = {k: k.upper() for k in ("title", "x", "y", "all", "train", "val", "best", "stop", "diverged",
                               "left", "right", "reported", "fresh", "by_test", "by_val", "acc",
                               "gap", "count")} | {"digit": "d{c}"}


def test_split_figure_stacks_shares_to_100():
    fig = split_figure(run_split(SplitConfig()), TEXT, NAMES)
    assert len(fig.data) == 2 * 5
    totals = np.sum([np.asarray(t.y, float) for t in fig.data[:5]], axis=0)
    np.testing.assert_allclose(totals, 100)
    json.dumps(fig.to_plotly_json(), default=str)


def test_early_stop_figure_marks_best_epoch():
    r = run_early_stop(EarlyStopConfig(epochs=8, width=32))
    fig = early_stop_figure(r, TEXT)
    assert len(fig.data) == 2 and fig.layout.title.text == "TITLE"
    assert any(s.x0 == r.best_epoch for s in fig.layout.shapes)
    assert all(np.isfinite(np.asarray(t.y, float)).all() for t in fig.data)


def test_tuning_figure():
    fig = tuning_figure(run_tuning(TuningConfig(n_configs=5)), TEXT)
    assert fig.layout.barmode == "group"
    lo, hi = fig.layout.yaxis.range
    assert 0 <= lo < hi <= 100


def test_no_stop_line_when_patience_never_ran_out():
    """Issue 9: at lr 0.0003 the validation loss still falls at the last epoch; the chart
    must not claim a stop there."""
    r = run_early_stop(EarlyStopConfig(lr=0.0003, patience=1, epochs=8, width=32))
    assert not r.stopped
    fig = early_stop_figure(r, TEXT)
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].x0 == r.best_epoch
    assert not any(a.text == "STOP" for a in fig.layout.annotations)


ANIM_TEXT = TEXT | {"best_at": "B{e}", "stop_at": "S{e}", "waiting": "{c}/{p}", "play": "PLAY",
                    "pause": "PAUSE", "step": "STEP"}


def test_early_stop_animation_grows_to_the_static_chart():
    """Issue 10 item 5: the best-so-far line moves to each new lowest validation loss, the
    counter counts epochs without improvement, the stop line appears at the stop epoch; the
    last frame shows the static chart's curves, best line and stop line."""
    from core.charts.data_split import early_stop_animation, early_stop_watch
    from core.charts.playback import last_frame_points

    cfg = EarlyStopConfig(epochs=12, width=32, lr=0.03, patience=2)
    r = run_early_stop(cfg)
    assert r.stopped  # a case where the stop line appears
    static = early_stop_figure(r, TEXT)
    fig = early_stop_animation(r, cfg.patience, ANIM_TEXT)
    assert [f.name for f in fig.frames] == [str(e) for e in range(13)]
    last = last_frame_points(fig)
    for index in (0, 1):
        np.testing.assert_allclose(np.asarray(last[index][1], float),
                                   np.asarray(static.data[index].y, float))
    best_x = last[2][0]
    stop_x = last[4][0]
    assert best_x == [static.layout.shapes[0].x0] * 2 == [r.best_epoch] * 2
    assert stop_x == [static.layout.shapes[1].x0] * 2 == [r.stop_epoch] * 2
    # Independent reference: the best-so-far epoch is the argmin of the losses seen so far
    # (until the stop), the counter the epochs since it.
    for frame in fig.frames:
        k = int(frame.name)
        seen = r.val_loss[: min(k, r.stop_epoch) + 1]
        best = int(np.argmin(seen))
        assert frame.data[2].x[0] == best
        stopped = k >= r.stop_epoch
        assert (frame.data[4].x[0] is not None) == stopped
        if not stopped:
            assert frame.data[6].text[0] == f"{k - best}/{cfg.patience}"
    assert early_stop_watch(r, cfg.patience, 12) == (r.best_epoch, r.stop_epoch - r.best_epoch,
                                                      r.stop_epoch)
