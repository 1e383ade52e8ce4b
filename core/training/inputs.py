"""What the one training loop is given: the optimizer table (every optimizer the app
offers, built by ``make_optimizer``; the code panels read the same table) and the batches
(``make_loader``: a seeded DataLoader; ``full_batch``: all the data as one batch), plus the
loss above which a run counts as diverged.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch
from torch.utils.data import (
    BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler, TensorDataset,
)

from core.seeding import make_generator


DIVERGENCE_LOSS = 1e8  # a loss above this is treated as diverged, like NaN/Inf

Batch = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class OptimizerKind:
    """One optimizer the app offers: the torch.optim class and what makes it this kind.

    ``fixed``: constructor arguments that define the kind (Nesterov is SGD with
    ``nesterov=True``); ``settings``: the make_optimizer arguments it takes besides ``lr``
    and ``weight_decay`` (and passes on under the same name). Everything not given is
    torch's own default, read from the class's signature (``torch_default``), so the table
    never restates a number torch owns (AdamW's weight decay).
    """

    name: str
    cls: type[torch.optim.Optimizer]
    settings: tuple[str, ...] = ()
    fixed: tuple[tuple[str, Any], ...] = ()

    def torch_default(self, argument: str) -> Any:
        return _torch_default(self.cls, argument)

    def kwargs(self, lr: float, weight_decay: float | None = None, **settings: Any) -> dict:
        """The constructor's keyword arguments: lr, this kind's settings (others given are
        ignored, so one call site serves every kind; None: torch's default), the fixed ones,
        and weight decay (None: torch's default for the class)."""
        return {"lr": lr, **{k: settings[k] for k in self.settings
                             if settings.get(k) is not None},
                **dict(self.fixed),
                "weight_decay": self.torch_default("weight_decay") if weight_decay is None
                else weight_decay}


@functools.cache
def _torch_default(cls: type, argument: str) -> Any:
    return inspect.signature(cls).parameters[argument].default


OPTIMIZER_KINDS: dict[str, OptimizerKind] = {k.name: k for k in (
    OptimizerKind("sgd", torch.optim.SGD),
    OptimizerKind("momentum", torch.optim.SGD, ("momentum",)),
    OptimizerKind("nesterov", torch.optim.SGD, ("momentum",), (("nesterov", True),)),
    OptimizerKind("rmsprop", torch.optim.RMSprop, ("alpha",)),
    OptimizerKind("adagrad", torch.optim.Adagrad),
    OptimizerKind("adam", torch.optim.Adam, ("betas",)),
    OptimizerKind("adamw", torch.optim.AdamW, ("betas",)),
)}
OPTIMIZERS = tuple(OPTIMIZER_KINDS)


def make_optimizer(
    name: str,
    params: Iterable[torch.Tensor],
    lr: float,
    momentum: float = 0.9,
    betas: tuple[float, float] | None = None,
    alpha: float | None = None,
    weight_decay: float | None = None,
) -> torch.optim.Optimizer:
    """A torch.optim optimizer by name (one of OPTIMIZERS) with the settings pages expose.

    ``params`` may be parameters or param-group dicts. None: torch's default for that
    optimizer (weight decay: 0 for all but AdamW; 0.0 means none, also for AdamW). Momentum
    is the app's 0.9, not torch's 0, which would make "momentum" plain SGD.
    """
    if name not in OPTIMIZER_KINDS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {OPTIMIZERS}")
    kind = OPTIMIZER_KINDS[name]
    # foreach=False is what torch picks for CPU tensors anyway (its foreach kernels are for
    # GPUs), so the numbers are the same; said explicitly, torch does not decide again at every
    # step (~10 µs a step: 5 % of the lab's 2-8-8-1 step, BENCHMARKS.md "Issue 20 (session
    # 2026-12-05e)").
    return kind.cls(params, **kind.kwargs(lr, weight_decay, momentum=momentum, betas=betas,
                                          alpha=alpha), foreach=False)


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
    """The batches of ``seeded_loader(TensorDataset(x, y), batch_size, shuffle, seed)``, taken
    with ONE index per batch.

    ``DataLoader(batch_size=b)`` indexes the dataset once per example and stacks the b rows
    (a fifth of a small training run's time); here a BatchSampler hands TensorDataset the
    batch's index list and the tensors are indexed once. Same sampler, same generator draws
    (the per-iterator base seed, then one permutation per epoch), same batches bit for bit
    and the same length — tested against the plain DataLoader, so code panels that show
    ``DataLoader(TensorDataset(x, y), batch_size=b, shuffle=True)`` print the same numbers.
    """
    generator = make_generator(seed)
    indices = range(len(x))
    sampler = RandomSampler(indices, generator=generator) if shuffle else SequentialSampler(indices)
    return DataLoader(TensorDataset(x, y), sampler=BatchSampler(sampler, max(1, int(batch_size)), False),
                      batch_size=None, generator=generator, num_workers=num_workers)


def full_batch(x: torch.Tensor, y: torch.Tensor) -> list[Batch]:
    """One epoch made of a single batch holding all the data (plain gradient descent)."""
    return [(x, y)]
