"""The shown-code runner: a warm interpreter forking per snippet must behave like a new
``python -c`` (tests/snippets.py)."""

from __future__ import annotations

import subprocess

import pytest

from tests.snippets import _run_cold, run_snippet_fresh

SEEDED = """import numpy as np
import torch
g = torch.Generator().manual_seed(3)
print(torch.randn(3, generator=g).tolist(), torch.get_num_threads())
print(np.random.default_rng(1).random(2).tolist(), __name__)
"""
UNSEEDED = "import numpy, torch\nprint(torch.randn(2).tolist(), numpy.random.rand(2).tolist())"


def test_a_snippet_prints_what_a_new_interpreter_prints():
    assert run_snippet_fresh(SEEDED, threads=1) == _run_cold(SEEDED, 120, threads=1)


def test_unseeded_draws_differ_between_snippets_as_between_interpreters():
    first, second = (run_snippet_fresh(UNSEEDED, threads=1) for _ in range(2))
    assert first != second


def test_nothing_of_one_snippet_reaches_the_next():
    run_snippet_fresh("import torch\nleft = 1\ntorch.manual_seed(99)\nimport json", threads=1)
    assert run_snippet_fresh("print(sorted(k for k in globals() if not k.startswith('__')))",
                             threads=1) == "[]\n"
    with pytest.raises(AssertionError, match="NameError: name 'torch'"):
        run_snippet_fresh("print(torch.zeros(1))", threads=1)  # imported by the runner only


def test_failures_exits_and_timeouts_are_reported():
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        run_snippet_fresh("print('before')\n1 / 0", threads=1)
    with pytest.raises(AssertionError):
        run_snippet_fresh("import sys\nsys.exit(2)", threads=1)
    assert run_snippet_fresh("import sys\nprint('ok')\nsys.exit(0)", threads=1) == "ok\n"
    with pytest.raises(subprocess.TimeoutExpired):
        run_snippet_fresh("import time\ntime.sleep(30)", timeout=1, threads=1)
    assert run_snippet_fresh("print(1 + 1)", threads=1) == "2\n"  # still serving after that
