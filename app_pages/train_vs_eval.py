"""/train-vs-eval — the notes' train/eval table made live: mode × no_grad, measured."""

import pandas as pd
import streamlit as st

from core.charts.train_vs_eval import costs_figure
from core.train_vs_eval import (
    COMBOS, MODES, P_RANGE, SAME, TrainEvalConfig, combo_id, mistake_claims, run_train_vs_eval,
    table_claims, train_vs_eval_code,
)
from core.text import number  # numbers in tables as in sentences: no e-notation
from ui.i18n import labels, scoped, t
from ui.compute import figure  # each chart built once per distinct input, shared
from ui.page import ask, cached, chart, code_panel, notice_claims, page_header, presets, section_fragment
from ui.url_state import url_select, url_slider, url_toggle

NS = "train_vs_eval"
tr = scoped(NS)
combo_name = labels(f"{NS}.combo", [combo_id(m, ng) for m, ng in COMBOS])

page_header(NS)
presets(NS, {
    "evaluate": {"te_mode": "eval", "te_nograd": True, "te_p": 0.3},
    "train": {"te_mode": "train", "te_nograd": False, "te_p": 0.3},
    "mistake_grad": {"te_mode": "eval", "te_nograd": False, "te_p": 0.3},
    "mistake_mode": {"te_mode": "train", "te_nograd": True, "te_p": 0.3},
})

# A widget here reruns the section alone: the page's header and presets stay as drawn.
@section_fragment(NS, "table")
def table_section() -> None:
    c1, c2, c3 = st.columns([1, 1, 1])
    with c1:
        mode = url_select("te_mode", tr("table.mode"), MODES, "eval",
                          format_func=labels(f"{NS}.mode", MODES).get)
    with c2:
        no_grad = url_toggle("te_nograd", tr("table.no_grad"), True)
    with c3:
        p = url_slider("te_p", tr("table.p"), *P_RANGE, 0.3, step=0.1)
    cfg = TrainEvalConfig(p=p)
    with st.spinner(t("common.training")):
        result = cached(run_train_vs_eval)(cfg)
    if result.diverged:
        st.error(tr("table.diverged"))
    selected = combo_id(mode, no_grad)


    def yes_no(flag: bool) -> str:
        return tr(f"table.{'yes' if flag else 'no'}")


    def describe(m) -> dict[str, str]:
        """One column of the measured table: every row of the notes' table, as measured."""
        return {
            "deterministic": yes_no(True) if m.deterministic
            else tr("table.differs", diff=m.max_output_diff),
            "batchmates": yes_no(True) if m.batch_diff <= SAME
            else tr("table.differs", diff=m.batch_diff),
            "bn": tr(f"table.{m.bn_uses}"),
            "moved": f"{yes_no(m.running_mean_moved > 0)} ({number(m.running_mean_moved, '.3g')})",
            # zero-width space: lets "AddmmBackward0" wrap in a narrow column (1024 px screens)
            "grad": f"{m.requires_grad} / {(m.grad_fn or 'None').replace('Backward', chr(0x200B) + 'Backward')}",
            "step": tr("table.weights_moved", change=m.weight_change) if not m.backward_error
            else tr("table.no_graph", error="RuntimeError"),
            "accuracy": f"{m.accuracy:.1%}",
            "time": f"{m.forward_ms:.2f} ms",
            "memory": f"{m.saved_bytes / 1024:,.0f} KiB",
            "purpose": tr("table.purpose_" + {"train_grad": "train", "eval_nograd": "eval"}
                         .get(combo_id(m.mode, m.no_grad), "mistake")),
        }


    rows = ["deterministic", "batchmates", "bn", "moved", "grad", "step", "accuracy", "time", "memory",
            "purpose"]
    table = pd.DataFrame(
        {("▶ " if cid == selected else "") + combo_name[cid]: describe(result.combos[cid]).values()
         for cid in combo_name},
        index=[tr(f"table.{r}") for r in rows],
    )
    table.index.name = tr("table.item")


    def show_measurements() -> None:
        """The measured answer to the question: cards for the chosen combination, the table of
        all four, the warning for a mistaken one, the chart and the notice."""
        chosen = result.combos[selected]
        cards = describe(chosen)

        def costs_chart() -> None:
            chart(figure(costs_figure, result, {"title": tr("table.chart_title"),
                                                "accuracy": tr("table.chart_accuracy"),
                                                "time": tr("table.chart_time"),
                                                "memory": tr("table.chart_memory")} | combo_name,
                         selected), "te_costs")

        costs_chart()  # first: a projector's and a laptop's first screen show it; cards, table follow
        # Three per row: a quarter of the page at 1024 px cut "running" to "runni…".
        # (Accuracy and time are in the table and the chart below.)
        card_keys = ("deterministic", "bn", "grad", "moved", "step", "memory")
        for start in range(0, len(card_keys), 3):
            for col, key in zip(st.columns(3), card_keys[start:start + 3]):
                value = (yes_no(not chosen.backward_error) if key == "step"
                         else str(chosen.requires_grad) if key == "grad"  # grad_fn: in the table
                         else cards[key].split(" (")[0])
                label = {"grad": "output.requires_grad"}.get(key, tr(f"table.{key}"))
                col.metric(label, value)
        st.table(table)  # wraps long cells instead of scrolling sideways
        st.caption(f"RuntimeError: {result.combos['eval_nograd'].backward_error}")
        mistakes = mistake_claims(result, selected)
        if mistakes:
            st.warning(" ".join(tr(f"mistake.{c.id}", **c.values) for c in mistakes), icon="⚠️")
        notice_claims(f"{NS}.table", table_claims(result))
        st.caption(tr("table.no_grad_uses"))


    graph = result.combos["eval_grad"]
    ask("te_eval_step", tr("ask.step"), labels(f"{NS}.ask.step_opt", ("yes", "no")),
        correct="yes" if not graph.backward_error and graph.weight_change > 0 else "no",
        reveal=show_measurements, explain=tr("ask.step_why", change=graph.weight_change))
    code_panel(train_vs_eval_code(cfg), key="te_code")


table_section()
