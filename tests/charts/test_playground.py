"""Figure builders of /playground, on synthetic arrays checked against what they encode."""

import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from core import playground as lab
from core.charts.playground import (
    node_maps,
    CLASS_COLORS, DIVERGING, LINK_BINS, boundary_figure, boundary_png, class_colorscale,
    confusion_figure, curves_figure, decode_typed, diverging_color, network_figure,
    network_layout, neuron_figure, output_z,
)


def F(fig) -> go.Figure:
    """The dict figure, validated by plotly (and with attribute access)."""
    return go.Figure(fig.to_dict())


def Z(trace) -> np.ndarray:
    return decode_typed(trace.z)


TEXT = {k: k for k in ("title", "x", "y", "train", "test", "diverged", "weight", "node",
                       "pinned_train", "pinned_test")}


GRID = np.linspace(-6, 6, 100)


def _plane(n=100):
    axis = np.linspace(-6, 6, n)
    return np.meshgrid(axis, axis)  # xx[i, j] = x of column j, yy[i, j] = y of row i


def test_diverging_colors_match_the_playground_ends():
    assert diverging_color(-1) == "rgb(245,147,34)"  # #f59322
    assert diverging_color(1) == "rgb(8,119,189)"  # #0877bd
    assert diverging_color(0) == "rgb(232,234,235)"  # #e8eaeb
    assert diverging_color(7) == diverging_color(1) and diverging_color(-7) == diverging_color(-1)


def test_two_class_probabilities_become_p1_minus_p0_and_discretize_takes_the_sign():
    xx, _ = _plane(10)
    p1 = 1 / (1 + np.exp(-xx))
    probs = np.stack([1 - p1, p1])
    z, kw = output_z(probs, discretize=False)
    np.testing.assert_allclose(z, 2 * p1 - 1)
    assert kw["colorscale"] == DIVERGING and (kw["zmin"], kw["zmax"]) == (-1, 1)
    zd, _ = output_z(probs, discretize=True)
    assert set(np.unique(zd)) == {-1.0, 1.0}
    np.testing.assert_array_equal(zd, np.where(xx >= 0, 1.0, -1.0))


def test_three_classes_land_in_their_own_colour_band():
    k = np.array([[0, 1, 2]])
    probs = np.zeros((3, 1, 3))
    for j in range(3):
        probs[:, 0, j] = 0.1
        probs[k[0, j], 0, j] = 0.8
    z, kw = output_z(probs, discretize=False)
    bands = np.floor(z * 3).astype(int)
    np.testing.assert_array_equal(bands, k)
    assert len(kw["colorscale"]) == 6 and kw["colorscale"][-1][0] == 1.0
    assert len(class_colorscale(5)) == 10


def test_boundary_figure_heatmap_covers_the_plane_and_points_keep_their_labels():
    xx, yy = _plane()
    out = np.tanh(xx - yy)
    pts = np.array([[1.0, 2.0], [-3.0, 0.5], [4.0, -4.0]])
    fig = F(boundary_figure(GRID, out, pts, np.array([0, 1, 1]), pts[:1], np.array([1]),
                            TEXT, show_test=True))
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap) and Z(heat).shape == (100, 100)
    assert heat.x0 == -6 and np.isclose(heat.dx, 12 / 99)  # cell centres: the grid points
    np.testing.assert_allclose(fig.layout.xaxis.range, (-6 - 6 / 99, 6 + 6 / 99))
    assert [tr.name for tr in fig.data[1:]] == ["train", "test"]
    train = fig.data[1]
    np.testing.assert_allclose(train.x, pts[:, 0])
    assert train.marker.color[0] == "#f59322" and train.marker.color[1] == "#0877bd"
    assert fig.data[2].marker.line.color == "black"
    hidden = F(boundary_figure(GRID, out, pts, np.array([0, 1, 1]), pts[:1], np.array([1]),
                               TEXT, show_test=False))
    assert len(hidden.data) == 2, "test points are drawn only when asked"


