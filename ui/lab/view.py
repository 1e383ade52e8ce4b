"""What the /playground lab's live fragment draws, kept out of the page (pages stay thin).

The page's ``live()`` fragment trains for a tick, handles pausing, then calls ``draw_live``:
the metrics row and status line; the network (HTML + SVG, with a selector to enlarge one
node's map); the output over the plane (a PNG) with the loss curves (HTML + SVG); the
claims; the confusion matrix while paused. The fragment reruns five times a second while
playing, and Streamlit remounts a plotly chart whose data changed, so everything redrawn on
every tick is light markup or an inline picture, never a plotly chart.

Everything here gets what it draws as parameters; the only session key it owns is
``S_SELECTED``, the node selector's widget key.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import lab
from core.charts import playground as charts
from ui.i18n import scoped, t
from ui.page import chart, notice_claims
from ui.url_state import presenting

NS = "playground"  # the locale namespace (locales/playground.toml); the page imports it
tr = scoped(NS)
S_SELECTED = "_pg_sel"  # the enlarged node (widget key; not in the URL)


def _fmt(value: float | None) -> str:
    return f"{value:.3f}" if value is not None and np.isfinite(value) else "—"


def _pct(value: float | None) -> str:
    return f"{value:.1%}" if value is not None and np.isfinite(value) else "—"


def _font_px() -> int:
    return 18 if presenting() else 13  # presenter view: projector-size text (>= 18 px)


def _ct(key: str, **values) -> str:
    return tr(f"chart.{key}", **values)


def draw_metrics(snap) -> None:
    """Epoch, train and test loss (and test accuracy when classifying), then a status line."""
    classify = snap.train_acc is not None
    # four metrics in the lab column: default digits clip at 1024 px (presenter's 3rem too)
    st.html("<style>.st-key-pg_metrics [data-testid=stMetricValue]"
            f"{{font-size: {'2.25rem' if presenting() else '1.75rem'};}}</style>")
    m = st.container(key="pg_metrics", horizontal=True)
    m = [m.container() for _ in range(4 if classify else 3)]
    m[0].metric(tr("epoch"), f"{snap.epoch:,}")
    m[1].metric(tr("train_loss"), _fmt(snap.train_loss))
    m[2].metric(tr("test_loss"), _fmt(snap.test_loss))
    if classify:
        m[3].metric(tr("test_acc"), _pct(snap.test_acc),
                    help=tr("train_acc_is", acc=_pct(snap.train_acc)))
    st.caption(tr("status", step=snap.step, lr=snap.lr, n=snap.n_params,
                 n_train=snap.n_train, n_test=snap.n_test)
               + (" · " + tr("train_acc_is", acc=_pct(snap.train_acc)) if classify else ""))


def draw_network(cfg: lab.LabConfig, snap, live: bool) -> None:
    """The network as light HTML + SVG (st.html swaps its markup each tick; a plotly chart
    was remounted), then a selector under it: the chosen node's map, large.

    ``live`` (playing): the network is drawn as pictures (cheap to swap five times a
    second); paused, inline SVG with hover tooltips."""
    widths = [len(cfg.features), *cfg.hidden, snap.weights[-1].shape[0]]
    maps = charts.node_maps(snap, stride=max(1, lab.GRID // lab.THUMB))
    names = [tr(f"feature.{f}") for f in cfg.features]
    names += [_ct("neuron", layer=i + 1, k=j + 1) for i, w in enumerate(cfg.hidden)
              for j in range(w)]
    names += [_ct("output_node", k=k) for k in range(widths[-1])]
    columns = [_ct("inputs"), *(_ct("layer", i=i + 1) for i in range(len(cfg.hidden))),
               _ct("output")]
    options = [-1, *range(len(maps))]
    if st.session_state.get(S_SELECTED) not in options:
        st.session_state.pop(S_SELECTED, None)
    selected = st.session_state.get(S_SELECTED, -1)
    st.markdown(charts.network_html(widths, maps, snap.weights, names, columns,
                                {"title": _ct("network_title"), "weight": _ct("weight")},
                                selected=selected if selected >= 0 else None,
                                font_px=_font_px(), live=live), unsafe_allow_html=True)
    shown = [tr("click_neuron"), *names]
    selected = st.selectbox(tr("enlarge"), options, key=S_SELECTED,
                            format_func=lambda i: shown[i + 1])
    if selected >= 0:
        st.markdown(charts.png_img(charts.map_png(maps[selected], size=240), names[selected],
                                   "width:240px;max-width:100%;display:block"),
                    unsafe_allow_html=True)
        st.caption(names[selected])


def draw_output(snap, data, *, show_test: bool, discretize: bool, pinned: dict | None,
                live: bool) -> None:
    """The model's output over the plane with the points (a PNG), its caption, then the
    loss curves (HTML + SVG; ``pinned``: a pinned run's curves drawn under them)."""
    output = snap.grid_output
    if snap.grid_probs is not None and snap.grid_probs.shape[2] > 2:
        output = snap.grid_probs.transpose(2, 0, 1)
    # A picture, not a plotly chart (Streamlit remounts a plotly chart whose data
    # changed), and inline (a data URI), not a media file: a media file of one tick was
    # deleted by the next before a loaded browser had fetched it (a broken image).
    st.markdown(f"**{_ct('output_title')}**")
    st.markdown(charts.png_img(charts.boundary_png(
        snap.grid, output, data.points_train, data.labels_train, data.points_test,
        data.labels_test, show_test=show_test, discretize=discretize,
        regression=snap.train_acc is None), _ct("output_title"), "width:100%;display:block"),
        unsafe_allow_html=True)
    st.caption(_ct("output_caption", lo=-lab.EXTENT, hi=lab.EXTENT))
    st.markdown(charts.curves_html(
        snap.curve_epochs, snap.curve_train_loss, snap.curve_test_loss,
        {"title": _ct("curves_title"), "x": _ct("epochs"), "y": _ct("loss"),
         "train": tr("train_loss"), "test": tr("test_loss"),
         "pinned_train": _ct("pinned_train"), "pinned_test": _ct("pinned_test"),
         "diverged": t("common.diverged")},
        pinned=pinned, diverged=snap.diverged,
        height=260 if presenting() else 180, font_px=_font_px(), live=live),
        unsafe_allow_html=True)


def draw_live(cfg: lab.LabConfig, snap, data, *, show_test: bool, discretize: bool,
              playing: bool, pinned: dict | None) -> None:
    """All the live fragment draws after a tick: metrics, network beside output and curves,
    the claims, and the confusion matrix (while paused)."""
    draw_metrics(snap)
    net_col, out_col = st.columns(2)
    with net_col:
        draw_network(cfg, snap, live=playing)
    with out_col:
        draw_output(snap, data, show_test=show_test, discretize=discretize, pinned=pinned,
                    live=playing)
    notice_claims(NS, lab.lab_claims(snap))
    classify = snap.train_acc is not None
    if classify and snap.confusion is not None and playing:
        st.caption(tr("cm_when_paused"))  # one chart fewer to redraw every tick
    elif classify and snap.confusion is not None:
        names = [_ct("class_name", k=k) for k in range(len(snap.confusion))]
        chart(charts.confusion_figure(snap.confusion, names, {
            "title": _ct("cm_title", n=int(snap.confusion.sum())), "x": _ct("cm_x"),
            "y": _ct("cm_y")}, height=260 + 20 * len(names)), "_pg_confusion")
