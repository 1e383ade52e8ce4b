"""The e2e modules' shared fixtures: one fresh server and one Chromium per test module."""

from __future__ import annotations

import pytest

from devtools.app_server import CHROMIUM, CHROMIUM_ARGS, streamlit_server


@pytest.fixture(scope="module")
def base_url():
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
