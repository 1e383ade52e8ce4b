"""/playground through AppTest: a node shown large through the selector under the network,
playing stops by itself and says why, and a Playground link's ``<name>_hide=true`` controls
are not drawn."""

from __future__ import annotations

import re

from core.charts.playground import svg_of
from tests.pages.test_pages import assert_ok, open_page
from tests.pages.test_playground import session
from ui.i18n import catalog
from ui.registry import page_by_namespace

INFO = page_by_namespace("playground")
TEXT = catalog("playground")


def fixed_part(text: str) -> str:
    """The longest stretch of a message without placeholders."""
    return max(re.split(r"\{[^}]*\}", text), key=len)


def network(at) -> str:
    return next(m.value for m in at.markdown if 'class="pg-net"' in m.value)


def test_a_chosen_node_is_shown_large_and_framed_in_the_network():
    at = open_page(INFO, "en")
    chooser = at.selectbox(key="_pg_sel")
    assert chooser.value == -1 and chooser.label == TEXT["enlarge"]["en"]
    assert svg_of(network(at)).count('stroke="#222222"') == 0
    name = TEXT["chart.neuron"]["en"].format(layer=1, k=2)
    index = chooser.options.index(name) - 1  # options: "none", then every node in order
    chooser.select_index(index + 1).run()
    assert_ok(at)
    assert at.selectbox(key="_pg_sel").value == index
    big = [m.value for m in at.markdown if f'alt="{name}"' in m.value]
    assert len(big) == 1 and 'src="data:image/png;base64,' in big[0]
    assert name in [c.value for c in at.caption]
    svg = svg_of(network(at))
    assert svg.count('stroke="#222222"') == 1  # the chosen node is framed
    rects = re.findall(r'<rect [^>]*>', svg)
    assert 'stroke="#222222"' in rects[index]
    chooser = at.selectbox(key="_pg_sel")
    chooser.select_index(0).run()  # back to none
    assert not [m for m in at.markdown if f'alt="{name}"' in m.value]
    # a smaller network: the chosen node is gone, the selector falls back to none
    at.selectbox(key="_pg_sel").select_index(len(at.selectbox(key="_pg_sel").options) - 1).run()
    at.slider(key="pg_layers").set_value(0).run()
    assert_ok(at)
    assert at.selectbox(key="_pg_sel").value == -1


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
