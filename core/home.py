"""The whole training loop in one small, real run: the home page's live map."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from torch import nn

from core.claims import Claim
from core.codegen import imports_code, loader_code, mlp_code, optimizer_code, training_loop_code
from core.data import make_toy_2d, split_indices, split_indices_code, toy_2d_code
from core.models import MLPSpec, build_mlp
from core.training import (
    ResumableRuns, StepInfo, Trainer, classifier_metrics, make_loader,
    make_optimizer,
)


# The page's widget ranges (the claims tests walk each at its minimum and maximum).
HIDDEN_RANGE = (2, 64)
EPOCHS_RANGE = (1, 100)
LR_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
NEAR = 0.1  # accuracies this close to chance (1/k) count as chance level
MOVED = 0.05  # accuracy changes smaller than this count as no change


@dataclass(frozen=True)
class LoopConfig:
    dataset: str = "moons"  # one of core.data.TOY_2D_NAMES
    hidden: int = 16  # units in each of the two hidden layers
    epochs: int = 30
    lr: float = 0.03  # Adam learning rate
    batch_size: int = 32
    seed: int = 0


@dataclass(frozen=True)
class LoopResult:
    steps: np.ndarray  # optimizer step of each train_loss value
    train_loss: np.ndarray  # per step
    eval_epochs: np.ndarray  # epoch index of each validation value (0 = before training)
    val_loss: np.ndarray
    val_accuracy: np.ndarray
    diverged: bool
    diverged_at: int | None
    n_classes: int = 2  # chance level is 1 / n_classes


def loop_data(cfg: LoopConfig):
    return make_toy_2d(cfg.dataset, n=400, noise=0.15, seed=cfg.seed)


def loop_spec(cfg: LoopConfig) -> MLPSpec:
    """The live run's network; one output per class the data holds (as run_network counts)."""
    n_classes = int(loop_data(cfg).y.max()) + 1
    return MLPSpec(hidden=(cfg.hidden, cfg.hidden), out_features=n_classes)


_LOOP_RUNS = ResumableRuns()


def loop_batches(cfg: LoopConfig):
    data = loop_data(cfg)
    train_idx, _ = split_indices(len(data.y), (0.75, 0.25), seed=cfg.seed)
    return make_loader(data.x[train_idx], data.y[train_idx], cfg.batch_size, seed=cfg.seed)


def _loop_trainer(cfg: LoopConfig) -> Trainer:
    data = loop_data(cfg)
    train_idx, val_idx = split_indices(len(data.y), (0.75, 0.25), seed=cfg.seed)
    model = build_mlp(loop_spec(cfg), seed=cfg.seed)
    loader = loop_batches(cfg)
    evaluate = classifier_metrics(val=(data.x[val_idx], data.y[val_idx]))
    return Trainer(model, nn.CrossEntropyLoss(),
                   make_optimizer("adam", model.parameters(), lr=cfg.lr), loader,
                   evaluate=evaluate, eval_every=len(loader), seed=cfg.seed)


def run_loop(cfg: LoopConfig,
             _on_progress: Callable[[float], None] | None = None) -> LoopResult:
    """data → forward → loss → backward → update → evaluate, with a 75/25 split.

    ``_on_progress(fraction)`` is called once per epoch (underscore: st.cache_data does not
    hash it, so a progress bar does not split the cache). The run continues the Trainer of
    the same config with fewer epochs, if one is kept (the Epochs slider moved up), or is cut
    from a longer one (it moved down): the numbers of one run of ``cfg.epochs`` epochs.
    """
    steps_per_epoch = len(loop_batches(cfg))
    total = steps_per_epoch * cfg.epochs

    def progress(info: StepInfo) -> None:
        if _on_progress is not None and info.step % steps_per_epoch == 0:
            _on_progress(info.step / total)

    history, _ = _LOOP_RUNS.history(replace(cfg, epochs=0), lambda: _loop_trainer(cfg),
                                    cfg.epochs, [progress])
    return LoopResult(
        steps=np.array(history.steps), train_loss=np.array(history.train_loss),
        eval_epochs=np.array(history.eval_steps) / steps_per_epoch,
        val_loss=np.array(history.eval_metrics.get("val_loss", [])),
        val_accuracy=np.array(history.eval_metrics.get("val_acc", [])),
        diverged=history.diverged, diverged_at=history.diverged_at,
        n_classes=loop_spec(cfg).out_features,
    )


