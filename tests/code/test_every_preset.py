"""Every code panel of every page, for the defaults and for every preset, runs in a fresh
Python process (nothing of the app imported; tests/snippets.py forks it from a warm
interpreter that imported torch once) and exits 0.

The panels promise that what a student copies reproduces the screen; the per-module tests
(tests/core/test_<ns>.py) compare each panel's printed numbers with core for chosen
configs, this one proves every configuration a class actually clicks runs on its own.
Pages are opened through app.py with AppTest (as tests/pages does); the text of each
``st.code`` block inside a "PyTorch code for this view" expander is collected, identical
blocks are run once, two at a time, each with a timeout.

Slow (it trains every preset's models again): marked like the page tests, so the fast
loop ``pytest -m "not e2e and not pages and not deploy"`` leaves it out.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.pages.test_pages import assert_ok, open_code_panels, open_page
from tests.snippets import run_snippet_fresh
from ui.i18n import catalog
from ui.registry import available_pages

pytestmark = pytest.mark.pages

PAGES = available_pages()
WORKERS = 2  # the machine's cores are shared; more processes only contend
BLOCK_TIMEOUT = float(os.environ.get("CODE_PANEL_TIMEOUT", 600))  # seconds per block
CODE_TITLE = catalog("common")["code_title"]["en"]


def panel_blocks(at) -> list[str]:
    """The code panels' text on the current render (not the home page's one-line
    fragments, which are outside the code expander)."""
    blocks = []
    for expander in at.expander:
        if expander.label == CODE_TITLE:
            blocks += [code.value for code in expander.code]
    return blocks


def collect(page) -> dict[str, str]:
    """Each distinct panel text → where it was first seen (defaults or a preset key)."""
    at = open_page(page, code_panels=True)
    assert_ok(at, "defaults")
    seen: dict[str, str] = {}
    for text in panel_blocks(at):
        seen.setdefault(text, "defaults")
    presets = [b.key for b in at.button if (b.key or "").startswith("preset_")]
    for key in presets:
        at.button(key=key).click().run()
        if open_code_panels(at):  # a panel this preset brought in
            at.run()
        assert_ok(at, key)
        for text in panel_blocks(at):
            seen.setdefault(text, key)
    return seen


def _run(text: str) -> tuple[str | None, float]:
    start = time.perf_counter()
    try:
        run_snippet_fresh(text, timeout=BLOCK_TIMEOUT, threads=1)
    except Exception as error:  # noqa: BLE001 - reported with the block's origin
        return f"{type(error).__name__}: {str(error)[-1500:]}", time.perf_counter() - start
    return None, time.perf_counter() - start


@pytest.mark.parametrize("page", PAGES, ids=[p.namespace for p in PAGES])
def test_every_panel_of_every_preset_runs_in_a_fresh_interpreter(page):
    blocks = collect(page)
    assert blocks, "the page shows at least one code panel"
    with ThreadPoolExecutor(WORKERS) as pool:
        results = dict(zip(blocks, pool.map(_run, blocks)))
    failures = [f"{origin}: {results[text][0]}" for text, origin in blocks.items()
                if results[text][0] is not None]
    timings = sorted(((seconds, origin) for (_, seconds), origin
                      in zip(results.values(), blocks.values())), reverse=True)
    print(f"{page.namespace}: {len(blocks)} distinct blocks, slowest "
          + ", ".join(f"{origin} {seconds:.1f}s" for seconds, origin in timings[:3]))
    assert not failures, "\n\n".join(failures)
