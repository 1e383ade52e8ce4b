"""What drawing each chart costs the browser: a new plot vs an update in place.

    .venv/bin/python benchmarks/bench_chart_draw.py [--url http://127.0.0.1:8501] [namespace ...]

Opens every page (defaults, 1400 px, English) in Chromium, takes each drawn chart's figure
(data and layout as plotly.js holds them, Streamlit's theme applied), and draws it again in a
blank page with plotly.js from the ``plotly`` package (the same major version Streamlit
bundles):

- **newPlot**: the figure drawn into a new element: what a chart's first render costs, and
  what every changed chart cost on every press while the app drew with ``st.plotly_chart``
  (its element id hashes the spec, so a changed chart was unmounted and drawn anew).
- **react**: ``Plotly.react`` with new data objects on the chart already drawn: what a press
  costs a changed chart now that ``ui.chart_element`` updates the same plot in place
  (median of 3).

Prints one row per chart, slowest first, and the sums. No timing is asserted anywhere: this
is for deciding where drawing time goes (issue 8: one student's press → redrawn chart).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import plotly
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_load import app_server  # noqa: E402
from devtools.app_server import CHROMIUM, CHROMIUM_ARGS, READY  # noqa: E402
from ui.registry import available_pages  # noqa: E402

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

# Each drawn chart as JSON (typed arrays as plain lists), with the size it was drawn at.
GRAB = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => JSON.stringify(
  {data: gd.data, layout: gd.layout, width: gd._fullLayout.width, height: gd._fullLayout.height},
  (key, value) => ArrayBuffer.isView(value) ? Array.from(value) : value))"""

# newPlot into a fresh element, then three Plotly.react calls with new data objects; each
# timed until the next frame could be painted.
DRAW = """async (spec) => {
  const figure = JSON.parse(spec);
  const layout = Object.assign({}, figure.layout, {width: figure.width, height: figure.height});
  const gd = document.createElement('div');
  document.body.appendChild(gd);
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  let t0 = performance.now();
  await Plotly.newPlot(gd, figure.data, layout, {displaylogo: false});
  await frame();
  const newPlot = performance.now() - t0;
  const react = [];
  for (let i = 1; i <= 3; i++) {
    t0 = performance.now();
    await Plotly.react(gd, JSON.parse(JSON.stringify(figure.data)),
                       Object.assign({}, layout, {datarevision: i}), {displaylogo: false});
    await frame();
    react.push(performance.now() - t0);
  }
  Plotly.purge(gd);
  gd.remove();
  react.sort((a, b) => a - b);
  return [newPlot, react[1]];
}"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="the app already running (loopback)")
    ap.add_argument("pages", nargs="*")
    args = ap.parse_args()
    app = nullcontext((args.url, None)) if args.url else app_server("app.py")
    rows = []
    with app as (base, _), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        specs = []
        for info in available_pages():
            if info.namespace == "playground" or (args.pages and info.namespace not in args.pages):
                continue
            page.goto(f"{base}/{info.url_path}?lang=en")
            page.wait_for_selector(READY, timeout=180_000)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
            page.wait_for_function("() => !window.__dleDrawing")  # every chart element drawn
            time.sleep(1)  # and, for st.plotly_chart (older commits), the charts below the first
            specs += [(f"/{info.url_path}#{i}", spec) for i, spec in enumerate(page.evaluate(GRAB))]
        page.set_content("<html><body></body></html>")
        page.add_script_tag(path=str(PLOTLY_JS))
        page.evaluate(DRAW, specs[0][1])  # plotly.js's own first-use costs, not a chart's
        for name, spec in specs:
            new_plot, react = page.evaluate(DRAW, spec)
            figure = json.loads(spec)
            kinds = ",".join(sorted({trace.get("type", "scatter") for trace in figure["data"]}))
            rows.append((new_plot, react, name, len(spec) // 1000, len(figure["data"]), kinds))
        browser.close()
    rows.sort(reverse=True)
    print("| chart | newPlot (ms) | react (ms) | spec (KB) | traces |\n|---|---:|---:|---:|---|")
    for new_plot, react, name, kb, traces, kinds in rows:
        print(f"| {name} | {new_plot:.0f} | {react:.0f} | {kb} | {traces} {kinds} |")
    total_new, total_react = sum(r[0] for r in rows), sum(r[1] for r in rows)
    print(f"\n{len(rows)} charts: newPlot {total_new:.0f} ms in all, react {total_react:.0f} ms "
          f"({total_new / total_react:.1f}x)")


if __name__ == "__main__":
    main()
