"""Run a code panel's code as a student would: in a fresh namespace, or a fresh interpreter.

One runner for every test that executes shown code (the panels promise that what a student
copies reproduces the screen, so tests exec exactly that text).

A fresh interpreter costs about 3 s of CPU just to import torch, numpy and scikit-learn,
more than many panels take to run. So ``run_snippet_fresh`` asks a warm interpreter: a
Python process that imported those libraries once (and nothing of the app), never ran
torch, and forks one child per snippet. The child starts from that just-imported state, as
``python -c`` would, runs the code as ``__main__`` and exits; nothing it does reaches the
next snippet. ``SNIPPETS_COLD=1`` runs each snippet in its own new interpreter instead.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import subprocess
import sys
import threading


def run_snippet(code: str, given: dict | None = None) -> tuple[dict, str]:
    """Execute ``code`` in an empty namespace (or one holding only ``given``: for a fragment
    such as a generated training loop run on a model the test built); return that namespace
    and what it printed."""
    namespace: dict = {"__name__": "__main__", **(given or {})}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<code panel>", "exec"), namespace)
    return namespace, out.getvalue()


# The warm interpreter's program. It reads one JSON request per line ({"code", "timeout"}),
# forks, and answers one JSON line ({"rc", "stdout", "stderr"}). It runs no torch op before
# forking, so no thread pool exists yet that a child could inherit half-initialised; each
# child builds its own (OMP_NUM_THREADS, set before torch is imported, caps it).
_WARM = r'''
import builtins, json, os, signal, sys, tempfile, time, traceback, types
import numpy, torch, torch.nn, torch.utils.data, sklearn.datasets  # the panels' imports
answers = os.fdopen(os.dup(1), "w")
for line in sys.stdin:
    request = json.loads(line)
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:  # the child: the snippet as `python -c code` would run it
        os.setpgid(0, 0)  # its own group, so a timeout also ends DataLoader workers
        torch.seed()  # a new interpreter draws its global generators' seeds at random;
        numpy.random.seed()  # forked children would otherwise all share the warm one's
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.argv = ["-c"]
        main = types.ModuleType("__main__")  # a new, empty __main__ (this loop's is not)
        main.__builtins__ = builtins
        sys.modules["__main__"] = main
        status = 0
        try:
            exec(compile(request["code"], "<string>", "exec"), main.__dict__)
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else (stop.code is not None)
        except BaseException:
            traceback.print_exc()
            status = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    deadline = time.monotonic() + request["timeout"]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            rc = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            rc = "timeout"
            break
        time.sleep(0.02)
    out.seek(0)
    err.seek(0)
    answers.write(json.dumps({"rc": rc, "stdout": out.read().decode(errors="replace"),
                              "stderr": err.read().decode(errors="replace")}) + "\n")
    answers.flush()
'''


class _WarmInterpreter:
    """One warm process; one request at a time (the pool hands it to one thread)."""

    def __init__(self, threads: int | None):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if threads is not None:
            env["OMP_NUM_THREADS"] = str(threads)
        self.process = subprocess.Popen([sys.executable, "-c", _WARM], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=env)

    def run(self, code: str, timeout: float) -> dict:
        self.process.stdin.write(json.dumps({"code": code, "timeout": timeout}) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError("the warm interpreter died")
        return json.loads(answer)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()  # end of input: its loop ends and it exits
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # torch's interpreter shutdown on a loaded machine
            self.process.kill()
            self.process.wait()


_idle: dict[int | None, queue.SimpleQueue] = {}
_idle_lock = threading.Lock()


def _take(threads: int | None) -> _WarmInterpreter:
    with _idle_lock:
        idle = _idle.setdefault(threads, queue.SimpleQueue())
    try:
        return idle.get_nowait()
    except queue.Empty:
        return _WarmInterpreter(threads)  # one per snippet running at the same time


def close_warm_interpreters() -> None:
    """End the warm processes (tests/conftest.py calls this when the session ends)."""
    with _idle_lock:
        pools = list(_idle.values())
        _idle.clear()
    for idle in pools:
        while not idle.empty():
            idle.get_nowait().close()


def run_snippet_fresh(code: str, timeout: float = 300, threads: int | None = None) -> str:
    """Execute ``code`` in a new Python process (nothing of the app imported); return stdout.

    Slower than run_snippet (a process per snippet), but proves the code is self-contained.
    ``threads``: cap torch's intra-op threads (OMP_NUM_THREADS), for several at once.
    """
    if os.environ.get("SNIPPETS_COLD"):
        return _run_cold(code, timeout, threads)
    interpreter = _take(threads)
    try:
        done = interpreter.run(code, timeout)
    except BaseException:
        interpreter.process.kill()
        raise
    _idle[threads].put(interpreter)
    if done["rc"] == "timeout":
        raise subprocess.TimeoutExpired(["<code panel>"], timeout, done["stdout"], done["stderr"])
    if done["rc"] != 0:
        raise AssertionError(f"code panel failed in a fresh interpreter:\n{done['stderr'][-2000:]}")
    return done["stdout"]


def _run_cold(code: str, timeout: float, threads: int | None) -> str:
    env = None if threads is None else {**os.environ, "OMP_NUM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env=env)
    if done.returncode != 0:
        raise AssertionError(f"code panel failed in a fresh interpreter:\n{done.stderr[-2000:]}")
    return done.stdout
