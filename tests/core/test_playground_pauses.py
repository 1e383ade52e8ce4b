"""Playing pauses itself (issue 12): at an epoch cap, on a plateau, when the tab is idle;
and a Playground link's ``<name>_hide=true`` controls become the lab's ``?hide=`` names."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import core.lab.session as lab_session
from core.lab import (
    PLAYGROUND_HIDE, LabConfig, LabSession, parse_playground_params, parse_playground_url,
)

SMALL = LabConfig(dataset="gauss", hidden=(2,), batch_size=64, train_percent=50)


def play(session: LabSession, budget: float = 0.05, limit: int = 400) -> str:
    """Tick until a pause is reported (as the page's timer would)."""
    for _ in range(limit):
        reason = session.tick(budget).paused
        if reason is not None:
            return reason
    raise AssertionError("never paused")


def test_epoch_cap_pauses_exactly_at_the_cap_and_play_goes_on_for_another_cap():
    session = LabSession(SMALL, epoch_cap=3)
    assert play(session) == "epoch_cap" and session.trainer.epoch == 3
    # pressing Play again trains on, for another epoch_cap epochs
    assert play(session) == "epoch_cap" and session.trainer.epoch == 6


def test_plateau_pauses_after_the_window_without_progress(monkeypatch):
    monkeypatch.setattr(lab_session, "PLATEAU_EPOCHS", 4)
    # The rule is read at each call, so what a tick sees depends on how many epochs it
    # covers; a timed tick covers more on a faster machine (170 epochs in 1 s here, where
    # lr 1e-5 improves the loss by ~3 %: no plateau). One epoch per tick (4 steps: 250
    # training points in batches of 64) makes every call see the same epochs everywhere.
    monkeypatch.setattr(lab_session, "MAX_TICK_STEPS", 4)
    # lr 1e-5: the loss moves far less than PLATEAU_REL per window of 4 epochs
    session = LabSession(LabConfig(**{**SMALL.__dict__, "lr": 0.00001}), epoch_cap=10_000)
    reason = None
    for _ in range(40):
        session.step_epoch()
        reason = session.pause_reason()
        if reason is not None:
            break
    assert reason == "plateau"
    assert session.trainer.epoch == 5  # first reading after epoch 1, then a 4-epoch window
    result = session.tick(1.0)  # a tick reports it too (one epoch later)
    assert result.paused == "plateau" and result.steps == 4 and session.trainer.epoch == 6
    # reported once: the next reading (epoch 7) starts a new 4-epoch window
    reasons = [session.tick(1.0).paused for _ in range(5)]
    assert reasons == [None, None, None, None, "plateau"] and session.trainer.epoch == 11


def test_a_learning_run_does_not_plateau(monkeypatch):
    monkeypatch.setattr(lab_session, "PLATEAU_EPOCHS", 30)
    session = LabSession(LabConfig(**{**SMALL.__dict__, "lr": 0.1, "optimizer": "adam",
                                      "loss": "cross_entropy", "init": "default"}),
                         epoch_cap=25)
    assert play(session, budget=0.01) == "epoch_cap"  # the cap came first


def test_an_idle_tab_pauses_without_training_and_a_touch_resumes():
    session = LabSession(SMALL, idle_pause=10)
    session.touch(now=time.monotonic() - 11)  # nobody touched the page for 11 s
    result = session.tick(0.05)
    assert result.paused == "idle" and result.steps == 0 and session.trainer.step_count == 0
    session.touch()
    result = session.tick(0.02)
    assert result.paused is None and result.steps > 0
    assert not session.idle() and session.idle(now=time.monotonic() + 11)


# The Playground's hidable controls (src/playground.ts HIDABLE_CONTROLS), written out here.
HIDABLE = ("showTestData", "discretize", "playButton", "stepButton", "resetButton",
           "learningRate", "activation", "regularization", "regularizationRate", "problem",
           "dataset", "percTrainData", "noise", "batchSize", "numHiddenLayers")
ROOT = Path(__file__).resolve().parents[2]
PAGE = "".join((ROOT / name).read_text()  # the page and the widget groups it draws
               for name in ("app_pages/playground.py", "ui/lab/controls.py"))


def test_every_playground_hide_key_maps_to_a_control_of_the_page():
    assert set(PLAYGROUND_HIDE) == set(HIDABLE)
    for name in HIDABLE:
        fields, rejected = parse_playground_params({f"{name}_hide": "true"})
        assert rejected == [] and fields["hide"], name
        for key in fields["hide"]:  # a widget key (or a button's hide name) the page uses
            assert re.search(rf'["\']{key}["\']', PAGE), (name, key)
    fields, rejected = parse_playground_params({"activation_hide": "true",
                                                "learningRate_hide": "false",
                                                "dataset_hide": "true"})
    assert fields["hide"] == ["pg_act", "pg_dataset", "pg_reg_dataset"] and rejected == []


@pytest.mark.parametrize("parse", [
    lambda p: parse_playground_params(p),
    lambda p: parse_playground_url("https://playground.tensorflow.org/#"
                                   + "&".join(f"{k}={v}" for k, v in p.items())),
])
def test_a_hidden_control_the_lab_lacks_is_named_and_the_rest_kept(parse):
    fields, rejected = parse({"noise_hide": "true", "paintPlatform_hide": "true",
                              "dataset": "xor"})
    assert fields["hide"] == ["pg_noise"] and rejected == ["paintPlatform_hide"]
    assert fields["dataset"] == "xor"
