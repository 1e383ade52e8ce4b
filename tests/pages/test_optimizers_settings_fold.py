"""/optimizers' per-optimizer settings (learning rate, momentum, betas, alpha) sit in a lazy fold
(ui.page.lazy_fold): drawn only while open, yet every value reaches the trajectories exactly as
if drawn — from the URL, a preset, a value moved while open, across page switches. The code
panel shows the settings the trajectories ran with (``torch.optim.SGD([p], lr=…, momentum=…)``).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.test_pages import PAGES, assert_ok, open_page
from ui.i18n import catalog

PAGE = next(p for p in PAGES if p.namespace == "optimizers")
FOLD, CODE = "opt_settings", "opt_code_paths"
PER_OPTIMIZER = ("opt_lr_", "opt_momentum_", "opt_alpha_", "opt_beta1_", "opt_beta2_")


def settings_drawn(at: AppTest) -> list[str]:
    return [w.key for kind in ("slider", "select_slider") for w in at.get(kind)
            if (w.key or "").startswith(PER_OPTIMIZER)]


def code(at: AppTest) -> str:
    """The trajectories' code panel (opened if closed: a run more)."""
    if not at.session_state[CODE] if CODE in at.session_state else True:
        at.session_state[CODE] = True
        at.run()
    assert_ok(at)
    return next(e for e in at.expander if e.key == CODE).code[0].value


def url(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def story(at: AppTest) -> bool:
    text = catalog("optimizers")["preset.overshoot_story"]["en"]
    return any(text in i.value for i in at.info)


def set_fold(at: AppTest, open_: bool) -> AppTest:
    at.session_state[FOLD] = open_
    at.run()
    assert_ok(at)
    return at


def test_the_fold_is_closed_and_draws_no_setting_until_opened():
    at = open_page(PAGE)
    assert_ok(at)
    assert settings_drawn(at) == [], "closed by default: nothing of it re-sent on a press"
    set_fold(at, True)
    assert sorted(settings_drawn(at)) == sorted([
        "opt_lr_sgd_quadratic", "opt_lr_momentum_quadratic", "opt_lr_rmsprop_quadratic",
        "opt_lr_adam_quadratic", "opt_momentum_momentum", "opt_alpha_rmsprop", "opt_beta1_adam",
        "opt_beta2_adam"])


def test_url_values_reach_the_trajectories_with_the_fold_closed():
    params = {"opt_lr_sgd_quadratic": "0.02", "opt_momentum_momentum": "0.5",
              "opt_beta1_adam": "0.8", "opt_beta2_adam": "0.99"}
    at = open_page(PAGE, "en", params)
    assert settings_drawn(at) == []
    text = code(at)
    assert "torch.optim.SGD([p], lr=0.02)" in text
    assert "momentum=0.5" in text and "betas=(0.8, 0.99)" in text
    assert {key: url(at, key) for key in params} == params, "kept in the URL (a shared link)"
    sgd_lr = at.table[0].value.iloc[0, 0]  # the table's first row and column: SGD's rate
    assert float(sgd_lr) == 0.02


def test_a_bad_url_value_in_the_closed_fold_is_dropped_with_a_notice():
    at = open_page(PAGE, "en", {"opt_momentum_momentum": "banana"})
    assert_ok(at)
    assert any("opt_momentum_momentum=banana" in w.value for w in at.warning)
    assert "momentum=0.9" in code(at)


def test_a_value_moved_while_open_survives_closing_and_a_page_switch():
    at = set_fold(open_page(PAGE), True)
    at.slider(key="opt_momentum_momentum").set_value(0.5).run()
    at.select_slider(key="opt_lr_sgd_quadratic").set_value(0.05).run()
    set_fold(at, False)
    assert settings_drawn(at) == []
    at.slider(key="opt_steps").set_value(200).run()  # presses with the fold closed
    at.slider(key="opt_steps").set_value(300).run()
    text = code(at)
    assert "momentum=0.5" in text and "torch.optim.SGD([p], lr=0.05)" in text
    assert url(at, "opt_momentum_momentum") == "0.5"
    other = next(p for p in PAGES if p.namespace == "dropout")
    at.switch_page(other.script).run()
    at.switch_page(PAGE.script).run()
    assert_ok(at)
    text = code(at)
    assert "momentum=0.5" in text and "torch.optim.SGD([p], lr=0.05)" in text
    set_fold(at, True)
    assert at.slider(key="opt_momentum_momentum").value == 0.5
    assert at.select_slider(key="opt_lr_sgd_quadratic").value == 0.05


@pytest.mark.parametrize("open_first", [False, True], ids=["closed", "moved_then_closed"])
def test_a_preset_reaches_the_closed_fold(open_first):
    at = open_page(PAGE)
    if open_first:  # a value moved by hand before: the preset still wins
        set_fold(at, True)
        at.slider(key="opt_momentum_momentum").set_value(0.3).run()
        set_fold(at, False)
    at.button(key="preset_overshoot").click().run()
    assert_ok(at)
    assert settings_drawn(at) == []
    text = code(at)
    assert "torch.optim.SGD([p], lr=0.03)" in text
    assert "torch.optim.SGD([p], lr=0.03, momentum=0.95)" in text
    assert url(at, "opt_momentum_momentum") == "0.95"
    assert story(at), "the preset's story while its values hold"
    set_fold(at, True)
    assert at.slider(key="opt_momentum_momentum").value == 0.95
    at.slider(key="opt_momentum_momentum").set_value(0.5).run()
    set_fold(at, False)
    at.run()  # a later run: the value is no longer in the session, only in the store and URL
    assert "momentum=0.5" in code(at)
    assert not story(at), "a value changed in the fold, then closed: the story is gone"


def test_the_network_trains_the_closed_folds_settings():
    """The network section (its own fragment) trains the chosen optimizers with the momentum/β
    of the fold, closed, and its own learning-rate scale."""
    at = open_page(PAGE, "en", {"opt_net": "1", "opt_epochs": "5", "opt_opts": "sgd,momentum",
                                "opt_momentum_momentum": "0.5", "opt_lrscale": "0.3"})
    assert_ok(at)
    assert settings_drawn(at) == []
    assert len(at.table) == 2 and len(at.table[1].value) == 2, "two optimizers trained"
    at.session_state["opt_code_network"] = True
    at.run()
    text = next(e for e in at.expander if e.key == "opt_code_network").code[0].value
    assert "momentum=0.5" in text
    assert "lr=0.015" in text, "momentum's network rate 0.05 x 0.3, not the surface's 0.1"


def test_the_step_shown_follows_steps_at_the_end_and_is_clamped_elsewhere():
    """ui.url_state.url_end_slider: at the end of the run it follows a new "Steps"; moved back,
    it keeps its step, clamped to a shorter run (a new range must never drop it to 0)."""
    at = open_page(PAGE, "en")
    steps, shown = at.slider(key="opt_steps"), lambda: at.slider(key="opt_at")
    assert shown().value == steps.value == 300
    steps.set_value(500).run()
    assert_ok(at)
    assert shown().value == 500 and shown().max == 500  # at the end: follows to the new end
    shown().set_value(120).run()
    at.slider(key="opt_steps").set_value(600).run()
    assert shown().value == 120 and shown().max == 600  # elsewhere: keeps its step
    at.slider(key="opt_steps").set_value(100).run()
    assert shown().value == 100  # clamped to the shorter run
