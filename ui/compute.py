"""Every computation a page shows passes through here: cached across sessions, bounded.

The admission gate (at most K computations at once, first come first served, single flight
per key, one memory budget for every cache) belongs in this module, so pages never see it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TypeVar

import streamlit as st

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


@contextmanager
def admitted(label: str | None = None) -> Iterator[None]:
    """Hold one of the gate's K computing slots for the body (live training ticks use this).

    While the slot is not free, the session shows "waiting — N ahead of you".
    (Placeholder until the gate lands: admits at once.)
    """
    yield
