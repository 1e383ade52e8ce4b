"""Shared look: fonts that render Hangul, sizes readable on a projector, safe log axes."""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

# Every figure of the app starts from plotly_white. Set as the default rather than passed to
# update_layout: plotly validates and deep-copies a template each time one is set, so a figure
# built with the default "plotly" and then switched paid for two (a third of a figure's
# build time; a cold press builds one to three figures). The app has no other plotly user.
HOUSE_TEMPLATE = "plotly_white"
pio.templates.default = HOUSE_TEMPLATE

# Pretendard is served by the app (static/); the rest are the usual system Hangul fonts.
FONT_FAMILY = (
    "Pretendard, 'Apple SD Gothic Neo', 'Malgun Gothic', 'Noto Sans CJK KR', "
    "'Noto Sans KR', sans-serif"
)
FONT_SIZE = 16
# Okabe & Ito (2008), "Color Universal Design": eight colours that stay apart for the
# common colour-vision deficiencies (deuteranopia, protanopia); tests/charts/test_palette.py
# checks the pairs every page draws under the Machado (2009) simulation.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#7f7f7f"  # neutral: references, baselines, "not this one"
LIGHT_GREY = "#bbbbbb"
PALETTE = (BLUE, VERMILLION, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW)
SERIES_COLORS = {  # one fixed colour per named series, the same on every page
    "sigmoid": BLUE, "tanh": ORANGE, "relu": BLUISH_GREEN, "leaky_relu": REDDISH_PURPLE,
    "gelu": VERMILLION, "identity": GREY,
}


def color_for(name: str, index: int = 0) -> str:
    return SERIES_COLORS.get(name, PALETTE[index % len(PALETTE)])


# --- figure skeletons, built by plotly once and copied ----------------------------------
# A figure's empty layout costs more to build through plotly's update calls than everything
# drawn on it: ``base_figure``'s update_layout/update_xaxes/update_yaxes took 8 ms and
# ``make_subplots`` 8-20 ms (its grid bookkeeping, each axis set through plotly's relayout
# path), of a figure's 8-40 ms, on every cold press (BENCHMARKS.md, "Issue 18 (session
# 2026-12-05f)"). So plotly builds each distinct skeleton once per process, and every figure
# starts from a copy of its layout as plain data, validated again on the way in (~0.7 ms).
# The template is left out of the copy: a new figure takes the default one when it is built,
# as plotly's own do. tests/charts/test_common.py checks every copy equals plotly's build.

_TEXT = "\x00"  # a placeholder title, replaced in the copy


def layout_data(fig: go.Figure) -> dict:
    """A figure's layout as plain data, without its template (a figure built from it takes
    the default template of the moment, as plotly's own figures do)."""
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)
    return layout


def plotly_base_figure(title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
    """``base_figure`` through plotly's own update calls (the reference it is copied from)."""
    fig = go.Figure()
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": FONT_SIZE + 3}},
        font={"family": FONT_FAMILY, "size": FONT_SIZE},
        height=height,
        margin={"l": 70, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    fig.update_xaxes(title_text=x_title, automargin=True)
    fig.update_yaxes(title_text=y_title, automargin=True)
    return fig


@functools.lru_cache(maxsize=32)
def _base_layout(height: int) -> dict:
    return layout_data(plotly_base_figure(_TEXT, _TEXT, _TEXT, height))


def base_figure(title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
    """One chart: the house title, fonts, margins and legend, and the two axis titles."""
    layout = copy.deepcopy(_base_layout(height))
    layout["title"]["text"] = title
    layout["xaxis"]["title"]["text"] = x_title
    layout["yaxis"]["title"]["text"] = y_title
    return go.Figure(layout=layout)


def _frozen(value: Any) -> Any:
    """``value`` made hashable (lists and tuples as tuples, dicts as sorted items), tagged so
    that ``_thawed`` gives it back."""
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_frozen(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, _frozen(v)) for k, v in value.items())))
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, tuple):
        kind, items = value
        if kind == "dict":
            return {k: _thawed(v) for k, v in items}
        return [_thawed(v) for v in items]
    return value


@functools.lru_cache(maxsize=128)
def _subplots_skeleton(frozen_grid: Any) -> tuple[dict, Any, Any]:
    fig = make_subplots(**_thawed(frozen_grid))
    # plotly's row/col bookkeeping: read here and handed back through the constructor's dict
    # form ("_grid_ref", "_grid_str"), the way plotly's own figure copies carry it.
    return layout_data(fig), fig._grid_ref, fig._grid_str


