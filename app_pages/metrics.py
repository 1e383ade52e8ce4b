"""/metrics — accuracy vs the majority baseline, confusion matrix, P/R/F1; MSE vs MAE."""

import numpy as np
import streamlit as st

from core.charts.metrics import (
    confusion_figure, regression_data_figure, regression_errors_figure, scores_figure,
    sweep_figure,
)
from core.metrics import (
    MINORITY_RANGE, OUTLIER_RANGE, THRESHOLD_RANGE, ClassifierConfig, RegressionConfig,
    classifier_code, cls_claims, regression_claims, regression_code, run_classifier,
    run_regression, threshold_metrics, threshold_sweep,
)
from ui.i18n import labels, scoped, t
from ui.compute import derived, figure  # each chart built once per distinct input, shared
from ui.page import ask, cached, chart, code_panel, notice_claims, page_header, presets, section_fragment
from ui.url_state import url_slider

NS = "metrics"
tr = scoped(NS)

page_header(NS)
presets(NS, {
    "balanced": {"mt_minority": 0.5, "mt_threshold": 0.5},
    "rare": {"mt_minority": 0.03, "mt_threshold": 0.5},
    "low_threshold": {"mt_minority": 0.03, "mt_threshold": 0.1},
    "big_outlier": {"mt_outlier": 30.0},
})


# 1. Classification ----------------------------------------------------------------------
@section_fragment(NS, "cls")  # a widget here reruns this section alone
def cls_section() -> None:
    ct = scoped(f"{NS}.cls")
    c1, c2 = st.columns(2)
    with c1:
        minority = url_slider("mt_minority", ct("minority"), *MINORITY_RANGE, 0.1, step=0.01)
    with c2:
        threshold = url_slider("mt_threshold", ct("threshold"), *THRESHOLD_RANGE, 0.5, step=0.05)
    cls_cfg = ClassifierConfig(minority=minority)
    with st.spinner(t("common.training")):
        cls = cached(run_classifier)(cls_cfg)
    if cls.diverged:
        st.error(t("common.diverged_at", step=cls.diverged_at))
    # Through the store: the threshold only changes this (and the charts of it), so the
    # prefetch can build the charts one step either side of it before the press.
    m = derived(threshold_metrics, cls.y_test, cls.prob_test, threshold)
    names = {k: ct(k) for k in ("accuracy", "baseline", "balanced", "precision", "recall", "f1")}
    claims = cls_claims(m)

    def show_scores() -> None:  # the measured answer to the question below
        left, right = st.columns(2)
        with left:
            chart(figure(confusion_figure, m, {k: ct(k) for k in ("neg", "pos", "tn", "fp", "fn", "tp")}
                                   | {"title": ct("confusion_title"), "x": ct("predicted"),
                                      "y": ct("actual")}), "mt_confusion")
        with right:
            chart(figure(scores_figure, m, names | {"title": ct("scores_title"), "y": ct("percent"),
                                            "na": ct("na")}), "mt_scores")
        sweep = cached(threshold_sweep)(cls.y_test, cls.prob_test)
        chart(figure(sweep_figure, sweep, threshold, names | {"title": ct("sweep_title"),
                                                      "x": ct("sweep_x"), "y": ct("percent")}),
              "mt_sweep")
        st.caption(ct("definitions"))
        notice_claims(f"{NS}.cls", claims)

    verdicts = ("beats", "falls_short", "ties")
    ask("mt_beat", tr("ask.beat"), labels(f"{NS}.ask.beat_opt", verdicts),
        correct=next(c.id for c in claims if c.id in verdicts), reveal=show_scores,
        explain=tr("ask.beat_why", acc=m.accuracy, base=m.baseline_accuracy))
    code_panel(classifier_code(cls_cfg, threshold), key="mt_code_cls")


# 2. Regression --------------------------------------------------------------------------
@section_fragment(NS, "reg")  # a widget here reruns this section alone
def reg_section() -> None:
    rt = scoped(f"{NS}.reg")
    outlier = url_slider("mt_outlier", rt("outlier"), *OUTLIER_RANGE, 5.0, step=0.5)
    reg_cfg = RegressionConfig()
    reg = cached(run_regression)(reg_cfg)
    k = int(np.argmin(np.abs(reg.sizes - outlier)))
    left, right = st.columns(2)
    with left:
        chart(figure(regression_data_figure, reg, outlier, {"title": rt("data_title"), "x": "x", "y": "y",
                                                    "data": rt("data"), "fit": rt("fit"),
                                                    "outlier": rt("outlier_point")}), "mt_regdata")
    with right:
        chart(figure(regression_errors_figure, reg, outlier, {k_: rt(k_) for k_ in ("mse", "rmse", "mae")}
                                       | {"title": rt("errors_title"), "x": rt("errors_x"),
                                          "y": rt("errors_y")}), "mt_regerr")
    ratios = {key: getattr(reg, key)[k] / getattr(reg, key)[0] for key in ("mse", "rmse", "mae")}
    cols = st.columns(3)
    for col, key in zip(cols, ("mse", "rmse", "mae")):
        col.metric(rt(key), f"{getattr(reg, key)[k]:.3f}",
                   rt("growth", ratio=ratios[key]), delta_color="off")
    st.caption(rt("growth_caption"))
    notice_claims(f"{NS}.reg", regression_claims(reg, k))
    code_panel(regression_code(reg_cfg, float(reg.sizes[k])), key="mt_code_reg")


cls_section()
reg_section()
