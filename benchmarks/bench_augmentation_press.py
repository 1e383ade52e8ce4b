"""What a cold slider press of /augmentation's training section computes on the server.

A press of an augmentation slider (rotation 10° -> 11°, the page's defaults otherwise) reruns
the gallery (its run and figure) and trains the augmented model anew (the plain one never
depends on the sliders and is cached), then builds the curves and robustness figures; each
figure is serialized as ``ui.compute.figure`` does (``to_json(validate=False)``). Each part is timed on its own and together, the median of
REPEATS runs in one process, with the load average printed (the machine is shared).

Run: ``.venv/bin/python benchmarks/bench_augmentation_press.py [--profile]`` from the
repository root. ``--profile`` prints cProfile's top functions of one press instead.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import augmentation  # noqa: E402
from core.augmentation import (  # noqa: E402
    AugmentSpec, GalleryConfig, TrainingConfig, run_gallery, run_training_run, training_stages,
)
from core.charts.augmentation import (  # noqa: E402
    curves_figure, gallery_figure, robustness_figure,
)

REPEATS = 9
TEXT = {k: k for k in ("title", "accuracy", "loss", "x", "train", "val", "diverged",
                       "rotated", "shifted", "angle", "shift", "original")}
NAMES = {"plain": "without augmentation", "augmented": "with augmentation"}
DEFAULT = TrainingConfig()  # the page's defaults: rotation 10°, shift 0.05, zoom 0.05, 60 epochs
PRESSED = replace(DEFAULT, spec=replace(AugmentSpec(), rotation=11.0))  # one slider step away


def train_fresh() -> dict:
    """The augmented run of the pressed config, with no kept run to continue."""
    augmentation._TRAINING_RUNS.clear()
    return run_training_run(training_stages(PRESSED)[1])


def gallery() -> None:
    gallery_figure(run_gallery(GalleryConfig(spec=PRESSED.spec)), TEXT).to_json(validate=False)


def figures(runs: dict) -> None:
    for builder in (curves_figure, robustness_figure):
        builder(runs, TEXT, NAMES).to_json(validate=False)


def press(plain) -> None:
    gallery()
    figures({"plain": plain, "augmented": train_fresh()})


def timed_ms(fn, repeats: int = REPEATS) -> tuple[list[float], list[float]]:
    """Wall-clock and this thread's CPU times of ``repeats`` calls, after a warm-up call.
    The CPU time is what the press costs; the wall clock also holds whatever else ran."""
    fn()  # warm-up: imports, first-call caches
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn()
        wall.append(1000 * (time.perf_counter() - started))
        cpu.append(1000 * (time.thread_time() - started_cpu))
    return wall, cpu


def main() -> None:
    plain = run_training_run(training_stages(PRESSED)[0])  # cached on the page: not timed
    runs = {"plain": plain, "augmented": train_fresh()}
    started = time.perf_counter()
    gallery()
    figures(runs)
    print(f"the three figures, first time in this process: "
          f"{1000 * (time.perf_counter() - started):.1f} ms")
    print(f"load average before: {os.getloadavg()}")
    if "--profile" in sys.argv:
        profile = cProfile.Profile()
        profile.runcall(press, plain)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return
    parts = {
        "gallery run + figure + to_json": gallery,
        "training (augmented, fresh)": train_fresh,
        "curves_figure + to_json": lambda: curves_figure(runs, TEXT, NAMES).to_json(validate=False),
        "robustness_figure + to_json":
            lambda: robustness_figure(runs, TEXT, NAMES).to_json(validate=False),
        "whole press (all of the above)": lambda: press(plain),
    }
    for name, fn in parts.items():
        wall, cpu = timed_ms(fn)
        print(f"{name:40s} median {statistics.median(wall):6.1f} ms wall "
              f"(min {min(wall):.1f}, max {max(wall):.1f}), "
              f"{statistics.median(cpu):6.1f} ms CPU, n={len(wall)}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
