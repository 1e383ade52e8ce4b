"""A lab run's points: generated (TensorFlow Playground's generators live in ``core.data``)
or uploaded, shuffled with the seed, split, turned into the chosen input features."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.data import PLAYGROUND_GENERATORS as GENERATORS
from core.lab.config import CSV_DATASET, FEATURES, LabConfig, validate
from core.seeding import make_generator

def feature_matrix(points: torch.Tensor, features: tuple[str, ...]) -> torch.Tensor:
    """(n, 2) points -> (n, len(features)) inputs, columns in FEATURES order (float32)."""
    x1, x2 = points[:, 0], points[:, 1]
    table = {"x1": x1, "x2": x2, "x1_sq": x1 * x1, "x2_sq": x2 * x2, "x1x2": x1 * x2,
             "sin_x1": torch.sin(x1), "sin_x2": torch.sin(x2)}
    return torch.stack([table[f] for f in FEATURES if f in features], 1).float()


@dataclass(frozen=True)
class LabData:
    """Points, split and tensors of one lab run.

    points_train/points_test: (n, 2) float numpy, the plane coordinates (for drawing).
    labels_train/labels_test: numpy; class ids 0..k-1 (classification) or targets (regression).
    x_train/x_test: (n, n_features) float32 tensors (the chosen features).
    y_train/y_test: targets as the loss wants them: (n, 1) float ±1 for "squared"
        classification, (n, 1) float for regression, (n,) long class ids for cross-entropy.
    """

    points_train: np.ndarray
    points_test: np.ndarray
    labels_train: np.ndarray
    labels_test: np.ndarray
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    n_classes: int  # 0 for regression
    problem: str


def _targets(labels: torch.Tensor, cfg: LabConfig) -> torch.Tensor:
    if cfg.problem == "regression":
        return labels.float().reshape(-1, 1)
    if cfg.loss == "squared":
        return (labels.float() * 2 - 1).reshape(-1, 1)  # class 1 -> +1, class 0 -> -1
    return labels.long()


def lab_data_from_points(cfg: LabConfig, points, labels, n_classes: int | None = None
                         ) -> LabData:
    """Shuffle with the seed, split (first floor(n·train_percent/100) train), add features.

    points (n, 2), labels: class ids 0..k-1 or regression targets; n_classes defaults to
    max(label) + 1 for classification."""
    points = torch.as_tensor(np.asarray(points), dtype=torch.float64)
    labels = torch.as_tensor(np.asarray(labels))
    g = make_generator(cfg.seed + 2)  # the shuffle has its own stream (points: seed)
    order = torch.randperm(len(points), generator=g)
    points, labels = points[order], labels[order]
    split = len(points) * cfg.train_percent // 100
    if cfg.problem == "regression":
        n_classes = 0
    elif n_classes is None:
        n_classes = max(2, int(labels.max()) + 1)
    y = _targets(labels, cfg)
    x = feature_matrix(points, cfg.features)
    return LabData(points[:split].float().numpy(), points[split:].float().numpy(),
                   labels[:split].numpy(), labels[split:].numpy(),
                   x[:split], y[:split], x[split:], y[split:], n_classes, cfg.problem)


def make_lab_data(cfg: LabConfig) -> LabData:
    """The generated dataset of ``cfg`` (seeded: the same cfg gives the same points)."""
    validate(cfg)
    if cfg.dataset == CSV_DATASET:
        raise ValueError("uploaded points: use lab_data_from_points")
    g = make_generator(cfg.seed)
    k = cfg.n_classes if cfg.problem == "classification" else 0
    points, labels = GENERATORS[cfg.dataset](cfg.n_points, cfg.noise / 100, k, g)
    return lab_data_from_points(cfg, points, labels, k)
