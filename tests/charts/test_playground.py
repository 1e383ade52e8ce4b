"""Figure builders of /playground, on synthetic arrays checked against what they encode."""

import base64
import json
import io
import xml.etree.ElementTree as ET

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from core import lab
from core.charts.playground import (
    node_maps,
    CLASS_COLORS, DIVERGING, LINK_PX, boundary_figure, boundary_png, class_colorscale,
    confusion_figure, curves_html, decode_typed, diverging_color, link_style, map_png,
    network_html, network_layout, nice_ticks, output_rgb, output_z, png_img, svg_of,
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


SVG = "{http://www.w3.org/2000/svg}"


def _xml(markup: str) -> ET.Element:
    return ET.fromstring(f"<root>{markup}</root>")  # well-formed: it parses as XML


def _png_of(uri: str) -> np.ndarray:
    assert uri.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
                      .convert("RGB")).astype(int)


NET = ([2, 3, 1], [np.full((4, 4), v) for v in (-1.0, -0.5, 0.1, 0.2, 0.3, 0.9)],
       [np.arange(6, dtype=float).reshape(3, 2) / 10 - 0.2, np.array([[2.0, -0.05, 0.5]])],
       [f"n{i}" for i in range(6)], ["in", "h1", "out"])


@pytest.mark.parametrize("live", [False, True])
def test_network_svg_has_a_link_per_weight_and_a_thumbnail_per_node(live):
    widths, maps, w, names, columns = NET
    markup = network_html(widths, maps, w, names, columns, {"title": "Net", "weight": "w"},
                          selected=4, live=live)
    root = _xml(markup)
    assert [s.text for s in root.iter("span")] == columns  # column titles, HTML text
    svg = ET.fromstring(svg_of(markup))
    links = svg.findall(f"{SVG}line")
    assert len(links) == 3 * 2 + 1 * 3  # one link per weight
    values = np.concatenate([m.ravel() for m in w])  # weights[c][j, i], j outer: drawn order
    for line, value in zip(links, values):
        color, px = link_style(value)
        assert line.get("stroke") == color == diverging_color(value)
        assert float(line.get("stroke-width")) == pytest.approx(max(px, 0.5))
    widths_px = [float(line.get("stroke-width")) for line in links]
    assert widths_px[int(np.argmax(np.abs(values)))] == max(widths_px) == LINK_PX[1]  # |2.0|
    assert links[-3].get("stroke") == diverging_color(1.0)  # 2.0: full blue
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    if live:  # one <img>, no tooltips
        assert not titles and root.find("div/img") is not None or root.find(".//img") is not None
    else:  # hover: each link's value, each node's name
        assert any(t.endswith("= 2.000") for t in titles)
        assert [t for t in titles if t.startswith("n")] == names
    images = svg.findall(f"{SVG}g/{SVG}image")
    assert len(images) == 6
    layout = [p for col in network_layout(widths) for p in col]
    for image, m, (cx, cy) in zip(images, maps, layout):
        assert float(image.get("x")) == pytest.approx(cx - 0.5)
        assert float(image.get("y")) == pytest.approx(cy - 0.5)
        assert (_png_of(image.get("href")) == output_rgb(m, False)[::-1]).all()
    rects = svg.findall(f"{SVG}g/{SVG}rect")
    assert rects[4].get("stroke") == "#222222" and rects[0].get("stroke") != "#222222"


def test_network_with_nan_weights_still_draws():
    markup = network_html([2, 1], [np.zeros((3, 3))] * 3, [np.array([[np.nan, np.inf]])],
                          ["a", "b", "c"], ["in", "out"], {"title": "t", "weight": "w"})
    svg = ET.fromstring(svg_of(markup))
    assert len(svg.findall(f"{SVG}line")) == 2


def test_map_png_orientation_and_size():
    xx, yy = _plane(20)
    png = _pixels(map_png(np.tanh(yy), size=60))
    assert png.shape == (60, 60, 3)
    assert png[0, 30, 2] > png[0, 30, 0]  # top row: x2 = +6, positive = blue
    assert png[-1, 30, 0] > png[-1, 30, 2]  # bottom: orange
    img = _xml(png_img(map_png(np.tanh(yy)), "big", "width:10px"))
    assert img.find("img").get("alt") == "big"


