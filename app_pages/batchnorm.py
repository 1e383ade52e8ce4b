"""/batchnorm — activation statistics with/without BN, batch vs running statistics, pitfalls."""

import numpy as np
import streamlit as st

from core.batchnorm import (
    BATCH_RANGE, LR_CHOICES, MOMENTA, BNTrainConfig, PitfallsConfig, RunningStatsConfig,
    bn_training_code, pitfalls_claims, pitfalls_code, run_bn_training, run_pitfalls,
    run_running_stats, running_claims, running_stats_code, stats_claims,
)
from core.charts.batchnorm import (
    activation_std_figure, bn_loss_figure, pitfalls_figure, running_mean_figure,
)
from ui.i18n import labels, scoped, t
from ui.compute import figure  # each chart built once per distinct input, shared
from ui.page import ask, cached, chart, code_panel, notice_claims, page_header, presets, section_fragment
from ui.url_state import url_log_slider, url_slider

NS = "batchnorm"
tr = scoped(NS)


def pct(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{value:.1%}"


page_header(NS)
presets(NS, {
    "high_lr": {"bn_lr": 0.5},
    "low_lr": {"bn_lr": 0.01},
    "slow_momentum": {"bn_momentum": 0.01, "bn_batch": 16},
    "last_batch": {"bn_momentum": 1.0, "bn_batch": 16},
})


# 1. Activation statistics ---------------------------------------------------------------
@section_fragment(NS, "stats")  # a widget here reruns this section alone
def stats_section() -> None:
    lr = url_log_slider("bn_lr", tr("stats.lr"), LR_CHOICES, 0.03)
    stats_cfg = BNTrainConfig(lr=lr)
    with st.spinner(t("common.training")):
        stats = cached(run_bn_training)(stats_cfg)
    st_ = scoped(f"{NS}.stats")
    plain, bn = stats.runs["plain"], stats.runs["bn"]
    claims = stats_claims(stats)

    def show_outcome() -> None:  # the measured answer to the question below
        chart(figure(activation_std_figure, stats, {k: st_(k) for k in (
            "chart_title", "y", "plain", "bn", "layer")} | {
            "title": st_("chart_title"), "x": t("common.step"),
            "diverged": t("common.diverged")}), "bn_std")
        left, right = st.columns([2, 1])
        with left:
            chart(figure(bn_loss_figure, stats, {"title": st_("loss_title"), "x": t("common.step"),
                                         "y": t("common.loss"), "plain": st_("plain"),
                                         "bn": st_("bn")}), "bn_loss")
        with right:
            st.metric(st_("acc_plain"), pct(plain.test_accuracy))
            st.metric(st_("acc_bn"), pct(bn.test_accuracy))
            for run in (plain, bn):
                if run.diverged:
                    st.error(f"{st_('plain' if run is plain else 'bn')}: "
                             + t("common.diverged_at", step=run.diverged_at))
        notice_claims(f"{NS}.stats", claims)

    winner = {"acc_bn_higher": "bn", "acc_bn_only": "bn", "acc_bn_lower": "plain",
              "acc_equal": "same"}
    correct = next((winner[c.id] for c in claims if c.id in winner),
                   "plain" if bn.diverged and not plain.diverged else None)
    ask("bn_better", tr("ask.better", lr=lr),
        labels(f"{NS}.ask.better_opt", ("bn", "plain", "same")), correct=correct,
        reveal=show_outcome, explain=tr("ask.better_why", plain=pct(plain.test_accuracy),
                                       bn=pct(bn.test_accuracy)))
    code_panel(bn_training_code(stats_cfg), key="bn_code_stats")


# 2. Running statistics ------------------------------------------------------------------
@section_fragment(NS, "running")  # a widget here reruns this section alone
def running_section() -> None:
    c1, c2 = st.columns(2)
    with c1:
        momentum = url_log_slider("bn_momentum", tr("running.momentum"), MOMENTA, 0.1)
    with c2:
        batch_size = url_slider("bn_batch", tr("running.batch_size"), *BATCH_RANGE, 16)
    run_cfg = RunningStatsConfig(momentum=momentum, batch_size=batch_size)
    running = cached(run_running_stats)(run_cfg)
    rt = scoped(f"{NS}.running")
    chart(figure(running_mean_figure, running, {k: rt(k) for k in ("x", "y", "batch", "running", "theory",
                                                            "true")}
                              | {"title": rt("chart_title")}), "bn_running")
    steps = running.steps_to_95 if running.steps_to_95 is not None else rt("never")
    cols = st.columns(2) + st.columns(2)
    # The theory value goes in the label: a metric's delta arrow would read as a change.
    cols[0].metric(f"{rt('steps95')} ({rt('steps95_theory', n=running.theory_steps_to_95)})",
                   steps)
    cols[1].metric(rt("jitter"), f"±{running.late_jitter:.3f}")
    cols[2].metric(rt("probe_train"), " / ".join(f"{v:.3f}" for v in running.probe_train))
    cols[3].metric(rt("probe_eval"), " / ".join(f"{v:.3f}" for v in running.probe_eval))
    notice_claims(f"{NS}.running", running_claims(running))
    code_panel(running_stats_code(run_cfg), key="bn_code_running")


# 3. Pitfalls ----------------------------------------------------------------------------
@section_fragment(NS, "pitfalls")  # a widget here reruns this section alone
def pitfalls_section() -> None:
    pit_cfg = PitfallsConfig()
    with st.spinner(t("common.training")):
        pit = cached(run_pitfalls)(pit_cfg)
    pt = scoped(f"{NS}.pitfalls")
    left, right = st.columns([3, 2])
    with left:
        chart(figure(pitfalls_figure, pit, {k: pt(k) for k in ("x", "y", "train_mode", "eval_mode",
                                                        "one_class")}
                              | {"title": pt("chart_title")}), "bn_pitfalls")
    with right:
        st.markdown(f"**{pt('one')}**")
        st.code(f"ValueError: {pit.batch_of_one_error}", language=None, wrap_lines=True)
        st.markdown(f"**{pt('two')}**")
        st.code(pt("two_value", lo=float(pit.pair_abs_outputs.min()),
                   mid=float(np.median(pit.pair_abs_outputs)),
                   hi=float(pit.pair_abs_outputs.max())), language=None, wrap_lines=True)
    notice_claims(f"{NS}.pitfalls", pitfalls_claims(pit))
    code_panel(pitfalls_code(pit_cfg), key="bn_code_pitfalls")


stats_section()
running_section()
pitfalls_section()