def test_boundary_figure_with_nan_output_marks_divergence():
    out = np.full((100, 100), np.nan)
    fig = F(boundary_figure(GRID, out, np.zeros((1, 2)), np.zeros(1), None, None, TEXT,
                            diverged=True))
    assert any("diverged" in a.text for a in fig.layout.annotations)
    assert np.isnan(Z(fig.data[0])).all()


def test_network_tiles_each_map_in_its_node_square():
    widths = [2, 3, 1]
    res = 4
    maps = [np.full((res, res), v) for v in (-1.0, -0.5, 0.1, 0.2, 0.3, 0.9)]
    w = [np.arange(6, dtype=float).reshape(3, 2) / 10 - 0.2, np.array([[2.0, -0.05, 0.5]])]
    names = [f"n{i}" for i in range(6)]
    fig = F(network_figure(widths, maps, w, names, ["in", "h1", "out"], TEXT, res=res))
    heat = next(tr for tr in fig.data if isinstance(tr, go.Heatmap))
    xs, ys, z = np.asarray(heat.x), np.asarray(heat.y), Z(heat)
    assert np.all(np.diff(ys) > 0) and np.all(np.diff(xs) > 0)
    layout = network_layout(widths)
    k = 0
    for c, column in enumerate(layout):
        for cx, cy in column:
            col = np.argmin(np.abs(xs - cx - 0.01))
            row = np.argmin(np.abs(ys - cy - 0.01))
            assert z[row, col] == np.float32(maps[k][0, 0]), (c, k)
            k += 1
    assert np.isnan(z).sum() > 0 and (~np.isnan(z)).sum() == 6 * res * res
    # every weight has one hover marker whose text carries its value
    hover = next(tr for tr in fig.data if isinstance(tr, go.Scatter) and tr.hovertext
                 and "weight" in tr.hovertext[0])
    assert len(hover.x) == 3 * 2 + 1 * 3
    assert any(h.endswith("= 2.000") for h in hover.hovertext)
    # link traces: one per (|w| bin, sign) that has links, lines only
    links = [tr for tr in fig.data if isinstance(tr, go.Scatter) and tr.mode == "lines"]
    n_segments = sum(sum(1 for v in tr.x if v is None) for tr in links)
    assert n_segments == 9 and len(links) <= 2 * (len(LINK_BINS) - 1)
    widest = max(links, key=lambda tr: tr.line.width)
    assert widest.line.color == diverging_color(1.0), "the 2.0 weight: thickest, full blue"
    nodes = fig.data[-1]
    assert list(nodes.customdata) == list(range(6)) and list(nodes.hovertext) == names


def test_network_with_nan_weights_still_draws():
    widths = [2, 1]
    maps = [np.zeros((3, 3))] * 3
    fig = F(network_figure(widths, maps, [np.array([[np.nan, np.inf]])], ["a", "b", "c"],
                           ["in", "out"], TEXT, res=3, selected=2))
    assert fig.layout.shapes and len(fig.data) >= 3


def test_curves_clip_the_axis_to_finite_values_and_overlay_the_pinned_run():
    e = np.arange(5)
    train, test = np.array([1.0, 0.5, 0.3, np.inf, np.nan]), np.array([1.2, .6, .4, 1e9, .3])
    fig = F(curves_figure(e, train, test, TEXT, diverged=True,
                          pinned={"epochs": e, "train_loss": e * 0.1, "test_loss": e * 0.2}))
    assert [tr.name for tr in fig.data] == ["train", "test", "pinned_train", "pinned_test"]
    assert fig.layout.yaxis.range[1] == 1.2 * 1.05
    assert np.isnan(np.asarray(fig.data[0].y, dtype=float)[3:]).all()


def test_confusion_figure_counts():
    m = np.array([[5, 1, 0], [0, 7, 2], [1, 0, 9]])
    fig = F(confusion_figure(m, ["A", "B", "C"], TEXT))
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), m)
    assert list(fig.data[0].text[1]) == ["0", "7", "2"]


