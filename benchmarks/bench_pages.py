"""Page timings through AppTest (script runs, no browser): cold, warm, and slider change.

    .venv/bin/python benchmarks/bench_pages.py [namespace ...]

cold   first run of the page in this process: caches empty, torch kernels not yet warm
warm   the same view again (the cross-session cache answers)
slider one slider moved to a value never computed before (a real cache miss), median of 3
Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from ui.registry import available_pages  # noqa: E402


def timed_run(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    return elapsed


def bench(info) -> tuple[float, float, float, str]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["lang"] = "en"
    at.run()
    if info.url_path:
        at.switch_page(info.script)
    cold = timed_run(at)
    warm = statistics.median(timed_run(at) for _ in range(3))
    sliders = [s for s in at.slider if s.key]
    if not sliders:
        return cold, warm, float("nan"), "-"
    slider = sliders[0]
    lo, hi = slider.min, slider.max
    values = [lo + (hi - lo) * f for f in (0.3, 0.55, 0.8)]
    if isinstance(lo, int):
        values = [int(round(v)) for v in values]
    changes = []
    for value in values:
        at.slider(key=slider.key).set_value(value)
        changes.append(timed_run(at))
    return cold, warm, statistics.median(changes), slider.key


def main(only: list[str]) -> None:
    print("| page | cold run (s) | warm rerun (s) | slider change (s) | slider |")
    print("|---|---:|---:|---:|---|")
    for info in available_pages():
        if only and info.namespace not in only:
            continue
        cold, warm, change, key = bench(info)
        print(f"| /{info.url_path} | {cold:.2f} | {warm:.3f} | {change:.3f} | `{key}` |",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
