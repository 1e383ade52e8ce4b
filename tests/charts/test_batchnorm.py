import numpy as np

from core.batchnorm import (
    BNTrainConfig, PitfallsConfig, RunningStatsConfig, run_bn_training, run_pitfalls,
    run_running_stats,
)
from core.charts.batchnorm import (
    activation_std_figure, bn_loss_figure, pitfalls_figure, running_mean_figure,
)

TEXT = {k: k for k in ("title", "x", "y", "plain", "bn", "diverged", "batch", "running",
                       "theory", "true", "train_mode", "eval_mode", "one_class")}
TEXT["layer"] = "layer {n}"


def test_activation_figures_even_when_plain_diverges():
    r = run_bn_training(BNTrainConfig(lr=0.5, steps=20))
    fig = activation_std_figure(r, TEXT)
    assert len(fig.data) == 8 and fig.layout.yaxis.type == "log"
    assert any("diverged" in (a.text or "") for a in fig.layout.annotations)
    for trace in bn_loss_figure(r, TEXT).data:
        y = np.asarray(trace.y, dtype=float)
        assert not np.isinf(y).any()


def test_running_and_pitfall_figures():
    fig = running_mean_figure(run_running_stats(RunningStatsConfig(steps=20)), TEXT)
    assert len(fig.data) == 3
    fig = pitfalls_figure(run_pitfalls(PitfallsConfig(steps=20)), TEXT)
    assert fig.layout.xaxis.type == "log" and len(fig.data) == 3
