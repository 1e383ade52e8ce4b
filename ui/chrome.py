"""The app's chrome around every page, drawn by ``app.py`` (pages never call these): CSS,
the lesson bar (previous · step k of n · next), the presenter-view and question-mode switches,
and the "share this view" dialog with its QR code."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

import streamlit as st

from ui.i18n import t
from ui.registry import lesson_neighbours
from ui.url_state import (
    ASK_KEY, HIDE_KEY, PRESENT_KEY, asking, hidden_keys, presenting, registry, set_flag,
)


def base_css() -> None:
    """Always:
    - metric and widget labels (toggles, sliders) wrap instead of being cut with "…" in narrow
      columns (Korean labels at 1024 px were);
    - captions and code text dark enough for WCAG AA (axe found grey captions at 3.88:1 and
      code keywords at 3.8:1);
    - a metric's value wraps instead of being cut, and a multiselect's chips wrap;
    - a table wider than its column scrolls inside its own box, and no header cell is squeezed
      to one letter per line (/optimizers' 8 columns on a 390 px phone were);
    - Korean lines break between words, never inside one (a phone broke the title
      "데이터 분할: 학습, 검증, 테스트" as "테스 / 트"); a word longer than its line still breaks.
    """
    st.html("""<style>
/* Streamlit sets word-break on its own elements, so the rule goes on every element. */
.stApp, .stApp * { word-break: keep-all !important; overflow-wrap: break-word; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stWidgetLabel"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; }
/* A metric's value wraps too: /forward-pass showed its tensor shape as "(1, 1, 8,…". */
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
  color: #4a4f5c !important; opacity: 1 !important; }  /* 0.6 in bordered boxes: 2.99:1 */
[data-testid="stCode"] code .token { color: inherit; }
[data-testid="stCode"] code { color: #1f2430; }
[data-testid="stCode"] code .token.keyword, [data-testid="stCode"] code .token.builtin {
  color: #0b57a4; }
[data-testid="stCode"] code .token.string { color: #0f6b2f; }
[data-testid="stCode"] code .token.comment { color: #4a4f5c; }
[data-testid="stCode"] code .token.number, [data-testid="stCode"] code .token.boolean {
  color: #8a3b00; }
[data-testid="stTable"] { overflow-x: auto; max-width: 100%; }
/* Streamlit's own wrapper inside scrolls too, and it cannot take focus: let the box scroll. */
[data-testid="stTable"] > div { overflow: visible !important; }
[data-testid="stTable"] th { min-width: 4.5em; }
/* A multiselect's chips wrap onto more lines instead of scrolling sideways behind a fade: in
   a narrow controls column (/optimizers) the second chip was cut and the rest hidden. The box
   (one line high by default) grows with them. */
[data-testid="stMultiSelect"] [role="group"]:has(> [data-testid="stMultiSelectTagsContainer"]) {
  max-height: none !important; height: auto !important; }
[data-testid="stMultiSelectTagsContainer"] {
  flex-wrap: wrap !important; overflow: visible !important; min-width: 0 !important;
  flex: 1 1 0% !important; mask-image: none !important; -webkit-mask-image: none !important; }
[data-testid="stMultiSelectTagsContainer"] [data-tag] { max-width: 100% !important;
  height: auto !important; }
[data-testid="stMultiSelectTagsContainer"] [data-tag] > span { max-width: none !important;
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMultiSelectTagsContainer"] > input {
  min-width: 2rem !important; width: 2rem !important; flex: 1 1 2rem !important; }
/* A laptop (1400x900): less top space and smaller section headings, so the first chart starts
   higher on the first screen. */
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
[data-testid="stMain"] h2 { font-size: 1.9rem; }
/* ui.page.controls_beside: controls | chart stay side by side on a projector or a laptop, the
   controls stacked in their narrow column; a phone stacks both (Streamlit's own columns). */
@media (min-width: 641px) {
[class*="st-key-beside_"] > * > [data-testid="stHorizontalBlock"] {
  flex-wrap: nowrap !important; }
[class*="st-key-beside_"] > * > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
  min-width: 0 !important; }
[class*="st-key-beside_"] > * > [data-testid="stHorizontalBlock"]
  > [data-testid="stColumn"]:first-child [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
[class*="st-key-beside_"] > * > [data-testid="stHorizontalBlock"]
  > [data-testid="stColumn"]:first-child [data-testid="stColumn"] { min-width: 100%; }
}
/* A phone: headings that leave room for the chart (the default h1 took three lines). */
@media (max-width: 640px) {
  [data-testid="stMain"] h1 { font-size: 1.75rem; }
  [data-testid="stMain"] h2 { font-size: 1.35rem; }
  [data-testid="stMain"] h3 { font-size: 1.2rem; }
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
}
</style>""")
    # A box that scrolls must be reachable by keyboard (axe: scrollable-region-focusable), and
    # st.table has no tabindex: give each table box one, with a name, as it appears.
    st.html("""<script>
(() => {
  if (window.dleTableBoxes) return;
  window.dleTableBoxes = true;
  const mark = () => document.querySelectorAll('[data-testid="stTable"]:not([tabindex])')
    .forEach(box => {
      box.tabIndex = 0;
      box.setAttribute('role', 'region');
      const head = box.querySelector('th');
      box.setAttribute('aria-label', head ? head.textContent.trim() || 'table' : 'table');
    });
  mark();
  new MutationObserver(mark).observe(document.body, {childList: true, subtree: true});
})();
</script>""", unsafe_allow_javascript=True)


def presenter_css() -> None:
    """Projector sizes (1024x768, read from the back of a room): prose 20 px, tables 18 px,
    the title on one line, compact headings and top space, so the first chart is on the first
    screen; metric values big. Charts set their own text sizes (``ui.page.presenter_figure``)."""
    st.html("""<style>
[data-testid="stMetricValue"] { font-size: 2.4rem; }
[data-testid="stMetricLabel"] p { font-size: 1.15rem; }
/* The compact lesson bar moves up into the header's band, between its two buttons (sidebar
   and menu at the far left and right); the header lets clicks through to it. */
[data-testid="stMainBlockContainer"] { padding-top: 0.9rem; padding-bottom: 2rem; }
[data-testid="stHeader"], [data-testid="stHeader"] * { pointer-events: none; }
[data-testid="stHeader"] { background: transparent; }
[data-testid="stHeader"] button, [data-testid="stHeader"] button *,
[data-testid="stHeader"] a, [data-testid="stHeader"] a * { pointer-events: auto; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.55rem; }
/* A chart's title above it (ui.page.chart) is markdown, which Streamlit pulls up by 1rem:
   with the smaller gap the chart covered the title's lower half. */
[data-testid="stElementContainer"]:has([data-testid="stMarkdown"])
  + [data-testid="stElementContainer"]:has(.dle-chart) { margin-top: 0.9rem; }
[data-testid="stMain"] h1 { font-size: 2.1rem; padding: 0 0 0.25rem 0; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
[data-testid="stMain"] h2 { font-size: 1.6rem; padding: 0.4rem 0 0.45rem 0; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li,
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 20px; }
[data-testid="stMain"] [data-testid="stTable"] th,
[data-testid="stMain"] [data-testid="stTable"] td { font-size: 18px; }
[data-testid="stMain"] [data-testid="stPageLink"] p { font-size: 20px; }
/* Charts side by side get too narrow for projector-size text below ~1300 px: stack them. */
@media (max-width: 1300px) {
  [data-testid="stHorizontalBlock"]:has(.dle-chart) { flex-wrap: wrap; }
  [data-testid="stHorizontalBlock"]:has(.dle-chart)
    > [data-testid="stColumn"] { min-width: 100%; }
}
</style>""")


def lesson_bar(url_path: str, compact: bool = False) -> None:
    """"← previous · step k of n · next →" along the lesson path (``ui.registry.LESSON_PATH``).

    Links keep the language and the classroom switches (present, ask, hidden controls).
    """
    previous, k, n, following = lesson_neighbours(url_path)
    if k == 0:  # a page outside the path
        return
    params = {"lang": st.query_params.get("lang", "")}
    for flag, on in ((PRESENT_KEY, presenting()), (ASK_KEY, asking())):
        if on:
            params[flag] = "1"
    if hidden_keys():
        params[HIDE_KEY] = ",".join(sorted(hidden_keys()))
    params = {name: value for name, value in params.items() if value}
    if not compact:
        st.divider()
    left, middle, right = st.columns([2, 1, 2], vertical_alignment="center")
    with left:
        if previous is not None:
            st.page_link(previous.script, label=f"← {t(f'nav.{previous.namespace}')}",
                         query_params=params)
    with middle:
        st.markdown(f"<div style='text-align:center;white-space:nowrap' data-testid='lesson-step'>"
                    f"{t('common.lesson_step', k=k, n=n)}</div>", unsafe_allow_html=True)
    with right:
        if following is not None:
            with st.container(horizontal=True, horizontal_alignment="right"):
                st.page_link(following.script, label=f"{t(f'nav.{following.namespace}')} →",
                             query_params=params)


def share_link(base_url: str, params: Mapping[str, str], hide: Sequence[str] = (),
               present: bool = False, ask_mode: bool = False) -> str:
    """The link that reopens this view: the page's URL state plus the classroom switches."""
    query = {k: v for k, v in params.items() if k not in (HIDE_KEY, PRESENT_KEY, ASK_KEY)}
    if present:
        query[PRESENT_KEY] = "1"
    if ask_mode:
        query[ASK_KEY] = "1"
    if hide:
        query[HIDE_KEY] = ",".join(hide)
    return f"{base_url}?{urlencode(query, safe=',')}" if query else base_url


def qr_png(link: str, scale: int = 8) -> bytes:
    """The link as a QR code PNG (segno, made here: no network)."""
    import segno

    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def _page_url(url_path: str) -> str:
    url = st.context.url if _has_browser() else None
    return url or f"http://localhost:8501/{url_path}"


def _has_browser() -> bool:
    try:
        return bool(st.context.url)
    except Exception:  # AppTest, bare mode
        return False


def _share_body(url_path: str, page_keys: Mapping[str, str]) -> None:
    hide = st.multiselect(t("common.share.hide"), list(page_keys), key="_share_hide",
                          default=sorted(set(page_keys) & hidden_keys()),
                          format_func=page_keys.get, help=t("common.share.hide_help"),
                          placeholder=t("common.share.hide_none"))
    c1, c2 = st.columns(2)
    present = c1.toggle(t("common.present"), value=presenting(), key="_share_present")
    ask_mode = c2.toggle(t("common.ask_mode"), value=asking(), key="_share_ask")
    params = {k: ",".join(st.query_params.get_all(k)) for k in st.query_params}
    link = share_link(_page_url(url_path), params, hide, present, ask_mode)
    st.code(link, language=None, wrap_lines=True)
    st.image(qr_png(link), width=260)
    st.caption(t("common.share.caption"))
    if re.match(r"https?://(localhost|127\.|\[::1\])", link):
        st.warning(t("common.share.localhost"), icon=":material/wifi_off:")


def share_panel(namespace: str, url_path: str) -> None:
    """"Share this view with the class": a button opening a dialog with the link and its QR.

    Drawn in the sidebar after the page ran, so the page's widgets are known (for hiding) and
    the URL holds every current value (the dialog reads it when opened, so a value changed
    inside a fragment is included too).
    """
    # Two widgets of a page may share a label (one per section): the URL key tells them apart.
    page_keys = {key: f"{info.label} ({key})" for key, info in registry().items()
                 if info.section[0] == namespace}
    if st.button(t("common.share.open"), icon=":material/qr_code_2:", width="stretch",
                 key="_share_open"):
        st.dialog(t("common.share.title"), width="large")(_share_body)(url_path, page_keys)


def classroom_sidebar() -> None:
    """The presenter-view and question-mode switches (drawn in the sidebar by app.py)."""
    for flag, label, help_key in ((PRESENT_KEY, "common.present", "common.present_help"),
                                  (ASK_KEY, "common.ask_mode", "common.ask_mode_help")):
        widget = f"_{flag}_switch"
        st.session_state[widget] = presenting() if flag == PRESENT_KEY else asking()
        st.toggle(t(label), key=widget, help=t(help_key),
                  on_change=lambda f=flag, w=widget: set_flag(f, st.session_state[w]))
        if st.session_state[widget]:
            st.query_params[flag] = "1"
