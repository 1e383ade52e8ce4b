"""Backprop: chain rule vs autograd vs finite differences; zero_grad; accumulation."""

import numpy as np
import pytest

from core.backprop import (
    GRAPH_ACTIVATIONS,
    PARAMS,
    AccumulationConfig,
    GraphConfig,
    ParamGradConfig,
    ZeroGradConfig,
    accumulation_code,
    graph_code,
    param_grads_code,
    run_accumulation,
    run_graph,
    run_param_grads,
    run_zero_grad,
    zero_grad_code,
)
from tests.snippets import run_snippet


@pytest.mark.parametrize("activation", GRAPH_ACTIVATIONS)
def test_autograd_equals_chain_rule_and_finite_differences(activation):
    cfg = GraphConfig(x=1.3, y=-0.4, w1=0.6, b1=0.3, w2=-1.1, b2=0.2, activation=activation)
    result = run_graph(cfg)
    for name in PARAMS:
        assert result.chain_product[name] == pytest.approx(result.param_grads[name], rel=1e-12)
        assert result.finite_diff[name] == pytest.approx(result.param_grads[name], rel=1e-6,
                                                         abs=1e-9)


def test_graph_values_and_node_gradients_by_hand():
    cfg = GraphConfig()
    r = run_graph(cfg)
    z = cfg.w1 * cfg.x + cfg.b1
    h = np.tanh(z)
    y_hat = cfg.w2 * h + cfg.b2
    assert r.values["loss"] == pytest.approx((y_hat - cfg.y) ** 2)
    assert r.node_grads["y_hat"] == pytest.approx(2 * (y_hat - cfg.y))
    assert r.node_grads["h"] == pytest.approx(2 * (y_hat - cfg.y) * cfg.w2)
    assert r.node_grads["z"] == pytest.approx(2 * (y_hat - cfg.y) * cfg.w2 * (1 - h ** 2))
    assert r.local["dh/dz"] == pytest.approx(1 - h ** 2)


def test_graph_code_panel_matches_core():
    cfg = GraphConfig(activation="sigmoid", w1=-0.5)
    result = run_graph(cfg)
    scope, _ = run_snippet(graph_code(cfg))
    for name in PARAMS:
        assert scope["autograd"][name] == pytest.approx(result.param_grads[name])
        assert scope["finite_diff"][name] == pytest.approx(result.finite_diff[name])


def test_param_grads_are_recorded_per_tensor_and_code_panel_matches():
    cfg = ParamGradConfig(steps=30, depth=2, width=8)
    result = run_param_grads(cfg)
    assert result.names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                            "out.weight", "out.bias"]
    assert result.grad_norms.shape == (30, 6) and np.all(result.grad_norms > 0)
    scope, _ = run_snippet(param_grads_code(cfg))
    assert np.allclose(np.array(scope["grad_norms"]), result.grad_norms, rtol=1e-4)


def test_deep_sigmoid_first_layer_gets_smaller_gradients_than_the_head():
    result = run_param_grads(ParamGradConfig(activation="sigmoid", depth=4, steps=20))
    mean = result.grad_norms.mean(0)
    assert mean[result.names.index("fc1.weight")] < mean[result.names.index("out.weight")]


def test_without_zero_grad_the_gradient_is_the_running_sum_of_step_gradients():
    result = run_zero_grad(ZeroGradConfig(lr=0.05, steps=25))
    forgot = result.without_zero_grad
    assert np.allclose(forgot.grads, np.cumsum(forgot.fresh_grads, 0), rtol=1e-4, atol=1e-5)
    clean = result.with_zero_grad
    assert np.allclose(clean.grads, clean.fresh_grads, rtol=1e-4, atol=1e-6)
    # the piled-up gradient keeps pushing past the minimum: the loss ends higher
    assert forgot.loss[-1] > clean.loss[-1]
    assert np.linalg.norm(forgot.grads[-1]) > 10 * np.linalg.norm(clean.grads[-1])


@pytest.mark.parametrize("lr", [0.07, 0.3])
def test_zero_grad_code_panel_matches_core(lr):
    cfg = ZeroGradConfig(lr=lr, steps=15)
    result = run_zero_grad(cfg)
    scope, out = run_snippet(zero_grad_code(cfg))  # the last loop iteration is zero_grad=False
    assert np.allclose(np.array(scope["grads"]), result.without_zero_grad.grads, rtol=1e-5)
    assert np.allclose(scope["losses"], result.without_zero_grad.loss, rtol=1e-5)
    forgot = result.without_zero_grad
    assert (f"diverged at step {forgot.diverged_at}" in out) == forgot.diverged


@pytest.mark.parametrize("k", [2, 4])
def test_accumulated_micro_batches_equal_one_big_batch(k):
    result = run_accumulation(AccumulationConfig(k=k, micro_batch=8, steps=12))
    for acc, big in zip(result.grad_accumulated, result.grad_big_batch):
        assert np.allclose(acc, big, atol=1e-6)
    assert np.allclose(result.loss_accumulated, result.loss_big_batch, atol=1e-5)
    assert result.param_gap.max() < 1e-5
    assert len(result.loss_accumulated) == 12


def test_accumulation_code_panel_matches_core():
    cfg = AccumulationConfig(k=3, micro_batch=4, steps=9)
    scope, _ = run_snippet(accumulation_code(cfg))
    assert scope["gap"] < 1e-5
    assert run_accumulation(cfg).param_gap.max() < 1e-5
