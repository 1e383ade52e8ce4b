"""Speed of the /playground lab on the issue's setting (not a test).

Opened from TensorFlow Playground keys: spiral, 2-8-8-1 tanh (networkShape=8,8), lr 0.03,
batch 10, features x and y, 50 % train. Reports, per seed and as medians:

* the epochs the run needs to reach test loss < 0.1 (the same for both loops below: the
  naive loop takes the same batches from the same weights, so only the speed differs);
* the naive torch loop (DataLoader over a TensorDataset, nn.Sequential, ½·MSE written
  out, optim.SGD, a test-loss evaluation per epoch): steps/s and epochs/s;
* the lab as the page drives it: ``LabSession.tick(budget)`` then ``snapshot()`` (one
  redraw) repeated until the test loss is < 0.1: wall time, redraws/s, epochs/s;
* the 100×100 boundary + thumbnails + metrics of one snapshot (ONE batched forward).

Wall times on a shared machine are inflated by other processes; CPU time of this process
is printed beside them (``process_time``) as the figure least affected by that.

    .venv/bin/python benchmarks/bench_playground.py [--seeds 5] [--budget 0.1] [--every 0.2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from core import lab  # noqa: E402
from core.models import build_mlp  # noqa: E402

PLAYGROUND_KEYS = {"dataset": "spiral", "networkShape": "8,8", "learningRate": "0.03",
                   "batchSize": "10", "activation": "tanh", "x": "true", "y": "true",
                   "percTrainData": "50", "noise": "0", "problem": "classification"}
TARGET = 0.1
PLAYGROUND_SCREEN_EPOCHS_PER_S = 60  # one epoch per animation frame


def config(seed: int) -> lab.LabConfig:
    fields, rejected = lab.parse_playground_params({**PLAYGROUND_KEYS, "seed": str(seed)})
    assert not rejected
    return lab.config_from_fields(fields)


def naive_epochs_per_second(cfg: lab.LabConfig, epochs: int) -> tuple[float, float, float]:
    """(epochs/s wall, epochs/s CPU, steps per epoch) of the textbook loop on the same data."""
    data = lab.make_lab_data(cfg)
    model = build_mlp(lab.lab_spec(cfg, 2), seed=cfg.seed + lab.MODEL_SEED_OFFSET)
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=cfg.batch_size)
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = 0.5 * ((model(xb) - yb) ** 2).mean()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            float(0.5 * ((model(data.x_test) - data.y_test) ** 2).mean())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return epochs / wall, epochs / cpu, len(loader)


def floor_epochs_per_second(cfg: lab.LabConfig, epochs: int) -> float:
    """Epochs/s (CPU) of the least a step can be with autograd and torch.optim: the same
    model and batches, pre-sliced, nothing else — no DataLoader, no History, no loss read
    back, no evaluation, no drawing. No loop that keeps autograd and torch.optim can beat it
    on this machine, so it bounds the lab's on-screen speed from above."""
    data = lab.make_lab_data(cfg)
    model = build_mlp(lab.lab_spec(cfg, 2), seed=cfg.seed + lab.MODEL_SEED_OFFSET)
    batches = list(lab.PlaygroundBatches(data.x_train, data.y_train, cfg.batch_size))
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    forward = lab.sequential_forward(model)
    cpu = time.process_time()
    for _ in range(epochs):
        for xb, yb in batches:
            optimizer.zero_grad()
            lab.half_squared_error(forward(xb), yb).backward()
            optimizer.step()
    return epochs / (time.process_time() - cpu)


