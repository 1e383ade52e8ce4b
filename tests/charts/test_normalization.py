import json

import numpy as np
import pytest

from core.charts.normalization import loss_curves_figure, pixels_figure, surface_figure
from core.normalization import (
    FeaturesConfig, PixelsConfig, SurfaceConfig, run_features, run_pixels, run_surface,
)

TEXT = {k: k.upper() for k in ("title", "x", "y", "target", "diverged", "path", "optimum",
                               "accuracy", "loss")}
NAMES = {k: k for k in ("raw", "standard", "minmax", "divide")}


def test_loss_curves_are_log_and_mark_divergence():
    fig = loss_curves_figure(run_features(FeaturesConfig()), 0.05, TEXT, NAMES)
    assert fig.layout.yaxis.type == "log"
    assert any("DIVERGED" in t.name for t in fig.data)
    for trace in fig.data:
        y = np.asarray(trace.y, dtype=float)
        assert not np.any(y[np.isfinite(y)] > 1e8)
    json.dumps(fig.to_plotly_json(), default=str)


def test_surface_has_two_panels_and_stays_in_window():
    fig = surface_figure(run_surface(SurfaceConfig(lr_fraction=1.2, steps=50)), TEXT, NAMES)
    assert sum(t.type == "contour" for t in fig.data) == 2
    assert any("DIVERGED" in (a.text or "") for a in fig.layout.annotations)


def test_pixels_figure():
    fig = pixels_figure(run_pixels(PixelsConfig(epochs=2)), TEXT, NAMES)
    assert fig.layout.yaxis2.type == "log" and len(fig.data) == 6


def test_surface_axes_share_one_scale():
    """Geometry is the lesson: one unit of w₁ is drawn as long as one unit of w₂, and the
    window is square in weight units, so a condition number of 886 looks elongated."""
    surfaces = run_surface(SurfaceConfig(scale2=30.0))
    fig = surface_figure(surfaces, TEXT, NAMES)
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis2.scaleanchor == "x2"
    assert fig.layout.yaxis.scaleratio == 1 and fig.layout.yaxis2.scaleratio == 1
    for surf in surfaces.values():
        assert surf.w1[-1] - surf.w1[0] == pytest.approx(surf.w2[-1] - surf.w2[0])
