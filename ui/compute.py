"""Every computation a page shows passes through here: one gate, one bounded store.

A class shares one app process per worker. Without a gate, 30 runs started together share
one GIL and all finish together at the end; with it:

- **Gate**: at most K computations run at once in this process (K = cores per worker,
  ``DLE_GATE_SLOTS`` to override), first come first served. A session that has to wait sees
  "waiting — N ahead of you" in place of its result instead of everyone slowing down.
- **Single flight**: a key (the run and its arguments) is computed once at a time; 30
  students pressing one preset wait for the first one's run and reuse its result.
- **One store** for every cached result (core runs, progress runs, built figures) under
  one memory budget (``DLE_CACHE_MB``), estimated from numpy/torch sizes, expiring after
  ``CACHE_TTL_SECONDS`` and evicted least recently used first.

Results are shared, not copied (st.cache_data pickled and copied them): they are frozen
dataclasses and their numpy arrays are made read-only when stored, so a page that writes
into one fails loudly instead of changing what other students see.

Pages use ``cached(run)(cfg)``, ``run_with_progress(run, cfg, label)`` (both re-exported by
ui.page), ``figure(builder, *args)`` for charts built from cached results, and live ticks
``with admitted(label):``.
"""

from __future__ import annotations

import atexit
import bisect
import dataclasses
import functools
import gc
import hashlib
import itertools
import json
import math
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np
import pandas  # noqa: F401  (see below)
import streamlit as st
import torch  # noqa: F401  (imported before the freeze below, so the freeze covers it)
from plotly.basedatatypes import BaseFigure

from core.training.loop import yielding_to
from ui.i18n import t

R = TypeVar("R")

# pandas is imported above, once, before any page can build a figure: plotly's validators
# look pandas up in sys.modules without importing it, so a session building a figure while
# another session's thread is still importing pandas would find it partially initialised.

# Everything imported so far (torch, plotly, pandas, streamlit: ~0.5 million objects) lives as
# long as the process. A full collection walks all of them: 0.5-0.9 s holding the GIL on the
# class server's cores, and every session waits. Moved to the permanent generation once, a
# full collection only visits what the app made since. (Streamlit's own gc.collect after
# every script run is switched off in .streamlit/config.toml: runner.postScriptGC.)
gc.collect()
gc.freeze()

