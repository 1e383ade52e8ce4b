"""/losses computes its regression in stages (one cached fit per loss): the stages must give
exactly the numbers of one monolithic run, whatever the widget that moved."""

import dataclasses

import numpy as np
import pytest

from core.losses import (
    LOSSES, RegressionConfig, fit_config, regression_result, run_line_fit, run_regression,
)


def same(a, b) -> bool:
    """Bitwise equality of results (dataclasses, dicts, arrays, floats incl. nan/inf)."""
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name))
                                           for f in dataclasses.fields(a))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a):
        return np.isnan(b)
    return a == b


@pytest.mark.parametrize("cfg", [
    RegressionConfig(),
    RegressionConfig(n_outliers=8, outlier_size=20.0, delta=0.2),
    RegressionConfig(n_outliers=15, outlier_size=40.0, outlier_side="both", noise=3.0, delta=5.0),
    RegressionConfig(lr=50.0, steps=40, delta=2.3),  # diverging fits
])
def test_mse_and_mae_fits_do_not_read_delta(cfg):
    for name in ("mse", "mae"):
        assert fit_config(cfg, name).delta == RegressionConfig.delta
        assert same(run_line_fit(cfg, name), run_line_fit(fit_config(cfg, name), name))
    assert fit_config(cfg, "huber") == cfg


def test_staged_result_is_the_monolithic_run():
    base = RegressionConfig(n_outliers=8, outlier_size=20.0)
    fits = {name: run_line_fit(fit_config(base, name), name) for name in LOSSES}
    for delta in (0.2, 1.0, 3.7):  # a delta move: MSE and MAE fits reused, Huber refitted
        cfg = dataclasses.replace(base, delta=delta)
        staged = regression_result(cfg, fits | {"huber": run_line_fit(cfg, "huber")})
        assert same(staged, run_regression(cfg))
