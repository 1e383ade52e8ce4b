"""/playground in real Chromium while playing: redraws per second on screen (not a test).

Starts its own ``streamlit run app.py`` on a free loopback port (or uses ``--url``), opens
/playground with the issue's TensorFlow Playground keys (spiral, 2-8-8-1 tanh, lr 0.03,
batch 10: benchmarks/bench_playground.py PLAYGROUND_KEYS) and ``lang=en``, presses Play and,
for ``--seconds`` (default 20), records in the page itself (a requestAnimationFrame loop):

* every repaint of the drawing element (its ``data-paints`` counter: one per tick's data;
  the network, output and curve are one element) -> redraws per second, and the gaps
  between redraws (p50 / p95 / max); every animation frame in which the element or a parent
  is faded (Streamlit's stale dimming) -> dimmed frames;
* the epoch beside the output over time -> epochs per second on screen;
* the time from pressing Play until the test loss beside the output shows < 0.1.

Issue 20's targets: >= 15 redraws a second with no dimmed frame; test loss < 0.1 on screen in
<= 0.5x TensorFlow Playground's time (its epochs to the target at 60 epochs a second).
The machine's load average is printed beside the figures (shared machines inflate them).

    .venv/bin/python benchmarks/bench_playground_browser.py [--seconds 20] [--url URL]
        [--width 1400] [--height 1000] [--lang en] [--seeds 0 1 2 3 4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_load import app_server  # noqa: E402
from benchmarks.bench_playground import PLAYGROUND_KEYS, TARGET  # noqa: E402
from devtools.app_server import CHROMIUM, CHROMIUM_ARGS, READY  # noqa: E402
from ui.i18n import catalog  # noqa: E402

TEXT = catalog("playground")

# Runs in the page: one sample per animation frame, kept in window.__pg.
RECORDER = """() => {
  const rec = {t0: performance.now(), img: [], net: [], epoch: [], test: [], dim: 0, frames: 0,
               long: []};
  window.__pg = rec;
  // the browser's long tasks (> 50 ms on the main thread: Streamlit's rendering, the paint)
  new PerformanceObserver((list) => { for (const e of list.getEntries())
    rec.long.push([e.startTime - rec.t0, e.duration]); }).observe({type: 'longtask'});
  let lastPaint = null, lastEpoch = null, lastTest = null;
  const frame = () => {
    if (rec.stop) return;
    const now = performance.now() - rec.t0;
    const root = document.querySelector('.pgd');
    rec.frames++;
    if (root) {
      const paint = root.dataset.paints;  // the drawing element counts its repaints
      if (paint !== lastPaint) { rec.img.push(now); rec.net.push(now); lastPaint = paint; }
      let e = root, dim = false;  // a dimmed frame: the element or a parent faded out
      while (e) { if (+getComputedStyle(e).opacity < 0.99) dim = true; e = e.parentElement; }
      if (dim) rec.dim++;
      const ep = root.querySelector('[data-m=epoch]'), te = root.querySelector('[data-m=test_loss]');
      const ev = ep ? ep.textContent.replace(/,/g, '') : null, tv = te ? te.textContent : null;
      if (ev !== null && ev !== lastEpoch) { rec.epoch.push([now, parseInt(ev)]); lastEpoch = ev; }
      if (tv !== null && tv !== lastTest) { rec.test.push([now, parseFloat(tv)]); lastTest = tv; }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}"""


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} cores)"


def rate(times_ms: list[float], start_ms: float) -> float:
    """Changes per second after ``start_ms`` (the first change after Play onwards)."""
    times = [t for t in times_ms if t >= start_ms]
    if len(times) < 2:
        return 0.0
    return (len(times) - 1) / ((times[-1] - times[0]) / 1000)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else 0.0


def measure(base: str, seconds: float, width: int, height: int, lang: str, seed: int) -> dict:
    query = urlencode({**PLAYGROUND_KEYS, "seed": str(seed), "lang": lang})
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/playground?{query}")
        page.wait_for_selector(READY, timeout=120_000)
        page.locator(".pgd canvas.grid").first.wait_for(timeout=60_000)
        page.evaluate(RECORDER)
        page.wait_for_timeout(300)  # the pictures on screen before Play are recorded first
        play_ms = page.evaluate("() => performance.now() - window.__pg.t0")
        page.get_by_role("button", name=TEXT["play"][lang], exact=True).click()
        time.sleep(seconds)
        rec = page.evaluate("() => { window.__pg.stop = true; return window.__pg; }")
        still_playing = page.get_by_role("button", name=TEXT["pause"][lang],
                                         exact=True).count() == 1
        browser.close()
    end_ms = play_ms + seconds * 1000
    img = [t for t in rec["img"] if play_ms < t <= end_ms]
    gaps = [b - a for a, b in zip(img, img[1:])]
    epochs = [(t, e) for t, e in rec["epoch"] if play_ms < t <= end_ms]
    reached = next((t for t, v in rec["test"] if t > play_ms and v < TARGET), None)
    # the epoch on screen when the test loss first showed < TARGET: TF Playground (one epoch
    # per animation frame, 60 a second) would need that many epochs / 60 seconds
    reached_epoch = next((e for t, e in reversed(rec["epoch"]) if reached is not None
                          and t <= reached), None)
    longs = [d for t, d in rec["long"] if play_ms < t <= end_ms]
    first = img[0] if img else end_ms
    out = {
        "boundary_redraws_per_s": rate(img, first),
        "network_redraws_per_s": rate([t for t in rec["net"] if play_ms < t <= end_ms], first),
        "gap_p50_ms": pct(gaps, 0.5), "gap_p95_ms": pct(gaps, 0.95),
        "gap_max_ms": max(gaps) if gaps else 0.0,
        "first_redraw_after_play_s": (first - play_ms) / 1000,
        "epochs_on_screen": epochs[-1][1] if epochs else 0,
        "epochs_per_s": ((epochs[-1][1] - epochs[0][1]) / ((epochs[-1][0] - epochs[0][0]) / 1000)
                         if len(epochs) > 1 and epochs[-1][0] > epochs[0][0] else 0.0),
        "test_loss_below_target_s": (reached - play_ms) / 1000 if reached is not None else None,
        "epoch_at_target": reached_epoch,
        "vs_tf_playground": ((reached - play_ms) / 1000 / (reached_epoch / 60)
                             if reached is not None and reached_epoch else None),
        "long_tasks": len(longs), "long_task_ms_per_s": sum(longs) / seconds,
        "dimmed_frames": rec["dim"], "frames": rec["frames"],
        "still_playing": still_playing, "page_errors": errors,
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--url", help="an app already running (default: start one)")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--lang", default="en", choices=("en", "ko"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="one run per seed, one after another on the same server")
    args = parser.parse_args()
    print(f"before: {load()}")
    server = nullcontext((args.url, None)) if args.url else app_server()
    results = []
    with server as (base, _pid):
        for seed in args.seeds:
            result = measure(base, args.seconds, args.width, args.height, args.lang, seed)
            results.append(result)
            report(args, seed, result)
    print(f"after:  {load()}")
    if len(results) > 1:
        redraws = [r["boundary_redraws_per_s"] for r in results]
        epochs = [r["epochs_per_s"] for r in results]
        ratios = [r["vs_tf_playground"] for r in results if r["vs_tf_playground"] is not None]
        print(f"{len(results)} seeds: redraws/s {min(redraws):.2f}-{max(redraws):.2f} "
              f"(median {statistics.median(redraws):.2f}), epochs/s on screen median "
              f"{statistics.median(epochs):.1f}, dimmed frames "
              f"{sum(r['dimmed_frames'] for r in results)}, reached test loss < {TARGET} in "
              f"{len(ratios)} of {len(results)}"
              + (f", time vs TF Playground's median {statistics.median(ratios):.2f}x"
                 if ratios else ""))


def report(args, seed: int, result: dict) -> None:
    print(f"/playground playing {args.seconds:.0f} s in Chromium {args.width}x{args.height}, "
          f"{args.lang}, Playground keys {PLAYGROUND_KEYS['dataset']} "
          f"{PLAYGROUND_KEYS['networkShape']} seed {seed}:")
    fmt = {"boundary_redraws_per_s": "{:.2f}", "network_redraws_per_s": "{:.2f}",
           "gap_p50_ms": "{:.0f}", "gap_p95_ms": "{:.0f}", "gap_max_ms": "{:.0f}",
           "first_redraw_after_play_s": "{:.2f}", "epochs_per_s": "{:.1f}",
           "long_task_ms_per_s": "{:.0f}"}
    for key, value in result.items():
        shown = fmt[key].format(value) if key in fmt and value is not None else value
        print(f"  {key:28s} {shown}")
    target = result["boundary_redraws_per_s"] >= 15 and result["dimmed_frames"] == 0
    print(f"  >= 15 redraws/s, none dimmed: {'met' if target else 'NOT met'}"
          + (f"; test loss < {TARGET} after {result['test_loss_below_target_s']:.1f} s "
             f"at epoch {result['epoch_at_target']} ({result['vs_tf_playground']:.2f}x TF "
             "Playground's epochs / 60 per s)"
             if result["test_loss_below_target_s"] is not None
             else f"; test loss not < {TARGET} within {args.seconds:.0f} s"), flush=True)
    if result["page_errors"]:
        print("  page errors:", result["page_errors"][:3])


if __name__ == "__main__":
    main()