CACHE_TTL_SECONDS = 6 * 3600
# DLE_LOG_RUN_TIMES=1: each computation's and each built figure's time on stderr, to see
# where a cold move's server time goes (benchmarks/bench_load.py --by-page, bench_browser.py).
LOG_TIMES = bool(os.environ.get("DLE_LOG_RUN_TIMES"))
WAIT_POLL_SECONDS = 0.25  # how often a waiting session re-checks (and may be interrupted)
# A live tick lets presses asked up to this much later go first (``admitted(live=True)``): with
# 30 players a round of queued ticks is ~1 s per process, and a slider waited for all of it.
LIVE_TICK_YIELD = 1.0


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_slots() -> int:
    """K: ``DLE_GATE_SLOTS``, else the cores each app process gets (``DLE_WORKERS`` processes
    share the machine, set by scripts/serve.sh), at least 1."""
    if os.environ.get("DLE_GATE_SLOTS"):
        return max(1, int(os.environ["DLE_GATE_SLOTS"]))
    workers = max(1, int(os.environ.get("DLE_WORKERS", "1")))
    return max(1, _cores() // workers)


def default_budget_bytes() -> int:
    return int(float(os.environ.get("DLE_CACHE_MB", "256")) * 1e6)


# --- the gate ---------------------------------------------------------------------------

class Gate:
    """At most ``slots`` holders at once; waiters are admitted strictly in arrival order."""

    def __init__(self, slots: int):
        self.slots = slots
        self.running = 0
        self._queue: list[tuple[float, int]] = []  # (priority, arrival), kept sorted
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._held = threading.local()  # slots this thread holds: nested use takes no new one
        self.last_wait = -math.inf  # monotonic time a caller last had to queue (prefetch reads it)

    def holds(self) -> bool:
        """Whether the calling thread holds a slot."""
        return getattr(self._held, "depth", 0) > 0

    def waiting(self) -> int:
        with self._cond:
            return len(self._queue)

    def acquire(self, on_wait: Callable[[int], None] | None = None,
                poll: float = WAIT_POLL_SECONDS, priority: float | None = None) -> None:
        """Take a slot. While waiting, ``on_wait(ahead)`` is called from this thread (at once,
        whenever the number of waiters ahead changes, and every ``poll`` seconds so a
        Streamlit session can be interrupted by its user's next rerun). If it raises, the
        place in the queue is given up and the exception propagates. Reentrant: a thread that
        already holds a slot (a cached run inside a live tick) goes on without a second one,
        which with K = 1 would wait for itself forever."""
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            return
        self._acquire(on_wait, poll, priority)
        self._held.depth = 1

    def _acquire(self, on_wait: Callable[[int], None] | None, poll: float,
                 priority: float | None) -> None:
        ticket = (time.monotonic() if priority is None else priority, next(self._seq))
        with self._cond:
            if not self._queue and self.running < self.slots:
                self.running += 1
                return
            bisect.insort(self._queue, ticket)
            self.last_wait = time.monotonic()
        try:
            while True:
                with self._cond:
                    if self._queue[0] == ticket and self.running < self.slots:
                        self._queue.pop(0)
                        self.running += 1
                        self._cond.notify_all()  # the next one may fit too
                        return
                    ahead = self._queue.index(ticket)
                if on_wait is not None:
                    on_wait(ahead)
                with self._cond:
                    if not (self._queue[0] == ticket and self.running < self.slots):
                        self._cond.wait(poll)
        except BaseException:
            with self._cond:
                if ticket in self._queue:
                    self._queue.remove(ticket)
                self._cond.notify_all()
            raise

    def try_acquire_idle(self) -> bool:
        """Take a slot only if nobody holds one or waits for one (prefetch: lowest priority,
        it never queues). Release with ``release``."""
        if getattr(self._held, "depth", 0):
            return False
        with self._cond:
            if self._queue or self.running:
                return False
            self.running += 1
        self._held.depth = 1
        return True

    def release(self) -> None:
        self._held.depth -= 1
        if self._held.depth:
            return
        with self._cond:
            self.running -= 1
            self._cond.notify_all()

    @contextmanager
    def slot(self, on_wait: Callable[[int], None] | None = None,
             priority: float | None = None) -> Iterator[None]:
        self.acquire(on_wait, priority=priority)
        try:
            yield
        finally:
            self.release()


# --- the store --------------------------------------------------------------------------

def size_of(obj: Any, _seen: set[int] | None = None, _depth: int = 0) -> int:
    """Estimated bytes held by ``obj``: numpy/torch buffers exactly, containers walked."""
    seen = set() if _seen is None else _seen
    if id(obj) in seen or _depth > 12:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes + 112
    if type(obj).__module__.startswith("torch") and hasattr(obj, "element_size"):
        return obj.element_size() * obj.nelement() + 200
    if isinstance(obj, (str, bytes)):
        return sys.getsizeof(obj)
    if isinstance(obj, dict):
        return sys.getsizeof(obj) + sum(size_of(k, seen, _depth + 1) + size_of(v, seen, _depth + 1)
                                        for k, v in obj.items())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return sys.getsizeof(obj) + sum(size_of(v, seen, _depth + 1) for v in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sys.getsizeof(obj) + sum(size_of(getattr(obj, f.name), seen, _depth + 1)
                                        for f in dataclasses.fields(obj))
    if isinstance(obj, _SharedFigure):
        return obj.nbytes
    return sys.getsizeof(obj)


def _freeze_arrays(obj: Any, _depth: int = 0) -> None:
    """Make every numpy array reachable from a stored result read-only."""
    if _depth > 8:
        return
    if isinstance(obj, np.ndarray):
        obj.flags.writeable = False
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _freeze_arrays(v, _depth + 1)
    elif isinstance(obj, dict):
        for v in obj.values():
            _freeze_arrays(v, _depth + 1)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            _freeze_arrays(getattr(obj, f.name), _depth + 1)


class Store:
    """Thread-safe LRU with a byte budget and a time to live, shared by every session."""

    def __init__(self, budget_bytes: int, ttl: float = CACHE_TTL_SECONDS):
        self.budget, self.ttl = budget_bytes, ttl
        self.bytes = 0
        self._items: OrderedDict[Hashable, tuple[float, int, Any]] = OrderedDict()
        self._tokens: dict[int, tuple[Any, Hashable]] = {}  # id(value) -> (value, key)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> tuple[bool, Any]:
        now = time.monotonic()
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return False, None
            if now - item[0] > self.ttl:
                self._drop(key)
                return False, None
            self._items.move_to_end(key)
            return True, item[2]

    def peek(self, key: Hashable) -> tuple[bool, Any]:
        """Like ``get`` without counting as a use (prefetch asks; the order stays)."""
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > self.ttl:
                return False, None
            return True, item[2]

    def put(self, key: Hashable, value: Any, nbytes: int | None = None) -> bool:
        """Store ``value`` (False if it alone exceeds the budget: then it is not kept)."""
        nbytes = size_of(value) if nbytes is None else nbytes
        if nbytes > self.budget:
            return False
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (time.monotonic(), nbytes, value)
            self._tokens[id(value)] = (value, key)
            self.bytes += nbytes
            while self.bytes > self.budget:
                self._drop(next(iter(self._items)))
        return True

    def token(self, value: Any) -> Hashable | None:
        """The key under which this very object is stored (cheap identity for figure keys)."""
        with self._lock:
            entry = self._tokens.get(id(value))
            return entry[1] if entry is not None and entry[0] is value else None

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._tokens.clear()
            self.bytes = 0

    def _drop(self, key: Hashable) -> None:
        _, nbytes, value = self._items.pop(key)
        self.bytes -= nbytes
        entry = self._tokens.get(id(value))
        if entry is not None and entry[0] is value:
            del self._tokens[id(value)]


# --- keys -------------------------------------------------------------------------------

class Unkeyable(TypeError):
    """An argument that can be neither hashed nor frozen by value."""


def freeze(obj: Any, _depth: int = 0) -> Hashable:
    """A hashable key for ``obj`` by value; a stored result is keyed by its store key."""
    token = STORE.token(obj) if not isinstance(obj, (str, int, float, bool, type(None))) else None
    if token is not None:
        return ("stored", token)
    if _depth > 8:
        raise Unkeyable("argument nested too deeply to key")
    if isinstance(obj, np.ndarray):
        data = np.ascontiguousarray(obj)
        return ("ndarray", data.dtype.str, data.shape, hashlib.blake2b(data.tobytes(), digest_size=16).digest())
    if type(obj).__module__.startswith("torch") and hasattr(obj, "numpy"):
        return ("tensor", freeze(obj.detach().cpu().numpy(), _depth + 1))
    if isinstance(obj, dict):
        return ("dict", tuple(sorted((repr(k), freeze(v, _depth + 1)) for k, v in obj.items())))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, tuple(freeze(v, _depth + 1) for v in obj))
    try:
        hash(obj)
        return obj
    except TypeError:
        pass
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__qualname__, tuple(freeze(getattr(obj, f.name), _depth + 1)
                                              for f in dataclasses.fields(obj)))
    raise Unkeyable(f"cannot key a {type(obj).__name__}")


