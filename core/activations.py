"""Activation functions: their curves, vanishing gradients with depth, and dying ReLUs.

Three experiments, each a frozen Config and a ``run_*`` function returning plain numbers
(numpy arrays / floats) that charts and tests can use without touching torch again.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from core.claims import Claim, printed_gap
from core.codegen import ACTIVATION_CODE, imports_code, indent, mlp_code, optimizer_code, training_loop_code
from core.data import make_toy_2d, toy_2d_code
from core.models import MLPSpec, build_mlp, linear_layers, make_activation
from core.stats import (
    hidden_activity, record_hidden_activity, relative_weight_change, weight_grad_norms,
    weight_snapshot,
)
from core.training import StepInfo, full_batch, make_optimizer, train

CURVE_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu")

# The page's widget ranges (the claims tests walk every one at its minimum and maximum).
X_LIMIT_RANGE = (1.0, 20.0)
DEPTH_RANGE = (1, 50)
WIDTH_RANGE = (4, 128)
INIT_STD_RANGE = (0.01, 2.0)
DYING_LR_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.5, 2.0, 2.5, 3.0)
BIAS_SHIFT_RANGE = (-3.0, 1.0)
SATURATED = 0.01  # f'(x) below this: the unit passes (almost) no gradient


# --- 1. curves and autograd derivatives ------------------------------------------------


@dataclass(frozen=True)
class CurvesConfig:
    activations: tuple[str, ...] = CURVE_ACTIVATIONS  # which functions to draw
    x_limit: float = 6.0  # the curves span [-x_limit, x_limit]
    points: int = 601  # grid resolution


@dataclass(frozen=True)
class ActivationMeasures:
    min_output: float  # smallest f(x) on the grid
    max_output: float  # largest f(x) on the grid
    max_derivative: float  # largest f'(x) on the grid: caps how much gradient a layer passes
    derivative_at_limit: float  # f'(x_limit): ~0 means the unit saturates


@dataclass(frozen=True)
class CurvesResult:
    x: np.ndarray  # (points,)
    values: dict[str, np.ndarray]  # name -> f(x)
    derivatives: dict[str, np.ndarray]  # name -> f'(x), from autograd
    measures: dict[str, ActivationMeasures]


def run_curves(cfg: CurvesConfig) -> CurvesResult:
    """Evaluate each activation on a grid and differentiate it with autograd."""
    x = torch.linspace(-cfg.x_limit, cfg.x_limit, cfg.points, dtype=torch.float64)
    values, derivatives, measures = {}, {}, {}
    for name in cfg.activations:
        xs = x.clone().requires_grad_(True)
        y = make_activation(name)(xs)
        # Elementwise function: d(sum y)/dx_i = f'(x_i), so one backward gives the whole curve.
        (grad,) = torch.autograd.grad(y.sum(), xs)
        values[name] = y.detach().numpy()
        derivatives[name] = grad.numpy()
        measures[name] = ActivationMeasures(
            min_output=float(y.detach().min()),
            max_output=float(y.detach().max()),
            max_derivative=float(grad.max()),
            derivative_at_limit=float(grad[-1]),
        )
    return CurvesResult(x.numpy(), values, derivatives, measures)


# --- 2. vanishing gradients -------------------------------------------------------------


@dataclass(frozen=True)
class VanishingConfig:
    depth: int = 10  # hidden layers (1-50)
    width: int = 32  # units per hidden layer
    activation: str = "sigmoid"
    init: str = "default"  # "default", "xavier", "he" or "normal"
    init_std: float = 0.1  # sigma for init == "normal"
    train_steps: int = 20  # length of the short training run
    lr: float = 0.1  # SGD learning rate of that run
    n_samples: int = 128  # size of the 2-D spiral dataset (kept small: depth 50 must stay fast)
    seed: int = 0


@dataclass(frozen=True)
class VanishingResult:
    grad_norms: np.ndarray  # (depth+1,) ‖∂L/∂W‖ per Linear layer at init, input side first,
    # from a float64 copy of the net: the true size, however small
    grad_zero_float32: np.ndarray  # (depth+1,) bool: in float32 that gradient is exactly 0
    exploded_float32: bool  # in float32 the loss or a gradient at init is already Inf/NaN
    update_size: np.ndarray  # (steps, depth+1) ‖ΔW‖/‖W‖ per step and layer
    activation_std: np.ndarray  # (depth,) std of each hidden layer's output at init
    loss: np.ndarray  # (steps,) training loss
    diverged: bool
    diverged_at: int | None


def vanishing_spec(cfg: VanishingConfig) -> MLPSpec:
    return MLPSpec(
        in_features=2,
        hidden=(cfg.width,) * cfg.depth,
        out_features=2,
        activation=cfg.activation,
        init=cfg.init,
        init_std=cfg.init_std,
    )


def run_vanishing(cfg: VanishingConfig) -> VanishingResult:
    """One backward pass through a fresh deep MLP, then a short SGD run on spiral data."""
    data = make_toy_2d("spiral", n=cfg.n_samples, noise=0.05, seed=cfg.seed)
    model = build_mlp(vanishing_spec(cfg), seed=cfg.seed)
    loss_fn = nn.CrossEntropyLoss()

    # The gradient at init, in float64: a deep sigmoid net's early gradients are below the
    # smallest float32 number (~1e-38) and would read as exactly 0.
    model64 = copy.deepcopy(model).double()
    loss_fn(model64(data.x.double()), data.y).backward()
    grad_norms = np.array(weight_grad_norms(model64))
    # What float32 (the training run's precision) makes of the same gradient.
    loss32 = loss_fn(model(data.x), data.y)
    loss32.backward()
    grads32 = [fc.weight.grad for fc in linear_layers(model)]
    grad_zero_float32 = np.array([bool((g == 0).all()) for g in grads32])
    exploded_float32 = not (bool(torch.isfinite(loss32))
                            and all(bool(torch.isfinite(g).all()) for g in grads32))
    activation_std = np.array([a.std for a in hidden_activity(model, data.x)])

    updates: list[list[float]] = []
    before = [weight_snapshot(model)]

    def measure_update(info: StepInfo) -> None:
        updates.append(relative_weight_change(before[0], info.model))
        before[0] = weight_snapshot(info.model)

    history = train(
        model,
        loss_fn,
        make_optimizer("sgd", model.parameters(), lr=cfg.lr),
        full_batch(data.x, data.y),
        epochs=cfg.train_steps,
        callbacks=[measure_update],
        seed=cfg.seed,
    )
    n_layers = len(grad_norms)
    return VanishingResult(
        grad_norms=grad_norms,
        grad_zero_float32=grad_zero_float32,
        exploded_float32=exploded_float32,
        update_size=np.array(updates).reshape(-1, n_layers),
        activation_std=activation_std,
        loss=np.array(history.train_loss),
        diverged=history.diverged,
        diverged_at=history.diverged_at,
    )


# --- 3. dying ReLU ----------------------------------------------------------------------


@dataclass(frozen=True)
class DyingReluConfig:
    optimizer: str = "sgd"  # "sgd" or "adam"; Adam rescales LeakyReLU's tiny gradients
    lr: float = 0.1  # learning rate; large values knock units into the dead zone
    bias_shift: float = 0.0  # added to every hidden bias at init; negative starts units dead
    depth: int = 3  # hidden layers
    width: int = 32  # units per hidden layer
    steps: int = 150  # full-batch SGD steps
    seed: int = 0
    compared: tuple[str, ...] = ("relu", "leaky_relu")  # activations trained side by side


@dataclass(frozen=True)
class DyingReluRun:
    inactive: np.ndarray  # (recorded steps, depth) fraction of units negative on every input
    loss: np.ndarray  # (steps,) training loss
    accuracy: float  # final training accuracy (nan if diverged)
    diverged: bool
    diverged_at: int | None


@dataclass(frozen=True)
class DyingReluResult:
    steps: np.ndarray  # (recorded steps,) 0 = at init
    runs: dict[str, DyingReluRun] = field(default_factory=dict)


def dying_spec(cfg: DyingReluConfig, activation: str) -> MLPSpec:
    return MLPSpec(hidden=(cfg.width,) * cfg.depth, activation=activation, init="he",
                   bias_shift=cfg.bias_shift)


def run_dying_relu(cfg: DyingReluConfig) -> DyingReluResult:
    """Train the same net (same data, same initial weights) with each activation in
    ``cfg.compared`` and record, after every step, the fraction of inactive units per layer.

    For ReLU an inactive unit is dead: output 0 and gradient 0 on every input, so nothing
    can revive it. LeakyReLU keeps a small slope there, so its units can come back.
    """
    data = make_toy_2d("moons", n=300, noise=0.1, seed=cfg.seed)
    steps = np.arange(cfg.steps + 1)
    runs: dict[str, DyingReluRun] = {}
    for activation in cfg.compared:
        model = build_mlp(dying_spec(cfg, activation), seed=cfg.seed)
        # Full-batch training: the forward pass of step t sees exactly the state after t
        # updates on the whole dataset, so the hooks read the dead units off the training
        # forward itself instead of paying for a second forward per step.
        with record_hidden_activity(model) as records:
            history = train(
                model,
                nn.CrossEntropyLoss(),
                make_optimizer(cfg.optimizer, model.parameters(), lr=cfg.lr),
                full_batch(data.x, data.y),
                epochs=cfg.steps,
                seed=cfg.seed,
            )
            with torch.no_grad():  # the state after the last update
                accuracy = float((model(data.x).argmax(1) == data.y).float().mean())
        inactive = np.array([a.inactive_fraction for a in records]).reshape(-1, cfg.depth)
        if history.diverged:  # the forward that saw the divergence had no update after it
            inactive = inactive[:-1]
        runs[activation] = DyingReluRun(
            inactive=inactive,
            loss=np.array(history.train_loss),
            accuracy=float("nan") if history.diverged else accuracy,
            diverged=history.diverged,
            diverged_at=history.diverged_at,
        )
    return DyingReluResult(steps=steps, runs=runs)


# --- code panels: self-contained torch that reproduces each view ----------------------

def curves_code(cfg: CurvesConfig) -> str:
    acts = ", ".join(f"{name!r}: {ACTIVATION_CODE[name]}" for name in cfg.activations)
    return f'''{imports_code("torch", "nn", base=False)}
x = torch.linspace({-cfg.x_limit}, {cfg.x_limit}, {cfg.points}, dtype=torch.float64)
for name, f in {{{acts}}}.items():
    xs = x.clone().requires_grad_(True)
    y = f(xs)
    (dy_dx,) = torch.autograd.grad(y.sum(), xs)  # elementwise f, so this is f'(x) at every x
    print(f"{{name:>10}}: f in [{{y.min():.4f}}, {{y.max():.4f}}], "
          f"max f' = {{dy_dx.max():.4f}}, f'({cfg.x_limit:g}) = {{dy_dx[-1]:.2e}}")
'''


UPDATE_CODE = """update_size.append([((fc.weight - w).norm() / w.norm()).item()
                    for fc, w in zip(linears, before)])
