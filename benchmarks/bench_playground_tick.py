"""Where one /playground tick's server time goes (not a test).

On the issue's run (TF Playground keys: spiral, 2-8-8-1 tanh, lr 0.03, batch 10), after some
training, times each part of a live tick in one process and prints medians:

* ``train``: ``LabSession.tick(budget)`` (the tick's training; its budget is the page's
  TICK_BUDGET unless ``--budget``), with the epochs it covered;
* ``snapshot``: ``LabSession.snapshot()`` (one forward over the 100×100 plane, thumbnails);
* ``drawing_data`` and its ``json.dumps``: what the drawing element receives.

Streamlit's own rerun and the browser's work come on top (bench_playground_browser.py). The
pictures sent before issue 20 (output PNG, network and curves as HTML/SVG: ~132 ms a tick
under load) are recorded in BENCHMARKS.md; their builders are gone.

    .venv/bin/python benchmarks/bench_playground_tick.py [--repeats 30] [--budget 0.045]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_playground import PLAYGROUND_KEYS  # noqa: E402
from core import lab  # noqa: E402
from core.charts.lab_drawing import drawing_data  # noqa: E402
from ui.lab.view import feature_maps  # noqa: E402

PAGE_TICK_BUDGET = 0.045  # app_pages/playground.py TICK_BUDGET (a page is not importable)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--budget", type=float, default=PAGE_TICK_BUDGET)
    args = parser.parse_args()
    import torch

    fields, _ = lab.parse_playground_params(PLAYGROUND_KEYS)
    cfg = lab.config_from_fields(fields)
    session = lab.LabSession(cfg)
    for _ in range(40):
        session.step_epoch()
    stride = lab.GRID // lab.THUMB
    times: dict[str, list[float]] = {k: [] for k in ("train", "epochs", "snapshot", "data",
                                                     "json", "bytes")}
    for _ in range(args.repeats):
        epoch = session.trainer.epoch
        t0 = time.perf_counter()
        session.tick(args.budget)
        t1 = time.perf_counter()
        snap = session.snapshot()
        t2 = time.perf_counter()
        data = drawing_data(
            snap, session.data, features=cfg.features, all_features=lab.FEATURES,
            feature_maps=feature_maps(), stride=stride, extent=lab.EXTENT, show_test=False,
            discretize=False, pinned=None, text={}, controls={})
        t3 = time.perf_counter()
        payload = json.dumps(data)
        t4 = time.perf_counter()
        for key, value in (("train", t1 - t0), ("snapshot", t2 - t1), ("data", t3 - t2),
                           ("json", t4 - t3)):
            times[key].append(value * 1000)
        times["epochs"].append(session.trainer.epoch - epoch)
        times["bytes"].append(len(payload))
    one, five, _ = os.getloadavg()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"load average {one:.1f}, {five:.1f} ({os.cpu_count()} cores, torch threads "
          f"{torch.get_num_threads()}); medians of {args.repeats} ticks, epoch "
          f"{session.trainer.epoch}:")
    print(f"  train: tick({args.budget})            {med['train']:7.2f} ms "
          f"({med['epochs']:.1f} epochs, {med['epochs'] / med['train'] * 1000:.0f} epochs/s)")
    print(f"  snapshot                         {med['snapshot']:7.2f} ms")
    print(f"  drawing_data                     {med['data']:7.2f} ms")
    print(f"  json.dumps                       {med['json']:7.2f} ms "
          f"({med['bytes'] / 1000:.1f} kB)")


if __name__ == "__main__":
    main()
