"""/losses — MSE vs MAE vs Huber on data with outliers; cross-entropy and its gradient."""

import pandas as pd
import streamlit as st

from core.charts.losses import fits_figure, gradient_figure, penalty_figure, softmax_figure
from core.losses import (
    DELTA_RANGE,
    LOGIT_RANGE,
    LOSSES,
    N_OUTLIERS_RANGE,
    NOISE_RANGE,
    OUTLIER_SIZE_RANGE,
    SIDES,
    CrossEntropyConfig,
    RegressionConfig,
    ce_claims,
    cross_entropy_code,
    more_pulled,
    regression_claims,
    regression_code,
    fit_config,
    regression_result,
    run_cross_entropy,
    run_line_fit,
)
from ui.i18n import labels, scoped, t
from ui.compute import derived, figure  # each chart built once per distinct input, shared
from ui.page import (
    section_fragment,
    ask, controls_beside, cached, chart, code_panel, notice_claims, page_header, presets,
)
from ui.url_state import url_select, url_slider

NS = "losses"
tr = scoped(NS)
N_CLASSES = 3
names = labels(f"{NS}.loss", LOSSES)

page_header(NS)
REGRESSION_PRESETS = {  # each sets every widget of its section
    "outliers_up": {"ls_nout": 8, "ls_size": 20.0, "ls_side": "up", "ls_noise": 0.5,
                    "ls_delta": 1.0},
    "clean": {"ls_nout": 0, "ls_size": 15.0, "ls_side": "up", "ls_noise": 0.5, "ls_delta": 1.0},
    "huber_small": {"ls_nout": 8, "ls_size": 20.0, "ls_side": "up", "ls_noise": 0.5,
                    "ls_delta": 0.2},
}
presets(NS, REGRESSION_PRESETS | {
    "confident_wrong": {"ls_z0": -3.0, "ls_z1": 0.0, "ls_z2": 6.0, "ls_true": "0"},
})


# 1. Regression with outliers ----------------------------------------------------------------
@section_fragment(NS, "regression")  # a widget here reruns this section alone
def regression_section() -> None:
    controls, view = controls_beside("ls_regression")
    with controls:  # one under the other (see controls_beside): no columns of their own
        n_outliers = url_slider("ls_nout", tr("regression.n_outliers"), *N_OUTLIERS_RANGE, 5)
        size = url_slider("ls_size", tr("regression.size"), *OUTLIER_SIZE_RANGE, 15.0, step=1.0)
        side = url_select("ls_side", tr("regression.side"), SIDES, "up",
                          format_func=labels(f"{NS}.side", SIDES).get)
        noise = url_slider("ls_noise", tr("regression.noise"), *NOISE_RANGE, 0.5, step=0.1)
        delta = url_slider("ls_delta", tr("regression.delta"), *DELTA_RANGE, 1.0, step=0.1)
    reg_cfg = RegressionConfig(n_outliers=n_outliers, outlier_size=size, outlier_side=side,
                               noise=noise, delta=delta)
    # One cached fit per loss, keyed by the fields it reads: a Huber-delta move refits Huber
    # alone (MSE and MAE do not read delta); the result is assembled from the three.
    fits = {name: cached(run_line_fit)(fit_config(reg_cfg, name), name) for name in LOSSES}
    reg = derived(regression_result, reg_cfg, fits)
    reg_text = labels(f"{NS}.regression", ("inliers", "outliers", "true", "penalty", "pull",
                                           "residual"))
    # One under the other: side by side, beside the sidebar at 1024 px, the titles, subplot
    # titles and legends of both were clipped or overlapped.
    fits_text = reg_text | {"title": tr("regression.chart_title"), "x": "x", "y": "y",
                            "diverged": t("common.diverged"),
                            "optimum": tr("regression.optimum", name="{name}")}
    # Predict, then reveal: judged on each loss's exact minimiser for these data.
    with view:
        ask("ls_pulled", tr("ask.pulled"), {n: names[n] for n in ("mse", "mae")},
            correct=more_pulled(reg),
            reveal=lambda: chart(figure(fits_figure, reg, fits_text, names), "ls_fits"),
            explain=tr("ask.pulled_why", mse=reg.fits["mse"].optimum_slope_error,
                      mae=reg.fits["mae"].optimum_slope_error))
    chart(figure(penalty_figure, reg, reg_text | {"title": tr("regression.penalty_title")}, names),
          "ls_penalty")
    st.markdown(f"**{tr('regression.table_title')}**")
    col = labels(f"{NS}.regression", ("col_loss", "col_slope", "col_slope_err",
                                      "col_intercept", "col_intercept_err", "col_opt_err",
                                      "col_status"))
    st.table(pd.DataFrame([{
        col["col_loss"]: names[name],
        col["col_slope"]: f"{fit.slope:.3f}" if not fit.diverged else "—",
        col["col_slope_err"]: f"{fit.slope_error:.3f}" if not fit.diverged else "—",
        col["col_intercept"]: f"{fit.intercept:.3f}" if not fit.diverged else "—",
        col["col_intercept_err"]: f"{fit.intercept_error:.3f}" if not fit.diverged else "—",
        col["col_opt_err"]: f"{fit.optimum_slope_error:.3f}",
        col["col_status"]: (t("common.diverged_at", step=fit.diverged_at) if fit.diverged
                            else tr("regression.ok") if fit.converged
                            else tr("regression.not_converged",
                                   gap=fit.final_loss - fit.optimum_loss)),
    } for name, fit in reg.fits.items()]).set_index(col["col_loss"]))  # st.table wraps text
    st.caption(f"y = {reg.true_slope:g}x + {reg.true_intercept:g}")
    notice_claims(f"{NS}.regression", regression_claims(reg, reg_cfg))
    code_panel(regression_code(reg_cfg), key="ls_code_regression")


