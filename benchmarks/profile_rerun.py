"""Where a warm rerun's server time goes, page by page (cProfile around the page script).

    .venv/bin/python benchmarks/profile_rerun.py [--top 12] [namespace ...]

Runs every page through AppTest (the router first), then reruns the same view: the second
run is *warm* (every core result cached), so whatever it still costs is rebuilding figures,
tables and protobufs. Prints the warm page time (median of 3, page script only, without
AppTest's own bookkeeping), the share spent in a few places that matter, and with --top the
functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.navigation.page import StreamlitPage  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ui.registry import available_pages  # noqa: E402

_original_run = StreamlitPage.run
PROFILE: dict[str, object] = {"profiler": None, "times": []}


def _timed_run(self: StreamlitPage) -> None:
    profiler = PROFILE["profiler"]
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    try:
        _original_run(self)
    finally:
        if profiler is not None:
            profiler.disable()
        PROFILE["times"].append(time.perf_counter() - start)


StreamlitPage.run = _timed_run  # the page script only: not the router, not AppTest

# (label, substring of "file:function") whose cumulative time is reported
PLACES = [
    ("st.plotly_chart", "plotly_chart.py:plotly_chart"),
    ("figure builders", "core/charts/"),
    ("go.Figure()", "basedatatypes.py:__init__"),
    ("to_json", "_json.py:to_json"),
    ("tables", "arrow.py:"),
    ("cached core run", "ui/compute.py:"),
]


def cumulative(stats: pstats.Stats, needle: str) -> float:
    """Cumulative seconds of the outermost functions matching ``needle`` (no double count)."""
    total = 0.0
    for (file, _line, func), (_cc, _nc, _tt, ct, callers) in stats.stats.items():
        if needle in f"{file}:{func}":
            outer = not any(needle in f"{cf}:{cfunc}" for (cf, _cl, cfunc) in callers)
            if outer:
                total += ct
    return total


def profile_page(info, top: int, move: str | None = None) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["lang"] = "en"
    if info.url_path:
        at.run()
        at.switch_page(info.script)
    at.run()  # cold
    PROFILE["times"] = []
    for _ in range(3):
        at.run()
    warm = statistics.median(PROFILE["times"])
    profiler = cProfile.Profile()
    PROFILE["profiler"] = profiler
    label = "warm"
    if move:  # a cold move: one slider to a value not computed before
        key, value = move.split("=", 1)
        try:
            widget = at.slider(key)
            widget.set_value(type(widget.value)(value))
        except KeyError:
            widget = at.select_slider(key)
            widget.set_value(type(widget.value)(value))
        label = f"move {move}"
    started = time.perf_counter()
    at.run()
    print(f"/{info.url_path}: {label} run {(time.perf_counter() - started) * 1000:.0f} ms")
    PROFILE["profiler"] = None
    stats = pstats.Stats(profiler)
    parts = ", ".join(f"{label} {cumulative(stats, needle) * 1000:.0f}"
                      for label, needle in PLACES)
    print(f"/{info.url_path}: warm {warm * 1000:.0f} ms (profiled: {parts} ms)", flush=True)
    if top:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
        print("\n".join(out.getvalue().splitlines()[-top - 3:]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=0)
    ap.add_argument("--move", help="key=value: profile a slider move instead of a warm rerun")
    ap.add_argument("pages", nargs="*")
    args = ap.parse_args()
    for info in available_pages():
        if not args.pages or info.namespace in args.pages:
            profile_page(info, args.top, args.move)


if __name__ == "__main__":
    main()
