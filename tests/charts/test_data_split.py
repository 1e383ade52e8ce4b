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
