"""Forward pass: y = Wx + b, layers with and without activations, outputs, input tensors."""

import math

import numpy as np
import pytest
import torch

from core.data import load_digits
from core.forward_pass import (
    DigitConfig,
    LayersConfig,
    LineConfig,
    OutputConfig,
    digit_code,
    layers_code,
    line_code,
    line_data,
    outputs_code,
    run_digit,
    run_layers,
    run_line,
    run_outputs,
)
from tests.snippets import run_snippet

SMALL = LayersConfig(depth=2, width=4, steps=60)


def test_line_prediction_and_mse_match_the_formula():
    cfg = LineConfig(w=0.7, b=-1.2)
    result = run_line(cfg)
    data = line_data(cfg)
    expected = 0.7 * data.x[:, 0].numpy() - 1.2
    assert np.allclose(result.prediction, expected, atol=1e-6)
    assert result.mse == pytest.approx(float(np.mean((expected - result.y) ** 2)), rel=1e-5)
    # the contour surface is the same MSE, at every grid point
    i, j = 10, 50
    w, b = result.grid_w[j], result.grid_b[i]
    assert result.surface[i, j] == pytest.approx(np.mean((w * result.x + b - result.y) ** 2),
                                                 rel=1e-5)


def test_autograd_fit_walks_downhill_to_least_squares():
    cfg = LineConfig(w=-1.5, b=3.0, fit=True, lr=0.1, steps=80)
    result = run_line(cfg)
    assert len(result.path_w) == 81 and not result.diverged
    x, y = torch.tensor(result.x, dtype=torch.float64), torch.tensor(result.y, dtype=torch.float64)
    design = torch.stack([x, torch.ones_like(x)], 1)
    slope, intercept = torch.linalg.lstsq(design, y[:, None]).solution.ravel().tolist()
    assert result.path_w[-1] == pytest.approx(slope, abs=1e-3)
    assert result.path_b[-1] == pytest.approx(intercept, abs=1e-3)
    assert np.all(np.diff(result.path_loss) <= 1e-6)  # small lr: the MSE never goes up
    assert result.path_loss[0] == pytest.approx(result.mse)


def test_too_large_learning_rate_diverges_cleanly():
    result = run_line(LineConfig(fit=True, lr=3.0, steps=80))
    assert result.diverged and result.diverged_at is not None


@pytest.mark.parametrize("lr", [0.3, 3.0])
def test_line_code_panel_reproduces_core(lr):
    cfg = LineConfig(w=0.2, b=1.0, fit=True, lr=lr, steps=25, noise=1.0, seed=2)
    result = run_line(cfg)
    scope, out = run_snippet(line_code(cfg))
    assert (f"diverged at step {result.diverged_at}" in out) == result.diverged
    assert scope["mse"] == pytest.approx(result.mse, rel=1e-6)
    assert scope["path"][-1][0] == pytest.approx(result.path_w[-1], abs=1e-6)
    assert scope["path"][-1][1] == pytest.approx(result.path_b[-1], abs=1e-6)


@pytest.mark.parametrize("depth", [1, 3])
def test_without_activations_any_depth_is_one_linear_map(depth):
    result = run_layers(LayersConfig(depth=depth, width=5, steps=60))
    assert result.collapse_error < 1e-5
    # a linear decision boundary: the class-1 probability changes along one direction only,
    # so it is a logistic function of a linear score; its logit is exactly affine in (x1, x2)
    prob = result.linear.prob.astype(np.float64)
    logit = np.log(prob / (1 - prob))
    g = result.grid
    gx, gy = np.meshgrid(g, g)
    design = np.stack([gx.ravel(), gy.ravel(), np.ones(gx.size)], 1)
    coef, *_ = np.linalg.lstsq(design, logit.ravel(), rcond=None)
    assert np.abs(design @ coef - logit.ravel()).max() < 1e-3


def test_with_activations_the_net_separates_circles_and_linear_cannot():
    result = run_layers(LayersConfig(dataset="circles", depth=2, width=6, activation="relu"))
    assert result.nonlinear.accuracy > 0.95
    assert result.linear.accuracy < 0.7


def test_layer_maps_are_the_real_layer_outputs():
    result = run_layers(SMALL)
    assert len(result.nonlinear.pre) == 2 and result.nonlinear.pre[0].shape == (4, 60, 60)
    # ReLU output is max(0, linear output), unit by unit
    for pre, post in zip(result.nonlinear.pre, result.nonlinear.post):
        assert np.allclose(post, np.maximum(pre, 0))
    for pre, post in zip(result.linear.pre, result.linear.post):
        assert np.array_equal(pre, post)


def test_layers_code_panel_reproduces_core():
    result = run_layers(SMALL)
    scope, _ = run_snippet(layers_code(SMALL))
    assert scope["accuracy"]["relu"] == pytest.approx(result.nonlinear.accuracy)
    assert scope["accuracy"]["identity"] == pytest.approx(result.linear.accuracy)
    assert np.allclose(scope["W"].numpy(), result.effective_w, atol=1e-6)


def test_outputs_probabilities_sum_to_one_and_regression_is_one_value():
    cfg = OutputConfig(layers=SMALL, x1=0.9, x2=-0.1)
    result = run_outputs(cfg)
    assert result.probs.shape == (2,) and result.probs.sum() == pytest.approx(1.0, abs=1e-6)
    assert np.all(result.probs >= 0)
    assert np.allclose(result.probs, np.exp(result.logits) / np.exp(result.logits).sum())
    assert isinstance(result.value, float) and result.true_value == pytest.approx(math.hypot(0.9, -0.1))
    scope, _ = run_snippet(outputs_code(cfg))
    assert np.allclose(scope["probs"].numpy(), result.probs, atol=1e-6)
    assert scope["value"] == pytest.approx(result.value, abs=1e-5)


@pytest.mark.parametrize("scale", [True, False])
def test_digit_becomes_a_float_tensor_of_the_right_shape(scale):
    result = run_digit(DigitConfig(index=5, scale=scale))
    raw = load_digits().images[5, 0].numpy()
    assert result.shape == (1, 1, 8, 8) and result.dtype == "float32"
    assert result.flat_shape == (1, 64) and result.logits_shape == (1, 10)
    expected = raw / 16.0 if scale else raw
    assert np.allclose(result.image, expected) and np.allclose(result.flat, expected.ravel())
    assert result.max_value <= (1.0 if scale else 16.0)
    scope, _ = run_snippet(digit_code(DigitConfig(index=5, scale=scale)))
    assert np.allclose(scope["logits"].numpy()[0], result.logits, atol=1e-6)
    assert result.label == int(load_digits().labels[5])
