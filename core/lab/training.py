"""The lab's training parts: its network spec, loss, batches (the Playground's rule or a
shuffling DataLoader), L1/L2 as the Playground applies them, the learning-rate schedule."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

from core.lab.config import COSINE_EPOCHS, COSINE_FLOOR, STEP_EVERY_EPOCHS, STEP_GAMMA, LabConfig
from core.lab.datasets import LabData
from core.models import MLPSpec
from core.seeding import make_generator
from core.training import make_optimizer

def lab_spec(cfg: LabConfig, n_classes: int) -> MLPSpec:
    """The MLPSpec of the lab network (build_mlp builds it, codegen writes it out)."""
    if cfg.problem == "regression" or cfg.loss == "squared":
        out_features = 1
    else:
        out_features = n_classes
    out_act = "tanh" if (cfg.problem == "classification" and cfg.loss == "squared") else None
    init = {"playground": "uniform", "default": "default", "xavier": "xavier", "he": "he",
            "zeros": "zeros"}[cfg.init]
    return MLPSpec(in_features=len(cfg.features), hidden=tuple(cfg.hidden),
                   out_features=out_features,
                   activation="identity" if cfg.activation == "linear" else cfg.activation,
                   init=init, init_range=0.5, init_bias=0.1, dropout=cfg.dropout,
                   batchnorm=cfg.batchnorm, out_activation=out_act)


def half_squared_error(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The Playground's loss: mean over the batch of ½(o − y)²."""
    return F.mse_loss(output, target) * 0.5


def lab_loss(cfg: LabConfig):
    return half_squared_error if cfg.problem == "regression" or cfg.loss == "squared" \
        else F.cross_entropy


class PlaygroundBatches:
    """The Playground's batch rule as an iterable of (x, y) batches, one pass = one epoch.

    Examples in a fixed order; an update after every ``batch_size``-th example counted
    within the epoch; the ``n % batch_size`` examples left at the end of an epoch are
    added to the first batch of the next epoch (their gradients wait in the Playground's
    accumulators). Loss = mean over the batch = the Playground's summed derivatives divided
    by their count. Batches are sliced once here, so an epoch costs no indexing.
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int):
        n, b = len(x), max(1, int(batch_size))
        if n < b:  # the Playground would never update; one batch of everything instead
            b = max(1, n)
        cuts = list(range(0, n // b * b + 1, b))
        self.first = [(x[i:j], y[i:j]) for i, j in zip(cuts[:-1], cuts[1:])]
        left = n - cuts[-1]
        self.steady = list(self.first)
        if left:
            self.steady[0] = (torch.cat([x[n - left:], self.first[0][0]]),
                              torch.cat([y[n - left:], self.first[0][1]]))
        self.epochs_started = 0

    def __len__(self) -> int:
        return len(self.first)

    def __iter__(self):
        batches = self.first if self.epochs_started == 0 else self.steady
        self.epochs_started += 1
        return iter(batches)


def shuffled_loader(x: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int) -> DataLoader:
    """A DataLoader reshuffling every epoch from its own generator; each batch is ONE index
    into the tensors (a BatchSampler feeds TensorDataset a list of indices; no collate)."""
    g = make_generator(seed)
    sampler = BatchSampler(RandomSampler(range(len(x)), generator=g), int(batch_size), False)
    return DataLoader(TensorDataset(x, y), sampler=sampler, batch_size=None, generator=g)


def lab_batches(cfg: LabConfig, data: LabData):
    if cfg.playground_mode:
        return PlaygroundBatches(data.x_train, data.y_train, cfg.batch_size)
    return shuffled_loader(data.x_train, data.y_train, cfg.batch_size, cfg.seed + 3)


class Regularizer:
    """L1/L2 as the Playground applies them, around any torch.optim step (step hooks).

    Before the step r'(w) is read (L1: sign(w), 0 at 0; L2: w); after it
    w ← w − lr·rate·r'(w). Under L1 a weight that crosses 0 on that move is set to 0 and
    stays 0 ("dead", like the Playground's link.isDead); dead weights ignore the gradient.
    Weights of nn.Linear layers only. ``kind``/``rate`` may change between steps.
    """

    def __init__(self, weights: list[torch.Tensor], kind: str = "none", rate: float = 0.0):
        self.weights, self.kind, self.rate = weights, kind, float(rate)
        self.dead = [torch.zeros_like(w, dtype=torch.bool) for w in weights]
        self._ders: list[torch.Tensor] | None = None
        self._handles: list = []

    @property
    def active(self) -> bool:
        return self.kind != "none" and self.rate > 0

    def attach(self, optimizer: torch.optim.Optimizer) -> None:
        """Hook into ``optimizer``'s steps (only while a penalty is on: no cost otherwise)."""
        for handle in self._handles:
            handle.remove()
        self._optimizer = optimizer
        self._handles = [optimizer.register_step_pre_hook(self._pre),
                         optimizer.register_step_post_hook(self._post)] if self.active else []

    def set(self, kind: str, rate: float) -> None:
        if kind != "l1":
            for d in self.dead:
                d.zero_()  # weights L1 zeroed may grow again
        self.kind, self.rate = kind, float(rate)
        if hasattr(self, "_optimizer"):
            self.attach(self._optimizer)

    @torch.no_grad()
    def _pre(self, optimizer, args, kwargs) -> None:
        if not self.active:
            self._ders = None
            return
        self._ders = [w.sign() if self.kind == "l1" else w.clone() for w in self.weights]

    @torch.no_grad()
    def _post(self, optimizer, args, kwargs) -> None:
        if self._ders is None:
            return
        lr = optimizer.param_groups[0]["lr"]
        for w, der, dead in zip(self.weights, self._ders, self.dead):
            new = w - lr * self.rate * der
            if self.kind == "l1":
                dead |= (w * new) < 0
                new.masked_fill_(dead, 0.0)
            w.copy_(new)
        self._ders = None


def lr_factor(schedule: str, epoch: int) -> float:
    """Multiplier of the base learning rate after ``epoch`` completed epochs."""
    if schedule == "step":
        return STEP_GAMMA ** (epoch // STEP_EVERY_EPOCHS)
    if schedule == "cosine":
        e = min(epoch, COSINE_EPOCHS)
        return COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + math.cos(math.pi * e / COSINE_EPOCHS))
    return 1.0


def lab_optimizer(cfg: LabConfig, model: nn.Module) -> torch.optim.Optimizer:
    return make_optimizer(cfg.optimizer, model.parameters(), lr=cfg.lr, weight_decay=0.0)


def sequential_forward(model: nn.Sequential):
    """``model(x)`` without nn.Module.__call__'s hook machinery on every layer (the lab
    registers no hooks): the same numbers, ~7 % less time per step on a 2-8-8-1 network."""
    layers = [m.forward for m in model]

    def forward(x: torch.Tensor) -> torch.Tensor:
        for layer in layers:
            x = layer(x)
        return x

    return forward


def lab_scheduler(cfg: LabConfig, optimizer: torch.optim.Optimizer, epoch: int = 0):
    """LambdaLR with lr_factor (None for "none"); ``epoch`` epochs already done."""
    if cfg.schedule == "none":
        return None
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda e, s=cfg.schedule: lr_factor(s, e))
    scheduler.last_epoch = epoch  # switched on mid-run: continue from this epoch
    for group, base in zip(optimizer.param_groups, scheduler.base_lrs):
        group["lr"] = base * lr_factor(cfg.schedule, epoch)
    return scheduler
