"""Shared look: fonts that render Hangul, sizes readable on a projector, safe log axes."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

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


def base_figure(title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
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


def style_subplots(fig: go.Figure, title: str, height: int = 430,
                   legend_y: float = -0.22) -> go.Figure:
    """The house style for a make_subplots figure: title, fonts, legend under the panels."""
    fig.update_layout(
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
