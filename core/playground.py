"""The /playground lab: TensorFlow Playground's controls on a real torch network, live.

Everything here is plain torch (no streamlit). The page holds one ``LabSession`` per
browser session and calls ``tick()`` from a fragment; every optimizer step goes through
``core.training.Trainer`` (the app's one training loop).

Public API (names are stable; p2's page codes against them)
    DATASETS_CLASSIFICATION, DATASETS_REGRESSION, FEATURES, ACTIVATIONS, INITS, OPTIMIZERS,
    SCHEDULES, REGULARIZATIONS, LOSSES, PROBLEMS, PRESETS (id -> dict of LabConfig fields),
    MAX_LAYERS, MAX_NEURONS, MAX_CLASSES, GRID, THUMB
    LabConfig                       frozen; one comment per field
    make_lab_data(cfg) -> LabData   the points (seeded), split, features and targets
    lab_data_from_points(cfg, points, labels) -> LabData   (uploaded points)
    load_points_csv(data, ...) -> CsvPoints, or raises LabDataError(message_id, values)
    parse_playground_params(params) -> (fields, rejected keys); parse_playground_url(url);
        config_from_fields(fields) -> LabConfig (drops VIEW_OPTIONS)
    LabSession(cfg, data=None, epoch_cap=EPOCH_CAP): tick(budget_seconds) -> TickResult,
        step_one(), step_epoch(), pause_reason(), needs_reset(cfg), apply(cfg) -> bool
        (True = it had to reset; LIVE_FIELDS change without one), reset(cfg=None, data=None),
        snapshot() -> LabSnapshot; attributes cfg, data, model, trainer (core.training.Trainer:
        step_count, epoch, history), live_changes
    lab_code(cfg, steps) -> str     standalone torch code reproducing the run (generated
        points; it runs the current settings from step 0: see LabSession.live_changes)

Playground mode (``LabConfig.playground_mode``; what a link with the Playground's keys opens):
squared error ½(o−y)² with a tanh output (linear for regression) and labels ±1, weights
U(−0.5, 0.5) and biases 0.1, plain SGD, and its batch rule: the training points in a fixed
order, per-example gradients summed and applied as their mean every ``batch_size`` examples
counted within the epoch, so the examples left over at the end of an epoch join the first
batch of the next one (src/playground.ts ``oneStep``, src/nn.ts ``updateWeights``). L1/L2 act
after the gradient step on weights only (not biases): w ← w − lr·rate·r'(w) with r'(w)
taken before the step; under L1 a weight that would cross 0 becomes 0 and stays 0 ("dead").
The lab uses that same regularisation rule with every optimizer.

The Playground draws its points with seedrandom from a seed string; here a torch.Generator
draws them from an integer seed (a Playground seed string is mapped to one), so the points
follow the same distributions and the same shuffle-then-split rule but are not the same points.
"""

from __future__ import annotations

import csv
import functools
import inspect
import math
import textwrap
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from urllib.parse import unquote, urlsplit

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

from core.claims import Claim, no_negative_zero
from core.codegen import mlp_code
from core.models import MLPSpec, build_mlp, linear_layers
from core.seeding import make_generator, prepare_thread
from core.training import OPTIMIZERS, Trainer, make_optimizer

DATASETS_CLASSIFICATION = ("circle", "xor", "gauss", "spiral")
DATASETS_REGRESSION = ("plane", "multigauss")
CSV_DATASET = "csv"  # LabConfig.dataset of uploaded points
PROBLEMS = ("classification", "regression")
# Input features in the Playground's order (x, y, xSquared, ySquared, xTimesY, sinX, sinY).
FEATURES = ("x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2")
ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "silu", "mish", "tanh", "sigmoid", "linear")
# "playground": weights U(-0.5, 0.5) and biases 0.1; "default": PyTorch's nn.Linear init;
# "xavier": Glorot uniform; "he": Kaiming normal (both with zero biases); "zeros": all 0.
INITS = ("playground", "default", "xavier", "he", "zeros")
SCHEDULES = ("none", "step", "cosine")
REGULARIZATIONS = ("none", "l1", "l2")
# "squared": the Playground's ½(o−y)² with labels ±1 (tanh output for classification, linear
# for regression); "cross_entropy": logits and class ids, any number of classes.
LOSSES = ("squared", "cross_entropy")
MAX_LAYERS = 6
MAX_NEURONS = 16
MAX_CLASSES = 10
MAX_BATCH = 64
N_POINTS_CLASSIFY = 500  # the Playground's NUM_SAMPLES_CLASSIFY
N_POINTS_REGRESS = 1200  # the Playground's NUM_SAMPLES_REGRESS
EXTENT = 6.0  # the plane shown is [-EXTENT, EXTENT]², like the Playground's xDomain
GRID = 100  # output heatmap resolution (the Playground's DENSITY)
THUMB = 20  # neuron thumbnails: every (GRID // THUMB)-th grid point
STEP_EVERY_EPOCHS = 100  # "step" schedule: lr halves every this many epochs
STEP_GAMMA = 0.5
COSINE_EPOCHS = 1000  # "cosine" schedule: lr falls to COSINE_FLOOR·lr over this many epochs
COSINE_FLOOR = 0.01
EPOCH_CAP = 5000  # a playing session pauses itself here
IDLE_PAUSE = 180  # ... or after this many seconds without anyone touching the page
PLATEAU_EPOCHS = 300  # ... or when the train loss improved < PLATEAU_REL over this many epochs
PLATEAU_REL = 1e-3
MAX_CURVE = 1000  # per-epoch curve entries kept (decimated beyond); bounds a session's memory
MAX_TICK_STEPS = 200_000  # hard bound on one tick's work, whatever its time budget
MODEL_SEED_OFFSET = 1  # weights come from seed + this, points from seed
PLAYGROUND_MODE_FIELDS = dict(loss="squared", init="playground", optimizer="sgd",
                              schedule="none", dropout=0.0, batchnorm=False)


@dataclass(frozen=True)
class LabConfig:
    problem: str = "classification"  # one of PROBLEMS
    dataset: str = "circle"  # DATASETS_CLASSIFICATION, DATASETS_REGRESSION or "csv"
    n_classes: int = 2  # classes of circle/xor/gauss/spiral (2 = the Playground's)
    n_points: int = N_POINTS_CLASSIFY  # points generated before the split
    noise: int = 0  # 0–50, the Playground's percent units
    train_percent: int = 50  # share of the points used for training (percTrainData)
    batch_size: int = 10  # examples per optimizer step
    seed: int = 0  # points from seed, weights from seed + MODEL_SEED_OFFSET; "regenerate" = new
    features: tuple[str, ...] = ("x1", "x2")  # inputs, any of FEATURES (used in FEATURES order)
    hidden: tuple[int, ...] = (4, 2)  # neurons per hidden layer, up to MAX_LAYERS × MAX_NEURONS
    activation: str = "tanh"  # hidden activation, one of ACTIVATIONS
    init: str = "playground"  # one of INITS
    optimizer: str = "sgd"  # one of OPTIMIZERS (core.training)
    lr: float = 0.03  # learning rate (before the schedule)
    schedule: str = "none"  # one of SCHEDULES, stepped once per epoch
    regularization: str = "none"  # one of REGULARIZATIONS (weights only, after the step)
    reg_rate: float = 0.0  # regularization rate
    dropout: float = 0.0  # dropout after every hidden activation (0 = none)
    batchnorm: bool = False  # BatchNorm1d before every hidden activation
    loss: str = "squared"  # one of LOSSES; regression always uses "squared"
    playground_mode: bool = False  # the Playground's batch rule: fixed order, leftovers carried


# Fields apply() changes on a running session; any other change rebuilds it (reset).
LIVE_FIELDS = ("batch_size", "optimizer", "lr", "schedule", "regularization", "reg_rate")