def test_nice_ticks():
    assert nice_ticks(0, 1.0) == [0, 0.25, 0.5, 0.75, 1.0]
    assert nice_ticks(0, 940) == [0, 250, 500, 750]
    assert nice_ticks(0, 0) == [0]


@pytest.mark.parametrize("live", [False, True])
def test_curves_clip_the_axis_to_finite_values_and_overlay_the_pinned_run(live):
    e = np.arange(5)
    train, test = np.array([1.0, 0.5, 0.3, np.inf, np.nan]), np.array([1.2, .6, .4, 1e9, .3])
    text = {k: k for k in ("title", "x", "y", "train", "test", "pinned_train", "pinned_test",
                           "diverged")}
    markup = curves_html(e, train, test, text, diverged=True, live=live,
                         pinned={"epochs": e, "train_loss": e * 0.1, "test_loss": e * 0.2})
    root = _xml(markup)
    svg = ET.fromstring(svg_of(markup))
    lines = svg.findall(f"{SVG}polyline")
    # test: finite at 0-2 and at 4 (a gap at the 1e9); train: 0-2 only; pinned: whole
    assert [p.get("data-name") for p in lines] == ["train", "test", "test", "pinned_train",
                                                    "pinned_test"]
    assert lines[3].get("stroke-dasharray") and not lines[0].get("stroke-dasharray")
    ys = [float(xy.split(",")[1]) for p in lines for xy in p.get("points").split()]
    assert min(ys) >= 0 and max(ys) <= 1000  # every point inside the axes
    # the axis spans [0, 1.05 × the largest finite value]: 1.2 sits at 1000 - 1000/1.05
    assert min(ys) == pytest.approx(1000 - 1000 / 1.05, abs=0.1)
    text_all = "".join(root.itertext())
    assert "diverged" in text_all and "pinned_test" in text_all  # banner, legend
    ticks = [s.text for s in root.iter("span") if s.text and s.text[0].isdigit()]
    assert "0" in ticks and "1" in ticks and "4" in ticks  # y ticks to 1.2, x ticks to 4


def test_confusion_figure_counts():
    m = np.array([[5, 1, 0], [0, 7, 2], [1, 0, 9]])
    fig = F(confusion_figure(m, ["A", "B", "C"], TEXT))
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), m)
    assert list(fig.data[0].text[1]) == ["0", "7", "2"]


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


# --- the drawing element's data (core.charts.lab_drawing) ----------------------------------
def _painted(data: dict) -> np.ndarray:
    """What the element's JS paints for the output grid: table lookup, 255 = white."""
    from core.charts.lab_drawing import NAN_BYTE

    n = data["grid_n"]
    q = np.frombuffer(base64.b64decode(data["grid"]), np.uint8).reshape(n, n)
    table = np.frombuffer(bytes.fromhex(data["grid_table"]), np.uint8).reshape(-1, 3)
    rgb = table[np.minimum(q, len(table) - 1)].astype(int)
    rgb[q == NAN_BYTE] = 255
    return rgb


@pytest.mark.parametrize("preset", ["spiral_deep", "three_classes", "lr_too_high"])
def test_the_drawing_paints_the_colours_of_the_output_picture(preset):
    from core.charts.lab_drawing import drawing_data
    from ui.lab.view import feature_maps

    session = lab.LabSession(lab.LabConfig(**lab.PRESETS[preset]))
    for _ in range(30):
        session.step_one()
    snap = session.snapshot()
    for discretize in (False, True):
        data = drawing_data(snap, session.data, features=session.cfg.features,
                            all_features=lab.FEATURES, feature_maps=feature_maps(),
                            stride=lab.GRID // lab.THUMB, extent=lab.EXTENT, show_test=True,
                            discretize=discretize, pinned=None, text={}, controls={})
        output = snap.grid_output
        if snap.grid_probs is not None and snap.grid_probs.shape[2] > 2:
            output = snap.grid_probs.transpose(2, 0, 1)
        reference = output_rgb(output, discretize)[::-1].astype(int)  # the PNG's colours
        # 254 levels: a colour may differ from the continuous one by one level's step
        assert np.abs(_painted(data) - reference).max() <= 3
        assert data["metrics"]["epoch"] == snap.epoch and data["test"]["n"] == snap.n_test
        assert json.loads(json.dumps(data)) == data  # plain JSON: no NaN, no numpy
