"""scripts/serve.sh for real: two app processes behind HAProxy, two browsers, a short class,
and nothing left running after SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
import urllib.request

import pytest

from benchmarks.bench_load import pct, run_class
from devtools.app_server import CHROMIUM, CHROMIUM_ARGS, READY, alive, start_serve_sh


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    """(base URL, serve.sh process, pids it started, their loopback ports)."""
    server = start_serve_sh({"WORKERS": "2", "LOG_DIR": str(tmp_path_factory.mktemp("serve"))})
    assert len(server.started_pids) == 3 and len(server.app_ports) == 2, server.lines  # 2 apps + haproxy
    yield server.base, server.process, server.started_pids, server.app_ports
    server.stop()  # a test failed before the SIGTERM test: stop it the same way


def test_healthy_through_the_balancer(serve):
    base, *_ = serve
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as r:
        assert r.status == 200 and r.read() == b"ok"


def test_two_browsers_land_on_different_processes_and_both_work(serve):
    from playwright.sync_api import sync_playwright

    base, *_ = serve
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        backends = []
        pages = []
        for lang in ("en", "ko"):
            context = browser.new_context(viewport={"width": 1024, "height": 768})
            page = context.new_page()
            page.goto(f"{base}/losses?lang={lang}")
            page.wait_for_selector(READY, timeout=180_000)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
            cookie = {c["name"]: c["value"] for c in context.cookies()}
            backends.append(cookie.get("DLE_BACKEND"))
            pages.append(page)
        assert backends[0] and backends[1] and backends[0] != backends[1], backends
        for page in pages:  # both sessions answer a slider on their own process
            assert page.locator("[data-testid=stException]").count() == 0
            slider = page.locator("[data-testid=stSlider] input[type=range]").first
            slider.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(300)
            page.wait_for_selector(READY, timeout=120_000)
            assert page.locator("[data-testid=stException]").count() == 0
            assert "ls_" in page.url  # the moved slider reached the server and the URL
        browser.close()


def test_a_short_class_has_no_failures_and_no_exceptions(serve):
    base, *_ = serve
    stats = asyncio.run(run_class(base, users=5, moves=2, think=(0.2, 0.6),
                                  pages=["", "losses", "activations", "metrics", "dropout"],
                                  lang="ko", play=False, seed=1, limit=600))
    assert stats.failed == [] and stats.exceptions == []
    assert len(stats.first) == 5 and len(stats.moves) == 10
    assert pct([m for m, _ in stats.moves], 0.5) > 0


def test_sigterm_leaves_no_process_behind(serve):
    base, process, pids, ports = serve
    assert all(alive(pid) for pid in pids)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 143
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in pids)
    assert not any(_port_open(p) for p in ports)
    assert not _port_open(int(base.rsplit(":", 1)[1]))
