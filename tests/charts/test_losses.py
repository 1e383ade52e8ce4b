import json

import numpy as np

from core.charts.losses import fits_figure, gradient_figure, penalty_figure, softmax_figure
from core.losses import (
    LOSSES, CrossEntropyConfig, RegressionConfig, run_cross_entropy, run_regression,
)


class Text(dict):
    def __missing__(self, key):
        return "c{i}" if key == "class" else key.upper()


TEXT = Text()
NAMES = {n: n.upper() for n in LOSSES}


def test_fits_figure_draws_every_loss_and_keeps_y_on_the_data():
    result = run_regression(RegressionConfig(n_outliers=6, outlier_size=30.0))
    fig = fits_figure(result, TEXT, NAMES)
    assert {"MSE", "MAE", "HUBER", "OUTLIERS", "TRUE"} <= {t.name for t in fig.data}
    lo, hi = fig.layout.yaxis.range
    assert lo <= result.y.min() and hi >= result.y.max()
    json.dumps(fig.to_plotly_json(), default=str)


def test_fits_figure_hides_a_diverged_fit_and_says_so():
    result = run_regression(RegressionConfig(lr=50.0, steps=40))
    fig = fits_figure(result, TEXT, NAMES)
    assert "MSE" not in {t.name for t in fig.data}
    assert any("DIVERGED" in (a.text or "") for a in fig.layout.annotations)


def test_penalty_figure_has_finite_curves_for_each_loss():
    fig = penalty_figure(run_regression(RegressionConfig()), TEXT, NAMES)
    assert len(fig.data) == 2 * len(LOSSES)
    for trace in fig.data:
        assert np.all(np.isfinite(np.asarray(trace.y, dtype=float)))


def test_cross_entropy_figures():
    result = run_cross_entropy(CrossEntropyConfig(logits=(-8.0, 8.0, 0.0), true_class=0))
    fig = softmax_figure(result, 0, TEXT)
    assert fig.layout.xaxis2.type == "log"
    assert [str(x) for x in fig.data[0].x] == ["c0", "c1", "c2"]
    grad = gradient_figure(result, TEXT)
    assert {t.name for t in grad.data} == {"CE", "MSE"}
    for trace in grad.data:
        assert np.all(np.isfinite(np.asarray(trace.y, dtype=float)))
    json.dumps(grad.to_plotly_json(), default=str)


def test_a_fit_that_stopped_short_is_drawn_with_its_exact_minimum():
    result = run_regression(RegressionConfig(n_outliers=15, outlier_size=40.0, noise=3.0,
                                             delta=5.0))
    assert not result.fits["mae"].converged and result.fits["mse"].converged
    fig = fits_figure(result, {**{k: TEXT[k] for k in ("title", "x", "y", "inliers", "outliers",
                                                       "true", "diverged")},
                               "optimum": "{name} exact"}, NAMES)
    dotted = [trace for trace in fig.data if trace.line.dash == "dot"]
    assert "MAE exact" in [trace.name for trace in dotted]
    assert "MSE exact" not in [trace.name for trace in dotted]
    mae = next(trace for trace in dotted if trace.name == "MAE exact")
    xs = np.asarray(mae.x)
    fit = result.fits["mae"]
    np.testing.assert_allclose(mae.y, fit.optimum_slope * xs + fit.optimum_intercept)
