"""The page's controls <-> LabConfig (pure: the page draws the widgets, these map the
values: a preset or a Playground link to widget values, widget values to a valid config)."""

from __future__ import annotations

from collections.abc import Mapping

from core.lab.config import (
    CSV_DATASET, DATASETS_REGRESSION, FEATURES, N_POINTS_CLASSIFY, N_POINTS_REGRESS,
    PLAYGROUND_MODE_FIELDS, LabConfig,
)
from core.lab.csv import CsvPoints

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
