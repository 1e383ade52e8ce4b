"""The class server must not stop the world after every script run (issue 8).

Streamlit calls gc.collect(2) after every run unless runner.postScriptGC is false; with
torch, plotly and pandas loaded that full collection took 0.5-0.9 s holding the GIL — two
thirds of a 30-student server's CPU (py-spy), and most of each /playground tick.
"""

from __future__ import annotations

import gc
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_does_not_collect_after_every_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_the_imported_libraries_are_frozen_out_of_full_collections():
    import ui.compute  # noqa: F401  (freezes what is imported at start)

    # torch, plotly, pandas, streamlit: a full collection no longer walks them (the time
    # it saves is measured in benchmarks/bench_load.py, not here)
    assert gc.get_freeze_count() > 100_000
