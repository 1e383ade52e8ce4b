"""Page timings through AppTest (script runs, no browser): cold, warm, and slider change.

    .venv/bin/python benchmarks/bench_pages.py [namespace ...]

cold   first run of the page in this process: caches empty, torch kernels not yet warm
warm   the same view again (the cross-session cache answers)
slider every slider moved to two values never computed before (real cache misses); the
       table gives the median over all those moves and the slowest single move, with its slider
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


def bench(info) -> tuple[float, float, float, float, str]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["lang"] = "en"
    if info.url_path:  # the router must run once before switch_page knows custom URL paths
        at.run()
        at.switch_page(info.script)
    cold = timed_run(at)
    warm = statistics.median(timed_run(at) for _ in range(3))
    moves: list[tuple[float, str]] = []
    for key in [s.key for s in at.slider if s.key]:
        slider = at.slider(key=key)
        lo, hi, start = slider.min, slider.max, slider.value
        for fraction in (0.35, 0.9):
            value = lo + (hi - lo) * fraction
            value = int(round(value)) if isinstance(start, int) else round(value, 6)
            if value == start:
                continue
            at.slider(key=key).set_value(value)
            moves.append((timed_run(at), f"{key}={value}"))
        at.slider(key=key).set_value(start)
        timed_run(at)
    if not moves:
        return cold, warm, float("nan"), float("nan"), "-"
    worst = max(moves)
    return cold, warm, statistics.median(t for t, _ in moves), worst[0], worst[1]


def main(only: list[str]) -> None:
    print("| page | cold run (s) | warm rerun (s) | slider move, median (s) | slowest move (s) | slowest slider |")
    print("|---|---:|---:|---:|---:|---|")
    for info in available_pages():
        if only and info.namespace not in only:
            continue
        cold, warm, median, slowest, where = bench(info)
        print(f"| /{info.url_path} | {cold:.2f} | {warm:.3f} | {median:.3f} | {slowest:.3f} "
              f"| `{where}` |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