def test_neuron_figure():
    xx, yy = _plane(20)
    fig = F(neuron_figure((-6, 6), np.tanh(xx), "h"))
    assert Z(fig.data[0]).shape == (20, 20) and fig.layout.title.text == "h"


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_boundary_png_colours_each_side_and_rings_the_points():
    xx, yy = _plane()
    out = np.tanh(3 * xx)  # blue (+) right of x1 = 0, orange (−) left
    train, test = np.array([[3.0, 3.0]]), np.array([[-3.0, -3.0]])
    size = 120
    img = _pixels(boundary_png(GRID, out, train, np.array([0]), test, np.array([1]),
                               show_test=True, size=size))
    assert img.shape == (size, size, 3)
    at = lambda x, y: img[int(round((6.06 - y) / 12.12 * (size - 1))),  # noqa: E731
                          int(round((x + 6.06) / 12.12 * (size - 1)))]
    np.testing.assert_array_equal(at(5, -5), (8, 119, 189))  # output +1: the Playground's blue
    np.testing.assert_array_equal(at(-5, 5), (245, 147, 34))  # output −1: its orange
    np.testing.assert_array_equal(at(3, 3), (245, 147, 34))  # class-0 train point (orange fill)
    np.testing.assert_array_equal(at(-3, -3), (8, 119, 189))  # class-1 test point (blue fill)
    # rings: white around the train point, black around the test point (x2 up = row down)
    pixel = lambda x, y: (int(round((6.06 - y) / 12.12 * (size - 1))),  # noqa: E731
                          int(round((x + 6.06) / 12.12 * (size - 1))))
    row, col = pixel(3, 3)
    assert tuple(img[row, col + 4]) == (255, 255, 255)
    row, col = pixel(-3, -3)
    assert tuple(img[row, col + 4]) == (0, 0, 0)
    hidden = _pixels(boundary_png(GRID, out, train, np.array([0]), test, np.array([1]),
                                  show_test=False, size=size))
    assert tuple(hidden[row, col + 4]) != (0, 0, 0), "test points only when asked"


def test_boundary_png_discretize_and_three_classes_match_the_figure_colours():
    xx, _ = _plane()
    out = np.tanh(0.2 * xx)
    soft = _pixels(boundary_png(GRID, out, np.zeros((0, 2)), np.zeros(0), size=100))
    hard = _pixels(boundary_png(GRID, out, np.zeros((0, 2)), np.zeros(0), discretize=True,
                                size=100))
    assert len({tuple(p) for p in hard.reshape(-1, 3)}) == 2
    assert len({tuple(p) for p in soft.reshape(-1, 3)}) > 20
    probs = np.zeros((3, 100, 100))
    probs[0, :, :33], probs[1, :, 33:66], probs[2, :, 66:] = 1, 1, 1
    img = _pixels(boundary_png(GRID, probs, np.zeros((0, 2)), np.zeros(0), size=100))
    for column, k in ((10, 0), (50, 1), (90, 2)):  # confident: each class's full colour
        expected = np.array(_hex(CLASS_COLORS[k]))
        assert np.abs(img[50, column] - expected).max() <= 2, (k, img[50, column])
    nan = _pixels(boundary_png(GRID, np.full((100, 100), np.nan), np.zeros((0, 2)),
                               np.zeros(0), size=50))
    assert (nan == 255).all(), "a diverged (NaN) output is drawn white"


def _hex(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def test_node_maps_one_per_node_features_scaled():
    cfg = lab.LabConfig(features=("x1", "x1_sq"), hidden=(3, 2), loss="cross_entropy",
                        n_classes=3)
    snap = lab.LabSession(cfg).snapshot()
    maps = node_maps(snap, stride=lab.GRID // lab.THUMB)
    assert len(maps) == 2 + 3 + 2 + 3  # features, hidden neurons, one per class
    for feature in maps[:2]:
        assert np.isclose(np.abs(feature).max(), 1.0)
    assert all(m.shape == maps[0].shape for m in maps)
