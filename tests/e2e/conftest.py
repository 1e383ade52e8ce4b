"""The e2e modules' shared fixtures: one server and one Chromium for the whole session.

Each test opens its own page or context, so tests share the process but not the browser
state; a test that needs a server nobody has used yet starts its own (test_deep_link)."""

from __future__ import annotations

import pytest

from devtools.app_server import CHROMIUM, CHROMIUM_ARGS, streamlit_server


@pytest.fixture(scope="session")
def base_url():
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