before = [fc.weight.detach().clone() for fc in linears]"""


def vanishing_code(cfg: VanishingConfig) -> str:
    return f'''{imports_code("copy")}
torch.set_flush_denormal(True)  # tiny gradients are slow as denormal floats; the app does this too

# Data: a two-class 2-D spiral, {cfg.n_samples} points
{toy_2d_code("spiral", cfg.n_samples, 0.05, cfg.seed)}
# Model: {cfg.depth} hidden layers of {cfg.width} units, {cfg.activation}, init={cfg.init}
{mlp_code(vanishing_spec(cfg))}
# 1) One backward pass at initialisation, on a float64 copy: a deep net's early gradients
#    can be smaller than the smallest float32 number and would read as exactly 0
loss_fn = nn.CrossEntropyLoss()
model64 = copy.deepcopy(model).double()
loss_fn(model64(x.double()), y).backward()
grad_norms = [fc.weight.grad.norm().item() for fc in model64 if isinstance(fc, nn.Linear)]
for i, norm in enumerate(grad_norms, 1):
    print(f"layer {{i:2d}}: |dL/dW| = {{norm:.3e}}")

# 2) A short SGD run: how far does each layer's weight move per step?
optimizer = {optimizer_code("sgd", cfg.lr)}
update_size = []
before = [fc.weight.detach().clone() for fc in linears]
{training_loop_code(epochs=cfg.train_steps, batches="[(x, y)]", losses=None, on_step=UPDATE_CODE)}mean_update = torch.tensor(update_size).mean(0)
print("mean |dW|/|W| per step, per layer:", [f"{{u:.1e}}" for u in mean_update.tolist()])
'''


def dying_relu_code(cfg: DyingReluConfig) -> str:
    spec = dying_spec(cfg, "relu")
    return f'''{imports_code()}
torch.set_flush_denormal(True)

# Data: two moons, 300 points
{toy_2d_code("moons", 300, 0.1, cfg.seed)}

def inactive_fraction(model):
    """Per hidden layer: share of units whose input is <= 0 for every sample."""
    fractions, h = [], x
    with torch.no_grad():
        for m in model:
            if isinstance(m, (nn.ReLU, nn.LeakyReLU)):
                fractions.append((h <= 0).all(0).float().mean().item())
            h = m(h)
    return fractions


for activation in {list(cfg.compared)!r}:
    act = nn.ReLU() if activation == "relu" else nn.LeakyReLU(0.01)
{indent(mlp_code(spec, activation="act"))}    optimizer = {optimizer_code(cfg.optimizer, cfg.lr)}
    loss_fn = nn.CrossEntropyLoss()
{indent(training_loop_code(epochs=cfg.steps, batches="[(x, y)]", losses=None,
                           on_diverge='print(activation, "diverged at step", diverged_at)'))}    accuracy = (model(x).argmax(1) == y).float().mean().item()
    print(f"{{activation:>10}}: inactive units per layer {{inactive_fraction(model)}}, "
          f"accuracy {{accuracy:.3f}}")
'''


# --- claims: what each "what to notice" may say about these numbers --------------------

VANISHED = 1e-2  # layer 1 gets less than this share of the output layer's gradient
GROWN = 1e2  # ... or more than this multiple
DEAD_SIGNAL = 1e-8  # every gradient below this: nothing comes back at all


def curves_claims(reference: CurvesResult) -> list[Claim]:
    """Claims about sigmoid and tanh (``reference`` must hold both) at the grid's right edge."""
    sig, tanh = reference.measures["sigmoid"], reference.measures["tanh"]
    limit = float(reference.x[-1])
    claims = [Claim("sig_cap", {"sig_max": sig.max_derivative})]
    edges = {"limit": limit, "sig_edge": sig.derivative_at_limit,
             "tanh_edge": tanh.derivative_at_limit}
    sig_flat, tanh_flat = sig.derivative_at_limit < SATURATED, tanh.derivative_at_limit < SATURATED
    if sig_flat and tanh.derivative_at_limit == 0:  # "passes only 0.0" reads as a rounding
        claims.append(Claim("saturated_tanh_zero", edges))
    elif sig_flat and tanh_flat:
        claims.append(Claim("saturated", edges))
    elif tanh_flat:
        claims.append(Claim("tanh_flat_first", edges))
    elif sig_flat:  # not reachable for these two functions, kept so every case has a sentence
        claims.append(Claim("sig_flat_first", edges))
    else:
        claims.append(Claim("not_saturated", edges))
    claims.append(Claim("relu"))
    return claims


