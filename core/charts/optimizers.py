"""Figures for the optimizers page: paths on a surface, loss and distance per step, network curves.

Paths are clipped before drawing: a diverged run keeps only its finite part, and a point
that flew far outside the plotted region ends the drawn path there (Plotly clips the last
segment at the border), so the axes always stay on the surface.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.charts.common import (
    FONT_FAMILY,
    FONT_SIZE,
    PALETTE,
    base_figure,
    finite_positive,
    log_axis,
    style_subplots,
    subplots,
)
from core.charts.common import BLUISH_GREEN, VERMILLION  # Okabe–Ito
from core.optimizers import NetworkResult, SurfaceGrid, Trajectory, TrajectoryResult, get_surface
from core.text import number  # table cells written as sentences write them: no e-notation
from core.training import OPTIMIZERS

LOSS_FLOOR = 1e-16  # float64 round-off: f - f* below this is drawn as this
FAR = 3.0  # a drawn path stops at its first point farther than FAR × span from the region


def optimizer_color(name: str) -> str:
    return PALETTE[OPTIMIZERS.index(name) % len(PALETTE)] if name in OPTIMIZERS else PALETTE[0]


def drawable_path(result: TrajectoryResult, run: Trajectory, upto: int) -> np.ndarray:
    """Positions 0..upto, cut at the first non-finite point or the first far-away point."""
    surface = get_surface(result.config.surface)
    path = run.positions[: upto + 1]
    center = np.array([np.mean(surface.x_range), np.mean(surface.y_range)])
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(path).all(axis=1) | (
            np.abs(path - center).max(axis=1) > FAR * surface.span)
    if bad.any():
        path = path[: int(np.argmax(bad))]
    return path


def _inside(path: np.ndarray, surface) -> np.ndarray:
    """(n,) True where a point lies in the plotted region."""
    return ((path[:, 0] >= surface.x_range[0]) & (path[:, 0] <= surface.x_range[1])
            & (path[:, 1] >= surface.y_range[0]) & (path[:, 1] <= surface.y_range[1]))


def _diverged_label(text: Mapping[str, str], run: Trajectory) -> str:
    return text["diverged"].format(step=run.diverged_at)


def trajectory_figure(result: TrajectoryResult, grid: SurfaceGrid, step: int,
                      text: Mapping[str, str], names: Mapping[str, str],
                      arrows: bool = True) -> go.Figure:
    """Contours of the surface, each optimizer's path up to ``step``, the point at ``step``
    and, there, two arrows: the step actually taken next (velocity: for momentum, gradient
    plus memory) and the steepest-descent direction −∇f. Arrows have a fixed drawn length:
    they show directions.

    text: title, x, y, start, minimum, velocity, gradient, diverged ({step}), exit.
    """
    surface = get_surface(result.config.surface)
    fig = base_figure(text["title"], text["x"], text["y"], height=560)
    fig.add_trace(go.Contour(
        x=grid.x, y=grid.y, z=grid.levels, ncontours=28, colorscale="Blues", reversescale=True,
        opacity=0.55, showscale=False, hoverinfo="skip", line={"width": 0.5},
        contours={"coloring": "fill"}, name="f",
    ))
    minima = np.array(surface.minima)
    fig.add_trace(go.Scatter(x=minima[:, 0], y=minima[:, 1], mode="markers", name=text["minimum"],
                             marker={"symbol": "star", "size": 16, "color": "gold",
                                     "line": {"color": "black", "width": 1}}))
    start = result.config.start
    fig.add_trace(go.Scatter(x=[start[0]], y=[start[1]], mode="markers", name=text["start"],
                             marker={"symbol": "circle-open", "size": 14, "color": "black",
                                     "line": {"width": 2}}))
    arrow_length = 0.09 * surface.span
    for name, run in result.runs.items():
        color = optimizer_color(name)
        path = drawable_path(result, run, step)
        fig.add_trace(go.Scatter(
            x=path[:, 0], y=path[:, 1], mode="lines+markers", name=names[name],
            line={"color": color, "width": 2.5}, marker={"size": 3, "color": color},
            legendgroup=name, hovertemplate=f"{names[name]}<br>x=%{{x:.4f}}<br>y=%{{y:.4f}}"
                                            "<extra></extra>",
        ))
        if len(path) == step + 1:  # the run is on screen at this step: mark where it is now
            fig.add_trace(go.Scatter(x=path[-1:, 0], y=path[-1:, 1], mode="markers",
                                     marker={"size": 12, "color": color,
                                             "line": {"color": "white", "width": 2}},
                                     legendgroup=name, showlegend=False, hoverinfo="skip"))
        elif len(path):  # it left the picture or diverged before this step
            label = (_diverged_label(text, run) if run.diverged and step >= run.diverged_at
                     else text["exit"])
            seen = path[_inside(path, surface)]  # mark the last point still on screen
            last = seen[-1:] if len(seen) else path[:1]
            fig.add_trace(go.Scatter(x=last[:, 0], y=last[:, 1], mode="markers+text",
                                     text=[f"{names[name]}: {label}"], textposition="top right",
                                     textfont={"color": color},
                                     marker={"symbol": "x", "size": 14, "color": color},
                                     legendgroup=name, showlegend=False, hoverinfo="skip"))
        if arrows and len(path) == step + 1 and len(run.moves):
            move = run.moves[min(step, len(run.moves) - 1)]  # at the last step: the last move
            _add_arrows(fig, path[-1], move, run.grads[step], arrow_length, color)
    if arrows:  # legend entries for the two arrow kinds
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=text["velocity"],
                                 line={"color": "black", "width": 3}))
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=text["gradient"],
                                 line={"color": "#555", "width": 2, "dash": "dot"}))
    fig.update_xaxes(range=list(surface.x_range), showgrid=False, zeroline=False)
    fig.update_yaxes(range=list(surface.y_range), showgrid=False, zeroline=False)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0.5,
                              "xanchor": "center"}, margin={"b": 110})
    return fig


def _add_arrows(fig: go.Figure, at: np.ndarray, move: np.ndarray, grad: np.ndarray,
                length: float, color: str) -> None:
    def tip(vector: np.ndarray) -> np.ndarray | None:
        norm = float(np.linalg.norm(vector))
        if not np.isfinite(norm) or norm < 1e-14:
            return None
        return at + vector / norm * length

    for vector, arrow_color, width in ((move, color, 3), (-grad, "#555", 1.5)):
        end = tip(vector)
        if end is None:
            continue
        fig.add_annotation(x=end[0], y=end[1], ax=at[0], ay=at[1], xref="x", yref="y",
                           axref="x", ayref="y", showarrow=True, arrowhead=2, arrowsize=1.2,
                           arrowwidth=width, arrowcolor=arrow_color, text="")


def surface3d_figure(result: TrajectoryResult, grid: SurfaceGrid, step: int,
                     text: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """The surface in 3-D (height: log10(f − f* + offset) or f − f*) with the paths on it."""
    surface = get_surface(result.config.surface)

    def height(loss: np.ndarray) -> np.ndarray:
        return np.log10(np.maximum(loss, 0) + grid.offset) if surface.log_levels else loss

    fig = go.Figure(go.Surface(x=grid.x, y=grid.y, z=grid.levels, colorscale="Blues",
                               reversescale=True, opacity=0.8, showscale=False, hoverinfo="skip"))
    for name, run in result.runs.items():
        path = drawable_path(result, run, step)
        inside = _inside(path, surface)
        if not inside.all():  # 3-D axes do not clip: stop at the first exit
            path = path[: int(np.argmin(inside))]
        z = height(run.loss[: len(path)])
        fig.add_trace(go.Scatter3d(x=path[:, 0], y=path[:, 1], z=z, mode="lines",
                                   name=names[name],
                                   line={"color": optimizer_color(name), "width": 6}))
    fig.update_layout(
        title={"text": text["title"], "x": 0.0, "font": {"size": FONT_SIZE + 3}},
        font={"family": FONT_FAMILY, "size": FONT_SIZE}, height=600,
        margin={"l": 0, "r": 0, "t": 60, "b": 0},
        legend={"orientation": "h", "y": 0.0, "x": 0.5, "xanchor": "center"},
        scene={"xaxis": {"title": {"text": text["x"]}, "range": list(surface.x_range)},
               "yaxis": {"title": {"text": text["y"]}, "range": list(surface.y_range)},
               "zaxis": {"title": {"text": text["z"]}}},
    )
    return fig


def _per_step_figure(result: TrajectoryResult, values: Mapping[str, np.ndarray], step: int,
                     text: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    fig = base_figure(text["title"], text["x"], text["y"], height=430)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0.5,
                              "xanchor": "center"}, margin={"b": 100})
    drawn = []
    for name, run in result.runs.items():
        y = finite_positive(values[name], floor=LOSS_FLOOR)
        drawn.append(y)
        fig.add_trace(go.Scatter(x=np.arange(len(y)), y=y, mode="lines", name=names[name],
                                 line={"color": optimizer_color(name), "width": 2.5}))
        if run.diverged:
            last = run.diverged_at - 1
            fig.add_trace(go.Scatter(
                x=[last], y=[y[last] if last >= 0 else np.nan], mode="markers",
                marker={"symbol": "x", "size": 14, "color": optimizer_color(name)},
                showlegend=False, hovertext=f"{names[name]}: {_diverged_label(text, run)}",
                hoverinfo="text"))
    values_all = np.concatenate(drawn) if drawn else np.array([])
    log_axis(fig, values_all)
    fig.update_xaxes(range=[0, result.config.steps])
    fig.add_vline(x=step, line={"color": "#444", "dash": "dot", "width": 1})
    diverged = [f"{names[n]}: {_diverged_label(text, r)}" for n, r in result.runs.items()
                if r.diverged]
    if diverged:
        fig.add_annotation(text="⚠ " + "<br>⚠ ".join(diverged), xref="paper", yref="paper",
                           x=0.98, y=0.98, xanchor="right", yanchor="top", showarrow=False,
                           align="right", font={"color": VERMILLION},
                           bgcolor="rgba(255,255,255,0.85)")
    return fig


def loss_figure(result: TrajectoryResult, step: int, text: Mapping[str, str],
                names: Mapping[str, str]) -> go.Figure:
    """f(p_t) − f* per step on a log axis (round-off floor 1e-16)."""
    return _per_step_figure(result, {n: r.loss for n, r in result.runs.items()}, step, text, names)


def distance_figure(result: TrajectoryResult, step: int, text: Mapping[str, str],
                    names: Mapping[str, str]) -> go.Figure:
    """Distance from p_t to the nearest global minimum, with the ε line of the table."""
    fig = _per_step_figure(result, {n: r.distance for n, r in result.runs.items()}, step, text,
                           names)
    fig.add_hline(y=result.config.epsilon, line={"color": BLUISH_GREEN, "dash": "dash"},
                  annotation_text=text["epsilon"], annotation_position="top right")
    return fig


def network_figure(result: NetworkResult, text: Mapping[str, str],
                   names: Mapping[str, str]) -> go.Figure:
    """Training loss | validation loss per epoch, one colour per optimizer.

    text: title, train, val, x, y, diverged ({step}).
    """
    fig = subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.05,
                   subplot_titles=(text["train"], text["val"]))
    initial = []
    for name, run in result.runs.items():
        color = optimizer_color(name)
        for col, values in ((1, run.train_loss), (2, run.val_loss)):
            y = np.where(np.isfinite(values), values, np.nan)
            fig.add_trace(go.Scatter(x=run.epochs, y=y, mode="lines", name=names[name],
                                     line={"color": color, "width": 2.5}, legendgroup=name,
                                     showlegend=col == 1), row=1, col=col)
        if run.diverged:
            label = text["diverged"].format(step=run.diverged_at)
            fig.add_annotation(text=f"⚠ {names[name]}: {label}",
                               xref="paper", yref="paper", x=0.5, y=0.95 - 0.07 * len(initial),
                               showarrow=False, font={"color": VERMILLION},
                               bgcolor="rgba(255,255,255,0.85)")
        if np.isfinite(run.train_loss[0]):
            initial.append(run.train_loss[0])
    top = 1.3 * max(initial) if initial else 1.0  # keep the scale on the starting loss
    fig.update_yaxes(range=[0, top], row=1, col=1)
    fig.update_yaxes(title_text=text["y"], row=1, col=1)
    fig.update_xaxes(title_text=text["x"])
    style_subplots(fig, text["title"], legend_y=-0.2)
    return fig


def trajectory_table(result: TrajectoryResult, text: Mapping[str, str],
                     names: Mapping[str, str]) -> list[dict[str, object]]:
    """Rows of the measured table. text: column titles (optimizer, rate, idea, steps_to_eps,
    final_loss, zigzags, loss_up, status), per-optimizer rate_<name>/idea_<name>, and
    never, ok, diverged ({step}), lr (each optimizer's learning rate, shown: the comparison
    depends on it)."""
    lrs = {o.name: o.lr for o in result.config.optimizers}
    return [{
        text["optimizer"]: names[n], text["lr"]: f"{lrs[n]:g}", text["rate"]: text[f"rate_{n}"],
        text["idea"]: text[f"idea_{n}"],
        text["steps_to_eps"]: text["never"] if r.steps_to_eps is None else str(r.steps_to_eps),
        text["final_loss"]: "—" if r.diverged else number(r.final_loss, ".2e"),
        text["zigzags"]: r.zigzags, text["loss_up"]: r.loss_increases,
        text["status"]: text["diverged"].format(step=r.diverged_at) if r.diverged else text["ok"],
    } for n, r in result.runs.items()]


def network_table(result: NetworkResult, text: Mapping[str, str],
                  names: Mapping[str, str]) -> list[dict[str, object]]:
    """Rows of the network table. text: optimizer, lr, epochs_to_fit, final_train, final_val,
    best_val, val_acc."""
    lrs = {o.name: o.lr for o in result.config.optimizers}
    return [{
        text["optimizer"]: names[n], text["lr"]: f"{lrs[n]:g}",
        text["epochs_to_fit"]: "—" if r.epochs_to_fit is None else str(r.epochs_to_fit),
        text["final_train"]: f"{r.train_loss[-1]:.3f}", text["final_val"]: f"{r.val_loss[-1]:.3f}",
        text["best_val"]: f"{r.best_val_loss:.3f} ({r.best_val_epoch})",
        text["val_acc"]: f"{r.val_acc[-1]:.0%}",
    } for n, r in result.runs.items()]


ANIMATION_FRAMES = 100  # frames across the whole run (computed once, played by the browser)
ANIMATION_SPEEDS = (0.5, 1.0, 2.0, 4.0)  # × the base frame rate
_BASE_FRAME_MS = 100


def animation_steps(steps: int, frames: int = ANIMATION_FRAMES) -> list[int]:
    """The optimizer steps the frames show: 0 … steps, at most ``frames`` of them."""
    return sorted({int(round(s)) for s in np.linspace(0, steps, min(frames, steps + 1))})


def trail_length(steps: int) -> int:
    """Steps drawn bright behind the moving point: three frames' worth, 20 … 200."""
    spacing = steps / max(len(animation_steps(steps)) - 1, 1)
    return int(min(200, max(20, 3 * spacing)))


