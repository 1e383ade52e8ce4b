"""Prefetch: the values one step beside each slider computed while the process is quiet,
into the one store, under the keys a real press asks for (ui.compute, with real threads)."""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
import pytest

from ui import compute
from ui.compute import _Call, record_call


@dataclasses.dataclass(frozen=True)
class Spec:
    rotation: float = 10.0
    shift: float = 0.05
    zoom: float = 0.05


@dataclasses.dataclass(frozen=True)
class Cfg:
    spec: Spec = Spec()
    epochs: int = 60


CALLS: list = []


def train(cfg: Cfg, _on_progress=None) -> dict:
    """A stand-in run: what it was asked, and a value that depends on all of it."""
    CALLS.append(cfg)
    if _on_progress is not None:
        for i in range(5):
            time.sleep(0.01)
            _on_progress(i / 5)
    return {"cfg": cfg, "value": np.full(100, cfg.epochs * cfg.spec.rotation + cfg.spec.zoom)}


class FakeNotice:
    shown: list[str] = []

    def show(self, text: str) -> None:
        FakeNotice.shown.append(text)

    def clear(self) -> None:
        pass


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(compute, "GATE", compute.Gate(2))
    monkeypatch.setattr(compute, "STORE", compute.Store(10_000_000))
    monkeypatch.setattr(compute, "NOTICE", FakeNotice)
    monkeypatch.setattr(compute, "t", lambda key, **v: key)
    monkeypatch.setattr(compute, "PREFETCH", True)
    monkeypatch.setattr(compute, "_start_worker", lambda: None)  # tests step it themselves
    monkeypatch.setattr(compute, "_last_activity", -1e9)
    monkeypatch.setattr(compute, "WAIT_POLL_SECONDS", 0.02)
    FakeNotice.shown = []
    compute._flights.clear()
    compute._plans.clear()
    compute._cached.cache_clear()
    CALLS.clear()
    yield
    compute._plans.clear()
    compute._cached.cache_clear()


SLIDERS = {"au_rot": (10, (9, 11)), "au_zoom": (0.05, (0.0, 0.1)), "au_epochs": (60, (50, 70))}


def record(cfg: Cfg, run: object, kind: str = "progress", session: str = "s1") -> None:
    record_call(session, run, _Call(kind, train, (cfg,), {}, dict(SLIDERS)))


def drain(limit: int = 100) -> list:
    outcomes = []
    for _ in range(limit):
        outcome = compute.prefetch_step()
        if outcome is None:
            break
        outcomes.append(outcome)
    return outcomes


def key(cfg: Cfg, kind: str = "progress"):
    return compute._key(kind, train, (cfg,), {})


def test_neighbours_of_a_slider_follow_its_range_and_options():
    assert compute.slider_neighbours(10, (0, 45, 1)) == (9, 11)
    assert compute.slider_neighbours(0, (0, 45, 1)) == (1,)
    assert compute.slider_neighbours(300, (10, 1000, 10)) == (290, 310)
    assert compute.slider_neighbours(0.05, (0.0, 0.3, 0.05)) == (0.0, 0.1)
    assert compute.slider_neighbours(0.15, (0.0, 0.3, 0.05)) == (0.1, 0.2)
    assert compute.slider_neighbours(0.3, (0.0, 0.3, 0.05)) == (0.25,)
    assert compute.slider_neighbours(0.01, options=(1e-3, 0.01, 0.1)) == (1e-3, 0.1)
    assert compute.slider_neighbours("3", options=None) == ()


def test_prefetch_fills_the_store_for_every_neighbour_of_every_slider(fresh):
    cfg = Cfg()
    record(cfg, run=object())
    outcomes = drain()
    expected = {Cfg(Spec(rotation=9.0)), Cfg(Spec(rotation=11.0)), Cfg(Spec(zoom=0.0)),
                Cfg(Spec(zoom=0.1)), Cfg(epochs=50), Cfg(epochs=70)}
    # zoom 0.05 also equals shift 0.05: both places are tried, one at a time
    expected |= {Cfg(Spec(shift=0.0)), Cfg(Spec(shift=0.1))}
    assert set(CALLS) == expected and len(CALLS) == len(expected)
    assert outcomes.count("stored") == len(expected)
    for c in expected:
        hit, value = compute.STORE.get(key(c))
        assert hit and value["cfg"] == c
        assert value["value"][0] == c.epochs * c.spec.rotation + c.spec.zoom


