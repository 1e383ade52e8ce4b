"""/activations — activation curves, vanishing gradients by depth and init, dying ReLU."""

import numpy as np
import pandas as pd
import streamlit as st

from core.activations import (
    BIAS_SHIFT_RANGE,
    CURVE_ACTIVATIONS,
    DEPTH_RANGE,
    DYING_LR_CHOICES,
    INIT_STD_RANGE,
    WIDTH_RANGE,
    X_LIMIT_RANGE,
    CurvesConfig,
    DyingReluConfig,
    VanishingConfig,
    curves_claims,
    curves_code,
    dying_claims,
    dying_relu_code,
    run_curves,
    run_dying_relu,
    gradient_reach,
    run_vanishing,
    vanishing_claims,
    vanishing_code,
)
from core.charts.activations import (
    curves_figure,
    dying_animation,
    dying_figure,
    dying_loss_figure,
    grad_norm_figure,
    update_size_figure,
)
from core.models import INITS
from core.text import number  # numbers in tables as in sentences: no e-notation
from ui.i18n import labels, scoped, t
from ui.compute import figure  # each chart built once per distinct input, shared
from ui.page import ask, cached, chart, code_panel, notice_claims, page_header, presets, section_fragment
from ui.url_state import url_log_slider, url_multiselect, url_select, url_slider, url_toggle

NS = "activations"
tr = scoped(NS)
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu")
name_of = labels(f"{NS}.act", CURVE_ACTIVATIONS)


page_header(NS)
presets(NS, {  # each preset sets every widget of its section
    "deep_sigmoid": {"ac_act": "sigmoid", "ac_depth": 20, "ac_width": 32, "ac_init": "default",
                     "ac_std": 0.1},
    "relu_he": {"ac_act": "relu", "ac_depth": 20, "ac_width": 32, "ac_init": "he",
                "ac_std": 0.1},
    "relu_dies": {"ac_opt": "sgd", "ac_lr": 2.5, "ac_shift": 0.0},
    "leaky_fix": {"ac_opt": "adam", "ac_lr": 0.03, "ac_shift": -2.0},
})

# 1. Curves ------------------------------------------------------------------------------


@section_fragment(NS, "curves")  # a widget here reruns this section alone
def curves_section() -> None:
    left, right = st.columns([3, 1])
    with left:
        funcs = url_multiselect("ac_funcs", tr("curves.functions"), CURVE_ACTIVATIONS,
                                CURVE_ACTIVATIONS, format_func=name_of.get)
    with right:
        x_limit = url_slider("ac_xlim", tr("curves.x_limit"), *X_LIMIT_RANGE, 6.0, step=1.0)
    curves_cfg = CurvesConfig(activations=tuple(funcs) or ("sigmoid",), x_limit=x_limit)
    curves = cached(run_curves)(curves_cfg)
    if not funcs:
        st.warning(tr("curves.pick_one"))
    chart(figure(curves_figure, curves, {k: tr(f"curves.{k}") for k in ("value", "derivative")}
                        | {"title": tr("curves.chart_title"), "x": "x"}, name_of), "ac_curves")
    st.markdown(f"**{tr('curves.table_title')}**")
    # Two tables, the notes' columns and the measured ones: one table of eight columns
    # does not fit beside the sidebar at 1024 px.
    function = tr("table.function")
    st.table(pd.DataFrame([{
        function: name_of[a],
        tr("table.range"): tr(f"table.rows.{a}.range"),
        tr("table.strength"): tr(f"table.rows.{a}.strength"),
        tr("table.weakness"): tr(f"table.rows.{a}.weakness"),
        tr("table.used"): tr(f"table.rows.{a}.used"),
    } for a in curves_cfg.activations]).set_index(function))
    st.table(pd.DataFrame([{
        function: name_of[a],
        tr("table.measured_range"):
            f"[{number(curves.measures[a].min_output, '.3g')}, "
            f"{number(curves.measures[a].max_output, '.3g')}]",
        tr("table.max_derivative"): f"{curves.measures[a].max_derivative:.4g}",
        tr("table.edge_derivative"): number(curves.measures[a].derivative_at_limit, ".2e"),
    } for a in curves_cfg.activations]).set_index(function))
    reference = cached(run_curves)(CurvesConfig(("sigmoid", "tanh"), x_limit))
    notice_claims(f"{NS}.curves", curves_claims(reference))
    code_panel(curves_code(curves_cfg), key="ac_code_curves")


# 2. Vanishing gradients -----------------------------------------------------------------


