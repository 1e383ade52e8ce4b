"""/optimizers — optimizer trajectories on 2-D loss surfaces; the same optimizers on a network."""

from contextlib import nullcontext
from dataclasses import replace

import pandas as pd
import streamlit as st

from core import optimizers as core
from core.charts import optimizers as charts
from core.data import TOY_2D_NAMES
from core.training import OPTIMIZERS
from ui.i18n import catalog, labels, scoped, t
from ui.compute import derived, figure  # each chart built once per distinct input, shared
from ui.page import (
    section_fragment,
    ask, controls_beside, cached, chart, code_panel, fragment_run, lazy_fold, notice_claims,
    page_header, presets, run_with_progress,
)
from ui.url_state import (
    url_end_slider, url_log_slider, url_multiselect, url_select, url_slider, url_toggle,
)

NS = "optimizers"
tr = scoped(NS)
LR_CHOICES, EXTRA = core.LR_CHOICES, core.EXTRA  # slider ranges
name_of = labels(f"{NS}.opt", OPTIMIZERS)
surface_name = labels(f"{NS}.surface", core.SURFACE_NAMES)
data_name = labels(f"{NS}.data", TOY_2D_NAMES)
PATH_TEXT = {k: tr(f"paths.{k}") for k in ("start", "minimum", "velocity", "gradient", "exit", "z")}
TABLE = {k[6:]: tr(f"{k}") for k in catalog(NS) if k.startswith("table.")} | {
    f"rate_{o}": tr(f"table.{core.RATE_SCHEME[o]}") for o in OPTIMIZERS}



def preset(surface: str, chosen: tuple[str, ...], steps: int, lrs: dict[str, float] | None = None,
           start: tuple[float, float] | None = None, **extra: float) -> dict[str, object]:
    """Every widget of the trajectories section: what is not named takes its default, so
    nothing (momentum 0.95, a learning rate) leaks from one preset into the next."""
    s = core.get_surface(surface)
    values: dict[str, object] = {
        "opt_surface": surface, "opt_opts": list(chosen), "opt_steps": steps, "opt_at": steps,
        "opt_3d": False, f"opt_x_{surface}": (start or s.start)[0],
        f"opt_y_{surface}": (start or s.start)[1]}
    values |= {f"opt_lr_{o}_{surface}": (lrs or {}).get(o, s.lrs[o]) for o in OPTIMIZERS}
    for name, fields in EXTRA.items():
        for field, *_, default, _step in fields:
            values[f"opt_{field}_{name}"] = extra.get(f"{field}_{name}", default)
    return values


PRESETS = {
    "overshoot": preset("quadratic", ("sgd", "momentum"), 300,
                        {"sgd": 0.03, "momentum": 0.03}, momentum_momentum=0.95),
    "rosenbrock": preset("rosenbrock", ("sgd", "adam"), 1000, {"sgd": 0.001, "adam": 0.1}),
    "saddle": preset("saddle", ("sgd", "momentum", "adam"), 300, start=(-2.5, 0.01)),
    "too_fast": preset("quadratic", ("sgd", "adam"), 100, {"sgd": 0.5}),
}


page_header(NS)
presets(NS, PRESETS)

# 1. Trajectories -------------------------------------------------------------------------
# Two fragments: a press reruns its own section only (the network section's ~11 elements are not
# re-sent on a trajectories press). The network trains the optimizers chosen here: this section
# leaves them in NET_SETTINGS, and a change of them with the network on reruns the page.
NET_SETTINGS = "_opt_net_settings"  # session key: the optimizers the network section trains


