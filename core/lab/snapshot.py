"""What a lab tick reports (``TickResult``) and what the page draws (``LabSnapshot``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.lab.config import EXTENT, GRID

@dataclass(frozen=True)
class TickResult:
    steps: int  # optimizer steps taken in this call
    epochs: float  # epochs advanced (fractional)
    seconds: float  # wall time spent training
    paused: str | None  # None, or why playing should stop: "epoch_cap", "plateau",
    # "diverged", "idle"


@dataclass(frozen=True)
class LabSnapshot:
    """Everything the page draws, frozen (numpy arrays; nothing refers to the live model).

    epoch: completed epochs; epoch_fraction: plus the share of the current one; step:
        optimizer steps so far.
    train_loss, test_loss: the loss on all train / test points now (eval mode).
    train_acc, test_acc: accuracy (classification; None for regression).
    curve_epochs, curve_train_loss, curve_test_loss (+ curve_train_acc, curve_test_acc for
        classification, else None): per completed epoch, starting with epoch 0 (before
        training); decimated to at most MAX_CURVE entries.
    grid: (GRID,) coordinates of the heatmap's columns (x1) and rows (x2), -EXTENT..EXTENT.
    grid_output: (GRID, GRID), row i = x2 grid[i], column j = x1 grid[j]. Squared loss /
        regression: the network's output; cross-entropy with 2 classes: p(1) − p(0) in
        [-1, 1]; 3+ classes: the winning class's probability.
    grid_class: (GRID, GRID) int predicted class (classification), else None.
    grid_probs: (GRID, GRID, k) class probabilities (cross-entropy), else None.
    thumb_grid: (THUMB,) coordinates of the thumbnails (every GRID // THUMB-th grid point).
    neuron_outputs: one (width, THUMB, THUMB) array per hidden layer, each neuron's output
        (after its activation) over the plane; feature_outputs: (n_features, THUMB, THUMB).
    weights, biases: per nn.Linear layer (input side first), (out, in) and (out,) arrays;
        dead: matching bool masks of weights L1 fixed at 0.
    confusion: (k, k) counts on the test points, rows = true class, columns = predicted
        (classification, else None); confusion_train likewise on the train points.
    diverged: the loss became NaN/Inf or exploded; lr: the learning rate in use now.
    n_params: trainable parameters; n_train, n_test: points.
    """

    epoch: int
    epoch_fraction: float
    step: int
    train_loss: float
    test_loss: float
    train_acc: float | None
    test_acc: float | None
    curve_epochs: np.ndarray
    curve_train_loss: np.ndarray
    curve_test_loss: np.ndarray
    curve_train_acc: np.ndarray | None
    curve_test_acc: np.ndarray | None
    grid: np.ndarray
    grid_output: np.ndarray
    grid_class: np.ndarray | None
    grid_probs: np.ndarray | None
    thumb_grid: np.ndarray
    neuron_outputs: tuple[np.ndarray, ...]
    feature_outputs: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    dead: tuple[np.ndarray, ...]
    confusion: np.ndarray | None
    confusion_train: np.ndarray | None
    diverged: bool
    lr: float
    n_params: int
    n_train: int
    n_test: int


def grid_points() -> tuple[np.ndarray, torch.Tensor]:
    axis = np.linspace(-EXTENT, EXTENT, GRID)
    xx, yy = np.meshgrid(axis, axis)  # row = x2, column = x1
    return axis, torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1))


def confusion_matrix(true: torch.Tensor, pred: torch.Tensor, k: int) -> np.ndarray:
    return torch.bincount(true * k + pred, minlength=k * k).reshape(k, k).numpy()
