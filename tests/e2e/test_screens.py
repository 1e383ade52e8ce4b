"""The screens a class meets the app on (issue 19), in real Chromium, every page, both languages:

- projector, 1024x768 with ``?present=1``: the first screen holds >= 60 % of the first chart;
  prose >= 20 px, chart text >= 18 px, table text >= 18 px;
- phone, 390x844 (touch): no sideways page scroll, no table wider than the screen unless it
  scrolls inside its own box;
- laptop, 1400x900: a chart starts on the first screen;
- presenter view: every "what to notice" box is at most two lines;
- presenter and phone: no two tick labels of a chart overlap (tick counts follow the width);
- axe-core (``npm ci --prefix devtools``): 0 critical/serious violations in the app's own
  markup (Streamlit's sidebar navigation list is Streamlit's, and excluded);
- classroom mode's presenter view (issue 10) on the same 1024x768 load: the page's title, no
  exception or page error, the sidebar folded away, chart text >= ``PRESENT_MIN_FONT``, nothing
  overflowing sideways, the lesson links and step line (``check_presenter_view``, which
  tests/e2e/test_classroom.py runs for the pages not measured here);
- the page works (on the laptop load, after the checks above): no exception or page error, its
  title, the router's language switch, and its first slider moved to its end changes the URL
  and what the page draws (``check_page_works``; tests/e2e/test_browser.py runs it for the
  pages not measured here).

With ``SCREENS_DIR`` set, each of those first screens is saved there as a PNG
(``<page>_<lang>_<presenter|phone|laptop>.png``) to look at.

One test per page and language: it loads the page once per screen and runs every check on those
loads (``CHECKS``), so ``-n 2`` splits pages, never a page's checks.
``python -m tests.e2e.test_screens`` prints the same figures as a table (BENCHMARKS.md, issue 19).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from devtools.app_server import CHART_SELECTOR, CHROMIUM, CHROMIUM_ARGS, READY, streamlit_server
from ui.i18n import catalog
from ui.page import PRESENT_MIN_FONT
from ui.registry import available_pages, lesson_neighbours

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "devtools" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [p for p in available_pages() if p.namespace != "playground"]  # its layout: issue "lab"
LANGS = ("ko", "en")
PRESENTER = {"viewport": {"width": 1024, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}
MIN_CHART_SHOWN = 0.60
MIN_PROSE_PX, MIN_CHART_PX, MIN_TABLE_PX = 20, 18, 18
MAX_NOTICE_LINES = 2  # presenter view: the one claim that matters (issue 19)
LAPTOP = {"viewport": {"width": 1400, "height": 900}}
SCREENS_DIR = os.environ.get("SCREENS_DIR")

# The first chart of the page, and how much of its height the first screen shows.
FIRST_CHART_JS = """() => {
  const chart = document.querySelector('[data-testid=stMain] .js-plotly-plot');
  if (!chart) return null;
  const r = chart.getBoundingClientRect();
  const shown = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
  return {top: r.top, height: r.height, shown: r.height ? shown / r.height : 0};
}"""

# The smallest font of each kind of text that is on screen (hidden expander bodies are not).
FONTS_JS = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const visible = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const px = e => parseFloat(getComputedStyle(e).fontSize);
  const smallest = (selector, skip) => {
    let worst = null;
    for (const e of main.querySelectorAll(selector)) {
      if (!visible(e) || !e.textContent.trim() || (skip && e.closest(skip))) continue;
      if (worst === null || px(e) < worst.px) worst = {px: px(e), text: e.textContent.slice(0, 60)};
    }
    return worst;
  };
  return {
    prose: smallest('[data-testid=stMarkdownContainer] p, [data-testid=stMarkdownContainer] li,'
                    + ' [data-testid=stCaptionContainer]',
                    '[data-testid=stWidgetLabel], [data-testid=stMetric], button, summary'),
    chart: smallest('.js-plotly-plot .main-svg text', '.modebar'),
    table: smallest('[data-testid=stTable] th, [data-testid=stTable] td'),
  };
}"""

