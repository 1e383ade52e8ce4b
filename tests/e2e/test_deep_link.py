"""A shared deep link must open through the router even as the first request a freshly
started server sees (regression: a `pages/` folder made Streamlit run the page alone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.app_server import CHROMIUM, READY, ROOT, streamlit_server

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)


def test_no_legacy_pages_folder():
    assert not (ROOT / "pages").exists(), "pages/ switches Streamlit to legacy multipage mode"


def test_deep_link_is_the_first_request_of_a_fresh_server(browser):
    # Its own fresh server; the session's Chromium (a second sync_playwright in one
    # process refuses to start inside the first one's event loop).
    with streamlit_server() as base:
        page = browser.new_page()
        page.goto(f"{base}/activations?lang=ko&ac_depth=20")
        page.wait_for_selector(READY, timeout=120_000)
        sidebar = page.locator("[data-testid=stSidebar]")
        assert sidebar.locator("[role=radiogroup]").count() == 1  # the language switch
        assert "활성화 함수" in sidebar.inner_text()  # translated navigation, not file names
        assert page.locator("h1").first.inner_text().startswith("활성화 함수")
        depth = page.locator("[data-testid=stSlider]", has_text="은닉층 수")
        assert "20" in depth.inner_text()
        page.close()
