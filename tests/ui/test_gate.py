"""The admission gate, single flight and the one store, with real threads."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import pytest

from ui import compute


class FakeNotice:
    """Stands in for the st.empty() placeholder: records what a waiting session is shown."""

    shown: list[str] = []

    def show(self, text: str) -> None:
        FakeNotice.shown.append(text)

    def clear(self) -> None:
        pass


@pytest.fixture
def fresh(monkeypatch):
    """A gate of K=2 slots, an empty store, the fake notice, texts without Streamlit."""
    monkeypatch.setattr(compute, "GATE", compute.Gate(2))
    monkeypatch.setattr(compute, "STORE", compute.Store(10_000_000))
    monkeypatch.setattr(compute, "NOTICE", FakeNotice)
    monkeypatch.setattr(compute, "t", lambda key, **v: f"{key} {v}")
    monkeypatch.setattr(compute, "WAIT_POLL_SECONDS", 0.02)
    compute._flights.clear()
    compute._cached.cache_clear()
    FakeNotice.shown = []
    yield
    compute._cached.cache_clear()


def wait_until(condition, timeout: float = 10.0) -> None:
    """Block until ``condition()`` holds: orders threads by what they did, not by a sleep
    that a loaded machine may outlast."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the other threads"
        time.sleep(0.002)


def run_threads(targets, stagger: float = 0.0):
    threads = [threading.Thread(target=f) for f in targets]
    for th in threads:
        th.start()
        time.sleep(stagger)
    for th in threads:
        th.join(timeout=20)
        assert not th.is_alive()


def test_at_most_k_at_once_and_every_job_runs(fresh):
    active, peak, done = [0], [0], []
    lock = threading.Lock()

    def job(i):
        def run(x):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.05)
            with lock:
                active[0] -= 1
            return x * 10
        done.append(compute.cached(run)(i))

    run_threads([lambda i=i: job(i) for i in range(8)])
    assert peak[0] == 2  # K slots, and they were all used
    assert sorted(done) == [i * 10 for i in range(8)]
    assert compute.GATE.running == 0 and compute.GATE.waiting() == 0


def test_waiters_are_admitted_first_come_first_served(fresh):
    gate = compute.Gate(1)
    order, seen_ahead = [], {}
    gate.acquire()  # someone is computing: everyone below has to queue

    def waiter(i):
        gate.acquire(on_wait=lambda ahead: seen_ahead.setdefault(i, ahead), poll=0.01)
        order.append(i)
        time.sleep(0.01)
        gate.release()

    threads = [threading.Thread(target=waiter, args=(i,)) for i in range(6)]
    for arrived, th in enumerate(threads, 1):  # arrive one after another
        th.start()
        wait_until(lambda n=arrived: gate.waiting() == n)
    assert gate.waiting() == 6
    gate.release()
    for th in threads:
        th.join(timeout=10)
    assert order == list(range(6))
    assert seen_ahead == {i: i for i in range(6)}  # "N ahead of you", at arrival


def test_the_waiting_notice_is_shown_with_the_number_ahead(fresh):
    compute.GATE = compute.Gate(1)
    release = threading.Event()

    def slow(x):
        release.wait(5)
        return x

    first = threading.Thread(target=lambda: compute.cached(slow)(1))
    first.start()
    wait_until(lambda: compute.GATE.running == 1)
    second = threading.Thread(target=lambda: compute.cached(slow)(2))
    second.start()
    wait_until(lambda: compute.GATE.waiting() == 1)
    third = threading.Thread(target=lambda: compute.cached(slow)(3))
    third.start()
    wait_until(lambda: "common.gate_waiting {'ahead': 1}" in FakeNotice.shown)
    release.set()
    for th in (first, second, third):
        th.join(timeout=10)
    assert "common.gate_next {}" in FakeNotice.shown  # the second: next in line
    assert "common.gate_waiting {'ahead': 1}" in FakeNotice.shown  # the third: one ahead


def test_single_flight_computes_a_key_once_for_a_whole_class(fresh):
    calls = []

    def preset(cfg):
        calls.append(cfg)
        time.sleep(0.2)
        return np.arange(3) * cfg

    results = []
    run_threads([lambda: results.append(compute.cached(preset)(7)) for _ in range(30)])
    assert calls == [7]
    assert len(results) == 30 and all(r is results[0] for r in results)  # shared, not copied
    assert "common.gate_same {}" in FakeNotice.shown  # the others were told why they wait
    with pytest.raises(ValueError):  # shared results are read-only
        results[0][0] = 1


