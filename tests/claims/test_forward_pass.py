"""/forward-pass: every claim the notices make holds on the numbers (presets and extremes).

The line section is re-derived with numpy: least squares by polyfit, the bowl's curvature
from its Hessian, the gradient by hand; the fitted path is checked against them.
"""

import math
import re

import numpy as np
import pytest

from core.forward_pass import (
    B_RANGE, DATASETS, DEPTH_RANGE, LAYER_ACTIVATIONS, LR_CHOICES, NOISE_RANGE, W_RANGE,
    WIDTH_RANGE, LayersConfig, LineConfig, layers_claims, line_claims, run_layers, run_line,
)

L_DEFAULT = {"w": -1.0, "b": 2.5, "noise": 0.5, "fit": False, "lr": 0.1}
L_STATES = [
    {"w": -1.5, "b": 3.5, "noise": 0.5, "fit": True, "lr": 0.1},  # preset: autograd_fit
    {"w": -1.5, "b": 3.5, "noise": 0.5, "fit": True, "lr": 1.0},  # preset: too_fast
    L_DEFAULT, L_DEFAULT | {"fit": True},
    L_DEFAULT | {"w": W_RANGE[0]}, L_DEFAULT | {"w": W_RANGE[1]},
    L_DEFAULT | {"b": B_RANGE[0]}, L_DEFAULT | {"b": B_RANGE[1]},
    L_DEFAULT | {"noise": NOISE_RANGE[0]}, L_DEFAULT | {"noise": NOISE_RANGE[1]},
    *[L_DEFAULT | {"fit": True, "lr": lr} for lr in LR_CHOICES],
    L_DEFAULT | {"fit": True, "w": W_RANGE[1], "b": B_RANGE[0], "lr": 0.5},
]


