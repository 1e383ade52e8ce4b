import numpy as np
import torch
from torchvision.transforms import v2

from core.augmentation import (
    AugmentSpec, GalleryConfig, TrainingConfig, affine, gallery_code, run_gallery, run_training,
    training_code,
)
from core.data import load_digits
from core.seeding import global_rng
from tests.snippets import run_snippet


def test_zero_augmentation_is_the_identity():
    g = run_gallery(GalleryConfig(spec=AugmentSpec(0.0, 0.0, 0.0)))
    for image in g.augmented:
        np.testing.assert_array_equal(image, g.original)


def test_affine_matches_torchvision_random_affine_with_fixed_params():
    image = load_digits().images[5] / 16
    with global_rng(0):  # RandomAffine draws (degenerate) params from the global RNG
        ref = v2.RandomAffine(degrees=(25, 25), translate=None, scale=(1.2, 1.2),
                              interpolation=v2.InterpolationMode.BILINEAR)(image)
    # identical inside; RandomAffine's border fill can differ on the outermost ring
    torch.testing.assert_close(affine(image, 25, 0, 0, 1.2)[..., 1:-1, 1:-1], ref[..., 1:-1, 1:-1])
    shifted = affine(image, 0, 2, 0, 1)  # a whole-pixel shift moves columns right
    torch.testing.assert_close(shifted[..., 2:], image[..., :-2])


def test_gallery_is_deterministic_and_changes_pixels():
    a, b = run_gallery(GalleryConfig(seed=3)), run_gallery(GalleryConfig(seed=3))
    np.testing.assert_array_equal(a.augmented, b.augmented)
    assert np.abs(a.augmented - a.original).mean() > 0.01


def test_augmentation_narrows_the_gap_and_adds_robustness():
    runs = run_training(TrainingConfig())
    plain, aug = runs["plain"], runs["augmented"]
    gap = {k: r.val_loss[-1] - r.train_loss[-1] for k, r in runs.items()}
    assert plain.train_accuracy[-1] == 1.0  # memorised its 100 digits
    assert gap["augmented"] < gap["plain"]
    acc_gap = {k: r.train_accuracy[-1] - r.val_accuracy[-1] for k, r in runs.items()}
    assert acc_gap["augmented"] < acc_gap["plain"]
    assert aug.rotated_accuracy[[0, 1, 2, -3, -2, -1]].mean() > \
        plain.rotated_accuracy[[0, 1, 2, -3, -2, -1]].mean()


def test_gallery_code_panel_reproduces_core():
    cfg = GalleryConfig(digit=7, spec=AugmentSpec(30.0, 0.2, 0.2), count=6, seed=2)
    scope, _ = run_snippet(gallery_code(cfg))
    np.testing.assert_allclose(scope["augmented"][:, 0].numpy(), run_gallery(cfg).augmented)


def test_training_code_panel_reproduces_core():
    cfg = TrainingConfig(epochs=5)
    _, out = run_snippet(training_code(cfg))
    for name, run in run_training(cfg).items():
        assert f"val acc {run.val_accuracy[-1]:.4f}" in out, name
        assert f"train acc {run.train_accuracy[-1]:.4f}" in out, name
        assert f"rotated {[round(float(r), 4) for r in run.rotated_accuracy]}" in out, name
