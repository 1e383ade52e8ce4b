"""Screenshot every page in both languages into screenshots/ (to look at, and for the README).

    python scripts/screenshots.py [namespace ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, READY, streamlit_server  # noqa: E402
from ui.registry import available_pages  # noqa: E402


def main(only: list[str]) -> None:
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    pages = [p for p in available_pages() if not only or p.namespace in only]
    with streamlit_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        for info in pages:
            for lang in ("ko", "en"):
                page.goto(f"{base}/{info.url_path}?lang={lang}")
                page.wait_for_selector(READY, timeout=120_000)
                page.wait_for_timeout(1500)  # let plotly finish drawing
                # The app scrolls inside its main container, so grow the viewport to fit it.
                height = page.evaluate(
                    "document.querySelector('[data-testid=stMain]').scrollHeight")
                page.set_viewport_size({"width": 1400, "height": min(int(height) + 50, 12000)})
                page.wait_for_timeout(800)
                path = out / f"{info.namespace}_{lang}.png"
                page.screenshot(path=str(path), full_page=True)
                page.set_viewport_size({"width": 1400, "height": 900})
                print(path)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
