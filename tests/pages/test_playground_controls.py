"""/playground through AppTest: the drawing element gets every node's map and weight,
playing stops by itself and says why, and a Playground link's ``<name>_hide=true`` controls
are not drawn."""

from __future__ import annotations

import re

import base64

import numpy as np

from core import lab
from tests.pages.test_pages import assert_ok, open_page
from tests.pages.test_playground import drawing, session
from ui.i18n import catalog
from ui.registry import page_by_namespace

INFO = page_by_namespace("playground")
TEXT = catalog("playground")


def fixed_part(text: str) -> str:
    """The longest stretch of a message without placeholders."""
    return max(re.split(r"\{[^}]*\}", text), key=len)


def test_the_drawing_receives_every_node_map_and_weight_of_the_network():
    """What a tap shows large (a neuron's map) and reads (a link's weight) is in the element's
    data: checked against the session's own snapshot, decoded independently."""
    at = open_page(INFO, "en")
    at.button(key="_pg_step").click().run()
    assert_ok(at)
    data, snap = drawing(at), session(at).snapshot()
    t = data["thumb"]
    maps = np.frombuffer(base64.b64decode(data["maps"]), np.uint8).reshape(-1, t, t)
    n_inputs = len(data["all_features"])
    assert data["all_features"] == list(lab.FEATURES) and data["hidden"] == [4, 2]
    assert len(maps) == n_inputs + 4 + 2 + 1
    # layer 1, neuron 2: its output over the plane, top row first, on -1..1 in 254 levels
    expected = np.clip(snap.neuron_outputs[0][1], -1, 1)[::-1]
    decoded = maps[n_inputs + 1].astype(float) / 253 * 2 - 1
    np.testing.assert_allclose(decoded, expected, atol=1 / 253 + 1e-9)
    for sent, weights in zip(data["weights"], snap.weights):
        np.testing.assert_allclose(sent, weights.ravel(), atol=6e-4)
    # the inputs: X1 and X2 on, the other five drawn (faded) so a tap can switch them on
    assert data["features"] == ["x1", "x2"] and data["controls"]["features"]
    # the same switch as a toggle in the folded panel
    at.toggle(key="pg_f_x1_sq").set_value(True).run()
    assert drawing(at)["features"] == ["x1", "x2", "x1_sq"]
    assert session(at).cfg.features == ("x1", "x2", "x1_sq")


def test_playing_stops_at_the_epoch_cap_and_says_so():
    at = open_page(INFO, "en")
    lab = session(at)
    lab.epoch_cap = lab._cap_step = 2  # a tiny cap: a tick or two reach it
    at.button(key="_pg_play").click().run()
    # How far one timed tick trains depends on the machine and its load (on a loaded CI
    # machine the first tick ended at epoch 1): run on until the cap stops the play.
    for _ in range(20):
        if not at.session_state["_pg_playing"]:
            break
        at.run()
    assert_ok(at)
    assert lab.trainer.epoch == 2
    assert not at.session_state["_pg_playing"]
    assert at.session_state["_pg_paused"] == "epoch_cap"
    expected = fixed_part(TEXT["paused.epoch_cap"]["en"])
    assert any(expected in i.value for i in at.info), [i.value for i in at.info]
    assert at.button(key="_pg_play").label == "Play"  # Play is back, not Pause


def test_an_idle_session_stops_playing_with_the_idle_reason():
    at = open_page(INFO, "ko")
    lab = session(at)
    lab.idle_pause = -1.0  # every tick finds the tab idle (a full run touches it first)
    at.button(key="_pg_play").click().run()
    assert_ok(at)
    assert at.session_state["_pg_paused"] == "idle" and lab.trainer.step_count == 0
    expected = fixed_part(TEXT["paused.idle"]["ko"])
    assert any(expected in i.value for i in at.info)


def test_playground_hide_keys_hide_the_lab_controls():
    at = open_page(INFO, "en", {"dataset": "xor", "activation_hide": "true",
                                "playButton_hide": "true", "noise_hide": "true",
                                "numHiddenLayers_hide": "true",
                                "paintPlatform_hide": "true"})
    assert_ok(at)
    keys = {w.key for kind in ("slider", "select_slider", "selectbox", "radio", "toggle")
            for w in at.get(kind)}
    assert not keys & {"pg_act", "pg_noise", "pg_layers"}
    assert {"pg_lr", "pg_dataset", "pg_batch"} <= keys
    assert "_pg_play" not in {b.key for b in at.button} and "_pg_step" in {b.key for b in at.button}
    hide = at.query_params["hide"]
    hide = hide if isinstance(hide, str) else ",".join(hide)
    assert set(hide.split(",")) == {"pg_act", "pg_play", "pg_noise", "pg_layers"}
    assert session(at).cfg.dataset == "xor"  # the hidden controls keep the link's values
    warnings = " ".join(w.value for w in at.warning)
    assert "`paintPlatform_hide`" in warnings


def test_a_pasted_link_with_hide_keys_hides_the_controls():
    at = open_page(INFO, "en")
    at.text_input(key="_pg_import_url").input(
        "https://playground.tensorflow.org/#activation=relu&batchSize=20&batchSize_hide=true")
    at.button(key="_pg_import_go").click().run()
    assert_ok(at)
    keys = {w.key for w in at.slider}
    assert "pg_batch" not in keys
    assert session(at).cfg.batch_size == 20 and session(at).cfg.activation == "relu"
