"""The figure skeletons of core.charts.common: copies of what plotly's own calls build.

``base_figure`` and ``subplots`` hand out copies of a layout plotly built once per process
(BENCHMARKS.md, "Issue 18 (session 2026-12-05f)"); here each copy, and what a chart then does
to it, is compared with the same calls on plotly's own ``make_subplots`` and update calls.
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from core.charts.common import (
    FONT_FAMILY, FONT_SIZE, HOUSE_TEMPLATE, base_figure, log_axis, mark_diverged,
    plotly_base_figure, style_subplots, subplots, update_layout,
)


@pytest.fixture(params=[HOUSE_TEMPLATE, "plotly"])
def template(request, monkeypatch):
    """The app's default template and another one: a copy takes the default of the moment it
    is built, as plotly's own figures do."""
    monkeypatch.setattr(pio.templates, "default", request.param)
    return request.param


def _data(fig: go.Figure) -> dict:
    """What the app ships of a figure (ui.compute.figure: JSON without validation)."""
    return json.loads(fig.to_json(validate=False))


TITLES = [("Loss", "epoch", "loss"), ("손실 <b>곡선</b>", "에폭", ""), ("", "", "")]


@pytest.mark.parametrize("titles", TITLES)
@pytest.mark.parametrize("height", [330, 420, 560])
def test_base_figure_is_plotlys_own(titles, height, template):
    built, reference = base_figure(*titles, height=height), plotly_base_figure(*titles, height)
    assert _data(built) == _data(reference)
    assert built.layout.template == reference.layout.template  # the default of the moment


GRIDS = [  # the kinds of grids the pages draw
    {"rows": 1, "cols": 2, "subplot_titles": ("a", "b"), "horizontal_spacing": 0.1},
    {"rows": 1, "cols": 3, "shared_yaxes": True, "horizontal_spacing": 0.06,
     "subplot_titles": ["정확도", "시간", "메모리"]},
    {"rows": 2, "cols": 1, "shared_xaxes": True, "vertical_spacing": 0.08,
     "subplot_titles": ("loss", "acc")},
    {"rows": 1, "cols": 2, "column_widths": [0.6, 0.4], "horizontal_spacing": 0.1},
    {"rows": 2, "cols": 3, "subplot_titles": [f"layer {i}" for i in range(6)],
     "horizontal_spacing": 0.04, "vertical_spacing": 0.12},
    {"rows": 1, "cols": 2, "specs": [[{"type": "xy"}, {"type": "xy", "secondary_y": True}]]},
]


def _plotly_style_subplots(fig: go.Figure, title: str, height: int = 430,
                           legend_y: float = -0.22) -> go.Figure:
    """``style_subplots`` through plotly's own ``update_layout`` (the reference)."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "font": {"size": FONT_SIZE + 3}},
        font={"family": FONT_FAMILY, "size": FONT_SIZE}, height=height,
        margin={"l": 70, "r": 20, "t": 90, "b": 60},
        legend={"orientation": "h", "y": legend_y, "x": 0.5, "xanchor": "center"},
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    for annotation in fig.layout.annotations:
        if annotation.font.color is None:
            annotation.font = {"size": FONT_SIZE + 1, "family": FONT_FAMILY}
    return fig


def _draw_on(fig: go.Figure, grid: dict, style=style_subplots) -> go.Figure:
    """What a page's chart does to its grid: traces and axes by row and column, the house
    style, a log axis, a diverged banner with its line."""
    rows, cols = grid["rows"], grid["cols"]
    for row in range(1, rows + 1):
        for col in range(1, cols + 1):
            fig.add_trace(go.Scatter(x=np.arange(5), y=np.arange(5) ** 2 + row, name=f"{row}{col}"),
                          row=row, col=col)
            fig.update_xaxes(title_text=f"x{row}{col}", row=row, col=col)
    fig.update_yaxes(range=[0, 30], row=1, col=1)
    log_axis(fig, np.array([1e-3, 1.0, 10.0]), row=rows, col=cols)
    style(fig, "Title", height=460, legend_y=-0.3)
    mark_diverged(fig, "diverged", x=2.0)
    return fig


@pytest.mark.parametrize("grid", GRIDS, ids=range(len(GRIDS)))
def test_subplots_is_plotlys_make_subplots(grid, template):
    assert _data(subplots(**grid)) == _data(make_subplots(**grid))
    assert (_data(_draw_on(subplots(**grid), grid))
            == _data(_draw_on(make_subplots(**grid), grid, style=_plotly_style_subplots)))


def test_every_copy_is_a_new_figure():
    """Skeletons are shared within the process: what one chart draws never reaches the next."""
    grid = GRIDS[0]
    first = _draw_on(subplots(**grid), grid)
    assert _data(subplots(**grid)) == _data(make_subplots(**grid))
    assert len(first.data) == 2 and len(first.layout.annotations) == 3
    drawn = base_figure("A", "x", "y")
    drawn.update_layout(title_text="changed", margin_l=5)
    drawn.update_xaxes(title_text="changed")
    assert _data(base_figure("A", "x", "y")) == _data(plotly_base_figure("A", "x", "y"))


def test_a_grid_given_as_lists_or_tuples_is_the_same_grid():
    as_list = subplots(rows=1, cols=2, subplot_titles=["a", "b"])
    as_tuple = subplots(rows=1, cols=2, subplot_titles=("a", "b"))
    other = subplots(rows=1, cols=2, subplot_titles=("a", "c"))
    assert _data(as_list) == _data(as_tuple) != _data(other)


def test_update_layout_merges_as_plotlys_update_layout():
    """Nested properties merged into what is set (the title's font kept, its text replaced),
    anything else replaced, a property not set before created."""
    props = {"title": {"text": "new", "x": 0.5}, "legend": {"font": {"size": 9}, "y": -0.2},
             "height": 300, "margin": {"l": 5}, "barmode": "group"}
    ours, plotlys = (base_figure("old", "x", "y") for _ in range(2))
    for fig in (ours, plotlys):
        fig.update_layout(legend={"font": {"color": "red"}, "x": 0.1}, margin={"t": 7})
    update_layout(ours, **props)
    plotlys.update_layout(**props)
    assert _data(ours) == _data(plotlys)
    assert ours.layout.title.font.size == FONT_SIZE + 3 and ours.layout.legend.font.color == "red"