# 2. Cross-entropy ---------------------------------------------------------------------------
@section_fragment(NS, "ce")  # a widget here reruns this section alone
def ce_section() -> None:
    columns = st.columns(N_CLASSES + 1)
    defaults = (2.0, 0.5, -1.0)
    logits = []
    for i, column in enumerate(columns[:N_CLASSES]):
        with column:
            logits.append(url_slider(f"ls_z{i}", tr("ce.logit", i=i), *LOGIT_RANGE,
                                     defaults[i], step=0.5))
    with columns[-1]:
        class_ids = [str(i) for i in range(N_CLASSES)]
        true_class = int(url_select("ls_true", tr("ce.true_class"), class_ids, "0",
                                    format_func={c: tr("ce.class", i=c) for c in class_ids}.get))
    ce_cfg = CrossEntropyConfig(logits=tuple(logits), true_class=true_class)
    ce = cached(run_cross_entropy)(ce_cfg)
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("ce.metric_p"), f"{ce.probs[true_class]:.4f}")
    m2.metric(tr("ce.metric_ce"), f"{ce.cross_entropy:.4f}")
    m3.metric(tr("ce.metric_mse"), f"{ce.mse_on_probs:.4f}")
    ce_text = labels(f"{NS}.ce", ("probs", "curve", "p_true", "loss", "per_logit", "sweep", "grad"))
    ce_text |= {"class": tr("ce.class", i="{i}"), "ce": tr("ce.ce_name"),
                "mse": tr("ce.mse_name")}
    chart(figure(softmax_figure, ce, true_class, ce_text | {"title": tr("ce.chart_title")}),
          "ls_softmax")
    chart(figure(gradient_figure, ce, ce_text | {"title": tr("ce.grad_title")}), "ls_grad")
    notice_claims(f"{NS}.ce", ce_claims(ce, ce_cfg))
    code_panel(cross_entropy_code(ce_cfg), key="ls_code_ce")


regression_section()
ce_section()
