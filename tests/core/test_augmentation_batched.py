"""The cheaper paths of /augmentation give exactly the numbers of the plain ones."""

import numpy as np
import torch

from core.augmentation import (
    AugmentSpec, AugmentedBatches, TrainingConfig, affine, affine_each, augment, run_training,
    run_training_run, sample_params, training_stages,
)
from core.data import load_digits


def test_batched_affine_is_bit_identical_to_one_call_per_image():
    x = load_digits().images / 16
    g = torch.Generator().manual_seed(5)
    for n, spec in ((1, AugmentSpec()), (20, AugmentSpec(45.0, 0.3, 0.3)),
                    (100, AugmentSpec(30.0, 0.2, 0.0)), (15, AugmentSpec(0.0, 0.0, 0.3))):
        images = x[torch.randint(0, len(x), (n,), generator=g)]
        params = sample_params(n, spec.rotation, spec.translate, spec.scale, g)
        one_by_one = torch.stack([affine(img, *p.tolist()) for img, p in zip(images, params)])
        assert torch.equal(affine_each(images, params), one_by_one)


def test_augment_draws_as_before():
    """Same generator state after a batch: later epochs draw the same parameters."""
    x = load_digits().images[:20] / 16
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    spec = AugmentSpec(20.0, 0.1, 0.1)
    got = augment(x, spec, g1)
    params = sample_params(20, spec.rotation, spec.translate, spec.scale, g2)
    assert torch.equal(got, torch.stack([affine(img, *p.tolist()) for img, p in zip(x, params)]))
    assert torch.equal(g1.get_state(), g2.get_state())
    assert len(list(AugmentedBatches(x, torch.zeros(20), 8, spec, 0))) == 3


def _same(a, b) -> None:
    for field in ("eval_epochs", "train_accuracy", "val_accuracy", "train_loss", "val_loss",
                  "rotated_accuracy", "shifted_accuracy"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert (a.diverged, a.diverged_at) == (b.diverged, b.diverged_at)


def test_plain_stage_does_not_depend_on_the_augmentation():
    small = dict(epochs=10)
    plain_a, aug_a = training_stages(TrainingConfig(spec=AugmentSpec(10.0, 0.05, 0.05), **small))
    plain_b, aug_b = training_stages(TrainingConfig(spec=AugmentSpec(30.0, 0.2, 0.0), **small))
    assert plain_a == plain_b and aug_a != aug_b
    ident = TrainingConfig(spec=AugmentSpec(0.0, 0.0, 0.0), **small)
    assert training_stages(ident) == (plain_a, plain_a)
    # the plain run of a non-identity config is the run without augmentation
    runs = run_training(TrainingConfig(spec=AugmentSpec(10.0, 0.05, 0.05), **small))
    _same(runs["plain"], run_training_run(plain_a))
    _same(runs["augmented"], run_training_run(aug_a))