class LabDataError(ValueError):
    """Bad input data (e.g. an uploaded CSV): ``message_id`` is a locale key suffix and
    ``values`` the numbers its sentence quotes (``playground.csv.<message_id>``)."""

    def __init__(self, message_id: str, values: Mapping[str, object] | None = None):
        self.message_id = message_id
        self.values = dict(values or {})
        super().__init__(f"{message_id}: {self.values}")


def validate(cfg: LabConfig) -> None:
    """Raise ValueError for a config no session can run (pages only offer valid ones)."""
    checks = [
        (cfg.problem in PROBLEMS, "problem"),
        (cfg.dataset in (*DATASETS_CLASSIFICATION, *DATASETS_REGRESSION, CSV_DATASET), "dataset"),
        (cfg.dataset == CSV_DATASET or (cfg.dataset in DATASETS_REGRESSION)
         == (cfg.problem == "regression"), "dataset/problem"),
        (2 <= cfg.n_classes <= MAX_CLASSES, "n_classes"),
        (cfg.loss in LOSSES, "loss"),
        (not (cfg.loss == "squared" and cfg.problem == "classification" and cfg.n_classes > 2),
         "squared loss needs 2 classes"),
        (not (cfg.problem == "regression" and cfg.loss != "squared"), "regression loss"),
        (10 <= cfg.n_points <= 100_000, "n_points"),
        (0 <= cfg.noise <= 100, "noise"),
        (1 <= cfg.train_percent <= 99, "train_percent"),
        (1 <= cfg.batch_size <= MAX_BATCH, "batch_size"),
        (len(cfg.features) >= 1 and set(cfg.features) <= set(FEATURES), "features"),
        (len(cfg.hidden) <= MAX_LAYERS and all(1 <= w <= MAX_NEURONS for w in cfg.hidden),
         "hidden"),
        (cfg.activation in ACTIVATIONS, "activation"),
        (cfg.init in INITS, "init"),
        (cfg.optimizer in OPTIMIZERS, "optimizer"),
        (math.isfinite(cfg.lr) and cfg.lr > 0, "lr"),
        (cfg.schedule in SCHEDULES, "schedule"),
        (cfg.regularization in REGULARIZATIONS, "regularization"),
        (math.isfinite(cfg.reg_rate) and cfg.reg_rate >= 0, "reg_rate"),
        (0 <= cfg.dropout < 1, "dropout"),
    ]
    bad = [name for ok, name in checks if not ok]
    if bad:
        raise ValueError(f"invalid LabConfig ({', '.join(bad)}): {cfg}")


# ----------------------------------------------------------------------------------------
# Data: the Playground's generators (src/dataset.ts), written with a torch.Generator.
# Each returns points (n, 2) and labels: class ids 0..k-1 (long) or targets in [-1, 1].
# lab_code() embeds the source of the one it uses, so these use only torch and math.
# ----------------------------------------------------------------------------------------

def _uniform(g, n, a, b):
    return torch.rand(n, generator=g, dtype=torch.float64) * (b - a) + a


