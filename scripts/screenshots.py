"""Screenshot every page in both languages into screenshots/ (to look at, and for the README).

    python scripts/screenshots.py [namespace ...] [--present] [--ask] [--width 1024]
                                  [--out DIR] [--top]
    python scripts/screenshots.py [namespace ...] --screens [--out DIR]

``--present`` / ``--ask`` open presenter view / question mode (``?present=1`` / ``?ask=1``);
``--top`` keeps only the first screen (what a projector shows) instead of the whole page.
``--screens`` takes the set issue 19 looks at: the first screen of every page in both languages
on a projector (1024x768, ``?present=1``), a laptop (1400x900) and a phone (390x844, touch),
named ``<page>_<lang>_<screen>.png``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.app_server import CHROMIUM, CHROMIUM_ARGS, READY, streamlit_server  # noqa: E402
from ui.registry import available_pages  # noqa: E402

SCREENS = {  # name -> (URL flags, browser context)
    "presenter": ("&present=1", {"viewport": {"width": 1024, "height": 768}}),
    "laptop": ("", {"viewport": {"width": 1400, "height": 900}}),
    "phone": ("", {"viewport": {"width": 390, "height": 844}, "has_touch": True,
                   "is_mobile": True, "device_scale_factor": 2}),
}


def first_screens(base: str, browser, pages, out: Path) -> None:
    """The first screen of each page, language and screen in ``SCREENS``."""
    for name, (flags, context) in SCREENS.items():
        page = browser.new_page(**context)
        for info in pages:
            for lang in ("ko", "en"):
                page.goto(f"{base}/{info.url_path}?lang={lang}{flags}")
                page.wait_for_selector(READY, timeout=300_000)
                page.wait_for_timeout(1500)  # let plotly finish drawing
                page.wait_for_selector(READY, timeout=300_000)
                path = out / f"{info.namespace}_{lang}_{name}.png"
                page.screenshot(path=str(path))
                print(path, flush=True)
        page.close()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("namespaces", nargs="*")
    parser.add_argument("--present", action="store_true")
    parser.add_argument("--ask", action="store_true")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--top", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--screens", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    extra = ("&present=1" if args.present else "") + ("&ask=1" if args.ask else "")
    suffix = ("_present" if args.present else "") + ("_ask" if args.ask else "")
    pages = [p for p in available_pages() if not args.namespaces or p.namespace in args.namespaces]
    with streamlit_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if args.screens:
            first_screens(base, browser, pages, args.out)
            browser.close()
            return
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        for info in pages:
            for lang in ("ko", "en"):
                page.goto(f"{base}/{info.url_path}?lang={lang}{extra}")
                page.wait_for_selector(READY, timeout=120_000)
                page.wait_for_timeout(1500)  # let plotly finish drawing
                page.wait_for_selector(READY, timeout=120_000)
                path = args.out / f"{info.namespace}_{lang}{suffix}_{args.width}.png"
                if args.top:
                    page.screenshot(path=str(path))
                else:
                    # The app scrolls inside its main container: grow the viewport to fit it.
                    height = page.evaluate(
                        "document.querySelector('[data-testid=stMain]').scrollHeight")
                    page.set_viewport_size({"width": args.width,
                                            "height": min(int(height) + 50, 12000)})
                    page.wait_for_timeout(800)
                    page.screenshot(path=str(path), full_page=True)
                    page.set_viewport_size({"width": args.width, "height": args.height})
                print(path)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
