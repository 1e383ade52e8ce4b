"""Widgets whose state lives in the URL, so a copied link reopens the exact view.

Each ``url_*`` helper (1) seeds the widget from ``st.query_params`` the first time it is
drawn in a session, validating the value; (2) draws the widget with ``key`` as its state;
(3) writes the value back to the URL (omitted when it equals the default, to keep links
short). A value that does not parse or is out of range is dropped with a visible notice,
never a traceback. Presets work by setting ``st.session_state[key]`` in a button callback.

Classroom mode adds three things every page gets without edits:

- **Hidden controls** ``?hide=key1,key2``: a hidden widget is not drawn, but its value is still
  seeded from the URL (or the session) and returned, exactly as if it had been drawn.
- **Off screen** ``with off_screen():``: the same for every widget created inside the block (a
  closed fold, ``ui.page.lazy_fold``, whose widgets a press would otherwise re-send and the
  browser re-render for nothing). The values still come from the URL, the session, a preset,
  and are still written back to the URL and the store (where they live between runs).
- **Settings survive page switches**: Streamlit forgets the state of widgets that a run did not
  draw, so every value is also kept in a per-session store and re-seeded from it when the
  page is drawn again (a value in the URL still wins: it is what a shared link asked for).
- **A registry of the widgets drawn** (key -> section, default, label), filled as widgets are
  drawn. ``ui.page.presets`` uses it to reset the widgets of a section that a preset does not
  mention; the share panel uses it to offer the page's controls for hiding.

We do not use Streamlit's ``bind="query-params"``: it silently ignores bad values, and a
teacher whose link was mangled should be told why the view is not what they shared.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ui.i18n import t

NOTICE_SLOT = "_url_notice_slot"
HIDE_KEY = "hide"  # URL parameter: comma-separated widget keys not to draw
PRESENT_KEY = "present"  # URL parameter and session key: presenter view
ASK_KEY = "ask"  # URL parameter and session key: question mode (answers hidden until revealed)
_STORE = "_url_store"  # session key: {widget key: last value}, survives page switches
_REGISTRY = "_url_registry"  # session key: {widget key: WidgetInfo}
_SECTION = "_url_section"  # session key: (namespace, section) the widgets now drawn belong to
_HIDDEN = "_url_hidden"  # session key: frozenset of hidden widget keys
# True inside ``off_screen()``: widgets take the hidden path (per script thread, per block)
_OFF_SCREEN: ContextVar[bool] = ContextVar("url_off_screen", default=False)


@dataclass(frozen=True)
class WidgetInfo:
    """What the registry knows of a URL-bound widget drawn in this session."""

    key: str
    section: tuple[str, str | None]  # (page namespace, section name or None before any section)
    default: Any
    label: str
    # A slider's allowed values, for ui.compute's prefetch of the values beside the current
    # one: (min, max, step) of a numeric slider, or the options of a select slider.
    span: tuple[float, float, float] | None = None
    options: tuple | None = None


def set_section(namespace: str, name: str | None) -> None:
    """Widgets drawn from now on belong to this page section (``ui.page`` calls this)."""
    st.session_state[_SECTION] = (namespace, name)


def registry() -> dict[str, WidgetInfo]:
    """Every URL-bound widget drawn in this session, by key (the newest draw wins)."""
    return st.session_state.setdefault(_REGISTRY, {})


def section_defaults(keys: Sequence[str]) -> dict[str, Any]:
    """Defaults of every registered widget sharing a section with one of ``keys``."""
    known = registry()
    sections = {known[key].section for key in keys if key in known}
    return {key: info.default for key, info in known.items() if info.section in sections}


def _register(key: str, default: Any, label: str, span: tuple | None = None,
              options: tuple | None = None) -> None:
    section = st.session_state.get(_SECTION, ("", None))
    registry()[key] = WidgetInfo(key, section, default, label, span, options)


def hidden_keys() -> frozenset[str]:
    """The widget keys ``?hide=`` asks not to draw (kept for the session once seen)."""
    if HIDE_KEY in st.query_params:
        raw = ",".join(st.query_params.get_all(HIDE_KEY))
        st.session_state[_HIDDEN] = frozenset(k.strip() for k in raw.split(",") if k.strip())
    return st.session_state.get(_HIDDEN, frozenset())


def is_hidden(key: str) -> bool:
    return key in hidden_keys()


@contextmanager
def off_screen(active: bool = True) -> Iterator[None]:
    """Widgets created inside are not drawn (when ``active``) yet behave as if they were.

    Each ``url_*`` helper inside takes the ``?hide=`` path: the value comes from the session
    (a preset's click, or the widget's own value in the run that closes its fold), else the URL
    (a shared link), else the store (the value last used), else the default; it is returned,
    registered (presets reset it with its section) and written back to the URL and the store.
    So a closed fold's settings keep their values, follow a preset and a shared link, and
    reach the page's result exactly as if drawn. Between runs the value is in the store, not
    the session (see ``_hidden_value``), so the prefetch (``ui.compute``), which offers the
    values beside the sliders in the session, leaves out sliders that cannot be pressed.
    ``active=False`` changes nothing (blocks nest: an inner ``off_screen(False)`` does not
    bring back what an outer one keeps off).
    """
    token = _OFF_SCREEN.set(_OFF_SCREEN.get() or active)
    try:
        yield
    finally:
        _OFF_SCREEN.reset(token)


def _shown(key: str) -> bool:
    """Whether a URL-bound widget is drawn: not hidden by ``?hide=``, not ``off_screen()``."""
    return not _OFF_SCREEN.get() and not is_hidden(key)


def _flag(key: str) -> bool:
    """A classroom switch (present / ask): the URL when it says so, else the session's value."""
    if key in st.query_params:
        try:
            st.session_state[f"_{key}_flag"] = _bool_parser(st.query_params[key])
        except ValueError:
            st.session_state[f"_{key}_flag"] = False
    return bool(st.session_state.get(f"_{key}_flag", False))


