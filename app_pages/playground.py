"""/playground — a live training lab on 2-D data: TensorFlow Playground parity, real PyTorch.

Layout, in TensorFlow Playground's order and on one screen: the data column beside the lab
(Play / Pause / Step / Reset, then ONE drawing element with the network, the output over the
plane with its legend, the loss curve, epoch and losses: ``ui.lab.drawing``) inside a fragment
that, while playing, reruns each time the drawing has painted a tick. On a phone the lab
comes first. Less-used settings (features and layers as sliders, loss and classes, optimizer,
init, schedule, dropout, batch norm, pin) fold into a panel below; then presets, CSV upload,
opening a Playground link and the code of this run.

The LabSession lives in ``st.session_state`` (one per browser session; core caps its
history); its keys and the callbacks are in ``ui.lab.state``, the widget groups in
``ui.lab.controls``. Every tick trains for a
bounded time inside ``ui.compute.admitted``.
"""

from __future__ import annotations

import dataclasses
import sys
import time

import streamlit as st

from core import lab
from ui.compute import GATE, LOG_TIMES, admitted, cached
from ui.i18n import labels, scoped
from ui.lab.controls import (
    architecture, beyond_controls, control_bar, data_controls, feature_toggles, pin_button,
)
from ui.lab.drawing import painted
from ui.lab.state import (
    S_CSV, S_CSV_ERROR, S_FULL_RUN, S_IMPORT, S_NOTE, S_PAUSED, S_PINNED, S_PLAYING, S_SESSION,
    S_TICK,
    apply_taps, import_from_query, import_from_text, load_csv,
)
from ui.lab.view import NS, draw_live, lab_layout_css
from ui.page import ask, code_panel, page_header, presets, rerun_pending, section

tr = scoped(NS)

# While playing, a tick is asked for by the drawing element once it has painted the last
# one (ui.lab.drawing: the data's token comes back as the trigger value ``painted``), not by
# a timer: the server trains the next tick exactly when the browser has shown the last, and
# never more than one is asked for. A run started by that answer draws first (the snapshot
# the last tick left) and trains after, so the browser paints while the server trains and
# its answer is waiting when the run ends: ticks back to back, one redraw each. With a
# timer (``run_every``, a browser setInterval) a tick either waited for the next request
# (0.06 s: 13-15 redraws a second) or requests piled up while the browser fell behind
# (0.04 s: 5.6-13 redraws a second, gaps up to 0.8 s; BENCHMARKS.md, "Issue 20 (session
# 2026-12-05c)").
TICK_BUDGET = 0.045  # s of training per tick; a click waits about this long
# An answered tick trains on (in 5 ms steps) while the browser's next answer is not in yet
# and no other session waits at the gate, up to this long: a slow browser (a loaded machine,
# a slow phone) then gets fewer redraws but the server does not idle waiting for it.
TICK_MAX = 0.15


import_from_query()
apply_taps()
st.session_state.pop(S_FULL_RUN, None)  # this is the full run a click asked for
page_header(NS)
imported = st.session_state.pop(S_IMPORT, None)  # said under the lab: Play stays on top
playing = bool(st.session_state.get(S_PLAYING, False))

# The data column and the lab side by side; on a phone (columns stacked) the lab comes first
# so Play and the whole output are on the first screen.
lab_layout_css()
csv_entry = st.session_state.get(S_CSV)
left, right = st.container(key="pg_lab").columns([1, 3.4], gap="small")
with right:
    control_bar(playing)
    live_slot = st.container()
with left, st.container(key="pg_data"):
    controls = data_controls(csv_entry)
with st.expander(tr("more"), icon=":material/tune:"):
    controls["features"] = feature_toggles()
    hidden = architecture()
    section(NS, "beyond")
    controls |= beyond_controls()
    pin_button()
show_test, discretize = controls.pop("show_test_data"), controls.pop("discretize")
# A preset is LabConfig fields over LabConfig(): every lab widget is set, so it shows the same
# view whatever was clicked before.
BASE = {f.name: getattr(lab.LabConfig(), f.name) for f in dataclasses.fields(lab.LabConfig)}
presets(NS, {pid: lab.widget_values(BASE | dict(fields)) for pid, fields in lab.PRESETS.items()})

# --- the config: what the widgets mean, made valid ----------------------------------------
cfg, note_ids = lab.config_from_controls(controls | {"hidden": hidden},
                                         csv_entry[2] if csv_entry is not None else None)
notes = [tr(f"{message_id}", **values) for message_id, values in note_ids]
n_classes = cfg.n_classes


def lab_data(cfg: lab.LabConfig):
    """Uploaded points as LabData (None: the session generates cfg's dataset)."""
    if csv_entry is None:
        return None
    return lab.lab_data_from_points(cfg, csv_entry[2].points, csv_entry[2].labels, n_classes)


# --- the session: live changes apply, others reset (with a note) --------------------------
csv_token = csv_entry[0] if csv_entry is not None else None
session = st.session_state.get(S_SESSION)
if session is None or st.session_state.get("_pg_csv_token") != csv_token:
    session = lab.LabSession(cfg, lab_data(cfg))
else:
    progress = session.trainer.step_count
    if session.update(cfg, lab_data) == "reset" and progress:
        st.session_state[S_NOTE] = True  # progress was lost: say why
st.session_state[S_SESSION] = session
session.touch()  # a full run = someone interacted (the ticks are fragment runs)
st.session_state["_pg_csv_token"] = csv_token
if st.session_state.pop("_pg_reset_request", False):
    session.reset(cfg, lab_data(cfg))
if st.session_state.pop("_pg_step_request", False):
    with admitted("playground"):
        session.step_one()


