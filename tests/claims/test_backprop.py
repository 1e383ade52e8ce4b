"""/backprop: every claim the notices make holds on the numbers (presets and extremes).

The chain-rule graph is re-derived in closed form with numpy (derivative of each
activation, central finite differences); the training sections are re-checked from the
result's arrays (losses, gradient norms, accumulated gradients).
"""

import math

import numpy as np
import pytest

from core.backprop import (
    DEPTH_RANGE, GRAPH_ACTIVATIONS, GRAPH_RANGE, K_RANGE, MICRO_RANGE, PARAM_LR_CHOICES,
    ZERO_LR_CHOICES, ZERO_STEPS_RANGE, AccumulationConfig, GraphConfig, ParamGradConfig,
    ZeroGradConfig, accumulation_claims, graph_claims, param_claims, run_accumulation,
    run_graph, run_param_grads, run_zero_grad, zero_claims,
)

# --- 1. the graph -----------------------------------------------------------------------

G_DEFAULT = {"x": 1.5, "y": 0.5, "w1": 0.8, "b1": -0.2, "w2": 1.2, "b2": 0.1,
             "activation": "tanh"}
G_STATES = [
    G_DEFAULT | {"activation": "sigmoid", "w1": 4.0, "b1": 2.0},  # preset: saturated
    G_DEFAULT | {"activation": "relu", "w1": -1.0, "b1": -0.5},  # preset: dead_relu
    G_DEFAULT,
    *[G_DEFAULT | {name: bound} for name in ("x", "y", "w1", "b1", "w2", "b2")
      for bound in GRAPH_RANGE],
    *[G_DEFAULT | {"activation": a} for a in GRAPH_ACTIVATIONS if a != "tanh"],
    G_DEFAULT | {"activation": "relu", "w1": 0.0, "b1": 0.0},  # issue 9: the kink
]


def act(name, z):
    return {"tanh": math.tanh, "sigmoid": lambda v: 1 / (1 + math.exp(-v)),
            "relu": lambda v: max(v, 0.0)}[name](z)


def act_derivative(name, z):
    if name == "tanh":
        return 1 - math.tanh(z) ** 2
    if name == "sigmoid":
        s = 1 / (1 + math.exp(-z))
        return s * (1 - s)
    return 1.0 if z > 0 else 0.0  # torch's convention at 0


def loss(p, cfg):
    return (p["w2"] * act(cfg.activation, p["w1"] * cfg.x + p["b1"]) + p["b2"] - cfg.y) ** 2


