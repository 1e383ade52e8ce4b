"""Warm rerun server time per page, as the pages are and with built figures shared.

    .venv/bin/python benchmarks/bench_warm.py [namespace ...]

For every page this runs the page through AppTest twice over: once as it is, once with the
mechanical edit that routes each chart through ``ui.compute.figure`` (built once per
distinct arguments, kept as JSON-ready data, shared by every session):

    chart(loss_figure(result, texts), "key")  ->  chart(shared_figure(loss_figure, result, texts), "key")

The edit is applied here, on the fly, to a copy of the page's source (EDIT below), so the
same regular expression is what a page edit has to do. Reported: the page script's warm
time (median of 5 reruns of the same view, page script only) before and after, and whether
every chart's spec sent to the browser is identical (it must be: same figures, fewer cycles).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.navigation.page import StreamlitPage  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ui.registry import available_pages  # noqa: E402

EDIT = (re.compile(r"\bchart\(\s*((?:\w+\.)?\w+_figure)\("), r"chart(shared_figure(\1, ")
IMPORT = "from ui.compute import figure as shared_figure\n"
SKIP = {"playground"}  # live figures change every tick: nothing to share

_original_code = PagesManager.get_page_script_byte_code
_original_run = StreamlitPage.run
EDITED: set[str] = set()  # page files to run edited
TIMES: list[float] = []


def edited_source(path: str) -> str:
    source = Path(path).read_text()
    source, n = EDIT[0].subn(EDIT[1], source)
    # after the module docstring and __future__ imports: before the first other import
    lines = source.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines)
              if line.startswith(("import ", "from ")) and "__future__" not in line)
    lines.insert(at, IMPORT)
    return "".join(lines)


def _code(self, script_path: str):
    if script_path in EDITED:
        return compile(edited_source(script_path), script_path, "exec")
    return _original_code(self, script_path)


def _timed_run(self) -> None:
    start = time.perf_counter()
    try:
        _original_run(self)
    finally:
        TIMES.append(time.perf_counter() - start)


PagesManager.get_page_script_byte_code = _code
StreamlitPage.run = _timed_run


def warm(info, edited: bool) -> tuple[float, list[dict]]:
    EDITED.clear()
    if edited:
        EDITED.add(str(info.file))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["lang"] = "en"
    if info.url_path:
        at.run()
        at.switch_page(info.script)
    at.run()
    at.run()  # figures built once
    TIMES.clear()
    for _ in range(5):
        at.run()
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return statistics.median(TIMES), specs


def main(only: list[str]) -> None:
    print("| page | charts | warm rerun, as is (ms) | with shared figures (ms) | same specs |")
    print("|---|---:|---:|---:|---|")
    for info in available_pages():
        if info.namespace in SKIP or (only and info.namespace not in only):
            continue
        before, specs_before = warm(info, edited=False)
        after, specs_after = warm(info, edited=True)
        same = "yes" if specs_before == specs_after else "**NO**"
        print(f"| /{info.url_path} | {len(specs_after)} | {before * 1000:.0f} | {after * 1000:.0f} "
              f"| {same} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
