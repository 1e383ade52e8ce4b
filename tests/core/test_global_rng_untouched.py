"""Every core experiment leaves torch's global RNG exactly as it found it.

Sessions are threads of one process: a run that drew from the global generator (directly,
or by building an nn.Module with its default init) would shift another session's dropout
masks mid-run. Runs that need global draws do them inside core.seeding.global_rng, which
restores the state. This test calls every ``run_*`` whose config has defaults.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pytest
import torch

import core

SKIP = {"run_trajectory_naive"}  # a benchmark reference with positional arguments


def defined_in(fn, module) -> bool:
    """``fn`` is the module's own, or (a concept split into a package such as core/optimizers/)
    one of its submodules' that the package re-exports."""
    return fn.__module__ == module.__name__ or fn.__module__.startswith(module.__name__ + ".")


def default_runs():
    for info in pkgutil.iter_modules(core.__path__):
        if info.name in ("charts",):
            continue
        module = importlib.import_module(f"core.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("run_") or name in SKIP or not defined_in(fn, module):
                continue
            params = list(inspect.signature(fn).parameters.values())
            hints = inspect.get_annotations(fn, eval_str=True)
            config_type = hints.get(params[0].name) if params else None
            if dataclasses.is_dataclass(config_type):
                yield pytest.param(fn, config_type, id=f"{info.name}.{name}")


RUNS = list(default_runs())


def test_every_module_with_a_run_is_covered():
    """Discovered, not listed: a new page's runs cannot be forgotten here."""
    with_runs = set()
    for info in pkgutil.iter_modules(core.__path__):
        if info.name == "charts":
            continue
        module = importlib.import_module(f"core.{info.name}")
        if any(name.startswith("run_") and name not in SKIP and defined_in(fn, module)
               for name, fn in inspect.getmembers(module, inspect.isfunction)):
            with_runs.add(info.name)
    covered = {p.id.split(".")[0] for p in RUNS}
    assert with_runs == covered, f"runs without a default config: {with_runs - covered}"
    assert {"normalization", "augmentation", "data_split", "dataloader", "optimizers"} <= covered


@pytest.mark.parametrize("run, config_type", RUNS)
def test_run_does_not_touch_the_global_rng(run, config_type):
    torch.manual_seed(1234)
    expected = torch.rand(3)
    torch.manual_seed(1234)
    run(config_type())
    assert torch.equal(torch.rand(3), expected), f"{run.__name__} drew from the global RNG"