def _key(kind: str, fn: Callable, args: tuple, kwargs: dict) -> Hashable:
    name = (kind, getattr(fn, "__module__", ""), getattr(fn, "__qualname__", repr(fn)))
    try:
        key = (name, args, tuple(sorted(kwargs.items())))
        hash(key)
        return key
    except TypeError:
        return (name, freeze(args), freeze(kwargs))


# --- single flight ----------------------------------------------------------------------

class _Flight:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False
        self.value: Any = None
        self.error: BaseException | None = None
        self.progress = 0.0  # progress runs: the leader's fraction, mirrored by followers
        self.running = False  # the leader holds a gate slot
        self.wanted = False  # a page run waits for this value (a prefetch is then not cancelled)
        self.prefetch = False  # the leader is the prefetch worker, not a student


GATE = Gate(default_slots())
STORE = Store(default_budget_bytes())
_flights: dict[Hashable, _Flight] = {}
_flights_lock = threading.Lock()


class _Notice:
    """The waiting message: a placeholder created only if this session has to wait."""

    def __init__(self) -> None:
        self._slot: Any = None
        self._shown: tuple | None = None
        self._when = 0.0

    def show(self, text: str) -> None:
        now = time.monotonic()
        if (text,) == self._shown and now - self._when < 1.0:
            return  # re-sent every second anyway: each send lets a rerun interrupt the wait
        if self._slot is None:
            self._slot = st.empty()
        self._slot.info(text, icon=":material/hourglass_top:")
        self._shown, self._when = (text,), now

    def clear(self) -> None:
        if self._slot is not None:
            self._slot.empty()
            self._slot = None


NOTICE: Callable[[], Any] = _Notice  # tests substitute a recording fake


