"""Every page in real headless Chromium, in both languages: it renders without an
exception, draws a Plotly chart, Korean text is Korean, and moving a slider re-renders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devtools.app_server import CHART_SELECTOR, CHROMIUM, READY
from ui.i18n import catalog
from ui.registry import available_pages

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

PAGES = available_pages()
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", Path(__file__).resolve().parents[2] / "artifacts"))


def wait_idle(page) -> None:
    page.wait_for_selector(READY, timeout=120_000)


def drawn(page) -> str:
    """Everything the page draws: its charts, /playground's drawing element and the status line
    under it (a live setting such as the learning rate shows there first; which chart a slider
    changes first depends on the page)."""
    return page.evaluate("""(charts) => Array.from(document.querySelectorAll(
        charts + ', .pgd, .st-key-pg_lab [data-testid=stCaptionContainer]'))
        .map(e => e.outerHTML).join('')""", CHART_SELECTOR)


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("info", PAGES, ids=[p.namespace for p in PAGES])
def test_page_in_browser(base_url, browser, info, lang):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{base_url}/{info.url_path}?lang={lang}")
        wait_idle(page)
        page.wait_for_selector(f"{CHART_SELECTOR} .main-svg", timeout=60_000)
        assert page.locator("[data-testid=stException]").count() == 0
        title = catalog(info.namespace)["title"][lang]
        assert page.locator("h1").first.inner_text().strip() == title
        # The language switch and the navigation come from the router, not a legacy pages/ run.
        assert page.locator("[data-testid=stSidebar] [role=radiogroup]").count() >= 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{info.namespace}_{lang}.png"))

        # Streamlit's slider is a react-aria group around a visually hidden range input.
        sliders = page.locator("[data-testid=stSlider] input[type=range]")
        assert sliders.count() >= 1, "every page has at least one slider"
        if sliders.count():
            before = drawn(page)
            url_before = page.url
            sliders.first.focus()
            page.keyboard.press("End")  # jump the first slider to its maximum
            page.wait_for_timeout(300)
            wait_idle(page)
            page.wait_for_timeout(500)
            assert page.locator("[data-testid=stException]").count() == 0
            after = drawn(page)
            assert page.url != url_before, "the new value is in the URL"
            assert after != before, "a chart or picture re-rendered after the slider moved"
        assert not errors, errors
    finally:
        page.close()


def test_bad_url_value_shows_a_notice(base_url, browser):
    info = next(p for p in PAGES if p.namespace == "activations")
    page = browser.new_page()
    try:
        page.goto(f"{base_url}/{info.url_path}?lang=en&ac_depth=banana")
        wait_idle(page)
        notice = page.locator("[data-testid=stAlert]", has_text="ac_depth=banana")
        assert notice.count() == 1
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        page.close()


@pytest.mark.parametrize("locale, lang", [("ko-KR", "ko"), ("en-US", "en")])
def test_language_defaults_to_the_browser_locale(base_url, browser, locale, lang):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    try:
        page.goto(f"{base_url}/activations")  # no ?lang=
        wait_idle(page)
        assert page.locator("h1").first.inner_text().strip() == \
            catalog("activations")["title"][lang]
        page.wait_for_function(f"() => location.search.includes('lang={lang}')")
    finally:
        context.close()
