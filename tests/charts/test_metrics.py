import numpy as np

from core.charts.metrics import (
    confusion_figure, regression_data_figure, regression_errors_figure, scores_figure,
    sweep_figure,
)
from core.metrics import (
    ClassifierConfig, RegressionConfig, run_classifier, run_regression, threshold_metrics,
    threshold_sweep,
)

TEXT = {k: k for k in ("title", "x", "y", "neg", "pos", "tn", "fp", "fn", "tp", "accuracy",
                       "baseline", "balanced", "precision", "recall", "f1", "mse", "rmse",
                       "mae", "data", "fit", "outlier")}


def test_classification_figures_survive_nan_precision():
    r = run_classifier(ClassifierConfig(minority=0.02, steps=30))
    m = threshold_metrics(r.y_test, r.prob_test, 0.95)  # may predict no positive at all
    fig = scores_figure(m, TEXT)
    assert np.isfinite(np.asarray(fig.data[0].y, dtype=float)).all()
    assert np.array_equal(np.asarray(confusion_figure(m, TEXT).data[0].z), m.confusion)
    assert len(sweep_figure(threshold_sweep(r.y_test, r.prob_test, 11), 0.5, TEXT).data) == 5


def test_regression_figures():
    r = run_regression(RegressionConfig(steps=50))
    assert regression_errors_figure(r, 10.0, TEXT).layout.yaxis.type == "log"
    fig = regression_data_figure(r, 10.0, TEXT)
    assert fig.data[1].y[0] == r.y[r.outlier_index] + 10.0
