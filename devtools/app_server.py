"""Start the real app, and the Chromium it is opened in: one module that e2e tests, deploy
tests, benchmarks and scripts/screenshots.py all import.

- ``streamlit_server()`` / ``streamlit_app()``: ``streamlit run <script>`` on a free port;
- ``serve_sh()`` / ``start_serve_sh()``: scripts/serve.sh (app processes behind HAProxy), until
  its "behind HAProxy" line; its log keeps being read into ``ServeSh.lines``."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# As the workplace probe found: without these, Chromium keeps dialing out on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
READY = "[data-testid=stApp][data-test-script-state=notRunning]"
# Every chart of the app (ui.chart_element); plotly.js adds .js-plotly-plot and .main-svg inside.
CHART_SELECTOR = ".dle-chart"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_app(script: str = "app.py", timeout: float = 120.0) -> Iterator[tuple[str, int]]:
    """``streamlit run <script>`` (relative to the repository) on a free loopback port:
    yield (base URL, pid); stop it afterwards. Its log goes to a file, not a pipe nobody
    reads (a full pipe would stall a server that logs through a long benchmark)."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / script),
             "--server.port", str(port), "--server.headless", "true",
             "--server.address", "127.0.0.1"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"streamlit run {script} did not start:\n"
                                       + log.read().decode(errors="replace"))
                time.sleep(0.3)
            yield base, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def streamlit_server(timeout: float = 120.0) -> Iterator[str]:
    """Yield the base URL of a fresh ``streamlit run app.py``; stop it afterwards."""
    with streamlit_app("app.py", timeout) as (base, _pid):
        yield base


# --- scripts/serve.sh -----------------------------------------------------------------------

SERVE_READY = "behind HAProxy"


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (a zombie is gone for our purpose)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@dataclass
class ServeSh:
    """A running scripts/serve.sh: its process, its balancer's URL and its log so far."""

    process: subprocess.Popen
    base: str
    lines: list[str] = field(default_factory=list)  # grows while serve.sh runs
    started_pids: list[int] = field(default_factory=list)  # apps then HAProxy, at ready
    app_ports: list[int] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    def app_pids(self) -> dict[int, int]:
        """App process number -> its newest pid (serve.sh logs every start and restart)."""
        pids: dict[int, int] = {}
        for line in list(self.lines):
            if m := re.search(r"app process (\d+) \(pid (\d+)\) on", line):
                pids[int(m[1])] = int(m[2])
        return pids

    def stop(self, timeout: float = 60.0) -> int | None:
        """SIGTERM, as a supervisor would (SIGKILL would leave its children running); if it
        does not exit in time, kill it and whatever it started. Returns its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                for pid in [*self.app_pids().values(), *self.started_pids]:
                    if alive(pid):
                        os.kill(pid, signal.SIGKILL)
        return self.process.returncode


def start_serve_sh(env: dict[str, str] | None = None, timeout: float = 600.0,
                   cwd: Path = ROOT, prefix: Sequence[str] = (),
                   inherit_env: bool = True) -> ServeSh:
    """Run ``bash scripts/serve.sh`` (from ``cwd``; ``prefix``: e.g. setpriv to change user)
    with ``env`` over this process's environment (``inherit_env=False``: ``env`` alone);
    ``BIND`` defaults to 127.0.0.1 and ``PORT`` to a free port, except on a Space
    (``SPACE_ID``), whose port serve.sh picks itself. Returns once serve.sh says it is behind
    HAProxy; raises RuntimeError with its log if it exits or takes over ``timeout`` seconds."""
    env = {"BIND": "127.0.0.1", **(env or {})}
    if "SPACE_ID" not in env:
        env.setdefault("PORT", str(free_port()))
    process = subprocess.Popen([*prefix, "bash", "scripts/serve.sh"], cwd=cwd,
                               env={**os.environ, **env} if inherit_env else env,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while not any(SERVE_READY in line for line in lines):
        line = process.stdout.readline()
        if (not line and process.poll() is not None) or time.monotonic() > deadline:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
            raise RuntimeError("serve.sh did not start:\n" + "".join(lines))
        lines.append(line)
    # Keep reading its log: tests look for restarts in it, and a full pipe would stall it.
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    log = "".join(lines)
    scheme, port = re.search(rf"{SERVE_READY} \(pid \d+\) on (https?)://[^:]+:(\d+)", log).groups()
    return ServeSh(process, f"{scheme}://127.0.0.1:{port}", lines,
                   started_pids=[int(p) for p in re.findall(r"\(pid (\d+)\)", log)],
                   app_ports=[int(p) for p in re.findall(r"on 127\.0\.0\.1:(\d+),", log)])


@contextmanager
def serve_sh(env: dict[str, str] | None = None, **kwargs) -> Iterator[ServeSh]:
    """``start_serve_sh`` that is stopped (SIGTERM) afterwards, if nothing stopped it yet."""
    server = start_serve_sh(env, **kwargs)
    try:
        yield server
    finally:
        server.stop()
