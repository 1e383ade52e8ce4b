"""A long lesson on scripts/serve.sh: classes of simulated students, one after another, for
``--duration`` seconds, while the memory of the whole server is sampled.

    nice -n 10 .venv/bin/python benchmarks/bench_soak.py --duration 1200 --users 30

Starts ``scripts/serve.sh`` (WORKERS as it chooses unless given) on a free port and runs
benchmarks/bench_load.py's ``run_class`` in waves: ``--users`` students per wave (``--players``
of them on /playground pressing Play), each opening a page, moving sliders with think time
and leaving; a new wave starts when the last one ended, each wave with a new random seed
(values already asked for in earlier waves may come again: the cache then answers, as it
would for a real class). Reported: failed runs and exceptions over the whole soak, first
render and move percentiles per wave, and the resident memory of serve.sh's process tree
(HAProxy and every app process): its median over the minute after ``--warmup`` seconds
against its median over the last minute (the growth), and its peak.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_load import CHOSEN, pct, run_class, tree_rss_bytes  # noqa: E402
from devtools.app_server import start_serve_sh  # noqa: E402
from ui.registry import available_pages  # noqa: E402

MAX_DURATION = 3 * 3600


class Sampler(threading.Thread):
    """(seconds since start, RSS bytes of the tree) every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 5.0):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples = pid, every, []
        self.start_time, self._stop = time.monotonic(), threading.Event()

    def run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append((time.monotonic() - self.start_time, tree_rss_bytes(self.pid)))

    def stop(self) -> None:
        self._stop.set()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=1200.0, help="seconds of classes")
    ap.add_argument("--users", type=int, default=30, help="students per wave (players included)")
    ap.add_argument("--players", type=int, default=2, help="of them on /playground pressing Play")
    ap.add_argument("--moves", type=int, default=6)
    ap.add_argument("--think", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN", "MAX"))
    ap.add_argument("--warmup", type=float, default=300.0,
                    help="seconds before the memory baseline (caches filling up)")
    ap.add_argument("--workers", type=int, help="WORKERS for serve.sh (default: its own)")
    ap.add_argument("--lang", default="ko")
    ap.add_argument("--json", help="write the summary here too")
    args = ap.parse_args()
    if args.duration > MAX_DURATION or args.users > 100:
        sys.exit("bounded: at most 3 h and 100 students")
    pages = [p.url_path for p in available_pages() if p.namespace != "playground"]
    server = start_serve_sh({"WORKERS": str(args.workers)} if args.workers else {})
    process, base, lines = server.process, server.base, server.lines
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sampler = Sampler(process.pid)
    sampler.start()
    waves, failed, exceptions = [], [], []
    try:
        seed = 0
        while sampler.samples == [] or time.monotonic() - sampler.start_time < args.duration:
            CHOSEN.clear()
            started = time.monotonic() - sampler.start_time
            stats = asyncio.run(run_class(
                base, args.users - args.players, args.moves, tuple(args.think), pages, args.lang,
                False, seed, limit=900, warmup=False, play_seconds=20.0, players=args.players))
            moves = [m for m, _ in stats.moves]
            wave = {"start_s": round(started), "first_p95": round(pct(stats.first, 0.95), 2),
                    "move_p50": round(pct(moves, 0.5), 2), "move_p95": round(pct(moves, 0.95), 2),
                    "moves": len(moves), "ticks": len(stats.ticks), "failed": len(stats.failed),
                    "exceptions": len(stats.exceptions),
                    "rss_gb": round(tree_rss_bytes(process.pid) / 1e9, 3)}
            waves.append(wave)
            failed += stats.failed
            exceptions += stats.exceptions
            print(json.dumps(wave), flush=True)
            seed += 1
    finally:
        sampler.stop()
        server.stop()
    samples = sampler.samples
    end = samples[-1][0]
    base_window = [r for t, r in samples if args.warmup <= t < args.warmup + 60]
    last_window = [r for t, r in samples if t >= end - 60]
    baseline, final = statistics.median(base_window), statistics.median(last_window)
    restarts = [line for line in lines if "exited with status" in line]
    summary = {
        "duration_s": round(end), "waves": len(waves), "students_per_wave": args.users,
        "first_renders_p95_max": max(w["first_p95"] for w in waves),
        "moves": sum(w["moves"] for w in waves), "ticks": sum(w["ticks"] for w in waves),
        "move_p50_median": statistics.median(w["move_p50"] for w in waves),
        "move_p95_max": max(w["move_p95"] for w in waves),
        "failed": len(failed), "exceptions": len(exceptions), "worker_restarts": len(restarts),
        "rss_after_warmup_gb": round(baseline / 1e9, 3), "rss_last_minute_gb": round(final / 1e9, 3),
        "rss_growth_pct": round(100 * (final / baseline - 1), 1),
        "rss_peak_gb": round(max(r for _, r in samples) / 1e9, 3),
        "workers": len(re.findall(r"app process \d+ \(pid", "".join(lines))) - len(restarts),
        "failures": failed[:10], "exception_texts": exceptions[:10],
    }
    print(json.dumps(summary, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "waves": waves,
                                               "rss_samples": samples}, indent=1))


if __name__ == "__main__":
    main()
