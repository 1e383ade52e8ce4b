"""The lab's settings: the choices it offers, its limits, ``LabConfig`` (one comment per
field), which fields change a running session in place, and the presets."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from core.training import OPTIMIZERS

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
