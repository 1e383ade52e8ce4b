"""Evaluation metrics: accuracy under class imbalance vs the majority baseline, the confusion
matrix, precision / recall / F1 / balanced accuracy at a threshold, and MSE / RMSE / MAE of
fixed predictions as one outlier grows.

The classifier and the regression line are trained by ``core.training.train``; the metrics
are computed from their predictions with plain torch (tests compare with scikit-learn).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.claims import Claim, printed_gap
from core.codegen import imports_code, mlp_code, optimizer_code, source_code, training_loop_code
from core.data import line_data_code, make_line_with_outliers, split_indices, split_indices_code
from core.models import MLPSpec, build_mlp
from core.training import full_batch, make_optimizer, train

# Widget ranges of the page (the claims tests walk them).
MINORITY_RANGE = (0.01, 0.5)  # share of the positive class
THRESHOLD_RANGE = (0.05, 0.95)  # decision threshold
OUTLIER_RANGE = (0.0, 30.0)  # size added to one regression target

# --- classification ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClassifierConfig:
    minority: float = 0.1  # share of the positive (minority) class in the data
    separation: float = 2.0  # distance between the two class centres, in noise stds
    n: int = 1000  # points, split 50/50 into train and test
    hidden: int = 16  # units of the one hidden layer
    steps: int = 200  # full-batch Adam steps
    lr: float = 0.05
    seed: int = 0


@dataclass(frozen=True)
class ClassifierResult:
    x_test: np.ndarray  # (n_test, 2)
    y_test: np.ndarray  # (n_test,) 0 = majority, 1 = minority (positive)
    prob_test: np.ndarray  # (n_test,) predicted P(y = 1)
    loss: np.ndarray  # (steps,) training loss
    diverged: bool
    diverged_at: int | None


@dataclass(frozen=True)
class ThresholdMetrics:
    confusion: np.ndarray  # (2, 2) rows = true class, columns = predicted: [[TN, FP], [FN, TP]]
    accuracy: float
    baseline_accuracy: float  # always predicting the majority class
    precision: float  # TP / (TP + FP); nan when nothing is predicted positive
    recall: float  # TP / (TP + FN)
    f1: float  # harmonic mean of precision and recall (0 when both are 0)
    balanced_accuracy: float  # mean of recall and specificity (per-class recall)


def make_imbalanced(n: int, minority: float, separation: float,
                    seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Two Gaussian classes in 2-D; ``round(minority * n)`` of the points are class 1.
    Standalone (the code panel shows its source)."""
    g = torch.Generator().manual_seed(seed)
    n_pos = max(1, min(n - 1, round(minority * n)))
    y = torch.zeros(n, dtype=torch.int64)
    y[torch.randperm(n, generator=g)[:n_pos]] = 1
    diagonal = separation / math.sqrt(2)  # the two centres lie `separation` apart
    centres = torch.tensor([[0.0, 0.0], [diagonal, diagonal]])
    x = centres[y] + torch.randn(n, 2, generator=g)
    return x, y


def classifier_spec(cfg: ClassifierConfig) -> MLPSpec:
    return MLPSpec(in_features=2, hidden=(cfg.hidden,), out_features=2, activation="tanh")


def run_classifier(cfg: ClassifierConfig) -> ClassifierResult:
    x, y = make_imbalanced(cfg.n, cfg.minority, cfg.separation, cfg.seed)
    # seed + 1: the class draw above used a permutation from `seed`; reusing it would put
    # every positive in the training half.
    train_idx, test_idx = split_indices(cfg.n, (0.5, 0.5), seed=cfg.seed + 1)
    model = build_mlp(classifier_spec(cfg), seed=cfg.seed)
    history = train(model, nn.CrossEntropyLoss(),
                    make_optimizer("adam", model.parameters(), lr=cfg.lr),
                    full_batch(x[train_idx], y[train_idx]), epochs=cfg.steps, seed=cfg.seed)
    model.eval()
    with torch.no_grad():
        prob = torch.softmax(model(x[test_idx]), dim=1)[:, 1]
    return ClassifierResult(
        x_test=x[test_idx].numpy(), y_test=y[test_idx].numpy(), prob_test=prob.numpy(),
        loss=np.array(history.train_loss), diverged=history.diverged,
        diverged_at=history.diverged_at,
    )


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def threshold_metrics(y_true: np.ndarray, prob: np.ndarray, threshold: float) -> ThresholdMetrics:
    """Predict 1 where ``prob >= threshold`` and count (torch.bincount) the four outcomes."""
    # Copies: a cached result's arrays are read-only, and torch warns on a read-only view.
    y = torch.tensor(np.asarray(y_true), dtype=torch.int64)
    pred = (torch.tensor(np.asarray(prob)) >= threshold).long()
    tn, fp, fn, tp = torch.bincount(2 * y + pred, minlength=4).tolist()
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    specificity = _ratio(tn, tn + fp)
    f1 = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    n = len(y)
    return ThresholdMetrics(
        confusion=np.array([[tn, fp], [fn, tp]]),
        accuracy=(tp + tn) / n,
        baseline_accuracy=max(int((y == 0).sum()), int((y == 1).sum())) / n,
        precision=precision, recall=recall, f1=f1,
        balanced_accuracy=float(np.nanmean([recall, specificity])),
    )


