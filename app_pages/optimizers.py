"""/optimizers — optimizer trajectories on 2-D loss surfaces; the same optimizers on a network."""

import pandas as pd
import streamlit as st

from core import optimizers as core
from core.charts import optimizers as charts
from core.data import TOY_2D_NAMES
from core.training import OPTIMIZERS
from ui.i18n import catalog, labels, t
from ui.page import cached, chart, code_panel, notice, page_header, presets, run_with_progress, section
from ui.url_state import url_log_slider, url_multiselect, url_select, url_slider, url_toggle

NS = "optimizers"
LR_CHOICES = (1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2,
              0.3, 0.5, 1.0, 2.0, 3.0, 5.0)
RATE_SCHEME = {"sgd": "fixed", "momentum": "fixed", "nesterov": "fixed", "rmsprop": "adaptive",
               "adagrad": "adaptive", "adam": "adaptive_momentum", "adamw": "adaptive_momentum"}
EXTRA = {  # hyperparameters besides lr: (core.OptimizerSettings field, min, max, default, step)
    "momentum": [("momentum", 0.0, 0.99, 0.9, 0.01)],
    "nesterov": [("momentum", 0.0, 0.99, 0.9, 0.01)],
    "rmsprop": [("alpha", 0.5, 0.999, 0.99, 0.001)],
    "adam": [("beta1", 0.0, 0.99, 0.9, 0.01), ("beta2", 0.9, 0.9999, 0.999, 0.0001)],
    "adamw": [("beta1", 0.0, 0.99, 0.9, 0.01), ("beta2", 0.9, 0.9999, 0.999, 0.0001)],
}
name_of = labels(f"{NS}.opt", OPTIMIZERS)
surface_name = labels(f"{NS}.surface", core.SURFACE_NAMES)
data_name = labels(f"{NS}.data", TOY_2D_NAMES)
T = {k: t(f"{NS}.paths.{k}") for k in ("start", "minimum", "velocity", "gradient", "exit", "z")}
TABLE = {k[6:]: t(f"{NS}.{k}") for k in catalog(NS) if k.startswith("table.")} | {
    f"rate_{o}": t(f"{NS}.table.{RATE_SCHEME[o]}") for o in OPTIMIZERS}

page_header(NS)
presets(NS, {
    "overshoot": {"opt_surface": "quadratic", "opt_opts": ["sgd", "momentum"], "opt_steps": 150,
                  "opt_lr_sgd_quadratic": 0.03, "opt_lr_momentum_quadratic": 0.03,
                  "opt_momentum_momentum": 0.95, "opt_at": 150},
    "rosenbrock": {"opt_surface": "rosenbrock", "opt_opts": ["sgd", "adam"], "opt_steps": 1000,
                   "opt_lr_sgd_rosenbrock": 0.001, "opt_lr_adam_rosenbrock": 0.02, "opt_at": 1000},
    "saddle": {"opt_surface": "saddle", "opt_opts": ["sgd", "momentum", "adam"], "opt_steps": 300,
               "opt_y_saddle": 0.01, "opt_x_saddle": -2.5, "opt_at": 300},
    "too_fast": {"opt_surface": "quadratic", "opt_opts": ["sgd", "adam"], "opt_steps": 100,
                 "opt_lr_sgd_quadratic": 0.5, "opt_at": 100},
})

# 1. Trajectories -------------------------------------------------------------------------
section(NS, "paths")
c1, c2, c3 = st.columns([2, 3, 1])
with c1:
    surface = url_select("opt_surface", t(f"{NS}.paths.surface"), core.SURFACE_NAMES, "quadratic",
                         format_func=surface_name.get, horizontal=False)
with c2:
    chosen = url_multiselect("opt_opts", t(f"{NS}.paths.optimizers"), OPTIMIZERS,
                             ("sgd", "momentum", "rmsprop", "adam"), format_func=name_of.get)
with c3:
    view_3d = url_toggle("opt_3d", t(f"{NS}.paths.view_3d"), False)
s = core.get_surface(surface)
c1, c2, c3 = st.columns(3)
with c1:
    x0 = url_slider(f"opt_x_{surface}", t(f"{NS}.paths.start_x"), *s.x_range, s.start[0], step=0.01)
with c2:
    y0 = url_slider(f"opt_y_{surface}", t(f"{NS}.paths.start_y"), *s.y_range, s.start[1], step=0.01)
with c3:
    steps = url_slider("opt_steps", t(f"{NS}.paths.steps"), 10, 1000, 300, step=10)
