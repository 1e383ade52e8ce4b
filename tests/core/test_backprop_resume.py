"""/backprop's zero_grad runs continue kept Trainers when only Steps moved: every result
must be exactly that of one fresh run of that many steps (checked against train())."""

import dataclasses

import numpy as np
import pytest
import torch
from torch import nn

from core import backprop as bp
from core.training import full_batch, make_optimizer, train


def fresh_run(cfg: bp.ZeroGradConfig, zero_grad: bool) -> bp.ZeroGradRun:
    """_zero_grad_run as one uninterrupted train() call (what the page computed before)."""
    data = bp.zero_grad_data(cfg)
    model = nn.utils.skip_init(nn.Linear, 1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    params, grads = [(0.0, 0.0)], []

    def record(info):
        grads.append([float(model.weight.grad), float(model.bias.grad)])
        params.append((float(model.weight.detach()), float(model.bias.detach())))

    history = train(model, nn.MSELoss(), make_optimizer("sgd", model.parameters(), lr=cfg.lr),
                    full_batch(data.x, data.y), epochs=cfg.steps, zero_grad=zero_grad,
                    callbacks=[record])
    fresh = [bp._line_gradient(data.x, data.y, w, b) for w, b in params[: len(grads)]]
    return bp.ZeroGradRun(loss=np.array(history.train_loss), grads=np.array(grads).reshape(-1, 2),
                          fresh_grads=np.array(fresh).reshape(-1, 2), diverged=history.diverged,
                          diverged_at=history.diverged_at)


@pytest.mark.parametrize("lr", [0.1, 0.5])  # 0.5: the run without zero_grad diverges
def test_step_moves_give_the_numbers_of_fresh_runs(lr):
    bp._ZERO_RUNS.clear()
    for steps in (40, 65, 10, 100, 5, 100, 55):
        cfg = bp.ZeroGradConfig(lr=lr, steps=steps)
        result = bp.run_zero_grad(cfg)
        for zero_grad, run in ((True, result.with_zero_grad), (False, result.without_zero_grad)):
            expected = fresh_run(cfg, zero_grad)
            for f in dataclasses.fields(run):
                x, y = getattr(run, f.name), getattr(expected, f.name)
                if isinstance(x, np.ndarray):
                    assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), f.name
                else:
                    assert x == y, (steps, zero_grad, f.name)
