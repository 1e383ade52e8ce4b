"""Train / validation / test, 2: early stopping on the validation loss, and restoring
the best weights, on the real 8x8 digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from core.claims import Claim, printed_gap
from core.codegen import digits_code, imports_code, loader_code, mlp_code, optimizer_code, source_code, training_loop_code
from core.data import digits_xy, split_indices, split_indices_code
from core.models import MLPSpec, build_mlp
from core.training import make_loader, make_optimizer, train


# --- 2. early stopping by validation ----------------------------------------------------


@dataclass(frozen=True)
class EarlyStopConfig:
    width: int = 128  # units in each of the 2 hidden layers (over-capacity for 359 samples)
    label_noise: float = 0.2  # share of training labels replaced by a wrong class
    lr: float = 0.003  # Adam learning rate
    patience: int = 5  # epochs without a better validation loss before stopping
    epochs: int = 40  # trained in full so the curve after the stop is visible
    batch_size: int = 60
    fractions: tuple[float, float] = (0.2, 0.2)  # train and validation; test = the rest
    seed: int = 0


@dataclass(frozen=True)
class EarlyStopResult:
    epochs: np.ndarray  # (E+1,) 0 = before training
    train_loss: np.ndarray  # (E+1,) on the (noisy) training labels
    val_loss: np.ndarray
    val_acc: np.ndarray
    best_epoch: int  # lowest validation loss seen before the stop
    stop_epoch: int  # where patience stops training (the last epoch if it never does)
    stopped: bool  # patience ran out within the epochs (False: it never stopped)
    restored_test_acc: float  # test accuracy of the weights restored from best_epoch
    final_test_acc: float  # test accuracy after the last epoch
    best_state: dict[str, np.ndarray]  # the restored weights
    sizes: tuple[int, int, int]  # train, val, test
    diverged: bool
    diverged_at: int | None


def with_label_noise(y: torch.Tensor, fraction: float, seed: int) -> torch.Tensor:
    """A copy of the labels ``y`` with ``fraction`` of them replaced by a wrong class (the code
    panel shows this function, so it uses torch only)."""
    y = y.clone()
    g = torch.Generator().manual_seed(seed)  # its own generator: the same labels every run
    n_noisy = round(fraction * len(y))
    noisy = torch.randperm(len(y), generator=g)[:n_noisy]
    y[noisy] = (y[noisy] + torch.randint(1, 10, (n_noisy,), generator=g)) % 10  # shift 1..9: wrong
    return y


def early_stop_data(cfg: EarlyStopConfig):
    x, y = digits_xy()
    train_idx, val_idx, test_idx = split_indices(len(y), (*cfg.fractions, 1 - sum(cfg.fractions)), seed=cfg.seed)
    y_train = with_label_noise(y[train_idx], cfg.label_noise, cfg.seed + 1)
    return (x[train_idx], y_train), (x[val_idx], y[val_idx]), (x[test_idx], y[test_idx])


def early_stop_spec(cfg: EarlyStopConfig) -> MLPSpec:
    return MLPSpec(in_features=64, hidden=(cfg.width, cfg.width), out_features=10)


@dataclass(frozen=True)
class EarlyStopTraining:
    """One training run with everything early stopping needs for ANY patience: patience only
    decides which recorded best the rule stops at, never how the network trains."""
    epochs: np.ndarray  # (E+1,) 0 = before training
    train_loss: np.ndarray
    val_loss: np.ndarray
    val_acc: np.ndarray
    records: tuple[int, ...]  # evaluations whose validation loss was a new minimum, in order
    record_test_acc: dict[int, float]  # test accuracy of the weights at a kept record
    record_states: dict[int, dict[str, np.ndarray]]  # the weights at a kept record
    last_eval: int  # index of the last evaluation
    final_test_acc: float  # test accuracy after the last epoch (nan if diverged)
    final_model_test_acc: float  # the same, measured even if diverged (nothing restored)
    final_state: dict[str, np.ndarray]
    sizes: tuple[int, int, int]
    diverged: bool
    diverged_at: int | None


def early_stop_training_config(cfg: EarlyStopConfig) -> EarlyStopConfig:
    """The training stage's config: patience does not change the run (normalised to 0)."""
    return replace(cfg, patience=0)


