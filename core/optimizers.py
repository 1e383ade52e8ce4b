"""Optimizers on 2-D loss surfaces, and the same optimizers on a real network.

Two experiments:

* ``run_trajectories``: each selected ``torch.optim`` optimizer moves a 2-parameter tensor
  ``p = (x, y)`` downhill on a test surface (ill-conditioned quadratic, Rosenbrock, a saddle,
  Himmelblau, Rastrigin, Beale). Gradients come from autograd; every step is a real
  ``optimizer.step()``. The result holds the path, loss, gradient and step of every
  optimizer, plus the measured version of the notes' table (steps to reach the minimum,
  final loss, zig-zags).
* ``run_network``: the same MLP (same seed, same initial weights, same batches) trained on a
  2-D dataset with each optimizer through ``core.training.train``; training and validation
  curves show convergence speed versus generalisation.

Speed: a naive loop (one forward/backward and one step per optimizer per step) pays
Python and autograd overhead for every optimizer. Here all optimizers share one forward
and one ``torch.autograd.grad`` call per step over the stacked points ``(K, 2)``, each
optimizer then steps its own 2-element leaf, and the path is written into preallocated
tensors. A run stops early once every optimizer has diverged.
"""

from __future__ import annotations

import inspect
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import nn

from core.claims import Claim
from core import codegen
from core.codegen import DIVERGENCE_CODE, imports_code, indent, mlp_code, training_loop_code
from core.data import TOY_2D_NAMES, make_toy_2d, split_indices, toy_2d_code
from core.models import MLPSpec, build_mlp
from core.seeding import prepare_thread
from core.training import (
    DIVERGENCE_LOSS, OPTIMIZER_KINDS, OPTIMIZERS, ResumableRuns, StepInfo, Trainer, classifier_metrics, make_loader, make_optimizer,
)


# --- surfaces ------------------------------------------------------------------------


@dataclass(frozen=True)
class Surface:
    name: str
    expression: str  # torch expression in x and y; the code panel prints the same text
    x_range: tuple[float, float]  # plotted region
    y_range: tuple[float, float]
    minima: tuple[tuple[float, float], ...]  # global minima (distance is to the nearest)
    min_value: float  # f at the global minima
    start: tuple[float, float]  # default start point
    lrs: dict[str, float]  # a learning rate per optimizer that behaves well here
    log_levels: bool = True  # draw contours of log10(f - f* + offset)

    def __call__(self, p: torch.Tensor) -> torch.Tensor:
        """f(p) for points ``p`` of shape (..., 2); returns shape (...)."""
        return eval(_COMPILED[self.name], _EVAL_GLOBALS, {"x": p[..., 0], "y": p[..., 1]})

    @property
    def span(self) -> float:
        return max(self.x_range[1] - self.x_range[0], self.y_range[1] - self.y_range[0])


_EVAL_GLOBALS = {"torch": torch, "math": math, "__builtins__": {}}

SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface(
            "quadratic", "0.1 * x**2 + 3 * y**2", (-6.0, 6.0), (-3.0, 3.0), ((0.0, 0.0),), 0.0,
            (-5.0, -2.0),
            {"sgd": 0.3, "momentum": 0.1, "nesterov": 0.1, "rmsprop": 0.1, "adagrad": 1.0,
             "adam": 0.2, "adamw": 0.2},
        ),
        Surface(
            "rosenbrock", "(1 - x)**2 + 100 * (y - x**2)**2", (-2.0, 2.0), (-1.0, 3.0),
            ((1.0, 1.0),), 0.0, (-1.5, 2.0),
            {"sgd": 0.002, "momentum": 0.002, "nesterov": 0.001, "rmsprop": 0.01,
             "adagrad": 0.5, "adam": 0.1, "adamw": 0.1},
        ),
        Surface(
            # A saddle at the origin with two minima at y = ±sqrt(5): gradient descent started
            # near y = 0 crawls along the ridge before it escapes.
            "saddle", "x**2 - 0.2 * y**2 + 0.02 * y**4", (-3.0, 3.0), (-3.0, 3.0),
            ((0.0, math.sqrt(5.0)), (0.0, -math.sqrt(5.0))), -0.5, (-2.5, 0.01),
            {"sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "rmsprop": 0.02, "adagrad": 0.2,
             "adam": 0.05, "adamw": 0.05},
            log_levels=False,
        ),
        Surface(
            "himmelblau", "(x**2 + y - 11)**2 + (x + y**2 - 7)**2", (-5.0, 5.0), (-5.0, 5.0),
            ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
            0.0, (-0.5, -0.5),
            {"sgd": 0.01, "momentum": 0.002, "nesterov": 0.002, "rmsprop": 0.02, "adagrad": 0.5,
             "adam": 0.1, "adamw": 0.1},
        ),
        Surface(
            "rastrigin",
            "20 + x**2 - 10 * torch.cos(2 * math.pi * x) + y**2 - 10 * torch.cos(2 * math.pi * y)",
            (-4.5, 4.5), (-4.5, 4.5), ((0.0, 0.0),), 0.0, (-3.2, 2.8),
            {"sgd": 0.002, "momentum": 0.001, "nesterov": 0.001, "rmsprop": 0.05, "adagrad": 0.5,
             "adam": 0.2, "adamw": 0.2},
            log_levels=False,
        ),
        Surface(
            "beale",
            "(1.5 - x + x * y)**2 + (2.25 - x + x * y**2)**2 + (2.625 - x + x * y**3)**2",
            (-1.0, 4.5), (-2.0, 2.5), ((3.0, 0.5),), 0.0, (1.0, 1.5),
            {"sgd": 0.001, "momentum": 0.0005, "nesterov": 0.0005, "rmsprop": 0.01,
             "adagrad": 0.5, "adam": 0.05, "adamw": 0.05},
        ),
    )
}
SURFACE_NAMES = tuple(SURFACES)
_COMPILED = {name: compile(s.expression, f"<surface {name}>", "eval")
             for name, s in SURFACES.items()}