def presenting() -> bool:
    """True in presenter view (``?present=1`` or the sidebar switch)."""
    return _flag(PRESENT_KEY)


def asking() -> bool:
    """True in question mode (``?ask=1``): every ``ask()`` answer stays hidden until revealed."""
    return _flag(ASK_KEY)


def set_flag(key: str, value: bool) -> None:
    """Set presenter view or question mode for this session and in the URL."""
    st.session_state[f"_{key}_flag"] = value
    if value:
        st.query_params[key] = "1"
    elif key in st.query_params:
        del st.query_params[key]


def _notify(key: str, raw: str, default: Any) -> None:
    message = t("common.bad_url_value", key=key, value=raw[:40], default=default)
    slot = st.session_state.get(NOTICE_SLOT)
    (slot if slot is not None else st).warning(message, icon="⚠️")


def _seed(key: str, default: Any, parse: Callable[[str], Any], many: bool = False) -> None:
    """Put the URL's value (else the session store's, else the default) into session state
    before the widget exists."""
    if key in st.session_state:
        return
    store = st.session_state.get(_STORE, {})
    value = store.get(key, default)
    if key in st.query_params:
        raw_values = st.query_params.get_all(key)
        raw = ",".join(raw_values)
        try:
            value = parse(raw) if not many else [parse(v) for v in raw.split(",") if v]
        except (ValueError, TypeError, KeyError):
            _notify(key, raw, default)
            del st.query_params[key]
    st.session_state[key] = value


def _publish(key: str, value: Any, default: Any, serialize: Callable[[Any], str] = str) -> None:
    st.session_state.setdefault(_STORE, {})[key] = value
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    else:
        st.query_params[key] = serialize(value)


def _hidden_value(key: str) -> Any:
    """The value of a widget not drawn (``?hide=``, ``off_screen()``): what _seed put in the
    session, or the widget's own value in the first run after it was last drawn.

    Off screen, the value then leaves the session and lives in the store and the URL only (as
    a widget of another page does; ``_publish`` writes both), and ``_seed`` brings it back on
    the next run. Kept in the session, the value ``_seed`` first set under the key would
    outlive the widget's own state: a slider moved in an open fold would jump back to it after
    a page switch."""
    value = st.session_state[key]
    if _OFF_SCREEN.get():
        del st.session_state[key]
    return value


def current_value(key: str, default: Any = None) -> Any:
    """A URL-bound widget's value now, drawn or not: the session's, else the store's (a widget
    off screen or on another page), else ``default``."""
    if key in st.session_state:
        return st.session_state[key]
    return st.session_state.get(_STORE, {}).get(key, default)


def _number_parser(kind: type, lo: float, hi: float, options: Sequence | None = None) -> Callable:
    def parse(raw: str) -> Any:
        value = kind(float(raw)) if kind is int and float(raw).is_integer() else kind(raw)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("not finite")
        if not lo <= value <= hi:
            raise ValueError("out of range")
        if options is not None:  # snap to the nearest allowed value (select_slider)
            value = min(options, key=lambda o: abs(o - value))
        return value

    return parse


