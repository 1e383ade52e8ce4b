"""Data augmentation on the real 8x8 digits, section 2: training with vs without it.

``run_training``: a small MLP on a small subset, with vs without augmentation (the transforms of
``core.augmentation.gallery``); train and validation curves, plus accuracy on rotated / shifted
validation sets (robustness).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from core.augmentation.gallery import (
    SIZE, TEST_ANGLES, TEST_SHIFTS, AugmentSpec, affine, augment, augment_code,
)
from core.claims import Claim, printed_gap
from core.codegen import (
    digits_code, imports_code, indent, mlp_code, optimizer_code, source_code, training_loop_code,
)
from core.data import load_digits, split_indices
from core.models import MLPSpec, build_mlp
from core.seeding import make_generator, prepare_thread
from core.training import (
    ResumableRuns, StepInfo, Trainer, classifier_metrics, make_optimizer, train,
)

# --- 2. training with vs without augmentation ----------------------------------------------


@dataclass(frozen=True)
class TrainingConfig:
    n_train: int = 100  # a deliberately small training subset
    n_val: int = 500  # held-out digits
    spec: AugmentSpec = AugmentSpec()
    epochs: int = 60
    batch_size: int = 20
    lr: float = 0.01  # Adam
    hidden: int = 64
    seed: int = 0


@dataclass(frozen=True)
class TrainingRun:
    eval_epochs: np.ndarray  # (evals,) epoch of each evaluation (0 = init)
    train_accuracy: np.ndarray  # on the original (un-augmented) training images
    val_accuracy: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    rotated_accuracy: np.ndarray  # (len(TEST_ANGLES),) on the rotated validation set
    shifted_accuracy: np.ndarray  # (len(TEST_SHIFTS),) on the shifted validation set
    diverged: bool
    diverged_at: int | None


def training_spec(cfg: TrainingConfig) -> MLPSpec:
    return MLPSpec(in_features=64, hidden=(cfg.hidden,), out_features=10, activation="relu")


class AugmentedBatches:
    """Shuffled mini-batches, re-augmented each epoch, all drawn from one generator."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int,
                 spec: AugmentSpec | None, seed: int,
                 on_epoch: Callable[[], None] | None = None) -> None:
        self.x, self.y, self.batch_size, self.spec = x, y, batch_size, spec
        self.g, self.on_epoch = make_generator(seed), on_epoch

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        if self.on_epoch is not None:
            self.on_epoch()
        perm = torch.randperm(len(self.x), generator=self.g)
        for idx in perm.split(self.batch_size):
            images = self.x[idx]  # (b, 1, 8, 8)
            if self.spec is not None:
                images = augment(images, self.spec, self.g)
            yield images.flatten(1), self.y[idx]


def image_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x.flatten(1)).argmax(1) == y).float().mean())


IDENTITY = AugmentSpec(rotation=0.0, translate=0.0, scale=0.0)


def training_stages(cfg: TrainingConfig) -> tuple[TrainingConfig, TrainingConfig]:
    """The configs of the two runs ``run_training`` combines, each cached on its own: "plain"
    never depends on the augmentation sliders (its config carries the identity spec), and an
    identity augmentation is the plain run itself (the same config, computed once)."""
    plain = replace(cfg, spec=IDENTITY)
    return plain, plain if cfg.spec.identity else cfg


def _training_data(cfg: TrainingConfig) -> tuple[torch.Tensor, ...]:
    """(train images, train labels, validation images, validation labels), images (n, 1, 8, 8)."""
    digits = load_digits()
    n = len(digits.labels)
    train_idx, val_idx, _ = split_indices(
        n, (cfg.n_train / n, cfg.n_val / n, 1 - (cfg.n_train + cfg.n_val) / n), seed=cfg.seed)
    x, y = digits.images / 16, digits.labels  # (n, 1, 8, 8) in [0, 1]
    return x[train_idx], y[train_idx], x[val_idx], y[val_idx]


# Kept runs by everything but the number of epochs: the Epochs slider moved up continues a
# kept run, moved down cuts it (its History, and the weights it had after that epoch, kept
# by a callback at each epoch's end: the robustness curves need the model at the end).
_TRAINING_RUNS = ResumableRuns(max_entries=8)