settings = []
with st.expander(t(f"{NS}.paths.settings"), icon="⚙️"):
    for name in chosen:
        cols = st.columns([2, 3, 3, 3])
        cols[0].markdown(f"**{name_of[name]}**")
        with cols[1]:
            values = {"lr": url_log_slider(f"opt_lr_{name}_{surface}", t(f"{NS}.paths.lr"),
                                           LR_CHOICES, s.lrs[name])}
        for col, (field, lo, hi, default, step) in zip(cols[2:], EXTRA.get(name, ())):
            with col:
                values[field] = url_slider(f"opt_{field}_{name}", t(f"{NS}.paths.{field}"), lo,
                                           hi, default, step=step)
        settings.append(core.OptimizerSettings(name, **values))
if not chosen:
    st.warning(t(f"{NS}.paths.pick_one"))
    settings = [core.OptimizerSettings("sgd", s.lrs["sgd"])]
cfg = core.TrajectoryConfig(surface, tuple(settings), start=(x0, y0), steps=steps)
result = cached(core.run_trajectories)(cfg)
if st.session_state.get("opt_at", 0) > steps:  # the step slider's range follows "Steps"
    st.session_state["opt_at"] = steps
at = url_slider("opt_at", t(f"{NS}.paths.at"), 0, steps, steps)
grid = cached(core.surface_grid)(surface)
T |= {"title": t(f"{NS}.paths.chart_title" + ("_3d" if view_3d else "")), "x": "x", "y": "y",
      "diverged": t(f"{NS}.paths.diverged")}
paths_figure = charts.surface3d_figure if view_3d else charts.trajectory_figure
chart(paths_figure(result, grid, at, T, name_of), "opt_paths")
step_text = {"x": t("common.step"), "diverged": t(f"{NS}.paths.diverged"),
             "epsilon": t(f"{NS}.paths.epsilon", eps=cfg.epsilon)}
left, right = st.columns(2)
with left:
    chart(charts.loss_figure(result, at, step_text | {"title": t(f"{NS}.paths.loss_title"),
                                               "y": "f − f*"}, name_of), "opt_loss")
with right:
    chart(charts.distance_figure(result, at, step_text | {"title": t(f"{NS}.paths.distance_title"),
                                                   "y": t(f"{NS}.paths.distance")}, name_of),
          "opt_distance")
for name, run in result.runs.items():
    if run.diverged:
        st.error(t(f"{NS}.paths.run_diverged", name=name_of[name], step=run.diverged_at))
st.markdown(f"**{t(f'{NS}.paths.table_title')}** (ε = {cfg.epsilon})")
st.dataframe(pd.DataFrame(charts.trajectory_table(result, TABLE, name_of)), hide_index=True,
             width="stretch")
reached = {n: r.steps_to_eps for n, r in result.runs.items() if r.steps_to_eps is not None}
fastest = min(reached, key=reached.get, default=None)
notice(t(f"{NS}.paths.notice", fastest=name_of[fastest], steps=reached[fastest]) if fastest
       else t(f"{NS}.paths.notice_none"))
code_panel(core.trajectories_code(cfg), key="opt_code_paths")

# 2. The same optimizers on a real network -----------------------------------------------
section(NS, "network")
c1, c2, c3 = st.columns(3)
with c1:
    dataset = url_select("opt_data", t(f"{NS}.network.dataset"), TOY_2D_NAMES, "moons",
                         format_func=data_name.get, horizontal=False)
with c2:
    epochs = url_slider("opt_epochs", t(f"{NS}.network.epochs"), 5, 150, 60, step=5)
with c3:
    lr_scale = url_log_slider("opt_lrscale", t(f"{NS}.network.lr_scale"), (0.1, 0.3, 1, 3, 10),
                              1.0, help=t(f"{NS}.network.lr_scale_help"))
net_cfg = core.NetworkConfig(tuple(settings), lr_scale=lr_scale, dataset=dataset, epochs=epochs)
# A toggle rather than a button: it lives in the URL, so a shared link shows the curves too.
if url_toggle("opt_net", t(f"{NS}.network.train"), False):
    net = run_with_progress(core.run_network, net_cfg, t("common.training"))
    chart(charts.network_figure(net, {"title": t(f"{NS}.network.chart_title"),
                               "train": t(f"{NS}.network.train_loss"),
                               "val": t(f"{NS}.network.val_loss"), "x": t(f"{NS}.network.epoch"),
                               "y": t("common.loss"), "diverged": t(f"{NS}.paths.diverged")},
                         name_of), "opt_network")
    st.dataframe(pd.DataFrame(charts.network_table(net, TABLE, name_of)), hide_index=True,
                 width="stretch")
    fit = {n: r.epochs_to_fit or 10**6 for n, r in net.runs.items()}
    notice(t(f"{NS}.network.notice", fastest=name_of[min(fit, key=fit.get)],
             best=name_of[min(net.runs, key=lambda n: net.runs[n].best_val_loss)]))
    code_panel(core.network_code(net_cfg), key="opt_code_network")
else:
    st.info(t(f"{NS}.network.press"))