# Sideways scroll of the page, and tables wider than the screen with no scroller of their own.
PHONE_JS = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const page = Math.max(document.documentElement.scrollWidth, main.scrollWidth);
  const loose = [];
  for (const table of main.querySelectorAll('table')) {
    const r = table.getBoundingClientRect();
    if (r.width <= innerWidth + 1) continue;
    let box = table.parentElement, held = false;
    while (box && box !== main) {
      const o = getComputedStyle(box).overflowX;
      if ((o === 'auto' || o === 'scroll') && box.clientWidth <= innerWidth) { held = true; break; }
      box = box.parentElement;
    }
    if (!held) loose.push(Math.round(r.width));
  }
  // one letter per line: a header cell narrower than two of its characters
  const squeezed = [...main.querySelectorAll('table th')].filter(
    th => th.textContent.trim().length > 2 && th.getBoundingClientRect().width
          < 2 * parseFloat(getComputedStyle(th).fontSize)).map(th => th.textContent.trim());
  return {page_width: page, screen: innerWidth, loose_tables: loose, squeezed: squeezed};
}"""

# Every "what to notice" box (ui.page.notice: the lightbulb icon) and its height in lines.
NOTICE_JS = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stAlert]')]
  .filter(box => [...box.querySelectorAll('[data-testid=stAlertDynamicIcon], [data-testid=stIconMaterial]')]
                 .some(icon => icon.textContent.trim() === 'lightbulb'))
  .map(box => {
    const text = box.querySelector('[data-testid=stMarkdownContainer]');
    const paragraphs = [...text.querySelectorAll('p')];  // their heights: no margins
    const lineHeight = parseFloat(getComputedStyle(paragraphs[0] || text).lineHeight);
    const height = paragraphs.reduce((sum, p) => sum + p.getBoundingClientRect().height, 0);
    return {lines: Math.round(height / lineHeight), text: text.textContent.slice(0, 80)};
  })"""

# Pairs of tick labels of one chart that overlap (two subplots' labels included: the left
# panel's "150" and the right panel's "0" read "1500"). Each label is the rectangle of its text
# as drawn, turned with it (a category axis's labels at 45°: their upright boxes would always
# meet), and two labels clash unless some edge direction of one separates them by > 1 px.
TICKS_JS = """() => {
  const corners = e => {
    const b = e.getBBox(), m = e.getScreenCTM();
    return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height],
            [b.x, b.y + b.height]].map(([x, y]) => [m.a * x + m.c * y + m.e,
                                                     m.b * x + m.d * y + m.f]);
  };
  const apart = (p, q) => {
    for (const poly of [p, q]) {
      for (let i = 0; i < 2; i++) {
        const [x0, y0] = poly[i], [x1, y1] = poly[i + 1];
        const len = Math.hypot(x1 - x0, y1 - y0) || 1;
        const n = [-(y1 - y0) / len, (x1 - x0) / len];
        const span = pts => { const v = pts.map(([x, y]) => x * n[0] + y * n[1]);
                              return [Math.min(...v), Math.max(...v)]; };
        const [a0, a1] = span(p), [b0, b1] = span(q);
        if (Math.min(a1, b1) - Math.max(a0, b0) <= 1) return true;
      }
    }
    return false;
  };
  const clashes = [];
  document.querySelectorAll('[data-testid=stMain] .js-plotly-plot').forEach((chart, index) => {
    const labels = [...chart.querySelectorAll('g.xtick text, g.ytick text')]
      .filter(e => e.textContent.trim() && e.getBoundingClientRect().width > 0)
      .map(e => ({text: e.textContent, poly: corners(e)}));
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        if (!apart(labels[i].poly, labels[j].poly)) {
          clashes.push([index, labels[i].text, labels[j].text]);
        }
      }
    }
  });
  return clashes;
}"""

# Classroom mode's presenter view (issue 10).
CHART_FONT_SIZES = """() => Array.from(document.querySelectorAll('""" + CHART_SELECTOR + """ svg text'))
    .filter(e => e.textContent.trim() && e.getBBox().width > 0)
    .map(e => [parseFloat(getComputedStyle(e).fontSize), e.textContent.slice(0, 20)])"""
OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"
PRESENT_SHOTS = os.environ.get("E2E_SCREENSHOTS")
BROWSER_SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", ROOT / "artifacts"))


def sidebar_hidden(page) -> bool:
    box = page.locator("[data-testid=stSidebar]").bounding_box()
    return box is None or box["width"] == 0 or box["x"] + box["width"] <= 0


def lesson_hrefs(page) -> list[tuple[str, str]]:
    """(url path, query) of the lesson links ("← …", "… →") in page order."""
    result = []
    for link in page.locator("[data-testid=stPageLink-NavLink]").all():
        text = link.inner_text().strip()
        if text.startswith("←") or text.endswith("→"):
            parts = urlsplit(link.get_attribute("href"))
            result.append((parts.path.strip("/"), parts.query))
    return result


def check_presenter_view(page, info, lang: str) -> None:
    """Assert classroom mode's presenter view on ``page``: ``info``'s page loaded at 1024x768
    with ``?present=1``, its first chart drawn and the script idle."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.wait_for_selector(f"{CHART_SELECTOR} .main-svg", timeout=60_000)
    page.wait_for_timeout(800)
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.locator("h1").first.inner_text().strip() == catalog(info.namespace)["title"][lang]
    assert sidebar_hidden(page), "presenter view starts with the sidebar folded away"
    sizes = page.evaluate(CHART_FONT_SIZES)
    assert sizes, "chart text drawn"
    small = [s for s in sizes if s[0] < PRESENT_MIN_FONT - 0.01]
    assert not small, f"chart text under {PRESENT_MIN_FONT} px: {small[:5]}"
    scroll_width, inner_width = page.evaluate(OVERFLOW)
    assert scroll_width <= inner_width, "nothing overflows sideways"
    previous, k, n, following = lesson_neighbours(info.url_path)
    expected = [p.url_path for p in (previous, following) if p is not None]
    hrefs = lesson_hrefs(page)
    assert [path for path, _ in hrefs] == expected * 2, "compact bar on top, links below"
    for _, query in hrefs:
        assert dict(parse_qsl(query)) == {"lang": lang, "present": "1"}
    step = catalog("common")["lesson_step"][lang].format(k=k, n=n)
    assert page.get_by_text(step).count() == 2
    if PRESENT_SHOTS:
        Path(PRESENT_SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(PRESENT_SHOTS) / f"present_{info.namespace}_{lang}.png"))
    assert not errors, errors


def drawn(page) -> str:
    """Everything the page draws: its charts, /playground's drawing element and the status line
    under it (a live setting such as the learning rate shows there first; which chart a slider
    changes first depends on the page)."""
    return page.evaluate("""(charts) => Array.from(document.querySelectorAll(
        charts + ', .pgd, .st-key-pg_lab [data-testid=stCaptionContainer]'))
        .map(e => e.outerHTML).join('')""", CHART_SELECTOR)


def check_page_works(page, info, lang: str, errors: list[str]) -> None:
    """Assert that ``info``'s page, loaded and idle with a chart drawn, works: no exception,
    its title, the router's language switch, and its first slider moved to its end re-renders;
    ``errors``: the page errors since before it was opened. Moves that slider."""
    assert page.locator("[data-testid=stException]").count() == 0
    title = catalog(info.namespace)["title"][lang]
    assert page.locator("h1").first.inner_text().strip() == title
    # The language switch and the navigation come from the router, not a legacy pages/ run.
    assert page.locator("[data-testid=stSidebar] [role=radiogroup]").count() >= 1
    BROWSER_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(BROWSER_SHOTS / f"{info.namespace}_{lang}.png"))

    # Streamlit's slider is a react-aria group around a visually hidden range input.
    sliders = page.locator("[data-testid=stSlider] input[type=range]")
    assert sliders.count() >= 1, "every page has at least one slider"
    before = drawn(page)
    url_before = page.url
    sliders.first.focus()
    page.keyboard.press("End")  # jump the first slider to its maximum
    page.wait_for_timeout(300)
    page.wait_for_selector(READY, timeout=120_000)
    page.wait_for_timeout(500)
    assert page.locator("[data-testid=stException]").count() == 0
    after = drawn(page)
    assert page.url != url_before, "the new value is in the URL"
    assert after != before, "a chart or picture re-rendered after the slider moved"
    assert not errors, errors


AXE_JS = """async () => {
  const result = await axe.run({exclude: [['[data-testid=stSidebarNav]']]},
                               {resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                first: v.nodes[0].target.join(' ') + ' :: ' + (v.nodes[0].failureSummary || '')
                       .slice(0, 200)}));
}"""


def _load(browser, url: str, context: dict, errors: list[str] | None = None):
    page = browser.new_page(**context)
    if errors is not None:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector(READY, timeout=180_000)
    page.wait_for_selector("[data-testid=stMain] .js-plotly-plot .main-svg", timeout=120_000)
    page.wait_for_timeout(1200)  # plotly's relayout after the fonts arrive
    page.wait_for_selector(READY, timeout=180_000)
    return page


def _shoot(page, info, lang: str, screen: str) -> None:
    if SCREENS_DIR:
        Path(SCREENS_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENS_DIR) / f"{info.namespace}_{lang}_{screen}.png"))


def measure(browser, base_url: str, info, lang: str) -> dict:
    """Every figure of the checks for one page in one language (three page loads); the
    presenter load also runs check_presenter_view, the laptop load check_page_works."""
    figures: dict = {}
    page = _load(browser, f"{base_url}/{info.url_path}?lang={lang}&present=1", PRESENTER)
    try:
        figures["first_chart"] = page.evaluate(FIRST_CHART_JS)
        figures["fonts"] = page.evaluate(FONTS_JS)
        figures["notices"] = page.evaluate(NOTICE_JS)
        figures["presenter_ticks"] = page.evaluate(TICKS_JS)
        _shoot(page, info, lang, "presenter")
        try:
            check_presenter_view(page, info, lang)
            figures["presenter_view"] = ""
        except AssertionError as error:
            figures["presenter_view"] = str(error) or "an assertion failed"
    finally:
        page.close()
    page = _load(browser, f"{base_url}/{info.url_path}?lang={lang}", PHONE)
    try:
        figures["phone"] = page.evaluate(PHONE_JS)
        figures["phone_ticks"] = page.evaluate(TICKS_JS)
        _shoot(page, info, lang, "phone")
    finally:
        page.close()
    errors: list[str] = []
    page = _load(browser, f"{base_url}/{info.url_path}?lang={lang}", LAPTOP, errors)
    try:
        figures["laptop_chart"] = page.evaluate(FIRST_CHART_JS)
        _shoot(page, info, lang, "laptop")
        if AXE.exists():
            page.add_script_tag(path=str(AXE))
            figures["axe"] = page.evaluate(AXE_JS)
        try:
            check_page_works(page, info, lang, errors)
            figures["works"] = ""
        except AssertionError as error:
            figures["works"] = str(error) or "an assertion failed"
    finally:
        page.close()
    return figures


# --- the checks: each returns what is wrong ('' if nothing) -----------------------------
def presenter_chart_problem(f: dict) -> str:
    first = f["first_chart"]
    if first is None:
        return "no chart on the page"
    if first["shown"] < MIN_CHART_SHOWN:
        return (f"1024x768 ?present=1 shows {first['shown']:.0%} of the first chart "
                f"(top at {first['top']:.0f} px, {first['height']:.0f} px tall)")
    return ""


def laptop_chart_problem(f: dict) -> str:
    first = f["laptop_chart"]
    ok = first is not None and first["top"] < LAPTOP["viewport"]["height"]
    return "" if ok else f"1400x900: no chart starts on the first screen: {first}"


def presenter_font_problem(f: dict) -> str:
    small = []
    for kind, minimum in (("prose", MIN_PROSE_PX), ("chart", MIN_CHART_PX),
                          ("table", MIN_TABLE_PX)):
        worst = f["fonts"][kind]
        if worst is not None and worst["px"] < minimum:
            small.append(f"{kind} at {worst['px']} px: {worst['text']!r}")
    return "; ".join(small)


def notice_problem(f: dict) -> str:
    long = [n for n in f["notices"] if n["lines"] > MAX_NOTICE_LINES]
    return f"notices over {MAX_NOTICE_LINES} lines at 1024x768 ?present=1: {long}" if long else ""


def tick_problem(f: dict) -> str:
    return "; ".join(f"{screen}: overlapping tick labels (chart, label, label): {clashes}"
                     for screen in ("presenter", "phone")
                     if (clashes := f[f"{screen}_ticks"]))


def phone_problem(f: dict) -> str:
    phone = f["phone"]
    if phone["page_width"] > phone["screen"] + 1:
        return f"the page scrolls sideways: {phone}"
    if phone["loose_tables"]:
        return f"tables wider than the phone, no scroller: {phone}"
    if phone["squeezed"]:
        return f"header cells one letter per line: {phone['squeezed']}"
    return ""


def presenter_view_problem(f: dict) -> str:
    return f["presenter_view"]


def page_works_problem(f: dict) -> str:
    return f["works"]


def axe_problem(f: dict) -> str:
    violations = f.get("axe")
    return json.dumps(violations, ensure_ascii=False, indent=1) if violations else ""


CHECKS = (presenter_chart_problem, laptop_chart_problem, presenter_font_problem,
          notice_problem, tick_problem, phone_problem, presenter_view_problem, page_works_problem,
          axe_problem)


# --- the test ------------------------------------------------------------------------------
if __name__ != "__main__":
    pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

CASES = [pytest.param(info, lang, id=f"{info.namespace}-{lang}") for info in PAGES
         for lang in LANGS]


@pytest.mark.parametrize(("info", "lang"), CASES)
def test_screens(base_url, browser, info, lang):
    """Every check on one page in one language, from one set of page loads.

    One test per page and language, not one per check: xdist tears a worker's fixtures down
    whenever its queue runs dry, so checks split over tests loaded each page again (7 times).
    """
    figures = measure(browser, base_url, info, lang)
    if not AXE.exists():
        figures.pop("axe", None)  # axe-core not installed: npm ci --prefix devtools
    problems = [f"{check.__name__}: {problem}" for check in CHECKS if (problem := check(figures))]
    assert not problems, "\n".join(problems)


# --- the figures as a table (for BENCHMARKS.md) ------------------------------------------
def main(namespaces: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    pages = [p for p in PAGES if not namespaces or p.namespace in namespaces]
    with streamlit_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print("page lang | presenter: chart shown, top | prose chart table px | laptop chart top"
              " | phone: page width, loose tables, squeezed headers | axe serious+critical"
              " | notice lines | tick clashes presenter/phone")
        for info in pages:
            for lang in LANGS:
                f = measure(browser, base, info, lang)
                first, fonts, phone = f["first_chart"] or {}, f["fonts"], f["phone"]
                px = [fonts[k]["px"] if fonts[k] else "-" for k in ("prose", "chart", "table")]
                axe = f.get("axe", [])
                laptop = f.get("laptop_chart") or {}
                print(f"{info.namespace} {lang} | {first.get('shown', 0):.0%} "
                      f"{first.get('top', 0):.0f} | {px} | {laptop.get('top', 0):.0f} | "
                      f"{phone['page_width']} "
                      f"{phone['loose_tables']} {phone['squeezed'][:3]} | "
                      f"{sum(v['nodes'] for v in axe)} "
                      f"{[(v['id'], v['nodes']) for v in axe]} | "
                      f"{[n['lines'] for n in f['notices']]} | "
                      f"{len(f['presenter_ticks'])}/{len(f['phone_ticks'])} "
                      f"{(f['presenter_ticks'] + f['phone_ticks'])[:2]}", flush=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
