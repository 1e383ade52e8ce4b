"""Run a code panel's code as a student would: in a fresh namespace, or a fresh interpreter.

One runner for every test that executes shown code (the panels promise that what a student
copies reproduces the screen, so tests exec exactly that text).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys


def run_snippet(code: str, given: dict | None = None) -> tuple[dict, str]:
    """Execute ``code`` in an empty namespace (or one holding only ``given``: for a fragment
    such as a generated training loop run on a model the test built); return that namespace
    and what it printed."""
    namespace: dict = {"__name__": "__main__", **(given or {})}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<code panel>", "exec"), namespace)
    return namespace, out.getvalue()


def run_snippet_fresh(code: str, timeout: float = 300, threads: int | None = None) -> str:
    """Execute ``code`` in a new Python process (nothing of the app imported); return stdout.

    Slower than run_snippet (torch is imported again), but proves the code is self-contained.
    ``threads``: cap torch's intra-op threads (OMP_NUM_THREADS), for several at once.
    """
    env = None if threads is None else {**os.environ, "OMP_NUM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env=env)
    if done.returncode != 0:
        raise AssertionError(f"code panel failed in a fresh interpreter:\n{done.stderr[-2000:]}")
    return done.stdout
