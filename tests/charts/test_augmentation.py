import dataclasses
import json

import numpy as np
import plotly.graph_objects as go
import pytest
import plotly.io as pio
from plotly.basedatatypes import BaseFigure
from plotly.subplots import make_subplots

from core.augmentation import (
    TEST_ANGLES, TEST_SHIFTS, AugmentSpec, GalleryConfig, TrainingConfig, run_gallery,
    run_training,
)
from core.charts.augmentation import (
    COLORS, COLUMNS, GAP, curves_figure, gallery_figure, gallery_tiles, gallery_titles,
    robustness_figure, tile_origin,
)
from core.charts.common import FONT_FAMILY, HOUSE_TEMPLATE, mark_diverged, style_subplots

TEXT = {k: k.upper() for k in ("title", "original", "accuracy", "loss", "x", "train", "val",
                               "diverged", "rotated", "shifted", "angle", "shift")}
NAMES = {"plain": "P", "augmented": "A"}


def test_gallery_figure_draws_every_image():
    """One heatmap of all the images side by side: each tile is its image, pixel for pixel,
    where its title says (8 to a row, the original first), and empty (NaN) between them."""
    result = run_gallery(GalleryConfig(count=15))
    fig = gallery_figure(result, TEXT)
    assert len(fig.data) == 1 and len(fig.layout.annotations) == 16
    assert fig.layout.annotations[0].text == "ORIGINAL"
    z = np.asarray(fig.data[0].z, dtype=float)[::-1]  # row 0 = the top of the picture
    images = [result.original, *result.augmented]
    for i, (image, title) in enumerate(zip(images, fig.layout.annotations)):
        top, left = (i // COLUMNS) * (8 + 2 * GAP), (i % COLUMNS) * (8 + GAP)
        assert np.array_equal(z[top:top + 8, left:left + 8], image), i
        assert left <= title.x <= left + 7  # the title sits over its own tile
    assert np.isnan(z).sum() == z.size - 16 * 64
    json.dumps(fig.to_plotly_json(), default=str)


def test_training_figures():
    runs = run_training(TrainingConfig(epochs=10))
    fig = curves_figure(runs, TEXT, NAMES)
    assert len(fig.data) == 8 and list(fig.layout.yaxis.range) == [0, 102]
    assert len(robustness_figure(runs, TEXT, NAMES).data) == 4



def test_a_small_negative_angle_is_not_shown_as_minus_zero():
    # -0.3° rounds to 0: the copy's title says "+0°", never "-0°"; -4.6° says "-5°".
    result = run_gallery(GalleryConfig(count=2))
    result.params[:, 0] = [-0.3, -4.6]
    titles = [a.text for a in gallery_figure(result, TEXT).layout.annotations][1:3]
    assert titles[0].startswith("+0°") and titles[1].startswith("-5°"), titles


# --- the figures written as plain data equal the ones plotly's validated calls build -------
# References: the builders as they were with make_subplots, add_trace, update_* (plotly
# validating every property), kept here to compare against.


def _curves_reference(runs, text, names):
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(text["accuracy"], text["loss"]))
    for name, run in runs.items():  # the split's arrays by name: training dashed
        for split in ("train", "val"):
            acc, loss = getattr(run, f"{split}_accuracy"), getattr(run, f"{split}_loss")
            label = f"{names[name]} · {text[split]}"
            style = {"color": COLORS[name], "dash": "dash" if split == "train" else "solid",
                     "width": 3}
            fig.add_trace(go.Scatter(x=run.eval_epochs, y=100 * acc, name=label, line=style,
                                     legendgroup=label), row=1, col=1)
            fig.add_trace(go.Scatter(x=run.eval_epochs, y=np.where(np.isfinite(loss), loss, np.nan),
                                     name=label, line=style, legendgroup=label, showlegend=False),
                          row=1, col=2)
    style_subplots(fig, text["title"], height=460, legend_y=-0.3)
    fig.update_xaxes(title_text=text["x"])
    fig.update_yaxes(range=[0, 102], title_text="%", row=1, col=1)
    finite = [v for r in runs.values() for v in (*r.train_loss, *r.val_loss) if np.isfinite(v)]
    fig.update_yaxes(range=[0, min(max(finite, default=1.0), 5.0) * 1.05], row=1, col=2)
    if any(r.diverged for r in runs.values()):
        mark_diverged(fig, text["diverged"])
    return fig


