"""Input normalization on the real 8x8 digits: the same MLP with pixels 0..16, /16 or
standardized (``run_pixels``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from core.claims import Claim, printed_gap
from core.codegen import digits_code, imports_code, indent, loader_code, mlp_code, optimizer_code, source_code, training_loop_code
from core.data import load_digits, split_indices, split_indices_code
from core.models import MLPSpec, build_mlp
from core.seeding import prepare_thread
from core.training import (
    ResumableRuns, Trainer, classifier_metrics, make_loader,
    make_optimizer,
)


PIXEL_SCALINGS = ("raw", "divide", "standard")

# --- 3. pixel scaling on the real digits ----------------------------------------------------


@dataclass(frozen=True)
class PixelsConfig:
    lr: float = 0.1  # SGD learning rate, the same for every scaling
    epochs: int = 8
    batch_size: int = 64
    hidden: int = 32  # units of the one hidden layer
    seed: int = 0


@dataclass(frozen=True)
class PixelRun:
    val_steps: np.ndarray  # (evals,) step of each evaluation
    val_accuracy: np.ndarray  # (evals,)
    val_loss: np.ndarray  # (evals,)
    train_loss: np.ndarray  # (steps,)
    input_range: tuple[float, float]  # min and max of the training inputs
    diverged: bool
    diverged_at: int | None


def pixel_spec(cfg: PixelsConfig) -> MLPSpec:
    return MLPSpec(in_features=64, hidden=(cfg.hidden,), out_features=10, activation="relu")


def scale_pixels(x: torch.Tensor, train_x: torch.Tensor, scaling: str) -> torch.Tensor:
    """raw: 0..16; divide: /16 → 0..1; standard: (x − mean) / std of the training pixels."""
    if scaling == "raw":
        return x
    if scaling == "divide":
        return x / 16
    if scaling == "standard":
        return (x - train_x.mean()) / train_x.std()
    raise ValueError(f"unknown pixel scaling {scaling!r}")


_PIXEL_RUNS = ResumableRuns(max_entries=24)  # 3 scalings × 8 (lr, …) settings


def _pixel_trainer(cfg: PixelsConfig, scaling: str) -> Trainer:
    digits = load_digits()
    x, y = digits.images.flatten(1), digits.labels  # (1797, 64), (1797,)
    train_idx, val_idx = split_indices(len(y), (0.7, 0.3), seed=cfg.seed)
    xt = scale_pixels(x[train_idx], x[train_idx], scaling)
    xv = scale_pixels(x[val_idx], x[train_idx], scaling)
    model = build_mlp(pixel_spec(cfg), seed=cfg.seed)
    loader = make_loader(xt, y[train_idx], cfg.batch_size, seed=cfg.seed)
    return Trainer(model, nn.CrossEntropyLoss(), make_optimizer("sgd", model.parameters(), cfg.lr),
                   loader, evaluate=classifier_metrics(val=(xv, y[val_idx])),
                   eval_every=len(loader), seed=cfg.seed)


def run_pixels(cfg: PixelsConfig) -> dict[str, PixelRun]:
    """The same MLP (same initial weights, same batches) trained on each pixel scaling.

    Each scaling's run continues the kept Trainer of the same settings with fewer epochs
    (the Epochs slider moved up) or is cut from a longer one (it moved down): the numbers of
    one run of ``cfg.epochs`` epochs (core.home.ResumableRuns)."""
    prepare_thread()
    digits = load_digits()
    x = digits.images.flatten(1)
    train_idx, _ = split_indices(len(digits.labels), (0.7, 0.3), seed=cfg.seed)
    out = {}
    for scaling in PIXEL_SCALINGS:
        h, _ = _PIXEL_RUNS.history((replace(cfg, epochs=0), scaling),
                                   lambda scaling=scaling: _pixel_trainer(cfg, scaling), cfg.epochs)
        xt = scale_pixels(x[train_idx], x[train_idx], scaling)
        out[scaling] = PixelRun(
            val_steps=np.array(h.eval_steps), val_accuracy=np.array(h.eval_metrics["val_acc"]),
            val_loss=np.array(h.eval_metrics["val_loss"]), train_loss=np.array(h.train_loss),
            input_range=(float(xt.min()), float(xt.max())), diverged=h.diverged,
            diverged_at=h.diverged_at)
    return out


PIXELS_LOOP_CODE = training_loop_code(
    epochs="epochs", eval_every="len(loader)", losses=None,
    loss_fn="nn.functional.cross_entropy",
    evaluate="""logits = model(xv)
