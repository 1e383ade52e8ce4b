"""/data-split trains once per width/noise/lr: every patience is derived from that one run and
must equal a run with the early-stopping rule watching it live (written out here)."""

import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn

from core.data_split import (
    EarlyStopConfig, early_stop_data, early_stop_result, early_stop_spec,
    early_stop_training_config, run_early_stop, run_early_stop_training,
)
from core.models import build_mlp
from core.training import make_loader, make_optimizer, train


def live_rule(cfg: EarlyStopConfig) -> dict:
    """The rule inside the training loop: best weights kept until patience runs out."""
    (x_tr, y_tr), (x_val, y_val), (x_te, y_te) = early_stop_data(cfg)
    model = build_mlp(early_stop_spec(cfg), seed=cfg.seed)
    loss_fn = nn.CrossEntropyLoss()
    w = {"epoch": -1, "best_loss": math.inf, "best_epoch": 0, "state": None, "stop": None}

    def evaluate(m):
        w["epoch"] += 1
        val_loss = float(loss_fn(m(x_val), y_val))
        if w["stop"] is None:
            if val_loss < w["best_loss"]:
                w.update(best_loss=val_loss, best_epoch=w["epoch"],
                         state={k: v.detach().clone() for k, v in m.state_dict().items()})
            elif w["epoch"] - w["best_epoch"] >= cfg.patience:
                w["stop"] = w["epoch"]
        return {"val_loss": val_loss}

    steps = math.ceil(len(y_tr) / cfg.batch_size)
    train(model, loss_fn, make_optimizer("adam", model.parameters(), lr=cfg.lr),
          make_loader(x_tr, y_tr, cfg.batch_size, shuffle=True, seed=cfg.seed),
          epochs=cfg.epochs, evaluate=evaluate, eval_every=steps, seed=cfg.seed)
    if w["state"] is not None:
        model.load_state_dict(w["state"])
    with torch.no_grad():
        acc = float((model(x_te).argmax(1) == y_te).float().mean())
    return {"best": w["best_epoch"], "stop": w["stop"], "acc": acc,
            "state": {k: v.numpy() for k, v in model.state_dict().items()}}


@pytest.mark.parametrize("base", [dict(width=32, epochs=14, label_noise=0.3),
                                  dict(width=64, epochs=10, lr=0.03)])
def test_every_patience_from_one_training_equals_the_live_rule(base):
    run = run_early_stop_training(early_stop_training_config(EarlyStopConfig(**base)))
    for patience in range(1, 16):
        cfg = EarlyStopConfig(patience=patience, **base)
        got, want = early_stop_result(run, patience), live_rule(cfg)
        assert got.best_epoch == want["best"]
        assert got.stopped == (want["stop"] is not None)
        if got.stopped:
            assert got.stop_epoch == want["stop"]
        assert got.restored_test_acc == want["acc"]
        for name, value in want["state"].items():
            np.testing.assert_array_equal(got.best_state[name], value)


def test_training_stage_ignores_patience():
    cfg = EarlyStopConfig(width=32, epochs=5)
    assert early_stop_training_config(cfg) == early_stop_training_config(replace(cfg, patience=9))
    a, b = run_early_stop(cfg), run_early_stop(replace(cfg, patience=9))
    np.testing.assert_array_equal(a.val_loss, b.val_loss)