def test_the_slider_moved_last_comes_first_in_the_direction_it_moved(fresh):
    record(Cfg(), run=object())
    record_call("s1", run2 := object(), _Call("progress", train, (Cfg(epochs=70),), {},
                                              SLIDERS | {"au_epochs": (70, (60, 80))}))
    jobs = compute.plan_jobs(compute._plans["s1"])
    assert [j.args[0] for _, j in jobs[:2]] == [Cfg(epochs=80), Cfg(epochs=60)]
    assert compute._plans["s1"].run is run2


def test_a_real_press_is_served_from_the_prefetched_entry(fresh):
    record(Cfg(), run=object())
    drain()
    CALLS.clear()
    got = compute.run_with_progress(train, Cfg(epochs=70), "training")
    assert CALLS == [] and got["cfg"] == Cfg(epochs=70)


@pytest.mark.parametrize("state", ["waiting", "running", "waited_recently", "busy_process"])
def test_no_prefetch_while_the_gate_or_the_process_is_busy(fresh, monkeypatch, state):
    record(Cfg(), run=object())
    if state == "waiting":
        monkeypatch.setattr(compute.GATE, "waiting", lambda: 1)
    elif state == "running":
        compute.GATE.running = 1
    elif state == "waited_recently":
        compute.GATE.last_wait = time.monotonic() - compute.PREFETCH_CALM_SECONDS / 2
    else:
        compute._mark_activity()
    assert drain() == [] and CALLS == [] and len(compute.STORE) == 0
    if state == "running":
        compute.GATE.running = 0


def test_a_class_that_queued_keeps_prefetch_off(fresh):
    """A real caller that had to queue sets the gate's last_wait: prefetch stays off."""
    gate = compute.GATE
    gate.slots = 1
    started, release = threading.Event(), threading.Event()

    def holder():
        with gate.slot():
            started.set()
            release.wait(5)

    th = threading.Thread(target=holder)
    th.start()
    started.wait(5)
    waiter = threading.Thread(target=lambda: gate.slot().__enter__() or gate.release())
    waiter.start()
    time.sleep(0.1)
    release.set()
    th.join(5)
    waiter.join(5)
    record(Cfg(), run=object())
    assert time.monotonic() - gate.last_wait < 1.0
    assert drain() == [] and CALLS == []


def test_prefetch_yields_to_real_work(fresh, monkeypatch):
    """A real page call arriving while a prefetch trains cancels it at its next progress tick
    (nothing stored for it), and the guess is tried again once the process is quiet."""
    record(Cfg(), run=object())
    ticks = []

    def slow(cfg: Cfg, _on_progress=None):
        for i in range(200):
            time.sleep(0.005)
            ticks.append(i)
            _on_progress(i / 200)
        return {"cfg": cfg}

    compute._plans["s1"].calls[0].fn = slow
    outcome = []
    th = threading.Thread(target=lambda: outcome.append(compute.prefetch_step()))
    th.start()
    while not ticks:
        time.sleep(0.001)
    real = compute.cached(lambda x: x + 1)(1)  # real page work for another key
    th.join(5)
    assert real == 2 and outcome == ["cancelled"] and len(ticks) < 200
    assert len(compute.STORE) == 1  # only the real result
    assert compute.prefetch_step() is None  # the process was busy a moment ago
    compute._last_activity = -1e9
    assert compute.prefetch_step() == "stored"