def get_surface(name: str) -> Surface:
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; expected one of {SURFACE_NAMES}")
    return SURFACES[name]


@dataclass(frozen=True)
class SurfaceGrid:
    x: np.ndarray  # (n,)
    y: np.ndarray  # (n,)
    z: np.ndarray  # (n, n) f(x, y) - f*, rows over y
    levels: np.ndarray  # (n, n) what the contour draws: log10(z + offset) or z
    offset: float  # added before the log


def surface_grid(name: str, n: int = 120) -> SurfaceGrid:
    """f on an n×n grid over the plotted region (for contours and the 3-D view)."""
    surface = get_surface(name)
    x = torch.linspace(*surface.x_range, n, dtype=torch.float64)
    y = torch.linspace(*surface.y_range, n, dtype=torch.float64)
    yy, xx = torch.meshgrid(y, x, indexing="ij")
    z = (surface(torch.stack([xx, yy], -1)) - surface.min_value).clamp_min(0.0).numpy()
    offset = 1e-3 * max(float(np.median(z)), 1e-12)
    levels = np.log10(z + offset) if surface.log_levels else z
    return SurfaceGrid(x.numpy(), y.numpy(), z, levels, offset)


# --- trajectories --------------------------------------------------------------------


_ADAM_BETAS = OPTIMIZER_KINDS["adam"].torch_default("betas")


@dataclass(frozen=True)
class OptimizerSettings:
    """One optimizer's settings on this page; the defaults are make_optimizer's (torch's
    own, but momentum 0.9)."""

    name: str  # one of core.training.OPTIMIZERS
    lr: float  # learning rate
    momentum: float = inspect.signature(make_optimizer).parameters["momentum"].default
    beta1: float = _ADAM_BETAS[0]  # Adam/AdamW: decay of the gradient average (their momentum)
    beta2: float = _ADAM_BETAS[1]  # Adam/AdamW: decay of the squared-gradient average
    # RMSprop: decay of the squared-gradient average
    alpha: float = OPTIMIZER_KINDS["rmsprop"].torch_default("alpha")


def _default(setting: str) -> float:
    return OptimizerSettings.__dataclass_fields__[setting].default


# /optimizers' sliders: the learning rates offered, and each optimizer's settings besides lr
# as (OptimizerSettings field, min, max, default, step).
LR_CHOICES = (1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2,
              0.3, 0.5, 1.0, 2.0, 3.0, 5.0)
_MOMENTUM = ("momentum", 0.0, 0.99, _default("momentum"), 0.01)
_BETAS = [("beta1", 0.0, 0.99, _default("beta1"), 0.01),
          ("beta2", 0.9, 0.9999, _default("beta2"), 0.0001)]
EXTRA = {"momentum": [_MOMENTUM], "nesterov": [_MOMENTUM],
         "rmsprop": [("alpha", 0.5, 0.999, _default("alpha"), 0.001)],
         "adam": _BETAS, "adamw": _BETAS}


def build_optimizer(settings: OptimizerSettings,
                    params: list[torch.Tensor]) -> torch.optim.Optimizer:
    """The torch.optim optimizer for these settings (through the app's make_optimizer)."""
    return make_optimizer(settings.name, params, lr=settings.lr, momentum=settings.momentum,
                          betas=(settings.beta1, settings.beta2), alpha=settings.alpha)


def default_settings(surface: str,
                     names: tuple[str, ...] = OPTIMIZERS) -> tuple[OptimizerSettings, ...]:
    """Each optimizer with the learning rate that behaves well on ``surface``."""
    lrs = get_surface(surface).lrs
    return tuple(OptimizerSettings(name, lrs[name]) for name in names)


