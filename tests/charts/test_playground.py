"""The lab's colours, its confusion figure, and the drawing element's data
(core.charts.playground, core.charts.lab_drawing), on synthetic arrays checked against what
they encode."""

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from core import lab
from core.charts.lab_drawing import _point_rgb
from core.charts.playground import (
    CLASS_COLORS, DIVERGING, class_colorscale, confusion_figure, output_z,
)


def F(fig) -> go.Figure:
    """The dict figure, validated by plotly (and with attribute access)."""
    return go.Figure(fig.to_dict())


TEXT = {k: k for k in ("title", "x", "y")}


def _plane(n=100):
    axis = np.linspace(-6, 6, n)
    return np.meshgrid(axis, axis)  # xx[i, j] = x of column j, yy[i, j] = y of row i


def test_regression_points_take_the_playground_ends_and_grey_at_zero():
    rgb = _point_rgb(np.array([-1.0, 1.0, 0.0, 7.0, -7.0]), regression=True)
    np.testing.assert_array_equal(rgb, [(245, 147, 34), (8, 119, 189), (232, 234, 235),
                                        (8, 119, 189), (245, 147, 34)])  # #f59322 #0877bd #e8eaeb
    classes = _point_rgb(np.array([0, 1, 2]), regression=False)
    np.testing.assert_array_equal(classes, [_hex(c) for c in CLASS_COLORS[:3]])


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

def test_confusion_figure_counts():
    m = np.array([[5, 1, 0], [0, 7, 2], [1, 0, 9]])
    fig = F(confusion_figure(m, ["A", "B", "C"], TEXT))
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), m)
    assert list(fig.data[0].text[1]) == ["0", "7", "2"]

def _hex(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)



def output_rgb(output: np.ndarray, discretize: bool) -> np.ndarray:
    """The reference colours: output_z's colorscale interpolated per channel at full
    precision (what a plotly heatmap of the same z would show); NaN white."""
    z, colors = output_z(output, discretize)
    scale, lo, hi = colors["colorscale"], colors["zmin"], colors["zmax"]
    t = np.clip((np.nan_to_num(z, nan=lo) - lo) / (hi - lo), 0.0, 1.0)
    stops = np.array([s for s, _ in scale])
    rgb = np.stack([np.array(_hex(c) if c.startswith("#") else
                             [int(v) for v in c[4:-1].split(",")], dtype=float)
                    for _, c in scale])
    out = np.stack([np.interp(t, stops, rgb[:, ch]) for ch in range(3)], -1)
    out[np.isnan(z)] = 255.0
    return np.round(out).astype(np.uint8)

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
        reference = output_rgb(output, discretize)[::-1].astype(int)  # full-precision colours
        # 254 levels: a colour may differ from the continuous one by one level's step
        assert np.abs(_painted(data) - reference).max() <= 3
        assert data["metrics"]["epoch"] == snap.epoch and data["test"]["n"] == snap.n_test
        assert json.loads(json.dumps(data)) == data  # plain JSON: no NaN, no numpy
