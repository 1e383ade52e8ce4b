"""/backprop — chain rule with live numbers, gradient size per parameter, zero_grad."""

import pandas as pd
import streamlit as st

from core.backprop import (
    DEPTH_RANGE, GRAPH_ACTIVATIONS, GRAPH_RANGE, K_RANGE, MICRO_RANGE, PARAM_LR_CHOICES,
    ZERO_LR_CHOICES, ZERO_STEPS_RANGE, AccumulationConfig, GraphConfig, ParamGradConfig,
    ZeroGradConfig, accumulation_claims, accumulation_code, fd_agrees, graph_claims, graph_code,
    param_claims, param_grads_code, run_accumulation, run_graph, run_param_grads,
    run_zero_grad, zero_claims, zero_grad_code,
)
from core.charts.backprop import (
    accumulation_figure, chain_table_rows, graph_figure, param_grad_figure, signed4,
    zero_grad_animation,
    zero_grad_figure,
)
from core.text import number  # numbers in tables as in sentences: no e-notation
from ui.i18n import labels, scoped, t
from ui.compute import figure  # each chart built once per distinct input, shared
from ui.page import ask, cached, chart, code_panel, notice_claims, page_header, presets, section_fragment
from ui.url_state import url_log_slider, url_select, url_slider, url_toggle

NS = "backprop"
tr = scoped(NS)
acts = labels(f"{NS}.act", GRAPH_ACTIVATIONS)
step_text = {"step": t("common.step"), "diverged": t("common.diverged")}

page_header(NS)
GRAPH_DEFAULTS = {"bp_x": 1.5, "bp_y": 0.5, "bp_w2": 1.2, "bp_b2": 0.1}
presets(NS, {  # each sets every widget of its section
    "saturated": GRAPH_DEFAULTS | {"bp_act": "sigmoid", "bp_w1": 4.0, "bp_b1": 2.0},
    "dead_relu": GRAPH_DEFAULTS | {"bp_act": "relu", "bp_w1": -1.0, "bp_b1": -0.5},
    "deep_sigmoid": {"bp_pact": "sigmoid", "bp_depth": 5, "bp_opt": "sgd", "bp_plr": 0.5},
    "forgot_fast": {"bp_zlr": 0.3, "bp_zsteps": 40},
})


# 1. Chain rule ------------------------------------------------------------------------------
@section_fragment(NS, "graph")  # a widget here reruns this section alone
def graph_section() -> None:
    # The activation on its own row: a seventh column was too narrow for it at 1024 px.
    activation = url_select("bp_act", tr("graph.activation"), GRAPH_ACTIVATIONS, "tanh",
                            format_func=acts.get)
    cols = st.columns(6)
    names = ("x", "y", "w1", "b1", "w2", "b2")
    defaults = GraphConfig()
    values = {}
    for column, name in zip(cols, names):
        with column:
            values[name] = url_slider(f"bp_{name}", name, *GRAPH_RANGE, getattr(defaults, name),
                                      step=0.1)
    graph_cfg = GraphConfig(activation=activation, **values)
    graph = cached(run_graph)(graph_cfg)
    node_labels = labels(f"{NS}.node", ("x", "y", "w1", "b1", "w2", "b2", "z", "h", "y_hat", "loss"))
    chart(figure(graph_figure, graph, labels(f"{NS}.graph", ("value", "grad"))
                       | {"title": tr("graph.chart_title")}, node_labels), "bp_graph")
    col = labels(f"{NS}.graph", ("col_param", "col_chain", "col_product", "col_autograd",
                                  "col_fd", "col_gap"))
    rows = chain_table_rows(graph)
    def chain_table() -> None:
        st.table(pd.DataFrame([{  # st.table wraps long cells instead of hiding columns
            col["col_param"]: r["param"], col["col_chain"]: r["chain"],
            col["col_product"]: signed4(r["product"], 6), col["col_autograd"]: signed4(r["autograd"], 6),
            col["col_fd"]: signed4(r["finite_diff"], 6), col["col_gap"]: number(r["gap"], ".1e"),
        } for r in rows]).set_index(col["col_param"]))

    # Predict, then reveal: the answer is the measured gap for these numbers.
    ask("bp_fd", tr("ask.fd"), labels(f"{NS}.ask.fd_opt", ("yes", "no")),
        correct=fd_agrees(graph), reveal=chain_table)
    notice_claims(f"{NS}.graph", graph_claims(graph, graph_cfg))
    code_panel(graph_code(graph_cfg), key="bp_code_graph")