def loop_claims(result: LoopResult) -> list[Claim]:
    """What the live run's notice may say: the start against chance (1/k), the change, and
    whether validation loss turned back up."""
    if result.diverged or not len(result.val_accuracy):
        return []
    k = result.n_classes
    chance = 1 / k
    start, end = float(result.val_accuracy[0]), float(result.val_accuracy[-1])
    values = {"start": start, "end": end, "k": k, "chance": chance,
              "epochs": int(round(float(result.eval_epochs[-1])))}
    # "already" only fits a start above chance; below chance the net starts worse than guessing.
    claims = [Claim("start_chance" if abs(start - chance) <= NEAR
                    else "start_above" if start > chance else "start_below", values)]
    if end >= start + MOVED:
        claims.append(Claim("rose", values))
    elif end <= start - MOVED:
        claims.append(Claim("fell", values))
    else:
        claims.append(Claim("no_change", values))
    peak_index = int(np.argmax(result.val_accuracy))
    peak = float(result.val_accuracy[peak_index])
    if peak - end >= 2 * MOVED:  # it got somewhere, then lost it
        claims.append(Claim("lost", values | {
            "peak": peak, "peak_epoch": int(round(float(result.eval_epochs[peak_index])))}))
    elif abs(end - chance) <= NEAR:
        claims.append(Claim("end_chance", values))
    val_loss = result.val_loss
    epochs = int(round(float(result.eval_epochs[-1])))
    if len(val_loss) > 2 and np.all(np.isfinite(val_loss)) and epochs >= 1:
        best = int(np.argmin(val_loss))
        if best < len(val_loss) - 1 and val_loss[-1] > 1.1 * val_loss[best]:
            per_epoch = len(result.train_loss) // epochs
            train = result.train_loss[: per_epoch * epochs].reshape(epochs, per_epoch).mean(1)
            # mean training loss of the epoch that ended at the best validation point
            # (epoch 1 if the best point is before training), against the last epoch's
            train_then, train_now = float(train[max(best, 1) - 1]), float(train[-1])
            best_epoch = int(round(float(result.eval_epochs[best])))
            rise = {"best": best_epoch, "low": float(val_loss[best]),
                    "last": float(val_loss[-1]), "train_then": train_then,
                    "train_now": train_now}
            kind = ("val_rises" if train_now < train_then / 1.1
                    else "unstable" if train_now > 1.1 * train_then else "no_help")
            claims.append(Claim(kind, rise))
    claims.append(Claim("noise"))
    return claims


def loop_code(cfg: LoopConfig) -> str:
    loop = training_loop_code(
        epochs=cfg.epochs, eval_every="len(loader)",
        evaluate="""val_logits = model(x[val_idx])
val_loss = loss_fn(val_logits, y[val_idx]).item()
accuracy = (val_logits.argmax(1) == y[val_idx]).float().mean().item()
print(f"epoch {step // len(loader):3d}  val loss {val_loss:.3f}  val accuracy {accuracy:.3f}")""")
    return f'''{imports_code(loader=True)}
# 1. Data: {cfg.dataset}, 400 points, 75% for training and 25% for validation
{toy_2d_code(cfg.dataset, 400, 0.15, cfg.seed)}

{split_indices_code("n", (0.75, 0.25), "train_idx, val_idx")}{loader_code("x[train_idx]", "y[train_idx]", cfg.batch_size)}
# 2. Model ({loop_spec(cfg).out_features} classes)
{mlp_code(loop_spec(cfg))}loss_fn = nn.CrossEntropyLoss()
optimizer = {optimizer_code("adam", cfg.lr)}

# 3. Training: forward, loss, backward, update; evaluate before training and every epoch
{loop}'''


def accuracy_end(result: LoopResult) -> str | None:
    """The answer to "where will validation accuracy end?": "chance" (within NEAR of 1/k),
    "high" (above 90 %) or "between"; None if the run diverged."""
    if result.diverged or not len(result.val_accuracy):
        return None
    end = float(result.val_accuracy[-1])
    if abs(end - 1 / result.n_classes) <= NEAR:
        return "chance"
    return "high" if end > 0.9 else "between"
