"""Widgets whose state lives in the URL, so a copied link reopens the exact view.

Each ``url_*`` helper (1) seeds the widget from ``st.query_params`` the first time it is
drawn in a session, validating the value; (2) draws the widget with ``key`` as its state;
(3) writes the value back to the URL (omitted when it equals the default, to keep links
short). A value that does not parse or is out of range is dropped with a visible notice,
never a traceback. Presets work by setting ``st.session_state[key]`` in a button callback.

We do not use Streamlit's ``bind="query-params"``: it silently ignores bad values, and a
teacher whose link was mangled should be told why the view is not what they shared.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from ui.i18n import t

NOTICE_SLOT = "_url_notice_slot"


def _notify(key: str, raw: str, default: Any) -> None:
    message = t("common.bad_url_value", key=key, value=raw[:40], default=default)
    slot = st.session_state.get(NOTICE_SLOT)
    (slot if slot is not None else st).warning(message, icon="⚠️")


def _seed(key: str, default: Any, parse: Callable[[str], Any], many: bool = False) -> None:
    """Put the URL's value (or the default) into session state before the widget exists."""
    if key in st.session_state:
        return
    value = default
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
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    else:
        st.query_params[key] = serialize(value)


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
    value = st.slider(label, min_value, max_value, step=step, key=key, help=help, format=format)
    _publish(key, value, default, _format_number)
    return value


def url_log_slider(
    key: str, label: str, options: Sequence[float], default: float, help: str | None = None,
) -> float:
    """A slider over log-spaced choices (learning rates), shown as numbers; ``?key=0.03``."""
    _seed(key, default, _number_parser(float, min(options), max(options), options))
    value = st.select_slider(label, options=list(options), key=key, help=help,
                             format_func=_format_number)
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
    if horizontal and len(options) <= 6:
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
    value = st.multiselect(label, options, key=key, format_func=format_func, help=help)
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
    value = st.toggle(label, key=key, help=help)
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
