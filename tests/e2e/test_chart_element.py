"""The chart element (ui.chart_element) in real Chromium: a slider press updates a changed
chart in the SAME DOM node (Plotly.react, no remount), a zoom survives the press (uirevision),
every chart has a text alternative, touch screens get no mode bar, and a chart follows its
container's width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from devtools.app_server import CHART_SELECTOR, CHROMIUM, READY
from tests.e2e.test_screens import TICKS_JS

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

# /losses: its first slider (number of outliers) changes the data of its first chart.
LOSSES = "/losses?lang=en"
FIRST_CHART_DATA = """(selector) => JSON.stringify(
    document.querySelector(selector)._fullData.map(trace => [trace.x, trace.y]))"""
X_RANGE = "(selector) => document.querySelector(selector)._fullLayout.xaxis.range"


def wait_idle(page) -> None:
    page.wait_for_selector(READY, timeout=120_000)
    page.wait_for_timeout(300)
    page.wait_for_selector(READY, timeout=120_000)


@pytest.fixture()
def losses(base_url, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(base_url + LOSSES)
    page.wait_for_selector(f"{CHART_SELECTOR} .main-svg", timeout=120_000)
    wait_idle(page)
    yield page
    context.close()


def press_first_slider(page, key: str = "End") -> str:
    """Move the first slider and wait until the first chart's data changed; the new data."""
    before = page.evaluate(FIRST_CHART_DATA, CHART_SELECTOR)
    slider = page.locator("[data-testid=stSlider] input[type=range]").first
    slider.focus()
    page.keyboard.press(key)
    wait_idle(page)
    page.wait_for_function(f"(before) => ({FIRST_CHART_DATA})('{CHART_SELECTOR}') !== before",
                           arg=before, timeout=60_000)
    return page.evaluate(FIRST_CHART_DATA, CHART_SELECTOR)


def test_a_press_updates_the_same_node(losses):
    charts = losses.locator(CHART_SELECTOR)
    count = charts.count()
    assert count >= 2
    losses.evaluate("""(selector) => document.querySelectorAll(selector)
        .forEach((div, i) => { div.__markedBeforePress = i; })""", CHART_SELECTOR)
    before = losses.evaluate(FIRST_CHART_DATA, CHART_SELECTOR)
    after = press_first_slider(losses)
    assert after != before, "the press changed the first chart's data"
    marks = losses.evaluate("""(selector) => Array.from(document.querySelectorAll(selector))
        .map(div => div.__markedBeforePress)""", CHART_SELECTOR)
    assert marks == list(range(count)), "every chart is still the node it was before the press"


def test_a_zoom_survives_a_press(losses):
    chart = losses.locator(CHART_SELECTOR).first
    chart.scroll_into_view_if_needed()
    plot = losses.locator(f"{CHART_SELECTOR} .nsewdrag").first.bounding_box()
    full = losses.evaluate(X_RANGE, CHART_SELECTOR)
    # A person's box zoom: drag across the middle of the plot area.
    y = plot["y"] + plot["height"] / 2
    losses.mouse.move(plot["x"] + plot["width"] * 0.4, y)
    losses.mouse.down()
    losses.mouse.move(plot["x"] + plot["width"] * 0.5, y, steps=5)
    losses.mouse.move(plot["x"] + plot["width"] * 0.6, y, steps=5)
    losses.mouse.up()
    losses.wait_for_timeout(500)
    zoomed = losses.evaluate(X_RANGE, CHART_SELECTOR)
    assert zoomed[1] - zoomed[0] < 0.5 * (full[1] - full[0]), (full, zoomed)
    press_first_slider(losses)
    assert losses.evaluate(X_RANGE, CHART_SELECTOR) == pytest.approx(zoomed)


def test_every_chart_has_a_text_alternative(losses):
    labels = losses.evaluate("""(selector) => Array.from(document.querySelectorAll(selector))
        .map(div => [div.getAttribute('role'), div.getAttribute('aria-label'),
                     div.layout.title && div.layout.title.text,
                     div.layout.xaxis && div.layout.xaxis.title && div.layout.xaxis.title.text])""",
                             CHART_SELECTOR)
    assert len(labels) >= 2
    for role, label, title, x_title in labels:
        assert role == "figure"
        title = re.sub(r"<[^>]+>", "", title or "").strip()
        assert title and label.startswith(title), (label, title)
        if x_title:
            assert re.sub(r"<[^>]+>", "", x_title).strip() in label


def test_no_mode_bar_on_a_touch_screen(base_url, browser):
    shown = {}
    for name, touch in (("mouse", {}), ("touch", {"has_touch": True, "is_mobile": True})):
        context = browser.new_context(viewport={"width": 390, "height": 844}, **touch)
        page = context.new_page()
        page.goto(base_url + LOSSES)
        page.wait_for_selector(f"{CHART_SELECTOR} .main-svg", timeout=120_000)
        shown[name] = page.evaluate("""(selector) => [document.querySelector(selector)._context
            .displayModeBar, document.querySelectorAll(selector + ' .modebar').length]""",
                                    CHART_SELECTOR)
        context.close()
    assert shown["mouse"][0] == "hover" and shown["mouse"][1] >= 1
    assert shown["touch"] == [False, 0]


def test_a_chart_follows_its_container_width(losses):
    width = "(selector) => document.querySelector(selector)._fullLayout.width"
    wide = losses.evaluate(width, CHART_SELECTOR)
    losses.set_viewport_size({"width": 900, "height": 900})
    losses.wait_for_function(f"(wide) => ({width})('{CHART_SELECTOR}') < wide - 100", arg=wide,
                             timeout=10_000)


# Each axis' tick cap, and whether the figure set the axis's ticks itself.
TICK_CAPS = """(selector) => Array.from(document.querySelectorAll(selector)).map(div =>
  Object.keys(div._fullLayout).filter(name => /^[xy]axis\\d*$/.test(name)).map(name => [
    name, div._fullLayout[name].nticks || 0,
    div.layout[name] && div.layout[name].dtick !== undefined && div.__dleOwnTicks.has(`${name}.nticks`)]))"""


def test_tick_count_follows_the_width(base_url, browser):
    """Projector-size labels (presenter view) in a phone-wide window: each axis holds only as
    many labels as fit, and none overlap; an axis that sets its own ticks (/losses' log axis,
    dtick=1) keeps them."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(base_url + LOSSES + "&present=1")
        page.wait_for_selector(f"{CHART_SELECTOR} .main-svg", timeout=120_000)
        wait_idle(page)
        wide = page.evaluate(TICK_CAPS, CHART_SELECTOR)
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_function("(s) => document.querySelector(s)._fullLayout.width < 420",
                               arg=CHART_SELECTOR, timeout=20_000)
        page.wait_for_timeout(1000)  # the resize, then the cap's relayout
        narrow = page.evaluate(TICK_CAPS, CHART_SELECTOR)
        assert page.evaluate(TICKS_JS) == []  # no two tick labels meet
    finally:
        context.close()
    capped = [(name, cap) for chart in narrow for name, cap, _ in chart if cap]
    assert capped, f"no axis got fewer ticks at 390 px (1024 px: {wide}, 390 px: {narrow})"
    own = [(name, cap) for chart in narrow for name, cap, own in chart if own]
    assert own and all(cap == 0 for _, cap in own), own
