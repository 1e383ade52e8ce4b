"""Loss functions: MSE vs MAE vs Huber on data with outliers, and cross-entropy.

Two experiments. The regression one trains the same ``nn.Linear(1, 1)`` three times with
``core.training.train``, once per loss, and compares the fitted lines. The classification
one pushes a few logits through softmax and cross-entropy and lets autograd say what
gradient cross-entropy gives compared with MSE on the probabilities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import scipy.optimize
import torch
import torch.nn.functional as F
from torch import nn

from core.claims import Claim, vector
from core.codegen import imports_code, indent, optimizer_code, training_loop_code
from core.data import line_data_code, make_line_with_outliers
from core.training import StepInfo, full_batch, make_optimizer, train

LOSSES = ("mse", "mae", "huber")
TRUE_SLOPE, TRUE_INTERCEPT = 2.0, 1.0  # the line the regression data is drawn from

# The page's widget ranges (the claims tests walk each at its minimum and maximum).
N_OUTLIERS_RANGE = (0, 15)
OUTLIER_SIZE_RANGE = (0.0, 40.0)
SIDES = ("up", "down", "both")
NOISE_RANGE = (0.0, 3.0)
DELTA_RANGE = (0.1, 5.0)
LOGIT_RANGE = (-8.0, 8.0)
CONVERGED_GAP = 1e-3  # SGD's final loss within this of the exact minimum (× max(min, 1))


def make_loss(name: str, delta: float = 1.0) -> nn.Module:
    """The torch loss module for one of LOSSES (mean over the batch)."""
    if name == "mse":
        return nn.MSELoss()
    if name == "mae":
        return nn.L1Loss()
    if name == "huber":
        return nn.HuberLoss(delta=delta)
    raise ValueError(f"unknown loss {name!r}; expected one of {LOSSES}")


# --- 1. regression with outliers ----------------------------------------------------------


@dataclass(frozen=True)
class RegressionConfig:
    n_outliers: int = 5  # points shifted far from the line (at the largest x)
    outlier_size: float = 15.0  # how far they are shifted
    outlier_side: str = "up"  # "up", "down" or "both"
    noise: float = 0.5  # Gaussian noise on every point
    delta: float = 1.0  # Huber threshold: quadratic below, linear above
    n: int = 60  # points
    steps: int = 300  # full-batch SGD steps per loss
    lr: float = 0.5  # initial SGD learning rate, decayed linearly to 0
    seed: int = 0


@dataclass(frozen=True)
class LineFit:
    slope: float
    intercept: float
    slope_error: float  # |fitted − true|
    intercept_error: float
    loss: np.ndarray  # (steps,) training loss of this run
    diverged: bool
    diverged_at: int | None
    optimum_slope: float  # the exact minimiser of this loss on these data (not by SGD)
    optimum_intercept: float
    optimum_slope_error: float  # |optimum slope − true slope|
    final_loss: float  # this loss at the SGD fit (float64; inf if diverged)
    optimum_loss: float  # this loss at the exact minimiser
    converged: bool  # final_loss − optimum_loss ≤ CONVERGED_GAP · max(optimum_loss, 1)


@dataclass(frozen=True)
class RegressionResult:
    x: np.ndarray  # (n,)
    y: np.ndarray  # (n,)
    is_outlier: np.ndarray  # (n,) bool
    true_slope: float
    true_intercept: float
    fits: dict[str, LineFit]  # loss name -> fit
    residual: np.ndarray  # (r,) residual grid for the penalty curves
    penalty: dict[str, np.ndarray]  # loss name -> penalty of one point with that residual
    influence: dict[str, np.ndarray]  # loss name -> d penalty / d residual (autograd)


def regression_data(cfg: RegressionConfig):
    return make_line_with_outliers(
        n=cfg.n, slope=TRUE_SLOPE, intercept=TRUE_INTERCEPT, noise=cfg.noise,
        n_outliers=cfg.n_outliers, outlier_size=cfg.outlier_size,
        outlier_side=cfg.outlier_side, seed=cfg.seed,
    )


def fit_line(x: torch.Tensor, y: torch.Tensor, loss_fn: nn.Module, steps: int,
             lr: float) -> tuple[nn.Linear, object]:
    """``nn.Linear(1, 1)`` from w = b = 0, full-batch SGD with a linearly decaying rate.

    The decay matters for MAE: its gradient never shrinks near the optimum, so at a
    fixed rate SGD would hop around it forever.
    """
    model = nn.utils.skip_init(nn.Linear, 1, 1)  # no global-RNG draw
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    optimizer = make_optimizer("sgd", model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1 - s / steps)

    def decay(info: StepInfo) -> None:
        scheduler.step()

    history = train(model, loss_fn, optimizer, full_batch(x, y), epochs=steps,
                    callbacks=[decay])
    return model, history


def penalty_curves(delta: float, limit: float) -> tuple[np.ndarray, dict, dict]:
    """Penalty of a single residual r (prediction − target) and its autograd derivative."""
    r = torch.linspace(-limit, limit, 401, dtype=torch.float64, requires_grad=True)
    penalty, influence = {}, {}
    for name in LOSSES:
        loss_fn = make_loss(name, delta)
        loss_fn.reduction = "none"  # one penalty per residual
        value = loss_fn(r, torch.zeros_like(r))
        # Elementwise, so d(sum)/dr_i is the derivative at r_i: how hard that point pulls.
        (grad,) = torch.autograd.grad(value.sum(), r)
        penalty[name], influence[name] = value.detach().numpy(), grad.numpy()
    return r.detach().numpy(), penalty, influence


def line_loss(name: str, delta: float, x: np.ndarray, y: np.ndarray, slope: float,
              intercept: float) -> float:
    """Mean MSE / MAE / Huber loss of the line (slope, intercept), in float64 numpy."""
    r = np.abs(slope * x + intercept - y)
    if name == "mse":
        return float(np.mean(r ** 2))
    if name == "mae":
        return float(np.mean(r))
    return float(np.mean(np.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta))))


def exact_optimum(name: str, delta: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The (slope, intercept) minimising the loss exactly, independently of SGD.

    MSE: least squares. MAE: an L1 line passes through (at least) two data points, so the
    best of all lines through two points is a minimiser. Huber (convex, smooth): BFGS from
    the MAE solution.
    """
    design = np.stack([x, np.ones_like(x)], 1)
    if name == "mse":
        slope, intercept = np.linalg.lstsq(design, y, rcond=None)[0]
        return float(slope), float(intercept)
    i, j = np.triu_indices(len(x), 1)
    keep = x[i] != x[j]
    i, j = i[keep], j[keep]
    slopes = (y[j] - y[i]) / (x[j] - x[i])
    intercepts = y[i] - slopes * x[i]
    costs = np.abs(slopes[:, None] * x[None, :] + intercepts[:, None] - y[None, :]).mean(1)
    best = int(np.argmin(costs))
    l1 = (float(slopes[best]), float(intercepts[best]))
    if name == "mae":
        return l1

    def cost(p: np.ndarray) -> tuple[float, np.ndarray]:
        r = p[0] * x + p[1] - y
        g = np.clip(r, -delta, delta)  # d huber / d r
        return line_loss("huber", delta, x, y, *p), np.array([np.mean(g * x), np.mean(g)])

    fit = scipy.optimize.minimize(cost, np.array(l1), jac=True, method="BFGS",
                                  options={"gtol": 1e-12})
    return float(fit.x[0]), float(fit.x[1])


