import math

import numpy as np
import pytest

from core.activations import (
    CurvesConfig,
    DyingReluConfig,
    VanishingConfig,
    curves_code,
    dying_relu_code,
    run_curves,
    run_dying_relu,
    run_vanishing,
    vanishing_code,
)
from tests import snippets


def closed_form_derivative(name: str, x: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-x))
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(x) ** 2
    if name == "relu":
        return (x > 0).astype(float)
    if name == "leaky_relu":
        return np.where(x > 0, 1.0, 0.01)
    if name == "gelu":  # x·Φ(x)  ->  Φ(x) + x·φ(x)
        cdf = 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
        pdf = np.exp(-x ** 2 / 2) / math.sqrt(2 * math.pi)
        return cdf + x * pdf
    raise AssertionError(name)


def test_autograd_derivatives_match_closed_forms():
    result = run_curves(CurvesConfig(points=400))  # even count: no grid point at exactly 0
    for name, derivative in result.derivatives.items():
        np.testing.assert_allclose(derivative, closed_form_derivative(name, result.x), atol=1e-9)


def test_table_measures_match_the_notes():
    m = run_curves(CurvesConfig(x_limit=6.0)).measures
    assert m["sigmoid"].max_derivative == pytest.approx(0.25)  # sigmoid's f' peaks at 1/4
    assert m["tanh"].max_derivative == pytest.approx(1.0)
    assert 0 < m["sigmoid"].min_output and m["sigmoid"].max_output < 1
    assert -1 < m["tanh"].min_output and m["tanh"].max_output < 1
    assert m["relu"].min_output == 0 and m["relu"].max_output == 6.0
    assert m["sigmoid"].derivative_at_limit < 0.003  # saturated
    assert m["relu"].derivative_at_limit == 1.0


def test_deep_sigmoid_gradients_vanish_but_relu_he_keeps_them():
    sigmoid = run_vanishing(VanishingConfig(depth=20, activation="sigmoid", init="default"))
    relu = run_vanishing(VanishingConfig(depth=20, activation="relu", init="he"))
    assert sigmoid.grad_norms[0] / sigmoid.grad_norms[-1] < 1e-8
    assert relu.grad_norms[0] / relu.grad_norms[-1] > 1e-2
    # Each sigmoid layer shrinks the signal at least by f' <= 1/4 times its weights:
    # the gradient decreases monotonically towards the input.
    assert np.all(np.diff(sigmoid.grad_norms) > 0)
    # and the early layers' weights barely move while the head's do
    mean_update = sigmoid.update_size.mean(0)
    assert mean_update[0] < 1e-6 * mean_update[-1]


def test_too_high_learning_rate_is_reported_as_diverged():
    result = run_vanishing(VanishingConfig(depth=3, activation="relu", init="normal",
                                           init_std=2.0, lr=1000.0))
    assert result.diverged and result.diverged_at is not None


def run_snippet(code: str) -> dict:
    return snippets.run_snippet(code)[0]


def test_vanishing_code_panel_reproduces_core():
    cfg = VanishingConfig(depth=6, width=16, activation="tanh", init="xavier", train_steps=5)
    scope = run_snippet(vanishing_code(cfg))
    result = run_vanishing(cfg)
    np.testing.assert_allclose(scope["grad_norms"], result.grad_norms, rtol=1e-5)
    np.testing.assert_allclose(scope["mean_update"].numpy(), result.update_size.mean(0),
                               rtol=1e-4)


@pytest.mark.parametrize("init", ["default", "he", "normal"])
def test_vanishing_code_panel_for_each_init(init):
    cfg = VanishingConfig(depth=3, width=8, init=init, init_std=0.5, train_steps=2)
    np.testing.assert_allclose(run_snippet(vanishing_code(cfg))["grad_norms"],
                               run_vanishing(cfg).grad_norms, rtol=1e-5)


def test_curves_code_panel_runs():
    _, out = snippets.run_snippet(curves_code(CurvesConfig(activations=("sigmoid", "relu"))))
    assert "max f' = 0.2500" in out


def test_dead_relu_units_stay_dead_and_leaky_relu_recovers():
    cfg = DyingReluConfig(optimizer="adam", lr=0.03, bias_shift=-2.0, steps=150)
    result = run_dying_relu(cfg)
    relu, leaky = result.runs["relu"], result.runs["leaky_relu"]
    # Same weights at init, so the same units start inactive.
    np.testing.assert_array_equal(relu.inactive[0], leaky.inactive[0])
    # A dead ReLU unit gets exactly zero gradient: the deepest layer never comes back.
    assert relu.inactive[-1][-1] == 1.0 and relu.accuracy == 0.5
    assert leaky.inactive[-1].mean() < 0.5 * relu.inactive[-1].mean()
    assert leaky.accuracy > 0.9


def test_high_learning_rate_kills_relu():
    result = run_dying_relu(DyingReluConfig(optimizer="sgd", lr=2.5, bias_shift=0.0))
    relu = result.runs["relu"]
    assert relu.inactive[0].mean() < 0.2  # healthy at init
    assert relu.inactive[-1].mean() == 1.0  # every unit dead at the end
    assert relu.accuracy == 0.5  # a constant prediction


def test_dying_code_panel_reproduces_core():
    cfg = DyingReluConfig(optimizer="adam", lr=0.03, bias_shift=-2.0, steps=30)
    _, out = snippets.run_snippet(dying_relu_code(cfg))
    result = run_dying_relu(cfg)
    for name, run in result.runs.items():
        line = next(line for line in out.splitlines()
                    if line.strip().startswith(name + ":"))
        printed = eval(line.split("per layer ")[1].split("],")[0] + "]")
        np.testing.assert_allclose(printed, run.inactive[-1])
        assert f"accuracy {run.accuracy:.3f}" in line
