"""The home page's live run continues a kept Trainer when only Epochs moved: every result
must be exactly that of one fresh run of that many epochs (checked against train())."""

import dataclasses

import numpy as np
import pytest
from torch import nn

from core import home
from core.home import LoopConfig, loop_data, loop_spec, run_loop
from core.training import history_until
from core.data import split_indices
from core.models import build_mlp
from core.training import classifier_metrics, make_loader, make_optimizer, train


def fresh_run(cfg: LoopConfig) -> home.LoopResult:
    """run_loop as one uninterrupted train() call (what the page computed before)."""
    data = loop_data(cfg)
    train_idx, val_idx = split_indices(len(data.y), (0.75, 0.25), seed=cfg.seed)
    model = build_mlp(loop_spec(cfg), seed=cfg.seed)
    loader = make_loader(data.x[train_idx], data.y[train_idx], cfg.batch_size, seed=cfg.seed)
    history = train(model, nn.CrossEntropyLoss(), make_optimizer("adam", model.parameters(),
                                                                 lr=cfg.lr),
                    loader, epochs=cfg.epochs, eval_every=len(loader), seed=cfg.seed,
                    evaluate=classifier_metrics(val=(data.x[val_idx], data.y[val_idx])))
    return home.LoopResult(
        steps=np.array(history.steps), train_loss=np.array(history.train_loss),
        eval_epochs=np.array(history.eval_steps) / len(loader),
        val_loss=np.array(history.eval_metrics.get("val_loss", [])),
        val_accuracy=np.array(history.eval_metrics.get("val_acc", [])),
        diverged=history.diverged, diverged_at=history.diverged_at,
        n_classes=loop_spec(cfg).out_features)


def assert_same(a: home.LoopResult, b: home.LoopResult) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("base", [
    LoopConfig(),
    LoopConfig(dataset="spiral", hidden=8, lr=0.01),
    LoopConfig(lr=1.0),  # the "too fast" preset: diverges within the first epochs
    LoopConfig(hidden=64, lr=0.3),
])
def test_epoch_moves_give_the_numbers_of_a_fresh_run(base):
    home._LOOP_RUNS.clear()
    progress: list[float] = []
    for epochs in (3, 7, 2, 12, 1, 12, 9):  # up, down, up again, repeated
        cfg = dataclasses.replace(base, epochs=epochs)
        progress.clear()
        assert_same(run_loop(cfg, _on_progress=progress.append), fresh_run(cfg))
        assert all(0 < p <= 1 for p in progress)


def test_history_until_cuts_a_divergence_after_the_cut():
    cfg = LoopConfig(lr=1e4, epochs=3)
    full = fresh_run(cfg)
    assert full.diverged
    home._LOOP_RUNS.clear()
    run_loop(cfg)
    lock, trainer = home._LOOP_RUNS.entry(dataclasses.replace(cfg, epochs=0), None)
    cut = history_until(trainer.history, trainer.history.diverged_at - 1)
    assert not cut.diverged and cut.diverged_at is None
    assert cut.steps == trainer.history.steps[:-1]


def test_a_run_interrupted_mid_way_resumes_to_the_same_numbers():
    """A session's rerun stops its script inside the progress callback: the kept Trainer
    stays mid-run, and the next run of any length still gets one fresh run's numbers."""
    home._LOOP_RUNS.clear()
    cfg = LoopConfig(epochs=6)

    def stop_at_half(fraction: float) -> None:
        if fraction >= 0.5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_loop(cfg, _on_progress=stop_at_half)
    for epochs in (2, 6, 8):
        cfg = dataclasses.replace(cfg, epochs=epochs)
        assert_same(run_loop(cfg), fresh_run(cfg))