@section_fragment(NS, "vanishing")  # a widget here reruns this section alone
def vanishing_section() -> None:
    c1, c2 = st.columns(2)  # two rows of two: the select boxes stay readable at 1024 px
    c3, c4 = st.columns(2)
    with c1:
        depth = url_slider("ac_depth", tr("vanishing.depth"), *DEPTH_RANGE, 10)
    with c2:
        width = url_slider("ac_width", tr("vanishing.width"), *WIDTH_RANGE, 32, step=4)
    with c3:
        activation = url_select("ac_act", tr("vanishing.activation"), HIDDEN_ACTIVATIONS,
                                "sigmoid", format_func=name_of.get, horizontal=False)
    with c4:
        init = url_select("ac_init", tr("vanishing.init"), INITS, "default",
                          format_func=labels(f"{NS}.init", INITS).get, horizontal=False)
        init_std = (url_slider("ac_std", tr("vanishing.init_std"), *INIT_STD_RANGE, 0.1,
                               step=0.01)
                    if init == "normal" else 0.1)
    vanishing_cfg = VanishingConfig(depth=depth, width=width, activation=activation, init=init,
                                    init_std=init_std)
    vanishing = cached(run_vanishing)(vanishing_cfg)
    axis_text = {"x": tr("vanishing.x"), "head": tr("vanishing.head"),
                 "exploded": tr("vanishing.exploded"),
                 "zero": tr("vanishing.zero"), "f32_zero": tr("vanishing.f32_zero"),
                 "diverged": t("common.diverged")}
    def charts() -> None:
        left, right = st.columns(2)
        with left:
            chart(figure(grad_norm_figure, vanishing, axis_text | {
                "title": tr("vanishing.grad_title"), "y": tr("vanishing.grad_y")}),
                "ac_grad")
        with right:
            chart(figure(update_size_figure, vanishing, axis_text | {
                "title": tr("vanishing.update_title", steps=vanishing_cfg.train_steps),
                "y": tr("vanishing.update_y")}), "ac_update")

    # Predict, then reveal: the answer is the measured ratio for these settings.
    ask("ac_reach", tr("ask.reach"), labels(f"{NS}.ask.reach_opt", ("little", "same", "more")),
        correct=gradient_reach(vanishing), reveal=charts)
    if vanishing.diverged:
        st.error(t("common.diverged_at", step=vanishing.diverged_at))
    if not np.all(np.isfinite(vanishing.grad_norms)):  # the opposite failure: overflow
        st.error(tr("vanishing.exploded"))
    notice_claims(f"{NS}.vanishing", vanishing_claims(vanishing, vanishing_cfg))
    code_panel(vanishing_code(vanishing_cfg), key="ac_code_vanishing")


# 3. Dying ReLU --------------------------------------------------------------------------


@section_fragment(NS, "dying")  # a widget here reruns this section alone
def dying_section() -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        optimizer = url_select("ac_opt", tr("dying.optimizer"), ("sgd", "adam"), "sgd",
                               format_func={"sgd": "SGD", "adam": "Adam"}.get)
    with c2:
        lr = url_log_slider("ac_lr", tr("dying.lr"), DYING_LR_CHOICES, 0.1)
    with c3:
        shift = url_slider("ac_shift", tr("dying.bias_shift"), *BIAS_SHIFT_RANGE, 0.0, step=0.25,
                           help=tr("dying.bias_shift_help"))
    dying_cfg = DyingReluConfig(optimizer=optimizer, lr=lr, bias_shift=shift)
    dying = cached(run_dying_relu)(dying_cfg)
    step_text = {"x": t("common.step"), "diverged": t("common.diverged")}
    dying_text = step_text | {"title": tr("dying.chart_title"), "y": tr("dying.y"),
                              "layer": tr("dying.layer")}
    if url_toggle("ac_anim", tr("dying.animate"), False, help=tr("dying.animate_help")):
        # every frame computed here once; the browser plays them
        chart(dying_animation(dying, dying_text | {
            "play": tr("dying.play"), "pause": tr("dying.pause"),
            "step": t("common.step")}, name_of), "ac_dying_anim")
    else:
        chart(figure(dying_figure, dying, dying_text, name_of), "ac_dying")
    left, right = st.columns([2, 1])
    with left:
        chart(figure(dying_loss_figure, dying, step_text | {"title": tr("dying.loss_title"),
                                                    "y": t("common.loss")}, name_of), "ac_dyloss")
    final_dead = {a: 100 * run.inactive[-1].mean() for a, run in dying.runs.items()}
    accuracy = {a: "—" if run.diverged else f"{run.accuracy:.0%}" for a, run in dying.runs.items()}
    with right:
        for a, run in dying.runs.items():
            st.metric(tr("dying.accuracy", name=name_of[a]), accuracy[a])
            st.metric(tr("dying.dead_now", name=name_of[a]),
                      "—" if run.diverged else f"{final_dead[a]:.0f}%")
            if run.diverged:
                st.error(f"{name_of[a]}: " + t("common.diverged_at", step=run.diverged_at))
    notice_claims(f"{NS}.dying", dying_claims(dying))
    code_panel(dying_relu_code(dying_cfg), key="ac_code_dying")


curves_section()
vanishing_section()
dying_section()
