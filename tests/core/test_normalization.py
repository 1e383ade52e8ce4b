import numpy as np
import pytest
import torch

from core.normalization import (
    FeaturesConfig, PixelsConfig, SurfaceConfig, SweepConfig, condition_number, features_code,
    make_two_scale_data, pixels_code, run_features, run_lr_sweep, run_pixels, run_surface,
    scale_features, surface_code,
)
from tests.snippets import run_snippet


def test_scalings_match_numpy_references():
    x, _ = make_two_scale_data(100, 1000.0, 0.1, 0)
    xn = x.numpy()
    np.testing.assert_allclose(scale_features(x, "standard").numpy(),
                               (xn - xn.mean(0)) / xn.std(0, ddof=1), rtol=1e-4, atol=1e-5)
    mm = scale_features(x, "minmax").numpy()
    assert mm.min() == 0 and np.isclose(mm.max(), 1)


def test_condition_number_drops_with_standardization():
    x, _ = make_two_scale_data(200, 1000.0, 0.1, 0)
    raw, std = condition_number(x), condition_number(scale_features(x, "standard"))
    reference = np.linalg.cond(x.double().numpy().T @ x.double().numpy())
    assert np.isclose(raw, reference, rtol=1e-6)
    assert raw > 1e5 and std < 2


def test_standardized_converges_in_fewer_steps_at_each_ones_best_lr():
    sweep = run_lr_sweep(SweepConfig(scale2=10.0, steps=3000))
    assert sweep["raw"].best_steps is not None
    assert sweep["standard"].best_steps < sweep["raw"].best_steps
    assert sweep["standard"].max_stable_lr > 100 * run_lr_sweep(SweepConfig())["raw"].max_stable_lr


def test_same_lr_diverges_raw_but_not_standardized():
    runs = run_features(FeaturesConfig())
    assert runs["raw"].diverged and not runs["standard"].diverged
    assert runs["standard"].steps_to_target is not None


def test_surface_is_round_when_standardized_and_gd_finds_the_minimum():
    s = run_surface(SurfaceConfig(steps=100))
    assert s["raw"].condition > 50 and s["standard"].condition < 2
    np.testing.assert_allclose(s["standard"].path[-1], s["standard"].optimum, atol=1e-3)
    assert np.abs(s["raw"].path[-1] - s["raw"].optimum).max() > 0.1  # still crawling
    assert run_surface(SurfaceConfig(lr_fraction=1.2, steps=100))["raw"].diverged


def test_pixel_scaling_helps_digits():
    runs = run_pixels(PixelsConfig())
    assert runs["divide"].val_accuracy[-1] > runs["raw"].val_accuracy[-1]
    assert runs["standard"].val_accuracy[-1] > 0.9


def test_features_code_panel_reproduces_core():
    cfg = FeaturesConfig(scale2=100.0, lr=0.01, steps=50)
    _, out = run_snippet(features_code(cfg))
    runs, sweep = run_features(cfg), run_lr_sweep(cfg.sweep())
    for name in ("raw", "standard", "minmax"):
        line = next(line for line in out.splitlines() if line.strip().startswith(name + ":"))
        assert f"steps to {cfg.target}: {runs[name].steps_to_target}," in line
        assert f"largest stable lr {sweep[name].max_stable_lr}," in line
        assert f"final loss {runs[name].loss[-1]:.4g}" in line


def test_surface_code_panel_reproduces_core():
    cfg = SurfaceConfig(steps=20)
    scope, _ = run_snippet(surface_code(cfg))
    # the last loop iteration is "standard"
    np.testing.assert_allclose(torch.stack(scope["path"]).numpy(),
                               run_surface(cfg)["standard"].path, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("lr", [None, 1.0])
def test_pixels_code_panel_reproduces_core(lr):
    cfg = PixelsConfig(epochs=2) if lr is None else PixelsConfig(epochs=2, lr=lr)
    _, out = run_snippet(pixels_code(cfg))
    for name, run in run_pixels(cfg).items():
        if run.diverged:
            assert f"{name:>8}: diverged at step {run.diverged_at}" in out
        else:
            assert f"{name:>8}: validation accuracy {run.val_accuracy[-1]:.4f}" in out