def test_a_press_for_the_key_being_prefetched_follows_it(fresh):
    """The same key asked for by a page while prefetched: the page waits for the prefetch
    (not cancelled) and gets its value; the function ran once. The waiting notice says the
    view was being computed ahead of the press, not that another student computes it."""
    record(Cfg(), run=object(), kind="run")
    runs = []

    def slow(cfg: Cfg):
        runs.append(cfg)
        time.sleep(0.3)
        return {"cfg": cfg}

    compute._plans["s1"].calls[0].fn = slow
    first = compute.plan_jobs(compute._plans["s1"])[0][1].args[0]
    th = threading.Thread(target=compute.prefetch_step)
    th.start()
    while not runs:
        time.sleep(0.001)
    got = compute.cached(slow)(first)
    th.join(5)
    assert got == {"cfg": first} and runs == [first]
    assert "common.gate_ahead" in FakeNotice.shown and "common.gate_same" not in FakeNotice.shown


def test_prefetch_stays_inside_its_share_of_the_budget(fresh, monkeypatch):
    """Each guess is ~1 kB; a 6 kB store: prefetch stops at PREFETCH_FILL and never evicts
    the real result stored before."""
    monkeypatch.setattr(compute, "STORE", compute.Store(6_000))
    compute.STORE.put("real", np.zeros(300))  # 2.5 kB of a real result
    record(Cfg(), run=object())
    drain()
    assert compute.STORE.get("real")[0]
    assert compute.STORE.bytes <= compute.STORE.budget
    assert compute.STORE.bytes < compute.PREFETCH_FILL * 6_000 + 1_200
    assert 0 < len(compute.STORE) - 1 < 8


def test_a_prefetched_press_gives_the_numbers_of_a_cold_one(fresh):
    """Real core runs (the /augmentation training run): a neighbour prefetched, then pressed,
    equals the same config trained from scratch (nothing cached, nothing kept)."""
    from core.augmentation import (
        AugmentSpec, TrainingConfig, run_training_run, run_training_run_fresh,
    )

    cfg = TrainingConfig(spec=AugmentSpec(rotation=10.0), epochs=10)
    record_call("s1", object(), _Call("progress", run_training_run, (cfg,), {},
                                      {"au_rot": (10, (9, 11))}))
    assert compute.prefetch_step() == "stored"
    pressed = compute.run_with_progress(run_training_run,
                                        TrainingConfig(spec=AugmentSpec(rotation=9.0),
                                                       epochs=10), "x")
    compute.STORE.clear()
    cold = run_training_run_fresh(TrainingConfig(spec=AugmentSpec(rotation=9.0), epochs=10))
    for f in dataclasses.fields(cold):
        a, b = getattr(cold, f.name), getattr(pressed, f.name)
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b, f.name


# --- the figures of a guess ---------------------------------------------------------------
BUILT: list = []


def curve_figure(result, title: str):
    """A stand-in chart builder: a real go.Figure of the result's numbers."""
    import plotly.graph_objects as go

    BUILT.append((result["cfg"], title))
    return go.Figure(go.Scatter(y=result["value"][:3].tolist()), layout={"title": {"text": title}})


def pair_figure(runs: dict, title: str):
    """A builder given a dict of results (as /augmentation's curves are)."""
    import plotly.graph_objects as go

    BUILT.append((runs["a"]["cfg"], title))
    return go.Figure(go.Scatter(y=[runs["a"]["value"][0], runs["b"]["value"][0]]))


def record_figure(builder, args: tuple, run: object) -> None:
    record_call("s1", run, _Call("figure", builder, args, {}, dict(SLIDERS)))