def data_circle(n, noise, k, g):
    """k = 2: inside radius 2.5 (class 1) and a ring 3.5–5 (class 0); the label is read at
    the noise-shifted position. k > 2: k rings, the label from the noisy radius."""
    radius = 5.0
    per = [n // k + (1 if i < n % k else 0) for i in range(k)] if k > 2 else [n // 2, n - n // 2]
    xs, ys, labels = [], [], []
    for ring, m in enumerate(per):
        if k == 2:
            lo, hi = (0.0, radius * 0.5) if ring == 0 else (radius * 0.7, radius)
        else:
            lo, hi = radius * ring / k, radius * (ring + 0.7) / k
        r = _uniform(g, m, lo, hi)
        angle = _uniform(g, m, 0.0, 2 * math.pi)
        x, y = r * torch.sin(angle), r * torch.cos(angle)
        nx = _uniform(g, m, -radius, radius) * noise
        ny = _uniform(g, m, -radius, radius) * noise
        noisy_r = torch.sqrt((x + nx) ** 2 + (y + ny) ** 2)
        if k == 2:
            label = (noisy_r < radius * 0.5).long()  # inside = class 1 (the Playground's +1)
        else:
            label = torch.clamp((noisy_r / (radius / k)).floor().long(), 0, k - 1)
        xs.append(x), ys.append(y), labels.append(label)
    return torch.stack([torch.cat(xs), torch.cat(ys)], 1), torch.cat(labels)


def data_xor(n, noise, k, g):
    """Uniform on [-5, 5]² pushed 0.3 away from the axes; class 1 where x·y ≥ 0 (read at
    the noise-shifted position). k > 2: the quadrant number modulo k."""
    x, y = _uniform(g, n, -5.0, 5.0), _uniform(g, n, -5.0, 5.0)
    x = x + torch.where(x > 0, 0.3, -0.3)
    y = y + torch.where(y > 0, 0.3, -0.3)
    px = x + _uniform(g, n, -5.0, 5.0) * noise
    py = y + _uniform(g, n, -5.0, 5.0) * noise
    if k == 2:
        label = (px * py >= 0).long()
    else:
        quadrant = torch.where(py >= 0, torch.where(px >= 0, 0, 1), torch.where(px < 0, 2, 3))
        label = quadrant % k
    return torch.stack([x, y], 1), label


def data_gauss(n, noise, k, g):
    """k Gaussian blobs; variance 0.5 at noise 0 rising linearly to 4 at noise 50%. k = 2:
    centres (2, 2) (class 1) and (-2, -2) (class 0) as in the Playground."""
    variance = 0.5 + noise / 0.5 * 3.5
    per = [n // k + (1 if i < n % k else 0) for i in range(k)]
    if k == 2:
        centres = [(-2.0, -2.0), (2.0, 2.0)]
    else:
        centres = [(2 * math.sqrt(2) * math.cos(math.pi / 4 + 2 * math.pi * i / k),
                    2 * math.sqrt(2) * math.sin(math.pi / 4 + 2 * math.pi * i / k))
                   for i in range(k)]
    points, labels = [], []
    for cls, ((cx, cy), m) in enumerate(zip(centres, per)):
        xy = torch.randn(m, 2, generator=g, dtype=torch.float64) * math.sqrt(variance)
        points.append(xy + torch.tensor([cx, cy], dtype=torch.float64))
        labels.append(torch.full((m,), cls, dtype=torch.long))
    return torch.cat(points), torch.cat(labels)


def data_spiral(n, noise, k, g):
    """k interleaved spiral arms of about n/k points: radius up to 5 over 1.75 turns, arm j turned
    by 2πj/k, plus U(-1, 1)·noise per coordinate. k = 2: arm 0 is the Playground's +1 (class 1)."""
    points, labels = [], []
    for arm in range(k):
        per = n // k + (1 if arm < n % k else 0)
        i = torch.arange(per, dtype=torch.float64)
        r = i / per * 5
        t = 1.75 * i / per * 2 * math.pi + 2 * math.pi * arm / k
        x = r * torch.sin(t) + _uniform(g, per, -1.0, 1.0) * noise
        y = r * torch.cos(t) + _uniform(g, per, -1.0, 1.0) * noise
        points.append(torch.stack([x, y], 1))
        cls = (1 - arm) if k == 2 else arm
        labels.append(torch.full((per,), cls, dtype=torch.long))
    return torch.cat(points), torch.cat(labels)


def data_plane(n, noise, k, g):
    """Uniform on [-6, 6]²; target (x + y) / 10 read at the noise-shifted position."""
    x, y = _uniform(g, n, -6.0, 6.0), _uniform(g, n, -6.0, 6.0)
    nx, ny = _uniform(g, n, -6.0, 6.0) * noise, _uniform(g, n, -6.0, 6.0) * noise
    return torch.stack([x, y], 1), (x + nx + y + ny) / 10


def data_multigauss(n, noise, k, g):
    """Uniform on [-6, 6]²; six bumps of height ±1 falling to 0 at distance 2; the target is
    the bump largest in absolute value (read at the noise-shifted position)."""
    x, y = _uniform(g, n, -6.0, 6.0), _uniform(g, n, -6.0, 6.0)
    px = x + _uniform(g, n, -6.0, 6.0) * noise
    py = y + _uniform(g, n, -6.0, 6.0) * noise
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    target = torch.zeros(n, dtype=torch.float64)
    for cx, cy, sign in bumps:
        d = torch.sqrt((px - cx) ** 2 + (py - cy) ** 2)
        value = sign * torch.clamp(1 - d / 2, 0.0, 1.0)
        target = torch.where(value.abs() > target.abs(), value, target)
    return torch.stack([x, y], 1), target


GENERATORS = {"circle": data_circle, "xor": data_xor, "gauss": data_gauss,
              "spiral": data_spiral, "plane": data_plane, "multigauss": data_multigauss}


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


# ----------------------------------------------------------------------------------------
# CSV upload
# ----------------------------------------------------------------------------------------

CSV_MAX_BYTES = 2_000_000
CSV_MAX_ROWS = 5_000
CSV_MIN_ROWS = 10


@dataclass(frozen=True)
class CsvPoints:
    """An uploaded table: points rescaled into the plane, labels, and what was inferred."""

    points: np.ndarray  # (n, 2) float, centred and scaled so the largest |coordinate| is 5
    labels: np.ndarray  # class ids 0..k-1 (classification) or float targets (regression)
    problem: str  # "classification" when every label is an integer, else "regression"
    n_classes: int  # 0 for regression
    class_values: tuple[float, ...]  # the original label of each class id
    scale: float  # plane = (original - offset) * scale
    offset: tuple[float, float]
    had_header: bool


def load_points_csv(data: bytes, max_bytes: int = CSV_MAX_BYTES,
                    max_rows: int = CSV_MAX_ROWS) -> CsvPoints:
    """Parse ``x1,x2,label`` rows (an optional header row, comma/semicolon/tab separated).

    Raises LabDataError with ids: too_big {max_kb}, not_text, empty, columns {row, found},
    not_number {row}, not_finite {row}, too_many_rows {max_rows}, too_few_rows {min_rows},
    one_class, too_many_classes {found, max}. Nothing is written anywhere.
    """
    if len(data) > max_bytes:
        raise LabDataError("too_big", {"max_kb": max_bytes // 1000})
    if b"\x00" in data:
        raise LabDataError("not_text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabDataError("not_text") from exc
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise LabDataError("empty")
    if len(lines) > max_rows + 1:
        raise LabDataError("too_many_rows", {"max_rows": max_rows})
    sample = lines[0]
    delimiter = max((",", ";", "\t"), key=sample.count)
    rows = list(csv.reader(lines, delimiter=delimiter))
    had_header = False
    try:
        [float(v) for v in rows[0]]
    except ValueError:
        had_header = True
        if len(rows[0]) != 3:
            raise LabDataError("columns", {"row": 1, "found": len(rows[0])}) from None
        rows = rows[1:]
    if len(rows) > max_rows:
        raise LabDataError("too_many_rows", {"max_rows": max_rows})
    values = np.empty((len(rows), 3))
    for i, row in enumerate(rows, start=1 + had_header):
        if len(row) != 3:
            raise LabDataError("columns", {"row": i, "found": len(row)})
        try:
            values[i - 1 - had_header] = [float(v) for v in row]
        except ValueError as exc:
            raise LabDataError("not_number", {"row": i}) from exc
    bad = ~np.isfinite(values).all(1)
    if bad.any():
        raise LabDataError("not_finite", {"row": int(np.argmax(bad)) + 1 + had_header})
    if len(values) < CSV_MIN_ROWS:
        raise LabDataError("too_few_rows", {"min_rows": CSV_MIN_ROWS})
    xy, label = values[:, :2], values[:, 2]
    lo, hi = xy.min(0), xy.max(0)
    offset = (lo + hi) / 2
    half = float(np.max(hi - lo)) / 2
    scale = 5.0 / half if half > 0 else 1.0
    points = (xy - offset) * scale
    if np.all(label == np.round(label)):
        classes = np.unique(label)
        if len(classes) < 2:
            raise LabDataError("one_class")
        if len(classes) > MAX_CLASSES:
            raise LabDataError("too_many_classes", {"found": len(classes), "max": MAX_CLASSES})
        ids = np.searchsorted(classes, label)
        return CsvPoints(points, ids, "classification", len(classes),
                         tuple(float(c) for c in classes), scale, tuple(offset), had_header)
    return CsvPoints(points, label, "regression", 0, (), scale, tuple(offset), had_header)


# ----------------------------------------------------------------------------------------
# Opening a TensorFlow Playground link (src/state.ts: keys and value formats)
# ----------------------------------------------------------------------------------------

PLAYGROUND_KEYS = ("dataset", "regDataset", "networkShape", "activation", "learningRate",
                   "batchSize", "noise", "percTrainData", "regularization",
                   "regularizationRate", "problem", "seed", "x", "y", "xSquared", "ySquared",
                   "xTimesY", "sinX", "sinY", "showTestData", "discretize", "cosX", "cosY",
                   "initZero", "collectStats", "tutorial", "hideText")
_PG_FEATURES = {"x": "x1", "y": "x2", "xSquared": "x1_sq", "ySquared": "x2_sq",
                "xTimesY": "x1x2", "sinX": "sin_x1", "sinY": "sin_x2"}
VIEW_OPTIONS = ("show_test_data", "discretize", "hide")  # in the fields dict, not in LabConfig
# The Playground's hidable controls (src/playground.ts HIDABLE_CONTROLS, ``<name>_hide=true``
# in its URL) -> the lab's ``?hide=`` names (widget keys; pg_play/pg_step/pg_reset: buttons).
PLAYGROUND_HIDE = {
    "showTestData": ("pg_show_test",), "discretize": ("pg_discretize",),
    "playButton": ("pg_play",), "stepButton": ("pg_step",), "resetButton": ("pg_reset",),
    "learningRate": ("pg_lr",), "activation": ("pg_act",), "regularization": ("pg_reg",),
    "regularizationRate": ("pg_reg_rate",), "problem": ("pg_problem",),
    "dataset": ("pg_dataset", "pg_reg_dataset"), "percTrainData": ("pg_ratio",),
    "noise": ("pg_noise",), "batchSize": ("pg_batch",), "numHiddenLayers": ("pg_layers",),
}


def playground_seed(value: str) -> int:
    """An integer seed for a Playground seed string ("0.58921" -> 58921; others by CRC32)."""
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if 0 <= number < 1:
        return int(round(number * 100_000))
    return zlib.crc32(value.encode()) % 1_000_000


def parse_playground_params(params: Mapping[str, str]) -> tuple[dict, list[str]]:
    """The LabConfig fields a Playground state means, and the keys that could not be used.

    Only the Playground's own keys are read (others, such as ``lang``, are ignored). With
    none of them present the result is ``({}, [])``. Otherwise the fields describe the whole
    Playground setup in playground mode (its defaults fill missing keys: circle, 4,2 tanh,
    lr 0.03, batch 10, noise 0, 50 % train, features x and y), plus view options
    ``show_test_data`` (bool), ``discretize`` (bool) and ``hide`` (the lab's ``?hide=`` names
    of the controls the link hides with ``<name>_hide=true``, through PLAYGROUND_HIDE; a
    hidden control the lab lacks is rejected as ``<name>_hide``): pop VIEW_OPTIONS before
    ``LabConfig(**fields)``.
    A key is rejected when its value cannot be read or is out of range (the default is
    kept), or when it asks for something the lab lacks (cosX/cosY=true, a tutorial).
    """
    params = {str(k): str(v) for k, v in params.items()}
    hidden = sorted(k[:-len("_hide")] for k, v in params.items()
                    if k.endswith("_hide") and v == "true")
    if not any(k in params for k in PLAYGROUND_KEYS) and not hidden:
        return {}, []
    rejected: list[str] = [f"{name}_hide" for name in hidden if name not in PLAYGROUND_HIDE]
    hide = sorted({key for name in hidden for key in PLAYGROUND_HIDE.get(name, ())})
    out: dict = {"problem": "classification", "dataset": "circle", "n_classes": 2,
                 "noise": 0, "train_percent": 50, "batch_size": 10, "seed": 0,
                 "hidden": (4, 2), "activation": "tanh", "lr": 0.03,
                 "regularization": "none", "reg_rate": 0.0, "playground_mode": True,
                 **PLAYGROUND_MODE_FIELDS}
    view: dict = {"show_test_data": False, "discretize": False, "hide": hide}

    def has(key: str) -> bool:  # the Playground's hasKey: present and not blank
        return key in params and params[key].strip() != ""

    def number(key: str, lo: float, hi: float, integer: bool = False):
        if not has(key):
            return None
        try:
            value = float(params[key])
        except ValueError:
            value = float("nan")
        if not (math.isfinite(value) and lo <= value <= hi) or (integer and value != int(value)):
            rejected.append(key)
            return None
        return int(value) if integer else value

    def choice(key: str, table: Mapping[str, str]):
        if not has(key):
            return None
        if params[key] not in table:
            rejected.append(key)
            return None
        return table[params[key]]

    problem = choice("problem", {"classification": "classification",
                                 "regression": "regression"})
    if problem:
        out["problem"] = problem
    dataset = choice("dataset", {d: d for d in DATASETS_CLASSIFICATION})
    reg_dataset = choice("regDataset", {"reg-plane": "plane", "reg-gauss": "multigauss"})
    if out["problem"] == "regression":
        out["dataset"] = reg_dataset or "plane"
        out["n_points"] = N_POINTS_REGRESS
    else:
        out["dataset"] = dataset or "circle"
        out["n_points"] = N_POINTS_CLASSIFY
    activation = choice("activation", {a: a for a in ("relu", "tanh", "sigmoid", "linear")})
    if activation:
        out["activation"] = activation
    reg = choice("regularization", {"none": "none", "L1": "l1", "L2": "l2"})
    if reg:
        out["regularization"] = reg
    for key, name, lo, hi, integer in (
            ("learningRate", "lr", 1e-6, 10.0, False),
            ("regularizationRate", "reg_rate", 0.0, 10.0, False),
            ("noise", "noise", 0, 50, True),
            ("percTrainData", "train_percent", 1, 99, True),
            ("batchSize", "batch_size", 1, MAX_BATCH, True)):
        value = number(key, lo, hi, integer)
        if value is not None:
            out[name] = value
    if "networkShape" in params:  # present but empty = no hidden layer
        raw = params["networkShape"].strip()
        try:
            shape = tuple(int(v) for v in raw.split(",")) if raw else ()
        except ValueError:
            shape = None
        if shape is None or len(shape) > MAX_LAYERS or any(not 1 <= w <= MAX_NEURONS
                                                           for w in shape):
            rejected.append("networkShape")
        else:
            out["hidden"] = shape
    if has("seed"):
        out["seed"] = playground_seed(params["seed"])
    chosen = {"x": True, "y": True}
    for key in _PG_FEATURES:
        if has(key):
            chosen[key] = params[key] != "false"  # the Playground: anything but "false" is on
    features = tuple(_PG_FEATURES[k] for k in _PG_FEATURES if chosen.get(k))
    if features:
        out["features"] = tuple(f for f in FEATURES if f in features)
    else:
        out["features"] = ("x1", "x2")
        rejected.append("x")  # a network without inputs cannot be built
    for key in ("cosX", "cosY"):
        if has(key) and params[key] != "false":
            rejected.append(key)
    if has("tutorial"):
        rejected.append("tutorial")
    if has("initZero") and params["initZero"] != "false":
        out["init"] = "zeros"
    for key, name in (("showTestData", "show_test_data"), ("discretize", "discretize")):
        if has(key):
            view[name] = params[key] != "false"
    return {**out, **view}, rejected


def parse_playground_url(url: str) -> tuple[dict, list[str]]:
    """``parse_playground_params`` of a pasted Playground link (its state is in the #hash;
    a ?query is read when there is no hash)."""
    parts = urlsplit(url.strip())
    raw = parts.fragment or parts.query
    params: dict[str, str] = {}
    for pair in raw.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        params[unquote(name)] = unquote(value)
    return parse_playground_params(params)


def config_from_fields(fields_: Mapping[str, object]) -> LabConfig:
    """LabConfig from parse_playground_params' dict (view options dropped)."""
    known = {f.name for f in fields(LabConfig)}
    return LabConfig(**{k: v for k, v in fields_.items() if k in known})


# ----------------------------------------------------------------------------------------
# The page's controls <-> LabConfig (pure: the page draws the widgets, these map the values)
# ----------------------------------------------------------------------------------------

LR_CHOICES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # the Playground's
FEATURE_KEYS = {f: f"pg_f_{f}" for f in FEATURES}
DEFAULT_FEATURES = ("x1", "x2")
DEFAULT_HIDDEN = (4, 2, 2, 2, 2, 2)  # the Playground starts with 4, 2
MAX_SEED = 99_999
_SIMPLE_WIDGETS = {
    "problem": "pg_problem", "noise": "pg_noise", "train_percent": "pg_ratio",
    "batch_size": "pg_batch", "activation": "pg_act", "regularization": "pg_reg",
    "playground_mode": "pg_mode", "loss": "pg_loss", "n_classes": "pg_classes",
    "optimizer": "pg_opt", "init": "pg_init", "schedule": "pg_sched", "dropout": "pg_dropout",
    "batchnorm": "pg_bn", "show_test_data": "pg_show_test", "discretize": "pg_discretize"}


def _nearest(options, value):
    """The option nearest to ``value`` (a Playground link may hold a rate we do not list)."""
    return min(options, key=lambda o: abs(o - value))


def widget_values(fields_: Mapping[str, object]) -> dict:
    """LabConfig fields (a parsed Playground link or a preset) -> the page's widget values
    (by widget key): rates snapped to the listed choices, the seed to the slider's range."""
    out: dict = {key: fields_[name] for name, key in _SIMPLE_WIDGETS.items() if name in fields_}
    if "dataset" in fields_ and fields_["dataset"] != CSV_DATASET:
        key = "pg_reg_dataset" if fields_["dataset"] in DATASETS_REGRESSION else "pg_dataset"
        out[key] = fields_["dataset"]
    if "seed" in fields_:
        out["pg_seed"] = int(fields_["seed"]) % (MAX_SEED + 1)
    if "features" in fields_:
        out |= {key: f in fields_["features"] for f, key in FEATURE_KEYS.items()}
    if "hidden" in fields_:
        out["pg_layers"] = len(fields_["hidden"])
        out |= {f"pg_n{i + 1}": int(w) for i, w in enumerate(fields_["hidden"])}
    if "lr" in fields_:
        out["pg_lr"] = _nearest(LR_CHOICES, float(fields_["lr"]))
    if "reg_rate" in fields_:
        out["pg_reg_rate"] = _nearest(REG_RATES, float(fields_["reg_rate"]))
    if "dropout" in out:
        out["pg_dropout"] = float(out["pg_dropout"])
    return out


def config_from_controls(c: Mapping[str, object], csv_points: CsvPoints | None = None
                         ) -> tuple[LabConfig, list[tuple[str, dict]]]:
    """What the page's control values mean, made valid: (LabConfig, notes). ``c`` holds
    the LabConfig field names as the widgets set them (``n_classes`` is the classes slider);
    uploaded points decide the problem and the classes. A note is (message id under the
    playground locale, its values): no features (x1, x2 used), a loss the problem cannot
    use, squared error with 3+ classes (cross-entropy used), Playground mode's fixed fields.
    """
    c = dict(c)
    notes: list[tuple[str, dict]] = []
    if not c["features"]:
        notes.append(("no_features", {}))
        c["features"] = DEFAULT_FEATURES
    if csv_points is not None:
        c["problem"], c["n_classes"] = csv_points.problem, max(2, csv_points.n_classes)
    if c["problem"] == "regression":
        if c["loss"] != "squared":
            notes.append(("note_regression_loss", {}))
        c["loss"], c["n_classes"] = "squared", 2
    elif c["loss"] == "squared" and c["n_classes"] > 2:
        notes.append(("note_squared_classes", {"k": c["n_classes"]}))
        c["loss"] = "cross_entropy"
    if c["playground_mode"]:
        fixed = dict(PLAYGROUND_MODE_FIELDS)
        if c["problem"] == "classification" and c["n_classes"] > 2:
            fixed["loss"] = "cross_entropy"
        c |= {k: fixed[k] for k in ("loss", "init", "optimizer", "schedule", "dropout",
                                    "batchnorm")}
        notes.append(("note_mode", {}))
    c["n_points"] = N_POINTS_REGRESS if c["problem"] == "regression" else N_POINTS_CLASSIFY
    c["hidden"] = tuple(c["hidden"])
    return LabConfig(**c), notes


# ----------------------------------------------------------------------------------------
# Model, loss, batches, regularisation, schedule
# ----------------------------------------------------------------------------------------

def lab_spec(cfg: LabConfig, n_classes: int) -> MLPSpec:
    """The MLPSpec of the lab network (build_mlp builds it, codegen writes it out)."""
    if cfg.problem == "regression" or cfg.loss == "squared":
        out_features = 1
    else:
        out_features = n_classes
    out_act = "tanh" if (cfg.problem == "classification" and cfg.loss == "squared") else None
    init = {"playground": "uniform", "default": "default", "xavier": "xavier", "he": "he",
            "zeros": "zeros"}[cfg.init]
    return MLPSpec(in_features=len(cfg.features), hidden=tuple(cfg.hidden),
                   out_features=out_features,
                   activation="identity" if cfg.activation == "linear" else cfg.activation,
                   init=init, init_range=0.5, init_bias=0.1, dropout=cfg.dropout,
                   batchnorm=cfg.batchnorm, out_activation=out_act)


def half_squared_error(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The Playground's loss: mean over the batch of ½(o − y)²."""
    return F.mse_loss(output, target) * 0.5


def lab_loss(cfg: LabConfig):
    return half_squared_error if cfg.problem == "regression" or cfg.loss == "squared" \
        else F.cross_entropy


class PlaygroundBatches:
    """The Playground's batch rule as an iterable of (x, y) batches, one pass = one epoch.

    Examples in a fixed order; an update after every ``batch_size``-th example counted
    within the epoch; the ``n % batch_size`` examples left at the end of an epoch are
    added to the first batch of the next epoch (their gradients wait in the Playground's
    accumulators). Loss = mean over the batch = the Playground's summed derivatives divided
    by their count. Batches are sliced once here, so an epoch costs no indexing.
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int):
        n, b = len(x), max(1, int(batch_size))
        if n < b:  # the Playground would never update; one batch of everything instead
            b = max(1, n)
        cuts = list(range(0, n // b * b + 1, b))
        self.first = [(x[i:j], y[i:j]) for i, j in zip(cuts[:-1], cuts[1:])]
        left = n - cuts[-1]
        self.steady = list(self.first)
        if left:
            self.steady[0] = (torch.cat([x[n - left:], self.first[0][0]]),
                              torch.cat([y[n - left:], self.first[0][1]]))
        self.epochs_started = 0

    def __len__(self) -> int:
        return len(self.first)

    def __iter__(self):
        batches = self.first if self.epochs_started == 0 else self.steady
        self.epochs_started += 1
        return iter(batches)


def shuffled_loader(x: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int) -> DataLoader:
    """A DataLoader reshuffling every epoch from its own generator; each batch is ONE index
    into the tensors (a BatchSampler feeds TensorDataset a list of indices; no collate)."""
    g = make_generator(seed)
    sampler = BatchSampler(RandomSampler(range(len(x)), generator=g), int(batch_size), False)
    return DataLoader(TensorDataset(x, y), sampler=sampler, batch_size=None, generator=g)


def lab_batches(cfg: LabConfig, data: LabData):
    if cfg.playground_mode:
        return PlaygroundBatches(data.x_train, data.y_train, cfg.batch_size)
    return shuffled_loader(data.x_train, data.y_train, cfg.batch_size, cfg.seed + 3)


class Regularizer:
    """L1/L2 as the Playground applies them, around any torch.optim step (step hooks).

    Before the step r'(w) is read (L1: sign(w), 0 at 0; L2: w); after it
    w ← w − lr·rate·r'(w). Under L1 a weight that crosses 0 on that move is set to 0 and
    stays 0 ("dead", like the Playground's link.isDead); dead weights ignore the gradient.
    Weights of nn.Linear layers only. ``kind``/``rate`` may change between steps.
    """

    def __init__(self, weights: list[torch.Tensor], kind: str = "none", rate: float = 0.0):
        self.weights, self.kind, self.rate = weights, kind, float(rate)
        self.dead = [torch.zeros_like(w, dtype=torch.bool) for w in weights]
        self._ders: list[torch.Tensor] | None = None
        self._handles: list = []

    @property
    def active(self) -> bool:
        return self.kind != "none" and self.rate > 0

    def attach(self, optimizer: torch.optim.Optimizer) -> None:
        """Hook into ``optimizer``'s steps (only while a penalty is on: no cost otherwise)."""
        for handle in self._handles:
            handle.remove()
        self._optimizer = optimizer
        self._handles = [optimizer.register_step_pre_hook(self._pre),
                         optimizer.register_step_post_hook(self._post)] if self.active else []

    def set(self, kind: str, rate: float) -> None:
        if kind != "l1":
            for d in self.dead:
                d.zero_()  # weights L1 zeroed may grow again
        self.kind, self.rate = kind, float(rate)
        if hasattr(self, "_optimizer"):
            self.attach(self._optimizer)

    @torch.no_grad()
    def _pre(self, optimizer, args, kwargs) -> None:
        if not self.active:
            self._ders = None
            return
        self._ders = [w.sign() if self.kind == "l1" else w.clone() for w in self.weights]

    @torch.no_grad()
    def _post(self, optimizer, args, kwargs) -> None:
        if self._ders is None:
            return
        lr = optimizer.param_groups[0]["lr"]
        for w, der, dead in zip(self.weights, self._ders, self.dead):
            new = w - lr * self.rate * der
            if self.kind == "l1":
                dead |= (w * new) < 0
                new.masked_fill_(dead, 0.0)
            w.copy_(new)
        self._ders = None


def lr_factor(schedule: str, epoch: int) -> float:
    """Multiplier of the base learning rate after ``epoch`` completed epochs."""
    if schedule == "step":
        return STEP_GAMMA ** (epoch // STEP_EVERY_EPOCHS)
    if schedule == "cosine":
        e = min(epoch, COSINE_EPOCHS)
        return COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + math.cos(math.pi * e / COSINE_EPOCHS))
    return 1.0


def lab_optimizer(cfg: LabConfig, model: nn.Module) -> torch.optim.Optimizer:
    return make_optimizer(cfg.optimizer, model.parameters(), lr=cfg.lr, weight_decay=0.0)


def sequential_forward(model: nn.Sequential):
    """``model(x)`` without nn.Module.__call__'s hook machinery on every layer (the lab
    registers no hooks): the same numbers, ~7 % less time per step on a 2-8-8-1 network."""
    layers = [m.forward for m in model]

    def forward(x: torch.Tensor) -> torch.Tensor:
        for layer in layers:
            x = layer(x)
        return x

    return forward


def lab_scheduler(cfg: LabConfig, optimizer: torch.optim.Optimizer, epoch: int = 0):
    """LambdaLR with lr_factor (None for "none"); ``epoch`` epochs already done."""
    if cfg.schedule == "none":
        return None
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda e, s=cfg.schedule: lr_factor(s, e))
    scheduler.last_epoch = epoch  # switched on mid-run: continue from this epoch
    for group, base in zip(optimizer.param_groups, scheduler.base_lrs):
        group["lr"] = base * lr_factor(cfg.schedule, epoch)
    return scheduler


# ----------------------------------------------------------------------------------------
# The session
# ----------------------------------------------------------------------------------------

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


def _grid_points() -> tuple[np.ndarray, torch.Tensor]:
    axis = np.linspace(-EXTENT, EXTENT, GRID)
    xx, yy = np.meshgrid(axis, axis)  # row = x2, column = x1
    return axis, torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1))


class LabSession:
    """One student's live lab: config, data, model and a resumable Trainer.

    ``tick(budget_seconds)`` trains for about that long (at most MAX_TICK_STEPS steps) and
    says when playing should pause; ``step_one()`` takes exactly one optimizer step;
    ``step_epoch()`` finishes the current epoch; ``apply(cfg)`` changes learning rate,
    schedule, optimizer, regularisation and batch size on the running network and resets
    for anything else (returns True when it reset); ``snapshot()`` is what the page draws.
    Memory is bounded: curves are decimated to MAX_CURVE entries.
    """

    def __init__(self, cfg: LabConfig, data: LabData | None = None,
                 epoch_cap: int = EPOCH_CAP, idle_pause: float = IDLE_PAUSE):
        self.epoch_cap = self._cap_step = epoch_cap
        self.idle_pause = idle_pause
        self.touch()
        self.reset(cfg, data)

    def touch(self, now: float | None = None) -> None:
        """Someone interacted (the page calls this on every full run): the idle clock
        restarts."""
        self.touched = time.monotonic() if now is None else now

    def idle(self, now: float | None = None) -> bool:
        """True after ``idle_pause`` seconds without a touch: an abandoned tab."""
        return (time.monotonic() if now is None else now) - self.touched > self.idle_pause

    # -- building ----------------------------------------------------------------------
    def reset(self, cfg: LabConfig | None = None, data: LabData | None = None) -> None:
        """Start over: new data (unless given or unchanged), new weights, epoch 0."""
        cfg = cfg or self.cfg
        validate(cfg)
        prepare_thread()
        old = getattr(self, "data", None)
        if data is None and old is not None and _data_key(cfg) == _data_key(self.cfg):
            data = old
        elif data is None and cfg.dataset == CSV_DATASET and old is not None:
            # uploaded points: re-split / re-featurise the same points
            data = lab_data_from_points(cfg, np.concatenate([old.points_train, old.points_test]),
                                        np.concatenate([old.labels_train, old.labels_test]),
                                        old.n_classes or None)
        elif data is None:
            data = make_lab_data(cfg)
        if cfg.problem == "classification" and cfg.loss == "squared" and data.n_classes > 2:
            raise ValueError("the squared loss (labels ±1) needs 2 classes; use cross_entropy")
        self.cfg, self.data = cfg, data
        # (step, {field: (old, new)}) for every apply() that changed settings mid-run:
        # lab_code() runs the current settings from step 0, so after such changes it
        # shows the run as if they had been set from the start.
        self.live_changes: list[tuple[int, dict]] = []
        n_classes = max(2, data.n_classes)
        self.model = build_mlp(lab_spec(cfg, n_classes), seed=cfg.seed + MODEL_SEED_OFFSET)
        self.loss_fn = lab_loss(cfg)
        self.regularizer = Regularizer([fc.weight for fc in linear_layers(self.model)],
                                       cfg.regularization, cfg.reg_rate)
        optimizer = lab_optimizer(cfg, self.model)
        self.regularizer.attach(optimizer)
        # Every epoch ends with one forward over all points (the curves), like the Playground.
        self._x_all = torch.cat([data.x_train, data.x_test])
        self._n_train = len(data.x_train)
        self.trainer = Trainer(self.model, self.loss_fn, optimizer, lab_batches(cfg, data),
                               evaluate=self._evaluate, eval_every=None, seed=cfg.seed,
                               scheduler=lab_scheduler(cfg, optimizer), max_history=MAX_CURVE,
                               eval_at_epoch_end=True, forward=sequential_forward(self.model))
        self._snapshot: LabSnapshot | None = None
        self._best = (math.inf, 0)  # (best train loss, epoch it was seen): plateau detection
        self.epoch_cap = self._cap_step

    def needs_reset(self, cfg: LabConfig) -> bool:
        """True when ``cfg`` differs from the running one in a field outside LIVE_FIELDS."""
        return any(getattr(cfg, f.name) != getattr(self.cfg, f.name)
                   for f in fields(LabConfig) if f.name not in LIVE_FIELDS)

    def apply(self, cfg: LabConfig) -> bool:
        """Move to ``cfg``; live changes keep the network and its progress. Returns True
        when the change needed (and got) a reset."""
        if cfg == self.cfg:
            return False
        if self.needs_reset(cfg):
            self.reset(cfg)
            return True
        validate(cfg)
        old, trainer = self.cfg, self.trainer
        changed = {name: (getattr(old, name), getattr(cfg, name)) for name in LIVE_FIELDS
                   if getattr(old, name) != getattr(cfg, name)}
        if trainer.step_count > 0:
            self.live_changes.append((trainer.step_count, changed))
        if cfg.optimizer != old.optimizer:
            trainer.optimizer = lab_optimizer(cfg, self.model)  # fresh state (momentum etc.)
            self.regularizer.attach(trainer.optimizer)
        if cfg.optimizer != old.optimizer or cfg.schedule != old.schedule or cfg.lr != old.lr:
            for group in trainer.optimizer.param_groups:
                group["initial_lr"] = cfg.lr
            trainer.scheduler = lab_scheduler(cfg, trainer.optimizer, trainer.epoch)
            for group in trainer.optimizer.param_groups:
                group["lr"] = cfg.lr * lr_factor(cfg.schedule, trainer.epoch)
        if (cfg.regularization, cfg.reg_rate) != (old.regularization, old.reg_rate):
            self.regularizer.set(cfg.regularization, cfg.reg_rate)
        if cfg.batch_size != old.batch_size:
            batches = lab_batches(cfg, self.data)
            if isinstance(batches, PlaygroundBatches) and trainer.epoch > 0:
                batches.epochs_started = 1  # what is left over joins the next epoch's start
            trainer.set_batches(batches)  # from the next epoch on
        self.cfg = cfg
        self._snapshot = None
        self._best = (math.inf, trainer.epoch)  # new settings: a fresh plateau window
        return False

    # -- training ----------------------------------------------------------------------
    def _evaluate(self, model: nn.Module) -> dict[str, float]:
        metrics = self._metrics(model(self._x_all))
        metrics["epoch"] = float(self.trainer.epoch)
        return metrics

    def _metrics(self, out: torch.Tensor) -> dict[str, float]:
        n = self._n_train
        metrics = {"train_loss": float(self.loss_fn(out[:n], self.data.y_train)),
                   "test_loss": float(self.loss_fn(out[n:], self.data.y_test))
                   if len(self.data.y_test) else float("nan")}
        if self.cfg.problem == "classification":
            pred = self._classes(out)
            metrics["train_acc"] = float((pred[:n] == self._true(self.data.y_train)).double()
                                         .mean())
            metrics["test_acc"] = float((pred[n:] == self._true(self.data.y_test)).double()
                                        .mean()) if len(self.data.y_test) else float("nan")
        return metrics

    def _classes(self, out: torch.Tensor) -> torch.Tensor:
        if out.shape[1] == 1:
            return (out[:, 0] >= 0).long()
        return out.argmax(1)

    @staticmethod
    def _true(y: torch.Tensor) -> torch.Tensor:
        return (y[:, 0] > 0).long() if y.ndim == 2 else y

    def _steps(self, n: int) -> int:
        done = self.trainer.step(n)
        if done or self.trainer.stopped:
            self._snapshot = None
        return done

    def step_one(self) -> int:
        """Exactly one optimizer step (0 if the run has diverged)."""
        return self._steps(1)

    def step_epoch(self) -> int:
        """Steps to the end of the current epoch (the Playground's Step button)."""
        trainer, start, done = self.trainer, self.trainer.epoch, 0
        while trainer.epoch == start and not trainer.stopped:
            done += self._steps(1)
        return done

    def tick(self, budget_seconds: float = 0.1) -> TickResult:
        """Train for about ``budget_seconds`` (clamped to 0.005–1 s), in chunks of steps
        sized from the measured speed, then report whether playing should pause. Idle
        (no touch for ``idle_pause`` s): no training, paused "idle"."""
        budget = min(max(float(budget_seconds), 0.005), 1.0)
        trainer = self.trainer
        start, epochs0, steps0 = time.perf_counter(), trainer.epoch_fraction, trainer.step_count
        if self.idle():
            return TickResult(0, 0.0, 0.0, "idle")
        chunk, total = 8, 0
        while total < MAX_TICK_STEPS and not trainer.stopped:
            if trainer.epoch >= self.epoch_cap:
                break
            t0 = time.perf_counter()
            n = min(chunk, MAX_TICK_STEPS - total)
            if trainer._epoch_len:  # never past the cap
                n = min(n, max(1, math.ceil((self.epoch_cap - trainer.epoch_fraction)
                                            * trainer._epoch_len)))
            done = self._steps(n)
            total += done
            if not done:
                break
            now = time.perf_counter()
            left = budget - (now - start)
            per_step = (now - t0) / done
            if left <= per_step:
                break
            chunk = max(1, min(int(left / per_step * 0.8), 4 * chunk))
        reason = self.pause_reason()
        # Reported once: pressing Play again trains for another epoch_cap epochs / another
        # plateau window (an abandoned tab stops at the first report: the page stops playing).
        if reason == "epoch_cap":
            self.epoch_cap = trainer.epoch + self._cap_step
        elif reason == "plateau":
            self._best = (math.inf, trainer.epoch)
        return TickResult(trainer.step_count - steps0, trainer.epoch_fraction - epochs0,
                          time.perf_counter() - start, reason)

    def pause_reason(self) -> str | None:
        """Why playing should stop now: "diverged", "epoch_cap" (epoch_cap epochs since
        the start or the last cap), "plateau" (the train loss improved by less than
        PLATEAU_REL over PLATEAU_EPOCHS epochs, as seen at each call), or None."""
        trainer = self.trainer
        if trainer.history.diverged:
            return "diverged"
        if trainer.epoch >= self.epoch_cap:
            return "epoch_cap"
        losses = trainer.history.eval_metrics.get("train_loss", [])
        if losses:
            last = losses[-1]
            best, seen = self._best
            if last < best * (1 - PLATEAU_REL):
                self._best = (last, trainer.epoch)
            elif trainer.epoch - seen >= PLATEAU_EPOCHS:
                return "plateau"
        return None

    # -- drawing -----------------------------------------------------------------------
    @torch.no_grad()
    def snapshot(self) -> LabSnapshot:
        """The current state for drawing (cached until the next step or change)."""
        if self._snapshot is not None:
            return self._snapshot
        trainer, model, data, cfg = self.trainer, self.model, self.data, self.cfg
        was_training = model.training
        model.eval()
        axis, plane = _grid_points()
        inputs = feature_matrix(plane, cfg.features)
        # ONE forward over the 100×100 grid, keeping each hidden layer's output on the way.
        hidden, h = [], inputs
        for name, module in model.named_children():
            h = module(h)
            if name.startswith("act"):
                hidden.append(h)
        out = h
        full = model(self._x_all)  # every train and test point
        metrics = self._metrics(full)
        model.train(was_training)
        stride = GRID // THUMB
        thumb = [layer.T.reshape(-1, GRID, GRID)[:, ::stride, ::stride].numpy().copy()
                 for layer in hidden]
        features = inputs.T.reshape(-1, GRID, GRID)[:, ::stride, ::stride].numpy().copy()
        grid_class = grid_probs = None
        if cfg.problem == "classification":
            grid_class = self._classes(out).reshape(GRID, GRID).numpy()
            if out.shape[1] > 1:
                probs = torch.softmax(out, 1)
                grid_probs = probs.reshape(GRID, GRID, -1).numpy()
                value = probs[:, 1] - probs[:, 0] if out.shape[1] == 2 else probs.max(1).values
            else:
                value = out[:, 0]
        else:
            value = out[:, 0]
        h_ = trainer.history
        em = h_.eval_metrics
        classify = cfg.problem == "classification"
        confusion = confusion_train = None
        if classify:
            k = max(2, data.n_classes)
            pred = self._classes(full)
            n = self._n_train
            confusion_train = _confusion(self._true(data.y_train), pred[:n], k)
            confusion = _confusion(self._true(data.y_test), pred[n:], k)
        linears = linear_layers(model)
        snap = LabSnapshot(
            epoch=trainer.epoch, epoch_fraction=trainer.epoch_fraction,
            step=trainer.step_count,
            train_loss=metrics["train_loss"], test_loss=metrics["test_loss"],
            train_acc=metrics.get("train_acc"), test_acc=metrics.get("test_acc"),
            curve_epochs=np.array(em.get("epoch", []), dtype=int), curve_train_loss=np.array(em.get("train_loss", [])),
            curve_test_loss=np.array(em.get("test_loss", [])),
            curve_train_acc=np.array(em.get("train_acc", [])) if classify else None,
            curve_test_acc=np.array(em.get("test_acc", [])) if classify else None,
            grid=axis, grid_output=value.reshape(GRID, GRID).numpy().astype(float),
            grid_class=grid_class, grid_probs=grid_probs, thumb_grid=axis[::stride],
            neuron_outputs=tuple(thumb), feature_outputs=features,
            weights=tuple(fc.weight.detach().numpy().copy() for fc in linears),
            biases=tuple(fc.bias.detach().numpy().copy() for fc in linears),
            dead=tuple(d.numpy().copy() for d in self.regularizer.dead),
            confusion=confusion, confusion_train=confusion_train,
            diverged=h_.diverged or not math.isfinite(metrics["train_loss"]),
            lr=float(trainer.optimizer.param_groups[0]["lr"]),
            n_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
            n_train=self._n_train, n_test=len(data.x_test))
        self._snapshot = snap
        return snap


def _confusion(true: torch.Tensor, pred: torch.Tensor, k: int) -> np.ndarray:
    return torch.bincount(true * k + pred, minlength=k * k).reshape(k, k).numpy()


def _data_key(cfg: LabConfig) -> tuple:
    return (cfg.problem, cfg.dataset, cfg.n_classes, cfg.n_points, cfg.noise,
            cfg.train_percent, cfg.seed, cfg.features, cfg.loss)


# ----------------------------------------------------------------------------------------
# Presets: a few telling setups (the page writes their one-line stories from the locale,
# key playground.preset.<id>). Each is a dict of LabConfig fields over LabConfig().
# ----------------------------------------------------------------------------------------

PRESETS: dict[str, dict] = {
    # A line cannot separate a disc from a ring; x1² and x2² make it linear.
    "circle_squares": dict(dataset="circle", features=("x1", "x2", "x1_sq", "x2_sq"),
                           hidden=(), lr=0.03),
    # XOR: no hidden layer with x1, x2 fails; the product feature x1·x2 solves it alone.
    "xor_product": dict(dataset="xor", features=("x1x2",), hidden=(), lr=0.03),
    # XOR with a hidden layer instead of the product feature.
    "xor_hidden": dict(dataset="xor", features=("x1", "x2"), hidden=(4,), lr=0.03),
    # The spiral needs depth: the Playground's benchmark setting (2-8-8-1 tanh, lr 0.03).
    "spiral_deep": dict(dataset="spiral", features=("x1", "x2"), hidden=(8, 8), lr=0.03,
                        playground_mode=True),
    # Too high a learning rate: lr 1 blows the plane regression up within a few steps
    # (the inputs reach ±6); lr 0.3 fits it.
    "lr_too_high": dict(problem="regression", dataset="plane", n_points=N_POINTS_REGRESS,
                        features=("x1", "x2"), hidden=(4,), activation="relu", lr=1.0),
    # Three classes with cross-entropy and a softmax over three outputs.
    "three_classes": dict(dataset="spiral", n_classes=3, loss="cross_entropy",
                          features=("x1", "x2"), hidden=(16, 16), activation="relu",
                          init="he", optimizer="adam", lr=0.01),
    # L1 switches off the inputs and links that do not matter (weights become exactly 0).
    "l1_sparsity": dict(dataset="circle", features=FEATURES, hidden=(8, 8),
                        regularization="l1", reg_rate=0.003, lr=0.03),
    # Adam with ReLU on the spiral: far fewer epochs than plain SGD.
    "spiral_adam_relu": dict(dataset="spiral", features=("x1", "x2"), hidden=(16, 16, 16),
                             activation="relu", init="he", optimizer="adam", lr=0.01,
                             loss="cross_entropy"),
}


# ----------------------------------------------------------------------------------------
# "PyTorch code for this run"
# ----------------------------------------------------------------------------------------

_OPTIMIZER_CODE = {
    "sgd": "torch.optim.SGD(model.parameters(), lr={lr!r}, weight_decay=0.0)",
    "momentum": "torch.optim.SGD(model.parameters(), lr={lr!r}, momentum=0.9, weight_decay=0.0)",
    "nesterov": "torch.optim.SGD(model.parameters(), lr={lr!r}, momentum=0.9, nesterov=True, "
                "weight_decay=0.0)",
    "rmsprop": "torch.optim.RMSprop(model.parameters(), lr={lr!r}, alpha=0.99, weight_decay=0.0)",
    "adagrad": "torch.optim.Adagrad(model.parameters(), lr={lr!r}, weight_decay=0.0)",
    "adam": "torch.optim.Adam(model.parameters(), lr={lr!r}, betas=(0.9, 0.999), "
            "weight_decay=0.0)",
    "adamw": "torch.optim.AdamW(model.parameters(), lr={lr!r}, betas=(0.9, 0.999), "
             "weight_decay=0.0)",
}


_SOURCE_LOCK = threading.Lock()


@functools.cache
def _source_locked(obj) -> str:
    return textwrap.dedent(inspect.getsource(obj)).strip() + "\n"


def _source(obj) -> str:
    """The source of a class or function, read once. One thread at a time: CPython 3.11's
    parser failed with "SystemError: AST constructor recursion depth mismatch" when three
    sessions built the code panel at once (bench_load --players 3)."""
    with _SOURCE_LOCK:
        return _source_locked(obj)


def lab_code(cfg: LabConfig, steps: int) -> str:
    """Standalone torch code (no import of this project) that builds this run's data and
    network and takes ``steps`` optimizer steps exactly as LabSession does, then prints the
    train and test loss. Generated points only (an upload is not embedded)."""
    validate(cfg)
    if cfg.dataset == CSV_DATASET:
        raise ValueError("lab_code needs generated points")
    k = cfg.n_classes if cfg.problem == "classification" else 0
    spec = lab_spec(cfg, max(2, k))
    data_fn = GENERATORS[cfg.dataset]
    if cfg.problem == "regression":
        targets = "labels.float().reshape(-1, 1)"
    elif cfg.loss == "squared":
        targets = "(labels.float() * 2 - 1).reshape(-1, 1)  # class 1 -> +1, class 0 -> -1"
    else:
        targets = "labels.long()  # class ids"
    squared = cfg.problem == "regression" or cfg.loss == "squared"
    loss_line = ("def loss_fn(output, target):  # the Playground's ½(o − y)², mean over the batch\n"
                 "    return F.mse_loss(output, target) * 0.5\n") if squared else \
        "loss_fn = F.cross_entropy\n"
    parts = [f'''"""TensorFlow-Playground-style run, {steps} optimizer steps (generated by the lab)."""
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

torch.set_flush_denormal(True)
seed = {cfg.seed}
steps = {int(steps)}
FEATURES = {FEATURES!r}

''', _source(_uniform), "\n\n", _source(data_fn), "\n\n", _source(feature_matrix), f'''

# points from the seed, shuffled from their own stream, then split
points, labels = {data_fn.__name__}({cfg.n_points}, {cfg.noise / 100!r}, {k}, torch.Generator().manual_seed(seed))
order = torch.randperm(len(points), generator=torch.Generator().manual_seed(seed + 2))
points, labels = points[order], labels[order]
split = len(points) * {cfg.train_percent} // 100
x = feature_matrix(points, {tuple(cfg.features)!r})
y = {targets}
x_train, y_train, x_test, y_test = x[:split], y[:split], x[split:], y[split:]

''', mlp_code(spec, seed="seed + 1"), "\n", loss_line,
        f"optimizer = {_OPTIMIZER_CODE[cfg.optimizer].format(lr=cfg.lr)}\n"]
    if cfg.regularization != "none":
        parts += ["\n\n", _source(Regularizer), "\n\n",
                  f"regularizer = Regularizer([fc.weight for fc in linears], "
                  f"{cfg.regularization!r}, {cfg.reg_rate!r})\n",
                  "regularizer.attach(optimizer)\n"]
    if cfg.schedule != "none":
        parts += ["\n", f"STEP_GAMMA, STEP_EVERY_EPOCHS = {STEP_GAMMA!r}, {STEP_EVERY_EPOCHS}\n",
                  f"COSINE_EPOCHS, COSINE_FLOOR = {COSINE_EPOCHS}, {COSINE_FLOOR!r}\n\n\n",
                  _source(lr_factor), "\n\n",
                  "scheduler = torch.optim.lr_scheduler.LambdaLR(\n"
                  f"    optimizer, lambda e: lr_factor({cfg.schedule!r}, e))  # once per epoch\n"]
    else:
        parts += ["scheduler = None\n"]
    if cfg.playground_mode:
        parts += ["\n\n", _source(PlaygroundBatches), "\n\n",
                  f"batches = PlaygroundBatches(x_train, y_train, {cfg.batch_size})\n"]
    else:
        parts += [f'''
# reshuffled every epoch from its own generator; each batch is one index into the tensors
loader_generator = torch.Generator().manual_seed(seed + 3)
batches = DataLoader(TensorDataset(x_train, y_train), batch_size=None,
                     sampler=BatchSampler(RandomSampler(range(split), generator=loader_generator),
                                          {cfg.batch_size}, False),
                     generator=loader_generator)
''']
    parts += ['''
torch.manual_seed(seed)  # dropout masks come from the global generator
model.train()
step = 0
while step < steps:
    for xb, yb in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        step += 1
        if step == steps:
            break
    else:  # a whole epoch
        if scheduler is not None:
            scheduler.step()

model.eval()
with torch.no_grad():
    out = model(torch.cat([x_train, x_test]))
    train_loss = float(loss_fn(out[:split], y_train))
    test_loss = float(loss_fn(out[split:], y_test))
print(f"train loss {train_loss:.4f}   test loss {test_loss:.4f}")
''']
    return "".join(parts)


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
