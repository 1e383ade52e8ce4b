"""A lazy fold (ui.page.lazy_fold) and ui.url_state.off_screen: widgets in a closed fold are not
drawn, yet their values come from the URL, the session and a preset exactly as if drawn, and go
back to the URL. AppTest over a small script (no page, no torch)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

TIMEOUT = 60


def fold_script():
    import streamlit as st

    from ui.page import lazy_fold
    from ui.url_state import off_screen, url_log_slider, url_slider, url_toggle

    st.session_state.setdefault("lang", "en")

    def preset() -> None:
        st.session_state["f_rate"] = 0.3
        st.session_state["f_beta"] = 0.5

    st.button("preset", key="preset_p", on_click=preset)
    with lazy_fold("Settings", "f_fold") as open_:
        if open_:
            st.markdown("FOLD BODY")
        rate = url_log_slider("f_rate", "rate", (0.01, 0.03, 0.1, 0.3), 0.1)
        beta = url_slider("f_beta", "beta", 0.0, 0.99, 0.9, step=0.01)
        with off_screen(False):  # does not bring back what the fold keeps off
            flag = url_toggle("f_flag", "flag", False)
    after = url_slider("f_after", "after", 0, 10, 5)  # after the block: drawn again
    st.markdown(f"RESULT rate={rate} beta={beta} flag={flag} after={after}")


def start(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_function(fold_script, default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def result(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    return next(m.value for m in at.markdown if m.value.startswith("RESULT"))


def url(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def drawn(at: AppTest) -> set[str]:
    return {w.key for kind in ("slider", "select_slider", "toggle") for w in at.get(kind)}


def set_open(at: AppTest, value: bool) -> AppTest:
    at.session_state["f_fold"] = value
    return at.run()


def test_a_closed_fold_draws_nothing_but_returns_the_defaults():
    at = start()
    assert result(at) == "RESULT rate=0.1 beta=0.9 flag=False after=5"
    assert drawn(at) == {"f_after"}, "only the widget after the fold"
    assert "FOLD BODY" not in [m.value for m in at.markdown]
    assert set_open(at, True) and drawn(at) == {"f_rate", "f_beta", "f_flag", "f_after"}
    assert "FOLD BODY" in [m.value for m in at.markdown]


def test_url_values_reach_the_result_with_the_fold_closed():
    at = start({"f_rate": "0.03", "f_beta": "0.5", "f_flag": "1"})
    assert result(at) == "RESULT rate=0.03 beta=0.5 flag=True after=5"
    assert drawn(at) == {"f_after"}
    assert url(at, "f_rate") == "0.03" and url(at, "f_beta") == "0.5", \
        "still in the URL: a shared link keeps them"
    at.slider(key="f_after").set_value(7).run()  # another press: still there
    assert result(at) == "RESULT rate=0.03 beta=0.5 flag=True after=7"
    assert url(at, "f_rate") == "0.03"
    set_open(at, True)
    assert at.select_slider(key="f_rate").value == 0.03 and at.slider(key="f_beta").value == 0.5


def test_a_bad_url_value_in_a_closed_fold_is_dropped_with_a_notice():
    at = start({"f_beta": "banana"})
    assert result(at) == "RESULT rate=0.1 beta=0.9 flag=False after=5"
    assert any("f_beta=banana" in w.value for w in at.warning)
    assert "f_beta" not in at.query_params


def test_a_value_moved_while_open_survives_closing_and_reopening():
    at = set_open(start(), True)
    at.slider(key="f_beta").set_value(0.42).run()
    at.select_slider(key="f_rate").set_value(0.3).run()
    assert result(at) == "RESULT rate=0.3 beta=0.42 flag=False after=5"
    set_open(at, False)
    assert drawn(at) == {"f_after"}
    assert result(at) == "RESULT rate=0.3 beta=0.42 flag=False after=5"
    for value in (3, 4):  # later runs of the closed fold (the widgets' state is gone by then)
        at.slider(key="f_after").set_value(value).run()
        assert result(at) == f"RESULT rate=0.3 beta=0.42 flag=False after={value}"
        assert url(at, "f_beta") == "0.42" and url(at, "f_rate") == "0.3"
    set_open(at, True)
    assert at.slider(key="f_beta").value == 0.42 and at.select_slider(key="f_rate").value == 0.3
    assert result(at) == "RESULT rate=0.3 beta=0.42 flag=False after=4"


def test_a_preset_reaches_a_closed_fold():
    at = start()
    at.button(key="preset_p").click().run()
    assert result(at) == "RESULT rate=0.3 beta=0.5 flag=False after=5"
    assert drawn(at) == {"f_after"}
    assert url(at, "f_rate") == "0.3" and url(at, "f_beta") == "0.5"
    set_open(at, True)
    assert at.select_slider(key="f_rate").value == 0.3 and at.slider(key="f_beta").value == 0.5
