"""/dataloader — batch size, shuffling every epoch, and num_workers, all measured."""

import pandas as pd
import streamlit as st

from core.charts.dataloader import (
    batch_loss_figure, shuffle_animation, shuffle_figure, throughput_figure, workers_figure,
)
from core.dataloader import (
    BATCH_SIZES, EPOCH_CHOICES, ITEM_MS_RANGE, ITEMS_RANGE, LRS, SHUFFLE_BATCHES, SHUFFLE_EPOCHS,
    BatchConfig, ShuffleConfig, ThroughputConfig, WorkersConfig, batch_claims, batch_code,
    run_batch, run_shuffle, run_throughput, run_workers, shuffle_claims, shuffle_code,
    workers_claims, workers_code,
)
from ui.i18n import scoped, t
from ui.compute import figure  # each chart built once per distinct input, shared
from ui.page import (
    section_fragment,
    ask, cached, chart, code_panel, notice_claims, page_header, presets, run_with_progress,
)
from ui.url_state import url_log_slider, url_slider, url_toggle

NS = "dataloader"
tr = scoped(NS)

page_header(NS)
presets(NS, {
    "pure_sgd": {"dl_bs": 1, "dl_lr": 0.03, "dl_epochs": 2},
    "full_batch": {"dl_bs": 512, "dl_lr": 1.0, "dl_epochs": 20},
    "sorted_small": {"dl_sbs": 8, "dl_sepochs": 3, "dl_slr": 0.1},
})


# 1. Batch size --------------------------------------------------------------------------
@section_fragment(NS, "batch")  # a widget here reruns this section alone
def batch_section() -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        batch_size = int(url_log_slider("dl_bs", tr("batch.size"), BATCH_SIZES, 32))
    with c2:
        lr = url_log_slider("dl_lr", tr("batch.lr"), LRS, 0.3)
    with c3:
        epochs = int(url_log_slider("dl_epochs", tr("batch.epochs"), EPOCH_CHOICES, 2))
    batch_cfg = BatchConfig(batch_size=batch_size, lr=lr, epochs=epochs)
    with st.spinner(t("common.training")):
        batch = cached(run_batch)(batch_cfg)
    throughput = cached(run_throughput)(ThroughputConfig())
    # Stacked, not side by side: at 1024 px a side column cannot hold the throughput axis.
    chart(figure(batch_loss_figure, batch, {
        "title": tr("batch.chart_title", bs=batch_size), "x": tr("batch.epoch"),
        "y": t("common.loss"), "step": tr("batch.step_loss"),
        "full": tr("batch.full_loss"),
        "val": tr("batch.val_loss"), "diverged": t("common.diverged")}), "dl_batch_chart")
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("batch.steps"), batch.steps_per_epoch)
    m2.metric(tr("batch.noise"), "—" if batch.diverged else f"{batch.noise:.3f}")
    m3.metric(tr("batch.val_acc"), "—" if batch.diverged else f"{batch.val_acc[-1]:.1%}")
    if batch.diverged:
        st.error(t("common.diverged_at", step=batch.diverged_at))
    rate = dict(zip(throughput.batch_sizes.tolist(), throughput.samples_per_s.tolist()))
    big, one = max(rate), min(rate)

    def show_speed() -> None:  # the measured answer (the notice quotes it too)
        chart(figure(throughput_figure, throughput, {
            "title": tr("batch.speed_title"), "x": tr("batch.size"),
            "y": tr("batch.speed_y"), "chosen": tr("batch.chosen")}, batch_size),
            "dl_speed_chart")
        notice_claims(f"{NS}.batch", batch_claims(batch, throughput))

    ask("dl_speed", tr("ask.speed", big=big, one=one),
        {"big": tr("ask.speed_big", big=big), "one": tr("ask.speed_one", one=one)},
        correct="big" if rate[big] > rate[one] else "one", reveal=show_speed,
        explain=tr("ask.speed_why", big=big, one=one, fast=rate[big], slow=rate[one]))
    code_panel(batch_code(batch_cfg), key="dl_code_batch")


# 2. Shuffling ---------------------------------------------------------------------------
@section_fragment(NS, "shuffle")  # a widget here reruns this section alone
def shuffle_section() -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        shuffle_bs = int(url_log_slider("dl_sbs", tr("shuffle.size"), SHUFFLE_BATCHES, 32))
    with c2:
        epochs = url_slider("dl_sepochs", tr("shuffle.epochs"), *SHUFFLE_EPOCHS, 3)
    with c3:
        shuffle_lr = url_log_slider("dl_slr", tr("shuffle.lr"), LRS, 0.1)
    animate = url_toggle("dl_sanim", tr("shuffle.animate"), False,
                         help=tr("shuffle.animate_help"))
    shuffle_cfg = ShuffleConfig(batch_size=shuffle_bs, epochs=epochs, lr=shuffle_lr)
    shuffled = cached(run_shuffle)(shuffle_cfg)
    shuffle_text = {k: tr(f"shuffle.{k}") for k in ("loss", "acc", "x", "sorted", "shuffled")
                    } | {"title": tr("shuffle.chart_title"), "diverged": t("common.diverged")}
    if animate:  # every frame computed here once; the browser plays them
        chart(shuffle_animation(shuffled, shuffle_text | {
            "play": tr("shuffle.play"), "pause": tr("shuffle.pause"), "step": t("common.step")}),
            "dl_shuffle_anim")
    else:
        chart(figure(shuffle_figure, shuffled, shuffle_text), "dl_shuffle_chart")
    for name, run in shuffled.runs.items():
        if run.diverged:
            st.error(f"{tr(f'shuffle.{name}')}: " + t("common.diverged_at", step=run.diverged_at))
    st.markdown(f"**{tr('shuffle.table_title')}**")
    st.table(pd.DataFrame({tr(f"shuffle.{name}"): [
        ", ".join(str(i) for i in batch[:8]) + " …" for batch in run.first_batches[:3]]
        for name, run in shuffled.runs.items()},
        index=[tr("shuffle.epoch_n", e=e + 1) for e in range(min(3, epochs))]))
    notice_claims(f"{NS}.shuffle", shuffle_claims(shuffled))
    code_panel(shuffle_code(shuffle_cfg), key="dl_code_shuffle")


# 3. num_workers -------------------------------------------------------------------------
@section_fragment(NS, "workers")  # a widget here reruns this section alone
def workers_section() -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        n_items = url_slider("dl_items", tr("workers.items"), *ITEMS_RANGE, 32, step=16)
    with c2:
        item_ms = url_slider("dl_ms", tr("workers.item_ms"), *ITEM_MS_RANGE, 10)
    with c3:
        measure = url_toggle("dl_measure", tr("workers.measure"), False,
                             help=tr("workers.measure_help"))
    workers_cfg = WorkersConfig(n_items=n_items, item_ms=float(item_ms))
    if measure:
        workers = run_with_progress(run_workers, workers_cfg, tr("workers.progress"))
        chart(figure(workers_figure, workers, {"title": tr("workers.chart_title"),
                                       "x": "num_workers", "y": tr("workers.seconds"),
                                       "epoch": tr("workers.epoch"),
                                       "ideal": tr("workers.ideal")}), "dl_workers_chart")
        (st.success if workers.same_batches else st.error)(
            tr("workers.same" if workers.same_batches else "workers.different"))
        notice_claims(f"{NS}.workers", workers_claims(workers))
    else:
        st.info(tr("workers.off"), icon=":material/timer:")
    code_panel(workers_code(workers_cfg), key="dl_code_workers")


batch_section()
shuffle_section()
workers_section()