def test_the_charts_of_a_guessed_result_are_built_from_it(fresh):
    """The teacher's next press finds its result AND its charts: the figures the page built
    from the result a guess varies are built from the guess, with the page's own texts."""
    run, cfg = object(), Cfg()
    record(cfg, run)
    result = compute.run_with_progress(train, cfg, "training")
    other = compute.run_with_progress(train, Cfg(epochs=10), "training")  # not a neighbour
    record_figure(curve_figure, (result, "Loss"), run)
    record_figure(pair_figure, ({"a": result, "b": other}, "Both"), run)
    record_figure(curve_figure, (other, "Other"), run)  # nothing of the varied result in it
    compute._last_activity = -1e9  # the page run is over: the process is quiet
    drain()
    built = set(BUILT)
    assert (Cfg(epochs=70), "Loss") in built and (Cfg(Spec(rotation=11.0)), "Both") in built
    assert not any(title == "Other" for _, title in built)
    BUILT.clear()
    CALLS.clear()
    # the press: result and both charts served as stored, nothing computed or built
    got = compute.run_with_progress(train, Cfg(epochs=70), "training")
    spec = compute.figure(curve_figure, got, "Loss").to_dict()
    pair = compute.figure(pair_figure, {"a": got, "b": other}, "Both").to_dict()
    assert CALLS == [] and BUILT == []
    assert spec["data"][0]["y"] == [70 * 10.0 + 0.05] * 3
    assert pair["data"][0]["y"] == [70 * 10.0 + 0.05, 10 * 10.0 + 0.05]


def test_building_a_guess_s_charts_stops_at_page_work(fresh):
    run, cfg = object(), Cfg()
    record(cfg, run)
    result = compute.run_with_progress(train, cfg, "training")

    def busy_figure(result, title):
        compute._mark_activity()  # a student's press arrives while this chart is built
        return curve_figure(result, title)

    record_figure(busy_figure, (result, "first"), run)
    record_figure(curve_figure, (result, "second"), run)
    plan = compute._plans["s1"]
    key, job = compute.plan_jobs(plan)[0]
    assert compute._prefetch_one(key, job) == "stored"
    assert compute._prefetch_followers(plan, job) == 1
    assert [title for _, title in BUILT] == ["first"]


FITS: list = []


def fit(cfg: Cfg, name: str) -> dict:
    FITS.append((cfg, name))
    return {"cfg": cfg, "name": name, "value": np.full(10, cfg.epochs + len(name))}


ASSEMBLED: list = []


def assemble(cfg: Cfg, fits: dict) -> dict:
    """A result put together from several runs (as /losses' three fits are)."""
    ASSEMBLED.append(cfg)
    return {"cfg": cfg, "value": np.array([sum(float(f["value"][0]) for f in fits.values())] * 3)}


