"""/losses: every claim of the regression notice holds on the numbers (presets, extremes).

The exact minimisers are re-derived here by other means than core.losses.exact_optimum:
normal equations (MSE), a linear program (MAE), and the first-order condition (Huber).
"""

import numpy as np
import pytest
import scipy.optimize

from core.losses import (
    DELTA_RANGE, N_OUTLIERS_RANGE, NOISE_RANGE, OUTLIER_SIZE_RANGE, SIDES, RegressionConfig,
    regression_claims, run_regression,
)

DEFAULT = {"n_outliers": 5, "outlier_size": 15.0, "outlier_side": "up", "noise": 0.5,
           "delta": 1.0}
STATES = [
    # the page's presets (outliers_up, clean, huber_small)
    {"n_outliers": 8, "outlier_size": 20.0, "outlier_side": "up", "noise": 0.5, "delta": 1.0},
    {"n_outliers": 0, "outlier_size": 15.0, "outlier_side": "up", "noise": 0.5, "delta": 1.0},
    {"n_outliers": 8, "outlier_size": 20.0, "outlier_side": "up", "noise": 0.5, "delta": 0.2},
    DEFAULT,
    DEFAULT | {"n_outliers": N_OUTLIERS_RANGE[0]}, DEFAULT | {"n_outliers": N_OUTLIERS_RANGE[1]},
    DEFAULT | {"outlier_size": OUTLIER_SIZE_RANGE[0]},
    DEFAULT | {"outlier_size": OUTLIER_SIZE_RANGE[1]},
    *[DEFAULT | {"outlier_side": side} for side in SIDES if side != "up"],
    DEFAULT | {"noise": NOISE_RANGE[0]}, DEFAULT | {"noise": NOISE_RANGE[1]},
    DEFAULT | {"delta": DELTA_RANGE[0]}, DEFAULT | {"delta": DELTA_RANGE[1]},
    # issue 9: MAE/Huber were labelled "converged" here
    {"n_outliers": 15, "outlier_size": 40.0, "outlier_side": "up", "noise": 3.0, "delta": 5.0},
]


def l1_minimum(x: np.ndarray, y: np.ndarray) -> float:
    """min over (a, b) of mean|a x + b − y| as a linear program: residual r = r⁺ − r⁻ ≥ 0 parts."""
    n = len(x)
    # variables: a, b, r⁺ (n), r⁻ (n); minimise mean(r⁺ + r⁻) s.t. a x + b − y = r⁺ − r⁻
    cost = np.concatenate([[0, 0], np.ones(2 * n) / n])
    a_eq = np.hstack([x[:, None], np.ones((n, 1)), -np.eye(n), np.eye(n)])
    bounds = [(None, None)] * 2 + [(0, None)] * (2 * n)
    solution = scipy.optimize.linprog(cost, A_eq=a_eq, b_eq=y, bounds=bounds, method="highs")
    assert solution.success
    return float(solution.fun)


def check_minimisers(result, cfg) -> None:
    x, y = result.x.astype(float), result.y.astype(float)
    mse, mae, huber = (result.fits[n] for n in ("mse", "mae", "huber"))
    design = np.stack([x, np.ones_like(x)], 1)
    slope, intercept = np.linalg.solve(design.T @ design, design.T @ y)  # normal equations
    assert mse.optimum_slope == pytest.approx(slope, abs=1e-6)
    assert mae.optimum_loss == pytest.approx(l1_minimum(x, y), abs=1e-6)
    r = huber.optimum_slope * x + huber.optimum_intercept - y
    pull = np.clip(r, -cfg.delta, cfg.delta)  # dHuber/dr: zero mean pull at the minimum
    assert abs(np.mean(pull * x)) < 1e-6 and abs(np.mean(pull)) < 1e-6


def huber_loss(r: np.ndarray, delta: float) -> float:
    r = np.abs(r)
    return float(np.mean(np.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta))))


