"""Community Cloud's entry, run the way Community Cloud runs it: ``streamlit run
deploy/streamlit-cloud/streamlit_app.py`` from the repository root. The router, a deep link
to a page, the language switch and the static font must all work through it."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from devtools.app_server import CHROMIUM, CHROMIUM_ARGS, READY, free_port
from ui.registry import available_pages

ROOT = Path(__file__).resolve().parents[2]
ENTRY = "deploy/streamlit-cloud/streamlit_app.py"


def test_the_cloud_entry_serves_the_whole_app(tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", ENTRY, "--server.port", str(port),
         "--server.address", "127.0.0.1"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()
                time.sleep(0.3)
        with urllib.request.urlopen(f"{base}/app/static/Pretendard-Regular.woff2", timeout=10) as r:
            assert r.status == 200 and len(r.read()) > 100_000  # static/ through the link
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            for path, words in (("/losses?lang=ko", "손실"), ("/activations?lang=en", "ReLU")):
                page.goto(base + path)  # a deep link on a fresh server: the router must run it
                page.wait_for_selector(READY, timeout=180_000)
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
                assert page.locator("[data-testid=stException]").count() == 0
                links = page.locator("[data-testid=stSidebarNavLink]").count()
                assert links == len(available_pages())  # app.py's st.navigation ran
                assert words in page.locator("[data-testid=stMain]").inner_text()
                page.screenshot(path=str(tmp_path / (path.strip("/").split("?")[0] + ".png")))
            browser.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
