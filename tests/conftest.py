import os
import sys
from pathlib import Path

import pytest

# ui.compute's prefetch worker would compute guesses between tests in this process, on a gate a
# test has replaced; tests/ui/test_prefetch.py drives prefetch by hand (servers started by
# tests inherit this too: their timings stay those of the presses alone).
os.environ.setdefault("DLE_PREFETCH", "0")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# A test's layer is its folder, so no file has to remember its marker:
#   core, claims: torch maths against references (fast)   charts: figure builders
#   ui: Streamlit helpers without a server                 pages, code: AppTest over the router
#   e2e, deploy: real Chromium / real processes (slow)
# The fast loop while developing: pytest -m "not e2e and not pages and not deploy"
LAYERS = {"core": "core", "claims": "core", "charts": "charts", "ui": "ui", "pages": "pages",
          "code": "pages",  # every panel of every preset: AppTest + fresh interpreters (slow)
          "e2e": "e2e", "deploy": "deploy"}


# With pytest-xdist (`-n 2 --dist loadgroup`, scripts/test.sh) tests are handed to workers one
# by one, so tests that share what a module-scoped fixture made must be kept on one worker, or
# each worker makes it again: serve.sh (started once for the module, its last test stops it).
ONE_WORKER_PER_MODULE = {"deploy/test_serve.py"}

# The run ends when the slower worker ends, so long work is handed out first and the last
# minutes are short tests that both workers share. First the deploy modules: single tests or
# one-worker groups of minutes each, mostly waiting on the processes they start (pip, serve.sh),
# so the other worker keeps the CPU meanwhile. Then the other modules by the seconds they take
# on one worker (measured on two workers beside other work, 2026-12-05c, with test_screens
# running the presenter and slider checks of test_classroom and test_browser: only their order
# matters); a module not listed counts by its layer, per test (LAYER_SECONDS).
FIRST = ("deploy/test_dockerfile_steps.py", "deploy/test_serve.py", "deploy/test_embed.py",
         "deploy/test_cloud_entry.py")
MODULE_SECONDS = {
    "e2e/test_screens.py": 1100, "code/test_every_preset.py": 300, "pages/test_pages.py": 230,
    "e2e/test_classroom.py": 125, "e2e/test_playground.py": 80, "e2e/test_chart_element.py": 60,
    "pages/test_classroom.py": 45, "e2e/test_browser.py": 30,
}
LAYER_SECONDS = {"e2e": 8.0, "deploy": 10.0, "pages": 3.0}  # per test; other layers: 0.2


def module_of(nodeid: str) -> str:
    return nodeid.partition("::")[0].removeprefix("tests/")


def work_unit(nodeid: str) -> str:
    """What goes to one worker as a whole: the module, or the test."""
    path = nodeid.partition("::")[0]
    return path if module_of(nodeid) in ONE_WORKER_PER_MODULE else nodeid


def longest_modules_first(nodeids: list[str]) -> list[str]:
    """``nodeids`` in the order to hand them out: FIRST's modules, then the others by their
    expected seconds, longest first; collection order within a module and between equals."""
    counts: dict[str, int] = {}
    for nodeid in nodeids:
        counts[module_of(nodeid)] = counts.get(module_of(nodeid), 0) + 1

    def seconds(module: str) -> float:
        if module in MODULE_SECONDS:
            return MODULE_SECONDS[module]
        layer = LAYERS.get(module.split("/", 1)[0], "core") if "/" in module else "core"
        return LAYER_SECONDS.get(layer, 0.2) * counts[module]

    def rank(nodeid: str) -> tuple[int, float]:
        module = module_of(nodeid)
        return (FIRST.index(module) if module in FIRST else len(FIRST), -seconds(module))

    return sorted(nodeids, key=rank)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadgroup` with work_unit as the groups, handed out longest module first.
    (xdist 3.8's own loadgroup marks groups by editing item._nodeid, which pytest 9 no longer
    reads: its xdist_group marks group nothing here, so the groups are made in the scheduler.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from collections import OrderedDict

    from xdist.scheduler import LoadScopeScheduling

    class WorkUnitScheduling(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the first hand-out: the queue is complete, nothing taken yet
                self.ordered = True
                first_test = {scope: next(iter(tests)) for scope, tests in self.workqueue.items()}
                position = {nodeid: i for i, nodeid in enumerate(self.collection)}
                order = longest_modules_first(sorted(first_test.values(), key=position.get))
                scope_of = {nodeid: scope for scope, nodeid in first_test.items()}
                self.workqueue = OrderedDict(
                    (scope_of[nodeid], self.workqueue[scope_of[nodeid]]) for nodeid in order)
            super()._assign_work_unit(node)

    return WorkUnitScheduling(config, log)


# `alone` tests have timing bounds that a second worker's load beside them would break
# (tests/deploy/test_worker_restart.py: a restart within 30 s, the next move within 10 s):
# scripts/test.sh runs the suite with DLE_ALONE=skip under `-n 2`, then DLE_ALONE=only serially.
ALONE = os.environ.get("DLE_ALONE", "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        layer = LAYERS.get(parts[0]) if len(parts) > 1 else "core"  # tests/test_locales.py
        if layer:
            item.add_marker(getattr(pytest.mark, layer))
    if ALONE in ("skip", "only"):
        wanted = ALONE == "only"
        keep, drop = [], []
        for item in items:
            (keep if (item.get_closest_marker("alone") is not None) == wanted else drop).append(item)
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_sessionfinish(session, exitstatus) -> None:
    snippets = sys.modules.get("tests.snippets")
    if snippets is not None:  # the warm interpreters of run_snippet_fresh, if any started
        snippets.close_warm_interpreters()
