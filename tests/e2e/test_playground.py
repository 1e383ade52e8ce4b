"""/playground in real headless Chromium, both languages: Step takes exactly one optimizer
step, Play advances the epoch counter and redraws the boundary on its own (the drawing asks
for each next tick once it has painted the last, no clicks), Pause stops it; while playing,
the output picture is never missing."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from devtools.app_server import CHROMIUM, READY
from ui.i18n import catalog

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

TEXT = catalog("playground")
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", Path(__file__).resolve().parents[2] / "artifacts"))
STEPS = re.compile(r"(\d+)")


def wait_idle(page) -> None:
    page.wait_for_selector(READY, timeout=120_000)


def epoch(page, lang: str) -> int:
    """The epoch the drawing element shows beside the output."""
    return int(page.locator(".pgd [data-m=epoch]").inner_text().replace(",", ""))


def steps(page, lang: str) -> int:
    prefix = TEXT["status"][lang].split("{")[0].strip()
    text = page.get_by_text(prefix).first.inner_text()
    return int(STEPS.search(text[len(prefix):]).group(1))


def paints(page) -> int:
    """How many times the drawing element has repainted from new data."""
    return int(page.locator(".pgd").get_attribute("data-paints") or 0)


def button(page, key: str, lang: str):
    return page.get_by_role("button", name=TEXT[key][lang], exact=True)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_step_play_pause_in_the_browser(base_url, browser, lang):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{base_url}/playground?lang={lang}")
        wait_idle(page)
        page.wait_for_selector(".pgd canvas.grid", timeout=60_000)
        assert page.locator("h1").first.inner_text().strip() == TEXT["title"][lang]
        if lang == "en":
            assert button(page, "play", lang).count() == 1  # labelled exactly "Play"
        assert epoch(page, lang) == 0 and steps(page, lang) == 0
        # every link has a wide invisible twin to tap, every hidden neuron is a button
        links = page.locator(".pgd svg line[data-act=link]").count()
        assert links == 2 * 4 + 4 * 2 + 2 * 1  # 2-4-2-1 from the active inputs X1, X2
        assert page.locator(".pgd .node[data-act=node]").count() == 4 + 2 + 1
        canvas = page.locator(".pgd canvas.grid").element_handle()

        for expected in (1, 2):  # Step: exactly one optimizer step per click
            button(page, "step", lang).click()
            page.wait_for_function(
                "([prefix, n]) => document.body.innerText.includes(prefix + ' ' + n)",
                arg=[TEXT["status"][lang].split("{")[0].strip(), expected], timeout=30_000)
            wait_idle(page)
            assert steps(page, lang) == expected

        button(page, "play", lang).click()  # Play: it trains and redraws by itself
        page.wait_for_function(
            "() => parseInt(document.querySelector('.pgd [data-m=epoch]').innerText"
            ".replace(/,/g, '')) >= 3", timeout=60_000)
        assert epoch(page, lang) >= 3
        # while it plays, the element is repainted in place: the same canvas, never dimmed,
        # and the output is painted in every shot
        before = paints(page)
        image = page.locator(".pgd .plane")
        for _ in range(6):
            box = image.bounding_box()
            shot = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB")
            painted = (np.abs(np.asarray(shot, dtype=int) - 255).sum(2) > 30).mean()
            assert painted > 0.9, f"the output looks blank ({painted:.0%} painted)"
            assert page.evaluate("""() => { let e = document.querySelector('.pgd');
                while (e) { if (+getComputedStyle(e).opacity < 0.99) return false;
                e = e.parentElement; } return true; }"""), "the lab is dimmed"
            page.wait_for_timeout(250)
        assert paints(page) > before
        assert page.evaluate("(c) => c === document.querySelector('.pgd canvas.grid')", canvas)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"playground_playing_{lang}.png"))

        button(page, "pause", lang).click()  # Pause: the counter stops
        button(page, "play", lang).wait_for(timeout=30_000)
        wait_idle(page)
        stopped = epoch(page, lang), steps(page, lang)
        page.wait_for_timeout(2500)
        assert (epoch(page, lang), steps(page, lang)) == stopped
        assert page.locator("[data-testid=stException]").count() == 0
        assert not errors, errors
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_lab_by_touch_on_a_phone(base_url, browser, lang):
    """390×844 with touch: Play and the whole output on the first screen; a tapped neuron is
    shown large, a tapped link shows its weight while playing, a tapped input switches on."""
    page = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True,
                            is_mobile=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{base_url}/playground?lang={lang}")
        wait_idle(page)
        page.wait_for_selector(".pgd canvas.grid", timeout=60_000)
        play = button(page, "play", lang)
        plane = page.locator(".pgd .plane").bounding_box()
        assert play.bounding_box()["y"] + play.bounding_box()["height"] <= 844
        assert plane["y"] + plane["height"] <= 844, plane
        play.tap()
        page.wait_for_function(
            "() => parseInt(document.querySelector('.pgd [data-m=epoch]').innerText"
            ".replace(/,/g, '')) >= 1", timeout=60_000)
        node = page.locator(".pgd .node[data-act=node]").first
        node.tap()
        showing = page.locator(".pgd .showing")
        showing.wait_for(state="visible", timeout=10_000)
        assert TEXT["chart.neuron"][lang].format(layer=1, k=1) in showing.inner_text()
        node.tap()  # tapped again: the output is back
        showing.wait_for(state="hidden", timeout=10_000)
        hit = page.locator(".pgd line[data-act=link]").first.bounding_box()
        page.touchscreen.tap(hit["x"] + hit["width"] / 2, hit["y"] + hit["height"] / 2)
        tip = page.locator(".pgd .tip")
        tip.wait_for(state="visible", timeout=10_000)
        first = tip.inner_text()
        assert TEXT["chart.weight"][lang] in first and re.search(r"-?\d\.\d{3}$", first)
        page.wait_for_function(  # still shown, with the weight of the run going on
            "(t) => document.querySelector('.pgd .tip').innerText !== t", arg=first,
            timeout=30_000)
        page.locator(".pgd .node[data-name=x1_sq]").tap()
        page.wait_for_function(  # the page reruns and the network is drawn anew
            "() => { const n = document.querySelector('.pgd .node[data-name=x1_sq]');"
            " return n !== null && !n.classList.contains('off'); }", timeout=60_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"playground_phone_{lang}.png"))
        assert not errors, errors
    finally:
        page.close()


# Counts what the page sends the server (Streamlit's BackMsgs: every rerun request).
COUNT_SENDS = """(() => {
  const Orig = window.WebSocket;
  window.__sends = 0;
  window.WebSocket = function (...args) {
    const ws = new Orig(...args), send = ws.send.bind(ws);
    ws.send = (data) => { window.__sends++; return send(data); };
    return ws;
  };
  window.WebSocket.prototype = Orig.prototype;
})();"""


def test_play_is_driven_by_the_drawing_answering_each_painted_tick(base_url, browser):
    """No timer asks for ticks: the drawing element answers each painted tick once (its
    ``painted`` trigger) and that answer trains the next one. Broken, the lab would stand
    still (or crawl on the element's 2 s repeat); while it works, ticks come back to back and
    the page sends one request per redraw, never a queue of them. Paused, it sends nothing."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.add_init_script(COUNT_SENDS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{base_url}/playground?lang=en")
        wait_idle(page)
        page.wait_for_selector(".pgd canvas.grid", timeout=60_000)
        button(page, "play", "en").click()
        page.wait_for_function(  # the first ticks (a cold server may take a while)
            "() => +document.querySelector('.pgd').dataset.paints >= 4", timeout=60_000)
        paints0, sends0, epoch0 = paints(page), page.evaluate("window.__sends"), epoch(page, "en")
        page.wait_for_timeout(3000)
        painted, sent = paints(page) - paints0, page.evaluate("window.__sends") - sends0
        assert painted >= 4, f"{painted} redraws in 3 s: the painted answers do not drive ticks"
        assert epoch(page, "en") > epoch0
        assert sent <= painted + 2, f"{sent} requests for {painted} redraws: requests pile up"

        button(page, "pause", "en").click()
        button(page, "play", "en").wait_for(timeout=30_000)
        wait_idle(page)
        page.wait_for_timeout(500)  # an answer already on its way is answered by a paused run
        stopped, sends_paused = (epoch(page, "en"), steps(page, "en")), page.evaluate("window.__sends")
        page.wait_for_timeout(2500)
        assert (epoch(page, "en"), steps(page, "en")) == stopped
        assert page.evaluate("window.__sends") == sends_paused, "a paused lab sent requests"
        assert page.locator("[data-testid=stException]").count() == 0
        assert not errors, errors
    finally:
        page.close()
