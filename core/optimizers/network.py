"""The same optimizers on a real network: ``run_network`` trains the same MLP (same
seed, same initial weights, same batches) on a 2-D dataset with each optimizer through
``core.training.train``; training and validation curves show convergence speed versus
generalisation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import nn

from core.claims import Claim
from core.codegen import imports_code, indent, loader_code, mlp_code, training_loop_code
from core.data import TOY_2D_NAMES, make_toy_2d, split_indices, split_indices_code, toy_2d_code
from core.models import MLPSpec, build_mlp
from core.seeding import prepare_thread
from core.training import (
    ResumableRuns, StepInfo, Trainer, classifier_metrics, make_loader,
)
from core.optimizers.choices import OptimizerSettings, build_optimizer, default_settings, optimizer_code


# --- the same optimizers on a real network --------------------------------------------

# Usual learning rates for a small MLP: the adaptive methods want ~10-100x smaller steps.
NETWORK_LRS = {"sgd": 0.2, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 0.003,
               "adagrad": 0.05, "adam": 0.005, "adamw": 0.005}


@dataclass(frozen=True)
class NetworkConfig:
    optimizers: tuple[OptimizerSettings, ...] = ()  # lrs are taken from NETWORK_LRS × lr_scale
    lr_scale: float = 1.0  # multiplies every optimizer's usual network learning rate
    dataset: str = "moons"  # one of core.data.TOY_2D_NAMES
    n_samples: int = 300  # half for training, half for validation
    noise: float = 0.3  # label-blurring noise on the coordinates
    hidden: tuple[int, ...] = (32, 32)  # MLP hidden widths
    epochs: int = 60
    batch_size: int = 16
    seed: int = 0

    def resolved(self) -> NetworkConfig:
        settings = self.optimizers or default_settings("quadratic")
        return replace(self, optimizers=tuple(
            replace(s, lr=NETWORK_LRS[s.name] * self.lr_scale) for s in settings))


@dataclass(frozen=True)
class NetworkRun:
    epochs: np.ndarray  # (recorded,) 0 = at init
    train_loss: np.ndarray  # (recorded,) full training-set loss, eval mode
    val_loss: np.ndarray  # (recorded,)
    train_acc: np.ndarray
    val_acc: np.ndarray
    diverged: bool
    diverged_at: int | None  # optimizer step
    epochs_to_fit: int | None  # first epoch with training loss <= 0.4 × its initial value
    best_val_loss: float
    best_val_epoch: int


@dataclass(frozen=True)
class NetworkResult:
    config: NetworkConfig  # resolved (with the learning rates used)
    runs: dict[str, NetworkRun] = field(default_factory=dict)


def _network_data(cfg: NetworkConfig) -> tuple[torch.Tensor, ...]:
    """x_train, y_train, x_val, y_val: one dataset split half and half."""
    if cfg.dataset not in TOY_2D_NAMES:
        raise ValueError(f"unknown dataset {cfg.dataset!r}")
    data = make_toy_2d(cfg.dataset, n=cfg.n_samples, noise=cfg.noise, seed=cfg.seed)
    train_idx, val_idx = split_indices(cfg.n_samples, (0.5, 0.5), seed=cfg.seed)
    return data.x[train_idx], data.y[train_idx], data.x[val_idx], data.y[val_idx]


def network_spec(cfg: NetworkConfig) -> MLPSpec:
    """The network every optimizer trains (classes counted from the data, for the code too)."""
    _, y_train, _, y_val = _network_data(cfg.resolved())
    n_classes = int(torch.cat([y_train, y_val]).max()) + 1
    return MLPSpec(hidden=cfg.resolved().hidden, out_features=n_classes, activation="relu")


_NETWORK_RUNS = ResumableRuns(max_entries=28)  # 7 optimizers × 4 settings


def run_network(cfg: NetworkConfig,
                _on_progress: Callable[[float], None] | None = None) -> NetworkResult:
    """Train the same MLP from the same weights on the same batches with each optimizer.

    ``_on_progress(fraction)`` is called as training advances (underscore: st.cache_data
    does not hash it).
    """
    cfg = cfg.resolved()
    prepare_thread()
    x_train, y_train, x_val, y_val = _network_data(cfg)
    spec = network_spec(cfg)
    loss_fn = nn.CrossEntropyLoss()
    steps_per_epoch = math.ceil(len(x_train) / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs * len(cfg.optimizers)

    evaluate = classifier_metrics(train=(x_train, y_train), val=(x_val, y_val))

    runs: dict[str, NetworkRun] = {}
    for i, settings in enumerate(cfg.optimizers):
        def make(settings: OptimizerSettings = settings) -> Trainer:
            model = build_mlp(spec, seed=cfg.seed)  # same seed: same initial weights for all
            loader = make_loader(x_train, y_train, cfg.batch_size, shuffle=True, seed=cfg.seed)
            return Trainer(model, loss_fn, build_optimizer(settings, list(model.parameters())),
                           loader, evaluate=evaluate, eval_every=steps_per_epoch, seed=cfg.seed)

        def progress(info: StepInfo, done: int = i * steps_per_epoch * cfg.epochs) -> None:
            if _on_progress is not None and info.step % steps_per_epoch == 0:
                _on_progress(min(1.0, (done + info.step) / total))

        # The kept run of this optimizer with fewer epochs is continued (Epochs moved up) or
        # a longer one is cut (moved down): the numbers of one run of cfg.epochs epochs.
        history, _ = _NETWORK_RUNS.history((replace(cfg, epochs=0, optimizers=()), settings),
                                           make, cfg.epochs, [progress])
        m = {k: np.array(v) for k, v in history.eval_metrics.items()}
        epochs = np.array(history.eval_steps) / steps_per_epoch
        fitted = np.flatnonzero(m["train_loss"] <= 0.4 * m["train_loss"][0])
        val = np.where(np.isfinite(m["val_loss"]), m["val_loss"], np.inf)
        runs[settings.name] = NetworkRun(
            epochs=epochs, train_loss=m["train_loss"], val_loss=m["val_loss"],
            train_acc=m["train_acc"], val_acc=m["val_acc"], diverged=history.diverged,
            diverged_at=history.diverged_at,
            epochs_to_fit=int(math.ceil(epochs[fitted[0]])) if fitted.size else None,
            best_val_loss=float(val.min()), best_val_epoch=int(round(epochs[int(val.argmin())])),
        )
    if _on_progress is not None:
        _on_progress(1.0)
    return NetworkResult(config=cfg, runs=runs)


OVERFIT_RISE = 0.10  # validation loss ended >= 10 % above its best: it turned upward


def network_claims(result: NetworkResult) -> list[Claim]:
    """``fastest`` (fewest epochs to 40 % of the start loss) or ``none_fit``; ``best_val``;
    ``overfit`` (validation loss ended >= 10 % above its best while the training loss kept
    falling after that epoch) or ``no_overfit``. Diverged runs take part in none of them."""
    runs = {n: r for n, r in result.runs.items() if not r.diverged}
    if not runs:
        return []
    claims: list[Claim] = []
    fit = {n: r.epochs_to_fit for n, r in runs.items() if r.epochs_to_fit is not None}
    if fit:
        fastest = min(fit, key=lambda n: (fit[n], n))
        claims.append(Claim("fastest", {"name": fastest, "epochs": fit[fastest]}))
    else:
        claims.append(Claim("none_fit", {}))
    best = min(runs, key=lambda n: (runs[n].best_val_loss, n))
    claims.append(Claim("best_val", {"name": best, "loss": f"{runs[best].best_val_loss:.3f}",
                                     "epoch": runs[best].best_val_epoch}))
    overfit = []
    for name, run in runs.items():
        at_best = int(np.argmin(np.abs(run.epochs - run.best_val_epoch)))
        if (run.val_loss[-1] >= (1 + OVERFIT_RISE) * run.best_val_loss
                and run.train_loss[-1] < run.train_loss[at_best]):
            overfit.append(name)
    if overfit:
        claims.append(Claim("overfit", {"names": tuple(overfit)}))
    else:
        claims.append(Claim("no_overfit", {}))
    return claims


def network_code(cfg: NetworkConfig) -> str:
    """Self-contained torch reproducing the network comparison (final losses per optimizer)."""
    cfg = cfg.resolved()
    spec = network_spec(cfg)
    makers = "\n".join(f"    {s.name!r}: lambda params: {optimizer_code(s, '*params')},"
                       for s in cfg.optimizers)
    loop = training_loop_code(
        epochs=cfg.epochs, eval_every="len(loader)", losses=None,
        evaluate="""curve.append((loss_fn(model(x_train), y_train).item(),
              loss_fn(model(x_val), y_val).item()))""",
        on_diverge='print(f"{name:>9}: diverged at step {diverged_at}")')
    return f'''{imports_code(loader=True)}
# Data: {cfg.dataset}, {cfg.n_samples} points, half for training and half for validation
{toy_2d_code(cfg.dataset, cfg.n_samples, cfg.noise, cfg.seed)}

{split_indices_code("n", (0.5, 0.5), "train_idx, val_idx")}x_train, y_train, x_val, y_val = x[train_idx], y[train_idx], x[val_idx], y[val_idx]
loss_fn = nn.CrossEntropyLoss()
optimizers = {{
{makers}
}}
for name, make in optimizers.items():
    # The same seed for every optimizer: the same initial weights and the same batches.
{indent(mlp_code(spec))}    optimizer = make(model.parameters())
{indent(loader_code("x_train", "y_train", cfg.batch_size))}    curve = []  # (train loss, validation loss) before training and after every epoch

{indent(loop)}    if diverged_at is None:
        print(f"{{name:>9}}: train loss {{curve[-1][0]:.4f}}  val loss {{curve[-1][1]:.4f}}")
'''