@dataclass(frozen=True)
class TrajectoryConfig:
    surface: str = "rosenbrock"  # one of SURFACE_NAMES
    optimizers: tuple[OptimizerSettings, ...] = ()  # empty: every optimizer, surface's lrs
    start: tuple[float, float] | None = None  # None: the surface's default start
    steps: int = 300  # optimizer steps (1-1000)
    epsilon: float = 0.05  # "reached the minimum" radius, in parameter space
    escape: float = 1e6  # a point farther than escape * span from the region has diverged

    def resolved(self) -> TrajectoryConfig:
        """Defaults filled in (what actually runs)."""
        surface = get_surface(self.surface)
        return replace(self, optimizers=self.optimizers or default_settings(self.surface),
                       start=self.start or surface.start)


@dataclass(frozen=True)
class Trajectory:
    positions: np.ndarray  # (steps+1, 2); nan after divergence
    loss: np.ndarray  # (steps+1,) f(p_t) - f*; nan after divergence
    grads: np.ndarray  # (steps+1, 2) autograd gradient at p_t
    distance: np.ndarray  # (steps+1,) distance to the nearest global minimum
    diverged: bool
    diverged_at: int | None  # first step whose loss or position is non-finite or huge
    steps_to_eps: int | None  # first step from which it STAYS within epsilon to the end (None: never)
    first_eps: int | None  # first step within epsilon at all (it may leave again)
    final_loss: float  # f - f* at the last step (nan if diverged)
    final_distance: float  # nan if diverged
    zigzags: int  # sign changes of the step direction, per coordinate, of visible steps
    loss_increases: int  # steps after which the loss went up

    @property
    def moves(self) -> np.ndarray:
        """(steps, 2) the step actually taken, p_{t+1} - p_t: momentum's velocity times lr."""
        return np.diff(self.positions, axis=0)


@dataclass(frozen=True)
class TrajectoryResult:
    config: TrajectoryConfig  # resolved
    runs: dict[str, Trajectory] = field(default_factory=dict)  # optimizer name -> run


def _nearest_distance(positions: np.ndarray, minima: tuple[tuple[float, float], ...]) -> np.ndarray:
    targets = np.asarray(minima, dtype=float)  # (m, 2)
    return np.linalg.norm(positions[:, None, :] - targets[None], axis=-1).min(axis=1)


def _summarize(positions: np.ndarray, loss: np.ndarray, grads: np.ndarray, surface: Surface,
               cfg: TrajectoryConfig) -> Trajectory:
    center = np.array([np.mean(surface.x_range), np.mean(surface.y_range)])
    with np.errstate(invalid="ignore", over="ignore"):
        far = np.abs(positions - center).max(axis=1) > cfg.escape * surface.span
        bad = ~np.isfinite(loss) | (np.abs(loss) > DIVERGENCE_LOSS) | far
        bad |= ~np.isfinite(positions).all(axis=1)
    diverged_at = int(np.argmax(bad)) if bad.any() else None
    positions, loss, grads = positions.copy(), loss.copy(), grads.copy()
    if diverged_at is not None:
        positions[diverged_at:] = np.nan
        loss[diverged_at:] = np.nan
        grads[diverged_at:] = np.nan
    distance = _nearest_distance(positions, surface.minima)
    with np.errstate(invalid="ignore"):
        within = distance <= cfg.epsilon  # nan (diverged) counts as outside
        inside = np.flatnonzero(within)
        outside = np.flatnonzero(~within)
        settled = (None if not within[-1] or diverged_at is not None
                   else int(outside[-1]) + 1 if outside.size else 0)
        moves = np.diff(positions, axis=0)
        visible = np.abs(moves) > 1e-3 * surface.span  # ignore jitter too small to see
        signs = np.where(visible, np.sign(moves), 0.0)
        zigzags = 0
        for k in range(2):  # count flips between consecutive visible moves of one coordinate
            s = signs[:, k][signs[:, k] != 0]
            zigzags += int(np.count_nonzero(s[1:] != s[:-1]))
        scale = max(1.0, float(np.nanmax(np.abs(loss), initial=0.0)))
        loss_increases = int(np.count_nonzero(np.diff(loss) > 1e-12 * scale))
    return Trajectory(
        positions=positions, loss=loss, grads=grads, distance=distance,
        diverged=diverged_at is not None, diverged_at=diverged_at,
        steps_to_eps=settled, first_eps=int(inside[0]) if inside.size else None,
        final_loss=float(loss[-1]), final_distance=float(distance[-1]),
        zigzags=zigzags, loss_increases=loss_increases,
    )


# Optimizers of one torch.optim class share one optimizer object, one param group each:
# fewer step() calls per step (7 -> 4), each with the fused CPU kernel where torch has one.
# AdamW joins Adam's object: it is Adam with decoupled weight decay (torch documents the
# equivalence), so its group asks for that.
_FAMILY = {name: "adam" if kind.cls is torch.optim.AdamW else kind.cls.__name__.lower()
           for name, kind in OPTIMIZER_KINDS.items()}


