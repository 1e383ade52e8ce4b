"""The lab's tick messages stay out of Streamlit's browser message cache (issue 20).

Streamlit's browser keeps every element message of at least ``global.minCachedMessageSize``
bytes and drops one only after runs that end with no rerun waiting. Every /playground tick ends
with the drawing's request for the next tick waiting, so cached tick messages piled up for as
long as the lab played (+0.9 MB/s of the tab's memory, measured). The threshold in
.streamlit/config.toml must stay above the biggest message a tick can send.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path

import numpy as np

from core import lab
from core.charts.lab_drawing import drawing_data
from ui.lab import drawing
from ui.lab.view import feature_maps

ROOT = Path(__file__).resolve().parents[2]


def _threshold() -> int:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    return int(config["global"]["minCachedMessageSize"])


def _biggest_tick_message() -> int:
    """The bytes of the largest drawing message: every input, 6 layers of 16 neurons, 10
    classes, the test points shown, a pinned run, a long curve; text in the longer language."""
    cfg = lab.LabConfig(features=lab.FEATURES, hidden=(lab.MAX_NEURONS,) * lab.MAX_LAYERS,
                        n_classes=lab.MAX_CLASSES, loss="cross_entropy",
                        dataset="gauss")
    session = lab.LabSession(cfg)
    session.step_epoch()
    full = np.linspace(1, 0.1, lab.MAX_CURVE)  # a full curve (decimated at MAX_CURVE entries)
    snap = dataclasses.replace(
        session.snapshot(), curve_epochs=np.arange(lab.MAX_CURVE), curve_train_loss=full,
        curve_test_loss=full * 1.1, curve_train_acc=1 - full / 2, curve_test_acc=1 - full / 3)
    pinned = {"epochs": np.arange(lab.MAX_CURVE), "train_loss": np.ones(lab.MAX_CURVE) / 3,
              "test_loss": np.ones(lab.MAX_CURVE) / 7}
    text = {f"t{i}": "가나다라마바사아자차카타파하" * 4 for i in range(60)}
    data = drawing_data(snap, session.data, features=cfg.features, all_features=lab.FEATURES,
                        feature_maps=feature_maps(), stride=lab.GRID // lab.THUMB,
                        extent=lab.EXTENT, show_test=True, discretize=False, pinned=pinned,
                        text=text, controls={"features": True, "layers": True, "present": True})
    body = json.dumps(data, ensure_ascii=False).encode()
    return len(body) + len(drawing.JS.encode()) + len(drawing.CSS.encode())  # JS: the loader


def test_no_tick_message_reaches_the_cache_threshold():
    biggest = _biggest_tick_message()
    assert biggest > 40_000  # the measurement is real: a tick carries the plane and the maps
    assert biggest < _threshold() / 1.5, (biggest, _threshold())


def test_the_threshold_is_raised_from_streamlits_default():
    assert _threshold() > 10_000
