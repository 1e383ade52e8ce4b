"""The cheaper paths of /augmentation give exactly the numbers of the plain ones."""

import numpy as np
import torch

from torchvision.transforms.v2.functional._geometry import _get_inverse_affine_matrix

from core.augmentation import (
    AugmentSpec, AugmentedBatches, TrainingConfig, affine, affine_each, augment, draw_params,
    inverse_affine_matrices, run_training, run_training_run, sample_params, training_stages,
)
from core.data import load_digits


def test_inverse_matrices_are_torchvisions_bit_for_bit():
    """All matrices at once equal torchvision's one call per image in every bit (signed
    zeros included), over random draws and the sliders' extremes: no rotation (and -0.0,
    which an unrotated spec draws), the largest rotation both ways, negative, zero and
    largest shifts, zoom at both limits."""
    g = torch.Generator().manual_seed(7)
    random = [sample_params(200, *ranges, g) for ranges in
              ((45.0, 0.3, 0.3), (10.0, 0.05, 0.05), (0.0, 0.0, 0.0), (0.0, 0.3, 0.0),
               (45.0, 0.0, 0.3))]
    extremes = torch.tensor([[angle, dx, dy, zoom]
                             for angle in (0.0, -0.0, 45.0, -45.0, 1e-7, 90.0, -180.0)
                             for dx in (0.0, -0.0, -2.4, 2.4, -1.0)
                             for dy in (0.0, -2.4, 2.4)
                             for zoom in (0.7, 1.0, 1.3)], dtype=torch.float32)
    params = torch.cat([*random, extremes])
    expected = np.array([_get_inverse_affine_matrix([0.0, 0.0], a, [dx, dy], z, [0.0, 0.0])
                         for a, dx, dy, z in params.tolist()])
    got = inverse_affine_matrices(params)
    assert got.dtype == np.float64 and got.shape == expected.shape
    assert np.array_equal(got.view(np.int64), expected.view(np.int64))
    assert torch.equal(torch.from_numpy(got).float(), torch.tensor(expected, dtype=torch.float32))


def test_batched_affine_is_bit_identical_to_one_call_per_image():
    x = load_digits().images / 16
    g = torch.Generator().manual_seed(5)
    for n, spec in ((1, AugmentSpec()), (20, AugmentSpec(45.0, 0.3, 0.3)),
                    (100, AugmentSpec(30.0, 0.2, 0.0)), (15, AugmentSpec(0.0, 0.0, 0.3))):
        images = x[torch.randint(0, len(x), (n,), generator=g)]
        params = sample_params(n, spec.rotation, spec.translate, spec.scale, g)
        one_by_one = torch.stack([affine(img, *p.tolist()) for img, p in zip(images, params)])
        assert torch.equal(affine_each(images, params), one_by_one)


def test_draw_params_is_sample_params_bit_for_bit():
    """Every bit (signed zeros of an unrotated spec's angles included) and the generator's
    state after, for the sliders' values and ranges no slider gives."""
    rng = np.random.default_rng(0)
    specs = [AugmentSpec(r, t, s) for r in (0.0, 1.0, 10.0, 45.0) for t in (0.0, 0.05, 0.15, 0.3)
             for s in (0.0, 0.05, 0.3)]
    specs += [AugmentSpec(*ranges) for ranges in rng.uniform(0, [90, 1, 1], (100, 3)).tolist()]
    for seed, spec in enumerate(specs):
        g1, g2 = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
        expected = sample_params(50, spec.rotation, spec.translate, spec.scale, g1)
        got = draw_params(50, spec, g2)
        assert torch.equal(got.view(torch.int32), expected.view(torch.int32)), spec
        assert torch.equal(g1.get_state(), g2.get_state())


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
