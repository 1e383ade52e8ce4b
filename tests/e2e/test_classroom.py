"""Classroom mode in real headless Chromium (issue 10): presenter view at 1024×768 on every
page (sidebar folded away, chart text ≥ 18 px, nothing overflowing sideways, lesson links
right: ``check_presenter_view``, which test_screens runs on its own presenter load of the pages
it measures, so here only on the others), hidden controls, the share dialog's link, and
settings that survive a page switch.

Set E2E_SCREENSHOTS=<dir> to keep a screenshot of every presenter view."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from devtools.app_server import CHART_SELECTOR, CHROMIUM, READY
from tests.e2e.test_screens import PAGES as SCREENED
from tests.e2e.test_screens import OVERFLOW, check_presenter_view, sidebar_hidden
from ui.i18n import catalog
from ui.registry import available_pages, lesson_neighbours

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

PAGES = available_pages()


def wait_idle(page) -> None:
    page.wait_for_selector(READY, timeout=120_000)
    page.wait_for_timeout(300)
    page.wait_for_selector(READY, timeout=120_000)


def open_view(browser, url: str, width: int = 1024, height: int = 768):
    """A new tab on ``url``, once its first chart is drawn and the script is idle."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.wait_for_selector(f"{CHART_SELECTOR} .main-svg", timeout=120_000)
    wait_idle(page)
    return page


# test_screens runs the same checks on its own presenter load of every page it measures.
UNSCREENED = [p for p in PAGES if p.namespace not in {s.namespace for s in SCREENED}]


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("info", UNSCREENED, ids=[p.namespace for p in UNSCREENED])
def test_presenter_view_at_1024(base_url, browser, info, lang):
    page = open_view(browser, f"{base_url}/{info.url_path}?lang={lang}&present=1")
    try:
        check_presenter_view(page, info, lang)
    finally:
        page.close()


@pytest.mark.parametrize("namespace", ["optimizers", "metrics"])
def test_presenter_view_at_1920_does_not_overflow(base_url, browser, namespace):
    info = next(p for p in PAGES if p.namespace == namespace)
    page = open_view(browser, f"{base_url}/{info.url_path}?lang=ko&present=1", 1920, 1080)
    try:
        page.wait_for_selector(f"{CHART_SELECTOR} .main-svg", timeout=60_000)
        scroll_width, inner_width = page.evaluate(OVERFLOW)
        assert scroll_width <= inner_width
        assert sidebar_hidden(page)
    finally:
        page.close()


def test_next_link_walks_the_lesson_in_presenter_view(base_url, browser):
    page = open_view(browser, f"{base_url}/?lang=ko&present=1")
    try:
        for _ in range(2):
            _, k, _, following = lesson_neighbours(urlsplit(page.url).path.strip("/"))
            page.locator("[data-testid=stPageLink-NavLink]", has_text="→").last.click()
            page.wait_for_url(re.compile(f"/{following.url_path}\\?"), timeout=60_000)
            wait_idle(page)
            query = dict(parse_qsl(urlsplit(page.url).query))
            assert query.get("lang") == "ko" and query.get("present") == "1"
            assert page.locator("h1").first.inner_text().strip() == \
                catalog(following.namespace)["title"]["ko"]
            assert sidebar_hidden(page)
    finally:
        page.close()


def test_hidden_control_keeps_its_url_value(base_url, browser):
    page = open_view(browser, f"{base_url}/dropout?lang=en&hide=do_p&do_p=0.7", 1400, 900)
    try:
        first = page.locator("[data-testid=stSlider]").first.inner_text()
        assert catalog("dropout")["masks.passes"]["en"] in first, "p is gone, the rest stay"
        kept = page.locator("[data-testid=stMetricValue]").first.inner_text()
        assert abs(float(kept.strip().rstrip("%")) - 30) < 5, kept
    finally:
        page.close()


def test_navigation_shows_every_page(base_url, browser):
    page = open_view(browser, f"{base_url}/?lang=en", 1400, 900)
    try:
        assert page.locator("[data-testid=stSidebarNavViewButton]").count() == 0
        assert page.locator("[data-testid=stSidebarNavLink]").count() == len(PAGES)
    finally:
        page.close()


def test_share_dialog_link_reopens_the_view(base_url, browser):
    page = open_view(browser, f"{base_url}/dropout?lang=ko&do_p=0.7", 1400, 900)
    try:
        page.get_by_role("button", name=catalog("common")["share.open"]["ko"]).click()
        dialog = page.get_by_role("dialog")
        dialog.wait_for(timeout=30_000)
        dialog.locator("[data-testid=stMultiSelect]").click()
        page.get_by_role("option", name="(do_p)").click()
        page.keyboard.press("Escape")  # close the options list, not the dialog
        dialog.locator("[data-testid=stCheckbox], [data-testid=stToggle]").first.click()
        page.wait_for_timeout(500)
        wait_idle(page)
        assert dialog.locator("img").count() == 1, "the QR code"
        link = dialog.locator("code").first.inner_text().strip()
        query = dict(parse_qsl(urlsplit(link).query))
        assert query == {"lang": "ko", "do_p": "0.7", "present": "1", "hide": "do_p"}
        student = open_view(browser, link)
        try:
            student.wait_for_selector(f"{CHART_SELECTOR} .main-svg", timeout=60_000)
            first = student.locator("[data-testid=stSlider]").first.inner_text()
            assert catalog("dropout")["masks.passes"]["ko"] in first, "p is hidden"
            assert sidebar_hidden(student)
            kept = student.locator("[data-testid=stMetricValue]").first.inner_text()
            assert abs(float(kept.strip().rstrip("%")) - 30) < 5, kept
        finally:
            student.close()
    finally:
        page.close()


def test_settings_survive_switching_pages(base_url, browser):
    page = open_view(browser, f"{base_url}/dropout?lang=en", 1400, 900)
    try:
        slider = page.locator("[data-testid=stSlider] input[type=range]").first
        slider.focus()
        page.keyboard.press("End")
        page.wait_for_function("() => location.search.includes('do_p=0.95')", timeout=30_000)
        wait_idle(page)
        page.locator("[data-testid=stSidebarNavLink]", has_text=catalog("nav")["metrics"]["en"]) \
            .click()
        page.wait_for_url(re.compile("/metrics"), timeout=60_000)
        wait_idle(page)
        page.locator("[data-testid=stSidebarNavLink]", has_text=catalog("nav")["dropout"]["en"]) \
            .click()
        page.wait_for_url(re.compile("/dropout"), timeout=60_000)
        wait_idle(page)
        page.wait_for_function("() => location.search.includes('do_p=0.95')", timeout=30_000)
        value = page.locator("[data-testid=stSlider] input[type=range]").first \
            .get_attribute("aria-valuetext") or ""
        assert "0.95" in value or page.locator("[data-testid=stSliderThumbValue]").first \
            .inner_text().strip() == "0.95"
    finally:
        page.close()
