"""/data-split — train/validation/test ratios, early stopping on validation, tuning on test."""

import streamlit as st

from core.charts.data_split import early_stop_animation, early_stop_figure, split_figure, tuning_figure
from core.data_split import (
    METHODS, SPLITS, EarlyStopConfig, SplitConfig, TuningConfig, early_claims, early_stop_code,
    early_stop_result, early_stop_training_config, resolve_fractions, run_early_stop_training,
    run_split, run_tuning, split_claims, split_code, tuning_claims, tuning_code,
)
from ui.i18n import labels, scoped, t
from core.claims import signed
from ui.compute import derived, figure  # each chart built once per distinct input, shared
from ui.page import ask, cached, chart, code_panel, notice_claims, page_header, presets, section_fragment
from ui.url_state import url_log_slider, url_select, url_slider, url_toggle

NS = "data_split"
tr = scoped(NS)
names = labels(f"{NS}.name", METHODS + SPLITS)
WIDTHS = ("32", "64", "128", "256")

# Presets set every widget of their section (the others keep theirs).
SPLIT = {"ds_train": 60, "ds_val": 20, "ds_test": 20, "ds_n": 200, "ds_imb": 0.1}
EARLY = {"ds_width": "128", "ds_noise": 0.2, "ds_lr": 0.003, "ds_pat": 5}
TUNING = {"ds_cfg": 20, "ds_hold": 100}
PRESETS = {
    # 80 samples, rarest digit 4: random leaves it out of a part, stratified gives each one.
    "small_imbalanced": SPLIT | {"ds_n": 80, "ds_imb": 0.1},
    "noisy_overfit": EARLY | {"ds_noise": 0.4, "ds_width": "256", "ds_pat": 5, "ds_lr": 0.003},
    "tiny_test": TUNING | {"ds_cfg": 40, "ds_hold": 30},
}

page_header(NS)
presets(NS, PRESETS)


# 1. Ratios and the picture of the split --------------------------------------------------
@section_fragment(NS, "split")  # a widget here reruns this section alone
def split_section() -> None:
    c1, c2, c3, c4, c5 = st.columns(5)
    with c1:
        train_pct = url_slider("ds_train", tr("split.train"), 0, 100, 60, step=5)
    with c2:
        val_pct = url_slider("ds_val", tr("split.val"), 0, 50, 20, step=5)
    with c3:
        test_pct = url_slider("ds_test", tr("split.test"), 0, 50, 20, step=5)
    with c4:
        n = url_slider("ds_n", tr("split.n"), 40, 300, 200, step=20)
    with c5:
        imbalance = url_log_slider("ds_imb", tr("split.imbalance"), (0.05, 0.1, 0.2, 0.5, 1.0),
                                   0.1, help=tr("split.imbalance_help"))
    try:
        fractions = resolve_fractions(train_pct, val_pct, test_pct)
    except ValueError:
        st.error(tr("split.no_train"))
        fractions = (0.6, 0.2, 0.2)
    else:
        if train_pct + val_pct + test_pct != 100:
            st.warning(tr("split.rescaled", total=train_pct + val_pct + test_pct,
                         train=100 * fractions[0], val=100 * fractions[1], test=100 * fractions[2]))
        if val_pct == 0 or test_pct == 0:
            st.warning(tr("split.empty_part"))
    split_cfg = SplitConfig(fractions=fractions, n=n, imbalance=imbalance)
    split = cached(run_split)(split_cfg)
    chart(figure(split_figure, split, {"title": tr("split.chart_title"), "y": tr("split.y"),
                               "all": tr("split.all"), "digit": tr("split.digit")}, names),
          "ds_split_chart")
    m1, m2 = st.columns(2)
    for column, method in zip((m1, m2), METHODS):
        column.metric(tr("split.gap", method=names[method]),
                      tr("pp", value=f"{split.max_share_gap[method]:.1f}"))
        if split.missing[method]:
            column.error(tr("split.missing", method=names[method], cells=split.missing[method]))
    notice_claims(f"{NS}.split", split_claims(split))
    code_panel(split_code(split_cfg), key="ds_code_split")


