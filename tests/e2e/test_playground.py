"""/playground in real headless Chromium, both languages: Step takes exactly one optimizer
step, Play advances the epoch counter and redraws the boundary on its own (the fragment's
timer, no clicks), Pause stops it; while playing, the output picture is never missing."""

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
    label = TEXT["epoch"][lang]
    metric = page.locator("[data-testid=stMetric]", has_text=label).first
    return int(metric.locator("[data-testid=stMetricValue]").inner_text().replace(",", ""))


def steps(page, lang: str) -> int:
    prefix = TEXT["status"][lang].split("{")[0].strip()
    text = page.get_by_text(prefix).first.inner_text()
    return int(STEPS.search(text[len(prefix):]).group(1))


def output_picture(page, lang: str) -> str:
    """The live output image's URL: the media file is named by a hash of its bytes, so a
    new URL is a new picture (and the old one stays on screen until it loads)."""
    image = page.locator(f"img[alt='{TEXT['chart.output_title'][lang]}']").first
    image.wait_for(timeout=60_000)
    return image.get_attribute("src")


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
        page.wait_for_selector(".pg-net svg", timeout=60_000)  # paused: inline SVG
        assert page.locator("h1").first.inner_text().strip() == TEXT["title"][lang]
        if lang == "en":
            assert button(page, "play", lang).count() == 1  # labelled exactly "Play"
        assert epoch(page, lang) == 0 and steps(page, lang) == 0
        # paused: the network is inline SVG, every link and node with a hover tooltip
        links = page.locator(".pg-net svg line").count()
        assert links > 0 and page.locator(".pg-net svg line title").count() == links
        before = output_picture(page, lang)
        assert before

        for expected in (1, 2):  # Step: exactly one optimizer step per click
            button(page, "step", lang).click()
            page.wait_for_function(
                "([prefix, n]) => document.body.innerText.includes(prefix + ' ' + n)",
                arg=[TEXT["status"][lang].split("{")[0].strip(), expected], timeout=30_000)
            wait_idle(page)
            assert steps(page, lang) == expected

        button(page, "play", lang).click()  # Play: the timer trains and redraws by itself
        page.wait_for_function(
            """([label]) => [...document.querySelectorAll('[data-testid=stMetric]')]
                .some(m => m.innerText.includes(label) &&
                      parseInt(m.querySelector('[data-testid=stMetricValue]').innerText
                               .replace(/,/g, '')) >= 3)""",
            arg=[TEXT["epoch"][lang]], timeout=60_000)
        assert epoch(page, lang) >= 3
        # while it plays, the output is on screen in every shot (a plotly chart here was
        # remounted every tick and showed blank in about half of them)
        image = page.locator(f"img[alt='{TEXT['chart.output_title'][lang]}']").first
        for _ in range(6):
            box = image.bounding_box()
            shot = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB")
            painted = (np.abs(np.asarray(shot, dtype=int) - 255).sum(2) > 30).mean()
            assert painted > 0.9, f"the output looks blank ({painted:.0%} painted)"
            page.wait_for_timeout(250)
        # playing: the network and the curves are one picture each (cheap to swap)
        assert page.locator(".pg-net img").count() == 1
        assert page.locator(".pg-curves img").count() == 1
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