@dataclass(frozen=True)
class ThresholdSweep:
    thresholds: np.ndarray  # (k,)
    accuracy: np.ndarray  # (k,) each metric at each threshold
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    balanced_accuracy: np.ndarray


def threshold_sweep(y_true: np.ndarray, prob: np.ndarray, points: int = 99) -> ThresholdSweep:
    thresholds = np.linspace(0.01, 0.99, points)
    rows = [threshold_metrics(y_true, prob, float(th)) for th in thresholds]
    pick = lambda name: np.array([getattr(r, name) for r in rows])  # noqa: E731
    return ThresholdSweep(thresholds, pick("accuracy"), pick("precision"), pick("recall"),
                          pick("f1"), pick("balanced_accuracy"))


def cls_claims(m: ThresholdMetrics) -> list[Claim]:
    """What the classification notice may say about these metrics."""
    diff_pp = printed_gap(m.accuracy, m.baseline_accuracy)  # between the printed percentages
    values = {"acc": m.accuracy, "base": m.baseline_accuracy, "diff": abs(diff_pp)}
    claims = [Claim("beats" if diff_pp > 0 else "falls_short" if diff_pp < 0 else "ties", values)]
    (tn, fp), (fn, tp) = m.confusion.tolist()
    positives = tp + fn
    if positives and tp == 0:
        claims.append(Claim("none_found", {"pos": positives}))
    elif positives:
        claims.append(Claim("found", {"pos": positives, "tp": tp, "rec": m.recall}))
    if tp + fp == 0:
        claims.append(Claim("no_positive_predicted", {}))
    else:
        claims.append(Claim("precision", {"prec": m.precision, "fp": fp, "pred": tp + fp}))
    claims.append(Claim("rare_view", {"bal": m.balanced_accuracy, "f1": m.f1}))
    return claims


def classifier_code(cfg: ClassifierConfig, threshold: float) -> str:
    return f'''{imports_code()}
seed, n = {cfg.seed}, {cfg.n}


{source_code(make_imbalanced)}

x, y = make_imbalanced(n, {cfg.minority}, {cfg.separation}, seed)  # class 1 is the rare one


{split_indices_code("n", (0.5, 0.5), "tr, te", "seed + 1")}
{mlp_code(classifier_spec(cfg))}optimizer = {optimizer_code("adam", cfg.lr)}
{training_loop_code(epochs=cfg.steps, batches="[(x[tr], y[tr])]", losses=None,
                    loss_fn="nn.functional.cross_entropy")}
model.eval()
with torch.no_grad():
    prob = torch.softmax(model(x[te]), dim=1)[:, 1]     # P(class 1)
y_true, pred = y[te], (prob >= {threshold}).long()
tn, fp, fn, tp = torch.bincount(2 * y_true + pred, minlength=4).tolist()
recall, specificity = tp / (tp + fn), tn / (tn + fp)
print("confusion [[TN, FP], [FN, TP]] =", [[tn, fp], [fn, tp]])
print("accuracy          :", (tp + tn) / len(y_true))
print("majority baseline :", max((y_true == 0).sum().item(), (y_true == 1).sum().item()) / len(y_true))
print("precision         :", tp / (tp + fp) if tp + fp else float("nan"))
print("recall            :", recall)
print("F1                :", 2 * tp / (2 * tp + fp + fn) if tp else 0.0)
print("balanced accuracy :", (recall + specificity) / 2)
'''


# --- regression: MSE, RMSE, MAE and one growing outlier ---------------------------------


@dataclass(frozen=True)
class RegressionConfig:
    n: int = 30  # points on a noisy line
    max_outlier: float = 30.0  # the sweep runs the outlier from 0 to this
    steps: int = 300  # Adam steps fitting the line (on the clean data)
    seed: int = 0


@dataclass(frozen=True)
class RegressionResult:
    x: np.ndarray  # (n,)
    y: np.ndarray  # (n,) clean targets
    pred: np.ndarray  # (n,) the fitted line's predictions (fixed from here on)
    outlier_index: int  # the point whose target is pushed up
    sizes: np.ndarray  # (k,) outlier sizes swept
    mse: np.ndarray  # (k,) MSE of the same predictions at each outlier size
    rmse: np.ndarray  # (k,)
    mae: np.ndarray  # (k,)
    diverged: bool