def _format_number(value: float) -> str:
    return f"{value:g}"


def url_slider(
    key: str, label: str, min_value: float, max_value: float, default: float,
    step: float | None = None, help: str | None = None, format: str | None = None,
) -> Any:
    """A numeric slider (int if every bound is int) bound to ``?key=``."""
    kind = int if all(isinstance(v, int) for v in (min_value, max_value, default)) else float
    _seed(key, default, _number_parser(kind, min_value, max_value))
    _register(key, default, label, span=(min_value, max_value,
                                         step if step is not None else 1 if kind is int else 0.01))
    value = _hidden_value(key) if not _shown(key) else st.slider(
        label, min_value, max_value, step=step, key=key, help=help, format=format)
    _publish(key, value, default, _format_number)
    return value


def url_end_slider(key: str, label: str, end: int, help: str | None = None) -> int:
    """A 0..``end`` step slider (the step shown of a run of ``end`` steps), at ``end`` by
    default, whose range follows ``end``. A changed range makes Streamlit build a new slider
    that would start at 0 (the run would vanish): it is handed its place instead. At the end
    of the old range it follows to the new end; elsewhere it keeps its step, clamped."""
    if key in st.session_state:
        previous = st.session_state.get(f"_{key}_end", end)
        place = st.session_state[key]
        st.session_state[key] = end if place >= previous else min(place, end)
    st.session_state[f"_{key}_end"] = end
    return url_slider(key, label, 0, end, end, help=help)


def url_log_slider(
    key: str, label: str, options: Sequence[float], default: float, help: str | None = None,
) -> float:
    """A slider over log-spaced choices (learning rates), shown as numbers; ``?key=0.03``."""
    _seed(key, default, _number_parser(float, min(options), max(options), options))
    _register(key, default, label, options=tuple(options))
    value = _hidden_value(key) if not _shown(key) else st.select_slider(
        label, options=list(options), key=key, help=help, format_func=_format_number)
    _publish(key, value, default, _format_number)
    return value


def _choice_parser(options: Sequence[str]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in options:
            raise ValueError("not an option")
        return raw

    return parse


def url_select(
    key: str, label: str, options: Sequence[str], default: str,
    format_func: Callable[[str], str] = str, help: str | None = None, horizontal: bool = True,
) -> str:
    """One choice among ``options`` (stored in the URL by its id, not its translated label)."""
    _seed(key, default, _choice_parser(options))
    _register(key, default, label)
    if not _shown(key):
        value = _hidden_value(key)
    elif horizontal and len(options) <= 6:
        value = st.radio(label, options, key=key, format_func=format_func, help=help,
                         horizontal=True)
    else:
        value = st.selectbox(label, options, key=key, format_func=format_func, help=help)
    _publish(key, value, default)
    return value


def url_multiselect(
    key: str, label: str, options: Sequence[str], default: Sequence[str],
    format_func: Callable[[str], str] = str, help: str | None = None,
) -> list[str]:
    """Several choices; ``?key=a,b``. An unknown id drops the whole value with a notice."""
    _seed(key, list(default), _choice_parser(options), many=True)
    _register(key, list(default), label)
    value = _hidden_value(key) if not _shown(key) else st.multiselect(
        label, options, key=key, format_func=format_func, help=help)
    _publish(key, list(value), list(default), ",".join)
    return list(value)


def _bool_parser(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "on", "yes"):
        return True
    if lowered in ("0", "false", "off", "no"):
        return False
    raise ValueError("not a boolean")


def url_toggle(key: str, label: str, default: bool, help: str | None = None) -> bool:
    _seed(key, default, _bool_parser)
    _register(key, default, label)
    value = _hidden_value(key) if not _shown(key) else st.toggle(label, key=key, help=help)
    _publish(key, value, default, lambda v: "1" if v else "0")
    return value


def url_language() -> str:
    """The language switch. Unlike other widgets its value always stays in the URL, so a
    shared link opens in the language it was shared in, whatever the reader's browser says."""
    from ui.i18n import LANG_KEY, LANG_NAMES, LANGS, browser_lang

    _seed(LANG_KEY, browser_lang(), _choice_parser(LANGS))
    value = st.radio("Language · 언어", LANGS, key=LANG_KEY, format_func=LANG_NAMES.get,
                     horizontal=True)
    st.query_params[LANG_KEY] = value
    return value
