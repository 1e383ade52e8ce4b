import json

import numpy as np

from core.charts.forward_pass import (
    boundary_figure, contour_figure, digit_figure, layer_maps_figure, line_figure, output_figure,
)
from core.forward_pass import (
    B_RANGE, W_RANGE, DigitConfig, LayersConfig, LineConfig, OutputConfig, run_digit, run_layers,
    run_line, run_outputs,
)


class Text(dict):
    def __missing__(self, key):
        return {"pre": "Z{layer}", "post": "A{layer}", "nonlinear": "N {acc:.0%}",
                "linear": "L {acc:.0%}"}.get(key, key.upper())


TEXT = Text()
SMALL = LayersConfig(depth=3, width=4, steps=40)


def serializable(fig):
    json.dumps(fig.to_plotly_json(), default=str)


def test_line_and_contour_keep_their_axes_when_the_fit_diverges():
    result = run_line(LineConfig(fit=True, lr=1.0, steps=80))
    assert result.diverged
    fig = contour_figure(result, TEXT)
    assert list(fig.layout.xaxis.range) == list(W_RANGE)
    assert list(fig.layout.yaxis.range) == list(B_RANGE)
    assert any("DIVERGED" in (a.text or "") for a in fig.layout.annotations)
    serializable(fig)
    line = line_figure(result, TEXT)
    assert line.layout.xaxis.title.text == "X" and line.layout.title.text == "TITLE"
    serializable(line)


def test_contour_marks_the_chosen_point_and_the_path():
    result = run_line(LineConfig(w=0.5, b=-1.0, fit=True))
    fig = contour_figure(result, TEXT)
    start = [t for t in fig.data if t.name == "START"][0]
    assert list(start.x) == [0.5] and list(start.y) == [-1.0]
    path = [t for t in fig.data if t.name == "PATH"][0]
    assert np.all(np.isfinite(np.asarray(path.x, dtype=float)))


def test_layer_maps_have_two_rows_per_layer_and_boundaries_two_panels():
    result = run_layers(SMALL)
    fig = layer_maps_figure(result.nonlinear, result.grid, 3, TEXT)
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert len(heatmaps) == 2 * 3
    assert [a.text for a in fig.layout.annotations][:3] == ["Z1", "Z2", "Z3"]
    boundary = boundary_figure(result, TEXT)
    assert sum(t.type == "heatmap" for t in boundary.data) == 2
    serializable(fig)
    serializable(boundary)


def test_output_and_digit_figures():
    out = output_figure(run_outputs(OutputConfig(layers=SMALL)), TEXT)
    probs = np.asarray(out.data[0].y, dtype=float)
    assert probs.sum() == 1.0 or abs(probs.sum() - 1) < 1e-6
    serializable(out)
    digit = digit_figure(run_digit(DigitConfig(index=3)), TEXT)
    assert np.asarray(digit.data[1].z).shape == (1, 64)
    serializable(digit)
