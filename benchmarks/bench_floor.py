"""One student alone in real Chromium: slider → redrawn chart, the app's pages vs the floor.

    .venv/bin/python benchmarks/bench_floor.py [--url http://127.0.0.1:8501] [--presses 6] [namespace ...]

Starts ``benchmarks/floor_app.py`` (one slider, one chart) and, unless --url is given, the app
(``streamlit run app.py``; with --url, e.g. scripts/serve.sh, through its balancer), both in
this run on this machine, and presses arrow keys on sliders the way bench_browser.py does
(press → the rerun it caused has finished and a frame is painted). For every page: each
slider pressed alternately right and left, ``--presses`` times in all per page. Reports p50
and p95 over all presses of all pages, the same for the floor app, and the ratios (issue 8
targets: p50 ≤ 2×, p95 ≤ 4× the floor).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from contextlib import nullcontext
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_browser import WATCH, nudge  # noqa: E402
from benchmarks.bench_load import app_server, pct  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, READY  # noqa: E402
from ui.registry import available_pages  # noqa: E402


def presses(page, url: str, count: int) -> list[float]:
    page.goto(url)
    page.wait_for_selector(READY, timeout=180_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    page.evaluate(WATCH)
    sliders = page.locator("[data-testid=stSlider] input[type=range]")
    out: list[float] = []
    n = sliders.count()
    for i in range(count):
        if n == 0:
            break
        took = nudge(page, sliders.nth(i % n), "ArrowRight" if (i // n) % 2 == 0 else "ArrowLeft")
        if took is not None:
            out.append(took)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="the app already running (loopback)")
    ap.add_argument("--presses", type=int, default=6)
    ap.add_argument("pages", nargs="*")
    args = ap.parse_args()
    app = nullcontext((args.url, None)) if args.url else app_server("app.py")
    with app_server("benchmarks/floor_app.py") as (floor, _), app as (base, _), \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        presses(page, floor, 2)  # warm the browser and the floor server
        floor_times = presses(page, floor, 4 * args.presses)
        page.goto(f"{base}/?lang=en")
        page.wait_for_selector(READY, timeout=180_000)
        app_times: list[float] = []
        rows = []
        for info in available_pages():
            if info.namespace == "playground" or (args.pages and info.namespace not in args.pages):
                continue
            times = presses(page, f"{base}/{info.url_path}?lang=en", args.presses)
            app_times += times
            if times:
                rows.append(f"| /{info.url_path} | {statistics.median(times):.2f} | {max(times):.2f} |")
        browser.close()
    print("| page | press → redrawn, median (s) | slowest (s) |\n|---|---:|---:|")
    print("\n".join(rows))
    f50, f95, a50, a95 = (pct(floor_times, 0.5), pct(floor_times, 0.95), pct(app_times, 0.5),
                          pct(app_times, 0.95))
    print(f"\nfloor app: p50 {f50:.3f} s, p95 {f95:.3f} s ({len(floor_times)} presses)")
    print(f"app pages: p50 {a50:.3f} s, p95 {a95:.3f} s ({len(app_times)} presses)")
    print(f"ratio: p50 {a50 / f50:.1f}x (target <= 2x), p95 {a95 / f95:.1f}x (target <= 4x)")


if __name__ == "__main__":
    main()
