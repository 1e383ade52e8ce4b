import re

import numpy as np
import pytest
import torch

from core.data_split import (
    EarlyStopConfig, SplitConfig, TuningConfig, early_stop_code, early_stop_data,
    early_stop_spec, resolve_fractions, run_early_stop, run_split, run_tuning, split_code,
    tuning_code,
)
from core.models import build_mlp
from core.training import make_loader, make_optimizer, train
from tests.snippets import run_snippet


def test_resolve_fractions():
    assert resolve_fractions(60, 20, 20) == pytest.approx((0.6, 0.2, 0.2))
    assert sum(resolve_fractions(70, 30, 30)) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        resolve_fractions(0, 50, 50)


@pytest.mark.parametrize("fractions", [(0.6, 0.2, 0.2), (0.8, 0.1, 0.1), (0.5, 0.0, 0.5)])
def test_split_sizes_disjoint_and_stratified_within_one_sample(fractions):
    cfg = SplitConfig(fractions=fractions, n=160, imbalance=0.1)
    result = run_split(cfg)
    for method in ("random", "stratified"):
        parts = result.indices[method]
        everything = np.concatenate(parts)
        assert len(everything) == cfg.n and len(np.unique(everything)) == cfg.n  # disjoint, cover
    # random: sizes are round(f * n), the last part the remainder
    sizes = [len(p) for p in result.indices["random"]]
    assert sizes[:2] == [round(f * cfg.n) for f in fractions[:2]]
    # stratified: every class in every part within one sample of fraction * class size
    expected = np.outer(fractions, result.class_sizes)
    assert np.abs(result.counts["stratified"] - expected).max() <= 1.0
    assert result.max_error["stratified"] <= 1.0


def test_random_split_is_worse_on_average_on_imbalanced_data():
    errors = {"random": [], "stratified": []}
    for seed in range(10):
        r = run_split(SplitConfig(n=100, imbalance=0.05, seed=seed))
        for m in errors:
            errors[m].append(r.max_share_gap[m])
    assert np.mean(errors["random"]) > 2 * np.mean(errors["stratified"])


def test_split_code_reproduces_core():
    cfg = SplitConfig(fractions=(0.7, 0.15, 0.15), n=120, imbalance=0.2, seed=3)
    scope, _ = run_snippet(split_code(cfg))
    result = run_split(cfg)
    for method in ("random", "stratified"):
        np.testing.assert_array_equal(np.array(scope["counts"][method]), result.counts[method])


def test_early_stopped_weights_are_the_best_validation_epochs():
    cfg = EarlyStopConfig(width=64, epochs=25, label_noise=0.3, patience=4)
    result = run_early_stop(cfg)
    assert not result.diverged
    # best epoch is the argmin of validation loss up to the stop
    assert result.best_epoch == int(np.argmin(result.val_loss[:result.stop_epoch + 1]))
    assert result.stop_epoch - result.best_epoch in (cfg.patience, 0) or \
        result.stop_epoch == cfg.epochs
    # independent reference: train again for exactly best_epoch epochs from the same seed
    (x_tr, y_tr), _, _ = early_stop_data(cfg)
    model = build_mlp(early_stop_spec(cfg), seed=cfg.seed)
    train(model, torch.nn.CrossEntropyLoss(), make_optimizer("adam", model.parameters(), cfg.lr),
          make_loader(x_tr, y_tr, cfg.batch_size, shuffle=True, seed=cfg.seed),
          epochs=result.best_epoch, seed=cfg.seed)
    for name, value in model.state_dict().items():
        np.testing.assert_allclose(result.best_state[name], value.numpy(), rtol=0, atol=1e-6)


def test_overfitting_shows_in_validation_loss():
    result = run_early_stop(EarlyStopConfig(label_noise=0.4, width=256, epochs=40))
    assert result.val_loss[-1] > result.val_loss[result.best_epoch] * 1.2
    assert result.train_loss[-1] < result.train_loss[result.best_epoch]
    assert result.restored_test_acc >= result.final_test_acc


def test_early_stop_code_reproduces_core():
    cfg = EarlyStopConfig(width=32, epochs=6, patience=2)
    _, out = run_snippet(early_stop_code(cfg))
    result = run_early_stop(cfg)
    printed = [float(v) for v in re.findall(r"val loss (\d+\.\d+)", out)]
    np.testing.assert_allclose(printed, result.val_loss, atol=1e-4)
    assert f"test acc {result.restored_test_acc:.3f}" in out
    assert f"after all {cfg.epochs} epochs: {result.final_test_acc:.3f}" in out
    assert f"best validation epoch {result.best_epoch}" in out
    assert (f"stopped at epoch {result.stop_epoch}," in out) == result.stopped


def test_choosing_on_test_overestimates_compared_with_fresh_data():
    gaps_test, gaps_val = [], []
    for seed in range(3):
        r = run_tuning(TuningConfig(n_configs=20, holdout_size=60, seed=seed))
        # independent reference for the selection: recompute from the per-repeat accuracies
        rows = np.arange(r.test_acc.shape[0])
        best = np.argmax(r.test_acc, axis=1)
        np.testing.assert_allclose(r.gap["test"], r.test_acc[rows, best] - r.fresh_acc[rows, best])
        gaps_test.append(r.gap["test"].mean())
        gaps_val.append(r.gap["val"].mean())
    assert np.mean(gaps_test) > 0.01  # at least one accuracy point of optimism
    assert np.mean(gaps_test) > np.mean(gaps_val) + 0.01
    assert abs(np.mean(gaps_val)) < 0.01  # choosing on validation leaves the test score honest


def test_tuning_code_reproduces_core():
    cfg = TuningConfig(n_configs=4, holdout_size=80, repeats=30)
    _, out = run_snippet(tuning_code(cfg))
    result = run_tuning(cfg)
    for rule in ("test", "val"):
        line = next(x for x in out.splitlines() if f"chosen by {rule:>4}" in x)
        reported, fresh = (float(v) for v in re.findall(r"acc (\d\.\d+)", line))
        assert reported == pytest.approx(result.reported[rule], abs=1e-4)
        assert fresh == pytest.approx(result.fresh[rule], abs=1e-4)