def _robustness_reference(runs, text, names):
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(text["rotated"], text["shifted"]))
    for name, run in runs.items():
        style = {"color": COLORS[name], "width": 3}
        fig.add_trace(go.Scatter(x=list(TEST_ANGLES), y=100 * run.rotated_accuracy,
                                 name=names[name], mode="lines+markers", line=style,
                                 legendgroup=name), row=1, col=1)
        fig.add_trace(go.Scatter(x=list(TEST_SHIFTS), y=100 * run.shifted_accuracy,
                                 name=names[name], mode="lines+markers", line=style,
                                 legendgroup=name, showlegend=False), row=1, col=2)
    style_subplots(fig, text["title"], legend_y=-0.25)
    fig.update_xaxes(title_text=text["angle"], row=1, col=1)
    fig.update_xaxes(title_text=text["shift"], row=1, col=2)
    fig.update_yaxes(range=[0, 102], title_text="%")
    return fig


def _gallery_reference(result, text):
    """The tiles and titles are the figure's own (tested above); the plotly calls are the
    validated ones."""
    titles, tiles = gallery_titles(result, text), gallery_tiles([result.original, *result.augmented])
    size, rows, height = len(result.original), -(-len(titles) // COLUMNS), len(tiles)
    fig = go.Figure(go.Heatmap(z=tiles[::-1], zmin=0, zmax=1, colorscale="Greys",
                               showscale=False, hoverongaps=False,
                               hovertemplate="%{z:.2f}<extra></extra>"))
    style_subplots(fig, text["title"], height=150 + 110 * rows)
    origins = [tile_origin(i, size) for i in range(len(titles))]
    fig.update_layout(annotations=[
        {"text": title, "x": left + (size - 1) / 2, "y": height - top - 0.5, "xref": "x",
         "yref": "y", "yanchor": "bottom", "showarrow": False,
         "font": {"size": 12, "family": FONT_FAMILY}}
        for title, (top, left) in zip(titles, origins)])
    fig.update_xaxes(visible=False, range=[-0.5, len(tiles[0]) - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[-0.5, height + 1.5], scaleanchor="x", scaleratio=1,
                     constrain="domain", constraintoward="top")
    return fig


def _equal(a, b) -> bool:
    """Equal plotly data: the same keys, values and array contents (NaN equal to NaN), a
    list equal to a tuple of the same items (both are one JSON array)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                and a.shape == b.shape and a.dtype == b.dtype
                and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, (list, tuple)):
        return (isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(_equal(x, y) for x, y in zip(a, b)))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _same_figure(built, reference) -> None:
    """What the app ships (``ui.compute.figure``: ``to_json(validate=False)``) and the
    figure's data (``to_plotly_json``, templates included) are the reference's."""
    assert isinstance(built, BaseFigure)
    assert _equal(built.to_plotly_json(), reference.to_plotly_json())
    assert json.loads(built.to_json(validate=False)) == json.loads(reference.to_json(validate=False))


def _diverged(run):
    """``run`` as if its loss had blown up after the first evaluation."""
    return dataclasses.replace(run, train_loss=np.r_[run.train_loss[:1], np.inf, np.nan][:len(run.train_loss)],
                               diverged=True, diverged_at=3)


KOREAN = {k: f"한국어 {k}" for k in TEXT}


@pytest.fixture(params=[HOUSE_TEMPLATE, "plotly"])
def template(request, monkeypatch):
    """The app's default template (set by core.charts.common, imported after streamlit, whose
    own import sets "streamlit": other tests may have imported it later), and another: the
    figures follow the default as plotly's own do."""
    monkeypatch.setattr(pio.templates, "default", request.param)
    return request.param


def test_training_figures_equal_the_validated_plotly_ones(template):
    mild = run_training(TrainingConfig(epochs=10))
    strong = run_training(TrainingConfig(spec=AugmentSpec(45.0, 0.3, 0.3), epochs=20))
    same = run_training(TrainingConfig(spec=AugmentSpec(0.0, 0.0, 0.0), epochs=10))
    blown = {"plain": _diverged(mild["plain"]), "augmented": mild["augmented"]}
    for runs in (mild, strong, same, blown):
        for text, names in ((TEXT, NAMES), (KOREAN, {"plain": "기본", "augmented": "증강"})):
            _same_figure(curves_figure(runs, text, names), _curves_reference(runs, text, names))
            _same_figure(robustness_figure(runs, text, names),
                         _robustness_reference(runs, text, names))
    assert len(curves_figure(blown, TEXT, NAMES).layout.annotations) == 3  # the banner too


def test_gallery_figure_equals_the_validated_plotly_one(template):
    for cfg in (GalleryConfig(), GalleryConfig(digit=8, count=3, seed=2),
                GalleryConfig(digit=0, spec=AugmentSpec(45.0, 0.3, 0.3), count=20),
                GalleryConfig(spec=AugmentSpec(0.0, 0.0, 0.0), count=7)):
        result = run_gallery(cfg)
        for text in (TEXT, KOREAN):
            _same_figure(gallery_figure(result, text), _gallery_reference(result, text))
