"""The /playground lab's controls, group by group, kept out of the page (pages stay thin).

Each function draws one group of widgets in TensorFlow Playground's order and returns what it
set (LabConfig fields, plus show_test_data / discretize for the view). Every widget is keyed
by its URL name (ui.url_state), so a link or a preset sets the same view.
"""

from __future__ import annotations

import streamlit as st

from core import lab
from ui.i18n import labels, scoped, t
from ui.lab.state import S_PINNED, pause, pin, play, regenerate, request, unpin
from ui.lab.view import NS
from ui.url_state import is_hidden, url_log_slider, url_select, url_slider, url_toggle

tr = scoped(NS)

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
