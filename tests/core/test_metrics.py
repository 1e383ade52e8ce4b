"""Metrics against scikit-learn and closed forms; code panels against core."""

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from core.metrics import (
    ClassifierConfig, RegressionConfig, classifier_code, regression_code, run_classifier,
    run_regression, threshold_metrics, threshold_sweep,
)
from tests.snippets import run_snippet


def run_code(code: str) -> str:
    return run_snippet(code)[1]


@pytest.fixture(scope="module", params=[0.5, 0.1, 0.03])
def classifier(request):
    return run_classifier(ClassifierConfig(minority=request.param))


@pytest.mark.parametrize("threshold", [0.1, 0.5, 0.9])
def test_metrics_match_sklearn(classifier, threshold):
    y, prob = classifier.y_test, classifier.prob_test
    pred = (prob >= threshold).astype(int)
    m = threshold_metrics(y, prob, threshold)
    assert np.array_equal(m.confusion, skm.confusion_matrix(y, pred, labels=[0, 1]))
    assert m.accuracy == pytest.approx(skm.accuracy_score(y, pred))
    assert m.recall == pytest.approx(skm.recall_score(y, pred, zero_division=0))
    assert m.f1 == pytest.approx(skm.f1_score(y, pred, zero_division=0))
    assert m.balanced_accuracy == pytest.approx(skm.balanced_accuracy_score(y, pred))
    if pred.sum():
        assert m.precision == pytest.approx(skm.precision_score(y, pred))
    else:
        assert math.isnan(m.precision)


def test_majority_baseline_accuracy_equals_majority_share(classifier):
    y = classifier.y_test
    m = threshold_metrics(y, classifier.prob_test, 0.5)
    assert m.baseline_accuracy == pytest.approx(max(np.mean(y == 0), np.mean(y == 1)))
    # Predicting "negative" for everything (threshold above every probability) scores
    # exactly the majority share when the negative class is the majority.
    if np.mean(y == 0) >= 0.5:
        assert threshold_metrics(y, classifier.prob_test, 1.01).accuracy == m.baseline_accuracy


def test_imbalance_makes_accuracy_look_good():
    result = run_classifier(ClassifierConfig(minority=0.03))
    m = threshold_metrics(result.y_test, result.prob_test, 0.5)
    assert m.accuracy > 0.9 and m.balanced_accuracy < m.accuracy
    assert m.accuracy - m.baseline_accuracy < 0.05


def test_sweep_matches_pointwise(classifier):
    sweep = threshold_sweep(classifier.y_test, classifier.prob_test, points=11)
    for i, th in enumerate(sweep.thresholds):
        assert sweep.f1[i] == threshold_metrics(classifier.y_test, classifier.prob_test, th).f1


def test_regression_errors_against_numpy_and_sensitivity():
    r = run_regression(RegressionConfig())
    for k in (0, 30, 60):
        target = r.y.copy()
        target[r.outlier_index] += r.sizes[k]
        err = r.pred - target
        assert r.mse[k] == pytest.approx(np.mean(err**2), rel=1e-5)
        assert r.rmse[k] == pytest.approx(np.sqrt(np.mean(err**2)), rel=1e-5)
        assert r.mae[k] == pytest.approx(np.mean(np.abs(err)), rel=1e-5)
    # MSE grows with the square of the outlier, MAE at most linearly (slope 1/n).
    assert r.mse[-1] / r.mse[0] > 10 * r.mae[-1] / r.mae[0]
    assert r.mae[-1] - r.mae[0] <= r.sizes[-1] / len(r.y) + 1e-6


def test_code_panels_reproduce_core():
    cfg = ClassifierConfig(minority=0.2, steps=50)
    r = run_classifier(cfg)
    m = threshold_metrics(r.y_test, r.prob_test, 0.4)
    printed = run_code(classifier_code(cfg, 0.4))
    assert f"{m.confusion.tolist()}" in printed
    assert f"accuracy          : {m.accuracy}" in printed
    rcfg = RegressionConfig(steps=100)
    rr = run_regression(rcfg)
    printed = run_code(regression_code(rcfg, float(rr.sizes[-1])))
    assert f"MSE {rr.mse[-1]:.4f}  RMSE {rr.rmse[-1]:.4f}  MAE {rr.mae[-1]:.4f}" in printed
    assert f"MSE {rr.mse[0]:.4f}" in printed
