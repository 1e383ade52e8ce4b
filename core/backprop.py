"""Backpropagation: the chain rule on a small graph, which parameter matters how much, and
what ``optimizer.zero_grad()`` is for (and when skipping it on purpose is useful).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from core import codegen
from core.codegen import imports_code, indent, loader_code
from core.claims import Claim
from core.data import line_data_code, make_line_with_outliers, make_toy_2d, toy_2d_code
from core.models import MLPSpec, build_mlp
from core.training import (
    ResumableRuns, StepInfo, Trainer, full_batch, make_loader, make_optimizer, train,
)

GRAPH_ACTIVATIONS = ("tanh", "sigmoid", "relu")
PARAMS = ("w1", "b1", "w2", "b2")

# --- 1. the chain rule on a two-layer scalar network --------------------------------------


@dataclass(frozen=True)
class GraphConfig:
    x: float = 1.5  # the input
    y: float = 0.5  # the target
    w1: float = 0.8  # z = w1·x + b1
    b1: float = -0.2
    w2: float = 1.2  # ŷ = w2·h + b2, with h = act(z)
    b2: float = 0.1
    activation: str = "tanh"  # one of GRAPH_ACTIVATIONS
    eps: float = 1e-4  # finite-difference step


@dataclass(frozen=True)
class GraphResult:
    params: dict[str, float]  # w1, b1, w2, b2
    values: dict[str, float]  # forward value of every node: z, h, y_hat, loss
    node_grads: dict[str, float]  # ∂L/∂node for z, h, y_hat (autograd, retain_grad)
    local: dict[str, float]  # local derivative of each edge, e.g. "dh/dz" (autograd per edge)
    param_grads: dict[str, float]  # ∂L/∂w1 … from loss.backward()
    chain: dict[str, list[str]]  # param -> the local derivatives multiplied by the chain rule
    chain_product: dict[str, float]  # param -> that product
    finite_diff: dict[str, float]  # param -> (L(p+ε) − L(p−ε)) / 2ε


def _activation(name: str):
    if name not in GRAPH_ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}")
    return {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[name]


def graph_loss(cfg: GraphConfig, **override: float) -> float:
    """L = (w2·act(w1·x + b1) + b2 − y)² in float64, with parameters optionally overridden."""
    p = {name: getattr(cfg, name) for name in PARAMS} | override
    h = _activation(cfg.activation)(torch.tensor(p["w1"] * cfg.x + p["b1"], dtype=torch.float64))
    return float((p["w2"] * h + p["b2"] - cfg.y) ** 2)


def run_graph(cfg: GraphConfig) -> GraphResult:
    act = _activation(cfg.activation)
    p = {n: torch.tensor(getattr(cfg, n), dtype=torch.float64, requires_grad=True)
         for n in PARAMS}
    x, y = torch.tensor(cfg.x, dtype=torch.float64), torch.tensor(cfg.y, dtype=torch.float64)
    z = p["w1"] * x + p["b1"]
    h = act(z)
    y_hat = p["w2"] * h + p["b2"]
    loss = (y_hat - y) ** 2

    # Local derivatives, each from its own small autograd call (independent of backward()).
    def d(out: torch.Tensor, inp: torch.Tensor) -> float:
        (g,) = torch.autograd.grad(out, inp, retain_graph=True)
        return float(g)

    local = {
        "dL/dŷ": d(loss, y_hat), "dŷ/dh": d(y_hat, h), "dŷ/dw2": d(y_hat, p["w2"]),
        "dŷ/db2": d(y_hat, p["b2"]), "dh/dz": d(h, z), "dz/dw1": d(z, p["w1"]),
        "dz/db1": d(z, p["b1"]),
    }
    for node in (z, h, y_hat):
        # Keep ∂L/∂node of intermediate nodes; registered after the local grad() calls
        # above, which would otherwise have been added in as well.
        node.retain_grad()
    loss.backward()
    chain = {
        "w2": ["dL/dŷ", "dŷ/dw2"], "b2": ["dL/dŷ", "dŷ/db2"],
        "w1": ["dL/dŷ", "dŷ/dh", "dh/dz", "dz/dw1"], "b1": ["dL/dŷ", "dŷ/dh", "dh/dz", "dz/db1"],
    }
    finite_diff = {
        n: (graph_loss(cfg, **{n: getattr(cfg, n) + cfg.eps})
            - graph_loss(cfg, **{n: getattr(cfg, n) - cfg.eps})) / (2 * cfg.eps)
        for n in PARAMS
    }
    return GraphResult(
        params={n: getattr(cfg, n) for n in PARAMS},
        values={"x": cfg.x, "y": cfg.y, "z": float(z.detach()), "h": float(h.detach()),
                "y_hat": float(y_hat.detach()), "loss": float(loss.detach())},
        node_grads={"z": float(z.grad), "h": float(h.grad), "y_hat": float(y_hat.grad)},
        local=local,
        param_grads={n: float(p[n].grad) for n in PARAMS},
        chain=chain,
        chain_product={n: float(np.prod([local[f] for f in chain[n]])) for n in PARAMS},
        finite_diff=finite_diff,
    )


# --- 2. which parameter matters how much -------------------------------------------------


@dataclass(frozen=True)
class ParamGradConfig:
    activation: str = "sigmoid"  # hidden activation of the MLP
    depth: int = 3  # hidden layers
    width: int = 16  # units per hidden layer
    optimizer: str = "sgd"  # "sgd" or "adam"
    lr: float = 0.5
    steps: int = 150  # full-batch steps
    seed: int = 0


@dataclass(frozen=True)
class ParamGradResult:
    names: list[str]  # parameter tensors, input side first: fc1.weight, fc1.bias, …
    shapes: list[tuple[int, ...]]
    grad_norms: np.ndarray  # (steps, P) ‖∂L/∂θ‖ of each tensor at each step
    loss: np.ndarray  # (steps,)
    accuracy: float  # final training accuracy (nan if diverged)
    diverged: bool
    diverged_at: int | None
    prob_spread: float = float("nan")  # max over samples of |p(class 1) − 0.5| at the end


def param_grad_data(cfg: ParamGradConfig):
    return make_toy_2d("moons", n=200, noise=0.1, seed=cfg.seed)


def run_param_grads(cfg: ParamGradConfig) -> ParamGradResult:
    """Train a small MLP and record every parameter tensor's gradient norm at every step."""
    data = param_grad_data(cfg)
    spec = MLPSpec(hidden=(cfg.width,) * cfg.depth, activation=cfg.activation)
    model = build_mlp(spec, seed=cfg.seed)
    named = list(model.named_parameters())
    norms: list[list[float]] = []

    def record(info: StepInfo) -> None:  # after step(): .grad still holds this step's gradient
        norms.append([float(p.grad.norm()) for _, p in named])

    history = train(model, nn.CrossEntropyLoss(),
                    make_optimizer(cfg.optimizer, model.parameters(), lr=cfg.lr),
                    full_batch(data.x, data.y), epochs=cfg.steps, callbacks=[record],
                    seed=cfg.seed)
    with torch.no_grad():
        logits = model(data.x)
        accuracy = float((logits.argmax(1) == data.y).float().mean())
        prob_spread = float((torch.softmax(logits, 1)[:, 1] - 0.5).abs().max())
    return ParamGradResult(
        names=[n for n, _ in named], shapes=[tuple(p.shape) for _, p in named],
        grad_norms=np.array(norms).reshape(-1, len(named)), loss=np.array(history.train_loss),
        accuracy=float("nan") if history.diverged else accuracy,
        diverged=history.diverged, diverged_at=history.diverged_at,
        prob_spread=float("nan") if history.diverged else prob_spread,
    )