@section_fragment(NS, "paths")
def paths_section() -> None:
    controls, view = controls_beside("opt_paths")
    with controls:
        c1, c2, c3 = st.columns([2, 3, 1])
        with c1:
            # Radio buttons, not a select box: a select box's one-line field cut the surface's
            # name in the narrow controls column ("좁은 골짜기 (조건수가 나…").
            surface = url_select("opt_surface", tr("paths.surface"), core.SURFACE_NAMES, "quadratic",
                                 format_func=surface_name.get)
        with c2:
            chosen = url_multiselect("opt_opts", tr("paths.optimizers"), OPTIMIZERS,
                                     ("sgd", "momentum", "rmsprop", "adam"), format_func=name_of.get)
        with c3:
            view_3d = url_toggle("opt_3d", tr("paths.view_3d"), False)
            animate = url_toggle("opt_anim", tr("paths.animate"), False,
                                 help=tr("paths.animate_help"))
        s = core.get_surface(surface)
        c1, c2, c3 = st.columns(3)
        with c1:
            x0 = url_slider(f"opt_x_{surface}", tr("paths.start_x"), *s.x_range, s.start[0], step=0.01)
        with c2:
            y0 = url_slider(f"opt_y_{surface}", tr("paths.start_y"), *s.y_range, s.start[1], step=0.01)
        with c3:
            steps = url_slider("opt_steps", tr("paths.steps"), 10, 1000, 300, step=10)
        settings = []
        # Drawn only while open: closed (the default), its ~4 rows of columns, names and
        # sliders cost a press nothing; the sliders' values still come from the URL, a preset
        # or the session (ui.url_state.off_screen), so the result is the same open or closed.
        with lazy_fold(tr("paths.settings"), "opt_settings", icon="⚙️") as open_:
            for name in chosen:
                cols = st.columns([2, 3, 3, 3]) if open_ else [nullcontext()] * 4
                if open_:
                    cols[0].markdown(f"**{name_of[name]}**")
                with cols[1]:
                    values = {"lr": url_log_slider(f"opt_lr_{name}_{surface}", tr("paths.lr"),
                                                   LR_CHOICES, s.lrs[name])}
                for col, (field, lo, hi, default, step) in zip(cols[2:], EXTRA.get(name, ())):
                    with col:
                        values[field] = url_slider(f"opt_{field}_{name}", tr(f"paths.{field}"), lo,
                                                   hi, default, step=step)
                settings.append(core.OptimizerSettings(name, **values))
        if not chosen:
            st.warning(tr("paths.pick_one"))
            settings = [core.OptimizerSettings("sgd", s.lrs["sgd"])]
        # The network's learning rates come from its own scale (resolved), so only the chosen
        # optimizers and their momentum/β/α reach it: a change of those redraws the network
        # too (the whole page, at once: nothing of this section is drawn for nothing).
        net_settings = core.NetworkConfig(tuple(settings)).resolved().optimizers
        changed = st.session_state.get(NET_SETTINGS, net_settings) != net_settings
        st.session_state[NET_SETTINGS] = net_settings
        if changed and st.session_state.get("opt_net") and fragment_run():
            st.rerun()
        cfg = core.TrajectoryConfig(surface, tuple(settings), start=(x0, y0), steps=steps)
        result = cached(core.run_trajectories)(cfg)
        at = url_end_slider("opt_at", tr("paths.at"), steps)  # its range follows "Steps"
    grid = cached(core.surface_grid)(surface)
    T = PATH_TEXT | {"title": tr("paths.chart_title" + ("_3d" if view_3d else "")),
                     "x": "x", "y": "y", "diverged": tr("paths.diverged")}
    paths_claims = core.paths_claims(result)


    def show_paths() -> None:
        """The measured answer: paths, per-step curves, the table and the notice."""
        if animate and not view_3d:  # every frame computed here once; the browser plays them
            chart(charts.trajectory_animation(result, grid, T | {
                "play": tr("paths.play"), "pause": tr("paths.pause"),
                "step": t("common.step")}, name_of), "opt_paths_anim")
        else:
            paths_figure = charts.surface3d_figure if view_3d else charts.trajectory_figure
            chart(figure(paths_figure, result, grid, at, T, name_of), "opt_paths")
        step_text = {"x": t("common.step"), "diverged": tr("paths.diverged"),
                     "epsilon": tr("paths.epsilon", eps=cfg.epsilon)}
        left, right = st.columns(2)
        with left:
            chart(figure(charts.loss_figure, result, at, step_text | {"title": tr("paths.loss_title"),
                                                       "y": "f − f*"}, name_of), "opt_loss")
        with right:
            chart(figure(charts.distance_figure, result, at, step_text | {
                "title": tr("paths.distance_title"), "y": tr("paths.distance")}, name_of),
                "opt_distance")
        for name, run in result.runs.items():
            if run.diverged:
                st.error(tr("paths.run_diverged", name=name_of[name], step=run.diverged_at))
        st.markdown(f"**{tr('paths.table_title')}** (ε = {cfg.epsilon})")
        # st.table wraps long cells instead of hiding columns behind a scrollbar at 1024 px
        st.table(pd.DataFrame(charts.trajectory_table(result, TABLE, name_of)).set_index(
            TABLE["optimizer"]))
        notice_claims(f"{NS}.paths", paths_claims, name_of)


    # Predict, then reveal: which optimizer settles first (the answer is the measured claim).
    fastest = next((c.values["name"] for c in paths_claims if c.id == "fastest"), "none")
    with view:
        ask("opt_fastest", tr("ask.fastest"),
            {name: name_of[name] for name in result.runs} | {"none": tr("ask.none")},
            correct=fastest, reveal=show_paths)
    code_panel(core.trajectories_code(cfg), key="opt_code_paths")