def run_early_stop_training(cfg: EarlyStopConfig) -> EarlyStopTraining:
    """Train for all ``cfg.epochs`` (so the curve after the stop is visible) and keep a copy
    of the weights, and their test accuracy, at every new lowest validation loss that some
    patience could restore. ``cfg.patience`` is not read."""
    (x_tr, y_tr), (x_val, y_val), (x_te, y_te) = early_stop_data(cfg)
    model = build_mlp(early_stop_spec(cfg), seed=cfg.seed)
    loss_fn = nn.CrossEntropyLoss()
    watch = {"epoch": -1, "best_loss": math.inf}
    records: list[int] = []
    states: dict[int, dict[str, torch.Tensor]] = {}
    test_acc: dict[int, float] = {}

    def test_accuracy(m: nn.Module) -> float:
        with torch.no_grad():
            return float((m(x_te).argmax(1) == y_te).float().mean())

    def evaluate(m: nn.Module) -> dict[str, float]:
        watch["epoch"] += 1
        val_logits = m(x_val)
        val_loss = float(loss_fn(val_logits, y_val))
        if val_loss < watch["best_loss"]:  # a copy of the best weights so far
            watch["best_loss"] = val_loss
            epoch = watch["epoch"]
            if records and records[-1] == epoch - 1:  # no patience ≥ 1 stops at that one
                states.pop(epoch - 1, None)
                test_acc.pop(epoch - 1, None)
            records.append(epoch)
            states[epoch] = {k: v.detach().clone() for k, v in m.state_dict().items()}
            test_acc[epoch] = test_accuracy(m)
        return {"train_loss": float(loss_fn(m(x_tr), y_tr)), "val_loss": val_loss,
                "val_acc": float((val_logits.argmax(1) == y_val).float().mean())}

    loader = make_loader(x_tr, y_tr, cfg.batch_size, shuffle=True, seed=cfg.seed)
    steps_per_epoch = math.ceil(len(y_tr) / cfg.batch_size)
    history = train(model, loss_fn, make_optimizer("adam", model.parameters(), lr=cfg.lr),
                    loader, epochs=cfg.epochs, evaluate=evaluate, eval_every=steps_per_epoch,
                    seed=cfg.seed)
    m = {k: np.array(v) for k, v in history.eval_metrics.items()}
    final = test_accuracy(model)
    return EarlyStopTraining(
        epochs=np.array(history.eval_steps) // steps_per_epoch,
        train_loss=m["train_loss"], val_loss=m["val_loss"], val_acc=m["val_acc"],
        records=tuple(records), record_test_acc=test_acc,
        record_states={e: {k: v.numpy().copy() for k, v in st.items()} for e, st in states.items()},
        last_eval=int(watch["epoch"]),
        final_test_acc=float("nan") if history.diverged else final, final_model_test_acc=final,
        final_state={k: v.numpy().copy() for k, v in model.state_dict().items()},
        sizes=(len(y_tr), len(y_val), len(y_te)),
        diverged=history.diverged, diverged_at=history.diverged_at,
    )


def early_stop_result(run: EarlyStopTraining, patience: int) -> EarlyStopResult:
    """Where an early-stopping rule with ``patience`` stops on ``run`` and what it restores:
    it keeps the best weights seen, and once ``patience`` evaluations pass without a better
    validation loss it freezes that copy (quick: no training)."""
    is_record = set(run.records)
    best, stop = None, None
    for epoch in range(run.last_eval + 1):
        if epoch in is_record:
            best = epoch
        elif epoch - (best if best is not None else 0) >= patience:
            stop = epoch
            break
    if best is None:  # never a finite validation loss: nothing restored
        restored, state = run.final_model_test_acc, run.final_state
    else:
        restored, state = run.record_test_acc[best], run.record_states[best]
    return EarlyStopResult(
        epochs=run.epochs, train_loss=run.train_loss, val_loss=run.val_loss, val_acc=run.val_acc,
        best_epoch=best if best is not None else 0,
        stop_epoch=stop if stop is not None else run.last_eval,
        stopped=stop is not None,
        restored_test_acc=restored, final_test_acc=run.final_test_acc,
        best_state=state, sizes=run.sizes,
        diverged=run.diverged, diverged_at=run.diverged_at,
    )