@pytest.mark.parametrize("state", G_STATES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_graph_claims(state):
    cfg = GraphConfig(**state)
    result = run_graph(cfg)
    p = {n: getattr(cfg, n) for n in ("w1", "b1", "w2", "b2")}
    z = cfg.w1 * cfg.x + cfg.b1
    h = act(cfg.activation, z)
    dl = 2 * (cfg.w2 * h + cfg.b2 - cfg.y)
    dh = act_derivative(cfg.activation, z)
    closed = {"w2": dl * h, "b2": dl, "w1": dl * cfg.w2 * dh * cfg.x, "b1": dl * cfg.w2 * dh}
    fd = {n: (loss(p | {n: p[n] + cfg.eps}, cfg) - loss(p | {n: p[n] - cfg.eps}, cfg))
          / (2 * cfg.eps) for n in p}
    for n in p:  # autograd = the closed-form chain rule
        assert result.param_grads[n] == pytest.approx(closed[n], abs=1e-9)
    fd_gap = max(abs(fd[n] - closed[n]) for n in p)
    ids = []
    for claim in graph_claims(result, cfg):
        ids.append(claim.id)
        v = claim.values
        if claim.id == "chain":
            for n in p:
                assert result.chain_product[n] == pytest.approx(closed[n], abs=1e-9)
        elif claim.id == "fd_agree":
            assert fd_gap <= 1e-6 and v["gap"] <= 1e-6
        elif claim.id == "fd_kink":
            assert cfg.activation == "relu" and abs(z) < cfg.eps * max(abs(cfg.x), 1)
            assert v["gap"] == pytest.approx(fd_gap, rel=1e-6) and fd_gap > 1e-6
        elif claim.id == "fd_disagree":
            assert v["gap"] == pytest.approx(fd_gap, rel=1e-6) and fd_gap > 1e-6
        elif claim.id == "dhdz":
            assert v["dhdz"] == pytest.approx(dh) and abs(dh) >= 0.05
        elif claim.id == "dhdz_flat":
            assert v["dhdz"] == pytest.approx(dh) and 0 < abs(dh) < 0.05
        elif claim.id == "dhdz_zero":
            assert dh == 0 and result.param_grads["w1"] == 0 and result.param_grads["b1"] == 0
        else:
            raise AssertionError(f"unchecked claim {claim.id}")
    assert sum(i in ids for i in ("fd_agree", "fd_kink", "fd_disagree")) == 1


def test_the_kink_is_told_not_hidden():
    cfg = GraphConfig(activation="relu", w1=0.0, b1=0.0)
    claims = {c.id: c for c in graph_claims(run_graph(cfg), cfg)}
    assert "fd_kink" in claims and "fd_agree" not in claims
    assert claims["fd_kink"].values["gap"] == pytest.approx(0.72, abs=0.01)


# --- 2. which parameter matters --------------------------------------------------------

P_DEFAULT = {"activation": "sigmoid", "depth": 3, "optimizer": "sgd", "lr": 0.5}
P_STATES = [
    P_DEFAULT | {"depth": 5},  # preset: deep_sigmoid
    P_DEFAULT,
    *[P_DEFAULT | {"activation": a} for a in GRAPH_ACTIVATIONS if a != "sigmoid"],
    P_DEFAULT | {"depth": DEPTH_RANGE[0]}, P_DEFAULT | {"depth": DEPTH_RANGE[1]},
    P_DEFAULT | {"optimizer": "adam"},
    P_DEFAULT | {"lr": PARAM_LR_CHOICES[0]}, P_DEFAULT | {"lr": PARAM_LR_CHOICES[-1]},
    P_DEFAULT | {"optimizer": "adam", "lr": PARAM_LR_CHOICES[-1]},
]


@pytest.mark.parametrize("state", P_STATES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_param_claims(state):
    cfg = ParamGradConfig(**state)
    result = run_param_grads(cfg)
    norms = np.where(np.isfinite(result.grad_norms), result.grad_norms, np.nan)
    for claim in param_claims(result, cfg):
        v = claim.values
        if claim.id in ("stuck", "learned", "rose", "flat"):
            start, end = result.loss[0], result.loss[-1]
            assert not result.diverged
            assert v["start"] == pytest.approx(start) and v["end"] == pytest.approx(end)
            assert v["acc"] == pytest.approx(100 * result.accuracy)
            if claim.id == "stuck":
                assert abs(end - math.log(2)) < 0.01 and result.prob_spread < 0.05
                assert v["spread"] == pytest.approx(100 * result.prob_spread)
            elif claim.id == "learned":
                assert end < start - 0.01
            elif claim.id == "rose":
                assert end > start + 0.01
            else:
                assert abs(end - start) <= 0.01
        elif claim.id == "ratio":
            mean = np.nanmean(norms, axis=0)
            assert v["top"] == result.names[int(np.nanargmax(mean))]
            assert v["bottom"] == result.names[int(np.nanargmin(mean))]
            assert float(v["ratio"]) == pytest.approx(np.nanmax(mean) / np.nanmin(mean), rel=1e-2)
        elif claim.id == "first_small":
            mean = np.nanmean(norms, axis=0)
            weights = [i for i, n in enumerate(result.names) if n.endswith("weight")]
            share = mean[weights[0]] / mean[weights[-1]]
            assert share < 0.1 and float(v["share"]) == pytest.approx(share, rel=0.05)
        elif claim.id == "sgd_moves":
            assert cfg.optimizer == "sgd"
        elif claim.id == "adam_moves":
            assert cfg.optimizer == "adam"
        else:
            raise AssertionError(f"unchecked claim {claim.id}")


def test_deep_sigmoid_preset_says_the_net_has_not_learned():
    cfg = ParamGradConfig(activation="sigmoid", depth=5, optimizer="sgd", lr=0.5)
    ids = [c.id for c in param_claims(run_param_grads(cfg), cfg)]
    assert "stuck" in ids and "learned" not in ids


# --- 3. zero_grad and 4. accumulation ----------------------------------------------------

Z_STATES = [(0.3, 40), (0.1, 40), (ZERO_LR_CHOICES[0], 40), (ZERO_LR_CHOICES[-1], 40),
            (0.1, ZERO_STEPS_RANGE[0]), (0.1, ZERO_STEPS_RANGE[1]),
            (0.01, 5)]  # issue 9: lower without zero_grad


@pytest.mark.parametrize("lr,steps", Z_STATES)
def test_zero_claims(lr, steps):
    result = run_zero_grad(ZeroGradConfig(lr=lr, steps=steps))
    forgot, clean = result.without_zero_grad, result.with_zero_grad
    ids = []
    for claim in zero_claims(result):
        ids.append(claim.id)
        v = claim.values
        if claim.id == "sum":
            total = forgot.fresh_grads.sum(0)
            np.testing.assert_allclose(forgot.grads[-1], total, rtol=1e-4, atol=1e-5)
            assert v["k"] == len(forgot.grads)
        elif claim.id == "blew_up":
            assert forgot.diverged and v["step"] == forgot.diverged_at
        elif claim.id in ("overshoot", "worse", "momentum", "same"):
            bad, good = forgot.loss[-1], clean.loss[-1]
            assert v["bad"] == pytest.approx(bad) and v["good"] == pytest.approx(good)
            if claim.id == "overshoot":
                assert bad > good and forgot.loss[v["step"] - 1] > forgot.loss[v["step"] - 2]
                assert np.all(np.diff(forgot.loss[: v["step"] - 1]) <= 0)  # the first rise
            elif claim.id == "worse":
                assert bad > good and np.all(np.diff(forgot.loss) <= 0)
            elif claim.id == "momentum":
                assert bad < good
            else:
                assert abs(bad - good) <= 0.011 * max(bad, good)
        else:
            raise AssertionError(f"unchecked claim {claim.id}")
    if (lr, steps) == (0.01, 5):
        assert "momentum" in ids and "overshoot" not in ids


@pytest.mark.parametrize("k,micro", [(4, 8), (K_RANGE[0], 8), (K_RANGE[1], 8),
                                     (4, MICRO_RANGE[0]), (4, MICRO_RANGE[1])])
def test_accumulation_claims(k, micro):
    result = run_accumulation(AccumulationConfig(k=k, micro_batch=micro))
    grad_gap = max(float(np.abs(a - b).max())
                   for a, b in zip(result.grad_accumulated, result.grad_big_batch))
    (claim,) = accumulation_claims(result, AccumulationConfig(k=k, micro_batch=micro))
    assert claim.values["grad_gap"] == pytest.approx(grad_gap)
    assert claim.values["param_gap"] == pytest.approx(float(np.max(result.param_gap)))
    if k == 1:
        assert claim.id == ("single_exact" if grad_gap == 0 and np.max(result.param_gap) == 0
                            else "single")
    elif claim.id == "same":
        assert grad_gap < 1e-5 and np.max(result.param_gap) < 1e-4
    else:
        assert claim.id == "differs"


def test_preset_stories_hold():
    """The one-line stories (backprop.preset.<id>_story) on the presets' own numbers."""
    saturated = run_graph(GraphConfig(activation="sigmoid", w1=4.0, b1=2.0))
    assert 0 < saturated.local["dh/dz"] < 1e-3
    dead = run_graph(GraphConfig(activation="relu", w1=-1.0, b1=-0.5))
    assert dead.values["z"] < 0 and dead.local["dh/dz"] == 0
    assert dead.param_grads["w1"] == 0 and dead.param_grads["b1"] == 0
    deep = run_param_grads(ParamGradConfig(activation="sigmoid", depth=5, optimizer="sgd", lr=0.5))
    assert abs(deep.loss[-1] - math.log(2)) < 1e-3 and deep.prob_spread < 1e-4
    fast = run_zero_grad(ZeroGradConfig(lr=0.3, steps=40))
    assert fast.without_zero_grad.loss[-1] > 20 * fast.with_zero_grad.loss[-1]


def test_the_question_is_answered_by_the_measured_gap():
    from core.backprop import fd_agrees

    assert fd_agrees(run_graph(GraphConfig())) == "yes"
    assert fd_agrees(run_graph(GraphConfig(activation="relu", w1=0.0, b1=0.0))) == "no"
