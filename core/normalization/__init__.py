"""Input normalization: raw vs standardized (z-score) vs min-max features.

Three experiments, each a frozen Config and a ``run_*`` returning plain numbers:
  1. ``run_features``: a linear regression whose two features live on very different scales,
     trained by ``core.training.train`` with each scaling; plus a learning-rate sweep.
  2. ``run_surface``: the loss surface over the two weights and the gradient-descent path on it.
  3. ``run_pixels``: the same MLP on the real 8x8 digits with pixels 0..16, /16 or standardized.
Sections 1 and 2 share their data and live in ``features``, section 3 in ``pixels``;
everything public is importable from ``core.normalization``.
"""

from core.normalization.features import (
    FIT_LOOP_CODE, FeaturesConfig, NARROW_RATIO, REACHED, SCALINGS, SURFACE_LOOP_CODE, SWEEP_LRS,
    ScalingRun, Surface, SurfaceConfig, SweepConfig, SweepRun, condition_number,
    features_claims, features_code, larger_stable_lr, linear_spec, make_two_scale_data,
    run_features, run_lr_sweep, run_surface, scale_features, surface_claims, surface_code,
)
from core.normalization.pixels import (
    DIGIT_CLASSES, NEAR_CHANCE_PP, PIXELS_LOOP_CODE, PIXEL_SCALINGS, PixelRun, PixelsConfig,
    SAME_PP, pixel_spec, pixels_claims, pixels_code, run_pixels, scale_pixels,
)

__all__ = [
    "FIT_LOOP_CODE", "FeaturesConfig", "NARROW_RATIO", "REACHED", "SCALINGS", "SURFACE_LOOP_CODE",
    "SWEEP_LRS", "ScalingRun", "Surface", "SurfaceConfig", "SweepConfig", "SweepRun",
    "condition_number", "features_claims", "features_code", "larger_stable_lr", "linear_spec",
    "make_two_scale_data", "run_features", "run_lr_sweep", "run_surface", "scale_features",
    "surface_claims", "surface_code", "DIGIT_CLASSES", "NEAR_CHANCE_PP", "PIXELS_LOOP_CODE",
    "PIXEL_SCALINGS", "PixelRun", "PixelsConfig", "SAME_PP", "pixel_spec", "pixels_claims",
    "pixels_code", "run_pixels", "scale_pixels",
]
