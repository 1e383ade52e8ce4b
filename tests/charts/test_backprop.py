import json

import numpy as np

from core.backprop import (
    AccumulationConfig, GraphConfig, ParamGradConfig, ZeroGradConfig, run_accumulation,
    run_graph, run_param_grads, run_zero_grad,
)
from core.charts.backprop import (
    accumulation_figure, chain_table_rows, graph_figure, param_grad_figure, zero_grad_figure,
)


class Text(dict):
    def __missing__(self, key):
        return {"accumulated": "{k}x{m}", "big": "B{b}"}.get(key, key.upper())


TEXT = Text()
NODES = {n: n for n in ("x", "y", "w1", "b1", "w2", "b2", "z", "h", "y_hat", "loss")}


def test_graph_figure_labels_every_node_with_value_and_gradient():
    result = run_graph(GraphConfig())
    fig = graph_figure(result, TEXT, NODES)
    boxes = [a.text for a in fig.layout.annotations if a.text]
    assert len(boxes) == len(NODES)
    w1_box = next(b for b in boxes if b.startswith("<b>w1</b>"))
    assert f"{result.param_grads['w1']:+.4f}" in w1_box
    rows = chain_table_rows(result)
    assert [r["param"] for r in rows] == ["w1", "b1", "w2", "b2"]
    json.dumps(fig.to_plotly_json(), default=str)


def test_param_grad_figure_is_log_and_marks_divergence():
    fig = param_grad_figure(run_param_grads(ParamGradConfig(steps=20)), TEXT)
    assert fig.layout.yaxis.type == "log"
    assert len([t for t in fig.data if t.type == "scatter"]) == 8
    diverged = run_param_grads(ParamGradConfig(optimizer="sgd", lr=1e4, steps=20))
    if diverged.diverged:
        fig = param_grad_figure(diverged, TEXT)
        assert any("DIVERGED" in (a.text or "") for a in fig.layout.annotations)


def test_zero_grad_and_accumulation_figures():
    fig = zero_grad_figure(run_zero_grad(ZeroGradConfig(steps=20)), TEXT)
    assert {t.name for t in fig.data} == {"WITH", "WITHOUT", "FRESH"}
    for trace in fig.data:
        assert np.all(np.asarray(trace.y, dtype=float) > 0)  # drawable on the log axis
    acc = accumulation_figure(run_accumulation(AccumulationConfig(steps=8)), 4, 8, TEXT)
    assert {t.name for t in acc.data if t.showlegend is not False} >= {"B32", "4x8"}
    json.dumps(acc.to_plotly_json(), default=str)


def test_zero_grad_animation_replays_both_runs():
    """Issue 10 item 5: frame k draws steps 1 … k of the loss, the .grad norm and the fresh
    gradient; without zero_grad the drawn .grad equals the running sum of the fresh gradients
    (independent reference: torch accumulates by adding); the last frame is the static chart."""
    from core.charts.backprop import zero_grad_animation
    from core.charts.playback import last_frame_points

    text = Text({"play": "PLAY", "pause": "PAUSE", "step": "STEP"})
    result = run_zero_grad(ZeroGradConfig(steps=30))
    static = zero_grad_figure(result, text)
    fig = zero_grad_animation(result, text)
    assert [f.name for f in fig.frames] == [str(k) for k in range(1, 31)]
    for index, (x, y) in last_frame_points(fig).items():
        np.testing.assert_array_equal(x, static.data[index].x)
        np.testing.assert_allclose(np.asarray(y, float), np.asarray(static.data[index].y, float))
    frame = fig.frames[9]  # step 10
    forgot = result.without_zero_grad
    grad = np.asarray(frame.data[3].y, float)  # without zero_grad, .grad norm panel
    np.testing.assert_allclose(grad, np.linalg.norm(np.cumsum(forgot.fresh_grads, 0)[:10], axis=1),
                               rtol=1e-5)
    assert "NaN" not in json.dumps(fig.to_plotly_json(), default=str)