def _run_priority() -> float | None:
    """When this session's current script run first asked the gate for a slot.

    Waiters are served in that order, not by the time of each request: a page makes several
    computations one after another, and ordering them one by one would send a student who
    came first to the back of the queue after each of them, so that every page of a class
    would finish at the end (processor sharing again). Served by run, pages complete in the
    order students asked for them. None outside a Streamlit run (tests, bare mode)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        run = get_script_run_ctx().parallel_coordinator  # a new object for every script run
    except Exception:
        return None
    since = getattr(run, "_dle_gate_since", None)
    if since is None:
        since = time.monotonic()
        try:
            run._dle_gate_since = since
        except Exception:
            return None
    return since


def log_time(kind: str, key: Hashable, started: tuple[float, float]) -> None:
    """``<kind> <name> <wall>s cpu <this thread's CPU>s`` on stderr, since ``started`` =
    (perf_counter, thread_time). Under load the wall time includes waiting for the GIL; the
    thread's CPU time is the work itself. ``key``: a store key (its function's name is
    printed) or a plain name."""
    name = key[0][2] if isinstance(key, tuple) and isinstance(key[0], tuple) else key
    print(f"{kind} {name} {time.perf_counter() - started[0]:.3f}s "
          f"cpu {time.thread_time() - started[1]:.3f}s", file=sys.stderr, flush=True)


def _gate_text(ahead: int) -> str:
    return t("common.gate_next") if ahead == 0 else t("common.gate_waiting", ahead=ahead)


def _compute(key: Hashable, fn: Callable[[_Flight], R], notice: Any,
             on_follow: Callable[[_Flight], None] | None = None) -> R:
    """The value for ``key``: from the store, from another session's run of the same key,
    or computed here by ``fn(flight)`` inside a gate slot."""
    while True:
        hit, value = STORE.get(key)
        if hit:
            _mark_activity()
            return value
        with _flights_lock:
            flight = _flights.get(key)
            leader = flight is None
            if leader:
                flight = _flights[key] = _Flight()
            else:
                flight.wanted = True  # before marking activity: a prefetch leader goes on
        _mark_activity()
        if leader:
            try:
                with GATE.slot(lambda ahead: notice.show(_gate_text(ahead)), _run_priority()):
                    notice.clear()
                    flight.running = True
                    started = time.perf_counter(), time.thread_time()
                    value = fn(flight)
                    if LOG_TIMES:
                        log_time("compute", key, started)
                if dataclasses.is_dataclass(value) or isinstance(value, (tuple, list, dict, np.ndarray)):
                    _freeze_arrays(value)
                STORE.put(key, value)
                flight.value, flight.ok = value, True
                return value
            except Exception as exc:  # shared with the sessions waiting now, never stored
                flight.error = exc
                raise
            finally:  # also on a rerun/stop of this session: the waiters then retry
                with _flights_lock:
                    del _flights[key]
                flight.done.set()
        if GATE.holds() and not flight.running:
            # We hold a slot (a cached run inside a live tick) and the leader is queued for
            # one: waiting for it could wait for ourselves. Compute here instead.
            value = fn(_Flight())
            STORE.put(key, value)
            return value
        while not flight.done.wait(WAIT_POLL_SECONDS):
            if on_follow is not None and flight.running:
                on_follow(flight)
            else:
                notice.show(t("common.gate_ahead") if flight.running and flight.prefetch
                            else t("common.gate_same") if flight.running
                            else _gate_text(GATE.waiting()))
        if flight.ok:
            return flight.value
        if flight.error is not None:
            raise flight.error
        # the leader's session was interrupted before finishing: try again (maybe as leader)


def cached(run: Callable[..., R]) -> Callable[..., R]:
    """``run`` memoized across sessions by its arguments (frozen dataclass configs), through
    the gate, single flight, in the one store. Results are shared: treat them as read-only."""
    return _cached(run)


@functools.cache
def _cached(run: Callable[..., R]) -> Callable[..., R]:
    @functools.wraps(run)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        _record("run", run, args, kwargs)
        notice = NOTICE()
        try:
            return _compute(_key("run", run, args, kwargs), lambda _f: run(*args, **kwargs), notice)
        finally:
            notice.clear()

    return wrapper


# Seconds between two updates of a progress bar. Every update is a message the browser renders
# (a run of 60 epochs in 0.25 s sent ~56 of them, ~1 ms each of a press's drawing); each one
# is also where Streamlit can stop the script for a newer press, so a press waits at most this
# long for a run it superseded.
BAR_EVERY = 0.1


def run_with_progress(run: Callable[..., R], cfg: Hashable, label: str) -> R:
    """``run(cfg, _on_progress=...)`` with a progress bar while it computes, cached by cfg.

    Progress runs do not go through st.cache_data (it would replay the bar's updates on a
    hit, into a bar that no longer exists); here nothing is replayed. A session waiting for
    another session's run of the same cfg follows that run's progress in its own bar."""
    _record("progress", run, (cfg,), {})
    notice = NOTICE()
    bar: list[Any] = []
    shown_at = [-math.inf]

    def show(fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        if not bar:
            notice.clear()
            bar.append(st.progress(fraction, text=label))
        elif time.monotonic() - shown_at[0] >= BAR_EVERY:
            bar[0].progress(fraction, text=label)
        else:
            return
        shown_at[0] = time.monotonic()

    def compute(flight: _Flight) -> R:
        def on_progress(fraction: float) -> None:
            flight.progress = fraction
            show(fraction)
        show(0.0)
        return run(cfg, _on_progress=on_progress)

    try:
        return _compute(_key("progress", run, (cfg,), {}), compute, notice,
                        on_follow=lambda flight: show(flight.progress))
    finally:
        notice.clear()
        if bar:
            bar[0].empty()


@contextmanager
def admitted(label: str | None = None, live: bool = False) -> Iterator[None]:
    """Hold one of the gate's K computing slots for the body (live training ticks use this).

    ``live``: a timer's tick, not a person's press. It queues as if it had asked
    LIVE_TICK_YIELD seconds later, so a press (a slider, Step) goes before the ticks queued
    just ahead of it instead of waiting for a whole class's round of ticks; ticks keep their
    order among themselves and wait at most that much longer, so every player still advances.
    While no slot is free, the session shows "waiting — N ahead of you"."""
    notice = NOTICE()
    _mark_activity()
    priority = _run_priority()
    if live:
        priority = (time.monotonic() if priority is None else priority) + LIVE_TICK_YIELD
    try:
        with GATE.slot(lambda ahead: notice.show(_gate_text(ahead)), priority):
            notice.clear()
            yield
    finally:
        notice.clear()


# --- built figures ----------------------------------------------------------------------

class _SharedFigure(BaseFigure):
    """A figure built once and kept as a plain JSON-ready dict, shared by every session.

    The chart element (``ui.chart_element``) only calls ``to_dict()`` on a figure: this returns a fresh copy of
    the stored dict (lists of floats copied at C speed), skipping plotly's object model,
    validation and deep copy. Anything else (``update_layout``…) is not supported: build
    the finished figure in the builder."""

    def __init__(self, spec: dict, nbytes: int):  # noqa: D107 - no BaseFigure.__init__ on purpose
        object.__setattr__(self, "_dle_spec", spec)
        object.__setattr__(self, "nbytes", nbytes)

    def to_dict(self) -> dict:
        return _copy_json(self._dle_spec)

    def to_plotly_json(self) -> dict:
        return self.to_dict()

    def __reduce__(self):  # pragma: no cover - never pickled by the app
        return (_SharedFigure, (self._dle_spec, self.nbytes))


def _copy_json(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy_json(v) for k, v in node.items()}
    if isinstance(node, list):
        if node and isinstance(node[0], (dict, list)):
            return [_copy_json(v) for v in node]
        return list(node)
    return node


def figure(builder: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``builder(*args, **kwargs)`` (a go.Figure) built once per distinct arguments and
    shared: a warm rerun skips building and validating the figure. Arguments are keyed by
    value (translated texts, numbers, configs); a result that came from ``cached`` is keyed
    by its store key, for free. Not through the gate: a figure is quick, and a gate slot
    would make a warm page wait behind a cold one."""
    try:
        key = _key("figure", builder, args, kwargs)
    except Unkeyable:
        return builder(*args, **kwargs)
    _mark_activity()
    _record("figure", builder, args, kwargs)
    return _built_figure(key, builder, args, kwargs)


