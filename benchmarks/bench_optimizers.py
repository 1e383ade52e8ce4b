"""Timing of the optimizers page: trajectories (naive loop vs the batched run) and a redraw.

Run: ``.venv/bin/python benchmarks/bench_optimizers.py`` from the repository root.
Reports the best of several repeats (the machine is shared; the best is the least disturbed).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from dataclasses import replace  # noqa: E402

from core import optimizers as opt  # noqa: E402

from core.charts.optimizers import distance_figure, loss_figure, trajectory_figure  # noqa: E402
from core.optimizers import (  # noqa: E402
    SURFACE_NAMES,
    TrajectoryConfig,
    default_settings,
    run_trajectories,
    run_trajectory_naive,
    surface_grid,
)
from core.training import OPTIMIZERS  # noqa: E402

REPEATS = 5
STEPS = 500
TEXT = {k: k for k in ("title", "x", "y", "diverged", "start", "minimum", "velocity", "gradient",
                       "epsilon", "exit", "now")}


def best_of(fn, repeats: int = REPEATS) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {len(OPTIMIZERS)} optimizers x {STEPS} steps, "
          f"best of {REPEATS}")
    for surface in ("rosenbrock", "rastrigin"):
        settings = default_settings(surface)
        start = TrajectoryConfig(surface=surface).resolved().start

        def naive(surface=surface, settings=settings, start=start) -> None:
            for s in settings:
                run_trajectory_naive(surface, s, start, STEPS)

        cfg = TrajectoryConfig(surface=surface, optimizers=settings, steps=STEPS)

        def cold(cfg=cfg) -> None:  # nothing stored: every path computed (batched)
            opt._paths.clear()
            run_trajectories(cfg)

        t_naive = best_of(naive)
        t_fast = best_of(cold)
        per_step = t_naive / (len(settings) * STEPS) * 1e3
        print(f"{surface:>10}: naive {t_naive * 1e3:7.1f} ms ({per_step:.3f} ms/step/optimizer)"
              f" | batched, cold {t_fast * 1e3:6.1f} ms | x{t_naive / t_fast:.1f}")

        counter = iter(range(10**6))

        def one_changed(settings=settings, surface=surface, counter=counter) -> None:
            # the page after one optimizer's learning-rate slider moved: one path recomputed
            lr = settings[-1].lr * (1 + 1e-6 * next(counter))
            run_trajectories(TrajectoryConfig(surface=surface, steps=STEPS,
                                              optimizers=(*settings[:-1],
                                                          replace(settings[-1], lr=lr))))

        moved = iter(range(1, 10**6))

        def fewer_steps(cfg=cfg, moved=moved) -> None:
            run_trajectories(replace(cfg, steps=STEPS - next(moved)))

        t_one = best_of(one_changed)
        t_steps = best_of(fewer_steps)
        print(f"{'':>10}  one optimizer's setting changed: {t_one * 1e3:.1f} ms | "
              f"steps slider moved down (paths reused): {t_steps * 1e3:.1f} ms")

    # A scrubber move: trajectories come from the cache, only the figures are rebuilt.
    cfg = TrajectoryConfig(surface="rosenbrock", steps=STEPS)
    result = run_trajectories(cfg)
    grid = surface_grid("rosenbrock")
    names = {n: n for n in OPTIMIZERS}

    def redraw() -> None:
        for fig in (trajectory_figure(result, grid, 250, TEXT, names),
                    loss_figure(result, 250, TEXT, names),
                    distance_figure(result, 250, TEXT, names)):
            fig.to_json()

    print(f"redraw of the three figures (build + JSON): {best_of(redraw) * 1e3:.1f} ms")
    t_grids = best_of(lambda: [surface_grid(s) for s in SURFACE_NAMES])
    print(f"surface grids for all surfaces: {t_grids * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