# 2. Which parameter matters how much --------------------------------------------------------
@section_fragment(NS, "params")  # a widget here reruns this section alone
def params_section() -> None:
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        p_act = url_select("bp_pact", tr("params.activation"), GRAPH_ACTIVATIONS, "sigmoid",
                           format_func=acts.get, horizontal=False)
    with c2:
        depth = url_slider("bp_depth", tr("params.depth"), *DEPTH_RANGE, 3)
    with c3:
        optimizer = url_select("bp_opt", tr("params.optimizer"), ("sgd", "adam"), "sgd",
                               format_func={"sgd": "SGD", "adam": "Adam"}.get)
    with c4:
        p_lr = url_log_slider("bp_plr", tr("params.lr"), PARAM_LR_CHOICES, 0.5)
    param_cfg = ParamGradConfig(activation=p_act, depth=depth, optimizer=optimizer, lr=p_lr)
    params = cached(run_param_grads)(param_cfg)
    chart(figure(param_grad_figure, params, labels(f"{NS}.params", ("over_steps", "mean", "grad"))
                            | step_text | {"title": tr("params.chart_title")}), "bp_params")
    if params.diverged:
        st.error(t("common.diverged_at", step=params.diverged_at))
    st.metric(tr("params.accuracy"), "—" if params.diverged else f"{params.accuracy:.0%}")
    notice_claims(f"{NS}.params", param_claims(params, param_cfg))
    code_panel(param_grads_code(param_cfg), key="bp_code_params")


# 3. zero_grad -------------------------------------------------------------------------------
@section_fragment(NS, "zero")  # a widget here reruns this section alone
def zero_section() -> None:
    c1, c2 = st.columns(2)
    with c1:
        z_lr = url_log_slider("bp_zlr", tr("zero.lr"), ZERO_LR_CHOICES, 0.1)
    with c2:
        z_steps = url_slider("bp_zsteps", tr("zero.steps"), *ZERO_STEPS_RANGE, 40, step=5)
    zero_cfg = ZeroGradConfig(lr=z_lr, steps=z_steps)
    zero = cached(run_zero_grad)(zero_cfg)
    zero_text = labels(f"{NS}.zero", ("loss_panel", "grad_panel", "with", "without", "fresh")) | (
        step_text | {"title": tr("zero.chart_title")})
    if url_toggle("bp_zanim", tr("zero.animate"), False, help=tr("zero.animate_help")):
        # every frame computed here once; the browser plays them
        chart(zero_grad_animation(zero, zero_text | labels(f"{NS}.zero", ("play", "pause"))),
              "bp_zero_anim")
    else:
        chart(figure(zero_grad_figure, zero, zero_text), "bp_zero")
    forgot, clean = zero.without_zero_grad, zero.with_zero_grad
    for run in (clean, forgot):
        if run.diverged:
            st.error(t("common.diverged_at", step=run.diverged_at))
    notice_claims(f"{NS}.zero", zero_claims(zero))
    code_panel(zero_grad_code(zero_cfg), key="bp_code_zero")


# 4. Accumulation ----------------------------------------------------------------------------
@section_fragment(NS, "accum")  # a widget here reruns this section alone
def accum_section() -> None:
    c1, c2 = st.columns(2)
    with c1:
        acc_k = url_slider("bp_k", tr("accum.k"), *K_RANGE, 4)
    with c2:
        micro = url_slider("bp_micro", tr("accum.micro"), *MICRO_RANGE, 8)
    acc_cfg = AccumulationConfig(k=acc_k, micro_batch=micro)
    acc = cached(run_accumulation)(acc_cfg)
    chart(figure(accumulation_figure, acc, acc_k, micro, labels(f"{NS}.accum", (
        "loss_panel", "gap_panel", "accumulated", "big", "gap")) | step_text
        | {"title": tr("accum.chart_title")}), "bp_accum")
    notice_claims(f"{NS}.accum", accumulation_claims(acc, acc_cfg))
    code_panel(accumulation_code(acc_cfg), key="bp_code_accum")


graph_section()
params_section()
zero_section()
accum_section()
