"""Dropout: random masks in train mode, the identity in eval mode, and what it does to overfitting.

Two experiments. ``run_masks`` pushes one input through a small dropout network many times
and records the masks, the outputs and the 1/(1-p) scaling as measured from the layer
itself. ``run_overfit`` trains a big network on a handful of points through
``core.training.train`` and records train vs validation curves, measured in eval mode.
Dropout masks come from torch's global RNG, so every train-mode forward here runs inside
``core.seeding.global_rng`` (train() does that by itself).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.claims import Claim
from core.codegen import imports_code, mlp_code, optimizer_code, training_loop_code
from core.data import make_toy_2d, split_indices, split_indices_code, toy_2d_code
from core.models import MLPSpec, build_mlp
from core.seeding import global_rng
from core.training import classifier_metrics, full_batch, make_optimizer, train

PROBE_INPUT = (0.8, -0.4)  # the one 2-D input pushed through the network again and again
# Widget ranges of the page (the claims tests walk them).
MASK_P_RANGE = (0.05, 0.95)
PASSES_RANGE = (10, 1000)
SEED_RANGE = (0, 99)
FIT_P_RANGE = (0.0, 0.9)


# --- shared code-panel helper -----------------------------------------------------------


# --- 1. masks, scaling and determinism --------------------------------------------------


@dataclass(frozen=True)
class MasksConfig:
    p: float = 0.5  # dropout probability (share of units zeroed in train mode)
    passes: int = 200  # forward passes of the same input in train mode
    width: int = 16  # hidden units, i.e. the size of the dropout layer
    seed: int = 0


@dataclass(frozen=True)
class MasksResult:
    hidden: np.ndarray  # (width,) activation h entering the dropout layer
    masks: np.ndarray  # (passes, width) 1 = unit kept, 0 = zeroed, read off the layer
    kept_fraction: float  # measured share of kept units, ≈ 1 - p
    kept_scale: float  # measured output/input of kept units: 1 / (1 - p)
    mean_dropped: np.ndarray  # (width,) mean dropout output over passes, ≈ h
    mean_unscaled: np.ndarray  # (width,) mean of mask * h without the scaling, ≈ (1 - p) h
    train_outputs: np.ndarray  # (passes,) network output in train mode, one per pass
    eval_outputs: np.ndarray  # (passes,) network output in eval mode, one per pass
    eval_output: float  # the (single) eval-mode output


def masks_spec(cfg: MasksConfig) -> MLPSpec:
    return MLPSpec(in_features=2, hidden=(cfg.width,), out_features=1, activation="tanh",
                   dropout=cfg.p)


def run_masks(cfg: MasksConfig) -> MasksResult:
    """Linear(2→width) → tanh → Dropout(p) → Linear(width→1), one input, many passes.

    tanh (not ReLU) so no unit is exactly 0 before dropout: a zero after the layer then
    means "dropped", and the masks can be read off the layer's real input and output.
    The head is linear after dropout, so E[train output] equals the eval output exactly.
    """
    model = build_mlp(masks_spec(cfg), seed=cfg.seed)
    x = torch.tensor([PROBE_INPUT])  # (1, 2)
    seen: list[tuple[torch.Tensor, torch.Tensor]] = []
    drop = getattr(model, "drop1", None)
    tap = model.act1 if drop is None else drop

    def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        seen.append((inputs[0].detach()[0] if drop is not None else output.detach()[0],
                     output.detach()[0]))

    handle = tap.register_forward_hook(hook)
    train_out, eval_out = [], []
    with torch.no_grad(), global_rng(cfg.seed):
        model.train()
        for _ in range(cfg.passes):
            train_out.append(float(model(x)))
        model.eval()
        for _ in range(cfg.passes):
            eval_out.append(float(model(x)))
    handle.remove()
    ins = torch.stack([i for i, _ in seen[: cfg.passes]])  # (passes, width)
    outs = torch.stack([o for _, o in seen[: cfg.passes]])
    kept = outs != 0
    h = ins[0]
    return MasksResult(
        hidden=h.numpy(),
        masks=kept.float().numpy(),
        kept_fraction=float(kept.float().mean()),
        kept_scale=float((outs[kept] / ins[kept]).mean()) if kept.any() else float("nan"),
        mean_dropped=outs.mean(0).numpy(),
        mean_unscaled=(kept.float() * h).mean(0).numpy(),
        train_outputs=np.array(train_out),
        eval_outputs=np.array(eval_out),
        eval_output=eval_out[0],
    )


def masks_claims(result: MasksResult, p: float) -> list[Claim]:
    """What the notice under the masks may say."""
    n = len(result.train_outputs)
    mean = float(result.train_outputs.mean())
    sem = float(result.train_outputs.std()) / n**0.5
    ratio = float((result.mean_dropped / result.hidden).mean())
    claims = [Claim("scaling", {"scale": result.kept_scale, "p": p,
                                "kept": result.kept_fraction, "expected": 1 - p})]
    values = {"mean": mean, "sem": sem, "ev": result.eval_output}
    claims.append(Claim("mean_matches" if abs(mean - result.eval_output) <= 2 * sem
                        else "mean_off", values))
    unit = {"ratio": ratio, "unscaled": float((result.mean_unscaled / result.hidden).mean())}
    claims.append(Claim("unit_close" if abs(ratio - 1) < 0.1 else "unit_noisy", unit))
    if len(set(result.eval_outputs.tolist())) == 1:
        claims.append(Claim("eval_same", {"n": len(result.eval_outputs)}))
    return claims


def masks_code(cfg: MasksConfig) -> str:
    return f'''{imports_code()}
seed, p, passes = {cfg.seed}, {cfg.p}, {cfg.passes}
{mlp_code(MLPSpec(hidden=(cfg.width,), out_features=1, activation="tanh", dropout=cfg.p))}
x = torch.tensor([{list(PROBE_INPUT)}])  # the same input every time, shape (1, 2)
with torch.no_grad():
    h = model[1](model[0](x))[0]  # what enters the dropout layer (tanh: no exact zeros)

outs = []  # the dropout layer's output on every train-mode pass
handle = model[2].register_forward_hook(lambda m, i, o: outs.append(o[0].clone()))
torch.manual_seed(seed)  # dropout masks come from the global generator
model.train()            # dropout ON
with torch.no_grad():
    train_out = [model(x).item() for _ in range(passes)]
handle.remove()
model.eval()             # dropout OFF: the identity
with torch.no_grad():
    eval_out = [model(x).item() for _ in range(passes)]

outs = torch.stack(outs)  # (passes, width)
kept = outs != 0          # the masks: True = kept
print("kept fraction :", round(kept.float().mean().item(), 4), " (1 - p =", round(1 - p, 4), ")")
print("kept scale    :", round((outs / h)[kept].mean().item(), 4),
      " (1/(1-p) =", round(1 / (1 - p), 4), ")")
print("mean dropout output / h :", [round(v, 2) for v in (outs.mean(0) / h).tolist()])
print("without 1/(1-p)         :", [round(v, 2) for v in (kept.float().mean(0)).tolist()])
print("train outputs: mean", round(sum(train_out) / passes, 4),
      "min", round(min(train_out), 4), "max", round(max(train_out), 4))
print("eval outputs : all equal?", len(set(eval_out)) == 1, " value", round(eval_out[0], 4))
'''


# --- 2. overfitting with and without dropout --------------------------------------------


@dataclass(frozen=True)
class OverfitConfig:
    p: float = 0.5  # dropout probability after each hidden layer
    n_train: int = 30  # training points: few, so a big network can memorise them
    n_val: int = 400  # validation points from the same distribution
    width: int = 256  # units per hidden layer (big on purpose)
    depth: int = 2  # hidden layers
    steps: int = 300  # full-batch Adam steps
    lr: float = 0.01  # Adam learning rate
    noise: float = 0.3  # label-independent noise on the moons
    eval_every: int = 10  # steps between train/validation measurements
    seed: int = 0


@dataclass(frozen=True)
class OverfitResult:
    steps: np.ndarray  # (evals,) step of each measurement, 0 = before training
    train_loss: np.ndarray  # (evals,) cross-entropy on the training set, eval mode
    val_loss: np.ndarray  # (evals,) the same on the validation set
    train_acc: np.ndarray  # (evals,)
    val_acc: np.ndarray  # (evals,)
    diverged: bool
    diverged_at: int | None


def overfit_spec(cfg: OverfitConfig) -> MLPSpec:
    return MLPSpec(in_features=2, hidden=(cfg.width,) * cfg.depth, out_features=2,
                   activation="relu", dropout=cfg.p)


def run_overfit(cfg: OverfitConfig) -> OverfitResult:
    """Train on ``n_train`` noisy moons, measure train and validation loss in eval mode."""
    data = make_toy_2d("moons", n=cfg.n_train + cfg.n_val, noise=cfg.noise, seed=cfg.seed)
    n = cfg.n_train + cfg.n_val
    train_idx, val_idx = split_indices(n, (cfg.n_train / n, cfg.n_val / n), seed=cfg.seed)
    xt, yt, xv, yv = data.x[train_idx], data.y[train_idx], data.x[val_idx], data.y[val_idx]
    model = build_mlp(overfit_spec(cfg), seed=cfg.seed)
    loss_fn = nn.CrossEntropyLoss()

    evaluate = classifier_metrics(train=(xt, yt), val=(xv, yv))  # run in eval + no_grad

    history = train(model, loss_fn, make_optimizer("adam", model.parameters(), lr=cfg.lr),
                    full_batch(xt, yt), epochs=cfg.steps, evaluate=evaluate,
                    eval_every=cfg.eval_every, seed=cfg.seed)
    m = history.eval_metrics
    return OverfitResult(
        steps=np.array(history.eval_steps), train_loss=np.array(m["train_loss"]),
        val_loss=np.array(m["val_loss"]), train_acc=np.array(m["train_acc"]),
        val_acc=np.array(m["val_acc"]), diverged=history.diverged,
        diverged_at=history.diverged_at,
    )


def overfit_claims(fit: OverfitResult, base: OverfitResult, p: float) -> list[Claim]:
    """What the overfitting notice may say: ``fit`` at dropout ``p``, ``base`` without."""
    claims = []
    t0, v0 = float(base.train_loss[-1]), float(base.val_loss[-1])
    if base.diverged or fit.diverged:
        return [Claim("diverged", {})]
    if base.train_acc[-1] == 1.0 and v0 > 10 * t0:
        claims.append(Claim("memorised", {"t0": t0, "v0": v0}))
    if p == 0:
        claims.append(Claim("same_run", {}))
        return claims
    gap, gap0 = float(fit.val_loss[-1] - fit.train_loss[-1]), float(v0 - t0)
    claims.append(Claim("gap_smaller" if gap < gap0 else "gap_larger",
                        {"p": p, "gap": gap, "gap0": gap0}))
    # The difference of the two accuracies as printed (0.1 %), so the sentence adds up.
    shown, shown0 = round(100 * float(fit.val_acc[-1]), 1), round(100 * float(base.val_acc[-1]), 1)
    diff_pp = round(shown - shown0, 1)
    key = "acc_higher" if diff_pp > 0 else "acc_lower" if diff_pp < 0 else "acc_equal"
    claims.append(Claim(key, {"acc": float(fit.val_acc[-1]), "acc0": float(base.val_acc[-1]),
                              "diff": abs(diff_pp)}))
    train, train0 = float(fit.train_acc[-1]), float(base.train_acc[-1])
    val0 = float(base.val_acc[-1])
    # Missing a few noisy training points is dropout doing its job, not underfitting; the
    # word is kept for a network that fits its own training points no better than the
    # dropout-free network fits points it never saw.
    if train <= val0:
        claims.append(Claim("underfits", {"train_acc": train, "val_acc0": val0}))
    elif train < train0:
        claims.append(Claim("train_below", {"p": p, "train_acc": train, "train_acc0": train0}))
    return claims


MEASURE_CODE = """lt, lv = model(xt), model(xv)
print(f"step {step:4d}  train loss {loss_fn(lt, yt).item():.4f}  "
      f"val loss {loss_fn(lv, yv).item():.4f}  "
      f"train acc {(lt.argmax(1) == yt).float().mean().item():.3f}  "
      f"val acc {(lv.argmax(1) == yv).float().mean().item():.3f}")"""


def overfit_code(cfg: OverfitConfig) -> str:
    n = cfg.n_train + cfg.n_val
    return f'''{imports_code()}
n, noise, seed = {n}, {cfg.noise}, {cfg.seed}
# Data: {n} noisy two-moons points; {cfg.n_train} for training, the rest for validation
{toy_2d_code("moons", n, cfg.noise, cfg.seed).split(chr(10), 1)[1]}

{split_indices_code("n", (cfg.n_train / n, cfg.n_val / n), "train_idx, val_idx")}xt, yt, xv, yv = x[train_idx], y[train_idx], x[val_idx], y[val_idx]

# Model: {cfg.depth} x {cfg.width} ReLU units, Dropout(p={cfg.p}) after each
{mlp_code(MLPSpec(hidden=(cfg.width,) * cfg.depth, dropout=cfg.p))}
loss_fn = nn.CrossEntropyLoss()
optimizer = {optimizer_code("adam", cfg.lr)}


{training_loop_code(epochs=cfg.steps, batches="[(xt, yt)]", eval_every=cfg.eval_every,
                    losses=None, dropout_seed="seed", evaluate=MEASURE_CODE)}'''