def subplots(**grid: Any) -> go.Figure:
    """``plotly.subplots.make_subplots(**grid)``, built once per distinct grid and copied:
    ``add_trace(row=, col=)`` and ``update_*axes(row=, col=)`` work on it as on plotly's."""
    layout, grid_ref, grid_str = _subplots_skeleton(_frozen(grid))
    return go.Figure({"layout": copy.deepcopy(layout), "_grid_ref": grid_ref,
                      "_grid_str": grid_str})


def _merged(current: dict, extra: dict) -> dict:
    """``extra`` merged into ``current`` the way plotly's ``update`` merges: nested dicts
    recursively, anything else replaced."""
    merged = dict(current)
    for name, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            value = _merged(merged[name], value)
        merged[name] = value
    return merged


def update_layout(fig: go.Figure, **props: Any) -> go.Figure:
    """``fig.update_layout(**props)`` for plain property names, one validated assignment per
    property: plotly's update_layout goes through its relayout machinery, 3.4 ms for
    ``style_subplots``' six properties against 0.5 ms (tests/charts/test_common.py compares)."""
    layout = fig.layout
    for name, value in props.items():
        if isinstance(value, dict):
            value = _merged(layout[name].to_plotly_json(), value)
        layout[name] = value
    return fig


def style_subplots(fig: go.Figure, title: str, height: int = 430,
                   legend_y: float = -0.22) -> go.Figure:
    """The house style for a make_subplots figure: title, fonts, legend under the panels."""
    update_layout(
        fig,
        title={"text": title, "x": 0.0, "font": {"size": FONT_SIZE + 3}},
        font={"family": FONT_FAMILY, "size": FONT_SIZE}, height=height,
        margin={"l": 70, "r": 20, "t": 90, "b": 60},
        legend={"orientation": "h", "y": legend_y, "x": 0.5, "xanchor": "center"},
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    for annotation in fig.layout.annotations:  # subplot titles are annotations
        if annotation.font.color is None:  # leave styled ones (diverged banners) alone
            annotation.font = {"size": FONT_SIZE + 1, "family": FONT_FAMILY}
    return fig


def finite_positive(values: Iterable[float], floor: float = 1e-30) -> np.ndarray:
    """Values made drawable on a log axis: non-finite -> nan (a gap), tiny -> floor."""
    array = np.asarray(list(values), dtype=float)
    array = np.where(np.isfinite(array), array, np.nan)
    return np.where(array > 0, np.maximum(array, floor), np.where(np.isnan(array), np.nan, floor))


def log_range(values: np.ndarray, pad_decades: float = 0.3) -> list[float] | None:
    """A log10 axis range spanning the finite positive values (None if there are none)."""
    finite = values[np.isfinite(values) & (values > 0)]
    if finite.size == 0:
        return None
    lo, hi = np.log10(finite.min()), np.log10(finite.max())
    if hi - lo < 1:  # at least one decade, so a flat line does not fill the plot with noise
        mid = (hi + lo) / 2
        lo, hi = mid - 0.5, mid + 0.5
    return [lo - pad_decades, hi + pad_decades]


def log_axis(fig: go.Figure, values: np.ndarray, **selector: object) -> list[float] | None:
    """Make the selected y axis logarithmic over ``values``, with one label per 1-4 decades
    (plotly's default minor labels 2..9 crowd a short axis)."""
    axis_range = log_range(values)
    if axis_range is None:
        return None
    span = axis_range[1] - axis_range[0]
    fig.update_yaxes(type="log", range=axis_range, dtick=max(1, int(np.ceil(span / 8))),
                     exponentformat="power", **selector)
    return axis_range


def mark_diverged(fig: go.Figure, text: str, x: float | None = None) -> None:
    """A red banner (and a dashed line at ``x``) saying this run diverged."""
    if x is not None:
        fig.add_vline(x=x, line={"color": VERMILLION, "dash": "dash"})
    fig.add_annotation(
        text=f"⚠ {text}", xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
        font={"size": FONT_SIZE + 2, "color": VERMILLION}, bgcolor="rgba(255,255,255,0.85)",
        bordercolor=VERMILLION, borderwidth=1,
    )