def lab_run(cfg: lab.LabConfig, budget: float, max_epochs: int, every: float = 0.0) -> dict:
    """Tick + snapshot until the target; with ``every`` > 0 each cycle starts every that
    many seconds (the page's st.fragment(run_every=…) cadence; the page's own rendering
    time is not included)."""
    session = lab.LabSession(cfg, epoch_cap=max_epochs)
    redraws, snap_times = 0, []
    wall, cpu = time.perf_counter(), time.process_time()
    reached = None
    while reached is None and session.trainer.epoch < max_epochs:
        if every > 0:
            cycle_end = wall + every * (redraws + 1)
        session.tick(budget)
        t = time.perf_counter()
        snap = session.snapshot()
        snap_times.append(time.perf_counter() - t)
        redraws += 1
        below = [e for e, v in zip(snap.curve_epochs, snap.curve_test_loss) if v < TARGET]
        if below:
            reached = int(below[0])
        if every > 0:
            time.sleep(max(0.0, cycle_end - time.perf_counter()))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"epochs_needed": reached, "wall": wall, "cpu": cpu, "redraws": redraws,
            "epochs": session.trainer.epoch, "steps": session.trainer.step_count,
            "snapshot_ms": 1000 * statistics.median(snap_times)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=float, default=0.1, help="tick budget (s)")
    parser.add_argument("--max-epochs", type=int, default=5000)
    parser.add_argument("--naive-epochs", type=int, default=60)
    parser.add_argument("--every", type=float, default=0.0,
                        help="start a tick+redraw cycle every this many s (page: 0.2)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    lab.MAX_CURVE = 10**6  # keep every epoch, to read off the first one below the target

    rows = []
    for seed in range(args.seeds):
        cfg = config(seed)
        run = lab_run(cfg, args.budget, args.max_epochs, args.every)
        naive_wall, naive_cpu, steps_per_epoch = naive_epochs_per_second(cfg, args.naive_epochs)
        run["floor_eps_cpu"] = floor_epochs_per_second(cfg, args.naive_epochs)
        run |= {"seed": seed, "naive_eps": naive_wall, "naive_eps_cpu": naive_cpu,
                "lab_eps": run["epochs"] / run["wall"], "lab_eps_cpu": run["epochs"] / run["cpu"],
                "steps_per_epoch": steps_per_epoch}
        rows.append(run)
        need = run["epochs_needed"]
        print(f"seed {seed}: test loss < {TARGET} after {need} epochs | lab {run['wall']:.1f} s "
              f"wall ({run['cpu']:.1f} s CPU), {run['lab_eps']:.0f} epochs/s wall "
              f"({run['lab_eps_cpu']:.0f} per CPU-s), {run['redraws'] / run['wall']:.1f} "
              f"redraws/s, snapshot {run['snapshot_ms']:.1f} ms | naive "
              f"{run['naive_eps']:.0f} epochs/s wall ({run['naive_eps_cpu']:.0f} per CPU-s)",
              flush=True)

    done = [r for r in rows if r["epochs_needed"] is not None]
    med = lambda key: statistics.median(r[key] for r in done)  # noqa: E731
    print()
    print(f"setting: Playground keys {PLAYGROUND_KEYS}; tick budget {args.budget} s"
          f"{f', a cycle every {args.every} s' if args.every else ', cycles back to back'}; "
          f"{len(done)}/{len(rows)} seeds reached the target within {args.max_epochs} epochs")
    if not done:
        return
    need = med("epochs_needed")
    spe = rows[0]["steps_per_epoch"]
    print(f"median epochs to test loss < {TARGET}: {need:.0f}")
    print(f"{'':28s}{'epochs/s':>10s}{'steps/s':>10s}{'to target':>12s}")
    print(f"{'naive loop (wall)':28s}{med('naive_eps'):10.0f}{med('naive_eps') * spe:10.0f}"
          f"{need / med('naive_eps'):11.1f}s")
    print(f"{'naive loop (per CPU-s)':28s}{med('naive_eps_cpu'):10.0f}"
          f"{med('naive_eps_cpu') * spe:10.0f}{need / med('naive_eps_cpu'):11.1f}s")
    print(f"{'lab, ticks+redraws (wall)':28s}{med('lab_eps'):10.0f}{med('lab_eps') * spe:10.0f}"
          f"{med('wall'):11.1f}s")
    print(f"{'lab (per CPU-s)':28s}{med('lab_eps_cpu'):10.0f}{med('lab_eps_cpu') * spe:10.0f}"
          f"{med('cpu'):11.1f}s")
    floor = med("floor_eps_cpu")
    print(f"{'floor: autograd+optim only':28s}{floor:10.0f}{floor * spe:10.0f}"
          f"{need / floor:11.1f}s   (no loop keeping autograd and torch.optim is faster here:"
          f" at most {floor / PLAYGROUND_SCREEN_EPOCHS_PER_S:.1f}x the Playground on screen)")
    print(f"{'Playground on screen':28s}{PLAYGROUND_SCREEN_EPOCHS_PER_S:10d}{'':10s}"
          f"{need / PLAYGROUND_SCREEN_EPOCHS_PER_S:11.1f}s")
    print(f"redraws/s (median): {statistics.median(r['redraws'] / r['wall'] for r in done):.1f};"
          f" snapshot (100x100 boundary, thumbnails, metrics): {med('snapshot_ms'):.1f} ms")


if __name__ == "__main__":
    main()