def _levels_image(grid: SurfaceGrid, bands: int = 28) -> str:
    """The contour plot's levels as a PNG data URI: light (high) to blue (low), in bands."""
    import base64
    import io

    from PIL import Image

    levels = grid.levels
    low, high = float(np.nanmin(levels)), float(np.nanmax(levels))
    u = np.clip((levels - low) / max(high - low, 1e-12), 0.0, 1.0)  # 0 at the minimum
    u = np.floor(u * bands) / bands
    dark, light = np.array([8, 81, 156]), np.array([247, 251, 255])  # "Blues" ends
    rgb = dark + (light - dark) * u[..., None]
    alpha = np.full(u.shape + (1,), 0.55 * 255)
    image = np.concatenate([rgb, alpha], axis=-1).round().astype(np.uint8)[::-1]  # top = max y
    buffer = io.BytesIO()
    Image.fromarray(image, "RGBA").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def trajectory_animation(result: TrajectoryResult, grid: SurfaceGrid, text: Mapping[str, str],
                         names: Mapping[str, str]) -> go.Figure:
    """The 2-D paths as a Plotly animation: every frame is computed here, once, and the
    browser plays them (play / pause, speed buttons, a step slider) without asking the
    server for anything.

    Each optimizer's whole path is drawn faintly once; frames move only a bright trail (its
    last ``trail_length`` steps, every step exact: no thinning, which would hide
    zig-zags) and the current point. text: as trajectory_figure, plus play, pause, step.
    """
    fig = trajectory_figure(result, grid, result.config.steps, text, names, arrows=False)
    # Frames animate without a full redraw (fast), and plotly.js then clears non-scatter
    # traces: the contours become a background image (same levels, banded like the contour
    # plot) and the remaining traces carry plain lists (typed numpy arrays are dropped too).
    fig.data = tuple(trace for trace in fig.data if trace.type != "contour")
    fig.add_layout_image(source=_levels_image(grid), xref="x", yref="y", x=grid.x[0],
                         y=grid.y[-1], sizex=grid.x[-1] - grid.x[0],
                         sizey=grid.y[-1] - grid.y[0], sizing="stretch", layer="below")
    for trace in fig.data:
        for axis in ("x", "y"):
            value = getattr(trace, axis, None)
            if isinstance(value, np.ndarray):
                setattr(trace, axis, value.tolist())
    traces: dict[str, tuple[int, int]] = {}
    for name in result.runs:
        idx = [i for i, tr in enumerate(fig.data) if tr.legendgroup == name]
        fig.data[idx[0]].update(opacity=0.25, hoverinfo="skip", mode="lines")
        for extra in idx[1:]:  # the end-of-run marker of the static chart: not animated
            fig.data[extra].visible = False
        color = optimizer_color(name)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", legendgroup=name,
                                 showlegend=False, hoverinfo="skip",
                                 line={"color": color, "width": 3}))
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", legendgroup=name,
                                 showlegend=False, hoverinfo="skip",
                                 marker={"size": 12, "color": color,
                                         "line": {"color": "white", "width": 2}}))
        traces[name] = (len(fig.data) - 2, len(fig.data) - 1)
    steps = animation_steps(result.config.steps)
    trail = trail_length(result.config.steps)
    frames = []
    for k in steps:
        data, indices = [], []
        for name, run in result.runs.items():
            path = drawable_path(result, run, k)
            recent = path[max(0, k - trail):]  # exact steps, none skipped
            on_screen = len(path) == k + 1
            data.append(go.Scatter(x=recent[:, 0], y=recent[:, 1]))
            data.append(go.Scatter(x=path[-1:, 0] if on_screen else [None],
                                   y=path[-1:, 1] if on_screen else [None]))
            indices.extend(traces[name])
        frames.append(go.Frame(data=data, traces=indices, name=str(k)))
    fig.frames = frames
    first = frames[0]
    for trace, index in zip(first.data, first.traces):  # the figure opens at step 0
        fig.data[index].update(x=trace.x, y=trace.y)

    def play(factor: float) -> dict:
        return {"frame": {"duration": _BASE_FRAME_MS / factor, "redraw": False},
                "fromcurrent": True, "transition": {"duration": 0}, "mode": "immediate"}

    buttons = [{"label": text["play"], "method": "animate", "args": [None, play(1.0)]},
               {"label": text["pause"], "method": "animate",
                "args": [[None], {"frame": {"duration": 0, "redraw": False},
                                  "mode": "immediate", "transition": {"duration": 0}}]}]
    buttons += [{"label": f"{factor:g}×", "method": "animate", "args": [None, play(factor)]}
                for factor in ANIMATION_SPEEDS]
    fig.update_layout(
        updatemenus=[{"type": "buttons", "direction": "left", "showactive": False,
                      "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                      "pad": {"t": 0, "b": 6}, "buttons": buttons}],
        sliders=[{"active": 0, "x": 0.0, "len": 1.0, "y": -0.1, "yanchor": "top",
                  "currentvalue": {"prefix": f"{text['step']} ",
                                   "font": {"size": FONT_SIZE, "color": "#444"}},
                  "font": {"color": "rgba(0,0,0,0)"},  # no 100 crowded tick labels
                  "ticklen": 0, "pad": {"t": 10},
                  "steps": [{"label": str(k), "method": "animate",
                             "args": [[str(k)], {"frame": {"duration": 0, "redraw": False},
                                                 "mode": "immediate",
                                                 "transition": {"duration": 0}}]}
                            for k in steps]}],
        margin={"t": 110, "b": 200}, height=700,
        legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0.5,
                "xanchor": "center"})
    return fig
