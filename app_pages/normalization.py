"""/normalization — raw vs standardized vs min-max inputs: speed, stable lr, loss surface, pixels."""


import pandas as pd
import streamlit as st

from core.charts.normalization import loss_curves_figure, pixels_figure, surface_figure
from core.normalization import (
    PIXEL_SCALINGS, SCALINGS, FeaturesConfig, PixelsConfig, SurfaceConfig, features_claims,
    features_code, larger_stable_lr, pixels_claims, pixels_code, run_features, run_lr_sweep, run_pixels, run_surface,
    surface_claims, surface_code,
)
from core.text import number  # numbers in tables as in sentences: no e-notation
from ui.i18n import labels, scoped, t
from ui.compute import figure  # each chart built once per distinct input, shared
from ui.page import ask, cached, chart, code_panel, notice_claims, page_header, presets, section_fragment
from ui.url_state import url_log_slider, url_slider

NS = "normalization"
tr = scoped(NS)
SCALES = (1.0, 10.0, 100.0, 1000.0, 10000.0)
LRS = (1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
name_of = labels(f"{NS}.scaling", (*SCALINGS, *PIXEL_SCALINGS))
diverged_text = {"diverged": t("common.diverged")}

# Presets set every widget of the sections they touch (defaults where not named).
FEATURES = {"nm_scale": 1000.0, "nm_lr": 0.1}
SURFACE = {"nm_sscale": 10.0, "nm_frac": 0.9, "nm_steps": 30}
PIXELS = {"nm_plr": 0.1, "nm_epochs": 8}
PRESETS = {
    "thousand": FEATURES | SURFACE | {"nm_sscale": 30.0},
    "equal": FEATURES | SURFACE | {"nm_scale": 1.0, "nm_sscale": 1.0},
    "raw_pixels": PIXELS | {"nm_plr": 0.3, "nm_epochs": 10},
}


page_header(NS)
presets(NS, PRESETS)


@section_fragment(NS, "features")  # a widget here reruns this section alone
def features_section() -> None:
    c1, c2 = st.columns(2)
    with c1:
        scale2 = url_log_slider("nm_scale", tr("features.scale2"), SCALES, 1000.0)
    with c2:
        lr = url_log_slider("nm_lr", tr("features.lr"), LRS, 0.1)
    cfg = FeaturesConfig(scale2=scale2, lr=lr)
    runs, sweep = cached(run_features)(cfg), cached(run_lr_sweep)(cfg.sweep())

    def reveal() -> None:
        chart(figure(loss_curves_figure, runs, cfg.target, diverged_text | {
            "title": tr("features.chart_title"), "x": t("common.step"),
            "y": tr("features.y"), "target": tr("features.target")}, name_of), "nm_curves")
        never = tr("features.never", steps=cfg.steps)
        st.table(pd.DataFrame([{
            tr("features.col_scaling"): name_of[s],
            tr("features.col_cond"): number(runs[s].condition, ".3g"),
            tr("features.col_steps"): tr("features.diverged") if runs[s].diverged
            else str(runs[s].steps_to_target or never),  # one type per column (pyarrow)
            tr("features.col_stable"): number(sweep[s].max_stable_lr, "g") if sweep[s].max_stable_lr else "—",
            tr("features.col_best"): f"{sweep[s].best_steps} ({number(sweep[s].best_lr, 'g')})"
            if sweep[s].best_steps else never,
        } for s in SCALINGS]).set_index(tr("features.col_scaling")))
        for s in SCALINGS:
            if runs[s].diverged:
                st.error(f"{name_of[s]}: " + t("common.diverged_at", step=runs[s].diverged_at))
        notice_claims(f"{NS}.features", features_claims(runs, sweep, cfg), name_of)

    # Predict, then reveal: which inputs tolerate the larger learning rate (measured sweep).
    ask("nm_stable", tr("ask.stable"),
        {k: tr(f"ask.{k}") for k in ("raw", "standard", "same")},
        correct=larger_stable_lr(sweep), reveal=reveal)
    code_panel(features_code(cfg), key="nm_code_features")


@section_fragment(NS, "surface")  # a widget here reruns this section alone
def surface_section() -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        scale2 = url_log_slider("nm_sscale", tr("surface.scale2"), (1.0, 3.0, 10.0, 30.0, 100.0), 10.0)
    with c2:
        fraction = url_slider("nm_frac", tr("surface.fraction"), 0.1, 1.2, 0.9, step=0.05)
    with c3:
        steps = url_slider("nm_steps", tr("surface.steps"), 1, 100, 30)
    cfg = SurfaceConfig(scale2=scale2, lr_fraction=fraction, steps=steps)
    surfaces = cached(run_surface)(cfg)
    chart(figure(surface_figure, surfaces, {"diverged": tr("surface.diverged")} | {
        "title": tr("surface.chart_title"), "path": tr("surface.path"),
        "optimum": tr("surface.optimum")}, name_of), "nm_surface")
    for s, surf in surfaces.items():
        if surf.diverged:
            st.error(f"{name_of[s]}: " + t("common.diverged_at", step=surf.diverged_at))
    notice_claims(f"{NS}.surface", surface_claims(surfaces), name_of)
    code_panel(surface_code(cfg), key="nm_code_surface")


@section_fragment(NS, "pixels")  # a widget here reruns this section alone
def pixels_section() -> None:
    c1, c2 = st.columns(2)
    with c1:
        lr = url_log_slider("nm_plr", tr("pixels.lr"), (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0), 0.1)
    with c2:
        epochs = url_slider("nm_epochs", tr("pixels.epochs"), 1, 15, 8)
    cfg = PixelsConfig(lr=lr, epochs=epochs)
    runs = cached(run_pixels)(cfg)
    chart(figure(pixels_figure, runs, diverged_text | {
        "title": tr("pixels.chart_title"), "accuracy": tr("pixels.accuracy"),
        "loss": tr("pixels.loss"), "x": tr("pixels.x")}, name_of), "nm_pixels")
    final = {s: "—" if r.diverged else f"{r.val_accuracy[-1]:.1%}" for s, r in runs.items()}
    for column, s in zip(st.columns(3), PIXEL_SCALINGS):
        column.metric(tr("pixels.final", name=name_of[s]), final[s])
        if runs[s].diverged:
            column.error(t("common.diverged_at", step=runs[s].diverged_at))
    notice_claims(f"{NS}.pixels", pixels_claims(runs), name_of)
    code_panel(pixels_code(cfg), key="nm_code_pixels")


features_section()
surface_section()
pixels_section()