def fit_config(cfg: RegressionConfig, name: str) -> RegressionConfig:
    """The config of ``name``'s fit holding only what it reads: MSE and MAE never read the
    Huber threshold, so theirs carries the default delta (a delta move refits Huber alone)."""
    return cfg if name == "huber" else replace(cfg, delta=RegressionConfig.delta)


def run_line_fit(cfg: RegressionConfig, name: str = "huber") -> LineFit:
    """One loss's SGD fit and exact minimiser on the regression data (a stage of
    run_regression: the page caches it by ``fit_config(cfg, name)``)."""
    data = regression_data(cfg)
    x64, y64 = data.x[:, 0].double().numpy(), data.y[:, 0].double().numpy()
    model, history = fit_line(data.x, data.y, make_loss(name, cfg.delta), cfg.steps, cfg.lr)
    slope, intercept = float(model.weight.detach()), float(model.bias.detach())
    opt_slope, opt_intercept = exact_optimum(name, cfg.delta, x64, y64)
    optimum_loss = line_loss(name, cfg.delta, x64, y64, opt_slope, opt_intercept)
    final_loss = (math.inf if history.diverged
                  else line_loss(name, cfg.delta, x64, y64, slope, intercept))
    return LineFit(
        slope=slope, intercept=intercept,
        slope_error=abs(slope - data.true_slope),
        intercept_error=abs(intercept - data.true_intercept),
        loss=np.array(history.train_loss), diverged=history.diverged,
        diverged_at=history.diverged_at,
        optimum_slope=opt_slope, optimum_intercept=opt_intercept,
        optimum_slope_error=abs(opt_slope - data.true_slope),
        final_loss=final_loss, optimum_loss=optimum_loss,
        converged=final_loss - optimum_loss <= CONVERGED_GAP * max(optimum_loss, 1.0),
    )


