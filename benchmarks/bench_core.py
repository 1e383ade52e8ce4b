"""Core run timings (no Streamlit): median of 5 after one warm-up call.

    .venv/bin/python benchmarks/bench_core.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.activations import (  # noqa: E402
    CurvesConfig, DyingReluConfig, VanishingConfig, run_curves, run_dying_relu, run_vanishing,
)
from core.home import LoopConfig, run_loop  # noqa: E402

CASES = {
    "activations.run_curves (5 functions, 601 points)": lambda: run_curves(CurvesConfig()),
    "activations.run_vanishing (depth 10, default)": lambda: run_vanishing(VanishingConfig()),
    "activations.run_vanishing (depth 50, width 128, sigmoid)":
        lambda: run_vanishing(VanishingConfig(depth=50, width=128)),
    "activations.run_dying_relu (2 nets x 150 steps)": lambda: run_dying_relu(DyingReluConfig()),
    "home.run_loop (30 epochs, 300 points, batch 32)": lambda: run_loop(LoopConfig()),
    "home.run_loop (100 epochs, spiral, 64 units)":
        lambda: run_loop(LoopConfig(dataset="spiral", hidden=64, epochs=100)),
}


def main() -> None:
    print("| core run | median (ms) |")
    print("|---|---:|")
    for name, case in CASES.items():
        case()
        times = []
        for _ in range(5):
            start = time.perf_counter()
            case()
            times.append(time.perf_counter() - start)
        print(f"| {name} | {statistics.median(times) * 1e3:.0f} |", flush=True)


if __name__ == "__main__":
    main()