def test_a_failing_run_frees_its_slot_wakes_waiters_and_does_not_poison_the_key(fresh):
    attempts = []

    def flaky(cfg):
        attempts.append(cfg)
        # long enough that all four students (started 0.01 s apart) are following the first
        # attempt when it fails, even on a loaded machine (0.1 s was not: 1 run in ~20 under load)
        time.sleep(0.5 if len(attempts) == 1 else 0.01)
        if len(attempts) == 1:
            raise RuntimeError("boom")
        return cfg + 1

    errors, values = [], []

    def student():
        try:
            values.append(compute.cached(flaky)(1))
        except RuntimeError as exc:
            errors.append(exc)

    run_threads([student] * 4, stagger=0.01)
    assert len(errors) == 4 and values == []  # the waiters got the leader's error...
    assert compute.GATE.running == 0 and compute.GATE.waiting() == 0  # ...and the slot back
    assert compute.cached(flaky)(1) == 2  # ...but the failure was not cached
    assert attempts == [1, 1]


def test_an_interrupted_leader_hands_the_key_to_a_waiter(fresh):
    """A rerun/stop of the leader's session (a BaseException) must not fail the others."""

    class Interrupted(BaseException):
        pass

    calls = []

    def run(cfg):
        calls.append(cfg)
        time.sleep(0.1)
        if len(calls) == 1:
            raise Interrupted
        return "ok"

    values = []

    def leader():
        with pytest.raises(Interrupted):
            compute.cached(run)(5)

    run_threads([leader] + [lambda: values.append(compute.cached(run)(5))] * 3, stagger=0.01)
    assert values == ["ok"] * 3 and calls == [5, 5]


def test_progress_runs_share_the_gate_and_single_flight(fresh, monkeypatch):
    bars = []

    class Bar:
        def progress(self, fraction, text=None):
            bars.append(fraction)

        def empty(self):
            pass

    monkeypatch.setattr(compute.st, "progress", lambda fraction, text=None: Bar())
    calls = []

    def train(cfg, _on_progress):
        calls.append(cfg)
        for i in range(5):
            time.sleep(0.03)
            _on_progress((i + 1) / 5)
        return cfg * 2

    values = []
    run_threads([lambda: values.append(compute.run_with_progress(train, 4, "training"))] * 5)
    assert calls == [4] and values == [8] * 5
    assert max(bars) >= 0.6  # followers' bars moved too (at most every BAR_EVERY s each)


def test_a_progress_bar_is_updated_at_most_every_bar_every_seconds(fresh, monkeypatch):
    """Every bar update is a message the browser renders: a run with 50 progress ticks in
    ~0.25 s draws its bar once and updates it ~twice, not 50 times."""
    sent = []

    class Bar:
        def progress(self, fraction, text=None):
            sent.append(("update", fraction))

        def empty(self):
            sent.append(("empty", None))

    def new_bar(fraction, text=None):
        sent.append(("new", fraction))
        return Bar()

    monkeypatch.setattr(compute.st, "progress", new_bar)

    def train(cfg, _on_progress):
        for i in range(50):
            time.sleep(0.005)
            _on_progress((i + 1) / 50)
        return cfg

    started = time.monotonic()
    assert compute.run_with_progress(train, 1, "training") == 1
    took = time.monotonic() - started
    kinds = [kind for kind, _ in sent]
    assert kinds[0] == "new" and kinds[-1] == "empty"
    updates = [fraction for kind, fraction in sent if kind == "update"]
    assert 1 <= len(updates) <= took / compute.BAR_EVERY + 1, (updates, took)
    assert updates == sorted(updates)


@dataclass(frozen=True)
class Result:
    x: np.ndarray
    name: str


def test_one_budget_evicts_least_recently_used_across_every_kind(fresh):
    compute.STORE = compute.Store(budget_bytes=3 * 8_000 + 1_000)

    def make(n):
        return Result(np.zeros(1000), f"r{n}")  # 8000 bytes of array each

    run = compute.cached(make)
    a = run(1)
    run(2)
    run(3)
    assert len(compute.STORE) == 3
    assert run(1) is a  # touch 1: now 2 is the least recently used
    run(4)
    assert len(compute.STORE) == 3 and compute.STORE.bytes <= compute.STORE.budget
    assert compute.STORE.get(compute._key("run", make, (2,), {}))[0] is False
    assert run(1) is a
    # too big for the whole budget: returned, not kept
    big = compute.cached(lambda n: np.zeros(10_000))(0)
    assert big.shape == (10_000,) and len(compute.STORE) == 3


def test_size_estimate_counts_arrays_and_tensors():
    import torch

    r = Result(np.zeros((100, 10)), "a")
    assert 8000 <= compute.size_of(r) < 9000
    assert 4000 <= compute.size_of({"t": torch.zeros(1000)}) < 5000


def test_entries_expire(fresh):
    compute.STORE = compute.Store(10_000_000, ttl=0.05)
    calls = []
    run = compute.cached(lambda x: calls.append(x) or x)
    run(1)
    run(1)
    time.sleep(0.08)
    run(1)
    assert calls == [1, 1]


