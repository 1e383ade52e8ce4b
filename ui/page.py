"""The anatomy every page shares: title and intro, presets, sections, notes, code panel,
and the classroom mode every page gets without page edits.

Page API (signatures are stable; pages call these):

- ``page_header(ns)``, ``section(ns, name)``: title/intro and section headings.
- Presenter view (``?present=1``, 1024x768 projector) is chart-first: the title on one line, the
  intro folded into a "More" expander beside the presets (folded into a popover), a section's
  explanation in its heading's tooltip and the "what to notice" box cut to its first sentence
  (the rest folds). So the first chart starts on the first screen without page edits.
- ``presets(ns, table, reset_section=True)``: one button per preset. A click sets the widgets
  the preset names AND resets every other widget of the same section(s) to its default, so
  a preset always shows the same view, whatever was clicked before. The sections come from
  the ``section()`` call each widget was drawn under (``ui.url_state`` records them), so a
  page only has to name what differs from the defaults. After a click, the preset's story
  ``<ns>.preset.<id>_story`` (optional key) is shown in a small box while the widgets still
  hold the preset's values.
- ``ask(key, question, options, correct, reveal, explain=None)``: predict, then reveal (see its
  docstring for a worked example).
- ``chart(figure, key)``: draws a Plotly figure; in presenter view every font is at least
  18 px and the chart is taller (no chart-builder changes needed).
- ``notice``, ``notice_claims``, ``code_panel``, ``lazy_fold`` (a fold drawn only while open,
  its url_* widgets still returning their values); ``cached`` and ``run_with_progress`` are
  re-exported from ``ui.compute``.

The app's chrome around every page (CSS, lesson bar, classroom switches, share dialog) is in
``ui.chrome``: ``app.py`` draws it, pages never call it.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from core.claims import Claim
from ui.chart_element import draw
from ui.compute import cached, run_with_progress  # noqa: F401  (re-exported for pages)
from ui.i18n import has, t
from ui.url_state import (
    NOTICE_SLOT, asking, current_value, off_screen, presenting, section_defaults, set_section,
)

PRESENT_MIN_FONT = 18  # px: the smallest chart text in presenter view
PRESENT_FONT_SCALE = 1.2
PRESENT_HEIGHT_SCALE = 1.2
PLOTLY_DEFAULT_HEIGHT = 450
PRESENT_LABEL_STANDOFF = 6  # px between tick labels and the plot
_LAST_PRESET = "_last_preset"  # session key: (namespace, preset id, values) of the last click
_PRESET_SLOT = "_preset_slot"  # session key: presenter view's place for presets, beside the intro


# --- text folding (presenter view) -------------------------------------------------------
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+(?=\S)")
_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "etc.", "cf.", "approx.")


def split_first_sentence(text: str) -> tuple[str, str]:
    """(first sentence, the rest) of a markdown paragraph; ('text', '') if it is one sentence.

    A paragraph break also ends the first sentence. Abbreviations such as "e.g." and
    decimal points ("0.5") do not.
    """
    text = text.strip()
    paragraph_end = text.find("\n\n")
    limit = paragraph_end if paragraph_end >= 0 else len(text)
    for match in _SENTENCE_END.finditer(text, 0, limit):
        head = text[:match.start()]
        if head.lower().endswith(_ABBREVIATIONS) or head.count("**") % 2 or head.count("`") % 2:
            continue
        return head, text[match.end():].strip()
    if paragraph_end >= 0:
        return text[:paragraph_end].strip(), text[paragraph_end:].strip()
    return text, ""


_CLAUSE_BREAK = re.compile(r": |; | — ")


def split_at_clause(sentence: str, max_em: float, min_em: float) -> tuple[str, str]:
    """(the longest start of ``sentence`` that ends at a ': ', '; ' or ' — ' and is at most
    ``max_em`` wide, the rest); the shortest such start if none is that short; (sentence, '')
    if it has no break. A start narrower than ``min_em`` ("Raw inputs") says too little and
    does not count, nor does a break inside bold or code.
    """
    best = None
    for match in _CLAUSE_BREAK.finditer(sentence):
        head = sentence[:match.start()].rstrip()
        width = title_width_em(head)
        if head.count("**") % 2 or head.count("`") % 2 or width < min_em:
            continue
        if best is not None and width > max_em:
            break
        best = head, sentence[match.end():].strip()
        if width > max_em:
            break
    return best or (sentence, "")


# --- page anatomy ------------------------------------------------------------------------
PRESENT_TITLE_WIDTH = 80  # % of the window the presenter-view title may fill (one line)


def title_width_em(text: str) -> float:
    """About how wide ``text`` is in em in Pretendard Bold: Hangul ~0.95, capitals ~0.68,
    other Latin ~0.55, spaces ~0.27 (measured on this font; enough to pick a font size)."""
    def width(c: str) -> float:
        if "\uac00" <= c <= "\ud7a3":
            return 0.95
        if c == " ":
            return 0.27
        return 0.68 if c.isupper() else 0.55
    return max(sum(width(c) for c in text), 1.0)


def page_header(namespace: str) -> None:
    """Title, one-paragraph intro, and the slot where bad-URL notices appear."""
    set_section(namespace, None)
    title = t(f"{namespace}.title")
    st.title(title)
    if presenting():
        # The title on one line at any width: a long one gets a smaller font, not an ellipsis.
        st.html(f"<style>[data-testid=stMain] h1 {{ font-size: "
                f"min(2.1rem, {PRESENT_TITLE_WIDTH / title_width_em(title):.2f}vw); }}</style>")
        # One row under the title: the intro folded, and the slot presets() draws into.
        intro_column, preset_column = st.columns([3, 2])
        head, rest = split_first_sentence(t(f"{namespace}.intro"))
        with intro_column.expander(t("common.present_more")):
            st.markdown(head)
            if rest:
                st.markdown(rest)
        st.session_state[_PRESET_SLOT] = preset_column
    else:
        st.markdown(t(f"{namespace}.intro"))
        st.session_state.pop(_PRESET_SLOT, None)
    st.session_state[NOTICE_SLOT] = st.container()


def presets(namespace: str, table: Mapping[str, Mapping[str, Any]], *,
            reset_section: bool = True) -> None:
    """One button per named preset; a click sets those widgets (by key) before the rerun.

    ``table``: preset id -> {widget key: value}; labels come from ``<namespace>.preset.<id>``,
    tooltips from ``<namespace>.preset.<id>_help``, and the optional one-line story shown
    after a click from ``<namespace>.preset.<id>_story``.

    With ``reset_section`` (the default), every widget of the sections the preset touches
    that the preset does not name goes back to its default (the default passed to its
    ``url_*`` call). So write a preset as "what differs from the defaults", and put a key
    in it explicitly only if it must differ. Widgets are known once drawn in the session,
    which is always the case before a button on the page can be clicked.
    """

    def apply(preset_id: str, values: Mapping[str, Any]) -> None:
        if reset_section:
            for key, default in section_defaults(list(values)).items():
                if key not in values:
                    st.session_state[key] = default
        for key, value in values.items():
            st.session_state[key] = value
        st.session_state[_LAST_PRESET] = (namespace, preset_id, dict(values))

    slot = st.session_state.pop(_PRESET_SLOT, None) if presenting() else None
    if slot is not None:  # presenter view: folded into a popover beside the intro
        holder = slot.popover(t("common.presets"), icon=":material/tune:", width="stretch")
    else:
        st.markdown(f"**{t('common.presets')}**")
        # A row that wraps: a long label moves to the next line instead of being cut off.
        holder = st.container(horizontal=True, gap="small")
    with holder:
        for preset_id, values in table.items():
            st.button(
                t(f"{namespace}.preset.{preset_id}"),
                key=f"preset_{preset_id}",
                on_click=apply,
                args=(preset_id, values),
                help=t(f"{namespace}.preset.{preset_id}_help"),
                width="content",
            )
    _preset_story(namespace)


def _preset_story(namespace: str) -> None:
    """The last clicked preset's story, while its widgets still hold the preset's values."""
    last = st.session_state.get(_LAST_PRESET)
    if not last or last[0] != namespace:
        return
    _, preset_id, values = last
    key = f"{namespace}.preset.{preset_id}_story"
    still_set = all(current_value(k, v) == v for k, v in values.items())  # drawn or not
    if has(key) and still_set:
        st.info(f"**{t(f'{namespace}.preset.{preset_id}')}** · {t(key)}",
                icon=":material/auto_stories:")


def section(namespace: str, name: str) -> None:
    """A section heading and a sentence on what the reader is about to see.

    Widgets drawn after this call belong to this section (presets reset by section).
    """
    set_section(namespace, name)
    if presenting():  # the explanation in the heading's tooltip: the chart gets the screen
        st.header(t(f"{namespace}.{name}.title"), divider="gray",
                  help=t(f"{namespace}.{name}.what"))
        return
    st.header(t(f"{namespace}.{name}.title"), divider="gray")
    st.markdown(t(f"{namespace}.{name}.what"))


def section_fragment(namespace: str, name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorator for a section whose widgets rerun it alone (an ``st.fragment``).

    Arguments of the call are kept for the section's own reruns (Streamlit reruns a fragment
    with the arguments of its last call). A section fragment may call another: a widget of
    the outer one reruns both, a widget of the inner one the inner alone (/augmentation: the
    gallery's augmentation is what the training section trains with).

    The heading and its sentence are drawn by the page's full run, outside the fragment: a
    press reruns, resends and re-renders only what it can change. The browser's rendering of a
    rerun grows with every element in it (~2–3 ms each on the 2-core machine: BENCHMARKS.md,
    "Issue 18 (session 2026-12-05c)"), and a press is paid in that.
    """
    def wrap(body: Callable[..., None]) -> Callable[..., None]:
        @st.fragment
        @functools.wraps(body)
        def rerun_alone(*args: Any, **kwargs: Any) -> None:
            set_section(namespace, name)  # widgets of a fragment rerun belong to this section
            body(*args, **kwargs)

        @functools.wraps(body)
        def draw_section(*args: Any, **kwargs: Any) -> None:
            section(namespace, name)
            rerun_alone(*args, **kwargs)

        return draw_section

    return wrap