def _param_group(s: OptimizerSettings, p: torch.Tensor) -> dict:
    """The param group that makes the family's class behave like make_optimizer(s.name)."""
    group = {"params": [p], **OPTIMIZER_KINDS[s.name].kwargs(
        s.lr, momentum=s.momentum, betas=(s.beta1, s.beta2), alpha=s.alpha)}
    if s.name == "adamw":
        group["decoupled_weight_decay"] = True
    return group


def build_grouped_optimizers(settings: tuple[OptimizerSettings, ...],
                             params: list[torch.Tensor]) -> list[torch.optim.Optimizer]:
    """One torch.optim optimizer per class, one param group per optimizer setting."""
    families: dict[str, list[dict]] = {}
    for s, p in zip(settings, params):
        families.setdefault(_FAMILY[s.name], []).append(_param_group(s, p))
    classes = {"sgd": (torch.optim.SGD, True), "rmsprop": (torch.optim.RMSprop, False),
               "adagrad": (torch.optim.Adagrad, True), "adam": (torch.optim.Adam, True)}
    optimizers = []
    for family, groups in families.items():
        cls, fused = classes[family]
        optimizers.append(cls(groups, lr=groups[0]["lr"], **({"fused": True} if fused else {})))
    return optimizers


# Raw paths are kept per (surface, one optimizer's settings, start), with however many
# steps were last computed and where the optimizer stood after the last one: moving the
# steps slider down only slices a stored path, moving it up continues the stored path from
# its last step (the point and the optimizer's state are kept), and changing one optimizer's
# settings recomputes that optimizer alone. Bounded, shared by every session, safe across
# threads.
_PATHS_MAX = 512


