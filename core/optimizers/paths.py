"""Optimizer trajectories on a 2-D surface.

``run_trajectories``: each selected ``torch.optim`` optimizer moves a 2-parameter tensor
``p = (x, y)`` downhill on a test surface (ill-conditioned quadratic, Rosenbrock, a saddle,
Himmelblau, Rastrigin, Beale). Gradients come from autograd; every step is a real
``optimizer.step()``. The result holds the path, loss, gradient and step of every
optimizer, plus the measured version of the notes' table (steps to reach the minimum,
final loss, zig-zags).

Speed: a naive loop (one forward/backward and one step per optimizer per step) pays
Python and autograd overhead for every optimizer. Here all optimizers share one forward
and one ``torch.autograd.grad`` call per step over the stacked points ``(K, 2)``, each
optimizer then steps its own 2-element leaf, and the path is written into preallocated
tensors. A run stops early once every optimizer has diverged.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from core.claims import Claim
from core.codegen import DIVERGENCE_CODE, imports_code
from core.seeding import prepare_thread
from core.training import (
    DIVERGENCE_LOSS, OPTIMIZER_KINDS,
)
from core.optimizers.choices import (
    ADAPTIVE, OptimizerSettings, Surface, build_optimizer, default_settings, get_surface,
    optimizer_code,
)


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


def trajectories_code(cfg: TrajectoryConfig) -> str:
    """Self-contained torch reproducing the trajectories and the measured table."""
    cfg = cfg.resolved()
    surface = get_surface(cfg.surface)
    makers = "\n".join(f"    {s.name!r}: lambda p: {optimizer_code(s)}," for s in cfg.optimizers)
    return f'''{imports_code("math", "torch", base=False)}

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
