"""What the page may say about a run: the straight-line probe behind its predict-then-reveal
question, and the notice's claims chosen from a snapshot's numbers."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core.claims import Claim, no_negative_zero
from core.lab.config import LabConfig
from core.lab.session import LabSession, LabSnapshot

# --- the page's predict-then-reveal question: how far does a straight line get? ----------
PROBE_EPOCHS = 40  # full passes; Adam at lr 0.03 has settled on these 2-D sets by then
LINE_ENOUGH = 0.9  # "a straight line classifies at least 90 % of the test points"


@dataclass(frozen=True)
class LinearProbe:
    """A network with no hidden layer on X1 and X2 only, trained on this dataset."""

    test_acc: float  # accuracy on the test points after PROBE_EPOCHS epochs
    chance: float  # 1 / classes: what guessing scores
    enough: bool  # test_acc >= LINE_ENOUGH


def probe_config(cfg: LabConfig) -> LabConfig:
    """The lab's data (dataset, classes, noise, split, seed) with a straight-line model:
    no hidden layer, inputs X1 and X2, cross-entropy, Adam. Only the data fields of ``cfg``
    matter, so every setting of the same data shares one (cached) probe."""
    base = LabConfig()
    return replace(base, problem="classification", dataset=cfg.dataset, n_classes=cfg.n_classes,
                   n_points=cfg.n_points, noise=cfg.noise, train_percent=cfg.train_percent,
                   seed=cfg.seed, features=("x1", "x2"), hidden=(), loss="cross_entropy",
                   optimizer="adam", lr=0.03, init="default", batch_size=10)


def linear_probe(cfg: LabConfig) -> LinearProbe:
    """Train ``probe_config(cfg)`` for PROBE_EPOCHS epochs (through the lab's Trainer)."""
    session = LabSession(probe_config(cfg))
    for _ in range(PROBE_EPOCHS):
        session.step_epoch()
    acc = float(session.snapshot().test_acc)
    return LinearProbe(test_acc=acc, chance=1.0 / cfg.n_classes, enough=acc >= LINE_ENOUGH)


# --- what the notice may say -----------------------------------------------------------
def lab_claims(snap: LabSnapshot) -> list[Claim]:
    """What the /playground notice may say, each chosen from this snapshot's numbers
    (tests/claims/test_playground.py checks each one independently)."""
    if snap.diverged:
        return [Claim("diverged", {"epoch": snap.epoch})]
    if snap.step == 0:
        return [Claim("fresh")]
    claims = []
    first = float(snap.curve_test_loss[0]) if len(snap.curve_test_loss) else float("nan")
    test, train = snap.test_loss, snap.train_loss
    if snap.epoch >= 50 and np.isfinite(first) and test > 0.9 * first:
        claims.append(Claim("not_learning", {"epoch": snap.epoch, "first": no_negative_zero(first),
                                             "now": no_negative_zero(test)}))
    if np.isfinite(test) and test < train:
        claims.append(Claim("test_below", {"test": no_negative_zero(test),
                                           "train": no_negative_zero(train)}))
    elif np.isfinite(test) and test > 1.5 * train and test - train > 0.05:
        claims.append(Claim("gap", {"test": no_negative_zero(test),
                                    "train": no_negative_zero(train)}))
    return claims
