"""The Docker image's server the way a Hugging Face Space runs it, without Docker.

    nice -n 5 .venv/bin/python benchmarks/bench_space.py --python /path/to/cpu-venv/bin/python \
        --workers 2 --users 10 --players 2

What a Space does, reproduced: the build context copied as ``COPY . .`` with .dockerignore
(read-only for the app's user, as in the image), HOME an empty directory writable by all (the
image's /home/dle), USER=dle, SPACE_ID set (so serve.sh picks port 7860 and HTTPS cookies),
and everything run as uid 1000 (``setpriv``; needs root). ``--python`` is the interpreter of a
venv with the image's packages; the image has PyTorch's CPU build, so give a venv with one.
Then: the cookies a browser gets, a class (benchmarks/bench_load.py's ``run_class``) with its
first renders and moves, the peak resident memory of the whole process tree and of each app
process, and the CPU seconds the app processes used. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import fnmatch
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_load import RssSampler, pct, run_class, tree_rss_bytes  # noqa: E402
from devtools.app_server import start_serve_sh  # noqa: E402
from ui.registry import available_pages  # noqa: E402

SPACE_UID = 1000
SPACE_PORT = 7860


def copy_build_context(target: Path) -> None:
    """``COPY . .`` as .dockerignore says (its patterns: names and ``**/`` names)."""
    patterns = [p.strip().removeprefix("**/") for p in (ROOT / ".dockerignore").read_text().splitlines()
                if p.strip() and not p.startswith("#")]
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if any(fnmatch.fnmatch(rel.as_posix(), p) or any(fnmatch.fnmatch(part, p) for part in rel.parts)
               for p in patterns):
            continue
        dest = target / rel
        if path.is_symlink():
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.symlink_to(os.readlink(path))
        elif path.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, stack = 0.0, [pid]
    while stack:
        p = stack.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            stack.extend(int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split())
        except OSError:
            continue
    return total


class PerProcessPeak(threading.Thread):
    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids, self.peak, self._stop = pids, {p: 0 for p in pids}, threading.Event()

    def run(self) -> None:
        while not self._stop.wait(0.5):
            for p in self.pids:
                self.peak[p] = max(self.peak[p], tree_rss_bytes(p))

    def stop(self) -> dict[int, int]:
        self._stop.set()
        return self.peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", required=True, help="interpreter of a venv with the image's packages")
    ap.add_argument("--workers", type=int, help="WORKERS (default: serve.sh's own choice)")
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--players", type=int, default=2)
    ap.add_argument("--moves", type=int, default=4)
    ap.add_argument("--think", type=float, nargs=2, default=(2.0, 6.0))
    ap.add_argument("--warm-up", default="all", help="serve.sh's WARM_UP")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the server is started as uid 1000 with setpriv")
    with socket.socket() as s:
        port_free = s.connect_ex(("127.0.0.1", SPACE_PORT)) != 0
    work = Path(tempfile.mkdtemp(prefix="dle-space."))
    os.chmod(work, 0o755)  # uid 1000 must reach the copy (read-only to it, as in the image)
    app, home = work / "app", work / "home"
    copy_build_context(app)
    home.mkdir()
    os.chmod(home, 0o1777)
    env = {"PATH": f"{Path(args.python).parent}:/usr/sbin:/usr/bin:/bin", "HOME": str(home),
           "USER": "dle", "SPACE_ID": "local/deep-learning-explorer", "PYTHON": args.python,
           "PYTHONUNBUFFERED": "1", "PIP_NO_CACHE_DIR": "1", "BIND": "127.0.0.1",
           "WARM_UP": args.warm_up, "LOG_DIR": str(work / "logs")}
    if args.workers:
        env["WORKERS"] = str(args.workers)
    if not port_free:  # another server holds 7860 here: the Space's port logic is then skipped
        env["PORT"] = str(SPACE_PORT + 1000 + os.getpid() % 1000)
    (work / "logs").mkdir()
    os.chmod(work / "logs", 0o1777)
    started = time.monotonic()
    server = start_serve_sh(env, cwd=app, inherit_env=False,
                            prefix=["setpriv", f"--reuid={SPACE_UID}", f"--regid={SPACE_UID}",
                                    "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"])
    ready_s = time.monotonic() - started
    process = server.process
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        base, port = server.base, server.port
        with urllib.request.urlopen(f"{base}/", timeout=30) as r:
            cookies = r.headers.get_all("Set-Cookie") or []
        pids = list(server.app_pids().values())
        owners = {p: Path(f"/proc/{p}").stat().st_uid for p in pids}
        rss_ready = {p: tree_rss_bytes(p) for p in pids}
        cpu_before = cpu_seconds(process.pid)
        sampler, per_process = RssSampler(process.pid), PerProcessPeak(pids)
        sampler.start()
        per_process.start()
        t0 = time.monotonic()
        pages = [p.url_path for p in available_pages() if p.namespace != "playground"]
        stats = asyncio.run(run_class(base, args.users, args.moves, tuple(args.think), pages,
                                      "ko", False, 0, 900, True, 20.0, args.players))
        wall = time.monotonic() - t0
        cpu_class = cpu_seconds(process.pid) - cpu_before
        peak_tree, peaks = sampler.stop(), per_process.stop()
        moves = [m for m, _ in stats.moves]
        out = {
            "workers": len(pids), "port": port, "port_7860_checked": port_free,
            "uids": sorted(set(owners.values())), "ready_s": round(ready_s, 1),
            "cookies_samesite_none_secure": [c.split("=", 1)[0] for c in cookies
                                             if "samesite=none" in c.lower() and "secure" in c.lower()],
            "rss_after_warmup_mb": [round(v / 2**20) for v in rss_ready.values()],
            "rss_peak_per_process_mb": [round(v / 2**20) for v in peaks.values()],
            "rss_peak_tree_mb": round(peak_tree / 2**20),
            "students": args.users, "players": args.players,
            "first_p50": round(pct(stats.first, 0.5), 2), "first_p95": round(pct(stats.first, 0.95), 2),
            "moves": len(moves), "move_p50": round(pct(moves, 0.5), 2),
            "move_p95": round(pct(moves, 0.95), 2), "ticks": len(stats.ticks),
            "failed": len(stats.failed), "exceptions": len(stats.exceptions),
            "class_wall_s": round(wall, 1), "class_cpu_s": round(cpu_class, 1),
            "cores_busy": round(cpu_class / wall, 2), "failures": stats.failed[:5],
        }
        print(json.dumps(out))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
