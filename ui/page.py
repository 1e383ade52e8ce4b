"""The anatomy every page shares: title and intro, presets, sections, notes, code panel."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from functools import cache
from typing import Any, TypeVar

import plotly.graph_objects as go
import streamlit as st

from ui.i18n import t
from ui.url_state import NOTICE_SLOT

R = TypeVar("R")

# Runs are shared by every session of the server; bounded so a class cannot fill memory.
CACHE_MAX_ENTRIES = 128
CACHE_TTL_SECONDS = 6 * 3600
CACHE_MAX_BYTES = "200MB"  # per cached function


@cache
def cached(run: Callable[..., R]) -> Callable[..., R]:
    """``run`` memoized across sessions by its (hashable, frozen-dataclass) arguments."""
    return st.cache_data(max_entries=CACHE_MAX_ENTRIES, ttl=CACHE_TTL_SECONDS,
                         max_size=CACHE_MAX_BYTES, show_spinner=False)(run)


# Runs that report progress cannot go through st.cache_data: it records the st calls made
# inside the function (the progress bar updates) and replays them on a hit, into a bar
# that no longer exists (KeyError in cached_message_replay). They get this small LRU
# instead: shared across sessions, bounded, expiring, and never copied, so callers must
# treat the result as read-only (results are frozen dataclasses of numpy arrays).
_progress_cache: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
_progress_lock = threading.Lock()


def run_with_progress(run: Callable[..., R], cfg: Hashable, label: str) -> R:
    """``run(cfg, _on_progress=...)`` with a progress bar while it computes, cached by cfg."""
    key = (run.__module__, run.__qualname__, cfg)
    now = time.monotonic()
    with _progress_lock:
        hit = _progress_cache.get(key)
        if hit is not None and now - hit[0] < CACHE_TTL_SECONDS:
            _progress_cache.move_to_end(key)
            return hit[1]  # type: ignore[return-value]
    bar = st.progress(0.0, text=label)
    result = run(cfg, _on_progress=lambda fraction: bar.progress(min(max(fraction, 0.0), 1.0),
                                                                  text=label))
    bar.empty()
    with _progress_lock:
        _progress_cache[key] = (now, result)
        while len(_progress_cache) > CACHE_MAX_ENTRIES:
            _progress_cache.popitem(last=False)
    return result


def page_header(namespace: str) -> None:
    """Title, one-paragraph intro, and the slot where bad-URL notices appear."""
    st.title(t(f"{namespace}.title"))
    st.markdown(t(f"{namespace}.intro"))
    st.session_state[NOTICE_SLOT] = st.container()


def presets(namespace: str, table: Mapping[str, Mapping[str, Any]]) -> None:
    """One button per named preset; a click sets those widgets (by key) before the rerun.

    ``table``: preset id -> {widget key: value}; labels come from ``<namespace>.preset.<id>``.
    """

    def apply(values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            st.session_state[key] = value

    st.markdown(f"**{t('common.presets')}**")
    columns = st.columns(len(table))
    for column, (preset_id, values) in zip(columns, table.items()):
        column.button(
            t(f"{namespace}.preset.{preset_id}"),
            key=f"preset_{preset_id}",
            on_click=apply,
            args=(values,),
            help=t(f"{namespace}.preset.{preset_id}_help"),
            width="stretch",
        )


def section(namespace: str, name: str) -> None:
    """A section heading and a sentence on what the reader is about to see."""
    st.header(t(f"{namespace}.{name}.title"), divider="gray")
    st.markdown(t(f"{namespace}.{name}.what"))


def notice(text: str) -> None:
    """The 'what to notice' box under a result."""
    st.info(f"**{t('common.notice')}** {text}", icon=":material/lightbulb:")


def chart(figure: go.Figure, key: str) -> None:
    st.plotly_chart(figure, key=key, config={"displaylogo": False}, width="stretch")


def code_panel(code: str, key: str) -> None:
    """Runnable PyTorch that reproduces the view above with the current settings."""
    with st.expander(t("common.code_title"), icon=":material/code:"):
        st.caption(t("common.code_caption"))
        st.code(code, language="python")