def regression_result(cfg: RegressionConfig, fits: dict[str, LineFit]) -> RegressionResult:
    """The data, the given fits (one per loss) and the penalty curves, as one result."""
    data = regression_data(cfg)
    limit = max(3.0, 2.5 * cfg.delta, min(cfg.outlier_size, 20.0))
    residual, penalty, influence = penalty_curves(cfg.delta, limit)
    return RegressionResult(
        x=data.x[:, 0].numpy(), y=data.y[:, 0].numpy(), is_outlier=data.is_outlier.numpy(),
        true_slope=data.true_slope, true_intercept=data.true_intercept,
        fits={name: fits[name] for name in LOSSES},
        residual=residual, penalty=penalty, influence=influence,
    )


def run_regression(cfg: RegressionConfig) -> RegressionResult:
    """Fit the same line with MSE, MAE and Huber on the same data."""
    return regression_result(cfg, {name: run_line_fit(fit_config(cfg, name), name)
                                   for name in LOSSES})


def regression_claims(result: RegressionResult, cfg: RegressionConfig) -> list[Claim]:
    """What the regression notice may say: judged on each loss's exact minimiser (what the
    loss prefers), and on whether SGD actually got there."""
    fits = result.fits
    claims = [Claim("pull")]
    err = {name: fit.optimum_slope_error for name, fit in fits.items()}
    values = {"mse": err["mse"], "mae": err["mae"], "huber": err["huber"], "delta": cfg.delta}
    has_outliers = cfg.n_outliers > 0 and cfg.outlier_size > 0
    if not has_outliers:
        claims.append(Claim("clean", values))
    elif err["mae"] < err["mse"]:
        claims.append(Claim("robust", values))
    else:
        claims.append(Claim("breakdown", values | {
            "n": int(result.is_outlier.sum()), "total": len(result.x),
            "share": 100 * float(result.is_outlier.mean())}))
    if has_outliers:
        low, high = sorted((err["mse"], err["mae"]))
        where = ("huber_between" if low <= err["huber"] <= high
                 else "huber_closest" if err["huber"] < low else "huber_furthest")
        claims.append(Claim(where, values))
    for name, fit in fits.items():
        if fit.diverged:
            claims.append(Claim(f"{name}_diverged", {"step": fit.diverged_at}))
        elif not fit.converged:
            claims.append(Claim(f"{name}_not_converged", {
                "steps": cfg.steps, "gap": fit.final_loss - fit.optimum_loss,
                "slope": fit.slope, "opt": fit.optimum_slope, "err": fit.optimum_slope_error}))
    return claims


# --- 2. cross-entropy ------------------------------------------------------------------


@dataclass(frozen=True)
class CrossEntropyConfig:
    logits: tuple[float, ...] = (2.0, 0.5, -1.0)  # raw scores of the classes
    true_class: int = 0  # index of the correct class


@dataclass(frozen=True)
class CrossEntropyResult:
    probs: np.ndarray  # (K,) softmax(logits)
    cross_entropy: float  # F.cross_entropy(logits, true_class)
    neg_log_p: float  # −log p[true_class], computed by hand: equal to cross_entropy
    mse_on_probs: float  # mean((p − one_hot)²)
    grad_ce: np.ndarray  # (K,) ∂CE/∂logits (autograd) = p − one_hot
    grad_mse: np.ndarray  # (K,) ∂MSE(p, one_hot)/∂logits (autograd)
    p_curve: np.ndarray  # (m,) probability of the true class, for the curves
    ce_curve: np.ndarray  # (m,) −log p
    sweep_p: np.ndarray  # (s,) p(true) of a two-class prediction, from wrong to right
    sweep_grad_ce: np.ndarray  # (s,) |∂loss/∂(true logit)| under cross-entropy
    sweep_grad_mse: np.ndarray  # (s,) the same under MSE on the probabilities