@pytest.mark.parametrize("state", STATES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_regression_claims(state):
    cfg = RegressionConfig(**state)
    result = run_regression(cfg)
    check_minimisers(result, cfg)
    x, y = result.x.astype(float), result.y.astype(float)
    err = {n: abs(f.optimum_slope - 2.0) for n, f in result.fits.items()}
    claims = regression_claims(result, cfg)
    ids = [c.id for c in claims]
    outliers = cfg.n_outliers > 0 and cfg.outlier_size > 0
    for claim in claims:
        v = claim.values
        if claim.id in ("clean", "robust", "breakdown", "huber_between", "huber_closest",
                        "huber_furthest"):
            for name in ("mse", "mae", "huber"):
                assert v[name] == pytest.approx(err[name])
        if claim.id == "pull":
            continue
        if claim.id == "clean":
            assert not outliers
        elif claim.id == "robust":
            assert outliers and err["mae"] < err["mse"]
        elif claim.id == "breakdown":
            assert outliers and err["mae"] >= err["mse"]
            assert v["n"] == int(result.is_outlier.sum()) and v["total"] == len(x)
        elif claim.id == "huber_between":
            assert min(err["mse"], err["mae"]) <= err["huber"] <= max(err["mse"], err["mae"])
        elif claim.id == "huber_closest":
            assert err["huber"] < min(err["mse"], err["mae"])
        elif claim.id == "huber_furthest":
            assert err["huber"] > max(err["mse"], err["mae"])
        elif claim.id.endswith("_not_converged"):
            fit = result.fits[claim.id.removesuffix("_not_converged")]
            residual = fit.slope * x + fit.intercept - y
            final = {"mse": np.mean(residual ** 2), "mae": np.mean(np.abs(residual)),
                     "huber": huber_loss(residual, cfg.delta)}[claim.id.split("_")[0]]
            gap = final - fit.optimum_loss
            assert v["gap"] == pytest.approx(gap, rel=1e-3, abs=1e-9)
            assert gap > 1e-3 * max(fit.optimum_loss, 1.0)  # really short of the minimum
            assert v["opt"] == pytest.approx(fit.optimum_slope)
        elif claim.id.endswith("_diverged"):
            assert result.fits[claim.id.removesuffix("_diverged")].diverged
        else:
            raise AssertionError(f"unchecked claim {claim.id}")
    # every fit that is not drawn at its minimum is told
    for name, fit in result.fits.items():
        residual = fit.slope * x + fit.intercept - y
        final = {"mse": np.mean(residual ** 2), "mae": np.mean(np.abs(residual)),
                 "huber": huber_loss(residual, cfg.delta)}[name]
        if not fit.diverged and final - fit.optimum_loss > 2e-3 * max(fit.optimum_loss, 1.0):
            assert f"{name}_not_converged" in ids


def test_issue_state_says_mae_broke_down_and_sgd_stopped_short():
    cfg = RegressionConfig(n_outliers=15, outlier_size=40.0, noise=3.0, delta=5.0)
    result = run_regression(cfg)
    ids = [c.id for c in regression_claims(result, cfg)]
    assert "breakdown" in ids and "mae_not_converged" in ids
    assert not result.fits["mae"].converged


def test_preset_stories_hold():
    """The one-line stories (losses.preset.<id>_story) on the presets' own numbers."""
    from core.losses import CrossEntropyConfig, run_cross_entropy

    up = run_regression(RegressionConfig(n_outliers=8, outlier_size=20.0))
    assert up.fits["mse"].optimum_slope_error > 10 * up.fits["mae"].optimum_slope_error
    clean = run_regression(RegressionConfig(n_outliers=0))
    slopes = [f.optimum_slope for f in clean.fits.values()]
    assert max(slopes) - min(slopes) < 0.1
    small = run_regression(RegressionConfig(n_outliers=8, outlier_size=20.0, delta=0.2))
    assert abs(small.fits["huber"].optimum_slope - small.fits["mae"].optimum_slope) < 0.05
    wrong = run_cross_entropy(CrossEntropyConfig(logits=(-3.0, 0.0, 6.0), true_class=0))
    assert wrong.probs[0] == pytest.approx(1e-4, rel=0.5)
    assert abs(wrong.grad_ce[0]) == pytest.approx(1, abs=0.01) and abs(wrong.grad_mse[0]) < 1e-3


def test_the_question_is_answered_by_the_exact_minimisers():
    from core.losses import more_pulled

    assert more_pulled(run_regression(RegressionConfig(n_outliers=8, outlier_size=20.0))) == "mse"
    past = RegressionConfig(n_outliers=15, outlier_size=40.0, noise=3.0, delta=5.0)
    assert more_pulled(run_regression(past)) == "mae"  # past MAE's breakdown point
