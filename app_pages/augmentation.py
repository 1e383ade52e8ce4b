"""/augmentation — random affine copies of real digits; training with vs without them."""

import streamlit as st

from core.augmentation import (
    AugmentSpec, GalleryConfig, TrainingConfig, gallery_claims, gallery_code, robust_claims,
    run_gallery, run_training_run, training_claims, training_code, training_stages,
)
from core.charts.augmentation import curves_figure, gallery_figure, robustness_figure
from ui.i18n import labels, scoped, t
from ui.compute import figure  # each chart built once per distinct input, shared
from ui.page import (
    section_fragment,
    ask, cached, chart, code_panel, notice_claims, page_header, presets, run_with_progress,
    section,
)
from ui.url_state import url_select, url_slider

NS = "augmentation"
tr = scoped(NS)
DIGITS = tuple(str(d) for d in range(10))
model_name = labels(f"{NS}.model", ("plain", "augmented"))

# Presets set every widget (the gallery's augmentation drives the training section too).
DEFAULTS = {"au_digit": "3", "au_rot": 10, "au_shift": 0.05, "au_zoom": 0.05, "au_epochs": 60}
PRESETS = {
    "none": DEFAULTS | {"au_rot": 0, "au_shift": 0.0, "au_zoom": 0.0},
    "mild": DEFAULTS,
    "helps": DEFAULTS | {"au_rot": 20, "au_shift": 0.1, "au_zoom": 0.1, "au_epochs": 100},
    "strong": DEFAULTS | {"au_rot": 30, "au_shift": 0.2, "au_zoom": 0.2},
}

page_header(NS)
presets(NS, PRESETS)

# The epochs slider reruns the training and robustness sections alone; a gallery slider (the
# augmentation they train with) reruns the gallery and them, inside the gallery's fragment: the
# sidebar, header and presets (~45 elements) are not re-sent on a press.
@section_fragment(NS, "training")
def training_and_robust_sections(spec: AugmentSpec) -> None:
    epochs = url_slider("au_epochs", tr("training.epochs"), 10, 100, 60, step=10)
    train_cfg = TrainingConfig(spec=spec, epochs=epochs)
    # Two stages cached apart: the plain run never retrains when an augmentation slider moves.
    plain_cfg, aug_cfg = training_stages(train_cfg)
    runs = {"plain": run_with_progress(run_training_run, plain_cfg, t("common.training")),
            "augmented": run_with_progress(run_training_run, aug_cfg, t("common.training"))}
    training_notes = training_claims(runs, train_cfg)


    def show_training() -> None:
        """The measured answer: curves, final accuracies and gaps, the notice."""
        chart(figure(curves_figure, runs, {"title": tr("training.chart_title"),
                                   "accuracy": tr("training.accuracy"),
                                   "loss": tr("training.loss"), "x": tr("training.x"),
                                   "train": tr("training.train"), "val": tr("training.val"),
                                   "diverged": t("common.diverged")}, model_name), "au_curves")
        gaps = {k: r.val_loss[-1] - r.train_loss[-1] for k, r in runs.items()}
        for column, (name, run) in zip(st.columns(2), runs.items()):
            column.metric(tr("training.val_acc", name=model_name[name]), f"{run.val_accuracy[-1]:.1%}")
            column.metric(tr("training.gap", name=model_name[name]), f"{gaps[name]:.3f}")
            if run.diverged:
                column.error(t("common.diverged_at", step=run.diverged_at))
        notice_claims(f"{NS}.training", training_notes)


    # Predict, then reveal: does clean validation accuracy rise, hold or fall (measured, in %p)?
    verdict = next((c.id for c in training_notes if c.id.startswith("acc_")), "acc_same")
    ask("au_clean_acc", tr("ask.clean"),
        {k: tr(f"ask.{k}") for k in ("acc_up", "acc_same", "acc_down")},
        correct=verdict, reveal=show_training)
    code_panel(training_code(train_cfg), key="au_code_training")

    section(NS, "robust")
    chart(figure(robustness_figure, runs, {"title": tr("robust.chart_title"),
                                   "rotated": tr("robust.rotated"),
                                   "shifted": tr("robust.shifted"),
                                   "angle": tr("robust.angle"),
                                   "shift": tr("robust.shift")}, model_name), "au_robust")
    notice_claims(f"{NS}.robust", robust_claims(runs, train_cfg))


@section_fragment(NS, "gallery")
def gallery_and_training_sections() -> None:
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    with c1:
        digit = url_select("au_digit", tr("gallery.digit"), DIGITS, "3", format_func={d: d for d in DIGITS}.get,
                           horizontal=False)
    with c2:
        rotation = url_slider("au_rot", tr("gallery.rotation"), 0, 45, 10)
    with c3:
        shift = url_slider("au_shift", tr("gallery.translate"), 0.0, 0.3, 0.05, step=0.05)
    with c4:
        zoom = url_slider("au_zoom", tr("gallery.scale"), 0.0, 0.3, 0.05, step=0.05)
    spec = AugmentSpec(rotation=float(rotation), translate=shift, scale=zoom)
    gallery_cfg = GalleryConfig(digit=int(digit), spec=spec)
    gallery = cached(run_gallery)(gallery_cfg)
    chart(figure(gallery_figure, gallery, {"title": tr("gallery.chart_title"),
                                   "original": tr("gallery.original")}), "au_gallery")
    notice_claims(f"{NS}.gallery", gallery_claims(gallery))
    code_panel(gallery_code(gallery_cfg), key="au_code_gallery")
    training_and_robust_sections(spec)


gallery_and_training_sections()