def run_early_stop(cfg: EarlyStopConfig) -> EarlyStopResult:
    """Train for all ``cfg.epochs`` (so the curve after the stop is visible), while an
    early-stopping rule watches the validation loss: it keeps a copy of the best weights,
    and once ``patience`` epochs pass without improvement it freezes that copy. The page
    caches the two stages apart (``run_early_stop_training``, ``early_stop_result``)."""
    return early_stop_result(run_early_stop_training(early_stop_training_config(cfg)),
                             cfg.patience)


def early_stop_code(cfg: EarlyStopConfig) -> str:
    loop = training_loop_code(epochs=cfg.epochs, eval_every="len(loader)", losses=None, evaluate=f"""
global best_loss, best_epoch, best_state, stop_epoch
val_loss = loss_fn(model(x_val), y_val).item()
val_losses.append(val_loss)
print(f"epoch {{step // len(loader):3d}}  val loss {{val_loss:.4f}}")
if stop_epoch is None:  # a real run would stop at stop_epoch; we go on to see what comes after
    if val_loss < best_loss:  # remember the best weights
        best_loss, best_epoch = val_loss, step // len(loader)
        best_state = copy.deepcopy(model.state_dict())
    elif step // len(loader) - best_epoch >= {cfg.patience}:  # no improvement for that long
        stop_epoch = step // len(loader)""")
    fractions = (*cfg.fractions, 1 - sum(cfg.fractions))
    return f'''{imports_code("copy", loader=True, digits=True)}
seed = {cfg.seed}
{digits_code("x_all", "y_all")}

{split_indices_code("len(y_all)", fractions, "train_idx, val_idx, test_idx")}

{source_code(with_label_noise)}

# {cfg.label_noise:.0%} of the training labels replaced by a wrong class
x_tr, y_tr = x_all[train_idx], with_label_noise(y_all[train_idx], {cfg.label_noise}, seed + 1)
x_val, y_val, x_te, y_te = x_all[val_idx], y_all[val_idx], x_all[test_idx], y_all[test_idx]

{mlp_code(early_stop_spec(cfg))}
loss_fn = nn.CrossEntropyLoss()
optimizer = {optimizer_code("adam", cfg.lr)}
{loader_code("x_tr", "y_tr", cfg.batch_size)}
best_loss, best_epoch, best_state, stop_epoch = math.inf, 0, None, None
val_losses = []


def test_accuracy():
    with torch.no_grad():
        return (model(x_te).argmax(1) == y_te).float().mean().item()


{loop}if diverged_at is None:
    final_test_acc = test_accuracy()
    model.load_state_dict(best_state)  # early stopping: restore the best-validation weights
    restored_test_acc = test_accuracy()
    stop = stop_epoch if stop_epoch is not None else f"never (ran all {cfg.epochs} epochs)"
    print(f"stopped at epoch {{stop}}, best validation epoch {{best_epoch}}: "
          f"test acc {{restored_test_acc:.3f}} (after all {cfg.epochs} epochs: {{final_test_acc:.3f}})")
'''

SAME_PP = 1.0  # test accuracies within 1 percentage point count as the same


def early_claims(result: EarlyStopResult, cfg: EarlyStopConfig) -> list[Claim]:
    """``no_improvement`` (validation loss never beat the untrained model's) or ``stopped``
    (patience ran out) or ``never_stopped``; then ``restored_better`` / ``restored_same`` /
    ``restored_worse`` (test accuracy of the restored weights vs the last epoch's, in %p)."""
    if result.diverged:
        return []
    claims = []
    values = {"best": result.best_epoch, "stop": result.stop_epoch, "patience": cfg.patience,
              "epochs": cfg.epochs}
    if result.best_epoch == 0:
        claims.append(Claim("no_improvement", values))
    elif result.stopped:
        claims.append(Claim("stopped", values))
    else:
        claims.append(Claim("never_stopped", values))
    diff = printed_gap(result.restored_test_acc, result.final_test_acc)  # as printed
    outcome = "better" if diff >= SAME_PP else "worse" if diff <= -SAME_PP else "same"
    claims.append(Claim(f"restored_{outcome}", {
        "best": result.best_epoch, "restored": f"{100 * result.restored_test_acc:.1f}",
        "final": f"{100 * result.final_test_acc:.1f}", "diff": f"{abs(diff):.1f}",
        "n_test": result.sizes[2]}))
    return claims