def vanishing_claims(result: VanishingResult, cfg: VanishingConfig) -> list[Claim]:
    norms = result.grad_norms
    if result.exploded_float32 or not np.all(np.isfinite(norms)):
        return [Claim("exploded")]
    claims: list[Claim] = []
    ratio = float(norms[0] / norms[-1]) if norms[-1] > 0 else math.inf
    per_layer = ratio ** (1 / cfg.depth) if math.isfinite(ratio) and ratio > 0 else 0.0
    values = {"ratio": f"{ratio:.1e}", "per_layer": f"{per_layer:.2f}", "depth": cfg.depth}
    if norms.max() < DEAD_SIGNAL:
        claims.append(Claim("dead_signal", {"gmax": f"{norms.max():.0e}",
                                            "std": f"{result.activation_std[-1]:.0e}"}))
    elif ratio < VANISHED:
        claims.append(Claim("vanish", values))
        if cfg.activation == "sigmoid":
            claims.append(Claim("vanish_sigmoid"))
        if not (cfg.activation == "relu" and cfg.init == "he"):
            claims.append(Claim("try_relu_he"))
    elif ratio > GROWN:
        claims.append(Claim("grows", values))
    else:
        claims.append(Claim("healthy", values))
        if cfg.activation in ("sigmoid", "tanh") and cfg.depth >= 10:
            claims.append(Claim("not_activation_alone", {"depth": cfg.depth}))
    underflow = result.grad_zero_float32 & (norms > 0)
    if underflow.any():
        claims.append(Claim("underflow", {"n": int(underflow.sum()), "total": len(norms)}))
    if result.update_size.size:
        mean_update = np.nanmean(result.update_size, axis=0)
        frozen = int((mean_update == 0).sum())
        if frozen:
            claims.append(Claim("frozen", {"n": frozen, "total": len(mean_update),
                                           "steps": len(result.update_size)}))
    return claims


