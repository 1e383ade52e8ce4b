"""What a person at the projector feels: real Chromium, real server, one slider nudged.

    .venv/bin/python benchmarks/bench_browser.py [namespace ...]

For each page: time to first full render (cold server cache), then for every slider on
the page, the time from an arrow-key press to the app being idle again with the new
picture (median of 2 presses; each press asks for a value never computed before).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.app_server import CHROMIUM, CHROMIUM_ARGS, READY, streamlit_server  # noqa: E402
from ui.registry import available_pages  # noqa: E402



WATCH = """() => {
  // Record every change of the app's script state with its time, in the page's own clock.
  window.__states = [];
  const app = document.querySelector('[data-testid=stApp]');
  new MutationObserver(() => window.__states.push(
      [app.getAttribute('data-test-script-state'), performance.now()]))
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
DONE = """(t0) => {
  const s = window.__states.filter(([, t]) => t >= t0);
  return s.length >= 2 && s[s.length - 1][0] === 'notRunning' ? s[s.length - 1][1] : null;
}"""


STARTED = """(t0) => window.__states.some(([, t]) => t >= t0)"""


def nudge(page, slider, key: str, timeout: float = 60.0) -> float | None:
    """Seconds from the key press to the end of the rerun it caused (plus one painted frame);
    None when the press caused no rerun (the slider was already at that end)."""
    slider.focus()
    t0 = page.evaluate("performance.now()")
    page.keyboard.press(key)
    try:
        page.wait_for_function(STARTED, arg=t0, timeout=3000)
    except Exception:
        return None
    done = page.wait_for_function(DONE, arg=t0, timeout=timeout * 1000).json_value()
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    painted = page.evaluate("performance.now()")
    return (max(done, painted) - t0) / 1000


def main(only: list[str]) -> None:
    print("| page | first render (s) | slider nudge, median (s) | slowest nudge (s) | slowest slider |")
    print("|---|---:|---:|---:|---|")
    with streamlit_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/?lang=en")
        page.wait_for_selector(READY, timeout=120_000)
        for info in available_pages():
            if only and info.namespace not in only:
                continue
            start = time.perf_counter()
            page.goto(f"{base}/{info.url_path}?lang=en")
            page.wait_for_selector(READY, timeout=120_000)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            first = time.perf_counter() - start
            nudges: list[tuple[float, str]] = []
            page.evaluate(WATCH)
            sliders = page.locator("[data-testid=stSlider] input[type=range]")
            for i in range(sliders.count()):
                label = sliders.nth(i).get_attribute("aria-label") or f"slider {i}"
                times = [nudge(page, sliders.nth(i), key) for key in ("ArrowRight", "ArrowLeft")]
                times = [t for t in times if t is not None]
                if times:
                    nudges.append((statistics.median(times), label))
            if nudges:
                worst = max(nudges)
                median = statistics.median(t for t, _ in nudges)
                print(f"| /{info.url_path} | {first:.2f} | {median:.3f} | {worst[0]:.3f} "
                      f"| {worst[1][:40]} |", flush=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