# --- 3. zero_grad: forgetting it, and accumulating on purpose ----------------------------


@dataclass(frozen=True)
class ZeroGradConfig:
    lr: float = 0.1  # SGD learning rate of both runs
    steps: int = 40  # SGD steps of both runs
    seed: int = 0


@dataclass(frozen=True)
class ZeroGradRun:
    loss: np.ndarray  # (steps,) loss at each step
    grads: np.ndarray  # (steps, 2) .grad of (W, b) when optimizer.step() ran
    fresh_grads: np.ndarray  # (steps, 2) the gradient of that step's loss alone
    diverged: bool
    diverged_at: int | None


@dataclass(frozen=True)
class ZeroGradResult:
    with_zero_grad: ZeroGradRun
    without_zero_grad: ZeroGradRun


def zero_grad_data(cfg: ZeroGradConfig):
    return make_line_with_outliers(n=60, slope=2.0, intercept=1.0, noise=0.5, n_outliers=0,
                                   seed=cfg.seed)


def _line_gradient(x: torch.Tensor, y: torch.Tensor, w: float, b: float) -> list[float]:
    model = nn.utils.skip_init(nn.Linear, 1, 1)  # no global-RNG draw
    with torch.no_grad():
        model.weight.fill_(w)
        model.bias.fill_(b)
    nn.functional.mse_loss(model(x), y).backward()
    return [float(model.weight.grad), float(model.bias.grad)]