def _mse_on_probs(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    probs = torch.softmax(logits, dim=-1)
    return F.mse_loss(probs, F.one_hot(target, logits.shape[-1]).to(probs.dtype))


def ce_claims(result: CrossEntropyResult, cfg: CrossEntropyConfig) -> list[Claim]:
    """The cross-entropy notice. p is quoted to 5 significant digits so that −ln p, worked out
    from the printed p, gives the printed loss (0.0001 would give 9.21, not the 9.0026 the loss
    is); the one-hot vector is shown so "probabilities − one-hot" can be checked entry by entry."""
    one_hot = [1 if i == cfg.true_class else 0 for i in range(len(cfg.logits))]
    return [Claim("notice", {
        "ce": result.cross_entropy, "p": float(result.probs[cfg.true_class]),
        "true": cfg.true_class, "probs": vector(result.probs), "one_hot": vector(one_hot, 0),
        "grad_ce": vector(result.grad_ce), "grad_mse": vector(result.grad_mse)})]


def run_cross_entropy(cfg: CrossEntropyConfig) -> CrossEntropyResult:
    if not 0 <= cfg.true_class < len(cfg.logits):
        raise ValueError("true_class out of range")
    z = torch.tensor(cfg.logits, dtype=torch.float64, requires_grad=True)
    target = torch.tensor(cfg.true_class)
    ce = F.cross_entropy(z[None], target[None])
    (grad_ce,) = torch.autograd.grad(ce, z)
    mse = _mse_on_probs(z[None], target[None])
    (grad_mse,) = torch.autograd.grad(mse, z)
    probs = torch.softmax(z.detach(), 0)

    p_curve = torch.logspace(-3, 0, 200, dtype=torch.float64)
    # Two classes, logits (m, 0), true class 0: p(true) = sigmoid(m) sweeps from 0 to 1.
    margin = torch.linspace(-8, 8, 161, dtype=torch.float64)
    pair = torch.stack([margin, torch.zeros_like(margin)], 1).requires_grad_(True)
    targets = torch.zeros(len(margin), dtype=torch.long)
    # Sum over samples so each row's gradient is that sample's own gradient.
    (g_ce,) = torch.autograd.grad(F.cross_entropy(pair, targets, reduction="sum"), pair)
    per_sample_mse = ((torch.softmax(pair, 1) - F.one_hot(targets, 2)) ** 2).mean(1)
    (g_mse,) = torch.autograd.grad(per_sample_mse.sum(), pair)
    return CrossEntropyResult(
        probs=probs.numpy(), cross_entropy=float(ce.detach()),
        neg_log_p=float(-torch.log(probs[target])),
        mse_on_probs=float(mse.detach()), grad_ce=grad_ce.numpy(), grad_mse=grad_mse.numpy(),
        p_curve=p_curve.numpy(), ce_curve=(-torch.log(p_curve)).numpy(),
        sweep_p=torch.sigmoid(margin).numpy(),
        sweep_grad_ce=g_ce[:, 0].abs().numpy(), sweep_grad_mse=g_mse[:, 0].abs().numpy(),
    )


# --- code panels ------------------------------------------------------------------------


def regression_code(cfg: RegressionConfig) -> str:
    data = line_data_code(cfg.n, TRUE_SLOPE, TRUE_INTERCEPT, cfg.noise, cfg.n_outliers,
                          cfg.outlier_size, cfg.outlier_side, cfg.seed)
    return f'''{imports_code()}
# Data: y = {TRUE_SLOPE}x + {TRUE_INTERCEPT} plus noise, with {cfg.n_outliers} outliers
{data}
losses = {{"mse": nn.MSELoss(), "mae": nn.L1Loss(), "huber": nn.HuberLoss(delta={cfg.delta})}}
fits = {{}}
for name, loss_fn in losses.items():
    model = nn.Linear(1, 1)
    with torch.no_grad():  # init by hand: no_grad is for manual updates and init too
        model.weight.zero_()
        model.bias.zero_()
    optimizer = {optimizer_code("sgd", cfg.lr)}
    # linear decay to 0: MAE's gradient does not shrink near the optimum
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1 - s / {cfg.steps})
{indent(training_loop_code(
    epochs=cfg.steps, batches="[(x, y)]", losses=None, on_step="scheduler.step()",
    on_diverge='print(name, "diverged at step", diverged_at)'))}    slope, intercept = model.weight.item(), model.bias.item()
    fits[name] = (slope, intercept)
    print(f"{{name:>5}}: slope {{slope:.3f}} (error {{abs(slope - {TRUE_SLOPE}):.3f}}), "
          f"intercept {{intercept:.3f}} (error {{abs(intercept - {TRUE_INTERCEPT}):.3f}})")
'''


def cross_entropy_code(cfg: CrossEntropyConfig) -> str:
    return f'''{imports_code("torch", "F", base=False)}
logits = torch.tensor({list(cfg.logits)!r}, dtype=torch.float64, requires_grad=True)
target = torch.tensor([{cfg.true_class}])  # index of the true class

probs = torch.softmax(logits, dim=0)  # sums to 1
ce = F.cross_entropy(logits[None], target)  # = -log probs[target]
print("probabilities:", [round(p, 4) for p in probs.tolist()])
print(f"cross-entropy {{ce.item():.4f}} = -log p(true) = {{-probs[target].log().item():.4f}}")

(grad_ce,) = torch.autograd.grad(ce, logits)
mse = F.mse_loss(torch.softmax(logits, 0)[None], F.one_hot(target, len(logits)).double())
(grad_mse,) = torch.autograd.grad(mse, logits)
print("dCE/dlogits  =", [round(g, 4) for g in grad_ce.tolist()], " (= probs - one_hot)")
print("dMSE/dlogits =", [round(g, 4) for g in grad_mse.tolist()])
'''


def more_pulled(result: RegressionResult) -> str:
    """The answer to "whose best line has the larger slope error, MSE's or MAE's?"."""
    fits = result.fits
    return "mse" if fits["mse"].optimum_slope_error >= fits["mae"].optimum_slope_error else "mae"
