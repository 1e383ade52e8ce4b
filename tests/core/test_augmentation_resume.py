"""/augmentation keeps each training run by its config without the epochs: the Epochs slider
moved up continues it, moved down cuts it. Every field must equal a run from scratch with
core.training.train (run_training_run_fresh, the code the page used before)."""

import dataclasses

import numpy as np
import pytest

from core import augmentation as A
from core.augmentation import AugmentSpec, TrainingConfig, run_training_run, run_training_run_fresh


def assert_same(a, b, where) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y, equal_nan=True), (where, f.name)
        else:
            assert x == y, (where, f.name)


@pytest.mark.parametrize("spec", [AugmentSpec(), AugmentSpec(0.0, 0.0, 0.0),
                                  AugmentSpec(30.0, 0.2, 0.2)])
def test_epoch_moves_give_the_numbers_of_fresh_runs(spec):
    A._TRAINING_RUNS.clear()
    fresh = {e: run_training_run_fresh(TrainingConfig(spec=spec, epochs=e)) for e in (10, 20, 30)}
    for epochs in (20, 30, 10, 20):  # up from nothing, up (continued), down (cut), up (cut)
        seen: list[float] = []
        got = run_training_run(TrainingConfig(spec=spec, epochs=epochs), _on_progress=seen.append)
        assert seen[-1] == 1.0
        assert_same(got, fresh[epochs], (spec, epochs))


def test_a_diverging_run_kept_gives_the_fresh_numbers():
    A._TRAINING_RUNS.clear()
    cfg = TrainingConfig(lr=1000.0, epochs=20)
    fresh = run_training_run_fresh(cfg)
    assert fresh.diverged
    run_training_run(TrainingConfig(lr=1000.0, epochs=10))
    assert_same(run_training_run(cfg), fresh, "diverged")


def test_the_kept_weights_are_the_ones_the_robustness_curves_need():
    """Cut from a longer run, the robustness accuracies come from the weights after the
    asked epoch, not the kept run's last ones (they differ between 10 and 40 epochs)."""
    A._TRAINING_RUNS.clear()
    spec = AugmentSpec(20.0, 0.1, 0.1)
    long = run_training_run(TrainingConfig(spec=spec, epochs=40))
    short = run_training_run(TrainingConfig(spec=spec, epochs=10))
    assert not np.array_equal(long.rotated_accuracy, short.rotated_accuracy)
    assert_same(short, run_training_run_fresh(TrainingConfig(spec=spec, epochs=10)), "cut")
