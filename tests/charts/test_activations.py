import json

import numpy as np

from core.activations import (
    CurvesConfig,
    DyingReluConfig,
    VanishingConfig,
    run_curves,
    run_dying_relu,
    run_vanishing,
)
from core.charts.activations import (
    curves_figure,
    dying_figure,
    dying_loss_figure,
    grad_norm_figure,
    update_size_figure,
)

TEXT = {k: k.upper() for k in ("title", "x", "y", "value", "derivative", "head", "diverged",
                               "exploded",
                               "layer", "zero")}
TEXT["layer"] = "L{n}"
NAMES = {n: n.title() for n in ("sigmoid", "tanh", "relu", "leaky_relu", "gelu")}


def drawn_y(fig):
    return [np.asarray(trace.y, dtype=float) for trace in fig.data]


def test_curves_figure_has_both_panels_and_every_function():
    fig = curves_figure(run_curves(CurvesConfig()), TEXT, NAMES)
    assert len(fig.data) == 2 * 5
    assert {t.name for t in fig.data} == set(NAMES.values())
    assert list(fig.layout.yaxis2.range) == [-0.2, 1.25]
    json.dumps(fig.to_plotly_json(), default=str)  # serializable for the browser


def test_grad_norm_figure_is_log_and_spans_the_data():
    result = run_vanishing(VanishingConfig(depth=12))
    fig = grad_norm_figure(result, TEXT)
    assert fig.layout.yaxis.type == "log"
    lo, hi = fig.layout.yaxis.range
    assert lo <= np.log10(result.grad_norms.min()) and hi >= np.log10(result.grad_norms.max())
    assert fig.layout.xaxis.ticktext[-1] == "HEAD"
    assert fig.layout.title.text == "TITLE"


def test_update_figure_marks_frozen_layers_instead_of_drawing_1e_30():
    result = run_vanishing(VanishingConfig(depth=20, activation="sigmoid"))
    fig = update_size_figure(result, TEXT)
    lo, _ = fig.layout.yaxis.range
    assert lo > -20  # the axis is not stretched down to the floor value
    frozen = (result.update_size.mean(0) == 0).sum()
    if frozen:
        assert list(fig.data[-1].text) == ["0"] * frozen


def test_diverged_run_is_marked_and_drawn_without_nan_axes():
    result = run_vanishing(VanishingConfig(depth=3, activation="relu", init="normal",
                                           init_std=2.0, lr=1000.0))
    fig = update_size_figure(result, TEXT)
    assert any("DIVERGED" in (a.text or "") for a in fig.layout.annotations)
    if fig.layout.yaxis.range is not None:
        assert all(np.isfinite(fig.layout.yaxis.range))


def test_dying_figures():
    result = run_dying_relu(DyingReluConfig(steps=20))
    fig = dying_figure(result, TEXT, NAMES)
    assert len(fig.data) == 2 * 3  # two activations x three layers
    assert all(np.nanmax(y) <= 100 and np.nanmin(y) >= 0 for y in drawn_y(fig))
    loss = dying_loss_figure(result, TEXT, NAMES)
    assert loss.layout.yaxis.type == "log"


def test_dying_figure_marks_a_diverged_relu_run():
    # SGD at lr 3 diverges for both activations (see test_activations' scan)
    result = run_dying_relu(DyingReluConfig(optimizer="sgd", lr=3.0, steps=30))
    assert result.runs["relu"].diverged
    fig = dying_figure(result, TEXT, NAMES)
    banners = [a for a in fig.layout.annotations if "DIVERGED" in (a.text or "")]
    # in the first panel's title (the ReLU panel), above the plot, not on its lines
    assert banners and banners[0].text.startswith(NAMES["relu"]) and banners[0].y >= 1.0


def test_dying_figure_axis_fits_small_shares_and_keeps_ticks_apart():
    """Issue 19: 0-6 % lines lay flat on a 0-100 % axis; on a phone "150" and "0" merged."""
    result = run_dying_relu(DyingReluConfig(steps=20))
    fig = dying_figure(result, TEXT, NAMES)
    highest = max(float(np.nanmax(y)) for y in drawn_y(fig))
    low, high = fig.layout.yaxis.range
    assert low < 0 <= highest <= high <= max(10.0, 1.2 * highest)
    assert all(axis.nticks and axis.nticks <= 4 for axis in fig.select_xaxes())


def test_exploding_init_is_marked_instead_of_an_empty_chart():
    result = run_vanishing(VanishingConfig(depth=50, activation="relu", init="normal",
                                           init_std=2.0, train_steps=2))
    # float64 still holds these norms (~1e43); float32, what training uses, overflows.
    assert result.exploded_float32 and np.all(np.isfinite(result.grad_norms))
    assert result.grad_norms.min() > 1e30
    fig = grad_norm_figure(result, TEXT)
    assert any("EXPLODED" in (a.text or "") for a in fig.layout.annotations)
    assert fig.layout.yaxis.type == "log" and all(np.isfinite(fig.layout.yaxis.range))


def test_updates_that_are_all_exactly_zero_are_stubs_not_full_bars():
    # ReLU with σ = 0.01: every gradient ~1e-16, every float32 update exactly 0
    result = run_vanishing(VanishingConfig(activation="relu", init="normal", init_std=0.01))
    assert np.all(np.nanmean(result.update_size, axis=0) == 0)
    fig = update_size_figure(result, TEXT)
    assert fig.layout.yaxis.type == "log"
    low, high = fig.layout.yaxis.range
    for bar in fig.data:  # stubs span a small part of the axis, not its full height
        top = np.log10(np.asarray(bar.base, dtype=float) + np.asarray(bar.y, dtype=float))
        assert np.all(top - low < 0.1 * (high - low))


def test_relu_leaky_relu_and_gelu_curves_are_told_apart():
    fig = curves_figure(run_curves(CurvesConfig()), TEXT, NAMES)
    styles = {(trace.line.width, trace.line.dash) for trace in fig.data
              if trace.name in (NAMES["relu"], NAMES["leaky_relu"], NAMES["gelu"])}
    assert len(styles) == 3  # three different (width, dash) pairs


def test_dying_animation_replays_the_inactive_shares():
    """Issue 10 item 5: each frame draws the inactive share of every layer up to its step,
    read from the finished run (independent reference: run.inactive); the last frame is the
    static chart; a diverged run's NaN is drawn as a gap, never as NaN."""
    from core.charts.activations import dying_animation
    from core.charts.playback import last_frame_points

    text = TEXT | {"play": "PLAY", "pause": "PAUSE", "step": "STEP"}
    for cfg in (DyingReluConfig(steps=30, lr=1.0), DyingReluConfig(lr=3.0, steps=30)):
        result = run_dying_relu(cfg)
        static = dying_figure(result, text, NAMES)
        fig = dying_animation(result, text, NAMES)
        steps = np.asarray(result.steps)
        assert int(fig.frames[-1].name) == int(steps.max())
        for index, (x, y) in last_frame_points(fig).items():
            np.testing.assert_array_equal(x, static.data[index].x)
            np.testing.assert_allclose(np.asarray(y, float), np.asarray(static.data[index].y,
                                                                        float))
        middle = fig.frames[len(fig.frames) // 2]
        k = int(middle.name)
        run = result.runs["relu"]
        seen = steps[: len(run.inactive)] <= k
        for layer in range(run.inactive.shape[1]):
            np.testing.assert_allclose(np.asarray(middle.data[layer].y, float),
                                       100 * run.inactive[seen, layer])
        assert "NaN" not in json.dumps(fig.to_plotly_json(), default=str)