def fragment_run() -> bool:
    """True when this run is a section fragment's alone (a press), not the whole page's."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def rerun_pending() -> bool:
    """Whether a rerun (a press, the lab drawing's answer) already waits for this run to end.
    Streamlit 1.67 holds a request that comes during a run as one pending rerun
    (``ScriptRequests``, private: if that changes this says True, and a caller that would go on
    working until then simply stops at once)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType

        return get_script_run_ctx().script_requests._state is not ScriptRequestType.CONTINUE
    except Exception:
        return True


def controls_beside(key: str) -> tuple[Any, Any]:
    """(controls, view): where a section draws its widgets and where its chart goes.

    A narrow column of controls beside a wide one for the chart, so a section with many
    controls still shows its chart on the first screen of a 1024x768 projector and a 1400x900
    laptop (``ui.chrome.base_css`` keeps the two side by side and stacks the controls inside);
    a phone stacks the two. Draw the controls straight into the first column, one under the
    other: columns inside it would stack anyway, and each is a block more that every press of
    the section re-sends and re-renders.
    """
    controls, view = st.container(key=f"beside_{key}").columns([1, 3], gap="medium")
    return controls, view


# Two lines of the narrowest notice (a controls_beside chart column, ~560 px at 20 px on a
# 1024x768 projector: 28 em a line), less a margin for where the lines break.
PRESENT_NOTICE_EM = 48
PRESENT_CLAUSE_MIN_EM = 12  # a shorter first clause ("Raw inputs") says too little alone


def presenter_notice(text: str) -> tuple[str, str]:
    """(what the presenter-view notice box shows, what folds beneath it).

    The first sentence; if that is still over two lines with the box's label, the longest
    start of it that fits and ends at ': ', '; ' or ' — ' (in these notices the measured fact
    comes first, its explanation after such a break), the rest folding after "…".
    """
    head, rest = split_first_sentence(text)
    room = PRESENT_NOTICE_EM - title_width_em(t("common.notice"))
    if title_width_em(head) > room:
        clause, tail = split_at_clause(head, room, PRESENT_CLAUSE_MIN_EM)
        if tail:
            head, rest = clause, f"…{tail} {rest}".strip()
    return head, rest


def notice(text: str) -> None:
    """The 'what to notice' box under a result.

    In presenter view the box holds the first sentence, at most two lines on a 1024x768
    projector (tests/e2e/test_screens.py); the rest folds into an expander beneath it.
    """
    if presenting():
        head, rest = presenter_notice(text)
        _notice_box(head)
        if rest:
            with st.expander(t("common.present_more")):
                st.markdown(rest)
        return
    _notice_box(text)


def _notice_box(text: str) -> None:
    st.info(f"**{t('common.notice')}** {text}", icon=":material/lightbulb:")


def notice_claims(prefix: str, claims: Sequence[Claim],
                  names: Mapping[str, str] | None = None) -> None:
    """A 'what to notice' box made only of claims that core found true for these numbers.

    Each claim is translated from ``<prefix>.claim.<id>`` with its values. ``names``: display
    names for the ids core puts in the values (an optimizer, a scaling), a tuple of ids shown
    as a comma-separated list. In presenter view the box holds the first sentence of the
    first claim (core lists the one that matters first); the rest folds (``notice``).
    """
    def shown(value: Any) -> Any:
        if names is None:
            return value
        if isinstance(value, tuple):
            return ", ".join(names.get(v, v) for v in value)
        return names.get(value, value) if isinstance(value, str) else value

    sentences = [t(f"{prefix}.claim.{claim.id}", **{k: shown(v) for k, v in claim.values.items()})
                 for claim in claims]
    if sentences:
        notice(" ".join(sentences))


# --- charts ------------------------------------------------------------------------------
def _scale_fonts(node: Any, scale: float, minimum: int) -> None:
    """Every explicit ``size`` of a font (font, tickfont, textfont, ...) in a plotly dict,
    scaled and raised to ``minimum``."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name.endswith("font") and isinstance(value, dict) and "size" in value:
                size = value["size"]
                if isinstance(size, (int, float)):
                    value["size"] = max(round(size * scale), minimum)
                elif isinstance(size, list):  # per-point text sizes
                    value["size"] = [max(round(s * scale), minimum) for s in size]
            _scale_fonts(value, scale, minimum)
    elif isinstance(node, list):
        for item in node:
            _scale_fonts(item, scale, minimum)


def presenter_figure(figure: go.Figure, scale: float = PRESENT_FONT_SCALE,
                     minimum: int = PRESENT_MIN_FONT,
                     height_scale: float = PRESENT_HEIGHT_SCALE) -> go.Figure:
    """A copy of ``figure`` for a projector: every font ≥ ``minimum`` px, taller."""
    spec = figure.to_dict()
    layout = spec.setdefault("layout", {})
    layout.setdefault("font", {}).setdefault("size", 12)  # plotly's default, scaled below
    _scale_fonts(spec, scale, minimum)
    base_size = layout["font"]["size"]
    layout["height"] = round((layout.get("height") or PLOTLY_DEFAULT_HEIGHT) * height_scale)
    # Bar labels shrink to fit by default; keep them readable (shown even if they overflow).
    layout["uniformtext"] = {"minsize": minimum, "mode": "show"}
    for name, axis in list(layout.items()):
        # Plotly labels a log axis's in-between ticks (2, 5) at 0.75 of the tick font; forcing
        # decades only would leave a short axis with one label, so enlarge that axis's font.
        if (name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict)
                and axis.get("type") == "log" and not isinstance(axis.get("dtick"), (int, float))):
            tickfont = axis.setdefault("tickfont", {})
            tickfont["size"] = max(tickfont.get("size", base_size), math.ceil(minimum / 0.75))
    scaled = go.Figure(spec)
    # Labels off the plot: at projector sizes the x axis's first label and the y axis's
    # lowest met at the corner ("0" on "0", "−6" on "−3"); the y labels keep half a label's
    # width (a centred x label's reach) away. Streamlit's theme (the other views) pads.
    scaled.update_xaxes(automargin=True, ticklabelstandoff=PRESENT_LABEL_STANDOFF)
    scaled.update_yaxes(automargin=True, ticklabelstandoff=round(0.7 * base_size))
    return scaled


def chart(figure: go.Figure, key: str) -> None:
    """Draw a figure full width; in presenter view with projector-sized text and height.

    One element per key that later reruns update in place (``ui.chart_element``). Presenter
    view draws without Streamlit's chart theme, which resets every axis and legend
    font to ~13 px whatever the figure says; the figures carry their own template and fonts.
    """
    if presenting():
        scaled = presenter_figure(figure)
        title = scaled.layout.title.text
        if title:
            # Drawn above the plot by the chart element instead: at projector sizes a legend
            # above the plot (placed in the top margin) ran into the title; the legend's own
            # automargin keeps it clear of the plot, but plotly never makes room for both.
            title_size = scaled.layout.title.font.size or PRESENT_MIN_FONT
            top = scaled.layout.margin.t if scaled.layout.margin.t is not None else 100
            scaled.update_layout(title_text=None, margin_t=max(top - title_size - 16, 40))
        draw(scaled, key, presenter=True, title=title)
        return
    draw(figure, key, presenter=False)


@contextlib.contextmanager
def lazy_fold(label: str, key: str, icon: str | None = None) -> Iterator[bool]:
    """A fold (``st.expander``) whose body is drawn only while it is open; yields whether it is.

    A closed fold's elements were re-sent and re-rendered on every press of its section (~2–3
    ms each in the browser: BENCHMARKS.md, "Issue 18 (session 2026-12-05c)"). Its state is kept
    under ``key`` and a click reruns the section. Inside a closed fold the ``ui.url_state``
    widgets are kept off screen (``off_screen()``): each still returns its value (URL, session,
    preset, default) exactly as if drawn, so the block runs the same code open or closed; only
    other elements (columns, text) need ``if open:``.
    """
    with st.expander(label, icon=icon, key=key, on_change="rerun") as fold, \
            off_screen(not fold.open):
        yield bool(fold.open)


def code_panel(code: str, key: str) -> None:
    """Runnable PyTorch that reproduces the view above with the current settings.

    A lazy fold (``lazy_fold``): a closed panel costs a press nothing in the browser, where the
    highlighted code was re-rendered on every press; an open one follows every press as before.
    """
    with lazy_fold(t("common.code_title"), key, icon=":material/code:") as open_:
        if open_:
            st.caption(t("common.code_caption"))
            st.code(code, language="python")


# --- predict, then reveal ----------------------------------------------------------------
def ask(
    key: str,
    question: str,
    options: Mapping[str, str] | Sequence[str],
    correct: str | None,
    reveal: Callable[[], None],
    explain: str | None = None,
) -> str | None:
    """Ask the class to predict before the measured answer is shown.

    ``key``: unique on the page (the pick is kept in ``st.session_state[f"ask_{key}"]``, not
    in the URL). ``question``: translated text. ``options``: {option id: translated label} (or
    a list of labels). ``correct``: the option id that the CURRENT numbers make right (compute
    it from the Result, never hard-code it), or None for a question without a right answer.
    ``reveal()``: draws the measured answer (a metric, a sentence, even the section's chart).
    ``explain``: an optional sentence shown with the verdict (why, with the numbers).
    Returns the student's pick (an option id) or None.

    Question mode (``?ask=1``, or the sidebar switch): ``reveal()`` is not called until the
    student picks (or presses "Show the answer"); then "You said …" and whether the numbers
    agree appear above the answer. A class sees the question alone on the projector.

    Otherwise the page is a reference a student reads on their own: ``reveal()`` is drawn at
    once, and the question sits folded above it in one line, so nobody has to click through
    a quiz to see the chart, yet a student can still test themselves (the verdict appears
    inside the fold). The teacher chooses question mode for a lesson; a link opened later
    for revision shows the answers.

    Worked example (on /batchnorm, ``NS = "batchnorm"``, ``res`` the section's Result)::

        faster = "bn" if res.bn_steps < res.plain_steps else "plain"  # from the numbers
        ask("bn_speed", t(f"{NS}.ask.speed"),
            labels(f"{NS}.ask.speed_opt", ["bn", "plain"]), correct=faster,
            reveal=lambda: chart(curves_figure(res, text), "bn_curves"),
            explain=t(f"{NS}.ask.speed_why", bn=res.bn_steps, plain=res.plain_steps))

    with, in ``locales/batchnorm.toml``, ``[ask.speed]`` ("Which net reaches 90 % first?"),
    ``[ask.speed_opt.bn]``, ``[ask.speed_opt.plain]`` and ``[ask.speed_why]``.

    Text keys it uses are in common.toml (``common.ask.*``).
    """
    ids = list(options.keys()) if isinstance(options, Mapping) else list(options)
    names = dict(options) if isinstance(options, Mapping) else {o: o for o in options}
    pick_key, shown_key = f"ask_{key}", f"ask_{key}_shown"

    def question_block() -> str | None:
        pick = st.radio(question, ids, index=None, key=pick_key, format_func=names.get,
                        horizontal=True, label_visibility="collapsed")
        if pick is not None:
            _verdict(names, pick, correct, explain)
        return pick

    if asking():
        with st.container(border=True):
            st.markdown(f"**{t('common.ask.predict')}** {question}")
            pick = question_block()
            shown = pick is not None or st.session_state.get(shown_key, False)
            if not shown:
                st.button(t("common.ask.show"), key=f"ask_{key}_show",
                          on_click=lambda: st.session_state.update({shown_key: True}),
                          icon=":material/visibility:")
        if shown:
            reveal()
        return pick
    with st.expander(f"{t('common.ask.predict')} {question}", icon=":material/quiz:"):
        pick = question_block()
    reveal()
    return pick


def _verdict(names: Mapping[str, str], pick: str, correct: str | None,
             explain: str | None) -> None:
    said = t("common.ask.you_said", answer=names[pick])
    if correct is None:
        text, box = said, st.info
    elif pick == correct:
        text, box = f"{said} {t('common.ask.right')}", st.success
    else:
        text, box = f"{said} {t('common.ask.wrong', answer=names[correct])}", st.warning
    box(f"{text} {explain}" if explain else text)
