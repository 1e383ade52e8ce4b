"""Batch-norm claims: batch vs running statistics, the momentum recurrence, the pitfalls."""

import numpy as np
import pytest

from core.batchnorm import (
    BNTrainConfig, PitfallsConfig, RunningStatsConfig, bn_training_code, pitfalls_code,
    run_bn_training, run_pitfalls, run_running_stats, running_stats_code,
)
from tests.snippets import run_snippet


def run_code(code: str) -> str:
    return run_snippet(code)[1]


@pytest.mark.parametrize("momentum", [0.01, 0.1, 0.5, 1.0])
def test_running_mean_follows_the_momentum_recurrence(momentum):
    r = run_running_stats(RunningStatsConfig(momentum=momentum, steps=40))
    expected = (1 - momentum) * r.running_mean[:-1] + momentum * r.batch_mean
    assert np.allclose(r.running_mean[1:], expected, atol=1e-5)


def test_eval_uses_running_statistics_and_train_uses_the_batch():
    r = run_running_stats(RunningStatsConfig())
    manual = (r.probe - r.running_mean[-1, 0]) / np.sqrt(r.running_var[-1, 0] + 1e-5)
    assert r.probe_eval == pytest.approx([manual, manual], rel=1e-5)
    assert abs(r.probe_train[0] - r.probe_train[1]) > 0.1  # depends on the batchmates


def test_theory_and_measured_convergence_agree():
    r = run_running_stats(RunningStatsConfig(momentum=0.1, steps=100))
    assert r.theory_steps_to_95 == 29
    assert abs(r.steps_to_95 - r.theory_steps_to_95) < 10


def test_batchnorm_normalizes_and_survives_a_high_learning_rate():
    r = run_bn_training(BNTrainConfig(lr=0.5, steps=40))
    assert np.allclose(r.runs["bn"].pre_std[0], 1.0, atol=0.02)  # BN output: std 1 per batch
    assert np.allclose(r.runs["bn"].pre_mean[0], 0.0, atol=1e-5)
    assert r.runs["plain"].diverged and not r.runs["bn"].diverged


def test_pitfalls():
    r = run_pitfalls(PitfallsConfig(steps=100))
    assert "Expected more than 1 value per channel" in r.batch_of_one_error
    assert r.pair_abs_outputs.max() == pytest.approx(1.0, abs=1e-3)
    assert np.median(r.pair_abs_outputs) > 0.99
    assert r.train_mode_one_class < r.eval_accuracy - 0.3
    assert r.train_mode_by_batch[0] < r.train_mode_by_batch[-1]


def test_code_panels_reproduce_core():
    cfg = RunningStatsConfig(momentum=0.3, steps=20)
    r = run_running_stats(cfg)
    printed = run_code(running_stats_code(cfg))
    assert f"{[round(v, 4) for v in r.probe_eval.tolist()]}" in printed
    assert f"{[round(v, 4) for v in r.probe_train.tolist()]}" in printed

    pcfg = PitfallsConfig(steps=60)
    p = run_pitfalls(pcfg)
    printed = run_code(pitfalls_code(pcfg))
    assert f"eval mode, whole test set     : {p.eval_accuracy}" in printed
    assert f"train mode, one class a batch : {p.train_mode_one_class}" in printed

    bcfg = BNTrainConfig(lr=0.5, steps=30)
    b = run_bn_training(bcfg)
    lines = run_code(bn_training_code(bcfg)).strip().splitlines()
    assert f"diverged at step {b.runs['plain'].diverged_at}" in lines[0]
    assert f"test accuracy {b.runs['bn'].test_accuracy:.4f}" in lines[1]