def regression_errors(y: torch.Tensor, pred: torch.Tensor) -> tuple[float, float, float]:
    """(MSE, RMSE, MAE) with torch's own losses."""
    mse = float(nn.functional.mse_loss(pred, y))
    return mse, math.sqrt(mse), float(nn.functional.l1_loss(pred, y))


REGRESSION_SPEC = MLPSpec(in_features=1, hidden=(), out_features=1)  # a line, y = w x + b
REGRESSION_LR = 0.1  # Adam's learning rate for the line (the app's fit and the panel's)


def run_regression(cfg: RegressionConfig) -> RegressionResult:
    data = make_line_with_outliers(n=cfg.n, n_outliers=0, seed=cfg.seed)
    model = build_mlp(REGRESSION_SPEC, seed=cfg.seed)
    history = train(model, nn.MSELoss(), make_optimizer("adam", model.parameters(), lr=REGRESSION_LR),
                    full_batch(data.x, data.y), epochs=cfg.steps, seed=cfg.seed)
    with torch.no_grad():
        pred = model(data.x)[:, 0]
    y = data.y[:, 0]
    index = cfg.n - 1  # the point at the largest x
    sizes = np.linspace(0.0, cfg.max_outlier, 61)
    rows = []
    for size in sizes:
        shifted = y.clone()
        shifted[index] += float(size)
        rows.append(regression_errors(shifted, pred))
    errors = np.array(rows)
    return RegressionResult(
        x=data.x[:, 0].numpy(), y=y.numpy(), pred=pred.numpy(), outlier_index=index,
        sizes=sizes, mse=errors[:, 0], rmse=errors[:, 1], mae=errors[:, 2],
        diverged=history.diverged,
    )


def regression_claims(result: RegressionResult, k: int) -> list[Claim]:
    """What the regression notice may say at sweep index ``k`` (outlier ``sizes[k]``)."""
    size = float(result.sizes[k])
    mse, rmse, mae = (float(getattr(result, key)[k]) for key in ("mse", "rmse", "mae"))
    if size == 0:
        return [Claim("clean", {"mse": mse, "rmse": rmse, "mae": mae})]
    ratios = {key: float(getattr(result, key)[k] / getattr(result, key)[0])
              for key in ("mse", "rmse", "mae")}
    values = {"n": len(result.y), "size": size} | ratios
    if max(ratios.values()) < 1:  # the push moved the target towards the fitted line
        claims = [Claim("closer", values)]
    elif max(abs(x - 1) for x in ratios.values()) < 0.1:  # all within 10 % of clean
        claims = [Claim("small", values)]
    elif ratios["mse"] > ratios["mae"]:
        # "this single point dominates the MSE" only when its squared error is most of it
        moved = float(result.y[result.outlier_index]) + size - float(result.pred[result.outlier_index])
        share = moved**2 / len(result.y) / mse
        claims = [Claim("mse_most" if share >= 0.5 else "mse_more", values | {"share": share})]
    else:
        claims = [Claim("mae_most", values)]
    rise = float(result.mae[k] - result.mae[0])
    # |e + s| <= |e| + s for the one moved point, divided by n: the MAE bound
    claims.append(Claim("mae_bound", {"rise": rise, "bound": size / len(result.y)}))
    return claims


def regression_code(cfg: RegressionConfig, outlier: float) -> str:
    return f'''{imports_code()}
seed, n = {cfg.seed}, {cfg.n}


{line_data_code(cfg.n, 2.0, 1.0, 0.5, 0, 0.0, "up", cfg.seed)}

{source_code(regression_errors)}


g = torch.Generator().manual_seed(seed)  # the weights' own generator
model = nn.Linear(1, 1)  # y = w x + b, initialised as nn.Linear does: U(-1, 1) for one input
with torch.no_grad():
    model.weight.uniform_(-1, 1, generator=g)
    model.bias.uniform_(-1, 1, generator=g)
optimizer = {optimizer_code("adam", REGRESSION_LR)}
{training_loop_code(epochs=cfg.steps, batches="[(x, y)]", losses=None,
                    loss_fn="nn.functional.mse_loss")}with torch.no_grad():
    pred = model(x)            # these predictions stay fixed below

for size in (0.0, {outlier}):
    target = y.clone()
    target[-1] += size          # one outlier at the largest x
    mse, rmse, mae = regression_errors(target, pred)
    print(f"outlier {{size:5.1f}}: MSE {{mse:.4f}}  RMSE {{rmse:.4f}}  MAE {{mae:.4f}}")
'''