def test_a_result_assembled_from_several_runs_and_its_chart_follow_the_guesses(fresh):
    """A slider feeding two runs: the table/result derived from both, and the chart of it,
    are built once both guessed runs are stored, with the guessed value in the config."""
    run, cfg = object(), Cfg()
    for name in ("mse", "mae"):
        record_call("s1", run, _Call("run", fit, (cfg, name), {}, dict(SLIDERS)))
    fits = {name: compute.cached(fit)(cfg, name) for name in ("mse", "mae")}
    both = compute.derived(assemble, cfg, fits)
    record_call("s1", run, _Call("derived", assemble, (cfg, fits), {}, dict(SLIDERS)))
    compute.figure(curve_figure, both, "Total")
    record_call("s1", run, _Call("figure", curve_figure, (both, "Total"), {}, dict(SLIDERS)))
    compute._last_activity = -1e9
    plan = compute._plans["s1"]
    jobs = [(k, j) for k, j in compute.plan_jobs(plan) if j.move == ("au_epochs", 60, 70)]
    assert [j.args for _, j in jobs] == [(Cfg(epochs=70), "mse"), (Cfg(epochs=70), "mae")]
    assert compute._prefetch_one(*jobs[0]) == "stored"
    assert compute._prefetch_followers(plan, jobs[0][1]) == 0  # the other run is not there yet
    assert compute._prefetch_one(*jobs[1]) == "stored"
    assert compute._prefetch_followers(plan, jobs[1][1]) == 2
    FITS.clear(), ASSEMBLED.clear(), BUILT.clear()
    # the press
    new = Cfg(epochs=70)
    fits = {name: compute.cached(fit)(new, name) for name in ("mse", "mae")}
    both = compute.derived(assemble, new, fits)
    spec = compute.figure(curve_figure, both, "Total").to_dict()
    assert FITS == [] and ASSEMBLED == [] and BUILT == []
    assert spec["data"][0]["y"] == [(70 + 3) * 2] * 3


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="per-thread nice")
def test_the_prefetch_thread_runs_at_the_lowest_priority_and_only_it():
    import os

    seen = {}

    def worker():
        compute.lowest_priority()
        seen["worker"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["worker"] == compute.PREFETCH_NICE == 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before  # not the process


def cut_figure(result, threshold: float, title: str):
    """A chart of a result at a view setting (as /metrics' threshold or /optimizers' step)."""
    import plotly.graph_objects as go

    BUILT.append((result["cfg"], threshold))
    return go.Figure(go.Scatter(y=[float(result["value"][0]) > threshold * 1000]))


def test_a_slider_that_only_changes_a_chart_gets_its_charts_built_beside_it(fresh):
    run, cfg = object(), Cfg()
    sliders = dict(SLIDERS) | {"mt_threshold": (0.5, (0.45, 0.55))}
    record_call("s1", run, _Call("progress", train, (cfg,), {}, sliders))
    result = compute.run_with_progress(train, cfg, "training")
    compute.figure(cut_figure, result, 0.5, "Cut")
    record_call("s1", run, _Call("figure", cut_figure, (result, 0.5, "Cut"), {}, sliders))
    compute._last_activity = -1e9
    views = [job.move for _, job in compute.plan_jobs(compute._plans["s1"]) if job.kind == "view"]
    assert views == [("mt_threshold", 0.5, 0.45), ("mt_threshold", 0.5, 0.55)]
    drain()
    assert {(cfg, 0.45), (cfg, 0.55)} <= set(BUILT)
    BUILT.clear()
    compute.figure(cut_figure, compute.run_with_progress(train, cfg, "training"), 0.55, "Cut")
    assert BUILT == []


def test_after_the_slider_moved_last_come_the_sliders_below_it_then_those_above(fresh):
    record(Cfg(), run=object())
    record_call("s1", object(), _Call("progress", train, (Cfg(Spec(zoom=0.1)),), {},
                                      SLIDERS | {"au_zoom": (0.1, (0.05, 0.15))}))
    order = list(dict.fromkeys(job.move[0] for _, job in compute.plan_jobs(compute._plans["s1"])))
    assert order == ["au_zoom", "au_epochs", "au_rot"]


def test_a_plain_guess_through_the_one_loop_gives_way_to_a_press_within_a_step(fresh):
    """A cached (not progress-reporting) run that the prefetch computes stops at the next step
    of the one training loop once a press arrives, and a kept run resumes to the same numbers."""
    import torch
    from torch import nn

    from core.training.loop import Trainer

    steps_done = []

    def long_run(cfg: Cfg) -> float:
        torch.manual_seed(0)
        model = nn.Linear(2, 1)
        x, y = torch.randn(64, 2), torch.randn(64, 1)
        batches = [(x[i:i + 8], y[i:i + 8]) for i in range(0, 64, 8)]

        def count(info):
            steps_done.append(info.step)
            if info.step == 3:
                compute._mark_activity()  # a student's press lands during step 3

        trainer = Trainer(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1),
                          batches, callbacks=[count])
        trainer.run(epochs=cfg.epochs)
        return float(model.weight.detach().sum())

    record_call("s1", object(), _Call("run", long_run, (Cfg(epochs=5),), {}, {"au_epochs": (5, (4, 6))}))
    compute._last_activity = -1e9
    key, job = compute.plan_jobs(compute._plans["s1"])[0]
    assert compute._prefetch_one(key, job) == "cancelled"
    assert steps_done == [1, 2, 3]  # not the 4 x 8 steps of 4 epochs
    assert compute.STORE.peek(key) == (False, None)
    # page runs (no yielding_to in their thread) never stop there
    steps_done.clear()
    compute.cached(long_run)(Cfg(epochs=1))
    assert steps_done == list(range(1, 9))
