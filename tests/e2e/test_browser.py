"""Every page in real headless Chromium, in both languages: it renders without an
exception, draws a Plotly chart, Korean text is Korean, and moving a slider re-renders
(``check_page_works``, which test_screens runs on its own 1400x900 load of the pages it
measures, so here only on the others)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.app_server import CHART_SELECTOR, CHROMIUM, READY
from tests.e2e.test_screens import PAGES as SCREENED
from tests.e2e.test_screens import check_page_works
from ui.i18n import catalog
from ui.registry import available_pages

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

PAGES = available_pages()


def wait_idle(page) -> None:
    page.wait_for_selector(READY, timeout=120_000)


# test_screens runs check_page_works on its own laptop load of every page it measures.
UNSCREENED = [p for p in PAGES if p.namespace not in {s.namespace for s in SCREENED}]


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("info", UNSCREENED, ids=[p.namespace for p in UNSCREENED])
def test_page_in_browser(base_url, browser, info, lang):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{base_url}/{info.url_path}?lang={lang}")
        wait_idle(page)
        page.wait_for_selector(f"{CHART_SELECTOR} .main-svg", timeout=60_000)
        check_page_works(page, info, lang, errors)
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
