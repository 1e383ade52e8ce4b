"""Classroom mode through AppTest (issue 10): presenter view, hidden controls, the lesson path,
predict-then-reveal, preset stories and section reset, the share link, settings that survive
a page switch. Pages are opened through app.py (the router), as in test_pages.py."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.test_pages import TIMEOUT, assert_ok, chart_specs, open_page, url_widgets
from ui.i18n import catalog
from ui.chrome import share_link
from ui.page import PRESENT_MIN_FONT, presenter_figure, split_at_clause, split_first_sentence
from ui.registry import LESSON_PATH, available_pages, lesson_neighbours, lesson_pages

PAGES = available_pages()
IDS = [p.namespace for p in PAGES]


def font_sizes(node) -> list[float]:
    """Every explicit font size in a plotly JSON spec."""
    sizes = []
    if isinstance(node, dict):
        for name, value in node.items():
            if name.endswith("font") and isinstance(value, dict) and "size" in value:
                size = value["size"]
                sizes.extend(size if isinstance(size, list) else [size])
            sizes.extend(font_sizes(value))
    elif isinstance(node, list):
        for item in node:
            sizes.extend(font_sizes(item))
    return sizes


def lesson_links(at: AppTest) -> list:
    """The lesson path's links ("← previous", "next →"), not a page's own links."""
    return [link for link in at.get("page_link")
            if link.proto.label.startswith("← ") or link.proto.label.endswith(" →")]


def links(at: AppTest) -> list[tuple[str, str]]:
    """(url path, label) of each lesson link."""
    return [(link.proto.page, link.proto.label) for link in lesson_links(at)]


# --- presenter view ----------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_presenter_view(page):
    plain = open_page(page, "en")
    at = open_page(page, "ko", {"present": "1"})
    assert_ok(at)
    # intro folded: its first sentence shown, the rest behind "more"
    intro = catalog(page.namespace)["intro"]["ko"]
    head, rest = split_first_sentence(intro)
    shown = [m.value for m in at.markdown]
    assert head in shown
    if rest:
        assert intro not in shown
        assert catalog("common")["present_more"]["ko"] in [e.label for e in at.expander]
    # every chart: all text at least 18 px, the base font set, and taller than without
    charts, plain_charts = chart_specs(at), chart_specs(plain)
    assert len(charts) == len(plain_charts) >= 1
    for spec, spec0 in zip(charts, plain_charts):
        assert spec["layout"]["font"]["size"] >= PRESENT_MIN_FONT
        assert min(font_sizes(spec)) >= PRESENT_MIN_FONT
        assert spec["layout"]["height"] > spec0["layout"].get("height", 0)
    # a titled chart's title drawn above the plot by the chart element, not by plotly (where a
    # legend above the plot ran into it) and not as a separate markdown line (an element more
    # on every press)
    headings = [json.loads(e.proto.bytes)["heading"] for e in at.get("bidi_component")
                if e.proto.component_name == "dle_chart"]
    for spec, spec0, heading in zip(charts, plain_charts, headings):
        assert bool(heading) == bool((spec0["layout"].get("title") or {}).get("text"))
        assert not (spec["layout"].get("title") or {}).get("text")
        assert not any(heading in value for value in shown if heading)
    # the compact lesson bar on top and the full one at the bottom
    previous, _, _, following = lesson_neighbours(page.url_path)
    expected = [p.url_path for p in (previous, following) if p is not None]
    assert [path for path, _ in links(at)] == expected * 2
    assert at.toggle(key="_present_switch").value is True


def test_presenter_figure_scales_every_font_and_log_minor_labels():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[1, 2], y=[3, 4], text=["a", "b"], textfont={"size": 9}))
    fig.update_layout(font={"size": 10}, title={"text": "t", "font": {"size": 30}},
                      yaxis={"type": "log"}, legend={"font": {"size": 8}},
                      annotations=[{"text": "n", "font": {"size": 11}}])
    spec = presenter_figure(fig).to_dict()
    assert spec["layout"]["font"]["size"] == PRESENT_MIN_FONT  # 12 -> 18
    assert spec["layout"]["title"]["font"]["size"] == 36  # 30 × 1.2
    assert spec["layout"]["legend"]["font"]["size"] == PRESENT_MIN_FONT
    assert spec["layout"]["annotations"][0]["font"]["size"] == PRESENT_MIN_FONT
    assert spec["data"][0]["textfont"]["size"] == PRESENT_MIN_FONT
    # plotly draws a log axis's in-between labels (2, 5) at 0.75 of its tick font
    assert 0.75 * spec["layout"]["yaxis"]["tickfont"]["size"] >= PRESENT_MIN_FONT
    assert spec["layout"]["height"] == 540  # plotly's 450 × 1.2
    assert fig.layout.font.size == 10, "the original figure is left alone"


@pytest.mark.parametrize("text, head, rest", [
    ("One. Two three.", "One.", "Two three."),
    ("Set p to 0.5 here. Then look.", "Set p to 0.5 here.", "Then look."),
    ("Shapes, e.g. a ring. Next.", "Shapes, e.g. a ring.", "Next."),
    ("첫 문장입니다. 둘째 문장입니다.", "첫 문장입니다.", "둘째 문장입니다."),
    ("Only one", "Only one", ""),
    ("First para\n\nSecond.", "First para", "Second."),
])
def test_split_first_sentence(text, head, rest):
    assert split_first_sentence(text) == (head, rest)


@pytest.mark.parametrize("sentence, head, rest", [
    ("Accuracy is 53 percent: about chance.", "Accuracy is 53 percent", "about chance."),
    ("Raw inputs: a long narrow valley; standardized inputs: round.",  # the longest that fits
     "Raw inputs: a long narrow valley", "standardized inputs: round."),
    ("Set **p: 0.5** for all: then look.", "Set **p: 0.5** for all", "then look."),
    ("`a: int` is a typed name.", "`a: int` is a typed name.", ""),
    ("No break here.", "No break here.", ""),
])
def test_split_at_clause(sentence, head, rest):
    assert split_at_clause(sentence, max_em=20, min_em=8) == (head, rest)


# --- hidden controls ---------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_a_hidden_control_is_not_drawn_but_its_url_value_applies(page):
    sliders = [w for kind, w in url_widgets(open_page(page)) if kind == "slider"]
    if not sliders:
        pytest.skip("no slider")
    key, value = sliders[0].key, sliders[0].max
    at = open_page(page, "en", {"hide": key, key: str(value)})
    assert_ok(at)
    assert key not in [w.key for _, w in url_widgets(at)], "hidden"
    assert at.session_state[key] == value, "its URL value is the value the page used"
    url_value = at.query_params[key]
    assert float(url_value[0] if isinstance(url_value, list) else url_value) == value
    assert not any(f"`{key}=" in w.value for w in at.warning), "a valid hidden value is kept"


def test_a_hidden_dropout_rate_changes_the_measurement():
    """The value of a hidden slider reaches the computation: ~30 % units kept at p = 0.7."""
    page = next(p for p in PAGES if p.namespace == "dropout")
    at = open_page(page, "en", {"hide": "do_p", "do_p": "0.7"})
    assert_ok(at)
    kept = float(at.metric[0].value.rstrip("%")) / 100
    assert abs(kept - 0.3) < 0.05
    assert "do_p" not in [s.key for s in at.slider]


def test_a_bad_hidden_value_is_still_dropped_with_a_notice():
    page = next(p for p in PAGES if p.namespace == "dropout")
    at = open_page(page, "en", {"hide": "do_p", "do_p": "banana"})
    assert_ok(at)
    assert any("do_p=banana" in w.value for w in at.warning)
    assert at.session_state["do_p"] == 0.5


# --- lesson path -------------------------------------------------------------------------
def test_lesson_path_order_and_neighbours():
    pages = lesson_pages()
    assert [p.url_path for p in pages] == [p for p in LESSON_PATH if p in
                                           {q.url_path for q in PAGES}]
    assert pages[0].url_path == ""
    for i, page in enumerate(pages):
        previous, k, n, following = lesson_neighbours(page.url_path)
        assert (k, n) == (i + 1, len(pages))
        assert previous == (pages[i - 1] if i else None)
        assert following == (pages[i + 1] if i + 1 < n else None)
    assert lesson_neighbours("no-such-page")[1] == 0


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_lesson_links_at_the_bottom_of_every_page(page):
    at = open_page(page, "ko")
    assert_ok(at)
    previous, k, n, following = lesson_neighbours(page.url_path)
    nav = catalog("nav")
    expected = []
    if previous:
        expected.append((previous.url_path, f"← {nav[previous.namespace]['ko']}"))
    if following:
        expected.append((following.url_path, f"{nav[following.namespace]['ko']} →"))
    assert links(at) == expected
    step = catalog("common")["lesson_step"]["ko"].format(k=k, n=n)
    assert any(step in m.value for m in at.markdown)
    # links keep the language and the classroom switches
    at = open_page(page, "en", {"present": "1", "ask": "1", "hide": "x_key"})
    for link in lesson_links(at):
        query = dict(parse_qsl(link.proto.query_string))
        assert query == {"lang": "en", "present": "1", "ask": "1", "hide": "x_key"}


# --- predict, then reveal ----------------------------------------------------------------
def ask_script():
    import streamlit as st

    from ui.page import ask

    st.session_state.setdefault("lang", "en")
    ask("q", "Which is bigger?", {"a": "Option A", "b": "Option B"}, correct="b",
        reveal=lambda: st.markdown("MEASURED: B is 2.0"), explain="B = 2.0, A = 1.0.")


def run_ask(params: dict[str, str]) -> AppTest:
    at = AppTest.from_function(ask_script, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def shown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_ask_in_question_mode_hides_the_answer_until_the_pick():
    at = run_ask({"ask": "1"})
    assert_ok(at)
    assert "MEASURED: B is 2.0" not in shown(at)
    assert at.radio(key="ask_q").value is None
    at.radio(key="ask_q").set_value("a").run()
    assert "MEASURED: B is 2.0" in shown(at)
    verdict = at.warning[0].value
    assert "You said: Option A." in verdict and "Option B" in verdict and "B = 2.0" in verdict
    at.radio(key="ask_q").set_value("b").run()
    assert "You said: Option B." in at.success[0].value and not at.warning


def test_ask_show_answer_button_reveals_without_a_pick():
    at = run_ask({"ask": "1"})
    at.button(key="ask_q_show").click().run()
    assert "MEASURED: B is 2.0" in shown(at)
    assert not at.success and not at.warning, "no verdict without a pick"


def test_ask_outside_question_mode_shows_the_answer_and_folds_the_question():
    at = run_ask({})
    assert_ok(at)
    assert "MEASURED: B is 2.0" in shown(at)
    assert at.expander[0].label.endswith("Which is bigger?")
    at.radio(key="ask_q").set_value("b").run()
    assert "You said: Option B." in at.success[0].value


# --- presets: stories and section reset --------------------------------------------------
@pytest.fixture
def dropout_story():
    """A story for one dropout preset (the page helpers write the real ones)."""
    messages = catalog("dropout")
    messages["preset.half_story"] = {"en": "STORY: half the units are kept.", "ko": "이야기"}
    yield
    del messages["preset.half_story"]


def test_preset_resets_its_section_and_tells_its_story(dropout_story):
    page = next(p for p in PAGES if p.namespace == "dropout")
    at = open_page(page)
    at.slider(key="do_seed").set_value(7).run()
    at.slider(key="do_fit_p").set_value(0.2).run()
    at.button(key="preset_half").click().run()
    assert_ok(at)
    assert at.slider(key="do_seed").value == 0, "an unmentioned widget of the section is reset"
    assert at.slider(key="do_fit_p").value == 0.2, "another section is left alone"
    assert at.slider(key="do_p").value == 0.5 and at.slider(key="do_passes").value == 500
    assert any("STORY: half the units are kept." in i.value for i in at.info)
    at.slider(key="do_p").set_value(0.9).run()  # the view no longer is the preset's
    assert not any("STORY" in i.value for i in at.info)


# --- settings survive a page switch ------------------------------------------------------
def test_settings_survive_switching_pages():
    dropout = next(p for p in PAGES if p.namespace == "dropout")
    other = next(p for p in PAGES if p.namespace == "metrics")
    at = open_page(dropout)
    at.slider(key="do_p").set_value(0.8).run()
    at.switch_page(other.script).run()
    assert_ok(at)
    at.switch_page(dropout.script).run()
    assert_ok(at)
    assert at.slider(key="do_p").value == 0.8
    assert at.query_params["do_p"] in ("0.8", ["0.8"])


# --- sharing -----------------------------------------------------------------------------
def test_share_link_carries_state_and_switches():
    link = share_link("http://h:1/dropout", {"lang": "ko", "do_p": "0.7", "present": "1"},
                      hide=["do_p", "do_seed"], present=False, ask_mode=True)
    parts = urlsplit(link)
    assert parts.path == "/dropout"
    assert dict(parse_qsl(parts.query)) == {"lang": "ko", "do_p": "0.7", "ask": "1",
                                            "hide": "do_p,do_seed"}
    assert "hide=do_p,do_seed" in link, "commas kept readable"


def test_the_share_dialog_link_reopens_the_same_view():
    page = next(p for p in PAGES if p.namespace == "dropout")
    at = open_page(page, "ko")
    at.slider(key="do_p").set_value(0.7).run()
    at.button(key="_share_open").click().run()
    assert_ok(at)
    # AppTest reruns the whole script (not the dialog alone), so change the dialog's widgets
    # in the same run as a click that keeps it open.
    at.multiselect(key="_share_hide").set_value(["do_p"])
    at.toggle(key="_share_present").set_value(True)
    at.button(key="_share_open").click().run()
    assert_ok(at)
    code = [c.value for c in at.code if c.value.startswith("http")]
    assert code, "the link is shown"
    assert at.get("image"), "with its QR code"
    query = dict(parse_qsl(urlsplit(code[-1]).query))
    assert query == {"lang": "ko", "do_p": "0.7", "present": "1", "hide": "do_p"}
    reopened = open_page(page, "ko", {k: v for k, v in query.items() if k != "lang"})
    assert_ok(reopened)
    assert "do_p" not in [s.key for s in reopened.slider]
    assert reopened.session_state["do_p"] == 0.7
    assert reopened.toggle(key="_present_switch").value is True


def test_qr_code_is_a_png_made_locally():
    from ui.chrome import qr_png

    png = qr_png("http://example.org/x?a=1")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