def _training_trainer(cfg: TrainingConfig) -> tuple[Trainer, dict[int, dict]]:
    xt, yt, xv, yv = _training_data(cfg)
    evaluate = classifier_metrics(train=(xt.flatten(1), yt), val=(xv.flatten(1), yv))
    # An identity spec trains exactly like "plain" (no draws: the same batches, same curves).
    spec = None if cfg.spec.identity else cfg.spec
    model = build_mlp(training_spec(cfg), seed=cfg.seed)
    batches = AugmentedBatches(xt, yt, cfg.batch_size, spec, cfg.seed)
    weights: dict[int, dict] = {}  # epoch -> the model's weights after it
    steps_per_epoch = len(batches)

    def keep_weights(info: StepInfo) -> None:
        if info.step % steps_per_epoch == 0:
            weights[info.step // steps_per_epoch] = {
                k: v.detach().clone() for k, v in info.model.state_dict().items()}

    trainer = Trainer(model, nn.CrossEntropyLoss(),
                      make_optimizer("adam", model.parameters(), cfg.lr), batches,
                      evaluate=evaluate, eval_every=steps_per_epoch, seed=cfg.seed,
                      callbacks=[keep_weights])
    return trainer, weights


def run_training_run(cfg: TrainingConfig,
                     _on_progress: Callable[[float], None] | None = None) -> TrainingRun:
    """One model trained on ``n_train`` digits, with ``cfg.spec``'s random affine augmentation
    (none for an identity spec). ``_on_progress(fraction)`` per epoch. A kept run of the same
    config with other epochs is continued or cut: the numbers of one run of ``cfg.epochs``."""
    prepare_thread()
    _, _, xv, yv = _training_data(cfg)
    steps_per_epoch = -(-cfg.n_train // cfg.batch_size)
    total = steps_per_epoch * cfg.epochs

    def progress(info: StepInfo) -> None:
        if _on_progress is not None and info.step % steps_per_epoch == 0:
            _on_progress(min(info.step / total, 1.0))

    def final_model(kept: tuple[Trainer, dict[int, dict]]) -> nn.Module:
        """The weights a run of cfg.epochs ended with (read under the kept run's lock)."""
        trainer, weights = kept
        if trainer.stopped and trainer.step_count < total:  # diverged before: where it stopped
            state = trainer.model.state_dict()
        else:
            state = weights[cfg.epochs]
        model = build_mlp(training_spec(cfg), seed=cfg.seed)
        model.load_state_dict(state)
        return model.eval()

    h, model = _TRAINING_RUNS.history(replace(cfg, epochs=0), lambda: _training_trainer(cfg),
                                      cfg.epochs, [progress], read=final_model)
    m = h.eval_metrics
    if _on_progress is not None:
        _on_progress(1.0)
    return TrainingRun(
        eval_epochs=np.array(h.eval_steps) / steps_per_epoch,
        train_accuracy=np.array(m["train_acc"]), val_accuracy=np.array(m["val_acc"]),
        train_loss=np.array(m["train_loss"]), val_loss=np.array(m["val_loss"]),
        rotated_accuracy=np.array([image_accuracy(model, affine(xv, a, 0, 0, 1), yv)
                                   for a in TEST_ANGLES]),
        shifted_accuracy=np.array([image_accuracy(model, affine(xv, 0, s, 0, 1), yv)
                                   for s in TEST_SHIFTS]),
        diverged=h.diverged, diverged_at=h.diverged_at)


def run_training_run_fresh(cfg: TrainingConfig) -> TrainingRun:
    """The same run from scratch with ``core.training.train`` (nothing kept): the reference
    the kept runs are tested against."""
    prepare_thread()
    xt, yt, xv, yv = _training_data(cfg)
    evaluate = classifier_metrics(train=(xt.flatten(1), yt), val=(xv.flatten(1), yv))
    spec = None if cfg.spec.identity else cfg.spec
    model = build_mlp(training_spec(cfg), seed=cfg.seed)
    batches = AugmentedBatches(xt, yt, cfg.batch_size, spec, cfg.seed)
    h = train(model, nn.CrossEntropyLoss(), make_optimizer("adam", model.parameters(), cfg.lr),
              batches, epochs=cfg.epochs, evaluate=evaluate, eval_every=len(batches),
              seed=cfg.seed)
    model.eval()
    m = h.eval_metrics
    return TrainingRun(
        eval_epochs=np.array(h.eval_steps) / len(batches),
        train_accuracy=np.array(m["train_acc"]), val_accuracy=np.array(m["val_acc"]),
        train_loss=np.array(m["train_loss"]), val_loss=np.array(m["val_loss"]),
        rotated_accuracy=np.array([image_accuracy(model, affine(xv, a, 0, 0, 1), yv)
                                   for a in TEST_ANGLES]),
        shifted_accuracy=np.array([image_accuracy(model, affine(xv, 0, s, 0, 1), yv)
                                   for s in TEST_SHIFTS]),
        diverged=h.diverged, diverged_at=h.diverged_at)


def run_training(cfg: TrainingConfig,
                 _on_progress: Callable[[float], None] | None = None) -> dict[str, TrainingRun]:
    """The same MLP (same initial weights) trained on ``n_train`` digits without ("plain")
    and with ("augmented") random affine augmentation. ``_on_progress(fraction)`` per epoch.
    The page caches the two stages separately (``training_stages``, ``run_training_run``)."""
    plain_cfg, aug_cfg = training_stages(cfg)

    def part(offset: float) -> Callable[[float], None] | None:
        if _on_progress is None:
            return None
        return lambda fraction: _on_progress(min(offset + fraction / 2, 1.0))

    plain = run_training_run(plain_cfg, part(0.0))
    aug = plain if aug_cfg == plain_cfg else run_training_run(aug_cfg, part(0.5))
    if _on_progress is not None:
        _on_progress(1.0)
    return {"plain": plain, "augmented": aug}


def training_code(cfg: TrainingConfig) -> str:
    s = cfg.spec
    loop = training_loop_code(
        epochs=cfg.epochs, batches="batches(augmented)", losses=None,
        loss_fn="nn.functional.cross_entropy",
        on_diverge='print(f"{name:>9}: diverged at step {diverged_at}")\ncontinue')
    return f'''{imports_code("affine", digits=True)}
seed, rotation, translate, scale = {cfg.seed}, {s.rotation!r}, {s.translate!r}, {s.scale!r}
{digits_code()}x = x.reshape(-1, 1, 8, 8)  # images (1797, 1, 8, 8) for the transforms
perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
train_idx, val_idx = perm[:{cfg.n_train}], perm[{cfg.n_train}:{cfg.n_train + cfg.n_val}]
xt, yt, xv, yv = x[train_idx], y[train_idx], x[val_idx], y[val_idx]


{augment_code()}


def augment(images, g):  # a random rotation / shift / zoom per image, drawn from g
    params = sample_params(len(images), rotation, translate, scale, g)
    return torch.stack([affine(img, *p) for img, p in zip(images, params.tolist())])


{source_code(image_accuracy)}


def batches(augmented):  # one epoch: shuffled batches, each augmented afresh
    for idx in torch.randperm(len(xt), generator=g).split({cfg.batch_size}):
        images = augment(xt[idx], g) if augmented else xt[idx]
        yield images.flatten(1), yt[idx]


for name, augmented in [("plain", False), ("augmented", {not s.identity})]:
{indent(mlp_code(training_spec(cfg)))}    optimizer = {optimizer_code("adam", cfg.lr)}
    g = torch.Generator().manual_seed(seed)  # shuffling and augmentation draws
{indent(loop)}    model.eval()
    train_acc, val_acc = image_accuracy(model, xt, yt), image_accuracy(model, xv, yv)
    rotated = [image_accuracy(model, affine(xv, a, 0, 0, 1), yv) for a in {list(TEST_ANGLES)}]
    print(f"{{name:>9}}: train acc {{train_acc:.4f}}, val acc {{val_acc:.4f}}, "
          f"gap {{train_acc - val_acc:.4f}}, rotated {{[round(r, 4) for r in rotated]}}")
'''


# --- what the sections show (claims for the "what to notice" boxes) ------------------------

SAME_PP = 1.0  # accuracies within 1 percentage point (5 of 500 digits) count as the same
UNDERFIT_PP = 5.0  # augmented training accuracy this far below plain's: it underfits

def _pp(a: float, b: float) -> str:
    """a − b in percentage points between the printed (one-decimal) percentages, no sign."""
    return f"{abs(printed_gap(a, b, 1)):.1f}"


def training_claims(runs: dict[str, TrainingRun], cfg: TrainingConfig) -> list[Claim]:
    """What the plain and augmented runs show, each measured:

    ``identical`` (identity augmentation: the same run twice) — then nothing else;
    ``memorised`` (plain fits its training digits, ≥ 99 %, and validation loss is above
    training loss); ``gap_shrinks`` / ``gap_shrinks_val_up`` (validation loss rose) /
    ``gap_grows`` (validation − training loss);
    ``underfits`` (augmented training accuracy on the originals ≥ 5 %p below plain's);
    ``acc_up`` / ``acc_same`` / ``acc_down`` (clean validation accuracy, in %p and digits).
    """
    plain, aug = runs["plain"], runs["augmented"]
    if plain.diverged or aug.diverged:
        return []
    if cfg.spec.identity:
        return [Claim("identical", {"acc": f"{100 * plain.val_accuracy[-1]:.1f}"})]
    claims: list[Claim] = []
    if plain.train_accuracy[-1] >= 0.99 and plain.val_loss[-1] > plain.train_loss[-1]:
        claims.append(Claim("memorised", {"train_acc": f"{100 * plain.train_accuracy[-1]:.1f}",
                                          "train_loss": f"{plain.train_loss[-1]:.3f}",
                                          "val_loss": f"{plain.val_loss[-1]:.3f}"}))
    gaps = {k: r.val_loss[-1] - r.train_loss[-1] for k, r in runs.items()}
    # A gap that shrinks while the validation loss rises is the training loss catching up from
    # below (underfitting), not less overfitting: the sentence says which.
    gap_id = ("gap_grows" if gaps["augmented"] >= gaps["plain"]
              else "gap_shrinks" if aug.val_loss[-1] <= plain.val_loss[-1] else "gap_shrinks_val_up")
    claims.append(Claim(gap_id, {
        "plain": f"{gaps['plain']:.3f}", "aug": f"{gaps['augmented']:.3f}",
        "plain_val": f"{plain.val_loss[-1]:.3f}", "aug_val": f"{aug.val_loss[-1]:.3f}"}))
    if 100 * (plain.train_accuracy[-1] - aug.train_accuracy[-1]) >= UNDERFIT_PP:
        claims.append(Claim("underfits", {
            "plain": f"{100 * plain.train_accuracy[-1]:.1f}",
            "aug": f"{100 * aug.train_accuracy[-1]:.1f}",
            "diff": _pp(plain.train_accuracy[-1], aug.train_accuracy[-1])}))
    diff = 100 * (aug.val_accuracy[-1] - plain.val_accuracy[-1])
    values = {"plain": f"{100 * plain.val_accuracy[-1]:.1f}",
              "aug": f"{100 * aug.val_accuracy[-1]:.1f}",
              "diff": _pp(aug.val_accuracy[-1], plain.val_accuracy[-1]),
              "digits": abs(int(round(diff / 100 * cfg.n_val))), "n_val": cfg.n_val}
    claims.append(Claim("acc_up" if diff >= SAME_PP else "acc_down" if diff <= -SAME_PP
                        else "acc_same", values))
    return claims


ROBUST_ANGLE, ROBUST_SHIFT = 20, 1  # the transformed test sets a notice quotes


def robust_claims(runs: dict[str, TrainingRun], cfg: TrainingConfig) -> list[Claim]:
    """At 20° rotation and at a 1-pixel shift: ``<kind>_better`` / ``_same`` / ``_worse``
    (augmented vs plain, in %p); ``trained_on`` the ranges the augmented model saw."""
    plain, aug = runs["plain"], runs["augmented"]
    if plain.diverged or aug.diverged:
        return []
    if cfg.spec.identity:
        return [Claim("identical", {})]
    claims = []
    for kind, values, index in (
            ("rot", "rotated_accuracy", TEST_ANGLES.index(ROBUST_ANGLE)),
            ("shift", "shifted_accuracy", TEST_SHIFTS.index(ROBUST_SHIFT))):
        p, a = getattr(plain, values)[index], getattr(aug, values)[index]
        diff = 100 * (a - p)
        outcome = "better" if diff >= SAME_PP else "worse" if diff <= -SAME_PP else "same"
        claims.append(Claim(f"{kind}_{outcome}", {
            "plain": f"{100 * p:.1f}", "aug": f"{100 * a:.1f}", "diff": _pp(a, p),
            "angle": ROBUST_ANGLE, "pixels": ROBUST_SHIFT}))
    claims.append(Claim("trained_on", {"rotation": f"{cfg.spec.rotation:g}",
                                       "pixels": f"{cfg.spec.translate * SIZE:.1f}",
                                       "zoom": f"{100 * cfg.spec.scale:g}"}))
    return claims
