"""Where one /playground tick's server time goes, before and after issue 20 (not a test).

On the issue's run (TF Playground keys: spiral, 2-8-8-1 tanh, lr 0.03, batch 10), after some
training, times each part of a live tick in one process, alternating, and prints medians:

* ``snapshot``: ``LabSession.snapshot()`` (one forward over the 100×100 plane, thumbnails);
* before: the output as a PNG (``boundary_png``), the network as HTML + SVG pictures
  (``network_html(live=True)``) and the curves (``curves_html``): what every tick sent;
* after: ``drawing_data`` (numbers only) and its ``json.dumps`` (what the element receives).

Streamlit's own rerun and the browser's work come on top (bench_playground_browser.py).

    .venv/bin/python benchmarks/bench_playground_tick.py [--repeats 30]
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
from core.charts import playground as charts  # noqa: E402
from core.charts.lab_drawing import drawing_data  # noqa: E402
from ui.lab.view import feature_maps  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    fields, _ = lab.parse_playground_params(PLAYGROUND_KEYS)
    cfg = lab.config_from_fields(fields)
    session = lab.LabSession(cfg)
    for _ in range(40):
        session.step_epoch()
    stride = lab.GRID // lab.THUMB
    widths = [len(cfg.features), *cfg.hidden, 1]
    names = [str(i) for i in range(sum(widths))]
    text = {"title": "t", "weight": "w", "x": "x", "y": "y", "train": "a", "test": "b",
            "pinned_train": "c", "pinned_test": "d", "diverged": "e"}
    times: dict[str, list[float]] = {k: [] for k in ("snapshot", "before", "after", "bytes")}
    for _ in range(args.repeats):
        session.step_one()  # a new step: the snapshot is rebuilt
        t0 = time.perf_counter()
        snap = session.snapshot()
        t1 = time.perf_counter()
        charts.boundary_png(snap.grid, snap.grid_output, session.data.points_train,
                            session.data.labels_train)
        charts.network_html(widths, charts.node_maps(snap, stride), snap.weights, names,
                            ["i", "1", "2", "o"], text, live=True)
        charts.curves_html(snap.curve_epochs, snap.curve_train_loss, snap.curve_test_loss,
                           text, live=True)
        t2 = time.perf_counter()
        payload = json.dumps(drawing_data(
            snap, session.data, features=cfg.features, all_features=lab.FEATURES,
            feature_maps=feature_maps(), stride=stride, extent=lab.EXTENT, show_test=False,
            discretize=False, pinned=None, text={}, controls={}))
        t3 = time.perf_counter()
        times["snapshot"].append((t1 - t0) * 1000)
        times["before"].append((t2 - t1) * 1000)
        times["after"].append((t3 - t2) * 1000)
        times["bytes"].append(len(payload))
    one, five, _ = os.getloadavg()
    print(f"load average {one:.1f}, {five:.1f} ({os.cpu_count()} cores); medians of "
          f"{args.repeats} ticks at epoch {session.trainer.epoch}:")
    print(f"  snapshot                         {statistics.median(times['snapshot']):7.2f} ms")
    print(f"  before: PNG + network + curves   {statistics.median(times['before']):7.2f} ms")
    print(f"  after: drawing_data + json       {statistics.median(times['after']):7.2f} ms "
          f"({statistics.median(times['bytes']) / 1000:.1f} kB of JSON)")


if __name__ == "__main__":
    main()