# --- the live part: one fragment, rerun by the drawing's answers while playing -----------
def train_tick(session, until_answered: bool = False) -> None:
    """One bounded tick of training at the gate (a live tick: presses go first);
    ``until_answered``: then on until the next run is asked for (at most TICK_MAX)."""
    with admitted("playground", live=True):  # an idle session (no full run for a while) pauses
        started = time.perf_counter()
        reason = session.tick(TICK_BUDGET).paused
        while (until_answered and reason is None and not rerun_pending()
               and not GATE.waiting() and time.perf_counter() - started < TICK_MAX):
            reason = session.tick(0.005).paused  # the shortest tick: the answer waits least
    if reason is not None:
        st.session_state[S_PLAYING] = False
        st.session_state[S_PAUSED] = reason
        st.rerun()


@st.fragment
def live() -> None:
    if st.session_state.get(S_FULL_RUN):  # a click on the controls came as a fragment run
        st.rerun(scope="app")
    started = trained = time.perf_counter()
    started_cpu = time.thread_time()
    session = st.session_state[S_SESSION]
    playing = bool(st.session_state.get(S_PLAYING))
    # Who started this run: the element's answer for the token given last (train after
    # drawing), an older token (a repeat or an answer overtaken by a press: draw only, the
    # token stays), or no answer at all (Play, a slider, a tap: train, then draw, as always).
    answer, token = painted(), st.session_state.get(S_TICK)
    answered = playing and answer is not None and answer == token
    if playing and answer is None:
        train_tick(session)
        trained = time.perf_counter()
    if playing and (answer is None or answered):
        token = st.session_state[S_TICK] = (token or 0) + 1
    snap = session.snapshot()
    snapped = time.perf_counter()
    if st.session_state.pop(S_NOTE, False):
        st.caption(tr("reset_note"))
    if S_PAUSED in st.session_state:
        st.info(tr(f"paused.{st.session_state[S_PAUSED]}", epoch=snap.epoch,
                  idle=round(session.idle_pause / 60)), icon=":material/pause_circle:")
    draw_live(cfg, snap, session.data, show_test=show_test, discretize=discretize,
              playing=playing, pinned=st.session_state.get(S_PINNED), tick=token)
    drawn = time.perf_counter()
    if answered:  # the browser paints this while the next tick trains
        train_tick(session, until_answered=True)
    if LOG_TIMES:  # DLE_LOG_RUN_TIMES=1: what a live tick costs, for profiling a class
        last = st.session_state.get("_pg_tick_end")
        st.session_state["_pg_tick_end"] = time.perf_counter()
        kind = ("answer" if answered else "full" if answer is None else "stale") if playing \
            else "paused"
        training = (trained - started) if answer is None else (time.perf_counter() - drawn)
        print(f"playground tick ({kind}) epoch {snap.epoch} step {snap.step} "
              f"{time.perf_counter() - started:.3f}s (gate + training {training:.3f}, "
              f"snapshot {snapped - trained:.3f}, drawing {drawn - snapped:.3f}; "
              f"CPU {time.thread_time() - started_cpu:.3f}), idle before it "
              f"{started - last if last else 0:.3f}s, process CPU {time.process_time():.3f}s",
              file=sys.stderr, flush=True)


with live_slot:
    live()
    if playing:  # outside the fragment: sent once, not with every tick
        st.caption(tr("when_paused" if cfg.problem == "classification"
                      else "when_paused_regression"))
    for note in notes:  # under the drawing: the output stays on the first screen
        st.caption(note)
    if imported is not None:  # a whole Playground link names ~25 keys: under the drawing too
        accepted, rejected = imported
        if st.session_state.pop("_pg_import_empty", False):
            st.warning(tr("import.empty"))
        if accepted:
            st.success(tr("import.done", keys=", ".join(f"`{k}`" for k in accepted)),
                       icon=":material/link:")
        if rejected:
            st.warning(tr("import.rejected", keys=", ".join(f"`{k}`" for k in rejected)))

# --- predict, then reveal: does this data need a hidden layer (or new features)? ----------
if cfg.problem == "classification" and csv_entry is None:
    probe = cached(lab.linear_probe)(lab.probe_config(cfg))  # data fields only: shared
    ask("pg_line", tr("ask.line", pct=lab.LINE_ENOUGH),
        labels(f"{NS}.ask.line_opt", ("yes", "no")), correct="yes" if probe.enough else "no",
        reveal=lambda: st.markdown(tr("ask.line_answer", acc=probe.test_acc,
                                     chance=probe.chance, epochs=lab.PROBE_EPOCHS)),
        explain=tr("ask.line_why_yes" if probe.enough else "ask.line_why_no"))

# --- own data, a Playground link, the code ----------------------------------------------
section(NS, "own")
c1, c2 = st.columns(2)
with c1:
    st.file_uploader(tr("csv.label"), type=["csv", "txt"], key="_pg_csv_file",
                     on_change=load_csv, help=tr("csv.help"),
                     max_upload_size=max(1, lab.CSV_MAX_BYTES // 1_000_000))
    if S_CSV_ERROR in st.session_state:
        message_id, values = st.session_state[S_CSV_ERROR]
        st.error(tr(f"csv.{message_id}", **values), icon=":material/error:")
with c2:
    st.text_input(tr("import.label"), key="_pg_import_url",
                  placeholder="https://playground.tensorflow.org/#activation=relu&…")
    st.button(tr("import.button"), key="_pg_import_go", on_click=import_from_text,
              icon=":material/link:")
if csv_entry is None:
    if session.live_changes:  # the code runs today's settings from step 0
        st.caption(tr("code_live_changes",
                     steps=", ".join(str(step) for step, _ in session.live_changes)))
    code_panel(lab.lab_code(cfg, session.trainer.step_count), key="_pg_code")
else:
    st.caption(tr("csv.no_code"))