def test_figures_are_built_once_and_match_the_builder(fresh):
    builds = []

    def build(result, texts):
        builds.append(1)
        fig = go.Figure(go.Scatter(x=result.x, y=result.x ** 2, name=texts["name"]))
        fig.update_layout(title=texts["title"])
        return fig

    r = compute.cached(lambda n: Result(np.linspace(0, 1, 50), "r"))(1)
    texts = {"name": "curve", "title": "Title"}
    first = compute.figure(build, r, texts)
    again = compute.figure(build, r, dict(texts))
    other = compute.figure(build, r, {"name": "곡선", "title": "제목"})
    assert len(builds) == 2  # the same texts again: no rebuild; another language: built
    assert again is first and other is not first
    spec = first.to_dict()
    assert spec == json.loads(build(r, texts).to_json())  # what ui.chart_element sends
    assert spec["layout"]["title"]["text"] == "Title"
    spec["layout"]["title"]["text"] = "changed by a caller"
    assert first.to_dict()["layout"]["title"]["text"] == "Title"  # callers get copies


def test_keys_by_value_for_unhashable_arguments(fresh):
    calls = []
    run = compute.cached(lambda a, b: calls.append(1) or float(a.sum() + b.sum()))
    assert run(np.ones(3), np.ones(2)) == 5.0
    assert run(np.ones(3), np.ones(2)) == 5.0
    assert run(np.ones(3), np.zeros(2)) == 3.0
    assert len(calls) == 2


def test_nested_use_in_one_thread_takes_no_second_slot(fresh):
    """A cached run inside a live tick (admitted) must not wait for its own slot (K = 1)."""
    compute.GATE = compute.Gate(1)
    done = []

    def tick():
        with compute.admitted("tick"):
            done.append(compute.cached(lambda x: x + 1)(1))
            with compute.admitted("again"):
                done.append("nested")
        assert compute.GATE.running == 0

    run_threads([tick])
    assert done == [2, "nested"]


def test_a_slot_holder_never_waits_for_a_leader_queued_behind_it(fresh):
    compute.GATE = compute.Gate(1)
    calls, out = [], []
    slow = compute.cached(lambda x: calls.append(x) or x * 3)
    holding, queued = threading.Event(), threading.Event()

    def ticking_student():
        with compute.admitted("tick"):
            holding.set()
            queued.wait(5)
            time.sleep(0.1)  # the other student is now leader of key 2, queued for our slot
            out.append(slow(2))

    def other_student():
        holding.wait(5)
        queued.set()
        out.append(slow(2))

    run_threads([ticking_student, other_student])
    assert sorted(out) == [6, 6] and 1 <= len(calls) <= 2


def test_a_page_that_started_first_is_served_first(fresh):
    """Ordered by when the student's run began, not by each request: the first student's
    next computation goes ahead of students who came later, so pages finish one by one."""
    gate = compute.Gate(1)
    gate.acquire()
    order = []

    def waiter(name, priority):
        gate.acquire(poll=0.01, priority=priority)
        order.append(name)
        gate.release()

    later = [threading.Thread(target=waiter, args=(f"late{i}", 10.0 + i)) for i in range(3)]
    for arrived, th in enumerate(later, 1):
        th.start()
        wait_until(lambda n=arrived: gate.waiting() == n)
    first = threading.Thread(target=waiter, args=("first student, 2nd computation", 1.0))
    first.start()
    wait_until(lambda: gate.waiting() == 4)
    gate.release()
    for th in later + [first]:
        th.join(timeout=10)
    assert order == ["first student, 2nd computation", "late0", "late1", "late2"]


def test_a_press_goes_before_live_ticks_that_asked_just_before_it(fresh, monkeypatch):
    """30 players keep ~1 s of ticks queued per process: a slider move (a person's press) goes
    ahead of ticks that asked less than LIVE_TICK_YIELD before it, never of older ones, and
    ticks keep their own order (each player still advances)."""
    monkeypatch.setattr(compute, "GATE", compute.Gate(1))
    order = []

    def ask(name, live):
        with compute.admitted(name, live=live):
            order.append(name)

    def queue(name, live, waiting):
        th = threading.Thread(target=ask, args=(name, live))
        th.start()
        wait_until(lambda: compute.GATE.waiting() == waiting)
        return th

    compute.GATE.acquire()
    monkeypatch.setattr(compute, "LIVE_TICK_YIELD", 60.0)
    threads = [queue("tick a", True, 1), queue("tick b", True, 2), queue("press", False, 3)]
    compute.GATE.release()
    for th in threads:
        th.join(timeout=10)
    assert order == ["press", "tick a", "tick b"]

    order.clear()
    compute.GATE.acquire()
    monkeypatch.setattr(compute, "LIVE_TICK_YIELD", 0.05)
    threads = [queue("old tick", True, 1)]
    time.sleep(0.2)  # the press asks later than the tick's yield reaches
    threads.append(queue("press", False, 2))
    compute.GATE.release()
    for th in threads:
        th.join(timeout=10)
    assert order == ["old tick", "press"]
