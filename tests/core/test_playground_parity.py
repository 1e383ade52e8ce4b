"""Playground mode against TensorFlow Playground's update rule, written out independently.

The reference below is plain numpy, one example at a time, as src/nn.ts does it: forward,
backprop of ½(o−y)² (output derivative o − y), derivatives summed per weight and bias,
an update every ``batch_size`` examples counted within the epoch (so the examples left
at the end of an epoch join the next epoch's first update), the update divides by the
number of summed derivatives, and L1/L2 act on weights after the gradient move with the
derivative taken before it (L1: a weight crossing 0 becomes 0 and is dead from then on).
"""

import numpy as np
import pytest
import torch

from core.models import linear_layers
from core.lab import LabConfig, LabSession, lab_data_from_points


class ReferenceNet:
    """A tanh network with a tanh output node, float64, per-example backprop."""

    def __init__(self, weights, biases, kind="none", rate=0.0):
        self.W = [np.array(w, dtype=np.float64) for w in weights]  # (out, in) per layer
        self.b = [np.array(b, dtype=np.float64) for b in biases]
        self.dead = [np.zeros_like(w, dtype=bool) for w in self.W]
        self.kind, self.rate = kind, rate
        self._clear()

    def _clear(self):
        self.acc_w = [np.zeros_like(w) for w in self.W]
        self.acc_b = [np.zeros_like(b) for b in self.b]
        self.n_w = [np.zeros_like(w) for w in self.W]  # numAccumulatedDers per link
        self.n_b = [np.zeros_like(b) for b in self.b]

    def forward(self, x):
        self.a, self.z = [np.asarray(x, dtype=np.float64)], []
        for w, b in zip(self.W, self.b):
            self.z.append(w @ self.a[-1] + b)
            self.a.append(np.tanh(self.z[-1]))
        return self.a[-1][0]

    def backprop(self, target):
        output_der = self.a[-1] - target  # d/do of ½(o − y)²
        for layer in reversed(range(len(self.W))):
            input_der = output_der * (1 - np.tanh(self.z[layer]) ** 2)
            self.acc_b[layer] += input_der
            self.n_b[layer] += 1
            live = ~self.dead[layer]
            self.acc_w[layer] += np.outer(input_der, self.a[layer]) * live
            self.n_w[layer] += live
            output_der = self.W[layer].T @ input_der

    def update(self, lr):
        for layer in range(len(self.W)):
            self.b[layer] -= lr * self.acc_b[layer] / self.n_b[layer]
            w = self.W[layer]
            for idx in np.ndindex(w.shape):
                if self.dead[layer][idx] or self.n_w[layer][idx] == 0:
                    continue
                before = w[idx]
                if self.kind == "l1":
                    regul_der = -1.0 if before < 0 else (1.0 if before > 0 else 0.0)
                elif self.kind == "l2":
                    regul_der = before
                else:
                    regul_der = 0.0
                moved = before - lr / self.n_w[layer][idx] * self.acc_w[layer][idx]
                new = moved - lr * self.rate * regul_der
                if self.kind == "l1" and moved * new < 0:
                    w[idx] = 0.0
                    self.dead[layer][idx] = True
                else:
                    w[idx] = new
        self._clear()

    def epoch(self, xs, ys, lr, batch_size, on_update=None):
        for i, (x, y) in enumerate(zip(xs, ys)):
            self.forward(x)
            self.backprop(y)
            if (i + 1) % batch_size == 0:
                self.update(lr)
                if on_update:
                    on_update()

    def loss(self, xs, ys):
        return float(np.mean([0.5 * (self.forward(x) - y) ** 2 for x, y in zip(xs, ys)]))


def _session(regularization, rate, batch_size=5, n=46, lr=0.3):
    cfg = LabConfig(dataset="circle", hidden=(3, 2), features=("x1", "x2"), lr=lr,
                    batch_size=batch_size, regularization=regularization, reg_rate=rate,
                    playground_mode=True, train_percent=50, seed=4)
    g = np.random.default_rng(0)
    points = g.uniform(-1.5, 1.5, size=(n, 2))
    labels = (np.hypot(points[:, 0], points[:, 1]) < 1.0).astype(int)
    session = LabSession(cfg, data=lab_data_from_points(cfg, points, labels))
    layers = linear_layers(session.model)
    reference = ReferenceNet([fc.weight.detach().numpy() for fc in layers],
                             [fc.bias.detach().numpy() for fc in layers], regularization, rate)
    xs = session.data.x_train.double().numpy()
    ys = session.data.y_train[:, 0].double().numpy()
    return session, reference, xs, ys


def _assert_same(session, reference, atol=2e-5):
    for fc, w, b in zip(linear_layers(session.model), reference.W, reference.b):
        np.testing.assert_allclose(fc.weight.detach().double().numpy(), w, atol=atol)
        np.testing.assert_allclose(fc.bias.detach().double().numpy(), b, atol=atol)


@pytest.mark.parametrize("regularization, rate", [("none", 0.0), ("l2", 0.05), ("l1", 0.05)])
def test_every_update_matches_the_playground_rule(regularization, rate):
    session, reference, xs, ys = _session(regularization, rate)
    assert len(xs) == 23  # 23 train points, batch 5: 3 left over each epoch
    updates = []

    def after_update():
        session.step_one()
        _assert_same(session, reference)
        updates.append(session.trainer.step_count)

    for _ in range(4):
        reference.epoch(xs, ys, lr=0.3, batch_size=5, on_update=after_update)
    assert updates == list(range(1, 17))  # 4 updates an epoch (i + 1 = 5, 10, 15, 20)
    assert session.trainer.epoch == 4
    snap = session.snapshot()
    assert snap.train_loss == pytest.approx(reference.loss(xs, ys), abs=1e-5)
    if regularization == "l1":
        dead = [d.astype(bool) for d in snap.dead]
        assert sum(d.sum() for d in reference.dead) > 0  # the case exercises dead links
        for mine, theirs in zip(dead, reference.dead):
            np.testing.assert_array_equal(mine, theirs)


def test_leftover_examples_join_the_next_epochs_first_batch():
    session, *_ = _session("none", 0.0, batch_size=5)
    batches = session.trainer.batches
    first = [len(x) for x, _ in iter(batches)]
    second = [len(x) for x, _ in iter(batches)]
    assert first == [5, 5, 5, 5] and second == [8, 5, 5, 5]


def test_playground_mode_network_and_loss():
    session, *_ = _session("none", 0.0)
    layers = linear_layers(session.model)
    assert [tuple(fc.weight.shape) for fc in layers] == [(3, 2), (2, 3), (1, 2)]
    assert all(torch.all(fc.bias == 0.1) for fc in layers)
    assert all(fc.weight.abs().max() <= 0.5 for fc in layers)
    assert isinstance(session.model.out_act, torch.nn.Tanh)
    assert set(session.data.y_train[:, 0].tolist()) == {-1.0, 1.0}
