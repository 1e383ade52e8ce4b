"""One student alone in real Chromium: slider → redrawn chart, the app's pages vs the floor.

    .venv/bin/python benchmarks/bench_floor.py [--url http://127.0.0.1:8501] [--presses 6]
                                               [--passes 2] [namespace ...]

Starts ``benchmarks/floor_app.py`` (one slider, one chart) and, unless --url is given, the app
(``streamlit run app.py``; with --url, e.g. scripts/serve.sh, through its balancer), both in
this run on this machine, and presses arrow keys on sliders the way bench_browser.py does
(press → the rerun it caused has finished and a frame is painted). For every page: each
slider pressed alternately right and left, ``--presses`` times in all per page. Reports p50
and p95 over all presses of all pages, the same for the floor app, and the ratios (issue 18
targets: p50 ≤ 2.5×, p95 ≤ 5× the floor; after idle: p50 ≤ 2×, p95 ≤ 3×).

A press ends when the rerun it caused has finished (its ``script_finished`` message has
arrived, read from the WebSocket frames: FRAMES) and is rendered, every chart element
(ui.chart_element) has drawn what arrived (``window.__dleDrawing`` back at 0: its Plotly.react runs after the
rerun's messages, in the element's own JS) and a frame is painted.

Each press is split in two: **drawing** = the time the page's main thread was busy in long
tasks (≥ 50 ms: React and Plotly drawing what arrived; the browser's Long Tasks API), and
**waiting** = the rest (the rerun on the server, the transfer, short tasks). The server's own
rerun times: start the app with DLE_LOG_RUN_TIMES=1 and pass --url.
``--passes 2`` presses the same sliders again, from the same defaults (a new browser session),
on the same server: the second pass finds every result in the server's cache, so what remains
is Streamlit's rerun and the drawing, not training. ``--idle 3`` adds the after-idle pass
(another slider): every slider, after 3 s without input, pressed one step to a value no earlier pass
visited (left of its default; pressed back right untimed) — the press a prefetch of the
neighbouring values (issue 18, item 2) is for. ``--teacher`` (with ``--idle``) adds the
teacher's case: a step, the idle time, then the next step the same way (the value a prefetch
guesses first).

So the three kinds are reported apart: **cold** (pass 1), **warm** (pass 2), **after idle**.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_browser import DONE, STARTED, WATCH  # noqa: E402
from benchmarks.bench_load import app_server, pct  # noqa: E402
from devtools.app_server import CHROMIUM, CHROMIUM_ARGS, READY  # noqa: E402
from ui.registry import available_pages  # noqa: E402


# Long tasks (main thread busy ≥ 50 ms) with their start time, in the page's own clock.
LONG_TASKS = """() => { window.__long = [];
  new PerformanceObserver(list => { for (const e of list.getEntries())
    window.__long.push([e.startTime, e.duration]); }).observe({type: 'longtask'}); }"""
BUSY_SINCE = """(t0) => window.__long.filter(([start]) => start >= t0)
  .reduce((sum, [, duration]) => sum + duration, 0)"""


@dataclass
class Press:
    total: float  # press → rerun finished and painted (s)
    drawing: float  # of which the main thread was busy in long tasks (s)

    @property
    def waiting(self) -> float:
        return max(self.total - self.drawing, 0.0)


# No chart element draw under way (true at once for an app without the element).
DRAWN = "() => !window.__dleDrawing"


# Every frame the page receives on Streamlit's WebSocket, with its time (the page's clock) and
# whether it ends a run: a ForwardMsg whose top-level field 6 (script_finished) is set, read
# from the protobuf's field keys. The script-state attribute is not enough to see a run: a
# quick run's "running" and "notRunning" reach React in one batch, the attribute never
# changes, and such presses were taken for presses that caused no run. On this machine that
# dropped 20-40 % of the floor app's presses (its fastest ones) and 2-7 % of a page's.
FRAMES = """(() => {
  window.__frames = [];
  const endsRun = (bytes) => {
    let i = 0;
    const varint = () => { let value = 0, scale = 1, byte;
      do { byte = bytes[i++]; value += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80);
      return value; };
    while (i < bytes.length) {
      const key = varint(), field = Math.floor(key / 8), wire = key % 8;
      if (field === 6) return true;
      if (wire === 0) varint(); else if (wire === 1) i += 8; else if (wire === 5) i += 4;
      else if (wire === 2) { const length = varint(); i += length; } else return false;
    }
    return false;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => window.__frames.push([performance.now(),
        event.data instanceof ArrayBuffer && endsRun(new Uint8Array(event.data))]));
    }
  };
})()"""
FRAME_SINCE = "(t0) => window.__frames.some(([t]) => t >= t0)"
RUN_ENDED = """(t0) => { const end = window.__frames.find(([t, ends]) => t >= t0 && ends);
  return end ? end[0] : null; }"""
NOT_RUNNING = """() => document.querySelector('[data-testid=stApp]')
  .getAttribute('data-test-script-state') === 'notRunning'"""
NEXT_FRAME = "new Promise(r => requestAnimationFrame(() => r()))"
QUICK_RUNS: list[bool] = []  # per timed rerun: True when it never showed "running"


def nudge(page, slider, key: str, timeout: float = 60.0) -> float | None:
    """Seconds from the key press to the end of the rerun it caused, every chart element
    drawn and one frame painted; None when the press caused no rerun (slider at that end).

    The run's end as before: the script-state attribute back at "notRunning", rendered. When a
    quick run never showed "running" (one React batch), its end is the frame that ended it
    plus one animation frame for its last messages to render."""
    slider.focus()
    t0 = page.evaluate("performance.now()")
    page.keyboard.press(key)
    try:
        page.wait_for_function(FRAME_SINCE, arg=t0, timeout=3000)
    except Exception:
        return None
    ended = page.wait_for_function(RUN_ENDED, arg=t0, timeout=timeout * 1000).json_value()
    QUICK_RUNS.append(not page.evaluate(STARTED, t0))
    if not QUICK_RUNS[-1]:
        done = page.wait_for_function(DONE, arg=t0, timeout=timeout * 1000).json_value()
    else:
        page.wait_for_function(NOT_RUNNING, timeout=timeout * 1000)
        page.evaluate(NEXT_FRAME)
        done = ended
    page.wait_for_function(DRAWN, timeout=timeout * 1000, polling="raf")
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    painted = page.evaluate("performance.now()")
    return (max(done, painted) - t0) / 1000


def new_page(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(FRAMES)
    return page


def open_for_presses(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(READY, timeout=180_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    page.evaluate(WATCH)
    page.evaluate(LONG_TASKS)


def idle_presses(page, url: str, idle: float) -> list[Press]:
    """Each slider: ``idle`` s without input, one timed step left, then back right (untimed)."""
    open_for_presses(page, url)
    sliders = page.locator("[data-testid=stSlider] input[type=range]")
    out: list[Press] = []
    for i in range(sliders.count()):
        page.wait_for_timeout(idle * 1000)
        t0 = page.evaluate("performance.now()")
        took = nudge(page, sliders.nth(i), "ArrowLeft")
        if took is None:
            continue
        out.append(Press(took, min(page.evaluate(BUSY_SINCE, t0) / 1000, took)))
        nudge(page, sliders.nth(i), "ArrowRight")
    return out


def teacher_presses(page, url: str, idle: float) -> list[Press]:
    """The teacher's case: each slider one step left (untimed), ``idle`` s of explaining, then
    one more step the same way (timed: a value no earlier pass visited), then back (untimed)."""
    open_for_presses(page, url)
    sliders = page.locator("[data-testid=stSlider] input[type=range]")
    out: list[Press] = []
    for i in range(sliders.count()):
        if nudge(page, sliders.nth(i), "ArrowLeft") is None:
            continue
        page.wait_for_timeout(idle * 1000)
        t0 = page.evaluate("performance.now()")
        took = nudge(page, sliders.nth(i), "ArrowLeft")
        if took is not None:
            out.append(Press(took, min(page.evaluate(BUSY_SINCE, t0) / 1000, took)))
            nudge(page, sliders.nth(i), "ArrowRight")
        nudge(page, sliders.nth(i), "ArrowRight")
    return out


def presses(page, url: str, count: int) -> list[Press]:
    open_for_presses(page, url)
    sliders = page.locator("[data-testid=stSlider] input[type=range]")
    out: list[Press] = []
    n = sliders.count()
    for i in range(count):
        if n == 0:
            break
        t0 = page.evaluate("performance.now()")
        took = nudge(page, sliders.nth(i % n), "ArrowRight" if (i // n) % 2 == 0 else "ArrowLeft")
        if took is not None:
            out.append(Press(took, min(page.evaluate(BUSY_SINCE, t0) / 1000, took)))
    return out


def summary(name: str, times: list[Press]) -> str:
    total = [p.total for p in times]
    return (f"{name}: p50 {pct(total, 0.5):.3f} s, p95 {pct(total, 0.95):.3f} s "
            f"({len(times)} presses; medians: drawing {statistics.median(p.drawing for p in times):.3f} s, "
            f"waiting {statistics.median(p.waiting for p in times):.3f} s)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="the app already running (loopback)")
    ap.add_argument("--presses", type=int, default=6)
    ap.add_argument("--passes", type=int, default=1,
                    help="2: press the same sliders again (every result then cached)")
    ap.add_argument("--idle", type=float, default=0,
                    help="seconds: add the after-idle pass (one step to an unvisited value)")
    ap.add_argument("--teacher", action="store_true",
                    help="with --idle: add the teacher's pass (the same slider, the same way, "
                         "after the idle time)")
    ap.add_argument("pages", nargs="*")
    args = ap.parse_args()
    app = nullcontext((args.url, None)) if args.url else app_server("app.py")
    with app_server("benchmarks/floor_app.py") as (floor, _), app as (base, _), \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = new_page(browser)
        presses(page, floor, 2)  # warm the browser and the floor server
        QUICK_RUNS.clear()
        floor_times = presses(page, floor, 4 * args.presses)
        floor_quick = sum(QUICK_RUNS)
        passes: list[tuple[str, list[Press], list[str]]] = []
        kinds = (["cold"] + ["warm"] * (args.passes - 1) + (["idle"] if args.idle else [])
                 + (["teacher"] if args.idle and args.teacher else []))
        for kind in kinds:
            # A new session each pass: settings survive page switches within a session, so
            # only a new one starts every page from its defaults (the same presses again).
            page.context.close()
            page = new_page(browser)
            page.goto(f"{base}/?lang=en")
            page.wait_for_selector(READY, timeout=180_000)
            app_times: list[Press] = []
            rows = []
            for info in available_pages():
                if info.namespace == "playground" or (args.pages and info.namespace not in args.pages):
                    continue
                url = f"{base}/{info.url_path}?lang=en"
                times = (idle_presses(page, url, args.idle) if kind == "idle" else
                         teacher_presses(page, url, args.idle) if kind == "teacher" else
                         presses(page, url, args.presses))
                app_times += times
                if times:
                    rows.append(
                        f"| /{info.url_path} | {statistics.median(p.total for p in times):.2f} "
                        f"| {max(p.total for p in times):.2f} "
                        f"| {statistics.median(p.drawing for p in times):.2f} "
                        f"| {statistics.median(p.waiting for p in times):.2f} |")
            passes.append((kind, app_times, rows))
            print(f"pass {kind} done", file=sys.stderr, flush=True)
        # The floor again at the end: the machine's pace can drift during a long run.
        page.context.close()
        page = new_page(browser)
        app_quick = sum(QUICK_RUNS) - floor_quick
        QUICK_RUNS.clear()
        floor_times += presses(page, floor, 4 * args.presses)
        floor_quick += sum(QUICK_RUNS)
        browser.close()
    f50, f95 = pct([p.total for p in floor_times], 0.5), pct([p.total for p in floor_times], 0.95)
    print(summary("floor app", floor_times))
    print(f"(runs too quick to show 'running', timed from their frames: floor {floor_quick}, "
          f"app pages {app_quick})")
    for kind, app_times, rows in passes:
        label = {"cold": "cold: first pass (most results computed now)",
                 "warm": "warm: the same presses again (results cached)",
                 "idle": f"after idle: {args.idle:g} s without input, then one step to a value "
                         "no pass visited",
                 "teacher": f"teacher: a step, {args.idle:g} s of explaining, the next step the "
                            "same way (a value no pass visited)"}[kind]
        print(f"\n{label}\n| page | press → redrawn, median (s) | slowest (s) "
              f"| drawing, median (s) | waiting, median (s) |\n|---|---:|---:|---:|---:|")
        print("\n".join(rows))
        a50 = pct([p.total for p in app_times], 0.5)
        a95 = pct([p.total for p in app_times], 0.95)
        print(summary("app pages", app_times))
        target = "2x / 3x" if kind in ("idle", "teacher") else "2.5x / 5x"
        print(f"ratio: p50 {a50 / f50:.1f}x, p95 {a95 / f95:.1f}x (targets p50 / p95 <= {target})")


if __name__ == "__main__":
    main()