@dataclass(frozen=True)
class _StoredPath:
    positions: np.ndarray  # (n+1, 2)
    loss: np.ndarray  # (n+1,)
    grads: np.ndarray  # (n+1, 2)
    # The optimizer's per-parameter state after step n (torch tensors, cloned), or None
    # when the batch stopped early because every run in it had diverged: then the path is
    # nan from there on, and so is any continuation of it.
    state: dict | None

    @property
    def steps(self) -> int:
        return len(self.positions) - 1

    def arrays(self, steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.positions[: steps + 1], self.loss[: steps + 1], self.grads[: steps + 1]


_paths: OrderedDict[tuple, _StoredPath] = OrderedDict()
_paths_lock = threading.Lock()
MAX_STEPS = 10_000


def _clone_state(state: dict) -> dict:
    return {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in state.items()}


def _compute_paths(surface: Surface, settings: tuple[OptimizerSettings, ...],
                   start: tuple[float, float], steps: int,
                   resume: tuple[_StoredPath, ...] | None = None) -> list[_StoredPath]:
    """Positions (steps+1, 2), f (steps+1,) and gradients (steps+1, 2) for each setting.

    The K points live in one buffer ``points`` (K, 2); optimizer k updates the leaf
    ``points[k]`` (a view, shape (2,)) in place. Per step: one forward of f on all K points,
    one ``torch.autograd.grad`` (f of row k depends on row k only, so row k of the gradient
    is exactly optimizer k's gradient), then one real ``step()`` per torch.optim class.

    ``resume``: a stored path per setting, all of the same length n < steps, each with its
    state: the loop starts at step n from each one's last point and optimizer state, and
    gives what a run from step 0 gives (the same operations on the same numbers).
    """
    k = len(settings)
    first = resume[0].steps if resume else 0
    if resume and any(r.steps != first or r.state is None for r in resume):
        raise ValueError("resumed paths must have one length and a kept state")
    begin = [r.positions[-1] for r in resume] if resume else [start] * k
    points = torch.tensor(np.asarray(begin, dtype=np.float64), dtype=torch.float64)  # (K, 2)
    grad_buffer = torch.zeros_like(points)
    leaves = [points[i].requires_grad_(True) for i in range(k)]
    for i, leaf in enumerate(leaves):
        leaf.grad = grad_buffer[i]  # the optimizers read their gradient from this buffer
    optimizers = build_grouped_optimizers(settings, leaves)
    if resume:
        for optimizer in optimizers:
            for group in optimizer.param_groups:
                for leaf in group["params"]:
                    i = next(j for j, other in enumerate(leaves) if other is leaf)
                    optimizer.state[leaf] = _clone_state(resume[i].state)
    positions = torch.full((steps + 1, k, 2), float("nan"), dtype=torch.float64)
    losses = torch.full((steps + 1, k), float("nan"), dtype=torch.float64)
    grads = torch.full((steps + 1, k, 2), float("nan"), dtype=torch.float64)
    for i, r in enumerate(resume or ()):
        positions[:first, i] = torch.from_numpy(r.positions[:first])
        losses[:first, i] = torch.from_numpy(r.loss[:first])
        grads[:first, i] = torch.from_numpy(r.grads[:first])
    finished = False
    for t in range(first, steps + 1):
        x = points.detach().requires_grad_(True)  # shares memory with the leaves
        loss = surface(x)  # (K,)
        (g,) = torch.autograd.grad(loss.sum(), x)
        positions[t] = points
        losses[t] = loss.detach()
        grads[t] = g
        if t == steps:
            finished = True
            break
        if t % 50 == 49 and not torch.isfinite(losses[t]).any():
            break  # every run has diverged: nothing left to draw
        grad_buffer.copy_(g)
        for optimizer in optimizers:
            optimizer.step()
    states: list[dict | None] = [None] * k
    if finished:
        for optimizer in optimizers:
            for group in optimizer.param_groups:
                for leaf in group["params"]:
                    i = next(j for j, other in enumerate(leaves) if other is leaf)
                    states[i] = _clone_state(optimizer.state.get(leaf, {}))
    return [_StoredPath(positions[:, i].numpy(), losses[:, i].numpy(), grads[:, i].numpy(),
                        states[i]) for i in range(k)]


def _extended(path: _StoredPath, steps: int) -> _StoredPath:
    """A path whose batch stopped early (every run in it diverged), padded with nan to
    ``steps``: a run from step 0 stops at the same step and leaves the same nans."""
    pad = steps - path.steps

    def grow(a: np.ndarray) -> np.ndarray:
        return np.concatenate([a, np.full((pad, *a.shape[1:]), np.nan)])

    return _StoredPath(grow(path.positions), grow(path.loss), grow(path.grads), None)


def _paths_for(surface_name: str, settings: tuple[OptimizerSettings, ...],
               start: tuple[float, float], steps: int) -> list[tuple[np.ndarray, ...]]:
    """Each setting's raw path for ``steps`` steps, computing (batched) only what is missing:
    a path never computed runs from step 0, a shorter stored one continues from its end."""
    keys = [(surface_name, s, tuple(start)) for s in settings]
    with _paths_lock:
        kept = {key: _paths[key] for key in keys if key in _paths}
        for key in kept:
            _paths.move_to_end(key)
    found = {key: path for key, path in kept.items() if path.steps >= steps}
    for key, path in kept.items():
        if key not in found and path.state is None:
            found[key] = _extended(path, steps)
    batches: dict[int, list[tuple[OptimizerSettings, tuple]]] = {}  # from step -> settings
    for s, key in zip(settings, keys):
        if key not in found:
            batches.setdefault(kept[key].steps if key in kept else 0, []).append((s, key))
    for first, batch in batches.items():
        resume = tuple(kept[key] for _, key in batch) if first else None
        computed = _compute_paths(get_surface(surface_name), tuple(s for s, _ in batch),
                                  start, steps, resume)
        for (_, key), path in zip(batch, computed):
            found[key] = path
    if batches or any(found[key] is not kept.get(key) for key in keys):
        with _paths_lock:
            for key in keys:
                _paths[key] = found[key]
                _paths.move_to_end(key)
            while len(_paths) > _PATHS_MAX:
                _paths.popitem(last=False)
    # A stored path of n >= steps steps, cut at `steps`, is the path of `steps` steps.
    return [found[key].arrays(steps) for key in keys]


def run_trajectories(cfg: TrajectoryConfig) -> TrajectoryResult:
    """Run every selected optimizer from the same start for ``cfg.steps`` steps.

    Real torch.optim steps, batched across optimizers (see _compute_paths) and reused
    across shorter step counts and unchanged optimizers (see _paths_for). Diverging runs (NaN/Inf/
    huge) are recorded, not raised.
    """
    cfg = cfg.resolved()
    if not 1 <= cfg.steps <= MAX_STEPS:
        raise ValueError(f"steps must be in [1, {MAX_STEPS}]")
    names = [s.name for s in cfg.optimizers]
    if len(set(names)) != len(names):
        raise ValueError("each optimizer may appear once")
    prepare_thread()
    surface = get_surface(cfg.surface)
    paths = _paths_for(cfg.surface, cfg.optimizers, cfg.start, cfg.steps)
    runs = {name: _summarize(positions, loss - surface.min_value, grads, surface, cfg)
            for name, (positions, loss, grads) in zip(names, paths)}
    return TrajectoryResult(config=cfg, runs=runs)


def run_trajectory_naive(surface_name: str, settings: OptimizerSettings,
                         start: tuple[float, float], steps: int) -> np.ndarray:
    """The textbook loop for one optimizer: (steps+1, 2) positions. Reference and benchmark."""
    surface = get_surface(surface_name)
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = build_optimizer(settings, [p])
    path = [p.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        surface(p).backward()
        optimizer.step()
        path.append(p.detach().clone())
    return torch.stack(path).numpy()


# --- what the trajectories show (claims for the "what to notice" box) --------------------

ADAPTIVE = frozenset({"rmsprop", "adagrad", "adam", "adamw"})  # per-coordinate step sizes


def paths_claims(result: TrajectoryResult) -> list[Claim]:
    """The sentences that hold for these trajectories, in order.

    ``fastest``: the optimizer that first reached ε AND stayed (steps_to_eps), or ``none``.
    ``left_settled`` / ``left_never``: an optimizer that passed through the ε-ball and left
    again (momentum orbiting the minimum), settling later or never within the run.
    ``adaptive_first`` / ``fixed_first``: the notes' "adaptive methods converge faster",
    checked on this surface when both kinds settled. ``zigzags``: the most direction
    reversals, when any run reversed at all.
    """
    runs = result.runs
    steps = result.config.steps
    settled = {n: r.steps_to_eps for n, r in runs.items() if r.steps_to_eps is not None}
    claims: list[Claim] = []
    if settled:
        fastest = min(settled, key=lambda n: (settled[n], n))
        claims.append(Claim("fastest", {"name": fastest, "steps": settled[fastest],
                                        "total": steps}))
    else:
        claims.append(Claim("none", {"total": steps}))
    for name, run in runs.items():
        if run.first_eps is None or run.first_eps == run.steps_to_eps:
            continue
        if run.steps_to_eps is not None:
            claims.append(Claim("left_settled", {"name": name, "first": run.first_eps,
                                                 "steps": run.steps_to_eps}))
        elif not run.diverged:
            claims.append(Claim("left_never", {"name": name, "first": run.first_eps,
                                               "distance": f"{run.final_distance:.3g}"}))
    adaptive = {n: s for n, s in settled.items() if n in ADAPTIVE}
    fixed = {n: s for n, s in settled.items() if n not in ADAPTIVE}
    if adaptive and fixed:
        a, f = min(adaptive, key=adaptive.get), min(fixed, key=fixed.get)
        if adaptive[a] < fixed[f]:
            claims.append(Claim("adaptive_first", {"adaptive": a, "fixed": f}))
        elif fixed[f] < adaptive[a]:
            claims.append(Claim("fixed_first", {"adaptive": a, "fixed": f}))
    zig = {n: r.zigzags for n, r in runs.items() if r.zigzags > 0}
    if zig:
        top = max(zig.values())
        tied = tuple(n for n in runs if zig.get(n) == top)  # a tie names every one of them
        claims.append(Claim("zigzags", {"name": tied[0], "count": top}) if len(tied) == 1
                      else Claim("zigzags_tie", {"names": tied, "count": top}))
    return claims


# --- the same optimizers on a real network --------------------------------------------

# Usual learning rates for a small MLP: the adaptive methods want ~10-100x smaller steps.
NETWORK_LRS = {"sgd": 0.2, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 0.003,
               "adagrad": 0.05, "adam": 0.005, "adamw": 0.005}


@dataclass(frozen=True)
class NetworkConfig:
    optimizers: tuple[OptimizerSettings, ...] = ()  # lrs are taken from NETWORK_LRS × lr_scale
    lr_scale: float = 1.0  # multiplies every optimizer's usual network learning rate
    dataset: str = "moons"  # one of core.data.TOY_2D_NAMES
    n_samples: int = 300  # half for training, half for validation
    noise: float = 0.3  # label-blurring noise on the coordinates
    hidden: tuple[int, ...] = (32, 32)  # MLP hidden widths
    epochs: int = 60
    batch_size: int = 16
    seed: int = 0

    def resolved(self) -> NetworkConfig:
        settings = self.optimizers or default_settings("quadratic")
        return replace(self, optimizers=tuple(
            replace(s, lr=NETWORK_LRS[s.name] * self.lr_scale) for s in settings))


@dataclass(frozen=True)
class NetworkRun:
    epochs: np.ndarray  # (recorded,) 0 = at init
    train_loss: np.ndarray  # (recorded,) full training-set loss, eval mode
    val_loss: np.ndarray  # (recorded,)
    train_acc: np.ndarray
    val_acc: np.ndarray
    diverged: bool
    diverged_at: int | None  # optimizer step
    epochs_to_fit: int | None  # first epoch with training loss <= 0.4 × its initial value
    best_val_loss: float
    best_val_epoch: int


@dataclass(frozen=True)
class NetworkResult:
    config: NetworkConfig  # resolved (with the learning rates used)
    runs: dict[str, NetworkRun] = field(default_factory=dict)


def _network_data(cfg: NetworkConfig) -> tuple[torch.Tensor, ...]:
    """x_train, y_train, x_val, y_val: one dataset split half and half."""
    if cfg.dataset not in TOY_2D_NAMES:
        raise ValueError(f"unknown dataset {cfg.dataset!r}")
    data = make_toy_2d(cfg.dataset, n=cfg.n_samples, noise=cfg.noise, seed=cfg.seed)
    train_idx, val_idx = split_indices(cfg.n_samples, (0.5, 0.5), seed=cfg.seed)
    return data.x[train_idx], data.y[train_idx], data.x[val_idx], data.y[val_idx]


def network_spec(cfg: NetworkConfig) -> MLPSpec:
    """The network every optimizer trains (classes counted from the data, for the code too)."""
    _, y_train, _, y_val = _network_data(cfg.resolved())
    n_classes = int(torch.cat([y_train, y_val]).max()) + 1
    return MLPSpec(hidden=cfg.resolved().hidden, out_features=n_classes, activation="relu")


_NETWORK_RUNS = ResumableRuns(max_entries=28)  # 7 optimizers × 4 settings


def run_network(cfg: NetworkConfig,
                _on_progress: Callable[[float], None] | None = None) -> NetworkResult:
    """Train the same MLP from the same weights on the same batches with each optimizer.

    ``_on_progress(fraction)`` is called as training advances (underscore: st.cache_data
    does not hash it).
    """
    cfg = cfg.resolved()
    prepare_thread()
    x_train, y_train, x_val, y_val = _network_data(cfg)
    spec = network_spec(cfg)
    loss_fn = nn.CrossEntropyLoss()
    steps_per_epoch = math.ceil(len(x_train) / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs * len(cfg.optimizers)

    evaluate = classifier_metrics(train=(x_train, y_train), val=(x_val, y_val))

    runs: dict[str, NetworkRun] = {}
    for i, settings in enumerate(cfg.optimizers):
        def make(settings: OptimizerSettings = settings) -> Trainer:
            model = build_mlp(spec, seed=cfg.seed)  # same seed: same initial weights for all
            loader = make_loader(x_train, y_train, cfg.batch_size, shuffle=True, seed=cfg.seed)
            return Trainer(model, loss_fn, build_optimizer(settings, list(model.parameters())),
                           loader, evaluate=evaluate, eval_every=steps_per_epoch, seed=cfg.seed)

        def progress(info: StepInfo, done: int = i * steps_per_epoch * cfg.epochs) -> None:
            if _on_progress is not None and info.step % steps_per_epoch == 0:
                _on_progress(min(1.0, (done + info.step) / total))

        # The kept run of this optimizer with fewer epochs is continued (Epochs moved up) or
        # a longer one is cut (moved down): the numbers of one run of cfg.epochs epochs.
        history, _ = _NETWORK_RUNS.history((replace(cfg, epochs=0, optimizers=()), settings),
                                           make, cfg.epochs, [progress])
        m = {k: np.array(v) for k, v in history.eval_metrics.items()}
        epochs = np.array(history.eval_steps) / steps_per_epoch
        fitted = np.flatnonzero(m["train_loss"] <= 0.4 * m["train_loss"][0])
        val = np.where(np.isfinite(m["val_loss"]), m["val_loss"], np.inf)
        runs[settings.name] = NetworkRun(
            epochs=epochs, train_loss=m["train_loss"], val_loss=m["val_loss"],
            train_acc=m["train_acc"], val_acc=m["val_acc"], diverged=history.diverged,
            diverged_at=history.diverged_at,
            epochs_to_fit=int(math.ceil(epochs[fitted[0]])) if fitted.size else None,
            best_val_loss=float(val.min()), best_val_epoch=int(round(epochs[int(val.argmin())])),
        )
    if _on_progress is not None:
        _on_progress(1.0)
    return NetworkResult(config=cfg, runs=runs)


OVERFIT_RISE = 0.10  # validation loss ended >= 10 % above its best: it turned upward


def network_claims(result: NetworkResult) -> list[Claim]:
    """``fastest`` (fewest epochs to 40 % of the start loss) or ``none_fit``; ``best_val``;
    ``overfit`` (validation loss ended >= 10 % above its best while the training loss kept
    falling after that epoch) or ``no_overfit``. Diverged runs take part in none of them."""
    runs = {n: r for n, r in result.runs.items() if not r.diverged}
    if not runs:
        return []
    claims: list[Claim] = []
    fit = {n: r.epochs_to_fit for n, r in runs.items() if r.epochs_to_fit is not None}
    if fit:
        fastest = min(fit, key=lambda n: (fit[n], n))
        claims.append(Claim("fastest", {"name": fastest, "epochs": fit[fastest]}))
    else:
        claims.append(Claim("none_fit", {}))
    best = min(runs, key=lambda n: (runs[n].best_val_loss, n))
    claims.append(Claim("best_val", {"name": best, "loss": f"{runs[best].best_val_loss:.3f}",
                                     "epoch": runs[best].best_val_epoch}))
    overfit = []
    for name, run in runs.items():
        at_best = int(np.argmin(np.abs(run.epochs - run.best_val_epoch)))
        if (run.val_loss[-1] >= (1 + OVERFIT_RISE) * run.best_val_loss
                and run.train_loss[-1] < run.train_loss[at_best]):
            overfit.append(name)
    if overfit:
        claims.append(Claim("overfit", {"names": tuple(overfit)}))
    else:
        claims.append(Claim("no_overfit", {}))
    return claims


# --- code panel ------------------------------------------------------------------------


def optimizer_code(settings: OptimizerSettings, param: str = "p") -> str:
    """The torch.optim constructor call, exactly as build_optimizer builds it."""
    s = settings
    return codegen.optimizer_code(s.name, s.lr, f"[{param}]", momentum=s.momentum,
                                  betas=(s.beta1, s.beta2), alpha=s.alpha)


def trajectories_code(cfg: TrajectoryConfig) -> str:
    """Self-contained torch reproducing the trajectories and the measured table."""
    cfg = cfg.resolved()
    surface = get_surface(cfg.surface)
    makers = "\n".join(f"    {s.name!r}: lambda p: {optimizer_code(s)}," for s in cfg.optimizers)
    return f'''import math
import torch

def f(p):  # the {cfg.surface} surface; p = (x, y)
    x, y = p[0], p[1]
    return {surface.expression}

minima = torch.tensor({[list(m) for m in surface.minima]}, dtype=torch.float64)
f_min, epsilon, steps = {surface.min_value!r}, {cfg.epsilon!r}, {cfg.steps}
optimizers = {{
{makers}
}}
results = {{}}
for name, make in optimizers.items():
    p = torch.tensor({list(cfg.start)!r}, dtype=torch.float64, requires_grad=True)
    optimizer = make(p)
    path, reached = [p.detach().clone()], None
    for step in range(steps):
        optimizer.zero_grad()
        loss = f(p)
        if not torch.isfinite(loss) or abs(loss.item()) > {DIVERGENCE_CODE}:
            break  # diverged: stop instead of crashing
        loss.backward()
        optimizer.step()
        path.append(p.detach().clone())
    path = torch.stack(path)
    distance = (path[:, None, :] - minima[None]).norm(dim=-1).min(dim=1).values
    final = f(path[-1]).item() - f_min
    diverged = not math.isfinite(final) or abs(final) > {DIVERGENCE_CODE}
    # steps to eps: the first step from which the path STAYS within epsilon to the end
    outside = (distance > epsilon).nonzero()
    settled = None if diverged or distance[-1] > epsilon else (
        int(outside[-1]) + 1 if len(outside) else 0)
    results[name] = {{"final_position": path[-1].tolist(), "final_loss": final,
                     "steps_to_eps": settled, "diverged": diverged}}
    print(f"{{name:>9}}: end at ({{path[-1, 0]:.4f}}, {{path[-1, 1]:.4f}}), "
          f"f - f* = {{final:.3e}}, steps to eps: {{results[name]['steps_to_eps']}}"
          + (" (diverged)" if diverged else ""))
'''


def network_code(cfg: NetworkConfig) -> str:
    """Self-contained torch reproducing the network comparison (final losses per optimizer)."""
    cfg = cfg.resolved()
    spec = network_spec(cfg)
    makers = "\n".join(f"    {s.name!r}: lambda params: {optimizer_code(s, '*params')},"
                       for s in cfg.optimizers)
    loop = training_loop_code(
        epochs=cfg.epochs, eval_every="len(loader)", losses=None,
        evaluate="""curve.append((loss_fn(model(x_train), y_train).item(),
              loss_fn(model(x_val), y_val).item()))""",
        on_diverge='print(f"{name:>9}: diverged at step {diverged_at}")')
    return f'''{imports_code(loader=True)}
# Data: {cfg.dataset}, {cfg.n_samples} points, half for training and half for validation
{toy_2d_code(cfg.dataset, cfg.n_samples, cfg.noise, cfg.seed)}perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
train_idx, val_idx = perm[:round(n / 2)], perm[round(n / 2):]
x_train, y_train, x_val, y_val = x[train_idx], y[train_idx], x[val_idx], y[val_idx]
loss_fn = nn.CrossEntropyLoss()
optimizers = {{
{makers}
}}
for name, make in optimizers.items():
    # The same seed for every optimizer: the same initial weights and the same batches.
{indent(mlp_code(spec))}    optimizer = make(model.parameters())
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size={cfg.batch_size},
                        shuffle=True, generator=torch.Generator().manual_seed(seed))
    curve = []  # (train loss, validation loss) before training and after every epoch

{indent(loop)}    if diverged_at is None:
        print(f"{{name:>9}}: train loss {{curve[-1][0]:.4f}}  val loss {{curve[-1][1]:.4f}}")
'''
