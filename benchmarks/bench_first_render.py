"""The first browser after ``scripts/run.sh`` says it is ready: seconds until a chart is drawn.

    flock /tmp/bench.lock env DLE_BENCH=1 .venv/bin/python benchmarks/bench_first_render.py
    .venv/bin/python benchmarks/bench_first_render.py --trials 2 --targets /?lang=ko /losses?lang=en

For every target (a path with its query) a fresh ``PORT=<free> bash scripts/run.sh`` is started
and its stdout read until the "is ready" line (run.sh prints it after scripts/warm.py drew the
home page once). Chromium, launched before run.sh so its start is not counted, then opens the
target at 1400x900; *first chart* is goto → the first chart element (``.dle-chart .main-svg``)
attached, *idle* is goto → the script finished (``READY``). The same target is then opened
once more in a new context on the same server (*second*): what the first session costs
beyond any later one; *server CPU*: the app process's CPU seconds during each (steadier than
wall time on a shared machine). Issue 22's promise: first chart ≤ 3 s after "ready".
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.app_server import (  # noqa: E402
    CHART_SELECTOR, CHROMIUM, CHROMIUM_ARGS, READY, free_port)

TARGETS = ["/?lang=ko", "/?lang=en", "/losses?lang=ko", "/losses?lang=en"]
READY_LINE = "Deep Learning Explorer is ready"
START_TIMEOUT = 300.0


def start_run_sh(port: int) -> tuple[subprocess.Popen, float, list[str]]:
    """run.sh in its own process group; (process, seconds until its ready line, its output)."""
    started = time.monotonic()
    process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT,
                               env={**os.environ, "PORT": str(port)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    lines: list[str] = []
    while not any(READY_LINE in line for line in lines):
        line = process.stdout.readline()
        if (not line and process.poll() is not None) or time.monotonic() - started > START_TIMEOUT:
            stop(process)
            sys.exit("run.sh did not get ready:\n" + "".join(lines))
        lines.append(line)
    ready_after = time.monotonic() - started
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    return process, ready_after, lines


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to run.sh's group (run.sh, the app, its log tail), as Ctrl-C would."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def app_pid(run_sh: subprocess.Popen) -> int:
    """The ``streamlit run`` process run.sh started (its child)."""
    children = Path(f"/proc/{run_sh.pid}/task/{run_sh.pid}/children").read_text().split()
    for pid in children:
        if b"streamlit" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return int(pid)
    raise RuntimeError(f"no streamlit process among run.sh's children {children}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_once(browser, url: str, server: int) -> dict[str, float]:
    cpu = cpu_seconds(server)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(f"{CHART_SELECTOR} .main-svg", state="attached", timeout=180_000)
    chart = time.perf_counter() - start
    page.wait_for_selector(READY, timeout=180_000)
    idle = time.perf_counter() - start
    errors = page.locator("[data-testid=stException]").count()
    context.close()
    return {"chart_s": round(chart, 2), "idle_s": round(idle, 2), "exceptions": errors,
            "server_cpu_s": round(cpu_seconds(server) - cpu, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--targets", nargs="+", default=TARGETS)
    ap.add_argument("--trials", type=int, default=1, help="fresh run.sh starts per target")
    ap.add_argument("--json", help="write the rows here too")
    args = ap.parse_args()
    if args.trials > 5 or len(args.targets) > 10:
        sys.exit("bounded: at most 5 trials and 10 targets")
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for target in args.targets:
            for trial in range(args.trials):
                port = free_port()
                process, ready_after, _ = start_run_sh(port)
                try:
                    url, server = f"http://127.0.0.1:{port}{target}", app_pid(process)
                    first, second = open_once(browser, url, server), open_once(browser, url, server)
                finally:
                    stop(process)
                row = {"target": target, "trial": trial, "ready_after_s": round(ready_after, 1),
                       "first": first, "second": second,
                       "load": os.getloadavg()[0]}
                rows.append(row)
                print(json.dumps(row), flush=True)
        browser.close()
    for target in args.targets:
        firsts = [r["first"]["chart_s"] for r in rows if r["target"] == target]
        print(f"{target:18s} first chart median {statistics.median(firsts):.2f} s "
              f"(max {max(firsts):.2f}); second session "
              f"{statistics.median(r['second']['chart_s'] for r in rows if r['target'] == target):.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
