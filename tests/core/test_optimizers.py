import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from core.optimizers import (
    SURFACE_NAMES,
    NetworkConfig,
    OptimizerSettings,
    TrajectoryConfig,
    default_settings,
    get_surface,
    run_network,
    run_trajectories,
    run_trajectory_naive,
    surface_grid,
    trajectories_code,
)
from core.training import OPTIMIZERS
from tests.snippets import run_snippet

# --- the update equations, written out independently (numpy, float64) ------------------
# On the quadratic surface f = 0.1 x² + 3 y², so ∇f = (0.2 x, 6 y).


def quadratic_grad(p: np.ndarray) -> np.ndarray:
    return np.array([0.2, 6.0]) * p


def reference_path(s: OptimizerSettings, start, steps: int) -> np.ndarray:
    p = np.array(start, dtype=float)
    path = [p.copy()]
    buf = m = v = acc = None
    eps = 1e-8
    for t in range(1, steps + 1):
        g = quadratic_grad(p)
        if s.name == "sgd":  # p ← p − lr g
            p = p - s.lr * g
        elif s.name in ("momentum", "nesterov"):  # b ← μ b + g (b₁ = g); p ← p − lr b
            buf = g.copy() if buf is None else s.momentum * buf + g
            direction = g + s.momentum * buf if s.name == "nesterov" else buf
            p = p - s.lr * direction
        elif s.name == "rmsprop":  # v ← α v + (1−α) g²; p ← p − lr g / (√v + ε)
            v = (1 - s.alpha) * g**2 if v is None else s.alpha * v + (1 - s.alpha) * g**2
            p = p - s.lr * g / (np.sqrt(v) + eps)
        elif s.name == "adagrad":  # G ← G + g²; p ← p − lr g / (√G + ε)
            acc = g**2 if acc is None else acc + g**2
            p = p - s.lr * g / (np.sqrt(acc) + 1e-10)
        elif s.name in ("adam", "adamw"):
            if s.name == "adamw":  # decoupled weight decay first: p ← p (1 − lr λ)
                p = p * (1 - s.lr * 0.01)
            m = (1 - s.beta1) * g if m is None else s.beta1 * m + (1 - s.beta1) * g
            v = (1 - s.beta2) * g**2 if v is None else s.beta2 * v + (1 - s.beta2) * g**2
            m_hat, v_hat = m / (1 - s.beta1**t), v / (1 - s.beta2**t)
            p = p - s.lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(p.copy())
    return np.array(path)


@pytest.mark.parametrize("settings", [
    OptimizerSettings("sgd", 0.3),
    OptimizerSettings("momentum", 0.05, momentum=0.8),
    OptimizerSettings("nesterov", 0.05, momentum=0.7),
    OptimizerSettings("rmsprop", 0.02, alpha=0.9),
    OptimizerSettings("adagrad", 0.5),
    OptimizerSettings("adam", 0.1, beta1=0.8, beta2=0.95),
    OptimizerSettings("adamw", 0.1),
], ids=lambda s: s.name)
def test_steps_follow_the_update_equations(settings):
    start = (-4.0, 1.5)
    result = run_trajectories(TrajectoryConfig("quadratic", (settings,), start=start, steps=6))
    np.testing.assert_allclose(result.runs[settings.name].positions,
                               reference_path(settings, start, 6), rtol=1e-9, atol=1e-12)


