"""Input normalization on two features of very different scales: raw vs standardized
(z-score) vs min-max.

  1. ``run_features``: a linear regression whose two features live on very different scales,
     trained by ``core.training.train`` with each scaling; plus a learning-rate sweep.
  2. ``run_surface``: the loss surface over the two weights and the gradient-descent path on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.claims import Claim
from core.codegen import (
    DIVERGENCE_CODE, imports_code, indent, mlp_code, optimizer_code, source_code, training_loop_code,
)
from core.models import MLPSpec, build_mlp
from core.training import (
    History, full_batch, make_optimizer, train,
)


SCALINGS = ("raw", "standard", "minmax")

SWEEP_LRS = tuple(float(f"{m}e{e}") for e in range(-7, 1) for m in (1, 3))  # 1e-7 … 3

# --- data shared by sections 1 and 2 -----------------------------------------------------


def make_two_scale_data(n: int, scale2: float, noise: float,
                        seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """x1 ~ U[0, 1], x2 ~ U[0, scale2]; y = 3·x1 − 2·x2/scale2 + 1 + noise.

    Both features matter equally for y; only their units differ. x: (n, 2), y: (n, 1).
    Standalone (the code panels show its source).
    """
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 2, generator=g) * torch.tensor([1.0, scale2])
    y = 3 * x[:, :1] - 2 * x[:, 1:] / scale2 + 1 + noise * torch.randn(n, 1, generator=g)
    return x, y


def scale_features(x: torch.Tensor, scaling: str) -> torch.Tensor:
    """raw: unchanged; standard: (x − mean) / std per column; minmax: (x − min) / (max − min)."""
    if scaling == "raw":
        return x
    if scaling == "standard":
        return (x - x.mean(0)) / x.std(0)
    if scaling == "minmax":
        return (x - x.min(0).values) / (x.max(0).values - x.min(0).values)
    raise ValueError(f"unknown scaling {scaling!r}")


def condition_number(x: torch.Tensor) -> float:
    """λmax / λmin of XᵀX (float64): how elongated the loss surface over the weights is."""
    eig = torch.linalg.eigvalsh(x.double().T @ x.double())
    return float(eig.max() / eig.min())


def _data_code() -> str:
    """The panels' data: this module's own two functions, then the call."""
    return (f"{source_code(make_two_scale_data)}\n\n{source_code(scale_features)}\n\n"
            "x, y = make_two_scale_data(n, scale2, noise, seed)\n")


# --- 1. convergence speed and the largest stable learning rate ---------------------------


@dataclass(frozen=True)
class FeaturesConfig:
    scale2: float = 1000.0  # feature 2 spans [0, scale2]; feature 1 spans [0, 1]
    lr: float = 0.1  # the one SGD learning rate used for the curves
    steps: int = 100  # full-batch gradient-descent steps
    target: float = 0.05  # "converged" = training MSE at or below this
    n: int = 200  # samples
    noise: float = 0.1  # std of the noise on y (so the best MSE is about noise²)
    seed: int = 0

    def sweep(self) -> SweepConfig:
        return SweepConfig(self.scale2, self.steps, self.target, self.n, self.noise, self.seed)


@dataclass(frozen=True)
class ScalingRun:
    loss: np.ndarray  # (steps taken,) training MSE after each step
    diverged: bool
    diverged_at: int | None
    steps_to_target: int | None  # first step with loss <= target (None: never)
    condition: float  # λmax/λmin of XᵀX for these inputs


def linear_spec() -> MLPSpec:
    return MLPSpec(in_features=2, hidden=(), out_features=1)


def _fit(x: torch.Tensor, y: torch.Tensor, lr: float, steps: int, seed: int,
         target: float | None = None) -> History:
    """Full-batch SGD on a fresh linear model. With ``target``, stop early once the loss is
    at or below it, or once it has grown past 10× its first value (clearly unstable)."""
    model = build_mlp(linear_spec(), seed=seed)
    stop = [] if target is None else [lambda info: info.loss <= target
                                      or info.loss > 10 * info.history.train_loss[0]]
    return train(model, nn.MSELoss(), make_optimizer("sgd", model.parameters(), lr=lr),
                 full_batch(x, y), epochs=steps, seed=seed, callbacks=stop)


def _first_below(loss: list[float], target: float) -> int | None:
    return next((i + 1 for i, v in enumerate(loss) if v <= target), None)


def run_features(cfg: FeaturesConfig) -> dict[str, ScalingRun]:
    """Train the same linear model (same init, same lr) on raw / standardized / min-max inputs."""
    x, y = make_two_scale_data(cfg.n, cfg.scale2, cfg.noise, cfg.seed)
    runs = {}
    for scaling in SCALINGS:
        xs = scale_features(x, scaling)
        h = _fit(xs, y, cfg.lr, cfg.steps, cfg.seed)
        runs[scaling] = ScalingRun(
            loss=np.array(h.train_loss), diverged=h.diverged, diverged_at=h.diverged_at,
            steps_to_target=None if h.diverged else _first_below(h.train_loss, cfg.target),
            condition=condition_number(xs))
    return runs


@dataclass(frozen=True)
class SweepConfig:
    scale2: float = 1000.0
    steps: int = 100  # budget per run
    target: float = 0.05
    n: int = 200
    noise: float = 0.1
    seed: int = 0


@dataclass(frozen=True)
class SweepRun:
    max_stable_lr: float | None  # largest lr of SWEEP_LRS whose loss does not grow
    best_lr: float | None  # among the 3 largest stable lrs, the one reaching the target first
    best_steps: int | None  # its steps to the target (None: none reaches it in budget)


def run_lr_sweep(cfg: SweepConfig) -> dict[str, SweepRun]:
    """Per scaling: walk SWEEP_LRS from the largest down; unstable runs stop within a few
    steps; the first stable lr is the stability limit. Smaller lrs only converge slower on a
    quadratic, so the best lr is among the three largest stable ones."""
    x, y = make_two_scale_data(cfg.n, cfg.scale2, cfg.noise, cfg.seed)
    out = {}
    for scaling in SCALINGS:
        xs = scale_features(x, scaling)
        stable: list[tuple[float, int | None]] = []
        for lr in sorted(SWEEP_LRS, reverse=True):
            h = _fit(xs, y, lr, cfg.steps, cfg.seed, target=cfg.target)
            if h.diverged or h.train_loss[-1] > h.train_loss[0]:
                continue
            stable.append((lr, _first_below(h.train_loss, cfg.target)))
            if len(stable) == 3:
                break
        reached = [(s, lr) for lr, s in stable if s is not None]
        best_steps, best_lr = min(reached, key=lambda p: (p[0], -p[1])) if reached else (None,
                                                                                          None)
        out[scaling] = SweepRun(max_stable_lr=stable[0][0] if stable else None,
                                best_lr=best_lr, best_steps=best_steps)
    return out


FIT_LOOP_CODE = training_loop_code(
    epochs="steps", batches="[(xs, y)]", loss_fn="nn.functional.mse_loss", on_diverge=None,
    stop_when="target is not None and (losses[-1] <= target or losses[-1] > 10 * losses[0])")


def features_code(cfg: FeaturesConfig) -> str:
    return f'''{imports_code()}
n, scale2, noise, seed = {cfg.n}, {cfg.scale2!r}, {cfg.noise!r}, {cfg.seed}


{_data_code()}

def fit(xs, lr, steps={cfg.steps}, target=None):
    """Full-batch gradient descent on a linear model; returns the loss of each step.
    With a target, stop once the loss reaches it or grows past 10x its first value."""
{indent(mlp_code(linear_spec()))}    optimizer = {optimizer_code("sgd", "lr")}
{indent(FIT_LOOP_CODE)}    return losses


target = {cfg.target!r}
sweep = [{", ".join(f"{lr:g}" for lr in sorted(SWEEP_LRS, reverse=True))}]
for scaling in ["raw", "standard", "minmax"]:
    xs = scale_features(x, scaling)
    eig = torch.linalg.eigvalsh(xs.double().T @ xs.double())
    losses = fit(xs, lr={cfg.lr!r})
    diverged = not math.isfinite(losses[-1]) or losses[-1] > {DIVERGENCE_CODE}
    reached = None if diverged else next((i + 1 for i, v in enumerate(losses) if v <= target), None)
    stable = []  # the three largest learning rates whose loss does not grow
    for lr in sweep:
        h = fit(xs, lr, target=target)
        if math.isfinite(h[-1]) and h[-1] <= min(h[0], {DIVERGENCE_CODE}):
            stable.append((lr, next((i + 1 for i, v in enumerate(h) if v <= target), None)))
        if len(stable) == 3:
            break
    print(f"{{scaling:>8}}: cond(XtX) = {{(eig.max() / eig.min()).item():.3g}}, "
          f"final loss {{losses[-1]:.4g}}, steps to {{target}}: {{reached}}, "
          f"largest stable lr {{stable[0][0] if stable else None}}, "
          f"(lr, steps to target) {{stable}}")
'''


# --- 2. loss surface over the two weights --------------------------------------------------


@dataclass(frozen=True)
class SurfaceConfig:
    scale2: float = 10.0  # feature 2 spans [0, scale2]
    lr_fraction: float = 0.9  # lr = fraction × 2/λmax: the largest stable lr is fraction 1
    steps: int = 30  # gradient-descent steps
    start: tuple[float, float] = (-1.0, 1.5)  # (w1, w2) start, in units of each optimum's size
    grid: int = 61  # surface resolution per axis
    n: int = 200
    noise: float = 0.1
    seed: int = 0


@dataclass(frozen=True)
class Surface:
    w1: np.ndarray  # (grid,)
    w2: np.ndarray  # (grid,)
    loss: np.ndarray  # (grid, grid) MSE, rows along w2
    path: np.ndarray  # (steps+1, 2) weights after each step, start first
    optimum: np.ndarray  # (2,)
    lr: float
    condition: float  # λmax/λmin of the Hessian 2/n·XcᵀXc
    final_loss: float  # loss seen by the last step (before its update)
    diverged: bool
    diverged_at: int | None
    start_loss: float = float("nan")  # MSE at the start weights
    end_loss: float = float("nan")  # MSE at the last weights of the path (inf if diverged)
    min_loss: float = float("nan")  # MSE at the optimum (the noise floor)


def run_surface(cfg: SurfaceConfig) -> dict[str, Surface]:
    """For raw and standardized inputs: L(w1, w2) with the bias fixed at its best value for
    each (w1, w2), i.e. on centred data, and the path of gradient descent on it."""
    x, y = make_two_scale_data(cfg.n, cfg.scale2, cfg.noise, cfg.seed)
    out = {}
    for scaling in ("raw", "standard"):
        xs = scale_features(x, scaling)
        xc, yc = xs - xs.mean(0), y - y.mean()  # centring removes the bias from the picture
        hessian = 2 / cfg.n * xc.double().T @ xc.double()
        eig = torch.linalg.eigvalsh(hessian)
        lr = float(cfg.lr_fraction * 2 / eig.max())
        optimum = torch.linalg.lstsq(xc.double(), yc.double()).solution.flatten().float()
        model = nn.utils.skip_init(nn.Linear, 2, 1, bias=False)
        with torch.no_grad():
            model.weight.copy_(optimum * (1 + torch.tensor(cfg.start)))
        path = [model.weight.detach().flatten().clone()]
        history = train(model, nn.MSELoss(), make_optimizer("sgd", model.parameters(), lr=lr),
                        full_batch(xc, yc), epochs=cfg.steps, seed=cfg.seed,
                        callbacks=[lambda info, path=path: path.append(
                            info.model.weight.detach().flatten().clone())])
        # One half-width for both axes (drawn with equal aspect ratio): an elongated valley
        # must look elongated, so the window is square in weight units.
        half = (1.4 * (optimum * torch.tensor(cfg.start)).abs().max() + 1e-9).repeat(2)
        w1 = torch.linspace(-1, 1, cfg.grid) * half[0] + optimum[0]
        w2 = torch.linspace(-1, 1, cfg.grid) * half[1] + optimum[1]
        ww1, ww2 = torch.meshgrid(w1, w2, indexing="xy")  # (grid, grid), rows along w2
        pred = xc[:, 0, None, None] * ww1 + xc[:, 1, None, None] * ww2  # (n, grid, grid)
        loss = ((pred - yc[:, :, None]) ** 2).mean(0)

        def mse(w: torch.Tensor, xc: torch.Tensor = xc, yc: torch.Tensor = yc) -> float:
            with torch.no_grad():
                value = float(((xc.double() @ w.double()[:, None] - yc.double()) ** 2).mean())
            return value if np.isfinite(value) else float("inf")
        out[scaling] = Surface(
            w1=w1.numpy(), w2=w2.numpy(), loss=loss.numpy(), path=torch.stack(path).numpy(),
            optimum=optimum.numpy(), lr=lr, condition=float(eig.max() / eig.min()),
            final_loss=history.train_loss[-1], diverged=history.diverged,
            diverged_at=history.diverged_at, start_loss=mse(path[0]),
            end_loss=float("inf") if history.diverged else mse(path[-1]),
            min_loss=mse(optimum))
    return out


SURFACE_LOOP_CODE = training_loop_code(
    epochs="steps", batches="[(xc, yc)]", loss_fn="nn.functional.mse_loss",
    on_step="path.append(model.weight.detach().flatten().clone())",
    on_diverge='print(scaling, "diverged at step", diverged_at)')


def surface_code(cfg: SurfaceConfig) -> str:
    return f'''{imports_code()}
n, scale2, noise, seed, steps = {cfg.n}, {cfg.scale2!r}, {cfg.noise!r}, {cfg.seed}, {cfg.steps}


{_data_code()}
for scaling in ["raw", "standard"]:
    xs = scale_features(x, scaling)
    xc, yc = xs - xs.mean(0), y - y.mean()  # centred: the bias drops out, 2 weights remain
    eig = torch.linalg.eigvalsh(2 / n * xc.double().T @ xc.double())  # Hessian of the MSE
    lr = {cfg.lr_fraction!r} * 2 / eig.max().item()  # above 2/λmax gradient descent diverges
    optimum = torch.linalg.lstsq(xc.double(), yc.double()).solution.flatten().float()
    model = nn.Linear(2, 1, bias=False)  # the two weights, started away from the optimum
    with torch.no_grad():
        model.weight.copy_(optimum * (1 + torch.tensor({list(cfg.start)!r})))
    optimizer = {optimizer_code("sgd", "lr")}
    path = [model.weight.detach().flatten().clone()]
{indent(SURFACE_LOOP_CODE)}    print(f"{{scaling:>8}}: condition number {{(eig.max() / eig.min()).item():.3g}}, lr {{lr:.3g}}, "
          f"final loss {{losses[-1]:.4g}}, end {{path[-1].tolist()}}, optimum {{optimum.tolist()}}")
'''

# --- what the sections show (claims for the "what to notice" boxes) ------------------------

NARROW_RATIO = 5.0  # raw condition number this many times the standardized one: elongated
REACHED = 0.01  # at most 1 % of the starting excess loss left: at the minimum


def _lr(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def features_claims(runs: dict[str, ScalingRun], sweep: dict[str, SweepRun],
                    cfg: FeaturesConfig) -> list[Claim]:
    """``conds``; ``raw_limited`` (raw's largest stable lr below standardized's) or
    ``same_limit``; ``std_faster`` / ``std_faster_raw_never`` / ``raw_not_slower`` /
    ``raw_only`` / ``none_reach`` (each at its own best lr); ``diverged_here`` (scalings that diverge at the
    chosen lr)."""
    raw, std = sweep["raw"], sweep["standard"]
    claims = [Claim("conds", {"raw_cond": f"{runs['raw'].condition:.3g}",
                              "std_cond": f"{runs['standard'].condition:.3g}"})]
    limits = {"raw_lr": _lr(raw.max_stable_lr), "std_lr": _lr(std.max_stable_lr)}
    # A missing limit gets its own sentence: "raw —" would put a dash where a number belongs.
    if raw.max_stable_lr is None and std.max_stable_lr is None:
        claims.append(Claim("none_stable"))
    elif raw.max_stable_lr is None:
        claims.append(Claim("raw_none_stable", limits))
    elif std.max_stable_lr is None:
        claims.append(Claim("std_none_stable", limits))
    elif raw.max_stable_lr < std.max_stable_lr:
        claims.append(Claim("raw_limited", limits))
    else:
        claims.append(Claim("same_limit", limits))
    steps = {"std": std.best_steps, "raw": raw.best_steps, "total": cfg.steps}
    if std.best_steps is None and raw.best_steps is None:
        claims.append(Claim("none_reach", {"total": cfg.steps}))
    elif raw.best_steps is None:
        claims.append(Claim("std_faster_raw_never", steps))
    elif std.best_steps is not None and std.best_steps < raw.best_steps:
        claims.append(Claim("std_faster", steps))
    elif std.best_steps is None:
        claims.append(Claim("raw_only", steps))
    else:
        claims.append(Claim("raw_not_slower", steps))
    diverged = tuple(s for s in SCALINGS if runs[s].diverged)
    if diverged:
        claims.append(Claim("diverged_here", {"names": diverged, "lr": f"{cfg.lr:g}"}))
    return claims


def larger_stable_lr(sweep: dict[str, SweepRun]) -> str:
    """"raw", "standard" or "same": whose largest stable learning rate (sweep) is larger."""
    raw, std = sweep["raw"].max_stable_lr or 0.0, sweep["standard"].max_stable_lr or 0.0
    return "standard" if std > raw else "raw" if raw > std else "same"


def surface_claims(surfaces: dict[str, Surface]) -> list[Claim]:
    """``raw_narrow`` (raw condition number >= 5x standardized: an elongated valley) or
    ``similar``; then for raw and standardized each one of ``diverges`` (NaN/Inf/huge),
    ``grows`` (the loss ended above its start: lr above the stability limit), ``reached`` (<= 1 % of the starting excess
    loss left) or ``partway`` (the share of the excess left)."""
    raw, std = surfaces["raw"], surfaces["standard"]
    conds = {"raw_cond": f"{raw.condition:.3g}", "std_cond": f"{std.condition:.3g}"}
    claims = [Claim("raw_narrow" if raw.condition >= NARROW_RATIO * std.condition
                    else "similar", conds)]
    for name, surf in surfaces.items():
        steps = len(surf.path) - 1
        values = {"name": name, "steps": steps, "loss": f"{surf.end_loss:.3g}",
                  "min": f"{surf.min_loss:.3g}"}
        excess = (surf.end_loss - surf.min_loss) / (surf.start_loss - surf.min_loss)
        if surf.diverged or not np.isfinite(surf.end_loss):
            claims.append(Claim("diverges", {"name": name, "step": surf.diverged_at}))
        elif surf.end_loss > surf.start_loss:
            claims.append(Claim("grows", values))
        elif excess <= REACHED:
            claims.append(Claim("reached", values))
        else:
            claims.append(Claim("partway", values | {"left": f"{100 * excess:.0f}"}))
    return claims
