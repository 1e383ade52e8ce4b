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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        layer = LAYERS.get(parts[0]) if len(parts) > 1 else "core"  # tests/test_locales.py
        if layer:
            item.add_marker(getattr(pytest.mark, layer))


def pytest_sessionfinish(session, exitstatus) -> None:
    snippets = sys.modules.get("tests.snippets")
    if snippets is not None:  # the warm interpreters of run_snippet_fresh, if any started
        snippets.close_warm_interpreters()
