import numpy as np

from core.charts.dropout import expectation_figure, masks_figure, outputs_figure, overfit_figure
from core.dropout import MasksConfig, OverfitConfig, run_masks, run_overfit

TEXT = {k: k for k in ("title", "x", "y", "kept", "dropped", "train", "eval", "mean", "scaled",
                       "unscaled", "val", "with", "without", "diverged")}


def test_mask_and_output_figures():
    r = run_masks(MasksConfig(passes=40))
    fig = masks_figure(r, TEXT)
    assert fig.layout.title.text == "title" and np.asarray(fig.data[0].z).shape == (30, 16)
    assert len(outputs_figure(r, TEXT).data) == 3
    assert len(expectation_figure(r, TEXT).data) == 3


def test_overfit_figure_has_four_finite_curves():
    r = run_overfit(OverfitConfig(steps=20, width=16))
    fig = overfit_figure(r, run_overfit(OverfitConfig(steps=20, width=16, p=0.0)), TEXT)
    assert len(fig.data) == 4 and fig.layout.yaxis.type == "log"
    assert all(np.isfinite(np.asarray(tr.y, dtype=float)).all() for tr in fig.data)


def test_overfit_figure_draws_the_same_run_once():
    from core.charts.dropout import overfit_figure
    from core.dropout import OverfitConfig, run_overfit

    r = run_overfit(OverfitConfig(p=0.0, steps=20))
    text = {k: k for k in ("title", "x", "y", "train", "val", "with", "without", "diverged")}
    assert len(overfit_figure(r, r, text).data) == 2  # train and validation, once