_ZERO_RUNS = ResumableRuns(max_entries=32)  # (lr, seed, with/without) → a kept run


def _zero_grad_trainer(cfg: ZeroGradConfig, zero_grad: bool):
    """A Trainer of the line fit and the lists its callback fills after every step:
    ``.grad`` of (W, b) when optimizer.step() ran, and (W, b) before each step."""
    data = zero_grad_data(cfg)
    model = nn.utils.skip_init(nn.Linear, 1, 1)  # no global-RNG draw
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    params = [(0.0, 0.0)]  # (W, b) before each step
    grads: list[list[float]] = []

    def record(info: StepInfo) -> None:
        grads.append([float(model.weight.grad), float(model.bias.grad)])
        params.append((float(model.weight.detach()), float(model.bias.detach())))

    trainer = Trainer(model, nn.MSELoss(), make_optimizer("sgd", model.parameters(), lr=cfg.lr),
                      full_batch(data.x, data.y), zero_grad=zero_grad, callbacks=[record])
    return trainer, grads, params


def _zero_grad_run(cfg: ZeroGradConfig, zero_grad: bool) -> ZeroGradRun:
    """One full-batch step per epoch: the run of ``cfg.steps`` steps continues the kept run of
    the same lr with fewer steps, or is cut from a longer one (the same numbers as one run)."""
    data = zero_grad_data(cfg)
    history, (grads, before) = _ZERO_RUNS.history(
        (replace(cfg, steps=0), zero_grad), lambda: _zero_grad_trainer(cfg, zero_grad),
        cfg.steps, read=lambda kept: (kept[1][: cfg.steps], kept[2][: min(cfg.steps, len(kept[1]))]))
    # What each step's loss alone contributes: the gradient at the parameters of that step.
    fresh = [_line_gradient(data.x, data.y, w, b) for w, b in before]
    return ZeroGradRun(loss=np.array(history.train_loss),
                       grads=np.array(grads).reshape(-1, 2),
                       fresh_grads=np.array(fresh).reshape(-1, 2),
                       diverged=history.diverged, diverged_at=history.diverged_at)


def run_zero_grad(cfg: ZeroGradConfig) -> ZeroGradResult:
    """The same SGD fit of a line, with and without optimizer.zero_grad() each step."""
    return ZeroGradResult(_zero_grad_run(cfg, True), _zero_grad_run(cfg, False))


@dataclass(frozen=True)
class AccumulationConfig:
    k: int = 4  # micro-batches accumulated per optimizer step
    micro_batch: int = 8  # samples per micro-batch
    steps: int = 30  # optimizer steps of both runs
    lr: float = 0.3  # SGD learning rate
    seed: int = 0


@dataclass(frozen=True)
class AccumulationResult:
    names: list[str]  # parameter tensors
    grad_accumulated: list[np.ndarray]  # first step: .grad after k micro-batch backward()s
    grad_big_batch: list[np.ndarray]  # first step: .grad of one batch k times larger
    loss_accumulated: np.ndarray  # (steps,)
    loss_big_batch: np.ndarray  # (steps,)
    param_gap: np.ndarray  # (steps,) max |θ_accumulated − θ_big| after each step
    diverged: bool
    diverged_at: int | None


def accumulation_data(cfg: AccumulationConfig):
    # Four big batches per epoch, so the micro-batches line up with the big ones.
    return make_toy_2d("moons", n=4 * cfg.k * cfg.micro_batch, noise=0.1, seed=cfg.seed)


