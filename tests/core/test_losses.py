"""The notes' claims about losses, checked on core's real torch runs."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.data import make_line_with_outliers
from core.losses import (
    LOSSES,
    CrossEntropyConfig,
    RegressionConfig,
    cross_entropy_code,
    line_data_code,
    regression_code,
    regression_data,
    run_cross_entropy,
    run_regression,
)
from tests.snippets import run_snippet


@pytest.mark.parametrize("side", ["up", "down", "both"])
def test_line_data_code_is_make_line_with_outliers(side):
    data = make_line_with_outliers(n=37, slope=2.0, intercept=1.0, noise=0.3, n_outliers=4,
                                   outlier_size=7.0, outlier_side=side, seed=3)
    scope, _ = run_snippet(line_data_code(37, 2.0, 1.0, 0.3, 4, 7.0, side, 3), {"torch": torch})
    assert torch.equal(scope["x"], data.x) and torch.equal(scope["y"], data.y)
    assert torch.equal(scope["is_outlier"], data.is_outlier)


@pytest.mark.parametrize("side", ["up", "down", "both"])
def test_mae_and_huber_resist_outliers_better_than_mse(side):
    result = run_regression(RegressionConfig(n_outliers=6, outlier_size=12.0, outlier_side=side))
    mse = result.fits["mse"]
    for robust in ("mae", "huber"):
        assert result.fits[robust].slope_error < mse.slope_error
    if side != "both":  # one-sided outliers drag the least-squares slope a long way
        assert mse.slope_error > 0.5 and result.fits["mae"].slope_error < 0.2


def test_mse_fit_matches_least_squares_closed_form():
    cfg = RegressionConfig(n_outliers=5, outlier_size=15.0)
    data = regression_data(cfg)
    design = torch.cat([data.x, torch.ones_like(data.x)], 1).double()
    slope, intercept = torch.linalg.lstsq(design, data.y.double()).solution.ravel().tolist()
    fit = run_regression(cfg).fits["mse"]
    assert fit.slope == pytest.approx(slope, abs=1e-3)
    assert fit.intercept == pytest.approx(intercept, abs=1e-3)


def test_mae_fit_reaches_the_l1_minimum_of_a_brute_force_grid():
    cfg = RegressionConfig(n_outliers=5, outlier_size=15.0)
    data = regression_data(cfg)
    fit = run_regression(cfg).fits["mae"]
    w = torch.linspace(1.0, 4.0, 301, dtype=torch.float64)
    b = torch.linspace(0.0, 3.0, 301, dtype=torch.float64)
    x, y = data.x[:, 0].double(), data.y[:, 0].double()
    grid = (w[:, None, None] * x + b[None, :, None] - y).abs().mean(-1)
    fitted = (fit.slope * x + fit.intercept - y).abs().mean()
    assert float(fitted) <= float(grid.min()) + 1e-3


def test_penalty_curves_and_their_autograd_slopes():
    result = run_regression(RegressionConfig(delta=2.0))
    r = result.residual
    assert np.allclose(result.penalty["mse"], r ** 2)
    assert np.allclose(result.penalty["mae"], np.abs(r))
    huber = np.where(np.abs(r) <= 2.0, 0.5 * r ** 2, 2.0 * (np.abs(r) - 1.0))
    assert np.allclose(result.penalty["huber"], huber)
    assert np.allclose(result.influence["mse"], 2 * r)
    assert np.allclose(result.influence["huber"], np.clip(r, -2.0, 2.0))
    assert np.max(np.abs(result.influence["mae"])) <= 1.0  # MAE's pull is capped at 1


def test_divergence_is_a_result_not_an_exception():
    result = run_regression(RegressionConfig(lr=50.0, steps=50))
    assert result.fits["mse"].diverged and result.fits["mse"].diverged_at is not None


def test_regression_code_panel_reproduces_core():
    cfg = RegressionConfig(n_outliers=3, outlier_size=9.0, outlier_side="both", delta=0.5)
    result = run_regression(cfg)
    scope, _ = run_snippet(regression_code(cfg))
    for name in LOSSES:
        slope, intercept = scope["fits"][name]
        assert slope == pytest.approx(result.fits[name].slope, abs=1e-6)
        assert intercept == pytest.approx(result.fits[name].intercept, abs=1e-6)


def test_cross_entropy_is_minus_log_probability_of_the_true_class():
    cfg = CrossEntropyConfig(logits=(0.3, 2.0, -1.5, 0.0), true_class=2)
    result = run_cross_entropy(cfg)
    z = torch.tensor(cfg.logits, dtype=torch.float64)
    p = torch.exp(z) / torch.exp(z).sum()
    assert np.allclose(result.probs, p.numpy()) and result.probs.sum() == pytest.approx(1.0)
    assert result.cross_entropy == pytest.approx(float(-torch.log(p[2])))
    assert result.neg_log_p == pytest.approx(result.cross_entropy)
    # d CE / d logits = softmax − one_hot
    assert np.allclose(result.grad_ce, (p - F.one_hot(torch.tensor(2), 4)).numpy())
    assert np.allclose(result.ce_curve, -np.log(result.p_curve))


def test_confidently_wrong_ce_gradient_stays_large_mse_gradient_vanishes():
    result = run_cross_entropy(CrossEntropyConfig(logits=(-6.0, 6.0), true_class=0))
    assert result.probs[0] < 1e-4
    assert abs(result.grad_ce[0]) > 0.99
    assert abs(result.grad_mse[0]) < 1e-3
    wrong = result.sweep_p < 0.005  # the net gives the true class under 0.5%
    assert np.all(result.sweep_grad_ce[wrong] > 0.99)
    assert np.all(result.sweep_grad_mse[wrong] < 0.011)
    assert np.all(result.sweep_grad_ce[wrong] > 90 * result.sweep_grad_mse[wrong])
    # Finite-difference check of the MSE-on-probabilities gradient
    eps, z = 1e-6, torch.tensor([-6.0, 6.0], dtype=torch.float64)

    def mse(zz):
        return float(((torch.softmax(zz, 0) - torch.tensor([1.0, 0.0], dtype=torch.float64))
                      ** 2).mean())
    fd = (mse(z + torch.tensor([eps, 0])) - mse(z - torch.tensor([eps, 0]))) / (2 * eps)
    assert result.grad_mse[0] == pytest.approx(fd, rel=1e-4)


def test_cross_entropy_code_panel_matches_core(capsys):
    cfg = CrossEntropyConfig(logits=(1.0, -2.0, 0.5), true_class=1)
    result = run_cross_entropy(cfg)
    scope, _ = run_snippet(cross_entropy_code(cfg))
    assert float(scope["ce"].detach()) == pytest.approx(result.cross_entropy)
    assert np.allclose(scope["grad_ce"].numpy(), result.grad_ce)
    assert np.allclose(scope["grad_mse"].numpy(), result.grad_mse)


def test_bad_true_class_is_a_clear_error():
    with pytest.raises(ValueError):
        run_cross_entropy(CrossEntropyConfig(logits=(1.0, 2.0), true_class=2))