def _top_layers(per_layer: np.ndarray) -> list[int]:
    """The 1-based layers whose value equals the highest (shares are multiples of 1/width, so
    equal lines are exactly equal)."""
    return [int(i) + 1 for i in np.flatnonzero(np.isclose(per_layer, per_layer.max(), rtol=0, atol=1e-9))]


def dying_claims(result: DyingReluResult) -> list[Claim]:
    claims: list[Claim] = []
    for name, run in result.runs.items():
        if run.diverged:
            claims.append(Claim(f"{name}_diverged", {"step": run.diverged_at}))
        else:
            # The chart draws one line per layer; the sentence quotes the whole network's
            # share (layers are equally wide) and names the layer that ends highest, or every
            # layer that ties for it (naming one of two equal lines reads as a contradiction).
            last = 100 * run.inactive[-1]
            top = _top_layers(last)
            claims.append(Claim(f"{name}_state" + ("_tied" if len(top) > 1 else ""), {
                "dead": float(last.mean()), "acc": 100 * run.accuracy,
                "layers": len(last), "layer": top[0], "top": ", ".join(map(str, top)),
                "layer_dead": float(last.max())}))
    relu = result.runs.get("relu")
    if relu is not None and len(relu.inactive):
        share = 100 * relu.inactive.mean(axis=1)  # (steps,) % of all hidden units
        peak, final = float(share.max()), float(share[-1])
        per_layer_peak = 100 * relu.inactive.max(axis=0)  # (layers,) each line's highest point
        if final > 0 and peak - final < 1e-9 and np.all(np.diff(relu.inactive, axis=0) >= 0):
            claims.append(Claim("relu_never_back", {"final": final}))
        elif peak - final >= 1e-9:
            top = _top_layers(per_layer_peak)
            claims.append(Claim("relu_revived" + ("_tied" if len(top) > 1 else ""), {
                "peak": peak, "final": final, "layers": relu.inactive.shape[1],
                "layer": top[0], "top": ", ".join(map(str, top)),
                "layer_peak": float(per_layer_peak.max())}))
    leaky = result.runs.get("leaky_relu")
    if relu is not None and leaky is not None and not (relu.diverged or leaky.diverged):
        diff = printed_gap(leaky.accuracy, relu.accuracy, 0)  # the sentence prints whole %
        if diff >= 2:
            claims.append(Claim("leaky_better", {"diff": diff}))
        elif diff <= -2:
            claims.append(Claim("relu_better", {"diff": -diff}))
        elif min(relu.inactive[-1].mean(), leaky.inactive[-1].mean()) >= 0.5:
            # Equal because both are stuck: "dead units only hurt when many die" would read
            # as if nothing were wrong.
            claims.append(Claim("both_stuck", {"relu_dead": 100 * float(relu.inactive[-1].mean()),
                                               "leaky_dead": 100 * float(leaky.inactive[-1].mean())}))
        else:
            claims.append(Claim("same_accuracy", {"diff": abs(diff)}))
        leaky_share = 100 * leaky.inactive.mean(axis=1)
        if leaky_share[0] - leaky_share[-1] >= 5:
            claims.append(Claim("leaky_recovered", {"start": float(leaky_share[0]),
                                                    "end": float(leaky_share[-1])}))
    return claims


def gradient_reach(result: VanishingResult) -> str | None:
    """The answer to "how much of the output layer's gradient reaches layer 1?":
    "little" (< 1 %), "same" (1 % to 100×) or "more" (> 100×); None if it overflowed."""
    norms = result.grad_norms
    if result.exploded_float32 or not np.all(np.isfinite(norms)) or norms[-1] == 0:
        return None
    ratio = norms[0] / norms[-1]
    return "little" if ratio < VANISHED else "more" if ratio > GROWN else "same"