# 2. The same optimizers on a real network -------------------------------------------------
@section_fragment(NS, "network")
def network_section() -> None:
    settings = st.session_state.get(NET_SETTINGS) or core.NetworkConfig().resolved().optimizers
    c1, c2, c3 = st.columns(3)
    with c1:
        dataset = url_select("opt_data", tr("network.dataset"), TOY_2D_NAMES, "moons",
                             format_func=data_name.get, horizontal=False)
    with c2:
        epochs = url_slider("opt_epochs", tr("network.epochs"), 5, 150, 60, step=5)
    with c3:
        lr_scale = url_log_slider("opt_lrscale", tr("network.lr_scale"), (0.1, 0.3, 1, 3, 10),
                                  1.0, help=tr("network.lr_scale_help"))
    # Resolved: the network's learning rates come from lr_scale, so the trajectories' lr sliders
    # (and the surface, which picks them) do not reach this key.
    net_cfg = core.NetworkConfig(tuple(settings), lr_scale=lr_scale, dataset=dataset,
                                 epochs=epochs).resolved()
    # A toggle rather than a button: it lives in the URL, so a shared link shows the curves too.
    if url_toggle("opt_net", tr("network.train"), False):
        # One cached run per optimizer (each trains its own copy from the same weights on the
        # same batches): a move of one optimizer's setting retrains that optimizer alone.
        net = derived(core.NetworkResult, net_cfg, {
            s.name: run_with_progress(core.run_network, replace(net_cfg, optimizers=(s,)),
                                      t("common.training")).runs[s.name]
            for s in net_cfg.optimizers})
        chart(figure(charts.network_figure, net, {"title": tr("network.chart_title"),
                                   "train": tr("network.train_loss"),
                                   "val": tr("network.val_loss"), "x": tr("network.epoch"),
                                   "y": t("common.loss"), "diverged": tr("paths.diverged")},
                             name_of), "opt_network")
        st.table(pd.DataFrame(charts.network_table(net, TABLE, name_of)).set_index(
            TABLE["optimizer"]))
        notice_claims(f"{NS}.network", core.network_claims(net), name_of)
        code_panel(core.network_code(net_cfg), key="opt_code_network")
    else:
        st.info(tr("network.press"))


paths_section()
network_section()