@pytest.mark.parametrize("state", L_STATES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_line_claims(state):
    cfg = LineConfig(**state)
    result = run_line(cfg)
    x, y = result.x.astype(float), result.y.astype(float)
    best_w, best_b = np.polyfit(x, y, 1)
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    low, high = np.linalg.eigvalsh(hessian)
    residual = cfg.w * x + cfg.b - y
    grad = np.array([2 * np.mean(residual * x), 2 * np.mean(residual)])
    ids = []
    for claim in line_claims(result):
        ids.append(claim.id)
        v = claim.values
        if claim.id == "best":
            assert v["w"] == pytest.approx(best_w, abs=1e-6)
            assert v["b"] == pytest.approx(best_b, abs=1e-6)
        elif claim.id == "bowl":
            assert v["ratio"] == pytest.approx(high / low, rel=1e-6)
        elif claim.id in ("points_at", "points_off"):
            to_best = np.array([best_w - cfg.w, best_b - cfg.b])
            cosine = -grad @ to_best / (np.linalg.norm(grad) * np.linalg.norm(to_best))
            angle = math.degrees(math.acos(np.clip(cosine, -1, 1)))
            assert v["angle"] == pytest.approx(angle, abs=1e-3)
            assert (angle <= 10) == (claim.id == "points_at")
        elif claim.id == "at_best":
            assert np.hypot(best_w - cfg.w, best_b - cfg.b) < 1e-3
        elif claim.id == "fit_diverged":
            assert result.diverged and cfg.lr > 2 / high
            assert v["limit"] == pytest.approx(2 / high, rel=1e-6)
        elif claim.id in ("fit_reached", "fit_short"):
            gap = np.hypot(result.path_w[-1] - best_w, result.path_b[-1] - best_b)
            assert v["gap"] == pytest.approx(gap, abs=1e-5)
            assert (gap < 0.01) == (claim.id == "fit_reached")
            assert cfg.lr < 2 / high  # a stable rate
        elif claim.id == "zigzag":
            assert cfg.lr * high > 1
            # The path's component along the steepest direction flips sign every step.
            steep = np.linalg.eigh(hessian)[1][:, 1]
            offset = (np.stack([result.path_w, result.path_b], 1) - [best_w, best_b]) @ steep
            big = np.abs(offset) > 1e-4  # before float32 rounding takes over
            signs = np.sign(offset[big])
            assert np.all(signs[1:] != signs[:-1])
        else:
            raise AssertionError(f"unchecked claim {claim.id}")
    assert ("fit_diverged" in ids) == result.diverged
    if cfg.fit:
        assert sum(i in ids for i in ("fit_diverged", "fit_reached", "fit_short")) == 1


def test_the_fitted_line_is_drawn():
    from core.charts.forward_pass import line_figure

    result = run_line(LineConfig(w=-1.5, b=3.5, fit=True, lr=0.1))
    text = {k: k for k in ("title", "x", "y", "data", "line", "residual")} | {"fitted": "fit"}
    fig = line_figure(result, text)
    (fitted,) = [trace for trace in fig.data if trace.name == "fit"]
    xs = np.asarray(fitted.x, dtype=float)
    np.testing.assert_allclose(fitted.y, result.path_w[-1] * xs + result.path_b[-1], rtol=1e-6)


# --- layers -----------------------------------------------------------------------------

Y_DEFAULT = {"dataset": "circles", "depth": 2, "width": 6, "activation": "relu"}
Y_STATES = [
    {"dataset": "circles", "depth": 4, "width": 6, "activation": "relu"},  # deep_linear
    {"dataset": "spiral", "depth": 3, "width": 12, "activation": "tanh"},  # spiral
    Y_DEFAULT,
    *[Y_DEFAULT | {"dataset": d} for d in DATASETS if d != "circles"],
    Y_DEFAULT | {"depth": DEPTH_RANGE[0]}, Y_DEFAULT | {"depth": DEPTH_RANGE[1]},
    Y_DEFAULT | {"width": WIDTH_RANGE[0]}, Y_DEFAULT | {"width": WIDTH_RANGE[1]},
    *[Y_DEFAULT | {"activation": a} for a in LAYER_ACTIVATIONS if a != "relu"],
]


@pytest.mark.parametrize("state", Y_STATES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_layers_claims(state):
    cfg = LayersConfig(**state)
    result = run_layers(cfg)
    for claim in layers_claims(result, cfg):
        v = claim.values
        if claim.id in ("collapse", "collapse_one"):
            assert (cfg.depth == 1) == (claim.id == "collapse_one")
            printed = np.array(eval(v["weff"]))  # the matrix as the student reads it
            np.testing.assert_allclose(printed, result.effective_w, atol=0.006)
            assert "-0.00" not in v["weff"]  # no negative zero
            # the linear net really is that one affine map on the whole grid
            assert v["err"] == result.collapse_error < 1e-4
        elif claim.id in ("bends", "no_gain", "worse"):
            diff = result.nonlinear.accuracy - result.linear.accuracy
            assert v["with"] == pytest.approx(100 * result.nonlinear.accuracy)
            assert v["without"] == pytest.approx(100 * result.linear.accuracy)
            expected = "bends" if diff >= 0.02 else "no_gain" if diff > -0.02 else "worse"
            assert claim.id == expected
        else:
            raise AssertionError(f"unchecked claim {claim.id}")


def test_preset_stories_hold():
    """The one-line stories (forward_pass.preset.<id>_story) on the presets' own numbers."""
    fit = run_line(LineConfig(w=-1.5, b=3.5, fit=True, lr=0.1))
    best_w, best_b = np.polyfit(fit.x.astype(float), fit.y.astype(float), 1)
    assert np.hypot(fit.path_w[-1] - best_w, fit.path_b[-1] - best_b) < 0.01
    fast = run_line(LineConfig(w=-1.5, b=3.5, fit=True, lr=1.0))
    assert fast.diverged and 1.0 > 2 / fast.hessian_eigenvalues[1]
    assert 2 / fast.hessian_eigenvalues[1] == pytest.approx(0.72, abs=0.005)
    deep = run_layers(LayersConfig(dataset="circles", depth=4, width=6, activation="relu"))
    assert abs(deep.linear.accuracy - 0.5) <= 0.1
    assert deep.nonlinear.accuracy > deep.linear.accuracy
    spiral = run_layers(LayersConfig(dataset="spiral", depth=3, width=12, activation="tanh"))
    assert spiral.nonlinear.accuracy > 0.85 and spiral.linear.accuracy < 0.7


def test_the_question_is_answered_by_the_measured_angle():
    from core.forward_pass import points_straight

    result = run_line(LineConfig())
    best_w, best_b = np.polyfit(result.x.astype(float), result.y.astype(float), 1)
    assert points_straight(result) == "yes"  # this bowl is nearly round: ~5°
    on_best = run_line(LineConfig(w=round(best_w, 1), b=round(best_b, 1)))
    assert points_straight(on_best) in ("yes", "no")  # 0.1 away from the best: an angle exists


def test_the_collapse_sentence_counts_the_output_layer_too():
    # preset deep_linear: 4 hidden layers. W_eff is W_out·W_4·…·W_1 (2×2: two inputs, two
    # logits), so five linear maps multiply out; "the 4 layers multiply out" left out the
    # output layer, whose weights are in the product.
    from core.text import render
    from ui.i18n import catalog
    cfg = LayersConfig(dataset="circles", depth=4, width=6, activation="relu")
    result = run_layers(cfg)
    (claim,) = [c for c in layers_claims(result, cfg) if c.id == "collapse"]
    assert result.effective_w.shape == (2, 2)
    entry = catalog("forward_pass")["layers.claim.collapse"]
    en, ko = (render(entry[lang], **claim.values) for lang in ("en", "ko"))
    assert "the 4 hidden layers and the output layer multiply out" in en
    assert "은닉층 4개와 출력층이 곱해져" in ko
    assert "층 4개가 곱해져" not in ko


def test_output_notice_never_prints_a_softmax_probability_as_zero():
    # fp_x1 = −1.5: logits ≈ (30, −29). Three decimals printed "[1.0, 0.0]" beside "softmax
    # turns them into probabilities that are non-negative"; softmax is never exactly 0.
    from core.forward_pass import OutputConfig, output_notice_values, run_outputs
    from core.text import render
    from ui.i18n import catalog
    out = run_outputs(OutputConfig(layers=LayersConfig(), x1=-1.5, x2=0.2))
    smallest = float(out.probs.min())
    assert 0 < smallest < 5e-4  # the state: three decimals would round it to 0.000
    values = output_notice_values(out)
    entry = catalog("forward_pass")["output.notice"]
    for lang in ("en", "ko"):
        text = render(entry[lang], **values)
        shown = re.search(r"→ [^\[]*(\[[^\]]*\])", text).group(1)
        assert "0.0," not in shown and "0.0]" not in shown and "e-" not in shown, text
        assert "× 10⁻" in shown  # the tiny probability is written as a power of ten
        mantissa, exponent = re.search(r"([\d.]+) × 10⁻([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", shown).groups()
        digits = exponent.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))
        assert float(mantissa) * 10 ** -int(digits) == pytest.approx(smallest, rel=0.01)
