"""The one training loop of the app, in the spirit of minGPT's Trainer.

Every page that trains anything calls ``train``. It is model-agnostic, reports through
``on_step`` callbacks (progress bars, live charts and per-step measurements come from
there), records a History, and stops cleanly when the loss diverges (NaN/Inf or huge)
instead of raising. Options that the notes warn about are switches, so pages can show
the mistake and the fix with the same code: ``zero_grad=False`` and ``accumulate=k``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from core.models import has_stochastic_layers
from core.seeding import global_rng, make_generator, prepare_thread

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw")
DIVERGENCE_LOSS = 1e8  # a loss above this is treated as diverged, like NaN/Inf

Batch = tuple[torch.Tensor, torch.Tensor]


def make_optimizer(
    name: str,
    params: Iterable[torch.Tensor],
    lr: float,
    momentum: float = 0.9,
    betas: tuple[float, float] = (0.9, 0.999),
    alpha: float = 0.99,
    weight_decay: float = 0.0,
) -> torch.optim.Optimizer:
    """A torch.optim optimizer by name (one of OPTIMIZERS) with the settings pages expose."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "nesterov":
        return torch.optim.SGD(
            params, lr=lr, momentum=momentum, nesterov=True, weight_decay=weight_decay
        )
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=alpha, weight_decay=weight_decay)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=weight_decay or 0.01)
    raise ValueError(f"unknown optimizer {name!r}; expected one of {OPTIMIZERS}")


def seeded_loader(
    dataset: Dataset, batch_size: int, shuffle: bool = True, seed: int = 0, num_workers: int = 0,
) -> DataLoader:
    """A DataLoader whose shuffling comes from its own generator (reproducible).

    The generator is passed even without shuffling: every epoch's iterator draws a base seed
    for its workers, and without a generator that draw comes from torch's global RNG.
    """
    return DataLoader(
        dataset,
        batch_size=max(1, int(batch_size)),
        shuffle=shuffle,
        generator=make_generator(seed),
        num_workers=num_workers,
    )


def make_loader(
    x: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool = True, seed: int = 0,
    num_workers: int = 0,
) -> DataLoader:
    """``seeded_loader`` over the tensors ``x`` and ``y``."""
    return seeded_loader(TensorDataset(x, y), batch_size, shuffle, seed, num_workers)


def full_batch(x: torch.Tensor, y: torch.Tensor) -> list[Batch]:
    """One epoch made of a single batch holding all the data (plain gradient descent)."""
    return [(x, y)]


@dataclass
class StepInfo:
    """What a callback sees after each optimizer step."""

    step: int  # optimizer steps taken so far (1-based)
    epoch: int  # 0-based epoch of this step
    loss: float  # training loss of this step (mean over its micro-batches)
    model: nn.Module
    optimizer: torch.optim.Optimizer
    history: History


StepCallback = Callable[[StepInfo], "bool | None"]  # return True to stop training


@dataclass
class History:
    steps: list[int] = field(default_factory=list)  # step number of each train_loss entry
    train_loss: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)  # when evaluate() ran
    eval_metrics: dict[str, list[float]] = field(default_factory=dict)  # name -> values
    diverged: bool = False  # loss became NaN/Inf or exceeded DIVERGENCE_LOSS
    diverged_at: int | None = None  # the step at which that was seen
    stopped_by_callback: bool = False

    def record_eval(self, step: int, metrics: dict[str, float]) -> None:
        self.eval_steps.append(step)
        for name, value in metrics.items():
            self.eval_metrics.setdefault(name, []).append(float(value))


def classifier_metrics(
    **splits: tuple[torch.Tensor, torch.Tensor],
) -> Callable[[nn.Module], dict[str, float]]:
    """An ``evaluate`` for train(): cross-entropy and accuracy of a classifier on each named
    split, reported as ``<name>_loss`` and ``<name>_acc``.

    ``classifier_metrics(train=(x_train, y_train), val=(x_val, y_val))``.
    """

    def evaluate(model: nn.Module) -> dict[str, float]:
        metrics: dict[str, float] = {}
        for name, (x, y) in splits.items():
            logits = model(x)
            metrics[f"{name}_loss"] = float(nn.functional.cross_entropy(logits, y))
            metrics[f"{name}_acc"] = float((logits.argmax(1) == y).float().mean())
        return metrics

    return evaluate


def _is_diverged(loss: float) -> bool:
    return not math.isfinite(loss) or abs(loss) > DIVERGENCE_LOSS


def train(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    batches: Iterable[Batch],
    *,
    epochs: int = 1,
    max_steps: int | None = None,
    zero_grad: bool = True,
    accumulate: int = 1,
    evaluate: Callable[[nn.Module], dict[str, float]] | None = None,
    eval_every: int = 1,
    callbacks: Sequence[StepCallback] = (),
    seed: int = 0,
) -> History:
    """Train ``model`` and return its History.

    batches: re-iterated once per epoch (a DataLoader reshuffles itself each time).
    zero_grad: call ``optimizer.zero_grad()`` before each step; False shows what happens
        when gradients pile up.
    accumulate: backward over this many consecutive batches (each loss divided by it)
        before one optimizer step; equals one batch that many times larger.
    evaluate: called every ``eval_every`` steps and after the last, with the model in
        ``eval()`` mode under ``torch.no_grad()``; returns named metrics.
    seed: seeds dropout masks (drawn from the global RNG under a lock, see core.seeding).
    """
    if accumulate < 1:
        raise ValueError("accumulate must be >= 1")
    prepare_thread()
    history = History()
    rng_guard = global_rng(seed) if has_stochastic_layers(model) else nullcontext()

    def run_evaluation(step: int) -> None:
        if evaluate is None or (history.eval_steps and history.eval_steps[-1] == step):
            return
        was_training = model.training
        model.eval()
        with torch.no_grad():
            history.record_eval(step, evaluate(model))
        model.train(was_training)

    step = 0
    with rng_guard:
        model.train()
        run_evaluation(0)
        for epoch in range(epochs):
            micro_losses: list[float] = []
            for x, y in batches:
                if zero_grad and not micro_losses:
                    optimizer.zero_grad()
                loss = loss_fn(model(x), y)
                micro_losses.append(float(loss.detach()))
                if _is_diverged(micro_losses[-1]):
                    history.diverged, history.diverged_at = True, step + 1
                    history.steps.append(step + 1)
                    history.train_loss.append(micro_losses[-1])
                    return history
                (loss / accumulate).backward()
                if len(micro_losses) < accumulate:
                    continue
                optimizer.step()
                step += 1
                history.steps.append(step)
                history.train_loss.append(sum(micro_losses) / len(micro_losses))
                micro_losses = []
                if step % eval_every == 0:
                    run_evaluation(step)
                info = StepInfo(step, epoch, history.train_loss[-1], model, optimizer, history)
                if any(cb(info) for cb in callbacks):
                    history.stopped_by_callback = True
                    run_evaluation(step)
                    return history
                if max_steps is not None and step >= max_steps:
                    run_evaluation(step)
                    return history
        run_evaluation(step)
    return history
