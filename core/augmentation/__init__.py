"""Data augmentation on the real 8x8 digits: random rotation, translation and scaling.

Two sections, one module each:
  1. ``gallery``: the transforms (parameters drawn from a private ``torch.Generator``, applied
     with ``torchvision.transforms.v2.functional.affine``, batched bit for bit) and
     ``run_gallery``: one digit and a grid of augmented versions of it.
  2. ``training``: ``run_training``, a small MLP on a small subset, with vs without
     augmentation; train and validation curves, plus accuracy on rotated / shifted validation
     sets (robustness).
Everything public is importable from ``core.augmentation``.
"""

from core.augmentation.gallery import (
    SIZE, TEST_ANGLES, TEST_SHIFTS, AugmentSpec, GalleryConfig, GalleryResult, affine, affine_each,
    augment, augment_code, draw_params, gallery_claims, gallery_code, inverse_affine_matrices,
    run_gallery, sample_params,
)
from core.augmentation.training import (
    _TRAINING_RUNS,  # noqa: F401  (the kept runs: tests and benchmarks clear them)
    IDENTITY,
    SAME_PP,
    UNDERFIT_PP,
    AugmentedBatches,
    TrainingConfig,
    TrainingRun,
    image_accuracy,
    robust_claims,
    run_training,
    run_training_run,
    run_training_run_fresh,
    training_claims,
    training_code,
    training_spec,
    training_stages,
)

__all__ = [
    "SIZE", "TEST_ANGLES", "TEST_SHIFTS", "AugmentSpec", "GalleryConfig", "GalleryResult",
    "affine", "affine_each", "augment", "augment_code", "draw_params", "gallery_claims",
    "gallery_code", "inverse_affine_matrices", "run_gallery", "sample_params", "IDENTITY",
    "SAME_PP", "UNDERFIT_PP", "AugmentedBatches", "TrainingConfig", "TrainingRun",
    "image_accuracy", "robust_claims", "run_training", "run_training_run",
    "run_training_run_fresh", "training_claims", "training_code", "training_spec",
    "training_stages",
]
