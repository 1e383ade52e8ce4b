"""Dropout claims of the notes, checked on core.dropout results and the code panels."""

import math

import numpy as np
import pytest
import torch

from core.dropout import (
    MasksConfig, OverfitConfig, masks_code, masks_spec, overfit_code, run_masks, run_overfit,
)
from core.models import build_mlp
from core.seeding import global_rng
from tests.snippets import run_snippet as exec_code


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_eval_mode_dropout_is_identity_and_deterministic(p):
    cfg = MasksConfig(p=p, passes=50)
    result = run_masks(cfg)
    assert np.all(result.eval_outputs == result.eval_output)
    model = build_mlp(masks_spec(cfg), seed=0).eval()
    h = torch.randn(7, cfg.width, generator=torch.Generator().manual_seed(1))
    assert torch.equal(model.drop1(h), h)


def test_train_outputs_vary_and_average_to_eval_output():
    result = run_masks(MasksConfig(p=0.5, passes=500))
    assert result.train_outputs.std() > 0.05
    assert len(np.unique(result.train_outputs)) > 50
    sem = result.train_outputs.std() / math.sqrt(len(result.train_outputs))
    assert abs(result.train_outputs.mean() - result.eval_output) < 4 * sem


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_kept_units_are_scaled_by_one_over_one_minus_p(p):
    result = run_masks(MasksConfig(p=p, passes=400))
    assert result.kept_scale == pytest.approx(1 / (1 - p), rel=1e-5)
    n = result.masks.size
    assert abs(result.kept_fraction - (1 - p)) < 4 * math.sqrt(p * (1 - p) / n)
    # Expected activation: scaled masks keep it at h, unscaled ones shrink it to (1-p)·h.
    assert np.mean(result.mean_dropped / result.hidden) == pytest.approx(1.0, abs=0.1)
    assert np.mean(result.mean_unscaled / result.hidden) == pytest.approx(1 - p, abs=0.1)


def test_masks_are_reproducible_and_isolated_from_global_draws():
    first = run_masks(MasksConfig(passes=30))
    with global_rng(123):
        torch.rand(1000)  # somebody else's draws must not change our masks
    second = run_masks(MasksConfig(passes=30))
    assert np.array_equal(first.masks, second.masks)


def test_masks_code_reproduces_core():
    cfg = MasksConfig(p=0.3, passes=40, width=8, seed=2)
    result = run_masks(cfg)
    ns, printed = exec_code(masks_code(cfg))
    assert np.allclose(ns["train_out"], result.train_outputs, atol=1e-6)
    assert np.array_equal(ns["kept"].float().numpy(), result.masks)
    assert np.allclose(ns["eval_out"], result.eval_outputs, atol=1e-6)
    assert "all equal? True" in printed


def test_dropout_narrows_the_overfitting_gap():
    plain = run_overfit(OverfitConfig(p=0.0))
    dropped = run_overfit(OverfitConfig(p=0.5))
    assert plain.train_acc[-1] == 1.0  # the big net memorises 30 points
    gap = lambda r: r.val_loss[-1] - r.train_loss[-1]  # noqa: E731
    assert gap(dropped) < gap(plain)


@pytest.mark.parametrize("steps, eval_every", [(40, 10), (37, 10)])
def test_overfit_code_reproduces_core(steps, eval_every):
    cfg = OverfitConfig(p=0.4, steps=steps, width=32, eval_every=eval_every)
    result = run_overfit(cfg)
    _, printed = exec_code(overfit_code(cfg))
    lines = printed.strip().splitlines()
    assert len(lines) == len(result.val_loss)  # measured at the same steps
    for line, val, train in zip(lines, result.val_loss, result.train_loss):
        assert f"val loss {val:.4f}" in line and f"train loss {train:.4f}" in line
