"""Opening a TensorFlow Playground link (its src/state.ts: keys and value formats)."""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from dataclasses import fields
from urllib.parse import unquote, urlsplit

from core.lab.config import (
    DATASETS_CLASSIFICATION, FEATURES, MAX_BATCH, MAX_LAYERS, MAX_NEURONS, N_POINTS_CLASSIFY,
    N_POINTS_REGRESS, PLAYGROUND_MODE_FIELDS, LabConfig,
)

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