curve.append(((logits.argmax(1) == y[val_idx]).float().mean().item(),
              nn.functional.cross_entropy(logits, y[val_idx]).item()))""",
    on_diverge='print(f"{scaling:>8}: diverged at step {diverged_at}")')


def pixels_code(cfg: PixelsConfig) -> str:
    return f'''{imports_code(loader=True, digits=True)}
seed, epochs = {cfg.seed}, {cfg.epochs}
{digits_code(scaled=False)}

{split_indices_code("len(y)", (0.7, 0.3), "train_idx, val_idx")}

{source_code(scale_pixels)}

for scaling in ["raw", "divide", "standard"]:  # standard: statistics of the training pixels only
    xt = scale_pixels(x[train_idx], x[train_idx], scaling)
    xv = scale_pixels(x[val_idx], x[train_idx], scaling)
{indent(mlp_code(pixel_spec(cfg)))}    optimizer = {optimizer_code("sgd", cfg.lr)}
{indent(loader_code("xt", "y[train_idx]", cfg.batch_size))}    curve = []  # (validation accuracy, loss) before training and after every epoch

{indent(PIXELS_LOOP_CODE)}    if diverged_at is None:
        print(f"{{scaling:>8}}: validation accuracy {{curve[-1][0]:.4f}}, loss {{curve[-1][1]:.4f}}")
'''

SAME_PP = 1.0  # accuracies within 1 percentage point count as the same
DIGIT_CLASSES = 10  # /pixels: chance is 1 in 10
NEAR_CHANCE_PP = 5.0  # a final accuracy within 5 points of 10 % has learned nothing yet


def pixels_claims(runs: dict[str, PixelRun]) -> list[Claim]:
    """``best`` (highest final validation accuracy), then about raw pixels: ``raw_diverged``,
    ``raw_behind`` (>= 1 percentage point below the best, with the gap in %p) or
    ``raw_close``."""
    final = {s: 100 * float(r.val_accuracy[-1]) for s, r in runs.items() if not r.diverged}
    claims: list[Claim] = []
    best = None
    if final:
        best = max(final, key=lambda s: (final[s], s))
        claims.append(Claim("best", {"name": best, "acc": f"{final[best]:.1f}"}))
    chance = 100 / DIGIT_CLASSES
    for name in PIXEL_SCALINGS:  # the best one's number alone would hide that others learned nothing
        if name in final and name != best and abs(final[name] - chance) <= NEAR_CHANCE_PP:
            said = any(c.id == "at_chance" for c in claims)  # the second one is said shorter
            claims.append(Claim("at_chance_too" if said else "at_chance", {
                "name": name, "acc": f"{final[name]:.1f}", "chance": f"{chance:.0f}"}))
    if runs["raw"].diverged:
        claims.append(Claim("raw_diverged", {"step": runs["raw"].diverged_at}))
        return claims
    gap = printed_gap(final[best] / 100, final["raw"] / 100)  # so "94.4% … 46.8% … 47.6" adds up
    if final["raw"] <= final[best] - SAME_PP:
        claims.append(Claim("raw_behind", {"raw": f"{final['raw']:.1f}", "gap": f"{gap:.1f}"}))
    elif best != "raw":
        claims.append(Claim("raw_close", {"raw": f"{final['raw']:.1f}", "gap": f"{gap:.1f}"}))
    return claims