def _built_figure(key: Hashable, builder: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """The stored figure under ``key``, else built, stored and returned (page or prefetch)."""
    hit, value = STORE.get(key)
    if hit:
        return value
    started = time.perf_counter(), time.thread_time()
    built = builder(*args, **kwargs)
    text = built.to_json(validate=False) if isinstance(built, BaseFigure) else None
    if LOG_TIMES:
        log_time("figure", key, started)
    if text is None:
        return built
    shared = _SharedFigure(json.loads(text), nbytes=4 * len(text))
    STORE.put(key, shared, nbytes=shared.nbytes)
    return shared


def derived(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """``fn(*args, **kwargs)`` memoized in the store like ``figure`` (tables, claims and other
    quick, pure derivations of cached results). Shared: treat the value as read-only."""
    try:
        key = _key("derived", fn, args, kwargs)
    except Unkeyable:
        return fn(*args, **kwargs)
    _mark_activity()
    _record("derived", fn, args, kwargs)
    return _derived_value(key, fn, args, kwargs)


def _derived_value(key: Hashable, fn: Callable[..., R], args: tuple, kwargs: dict) -> R:
    hit, value = STORE.get(key)
    if hit:
        return value
    value = fn(*args, **kwargs)
    STORE.put(key, value)
    return value


# --- prefetch: the next press computed before it comes ----------------------------------
#
# Each page run records the computations it asked for (``cached(run)(cfg)`` and
# ``run_with_progress(run, cfg)``) together with the sliders of the page drawn before each
# call: their values and the allowed values beside them (ui.url_state's registry). When the
# whole process has been quiet for PREFETCH_IDLE_SECONDS, nobody holds or waits for a gate
# slot and nobody had to wait for PREFETCH_CALM_SECONDS (a class under load never sees a
# prefetch), a worker thread recomputes each recorded call with one slider moved one step:
# every number in the call's arguments (frozen dataclass configs, walked recursively) equal to
# the slider's value is replaced by the neighbouring value, one place at a time. The result
# goes into the one store under the key the real press will ask for, so single flight serves
# that press from it (or from the prefetch still running: the press follows it). The page's
# ``figure(builder, result, texts…)`` calls are recorded too: once a guess is stored, the
# figures the page built from the result it varies are built from the guess, so the press
# finds its charts built as well.
#
# Pages need no edit: a config built from slider values field by field is covered. Not
# covered: a slider whose value reaches the config transformed (scaled, converted to a name)
# and calls whose argument is another call's result; a wrong guess costs CPU only while idle.
#
# Yielding: a prefetch takes a slot only when the gate is idle (it never queues); any page
# work in this process (a cached lookup, a figure, a live tick) after it started cancels a
# progress run at its next progress tick, and no further prefetch starts. A plain cached run
# cannot be interrupted: it finishes (these are the short ones). Prefetched values fill at
# most PREFETCH_FILL of the store's budget, so they never push out more than the rest of it.

PREFETCH = os.environ.get("DLE_PREFETCH", "1") != "0"  # DLE_PREFETCH=0 turns it off
PREFETCH_IDLE_SECONDS = 1.2
PREFETCH_CALM_SECONDS = 30.0
PREFETCH_FILL = 0.75
PREFETCH_MAX_JOBS = 24  # per session and page run: the nearest values of every slider
PREFETCH_POLL_SECONDS = 0.2
_MAX_PLANS = 64  # sessions remembered (most recently active kept)

_last_activity = -math.inf  # monotonic time of the last page work in this process


def _mark_activity() -> None:
    global _last_activity
    _last_activity = time.monotonic()


class _Cancelled(Exception):
    """A prefetch gave way to real work."""


@dataclasses.dataclass
class _Call:
    # "run" (cached), "progress" (run_with_progress): computations a guess varies;
    # "derived", "figure": built from their results (a guess's are built after it)
    kind: str
    fn: Callable
    args: tuple
    kwargs: dict
    sliders: dict[str, tuple[Any, tuple]]  # key -> (value, neighbouring values), at call time
    move: tuple[str, Any, Any] | None = None  # a guess: (slider, its value, the value guessed)


_FOLLOWERS = ("derived", "figure")


@dataclasses.dataclass
class _Plan:
    run: Any  # the script run that recorded the calls
    calls: list[_Call] = dataclasses.field(default_factory=list)
    moved: tuple[str, float] | None = None  # the slider changed since the last run, and how
    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    jobs: list | None = None  # built on first use, consumed one by one


_plans: OrderedDict[str, _Plan] = OrderedDict()
_plans_lock = threading.Lock()
_worker: threading.Thread | None = None


def slider_neighbours(value: Any, span: tuple | None = None,
                      options: tuple | None = None) -> tuple:
    """The allowed values one step below and above ``value`` (fewer at either end)."""
    if options is not None:
        if value not in options:
            return ()
        i = list(options).index(value)
        return tuple(options[j] for j in (i - 1, i + 1) if 0 <= j < len(options))
    if span is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return ()
    lo, hi, step = span
    if isinstance(value, int) and all(isinstance(v, int) for v in span):
        return tuple(v for v in (value - step, value + step) if lo <= v <= hi)
    # Float sliders: the value Streamlit's slider sends is min + k·step as the browser's
    # arithmetic gives it; k·step rounded to the step's decimals is what a press sends here.
    decimals = max(0, -math.floor(math.log10(step))) + 2 if step > 0 else 6
    k = round((value - lo) / step)
    found = []
    for j in (k - 1, k + 1):
        v = round(lo + j * step, decimals)
        if lo - 1e-12 <= v <= hi + 1e-12:
            found.append(v)
    return tuple(found)


def _sliders_now() -> dict[str, tuple[Any, tuple]]:
    """This page's sliders drawn so far in the session: (value, neighbours) by key."""
    from ui.url_state import _SECTION, registry

    namespace = st.session_state.get(_SECTION, ("", None))[0]
    found = {}
    for key, info in registry().items():
        if info.section[0] != namespace or (info.span is None and info.options is None):
            continue
        if key in st.session_state:
            value = st.session_state[key]
            neighbours = slider_neighbours(value, info.span, info.options)
            if neighbours:
                found[key] = (value, neighbours)
    return found


def _record(kind: str, fn: Callable, args: tuple, kwargs: dict) -> None:
    """Remember this page run's call for prefetching (inside a Streamlit run only)."""
    if not PREFETCH:
        return
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is None:
            return
        run, session = ctx.parallel_coordinator, ctx.session_id
        sliders = _sliders_now()
    except Exception:
        return
    record_call(session, run, _Call(kind, fn, args, kwargs, sliders))


def record_call(session: str, run: Any, call: _Call) -> None:
    """Add ``call`` to the session's plan for ``run`` (a new run starts a new plan)."""
    with _plans_lock:
        plan = _plans.get(session)
        if plan is None or plan.run is not run:
            previous = plan
            plan = _plans[session] = _Plan(run)
            if previous is not None:
                plan.values = previous.values
                plan.moved = previous.moved
        _plans.move_to_end(session)
        while len(_plans) > _MAX_PLANS:
            _plans.popitem(last=False)
        plan.calls.append(call)
        plan.jobs = None  # planned again with this call (guesses already stored are skipped)
        for key, (value, _) in call.sliders.items():
            old = plan.values.get(key)
            if old is not None and old != value and isinstance(value, (int, float)):
                plan.moved = (key, value - old)
            plan.values[key] = value
    _start_worker()


def _substituted(obj: Any, old: Any, new: Any, _depth: int = 0) -> list[Any]:
    """Copies of ``obj`` with one number equal to ``old`` replaced by ``new``, one copy per
    place it occurs (frozen dataclasses, tuples and lists walked)."""
    if _depth > 6:
        return []
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return []
    if isinstance(obj, (int, float)) and isinstance(old, (int, float)):
        if obj != old or (isinstance(obj, int) and not float(new).is_integer()):
            return []
        return [type(obj)(new)]
    if isinstance(obj, (tuple, list)):
        found = []
        for i, item in enumerate(obj):
            for changed in _substituted(item, old, new, _depth + 1):
                copy = list(obj)
                copy[i] = changed
                found.append(type(obj)(copy) if isinstance(obj, list) else tuple(copy))
        return found
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        found = []
        for f in dataclasses.fields(obj):
            if not f.init:
                continue
            for changed in _substituted(getattr(obj, f.name), old, new, _depth + 1):
                try:
                    found.append(dataclasses.replace(obj, **{f.name: changed}))
                except Exception:  # a config that refuses the value: nothing to prefetch
                    pass
        return found
    return []


def plan_jobs(plan: _Plan) -> list[tuple[Hashable, _Call]]:
    """(store key, call) to prefetch, the likeliest next press first: the slider moved last,
    its next value in the direction it moved first; then the sliders drawn after it, then
    those before it (a class works down the page). Deduplicated,
    at most PREFETCH_MAX_JOBS. A slider that reaches no computation, only what is built from
    results (a threshold, the step shown), gets "view" jobs: its figures built for the values
    beside it."""
    computing = [call for call in plan.calls if call.kind not in _FOLLOWERS]
    followers = [call for call in plan.calls if call.kind in _FOLLOWERS]
    keys: list[str] = []
    for call in plan.calls:
        keys += [k for k in call.sliders if k not in keys]
    moved_key, direction = plan.moved if plan.moved else (None, 0)
    if moved_key in keys:  # then the sliders below it (read on down the page), then above
        at = keys.index(moved_key)
        keys = keys[at:] + keys[:at]
    jobs: list[tuple[Hashable, _Call]] = []
    seen: set = set()
    for key in keys:
        for call in computing:
            if key not in call.sliders:
                continue
            value, neighbours = call.sliders[key]
            for new in _likeliest_first(neighbours, key == moved_key and direction > 0):
                for args in _substituted(call.args, value, new):
                    job = _Call(call.kind, call.fn, args, call.kwargs, {}, (key, value, new))
                    try:
                        job_key = _job_key(job)
                    except Unkeyable:
                        continue
                    if job_key not in seen:
                        seen.add(job_key)
                        jobs.append((job_key, job))
        _add_view_jobs(key, computing, followers, moved_key, direction, jobs, seen)
    return jobs[:PREFETCH_MAX_JOBS]


def _add_view_jobs(key: str, computing: list[_Call], followers: list[_Call], moved_key: str | None,
                   direction: float, jobs: list, seen: set) -> None:
    """View jobs for slider ``key`` if its value is an argument of no computation but of a
    figure or derived value."""
    if plan_calls_with(key, computing):
        return
    views = plan_calls_with(key, followers)
    if not views:
        return
    value, neighbours = views[0].sliders[key]
    for new in _likeliest_first(neighbours, key == moved_key and direction > 0):
        job_key = ("view", key, value, new)
        if job_key not in seen:
            seen.add(job_key)
            jobs.append((job_key, _Call("view", None, (), {}, {}, (key, value, new))))


def _likeliest_first(neighbours: tuple, moved_up: bool) -> tuple:
    """A slider's neighbours (lower, higher), the higher first if it was last moved up."""
    return tuple(reversed(neighbours)) if moved_up else neighbours


def plan_calls_with(key: str, calls: list[_Call]) -> list[_Call]:
    """The calls among ``calls`` whose arguments (results aside) hold slider ``key``'s value
    at call time."""
    found = []
    for call in calls:
        if key not in call.sliders:
            continue
        value, new = call.sliders[key][0], _other(call.sliders[key])
        if any(_substituted(arg, value, new) for arg in call.args if not _holds_result(arg)):
            found.append(call)
    return found


def _holds_result(arg: Any) -> bool:
    """A stored result, or a dict / tuple / list holding one: never varied in place (a result
    may carry its config; the guess for it comes from its own computation)."""
    if isinstance(arg, (str, int, float, bool, type(None))):
        return False
    if STORE.token(arg) is not None:
        return True
    items = arg.values() if isinstance(arg, dict) else arg if isinstance(arg, (tuple, list)) else ()
    return any(STORE.token(v) is not None for v in items
               if not isinstance(v, (str, int, float, bool, type(None))))


def _other(slider: tuple[Any, tuple]) -> Any:
    """A neighbouring value of a slider (what _substituted puts in its place to find it)."""
    value, neighbours = slider
    return neighbours[0] if neighbours else value


def _job_key(call: _Call) -> Hashable:
    return _key(call.kind, call.fn, call.args, call.kwargs)


def prefetch_allowed(now: float | None = None) -> bool:
    """The process is quiet: no page work for a moment, no slot held or wanted, nobody had
    to wait lately, and the store has room."""
    now = time.monotonic() if now is None else now
    return (PREFETCH and now - _last_activity >= PREFETCH_IDLE_SECONDS
            and now - GATE.last_wait >= PREFETCH_CALM_SECONDS
            and GATE.running == 0 and GATE.waiting() == 0
            and STORE.bytes < PREFETCH_FILL * STORE.budget)


def _prefetch_one(key: Hashable, call: _Call) -> str:
    """Compute one job as the leader of its key's flight: "stored", "skipped" (already
    there or being computed), "busy" (no idle slot), "cancelled" or "failed"."""
    hit, _ = STORE.peek(key)
    if hit:
        return "skipped"
    with _flights_lock:
        if key in _flights:
            return "skipped"
        flight = _flights[key] = _Flight()
        flight.prefetch = True
    started_at = time.monotonic()
    try:
        if not GATE.try_acquire_idle():
            return "busy"
        try:
            flight.running = True
            started = time.perf_counter(), time.thread_time()

            def give_way() -> None:
                """Stop for real work (unless a press now waits for this very value)."""
                if not PREFETCH or (not flight.wanted
                                    and (_last_activity > started_at or GATE.waiting())):
                    raise _Cancelled

            def on_progress(fraction: float) -> None:
                flight.progress = fraction
                give_way()

            # A run through the one training loop also gives way after any step, progress
            # reported or not (a plain cached run used to share the CPU with a press to its end).
            with yielding_to(give_way):
                if call.kind == "progress":
                    value = call.fn(*call.args, _on_progress=on_progress, **call.kwargs)
                else:
                    value = call.fn(*call.args, **call.kwargs)
            if LOG_TIMES:
                log_time("prefetch", key, started)
        finally:
            GATE.release()
        if STORE.bytes >= PREFETCH_FILL * STORE.budget and not flight.wanted:
            return "cancelled"  # no room left for guesses (real results keep theirs)
        if dataclasses.is_dataclass(value) or isinstance(value, (tuple, list, dict, np.ndarray)):
            _freeze_arrays(value)
        STORE.put(key, value)
        flight.value, flight.ok = value, True
        return "stored"
    except _Cancelled:
        return "cancelled"
    except Exception as exc:  # a neighbour the core refuses: the real press shows the error
        flight.error = None if not flight.wanted else exc
        return "failed"
    finally:
        with _flights_lock:
            del _flights[key]
        flight.done.set()


def prefetch_step(now: float | None = None) -> str | None:
    """Run at most one prefetch job of the most recently active session that has any left,
    if ``prefetch_allowed``. Returns what became of it (None: nothing to do or not allowed)."""
    if not prefetch_allowed(now):
        return None
    with _plans_lock:
        plans = list(reversed(_plans.values()))
    for plan in plans:
        with _plans_lock:
            if plan.jobs is None:
                plan.jobs = plan_jobs(plan)
            if not plan.jobs:
                continue
            key, call = plan.jobs.pop(0)
        if call.kind == "view":
            return "stored" if _prefetch_followers(plan, call) else "skipped"
        outcome = _prefetch_one(key, call)
        if outcome in ("stored", "skipped"):
            _prefetch_followers(plan, call)
        if outcome == "skipped":
            return outcome
        if outcome in ("busy", "cancelled"):
            with _plans_lock:
                plan.jobs.insert(0, (key, call))  # try again when the process is quiet again
        return outcome
    return None


def _with_guesses(arg: Any, swaps: dict[Hashable, Any]) -> Any:
    """``arg`` with every stored page value named in ``swaps`` (store key -> its guessed
    counterpart) replaced: the argument itself, or values of a dict / items of a tuple or list
    holding one (``{"plain": r1, "augmented": r2}``). ``arg`` itself when nothing changed."""
    token = STORE.token(arg) if not isinstance(arg, (str, int, float, bool, type(None))) else None
    if token is not None and token in swaps:
        return swaps[token]
    if isinstance(arg, dict):
        changed = {k: _with_guesses(v, swaps) for k, v in arg.items()}
        return changed if any(changed[k] is not arg[k] for k in arg) else arg
    if isinstance(arg, (tuple, list)):
        items = [_with_guesses(v, swaps) for v in arg]
        if all(a is b for a, b in zip(items, arg)):
            return arg
        return items if isinstance(arg, list) else tuple(items)
    return arg


def _move_results(plan: _Plan, move: tuple[str, Any, Any]) -> dict[Hashable, Any] | None:
    """{store key of a page's computation: its guessed result} for every computation of the
    page that ``move`` (one slider one step) changes; None until all of them are stored, or
    when a move is ambiguous (its value occurs in two places of one call's arguments)."""
    slider, value, new = move
    swaps: dict[Hashable, Any] = {}
    for call in plan.calls:
        if call.kind in _FOLLOWERS or call.sliders.get(slider, (None,))[0] != value:
            continue
        guesses = _substituted(call.args, value, new)
        if not guesses:  # drawn before this call, but not one of its arguments
            continue
        if len(guesses) > 1:
            return None
        try:
            page_key = _job_key(call)
            hit, guess = STORE.peek(_key(call.kind, call.fn, guesses[0], call.kwargs))
        except Unkeyable:
            return None
        if not hit:
            return None
        swaps[page_key] = guess
    return swaps  # empty: a view move (the slider reaches no computation)


def _prefetch_followers(plan: _Plan, job: _Call) -> int:
    """Once every computation a guessed move changes is stored, what the page built from
    them: its ``derived`` values (tables, a result assembled from several runs) and its
    figures, built from the guesses in the order the page built them, with the page's own
    texts and the guessed slider value in their other arguments. The press that asks for
    them then finds its charts built too (a figure costs 10-50 ms of a press). A follower
    whose other arguments hold the slider's value in two places is left to the press. Stops at
    the first sign of page work. Returns how many were built."""
    if job.move is None:
        return 0
    with _plans_lock:
        followers = [call for call in plan.calls if call.kind in _FOLLOWERS]
    swaps = _move_results(plan, job.move) if followers else None
    if swaps is None:
        return 0
    _, value, new = job.move
    started_at = time.monotonic()
    built = 0
    for call in followers:
        if not PREFETCH or _last_activity > started_at or GATE.waiting():
            break
        args = tuple(_with_guesses(arg, swaps) for arg in call.args)
        changed = any(a is not b for a, b in zip(args, call.args))
        try:
            page_key = _key(call.kind, call.fn, call.args, call.kwargs)
            for i, arg in enumerate(args):  # a config or a view setting beside the results
                if arg is not call.args[i] or _holds_result(arg):
                    continue
                variants = _substituted(arg, value, new)
                if len(variants) > 1:
                    raise Unkeyable("the slider's value occurs twice")
                if variants:
                    args = args[:i] + (variants[0],) + args[i + 1:]
                    changed = True
            if not changed:
                continue
            key = _key(call.kind, call.fn, args, call.kwargs)
            if call.kind == "derived":
                swaps[page_key] = _derived_value(key, call.fn, args, call.kwargs)
            else:
                _built_figure(key, call.fn, args, call.kwargs)
            built += 1
        except Exception:  # unkeyable, or a builder that refuses the guess: left to the press
            continue
    return built


def _stop_prefetch() -> None:
    """At interpreter exit: the worker stops after its job (a progress run at its next tick).
    It is not a daemon thread: one killed inside a torch call while the interpreter finalizes
    aborts the process ("terminate called without an active exception")."""
    global PREFETCH
    PREFETCH = False


PREFETCH_NICE = 19  # the OS's lowest priority for the prefetch thread (Linux)


def lowest_priority() -> None:
    """Put the calling thread at the OS's lowest priority (nice 19; Linux, where a thread's id
    is a scheduling entity of its own; elsewhere nothing). A guess may be a torch run that
    cannot stop midway: at nice 19 it takes only CPU that the page runs of this process (and,
    on a teacher's laptop, the browser) leave free, so a press that arrives while a guess
    computes is not slowed by it. Lowering needs no privilege; the thread never raises it."""
    if not sys.platform.startswith("linux"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PREFETCH_NICE)
    except OSError:
        pass


def _worker_loop() -> None:
    lowest_priority()
    while PREFETCH:
        try:
            outcome = prefetch_step()
        except Exception:  # never let the worker die; a failed guess is only a missed guess
            outcome = None
        if outcome is None or outcome in ("busy", "cancelled"):
            time.sleep(PREFETCH_POLL_SECONDS)


def _start_worker() -> None:
    global _worker
    if _worker is not None:
        return
    with _plans_lock:
        if _worker is None:
            _worker = threading.Thread(target=_worker_loop, name="dle-prefetch", daemon=False)
            # Called before the interpreter joins non-daemon threads (atexit would be after).
            getattr(threading, "_register_atexit", atexit.register)(_stop_prefetch)
            _worker.start()