# 2. Early stopping by validation -------------------------------------------------------
@section_fragment(NS, "early")  # a widget here reruns this section alone
def early_section() -> None:
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        width = url_select("ds_width", tr("early.width"), WIDTHS, "128",
                           format_func={w: w for w in WIDTHS}.get)  # ids, not floats, in tests
    with c2:
        noise = url_slider("ds_noise", tr("early.noise"), 0.0, 0.4, 0.2, step=0.05)
    with c3:
        lr = url_log_slider("ds_lr", tr("early.lr"), (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0),
                            0.003)
    with c4:
        patience = url_slider("ds_pat", tr("early.patience"), 1, 15, 5)
    animate = url_toggle("ds_anim", tr("early.animate"), False,
                         help=tr("early.animate_help"))
    early_cfg = EarlyStopConfig(width=int(width), label_noise=noise, lr=lr, patience=patience)
    # Patience never changes the training: train once per the other three, then find the stop.
    trained = cached(run_early_stop_training)(early_stop_training_config(early_cfg))
    early = derived(early_stop_result, trained, patience)
    early_text = {
        "title": tr("early.chart_title", n_train=early.sizes[0], n_val=early.sizes[1]),
        "x": tr("early.epoch"), "y": t("common.loss"), "train": tr("early.train_loss"),
        "val": tr("early.val_loss"), "best": tr("early.best", e=early.best_epoch),
        "stop": tr("early.stop", e=early.stop_epoch), "diverged": t("common.diverged")}
    if animate:  # every frame computed here once; the browser plays them
        chart(early_stop_animation(early, patience, early_text | {
            k: tr(f"early.{k}") for k in ("best_at", "stop_at", "waiting", "play", "pause")}
            | {"step": tr("early.epoch")}), "ds_early_anim")
    else:
        chart(figure(early_stop_figure, early, early_text), "ds_early_chart")
    if early.diverged:
        st.error(t("common.diverged_at", step=early.diverged_at))
    else:
        m1, m2, m3 = st.columns(3)
        m1.metric(tr("early.best_metric"), early.best_epoch)
        m2.metric(tr("early.restored"), f"{early.restored_test_acc:.1%}")
        change = signed(100 * (early.final_test_acc - early.restored_test_acc))
        m3.metric(tr("early.final"), f"{early.final_test_acc:.1%}",
                  None if change == "0.0" else tr("pp", value=change))  # no "↑ 0.0"
        notice_claims(f"{NS}.early", early_claims(early, early_cfg))
    code_panel(early_stop_code(early_cfg), key="ds_code_early")


# 3. The classic mistake: tuning on test --------------------------------------------------
@section_fragment(NS, "tuning")  # a widget here reruns this section alone
def tuning_section() -> None:
    c1, c2 = st.columns(2)
    with c1:
        n_configs = url_slider("ds_cfg", tr("tuning.n_configs"), 2, 40, 20)
    with c2:
        holdout = url_slider("ds_hold", tr("tuning.holdout"), 30, 400, 100, step=10)
    tuning_cfg = TuningConfig(n_configs=n_configs, holdout_size=holdout)
    with st.spinner(t("common.training")):
        tuning = cached(run_tuning)(tuning_cfg)
    claims = tuning_claims(tuning, tuning_cfg)

    def reveal() -> None:
        chart(figure(tuning_figure, tuning, {k: tr(f"tuning.{k}") for k in (
            "left", "right", "reported", "fresh", "by_test", "by_val", "acc", "gap", "count")}
            | {"title": tr("tuning.chart_title", repeats=tuning_cfg.repeats)}),
            "ds_tuning_chart")
        notice_claims(f"{NS}.tuning", claims)

    # Predict, then reveal: is the test score of a model chosen by test inflated (measured)?
    inflated = "higher" if claims[0].id == "test_optimistic" else "not_higher"
    ask("ds_inflated", tr("ask.inflated", n=n_configs),
        {k: tr(f"ask.{k}") for k in ("higher", "not_higher")}, correct=inflated,
        reveal=reveal)
    code_panel(tuning_code(tuning_cfg), key="ds_code_tuning")


split_section()
early_section()
tuning_section()
