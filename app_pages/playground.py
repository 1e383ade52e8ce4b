"""/playground — a live training lab on 2-D data: TensorFlow Playground parity, real PyTorch.

Layout, in TensorFlow Playground's order and on one screen: the data column beside the lab
(Play / Pause / Step / Reset, then ONE drawing element with the network, the output over the
plane with its legend, the loss curve, epoch and losses: ``ui.lab.drawing``) inside a fragment
that reruns on a timer only while playing. On a phone the lab comes first. Less-used settings
(features and layers as sliders, loss and classes, optimizer, init, schedule, dropout, batch
norm, pin) fold into a panel below; then presets, CSV upload, opening a Playground link and
the code of this run.

The LabSession lives in ``st.session_state`` (one per browser session; core caps its
history); its keys and the callbacks are in ``ui.lab.state``. Every tick trains for a
bounded time inside ``ui.compute.admitted``.
"""

from __future__ import annotations

import dataclasses
import sys
import time

import streamlit as st

from core import lab
from ui.compute import LOG_TIMES, admitted, cached
from ui.i18n import labels, scoped, t
from ui.page import ask, code_panel, page_header, presets, section
from ui.lab.state import (
    S_CSV, S_CSV_ERROR, S_IMPORT, S_NOTE, S_PAUSED, S_PINNED, S_PLAYING, S_SESSION,
    apply_taps, import_from_query, import_from_text, load_csv, pause, pin, play, regenerate, request, unpin,
)
from ui.lab.view import NS, draw_live, lab_layout_css
from ui.url_state import (
    is_hidden, url_log_slider, url_select, url_slider, url_toggle,
)

tr = scoped(NS)

TICK_EVERY = 0.06  # s between live ticks while playing: >= 15 redraws a second when a tick
# (TICK_BUDGET of training + ~15 ms of snapshot, data and Streamlit) fits in it; the drawing
# element only repaints from numbers, so the browser keeps up (a longer tick runs back to back)
TICK_BUDGET = 0.045  # s of training per tick: ~75 % of each second trains; a click waits ~this

# --- the controls, group by group (each returns what it set) -----------------------------
def control_bar(playing: bool) -> None:
    """Play/Pause, Step, Reset in one row (a Playground link may hide any of them)."""
    bar = st.container(horizontal=True, key="pg_bar")
    if is_hidden("pg_play"):  # a Playground link with playButton_hide=true
        pass
    elif playing:
        bar.button(tr("pause"), key="_pg_pause", on_click=pause, type="primary",
                   icon=":material/pause:")
    else:
        bar.button(tr("play"), key="_pg_play", on_click=play, type="primary",
                   icon=":material/play_arrow:")
    if not is_hidden("pg_step"):
        bar.button(tr("step"), key="_pg_step", on_click=request, args=("step",),
                   icon=":material/skip_next:", help=tr("step_help"))
    if not is_hidden("pg_reset"):
        bar.button(tr("reset"), key="_pg_reset", on_click=request, args=("reset",),
                   icon=":material/restart_alt:", help=tr("reset_help"))


def pin_button() -> None:
    if S_PINNED in st.session_state:
        st.button(tr("unpin"), key="_pg_unpin", on_click=unpin, icon=":material/push_pin:")
    else:
        st.button(tr("pin"), key="_pg_pin", on_click=pin, help=tr("pin_help"),
                  icon=":material/push_pin:")


def architecture() -> list[int]:
    """Hidden layers and neurons per layer, above the network as in the Playground."""
    depth_col, width_col = st.columns([1, 4])
    with depth_col:
        depth = url_slider("pg_layers", tr("layers"), 0, lab.MAX_LAYERS, 2)
    hidden: list[int] = []
    with width_col:
        if depth:
            for i, column in enumerate(st.columns(depth)):
                with column:
                    hidden.append(url_slider(f"pg_n{i + 1}", tr("neurons", i=i + 1), 1,
                                             lab.MAX_NEURONS, lab.DEFAULT_HIDDEN[i]))
    return hidden


def data_controls(csv_entry) -> dict:
    """The Playground's left column: rate, activation, problem, data, regularization,
    view (the features are the drawing's input thumbnails; their toggles are in the panel). Returns LabConfig fields (+ show_test_data, discretize)."""
    c: dict = {}
    c["lr"] = url_log_slider("pg_lr", tr("lr"), lab.LR_CHOICES, 0.03)
    c["activation"] = url_select("pg_act", tr("activation"), lab.ACTIVATIONS, "tanh",
                                 format_func=labels(f"{NS}.act", lab.ACTIVATIONS).get,
                                 horizontal=False)
    c["problem"] = url_select("pg_problem", tr("problem"), lab.PROBLEMS,
                              "classification",
                              format_func=labels(f"{NS}.problem_kind", lab.PROBLEMS).get)
    if csv_entry is not None:
        st.caption(tr("csv.using", name=csv_entry[1], n=len(csv_entry[2].points)))
        c["dataset"] = lab.CSV_DATASET
    elif c["problem"] == "regression":
        c["dataset"] = url_select(
            "pg_reg_dataset", tr("dataset"), lab.DATASETS_REGRESSION, "plane",
            format_func=labels(f"{NS}.ds", lab.DATASETS_REGRESSION).get, horizontal=False)
    else:
        c["dataset"] = url_select(
            "pg_dataset", tr("dataset"), lab.DATASETS_CLASSIFICATION, "circle",
            format_func=labels(f"{NS}.ds", lab.DATASETS_CLASSIFICATION).get, horizontal=False)
    c["train_percent"] = url_slider("pg_ratio", tr("ratio"), 10, 90, 50, step=10)
    c["noise"] = url_slider("pg_noise", tr("noise"), 0, 50, 0, step=5)
    c["batch_size"] = url_slider("pg_batch", tr("batch"), 1, lab.MAX_BATCH, 10)
    c["seed"] = url_slider("pg_seed", t("common.seed"), 0, lab.MAX_SEED, 0,
                           help=t("common.seed_help"))
    st.button(tr("regenerate"), key="_pg_regen", on_click=regenerate,
              icon=":material/refresh:", width="stretch")
    c["regularization"] = url_select("pg_reg", tr("regularization"), lab.REGULARIZATIONS,
                                     "none",
                                     format_func=labels(f"{NS}.reg", lab.REGULARIZATIONS).get)
    c["reg_rate"] = url_log_slider("pg_reg_rate", tr("reg_rate"), lab.REG_RATES, 0.0)
    st.markdown(f"**{tr('view')}**")
    c["show_test_data"] = url_toggle("pg_show_test", tr("show_test"), False)
    c["discretize"] = url_toggle("pg_discretize", tr("discretize"), False)
    return c