def test_sgd_on_the_quadratic_has_a_closed_form():
    # p_t = (1 − lr·h)^t p_0 per coordinate, with curvatures h = (0.2, 6).
    result = run_trajectories(TrajectoryConfig("quadratic", (OptimizerSettings("sgd", 0.1),),
                                               start=(3.0, -2.0), steps=40))
    t = np.arange(41)[:, None]
    expected = (1 - 0.1 * np.array([0.2, 6.0])) ** t * np.array([3.0, -2.0])
    np.testing.assert_allclose(result.runs["sgd"].positions, expected, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("surface", SURFACE_NAMES)
def test_batched_run_agrees_with_plain_torch_optim(surface):
    """Grouped/fused optimizers on a shared buffer == one plain torch.optim loop each."""
    cfg = TrajectoryConfig(surface, steps=150).resolved()
    result = run_trajectories(cfg)
    for settings in cfg.optimizers:
        naive = run_trajectory_naive(surface, settings, cfg.start, cfg.steps)
        np.testing.assert_allclose(result.runs[settings.name].positions, naive, rtol=1e-8,
                                   atol=1e-10, err_msg=f"{surface}/{settings.name}")


def test_gradients_and_losses_are_autograds():
    cfg = TrajectoryConfig("himmelblau", default_settings("himmelblau", ("adam",)), steps=20)
    run = run_trajectories(cfg).runs["adam"]
    surface = get_surface("himmelblau")
    for t in (0, 7, 20):
        p = torch.tensor(run.positions[t], requires_grad=True)
        loss = surface(p)
        loss.backward()
        np.testing.assert_allclose(run.grads[t], p.grad.numpy(), rtol=1e-12)
        assert run.loss[t] == pytest.approx(float(loss.detach()) - surface.min_value, rel=1e-12)


@pytest.mark.parametrize("surface", SURFACE_NAMES)
def test_listed_minima_are_minima(surface):
    s = get_surface(surface)
    for minimum in s.minima:
        p = torch.tensor(minimum, dtype=torch.float64, requires_grad=True)
        value = s(p)
        value.backward()
        assert float(value.detach()) == pytest.approx(s.min_value, abs=1e-8)
        assert p.grad.norm() < 1e-4
    grid = surface_grid(surface, n=81)
    assert grid.z.min() >= 0 and np.isfinite(grid.levels).all()


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_diverging_settings_give_a_diverged_result(name):
    lr = 5.0 if name in ("sgd", "momentum", "nesterov") else 50.0
    cfg = TrajectoryConfig("rosenbrock", (OptimizerSettings(name, lr),), steps=300)
    run = run_trajectories(cfg).runs[name]
    if name in ("sgd", "momentum", "nesterov"):
        assert run.diverged
    if run.diverged:
        assert 0 < run.diverged_at <= 300
        assert np.isnan(run.positions[run.diverged_at:]).all()
        assert np.isfinite(run.positions[: run.diverged_at]).all()
        assert math.isnan(run.final_loss)


def test_sgd_zigzags_above_half_the_stable_rate():
    # y: p ← (1 − 6 lr) p. lr = 0.1 shrinks monotonically; lr = 0.3 flips sign every step.
    calm = run_trajectories(TrajectoryConfig("quadratic", (OptimizerSettings("sgd", 0.1),)))
    zigzag = run_trajectories(TrajectoryConfig("quadratic", (OptimizerSettings("sgd", 0.3),)))
    assert calm.runs["sgd"].zigzags == 0 and calm.runs["sgd"].loss_increases == 0
    assert zigzag.runs["sgd"].zigzags > 5
    unstable = run_trajectories(TrajectoryConfig("quadratic", (OptimizerSettings("sgd", 0.4),)))
    assert unstable.runs["sgd"].diverged  # |1 − 6·0.4| > 1


def test_table_measures_are_consistent():
    result = run_trajectories(TrajectoryConfig("quadratic"))
    for run in result.runs.values():
        eps = result.config.epsilon
        if run.steps_to_eps is not None:  # from that step on it stays within epsilon
            assert (run.distance[run.steps_to_eps:] <= eps).all()
            assert run.steps_to_eps == 0 or run.distance[run.steps_to_eps - 1] > eps
        else:
            assert run.diverged or run.distance[-1] > eps
        if run.first_eps is not None:  # the first pass through the ball
            assert run.distance[run.first_eps] <= eps
            assert (run.distance[: run.first_eps] > eps).all()
        assert run.final_distance == pytest.approx(np.linalg.norm(run.positions[-1]))


def test_steps_to_eps_means_staying_within_eps():
    """Momentum 0.95 on the narrow valley first passes through the ε-ball at step 25 and
    orbits out again; "steps to ε" is the step from which it stays (issue 9)."""
    settings = (OptimizerSettings("momentum", 0.03, momentum=0.95),)
    run = run_trajectories(TrajectoryConfig("quadratic", settings, steps=300)).runs["momentum"]
    d = run.distance
    left = np.flatnonzero(d > 0.05)
    assert run.first_eps == int(np.argmax(d <= 0.05)) and run.first_eps < left[-1]
    assert run.steps_to_eps == left[-1] + 1
    short = run_trajectories(TrajectoryConfig("quadratic", settings, steps=int(left[-1])))
    assert short.runs["momentum"].steps_to_eps is None  # still outside at the last step


def test_momentum_reaches_the_saddle_escape_sooner_than_sgd():
    settings = (OptimizerSettings("sgd", 0.05), OptimizerSettings("momentum", 0.05),
                OptimizerSettings("adam", 0.05))
    runs = run_trajectories(TrajectoryConfig("saddle", settings, steps=400)).runs
    sgd_steps = runs["sgd"].steps_to_eps
    assert sgd_steps is None or runs["momentum"].steps_to_eps < sgd_steps
    assert runs["adam"].steps_to_eps is not None


def test_code_panel_reproduces_core():
    cfg = TrajectoryConfig("rosenbrock", (
        OptimizerSettings("sgd", 0.002), OptimizerSettings("momentum", 0.05, momentum=0.95),
        OptimizerSettings("rmsprop", 0.01, alpha=0.9), OptimizerSettings("adam", 0.1),
        OptimizerSettings("adamw", 0.1, beta1=0.8),
    ), steps=120)
    result = run_trajectories(cfg)
    namespace, out = run_snippet(trajectories_code(cfg))
    assert "sgd" in out
    for name, run in result.runs.items():
        snippet = namespace["results"][name]
        assert snippet["diverged"] == run.diverged, name
        if run.diverged:
            continue
        np.testing.assert_allclose(snippet["final_position"], run.positions[-1], rtol=1e-9)
        assert snippet["final_loss"] == pytest.approx(run.final_loss, rel=1e-6, abs=1e-12)
        assert snippet["steps_to_eps"] == run.steps_to_eps
    assert result.runs["momentum"].diverged  # the config above does include a divergence


def test_network_runs_share_init_and_report_progress():
    cfg = NetworkConfig(optimizers=default_settings("quadratic", ("sgd", "adam")), epochs=3,
                        n_samples=80)
    seen: list[float] = []
    result = run_network(cfg, _on_progress=seen.append)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
    sgd, adam = result.runs["sgd"], result.runs["adam"]
    assert sgd.train_loss[0] == adam.train_loss[0]  # same seed: same initial weights
    assert sgd.val_loss[0] == adam.val_loss[0]
    assert list(sgd.epochs) == [0, 1, 2, 3]
    assert sgd.train_loss[-1] < sgd.train_loss[0] and adam.train_loss[-1] < adam.train_loss[0]
    again = run_network(cfg)
    np.testing.assert_array_equal(again.runs["adam"].val_loss, adam.val_loss)  # deterministic
    lrs = {s.name: s.lr for s in result.config.optimizers}
    assert lrs["adam"] < lrs["sgd"]


def test_network_divergence_is_a_result():
    cfg = NetworkConfig(optimizers=default_settings("quadratic", ("sgd",)), lr_scale=1000.0,
                        epochs=3, n_samples=80)
    run = run_network(cfg).runs["sgd"]
    assert run.diverged and run.diverged_at is not None


@pytest.mark.parametrize("dataset, lr_scale", [("circles", 1.0), ("blobs", 1.0), ("moons", 300.0)])
def test_network_code_panel_reproduces_the_network_runs(dataset, lr_scale):
    from core.optimizers import NetworkConfig, default_settings, network_code, run_network

    names = ("momentum", "rmsprop", "adam", "adamw")
    cfg = NetworkConfig(optimizers=default_settings("quadratic", names), epochs=3,
                        dataset=dataset, lr_scale=lr_scale)
    _, out = run_snippet(network_code(cfg))
    result = run_network(cfg)
    for name, run in result.runs.items():
        line = next(line for line in out.splitlines() if line.strip().startswith(name))
        if run.diverged:
            assert line.endswith(f"diverged at step {run.diverged_at}")
            continue
        assert f"train loss {run.train_loss[-1]:.4f}" in line
        assert f"val loss {run.val_loss[-1]:.4f}" in line
    if lr_scale > 1:
        assert any(run.diverged for run in result.runs.values())


def test_optimizer_code_builds_what_make_optimizer_builds():
    from core.optimizers import build_optimizer, optimizer_code

    for s in [OptimizerSettings("adamw", 0.1, beta1=0.8), OptimizerSettings("nesterov", 0.2),
              OptimizerSettings("rmsprop", 0.01, alpha=0.9), OptimizerSettings("adagrad", 0.3)]:
        p = torch.zeros(2, requires_grad=True)
        shown = eval(optimizer_code(s), {"torch": torch, "p": p})
        ours = build_optimizer(s, [p])
        assert type(shown) is type(ours)
        assert shown.param_groups[0].keys() == ours.param_groups[0].keys()
        for key, value in ours.param_groups[0].items():
            if key not in ("params", "foreach"):
                assert shown.param_groups[0][key] == value, (s.name, key)
        # The app says foreach=False; the shown code leaves torch's default (None), which torch
        # resolves to the same for-loop implementation on CPU tensors at every step.
        assert ours.param_groups[0]["foreach"] is False
        assert shown.param_groups[0]["foreach"] is None
        from torch.optim.optimizer import _default_to_fused_or_foreach
        assert _default_to_fused_or_foreach([p], False) == (False, False)


def test_stored_paths_are_reused_across_step_counts_and_optimizers():
    """A path cut from a longer stored one equals the textbook loop run for that many steps,
    and a changed optimizer's path is recomputed without touching the others."""
    from core import optimizers as opt

    surface = "rosenbrock"
    settings = opt.default_settings(surface, ("sgd", "momentum", "adam"))
    start = opt.get_surface(surface).start
    long = opt.run_trajectories(opt.TrajectoryConfig(surface, settings, steps=700))
    short = opt.run_trajectories(opt.TrajectoryConfig(surface, settings, steps=37))
    for s in settings:
        naive = opt.run_trajectory_naive(surface, s, start, 37)
        np.testing.assert_allclose(short.runs[s.name].positions, naive, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(short.runs[s.name].positions,
                                      long.runs[s.name].positions[:38])
    faster = replace(settings[2], lr=settings[2].lr * 3)
    changed = opt.run_trajectories(opt.TrajectoryConfig(surface, (*settings[:2], faster),
                                                        steps=37))
    np.testing.assert_allclose(changed.runs["adam"].positions,
                               opt.run_trajectory_naive(surface, faster, start, 37),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(changed.runs["sgd"].positions, short.runs["sgd"].positions)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_rate_scheme_is_what_the_optimizer_does(name):
    """The page's table (RATE_SCHEME) against one real step of each optimizer: a gradient
    100 times larger in y moves y 100 times further under a fixed rate and about as far as x
    under an adaptive one; after a zero gradient only an adaptive method that also keeps a
    momentum (Adam, AdamW) still moves."""
    from core.optimizers import RATE_SCHEME
    from core.training import make_optimizer

    p = torch.zeros(2, requires_grad=True)
    optimizer = make_optimizer(name, [p], lr=0.01)
    p.grad = torch.tensor([1.0, 100.0])
    optimizer.step()
    ratio = (p[1] / p[0]).item()
    before = p.detach().clone()
    p.grad = torch.zeros(2)
    optimizer.step()
    still_moves = not torch.equal(p.detach(), before)
    if RATE_SCHEME[name] == "fixed":
        assert ratio == pytest.approx(100.0)
    else:
        assert ratio == pytest.approx(1.0, rel=1e-3)
        assert still_moves == (RATE_SCHEME[name] == "adaptive_momentum")
    assert set(RATE_SCHEME) == set(OPTIMIZERS)
