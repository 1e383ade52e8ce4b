"""/normalization's pixel runs continue kept Trainers when only Epochs moved: every result
must be exactly that of fresh runs of that many epochs (checked against train())."""

import dataclasses

import numpy as np
import pytest
from torch import nn

from core.normalization import pixels as nm
from core.data import load_digits, split_indices
from core.models import build_mlp
from core.training import classifier_metrics, make_loader, make_optimizer, train


def fresh_pixels(cfg: nm.PixelsConfig) -> dict[str, nm.PixelRun]:
    """run_pixels as one uninterrupted train() per scaling (what the page computed before)."""
    digits = load_digits()
    x, y = digits.images.flatten(1), digits.labels
    train_idx, val_idx = split_indices(len(y), (0.7, 0.3), seed=cfg.seed)
    out = {}
    for scaling in nm.PIXEL_SCALINGS:
        xt = nm.scale_pixels(x[train_idx], x[train_idx], scaling)
        xv = nm.scale_pixels(x[val_idx], x[train_idx], scaling)
        model = build_mlp(nm.pixel_spec(cfg), seed=cfg.seed)
        loader = make_loader(xt, y[train_idx], cfg.batch_size, seed=cfg.seed)
        h = train(model, nn.CrossEntropyLoss(), make_optimizer("sgd", model.parameters(), cfg.lr),
                  loader, epochs=cfg.epochs, evaluate=classifier_metrics(val=(xv, y[val_idx])),
                  eval_every=len(loader), seed=cfg.seed)
        out[scaling] = nm.PixelRun(
            val_steps=np.array(h.eval_steps), val_accuracy=np.array(h.eval_metrics["val_acc"]),
            val_loss=np.array(h.eval_metrics["val_loss"]), train_loss=np.array(h.train_loss),
            input_range=(float(xt.min()), float(xt.max())), diverged=h.diverged,
            diverged_at=h.diverged_at)
    return out


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for scaling in a:
        for f in dataclasses.fields(a[scaling]):
            x, y = getattr(a[scaling], f.name), getattr(b[scaling], f.name)
            if isinstance(x, np.ndarray):
                assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), f.name
            else:
                assert x == y, (scaling, f.name)


@pytest.mark.parametrize("lr", [0.1, 1.0])  # 1.0: raw pixels diverge
def test_epoch_moves_give_the_numbers_of_fresh_runs(lr):
    nm._PIXEL_RUNS.clear()
    for epochs in (2, 4, 1, 5, 3):
        cfg = nm.PixelsConfig(lr=lr, epochs=epochs)
        assert_same(nm.run_pixels(cfg), fresh_pixels(cfg))
