"""What the /playground lab's live fragment draws, kept out of the page (pages stay thin).

The page's ``live()`` fragment trains for a tick, handles pausing, then calls ``draw_live``:
ONE drawing element (ui.lab.drawing: network, output over the plane with its legend, the
loss curve, epoch and losses) that keeps its canvases and only receives this tick's numbers.
While paused it adds a status line, the claims and the confusion matrix. While playing the
drawing is all a tick sends: every other element of a fragment is re-rendered by the browser
on each of up to ~16 ticks a second (a caption or a claim ~1 ms of markdown each, and a third
of the browser's per-tick style and layout work, measured: BENCHMARKS.md "Issue 20 (session
2026-12-05e)"), and a sentence whose numbers change 16 times a second cannot be read anyway.
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from core import lab
from core.charts import playground as charts
from core.charts.lab_drawing import drawing_data
from ui.i18n import current_lang, scoped, t
from ui.lab import drawing
from ui.lab.state import handle_tap
from ui.page import chart, notice_claims
from ui.url_state import is_hidden, presenting

NS = "playground"  # the locale namespace (locales/playground.toml); the page imports it
tr = scoped(NS)


def _pct(value: float | None) -> str:
    return f"{value:.1%}" if value is not None and np.isfinite(value) else "—"


def _ct(key: str, **values) -> str:
    return tr(f"chart.{key}", **values)


@functools.cache
def feature_maps() -> np.ndarray:
    """Every candidate input over the plane at thumbnail resolution (they never change)."""
    import torch

    stride = lab.GRID // lab.THUMB
    axis = np.linspace(-lab.EXTENT, lab.EXTENT, lab.GRID)[::stride]
    xx, yy = np.meshgrid(axis, axis)  # row = x2, column = x1
    plane = torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1))
    values = lab.feature_matrix(plane, lab.FEATURES).T.numpy()
    return values.reshape(len(lab.FEATURES), len(axis), len(axis))


def lab_layout_css() -> None:
    """One screen on every screen: the data column and the lab stay side by side from 641 px
    on (presenter view would otherwise stack columns holding a chart, pushing Play below the
    fold); on a phone the lab comes before the data column, and the page's title and top
    space shrink so Play and the whole output fit the first 844 px."""
    st.html("""<style>
@media (min-width: 641px) {
  .st-key-pg_lab [data-testid=stHorizontalBlock] { flex-wrap: nowrap !important; }
  .st-key-pg_lab [data-testid=stHorizontalBlock] > [data-testid=stColumn] { min-width: 0 !important; }
}
/* A fragment rerun marks its elements stale until they are re-sent; the lab reruns up to
   16 times a second, so a stale frame is normal there and must not dim the picture. */
.st-key-pg_lab [data-stale=true] { opacity: 1 !important; transition: none !important; }
@media (max-width: 640px) {
  .st-key-pg_lab [data-testid=stColumn]:has(.st-key-pg_data) { order: 2; }
  [data-testid=stMainBlockContainer] { padding-top: 3.5rem; }
  [data-testid=stMainBlockContainer] h1 { font-size: 2rem; }
}
</style>""")


def drawing_text(cfg: lab.LabConfig) -> dict:
    """Every word the element shows, in the page's language (shared: the element's data copies
    it). Built once per language and problem, not on every tick: ~35 catalog look-ups, each
    reading the session's language, ran on every tick of a playing lab."""
    return _drawing_text(current_lang(), cfg.problem == "regression", cfg.n_classes)


@functools.lru_cache(maxsize=64)
def _drawing_text(lang: str, regression: bool, n_classes: int) -> dict:
    """``drawing_text`` for the language ``lang`` (the current one: ``tr`` reads it)."""
    text = {key: tr(key) for key in ("epoch", "train_loss", "test_loss", "test_acc")}
    text |= {key: _ct(key) for key in ("inputs", "output", "weight", "curves_title", "epochs",
                                       "pinned_train", "pinned_test", "tap_again",
                                       "tap_feature", "hint", "plane_title", "fewer_layers",
                                       "more_layers", "fewer_neurons", "more_neurons")}
    text |= {f"f_{f}": tr(f"feature.{f}") for f in lab.FEATURES}
    text["neuron"] = _ct("neuron", layer="{layer}", k="{k}")
    text["output_node"] = _ct("output_node", k="{k}")
    text["hidden_layers"] = _ct("hidden_layers", n="{n}")
    text["diverged"] = t("common.diverged")
    # the legend says what the plane's colours mean for this problem (a tapped neuron's
    # map is always -1 .. +1)
    if regression:
        text["legend_lo"], text["legend_hi"] = "−1", "+1"
    elif n_classes > 2:
        text["legend_lo"] = _ct("legend_classes_lo")
        text["legend_hi"] = _ct("class_name", k=n_classes - 1)
    else:
        text["legend_lo"], text["legend_hi"] = _ct("legend_lo"), _ct("legend_hi")
    text["legend_node_lo"], text["legend_node_hi"] = "−1", "+1"
    text["lang"] = tr("epoch")  # a language switch rebuilds the network's labels
    return text


def draw_live(cfg: lab.LabConfig, snap, data, *, show_test: bool, discretize: bool,
              playing: bool, pinned: dict | None, tick: int | None = None) -> None:
    """All the live fragment draws for a snapshot. ``tick``: while playing, the token the
    drawing element sends back once it has painted this (ui.lab.drawing), else None."""
    controls = {"features": True,
                "layers": not is_hidden("pg_layers"), "present": presenting()}
    shown = drawing_data(
        snap, data, features=cfg.features, all_features=lab.FEATURES,
        feature_maps=feature_maps(), stride=lab.GRID // lab.THUMB, extent=lab.EXTENT,
        show_test=show_test, discretize=discretize, pinned=pinned, text=drawing_text(cfg),
        controls=controls)
    shown["tick"] = tick if playing else None
    tap = drawing.draw(shown)
    if handle_tap(tap):  # the network changes: the whole page reruns with the new values
        st.rerun(scope="app")
    if playing:  # the rest is read when paused (the page says so under the lab)
        return
    classify = snap.train_acc is not None
    st.caption(tr("status", step=snap.step, lr=snap.lr, n=snap.n_params,
                 n_train=snap.n_train, n_test=snap.n_test)
               + (" · " + tr("train_acc_is", acc=_pct(snap.train_acc)) if classify else ""))
    notice_claims(NS, lab.lab_claims(snap))
    if classify and snap.confusion is not None:
        names = [_ct("class_name", k=k) for k in range(len(snap.confusion))]
        chart(charts.confusion_figure(snap.confusion, names, {
            "title": _ct("cm_title", n=int(snap.confusion.sum())), "x": _ct("cm_x"),
            "y": _ct("cm_y")}, height=260 + 20 * len(names)), "_pg_confusion")