def run_accumulation(cfg: AccumulationConfig) -> AccumulationResult:
    """train(accumulate=k) over micro-batches vs train() over batches k times larger."""
    data = accumulation_data(cfg)
    spec = MLPSpec(hidden=(16,), activation="tanh")
    epochs = -(-cfg.steps // 4)
    runs = []
    for batch, accumulate in ((cfg.micro_batch, cfg.k), (cfg.k * cfg.micro_batch, 1)):
        model = build_mlp(spec, seed=cfg.seed)
        first_grad: list[np.ndarray] = []
        params: list[torch.Tensor] = []

        def record(info: StepInfo, model=model, first_grad=first_grad, params=params) -> None:
            if not first_grad:
                first_grad.extend(p.grad.detach().numpy().copy() for p in model.parameters())
            params.append(torch.cat([p.detach().ravel() for p in model.parameters()]))

        # Same shuffling seed: the sampler's permutation does not depend on the batch size.
        loader = make_loader(data.x, data.y, batch, shuffle=True, seed=cfg.seed)
        history = train(model, nn.CrossEntropyLoss(),
                        make_optimizer("sgd", model.parameters(), lr=cfg.lr), loader,
                        epochs=epochs, max_steps=cfg.steps, accumulate=accumulate,
                        callbacks=[record], seed=cfg.seed)
        runs.append((history, first_grad, params, [n for n, _ in model.named_parameters()]))
    (h_acc, g_acc, p_acc, names), (h_big, g_big, p_big, _) = runs
    gap = [float((a - b).abs().max()) for a, b in zip(p_acc, p_big)]
    return AccumulationResult(
        names=names, grad_accumulated=g_acc, grad_big_batch=g_big,
        loss_accumulated=np.array(h_acc.train_loss), loss_big_batch=np.array(h_big.train_loss),
        param_gap=np.array(gap), diverged=h_acc.diverged or h_big.diverged,
        diverged_at=h_acc.diverged_at or h_big.diverged_at,
    )


# --- code panels -------------------------------------------------------------------------


def graph_code(cfg: GraphConfig) -> str:
    act = {"tanh": "torch.tanh", "sigmoid": "torch.sigmoid", "relu": "torch.relu"}[
        cfg.activation]
    return f'''import torch

def f(w1, b1, w2, b2, x={cfg.x}, y={cfg.y}):
    z = w1 * x + b1          # layer 1, linear
    h = {act}(z)        # activation
    y_hat = w2 * h + b2      # layer 2, linear
    return (y_hat - y) ** 2, (z, h, y_hat)

params = {{n: torch.tensor(v, dtype=torch.float64, requires_grad=True)
          for n, v in dict(w1={cfg.w1}, b1={cfg.b1}, w2={cfg.w2}, b2={cfg.b2}).items()}}
loss, (z, h, y_hat) = f(**params)
for node in (z, h, y_hat):
    node.retain_grad()       # keep the gradient of intermediate nodes too
loss.backward()
print(f"z = {{z.item():.4f}}, h = {{h.item():.4f}}, y_hat = {{y_hat.item():.4f}}, "
      f"L = {{loss.item():.4f}}")
print(f"dL/dy_hat = {{y_hat.grad.item():.4f}}, dL/dh = {{h.grad.item():.4f}}, "
      f"dL/dz = {{z.grad.item():.4f}}")

eps = {cfg.eps}
autograd, finite_diff = {{}}, {{}}
for name, p in params.items():
    plus = {{n: v.detach() + (eps if n == name else 0) for n, v in params.items()}}
    minus = {{n: v.detach() - (eps if n == name else 0) for n, v in params.items()}}
    autograd[name] = p.grad.item()
    finite_diff[name] = ((f(**plus)[0] - f(**minus)[0]) / (2 * eps)).item()
    print(f"dL/d{{name}}: autograd {{autograd[name]:+.6f}}   finite difference "
          f"{{finite_diff[name]:+.6f}}")
'''


def param_grads_code(cfg: ParamGradConfig) -> str:
    return f'''{imports_code()}
# Data: two moons, 200 points
{toy_2d_code("moons", 200, 0.1, cfg.seed)}
{codegen.mlp_code(MLPSpec(hidden=(cfg.width,) * cfg.depth, activation=cfg.activation), str(cfg.seed))}
loss_fn = nn.CrossEntropyLoss()
optimizer = {codegen.optimizer_code(cfg.optimizer, cfg.lr)}
grad_norms = []  # one row per step: |dL/dθ| of each parameter tensor
{codegen.training_loop_code(
    epochs=cfg.steps, batches="[(x, y)]", losses=None,
    on_step="grad_norms.append([p.grad.norm().item() for p in model.parameters()])")}mean = torch.tensor(grad_norms).mean(0)
for (name, p), g in zip(model.named_parameters(), mean.tolist()):
    print(f"{{name:>9}} {{str(tuple(p.shape)):>9}}: mean |grad| {{g:.2e}}")
'''


def zero_grad_code(cfg: ZeroGradConfig) -> str:
    return f'''{imports_code()}
# Data: y = 2x + 1 plus noise
{line_data_code(60, 2.0, 1.0, 0.5, 0, 0.0, "up", cfg.seed)}
for zero_grad in (True, False):
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    optimizer = {codegen.optimizer_code("sgd", cfg.lr)}
    loss_fn = nn.functional.mse_loss
    grads = []  # .grad after each step: this step's gradient, plus all earlier ones if not zeroed
{codegen.indent(codegen.training_loop_code(
    epochs=cfg.steps, batches="[(x, y)]", zero_grad="zero_grad",
    on_step="grads.append([model.weight.grad.item(), model.bias.grad.item()])"))}    print(f"zero_grad={{zero_grad}}: final loss {{losses[-1]:.4f}}, "
          f"|grad| at the last step {{torch.tensor(grads[-1]).norm():.3f}}")
'''


def accumulation_code(cfg: AccumulationConfig) -> str:
    n = 4 * cfg.k * cfg.micro_batch
    epochs = -(-cfg.steps // 4)
    return f'''{imports_code(loader=True)}
# Data: two moons, {n} points
{toy_2d_code("moons", n, 0.1, cfg.seed)}
k = {cfg.k}  # micro-batches per optimizer step
final = {{}}
for batch_size, accumulate in (({cfg.micro_batch}, k), ({cfg.k * cfg.micro_batch}, 1)):
{codegen.indent(codegen.mlp_code(MLPSpec(hidden=(16,), activation="tanh"), str(cfg.seed)))}
{indent(loader_code("x", "y", "batch_size"))}    optimizer = {codegen.optimizer_code("sgd", cfg.lr)}
    loss_fn = nn.CrossEntropyLoss()
{codegen.indent(codegen.training_loop_code(
    epochs=epochs, max_steps=cfg.steps, accumulate="accumulate", losses=None))}    final[accumulate] = torch.cat([p.detach().ravel() for p in model.parameters()])
gap = (final[k] - final[1]).abs().max().item()
print(f"max |θ(accumulate={{k}} x {cfg.micro_batch}) - θ(one batch of {cfg.k * cfg.micro_batch})| "
      f"after {cfg.steps} steps: {{gap:.2e}}")
'''




# --- claims: what each "what to notice" may say about these numbers --------------------

# The page's widget ranges (the claims tests walk each at its minimum and maximum).
GRAPH_RANGE = (-4.0, 4.0)  # x, y, w1, b1, w2, b2
DEPTH_RANGE = (1, 6)
PARAM_LR_CHOICES = (0.001, 0.01, 0.03, 0.1, 0.5, 1.0, 3.0, 10.0, 30.0)
ZERO_LR_CHOICES = (0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5)
ZERO_STEPS_RANGE = (5, 100)
K_RANGE = (1, 8)
MICRO_RANGE = (2, 32)
FD_AGREE = 1e-6  # autograd and the finite difference agree to this
FLAT = 0.05  # |dh/dz| below this: the first layer learns almost nothing
LN2 = float(np.log(2))  # cross-entropy of answering 50/50 on two classes


def graph_claims(result: GraphResult, cfg: GraphConfig) -> list[Claim]:
    autograd = result.param_grads
    chain_gap = max(abs(result.chain_product[n] - autograd[n]) for n in PARAMS)
    fd_gap = max(abs(result.finite_diff[n] - autograd[n]) for n in PARAMS)
    claims = []
    if chain_gap <= 1e-12 * max(1.0, *(abs(g) for g in autograd.values())):
        claims.append(Claim("chain"))
    z = result.values["z"]
    # Does nudging w1 or b1 by ±eps move z across ReLU's kink at 0?
    crosses_kink = cfg.activation == "relu" and abs(z) < cfg.eps * max(abs(cfg.x), 1.0)
    if fd_gap <= FD_AGREE:
        claims.append(Claim("fd_agree", {"eps": cfg.eps, "gap": max(fd_gap, 1e-12)}))
    elif crosses_kink:
        claims.append(Claim("fd_kink", {"eps": cfg.eps, "gap": fd_gap, "z": z + 0.0}))
    else:
        claims.append(Claim("fd_disagree", {"eps": cfg.eps, "gap": fd_gap}))
    dhdz = result.local["dh/dz"]
    if dhdz == 0:
        claims.append(Claim("dhdz_zero"))
    elif abs(dhdz) < FLAT:
        claims.append(Claim("dhdz_flat", {"dhdz": dhdz}))
    else:
        claims.append(Claim("dhdz", {"dhdz": dhdz}))
    return claims


def param_claims(result: ParamGradResult, cfg: ParamGradConfig) -> list[Claim]:
    claims: list[Claim] = []
    finite = np.where(np.isfinite(result.grad_norms), result.grad_norms, np.nan)
    if not result.diverged and len(result.loss):
        start, end = float(result.loss[0]), float(result.loss[-1])
        values = {"start": start, "end": end, "acc": 100 * result.accuracy, "ln2": LN2,
                  "spread": 100 * result.prob_spread}
        if abs(end - LN2) < 0.01 and result.prob_spread < 0.05:
            claims.append(Claim("stuck", values))  # every output still close to 50/50
        elif end < start - 0.01:
            claims.append(Claim("learned", values))
        elif end > start + 0.01:
            claims.append(Claim("rose", values))
        else:
            claims.append(Claim("flat", values))
    if np.isfinite(finite).any():
        mean = np.nanmean(np.where(np.isfinite(finite).any(0), finite, 0.0), axis=0)
        top, bottom = int(np.argmax(mean)), int(np.argmin(mean))
        claims.append(Claim("ratio", {"top": result.names[top], "bottom": result.names[bottom],
                                      "ratio": f"{mean[top] / max(mean[bottom], 1e-30):.3g}"}))
        weights = [i for i, n in enumerate(result.names) if n.endswith("weight")]
        first, head = mean[weights[0]], mean[weights[-1]]
        if head > 0 and first < 0.1 * head:
            claims.append(Claim("first_small", {"share": f"{first / head:.2g}"}))
        claims.append(Claim("sgd_moves" if cfg.optimizer == "sgd" else "adam_moves"))
    return claims


def zero_claims(result: ZeroGradResult) -> list[Claim]:
    forgot, clean = result.without_zero_grad, result.with_zero_grad
    claims: list[Claim] = []
    k = len(forgot.grads)
    if k and np.all(np.isfinite(forgot.grads[-1])):
        total = forgot.fresh_grads.sum(0)
        if np.allclose(forgot.grads[-1], total, rtol=1e-4, atol=1e-5):
            claims.append(Claim("sum", {"k": k, "acc": np.round(forgot.grads[-1], 3).tolist(),
                                        "total": np.round(total, 3).tolist()}))
    if forgot.diverged:
        claims.append(Claim("blew_up", {"step": forgot.diverged_at}))
        return claims
    if clean.diverged:
        return claims
    bad, good = float(forgot.loss[-1]), float(clean.loss[-1])
    rises = np.flatnonzero(np.diff(forgot.loss) > 0)
    values = {"bad": bad, "good": good}
    if bad > 1.01 * good:
        if rises.size:
            claims.append(Claim("overshoot", values | {"step": int(rises[0]) + 2}))
        else:
            claims.append(Claim("worse", values))
    elif bad < good / 1.01:
        claims.append(Claim("momentum", values))
    else:
        claims.append(Claim("same", values))
    return claims


def accumulation_claims(result: AccumulationResult, cfg: AccumulationConfig) -> list[Claim]:
    grad_gap = max((float(np.abs(a - b).max())
                    for a, b in zip(result.grad_accumulated, result.grad_big_batch)), default=0.0)
    param_gap = float(result.param_gap.max(initial=0.0))
    values = {"grad_gap": grad_gap, "steps": len(result.param_gap), "param_gap": param_gap,
              "k": cfg.k, "micro": cfg.micro_batch}
    if cfg.k == 1:  # one micro-batch is the big batch: nothing is accumulated or traded
        exact = grad_gap == 0 and param_gap == 0
        return [Claim("single_exact" if exact else "single", values)]
    if grad_gap < 1e-5 and param_gap < 1e-4:
        return [Claim("same", values)]
    return [Claim("differs", values)]


def fd_agrees(result: GraphResult) -> str:
    """The answer to "will the finite difference agree with autograd?": "yes" or "no"."""
    gap = max(abs(result.finite_diff[n] - result.param_grads[n]) for n in PARAMS)
    return "yes" if gap <= FD_AGREE else "no"