def feature_toggles() -> tuple[str, ...]:
    """The inputs as toggles (the drawing's thumbnails switch the same session keys)."""
    st.markdown(f"**{tr('features')}**")
    row = st.container(horizontal=True)
    with row:
        return tuple(f for f, key in lab.FEATURE_KEYS.items()
                     if url_toggle(key, tr(f"feature.{f}"), f in lab.DEFAULT_FEATURES))


def beyond_controls() -> dict:
    """What the Playground lacks, in two wide columns (four narrow ones truncated the
    choices at 1024 px). Returns LabConfig fields."""
    c: dict = {}
    b = st.columns(2)
    with b[0]:
        c["playground_mode"] = url_toggle("pg_mode", tr("beyond.mode"), False,
                                          help=tr("beyond.mode_help"))
        c["loss"] = url_select("pg_loss", tr("beyond.loss"), lab.LOSSES, "squared",
                               format_func=labels(f"{NS}.loss_kind", lab.LOSSES).get,
                               horizontal=False)
    with b[1]:
        c["n_classes"] = url_slider("pg_classes", tr("beyond.classes"), 2,
                                    lab.MAX_CLASSES, 2, help=tr("beyond.classes_help"))
        c["optimizer"] = url_select("pg_opt", tr("beyond.optimizer"), lab.OPTIMIZERS,
                                    "sgd", format_func=labels(f"{NS}.opt", lab.OPTIMIZERS).get,
                                    horizontal=False)
    with b[0]:
        c["init"] = url_select("pg_init", tr("beyond.init"), lab.INITS, "playground",
                               format_func=labels(f"{NS}.init_kind", lab.INITS).get,
                               horizontal=False)
        c["schedule"] = url_select("pg_sched", tr("beyond.schedule"), lab.SCHEDULES,
                                   "none", format_func=labels(f"{NS}.sched", lab.SCHEDULES).get,
                                   horizontal=False)
    with b[1]:
        c["dropout"] = url_slider("pg_dropout", tr("beyond.dropout"), 0.0, 0.5, 0.0,
                                  step=0.05)
        c["batchnorm"] = url_toggle("pg_bn", tr("beyond.batchnorm"), False)
    return c


# =========================================================================================
import_from_query()
apply_taps()
page_header(NS)
if S_IMPORT in st.session_state:
    accepted, rejected = st.session_state.pop(S_IMPORT)
    if st.session_state.pop("_pg_import_empty", False):
        st.warning(tr("import.empty"))
    if accepted:
        st.success(tr("import.done", keys=", ".join(f"`{k}`" for k in accepted)),
                   icon=":material/link:")
    if rejected:
        st.warning(tr("import.rejected", keys=", ".join(f"`{k}`" for k in rejected)))
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
session.touch()  # a full run = someone interacted (the timer's ticks are fragment runs)
st.session_state["_pg_csv_token"] = csv_token
if st.session_state.pop("_pg_reset_request", False):
    session.reset(cfg, lab_data(cfg))
if st.session_state.pop("_pg_step_request", False):
    with admitted("playground"):
        session.step_one()


# --- the live part: one fragment, on a timer only while playing ----------------------------
@st.fragment(run_every=TICK_EVERY if playing else None)
def live() -> None:
    started = time.perf_counter()
    session = st.session_state[S_SESSION]
    if st.session_state.get(S_PLAYING):
        with admitted("playground"):  # an idle session (no full run for a while) pauses
            reason = session.tick(TICK_BUDGET).paused
        if reason is not None:
            st.session_state[S_PLAYING] = False
            st.session_state[S_PAUSED] = reason
            st.rerun()
    snap = session.snapshot()
    if st.session_state.pop(S_NOTE, False):
        st.caption(tr("reset_note"))
    if S_PAUSED in st.session_state:
        st.info(tr(f"paused.{st.session_state[S_PAUSED]}", epoch=snap.epoch,
                  idle=round(session.idle_pause / 60)), icon=":material/pause_circle:")
    # the play state now (the tick may have paused), not the full run's `playing`
    draw_live(cfg, snap, session.data, show_test=show_test, discretize=discretize,
              playing=bool(st.session_state.get(S_PLAYING)),
              pinned=st.session_state.get(S_PINNED))
    if LOG_TIMES:  # DLE_LOG_RUN_TIMES=1: what a live tick costs, for profiling a class
        last = st.session_state.get("_pg_tick_end")
        st.session_state["_pg_tick_end"] = time.perf_counter()
        print(f"playground tick epoch {snap.epoch} step {snap.step} "
              f"{time.perf_counter() - started:.3f}s, idle before it "
              f"{started - last if last else 0:.3f}s", file=sys.stderr, flush=True)


with live_slot:
    live()
    for note in notes:  # under the drawing: the output stays on the first screen
        st.caption(note)

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
