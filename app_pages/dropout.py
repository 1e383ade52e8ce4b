"""/dropout — train-mode masks vs the eval-mode identity, 1/(1-p) scaling, overfitting."""

import streamlit as st

from core.charts.dropout import expectation_figure, masks_figure, outputs_figure, overfit_figure
from core.dropout import (
    FIT_P_RANGE, MASK_P_RANGE, PASSES_RANGE, SEED_RANGE, MasksConfig, OverfitConfig, masks_claims,
    masks_code, overfit_claims, overfit_code, run_masks, run_overfit,
)
from ui.i18n import labels, scoped, t
from ui.compute import figure  # each chart built once per distinct input, shared
from ui.page import ask, cached, chart, code_panel, notice_claims, page_header, presets, section_fragment
from ui.url_state import url_slider

NS = "dropout"
tr = scoped(NS)

page_header(NS)
presets(NS, {
    "half": {"do_p": 0.5, "do_passes": 500, "do_seed": 0},
    "heavy": {"do_p": 0.9, "do_passes": 500, "do_seed": 0},
    "no_dropout": {"do_fit_p": 0.0},
    "strong_reg": {"do_fit_p": 0.7},
})


# 1. Masks, determinism and scaling ------------------------------------------------------
@section_fragment(NS, "masks")  # a widget here reruns this section alone
def masks_section() -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        p = url_slider("do_p", tr("masks.p"), *MASK_P_RANGE, 0.5, step=0.05)
    with c2:
        passes = url_slider("do_passes", tr("masks.passes"), *PASSES_RANGE, 200, step=10)
    with c3:
        seed = url_slider("do_seed", tr("masks.seed"), *SEED_RANGE, 0)
    masks_cfg = MasksConfig(p=p, passes=passes, seed=seed)
    masks = cached(run_masks)(masks_cfg)
    mt = scoped(f"{NS}.masks")
    left, right = st.columns(2)
    with left:
        chart(figure(masks_figure, masks, {"title": mt("masks_title"), "x": mt("masks_x"),
                                   "y": mt("masks_y"), "kept": mt("kept"),
                                   "dropped": mt("dropped")}), "do_masks")
    with right:
        chart(figure(outputs_figure, masks, {"title": mt("out_title", n=passes), "x": mt("out_x"),
                                     "y": mt("out_y"), "train": mt("out_train"),
                                     "eval": mt("out_eval"), "mean": mt("out_mean")}), "do_outputs")
    mean, std = float(masks.train_outputs.mean()), float(masks.train_outputs.std())
    cols = st.columns(2) + st.columns(2)  # two rows: "×20.000" does not fit a quarter at 1024 px
    # The reference values go in the label: a metric's delta arrow would read as a change.
    cols[0].metric(f"{mt('kept_fraction')} (1 − p = {1 - p:.0%})", f"{masks.kept_fraction:.1%}")
    cols[1].metric(f"{mt('kept_scale')} (1/(1−p) = {1 / (1 - p):.3f})",
                   f"×{masks.kept_scale:.3f}")
    cols[2].metric(mt("train_spread"), f"{mean:.3f} ± {std:.3f}")
    cols[3].metric(mt("eval_value"), f"{masks.eval_output:.3f}")
    chart(figure(expectation_figure, masks, {"title": mt("exp_title"), "x": mt("exp_x"), "y": mt("exp_y"),
                                     "eval": mt("exp_eval"), "scaled": mt("exp_scaled"),
                                     "unscaled": mt("exp_unscaled")}), "do_expect")
    notice_claims(f"{NS}.masks", masks_claims(masks, p))
    code_panel(masks_code(masks_cfg), key="do_code_masks")


# 2. Overfitting -------------------------------------------------------------------------
@section_fragment(NS, "overfit")  # a widget here reruns this section alone
def overfit_section() -> None:
    fit_p = url_slider("do_fit_p", tr("overfit.p"), *FIT_P_RANGE, 0.5, step=0.1)
    fit_cfg = OverfitConfig(p=fit_p)
    with st.spinner(t("common.training")):
        fit, base = cached(run_overfit)(fit_cfg), cached(run_overfit)(OverfitConfig(p=0.0))
    ot = scoped(f"{NS}.overfit")
    claims = overfit_claims(fit, base, fit_p)
    ids = {c.id for c in claims}
    gap, gap0 = fit.val_loss[-1] - fit.train_loss[-1], base.val_loss[-1] - base.train_loss[-1]

    def show_fit() -> None:  # the measured answer to the question
        chart(figure(overfit_figure, fit, base, {
            "title": ot("chart_title"), "x": ot("x"), "y": ot("y"), "train": ot("train"),
            "val": ot("val"), "with": ot("with", p=fit_p), "without": ot("without"),
            "diverged": t("common.diverged")}), "do_overfit")
        for run in (fit, base):
            if run.diverged:
                st.error(t("common.diverged_at", step=run.diverged_at))
        cols = st.columns(2) + st.columns(2)
        cols[0].metric(ot("gap", p=fit_p), f"{gap:.2f}")
        cols[1].metric(ot("gap0"), f"{gap0:.2f}")
        cols[2].metric(ot("val_acc", p=fit_p), f"{fit.val_acc[-1]:.1%}")
        cols[3].metric(ot("val_acc0"), f"{base.val_acc[-1]:.1%}")
        notice_claims(f"{NS}.overfit", claims)

    ask("do_gap", tr("ask.gap", p=fit_p), labels(f"{NS}.ask.gap_opt", ("yes", "no")),
        correct="yes" if "gap_smaller" in ids else "no" if "gap_larger" in ids else None,
        reveal=show_fit, explain=tr("ask.gap_why", p=fit_p, gap=gap, gap0=gap0))
    code_panel(overfit_code(fit_cfg), key="do_code_overfit")


masks_section()
overfit_section()
