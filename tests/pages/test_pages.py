"""AppTest over every page in the registry: defaults in both languages, every preset,
every widget at its extremes, bad URL values, and the URL round trip.

Pages are opened through app.py (the router), as a browser would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import catalog
from ui.registry import PageInfo, available_pages

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180  # importing torch and a cold run of a page can take several seconds on CI
PAGES = available_pages()
IDS = [p.namespace for p in PAGES]


def open_page(page: PageInfo, lang: str = "en", params: dict[str, str] | None = None,
              code_panels: bool = False) -> AppTest:
    """The page as a browser opens it; ``code_panels``: then every lazy fold opened (a run
    more, so notices that only the first run shows, such as a bad URL value's, are gone)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()  # first: before a run, switch_page only knows pages whose file name is the URL
    if page.url_path:
        at.switch_page(page.script)
        at.run()
    if code_panels and open_code_panels(at):
        at.run()
    return at


def open_code_panels(at: AppTest) -> bool:
    """Open every lazy fold ("PyTorch code" panels, /optimizers' settings: ``ui.page.lazy_fold``,
    the only expanders with a key), as a student's click does (a fold draws its body only while
    open; the state stays for later runs of the session). True if one was closed."""
    keys = [e.key for e in at.expander if e.key]
    closed = [key for key in keys if key not in at.session_state or not at.session_state[key]]
    for key in closed:
        at.session_state[key] = True
    return bool(closed)


open_folds = open_code_panels


def chart_specs(at: AppTest) -> list[dict]:
    """Every chart's Plotly figure, in page order. AppTest sees the chart element
    (ui.chart_element) as a bidi component whose data is the message its JS reads."""
    return [json.loads(element.proto.bytes)["figure"] for element in at.get("bidi_component")
            if element.proto.component_name == "dle_chart"]


def assert_ok(at: AppTest, context: str = "") -> None:
    assert not at.exception, f"{context}: {[e.value for e in at.exception]}"


def assert_code_compiles(at: AppTest, context: str = "") -> None:
    """Every "PyTorch code" panel on screen is valid Python for these settings (tests/code
    runs them; the home page's one-line illustrations outside the panels are fragments)."""
    titles = set(catalog("common")["code_title"].values())
    for expander in at.expander:
        if expander.label not in titles:
            continue
        assert expander.code, f"{context}: a code panel is closed (open_page(code_panels=True))"
        for block in expander.code:
            try:
                compile(block.value, "<code panel>", "exec")
            except SyntaxError as error:
                raise AssertionError(f"{context}: code panel does not compile: {error}") from None


def url_widgets(at: AppTest):
    """The page's own widgets (keys are URL parameters): not the language switch, presets,
    the classroom switches (``_…``) or the students' answers to ``ask()`` (``ask_…``)."""
    kinds = ("slider", "select_slider", "selectbox", "radio", "multiselect", "toggle",
             "checkbox", "number_input")
    for kind in kinds:
        for widget in at.get(kind):
            key = widget.key or ""
            if key and key != "lang" and not key.startswith(("preset_", "_", "ask_")):
                yield kind, widget


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_defaults_render_in_both_languages(page, lang):
    at = open_page(page, lang)
    assert_ok(at)
    assert at.title[0].value == catalog(page.namespace)["title"][lang]
    assert len(chart_specs(at)) >= 1, "every page draws at least one chart"


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_preset(page):
    at = open_page(page)
    presets = [b for b in at.button if (b.key or "").startswith("preset_")]
    assert len(presets) >= 2, "every page offers at least two classroom presets"
    for key in [b.key for b in presets]:
        at.button(key=key).click().run()
        assert_ok(at, key)


def option_values(widget) -> list:
    """The real option values of a choice widget (AppTest's ``options`` are display labels).

    Pages translate labels with ``format_func=labels(...).get``, so the ids are that dict's
    keys; the log sliders format numbers, so their values are the labels parsed back.
    """
    mapping = getattr(widget.format_func, "__self__", None)
    if isinstance(mapping, dict):
        by_label = {label: option_id for option_id, label in mapping.items()}
        return [by_label[label] for label in widget.options]
    values = []
    for label in widget.options:
        try:
            values.append(float(label))
        except ValueError:
            values.append(label)
    return values


def extreme_values(kind: str, widget) -> list:
    if kind == "slider":
        return [widget.min, widget.max]
    if kind == "select_slider":
        options = option_values(widget)
        return [options[0], options[-1]]
    if kind in ("selectbox", "radio"):
        return option_values(widget)  # every choice: there are few
    if kind == "multiselect":
        return [[], option_values(widget)]
    if kind in ("toggle", "checkbox"):
        return [not widget.value, widget.value]
    return []


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_widget_at_its_extremes(page):
    at = open_page(page, code_panels=True)
    for kind, widget in list(url_widgets(at)):
        for value in extreme_values(kind, widget):
            current = next((w for w in at.get(kind) if w.key == widget.key), None)
            if current is None:  # hidden by another widget's extreme (e.g. a mode switch)
                continue
            current.set_value(value)
            at.run()
            if open_code_panels(at):  # a panel this value brought in (e.g. a section turned on)
                at.run()
            assert_ok(at, f"{widget.key}={value}")
            assert_code_compiles(at, f"{widget.key}={value}")


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_bad_url_values_are_dropped_with_a_notice(page):
    keys = [w.key for _, w in url_widgets(open_page(page))]
    if not keys:
        pytest.skip("page has no URL-bound widgets")
    bad = {key: "not-a-valid-value" for key in keys}
    at = open_page(page, "ko", bad)
    assert_ok(at)
    warnings = " ".join(w.value for w in at.warning)
    for key in keys:
        assert f"`{key}=not-a-valid-value`" in warnings, key
    # and the bad values are gone from the URL
    assert not any(at.query_params.get(key) == ["not-a-valid-value"] for key in keys)


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_extreme_numbers_in_the_url(page):
    at = open_page(page)
    sliders = [w for kind, w in url_widgets(at) if kind == "slider"]
    params = {}
    for i, slider in enumerate(sliders):
        params[slider.key] = ["nan", "inf", "-1e308", "1e309"][i % 4]
    at = open_page(page, "en", params)
    assert_ok(at)
    assert len(at.warning) >= len(sliders)


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_url_round_trip(page):
    at = open_page(page)
    sliders = [w for kind, w in url_widgets(at) if kind == "slider"]
    if not sliders:
        pytest.skip("no slider")
    slider = sliders[0]
    key, new_value = slider.key, slider.max
    slider.set_value(new_value).run()
    assert_ok(at)
    shared = {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert key in shared
    reopened = open_page(page, "en", shared)
    assert_ok(reopened)
    assert next(w for k, w in url_widgets(reopened) if w.key == key).value == new_value


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_a_second_visitor_gets_the_cached_view(page):
    """Regression: st.cache_data replays st.* calls made inside a cached run (a progress bar)
    into elements that no longer exist. The second session must render from the cache."""
    params = {"opt_net": "1", "opt_epochs": "5"} if page.namespace == "optimizers" else {}
    first = open_page(page, "en", params)
    assert_ok(first, "first visitor")
    second = open_page(page, "en", params)
    assert_ok(second, "second visitor")
    assert len(chart_specs(second)) == len(chart_specs(first))


ANIMATED = {"optimizers": "opt_anim", "dataloader": "dl_sanim", "data_split": "ds_anim",
            "activations": "ac_anim", "backprop": "bp_zanim"}


@pytest.mark.parametrize("namespace, key", sorted(ANIMATED.items()))
def test_animations_render_with_their_frames(namespace, key):
    """Animate on: the page renders and one chart carries Plotly frames for the browser."""
    page = next(p for p in PAGES if p.namespace == namespace)
    at = open_page(page, "en", {key: "1"})
    assert_ok(at, key)
    assert any(spec.get("frames") for spec in chart_specs(at)), key
