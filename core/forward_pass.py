"""The forward pass: input → ``y = Wx + b`` → activation → output.

Four small experiments, each a frozen Config and a ``run_*`` returning numpy/float fields:
a line ``y = Wx + b`` and its MSE surface (with an autograd fit drawn on it); an MLP's
per-layer linear and activation outputs over the input plane, with and without the
activations; what the last layer hands out (probabilities or a value); and a real digit
image turned into a tensor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from core import codegen
from core.codegen import imports_code, source_code
from core.claims import Claim, no_negative_zero, vector
from core.data import line_data_code, load_digits, make_line_with_outliers, make_toy_2d, toy_2d_code
from core.models import MLPSpec, build_mlp
from core.seeding import make_generator
from core.text import number
from core.training import StepInfo, full_batch, make_optimizer, train

# --- 1. y = Wx + b ------------------------------------------------------------------------

LINE_SLOPE, LINE_INTERCEPT = 1.5, 0.5  # the line the 1-D data is drawn from
W_RANGE, B_RANGE = (-2.0, 5.0), (-3.0, 4.0)  # slider and contour ranges
# The page's other widget ranges (the claims tests walk each at its minimum and maximum).
NOISE_RANGE = (0.0, 2.0)
LR_CHOICES = (0.01, 0.03, 0.1, 0.3, 0.5, 0.7, 1.0)
DATASETS = ("circles", "moons", "xor", "spiral")
DEPTH_RANGE = (1, 4)
WIDTH_RANGE = (2, 12)


@dataclass(frozen=True)
class LineConfig:
    w: float = -1.0  # slope W chosen by hand (also the start of the autograd fit)
    b: float = 2.5  # intercept b chosen by hand
    noise: float = 0.5  # noise of the data around the true line
    fit: bool = False  # run gradient descent from (w, b) with autograd
    lr: float = 0.1  # SGD learning rate of that fit
    steps: int = 40  # SGD steps of that fit
    n: int = 40  # data points
    seed: int = 0


@dataclass(frozen=True)
class LineResult:
    w: float  # the hand-picked slope and intercept
    b: float
    x: np.ndarray  # (n,)
    y: np.ndarray  # (n,)
    prediction: np.ndarray  # (n,) w * x + b, computed by nn.Linear
    mse: float  # mean squared residual at (w, b)
    grid_w: np.ndarray  # (g,) contour axis
    grid_b: np.ndarray  # (g,)
    surface: np.ndarray  # (g, g) MSE at every (b, w): rows are b, columns w
    path_w: np.ndarray  # (steps+1,) W along the autograd fit (empty if fit is off)
    path_b: np.ndarray
    path_loss: np.ndarray  # (steps+1,) MSE along the fit
    diverged: bool
    diverged_at: int | None
    best_w: float  # the least-squares line, in closed form (float64)
    best_b: float
    grad: np.ndarray  # (2,) ∂MSE/∂(W, b) at the hand-picked (W, b), by autograd
    hessian_eigenvalues: np.ndarray  # (2,) curvature of the MSE bowl, flattest first
    lr: float  # the fit's learning rate
    steps: int  # the fit's steps


def line_data(cfg: LineConfig):
    return make_line_with_outliers(n=cfg.n, slope=LINE_SLOPE, intercept=LINE_INTERCEPT,
                                   noise=cfg.noise, n_outliers=0, seed=cfg.seed)


def run_line(cfg: LineConfig) -> LineResult:
    data = line_data(cfg)
    x, y = data.x, data.y  # (n, 1)
    model = nn.utils.skip_init(nn.Linear, 1, 1)  # no global-RNG draw
    with torch.no_grad():
        model.weight.fill_(cfg.w)
        model.bias.fill_(cfg.b)
        prediction = model(x)
        mse = float(nn.functional.mse_loss(prediction, y))
        # MSE over a (b, w) grid in one broadcast: (g, 1, 1) * (1, 1, n) -> (g, g, n)
        grid_w = torch.linspace(*W_RANGE, 71)
        grid_b = torch.linspace(*B_RANGE, 71)
        pred = grid_w[None, :, None] * x[:, 0][None, None, :] + grid_b[:, None, None]
        surface = ((pred - y[:, 0]) ** 2).mean(-1)
    path = [(cfg.w, cfg.b, mse)]
    diverged, diverged_at = False, None
    if cfg.fit:
        def record(info: StepInfo) -> None:
            path.append((float(model.weight.detach()), float(model.bias.detach()), float("nan")))

        history = train(model, nn.MSELoss(), make_optimizer("sgd", model.parameters(), cfg.lr),
                        full_batch(x, y), epochs=cfg.steps, callbacks=[record])
        # train() reports the loss *before* each step; the path wants it at each point.
        losses = [*history.train_loss[1:], float("nan")]
        if not history.diverged:
            with torch.no_grad():
                losses[-1] = float(nn.functional.mse_loss(model(x), y))
        path = [path[0]] + [(w, b, loss) for (w, b, _), loss in zip(path[1:], losses)]
        diverged, diverged_at = history.diverged, history.diverged_at
    path_array = np.array(path, dtype=float).reshape(-1, 3)
    # The bowl's exact shape: MSE(W, b) = mean((W x + b − y)²) is quadratic with Hessian
    # 2·[[E x², E x], [E x, 1]]; its minimum is the least-squares line.
    x64, y64 = x[:, 0].double(), y[:, 0].double()
    design = torch.stack([x64, torch.ones_like(x64)], 1)
    best = torch.linalg.lstsq(design, y64[:, None]).solution[:, 0]
    hessian = 2 * design.T @ design / len(x64)
    wb = torch.tensor([cfg.w, cfg.b], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(((design @ wb - y64) ** 2).mean(), wb)
    return LineResult(
        w=cfg.w, b=cfg.b, x=x[:, 0].numpy(), y=y[:, 0].numpy(), prediction=prediction[:, 0].numpy(), mse=mse,
        grid_w=grid_w.numpy(), grid_b=grid_b.numpy(), surface=surface.numpy(),
        path_w=path_array[:, 0] if cfg.fit else np.array([]),
        path_b=path_array[:, 1] if cfg.fit else np.array([]),
        path_loss=path_array[:, 2] if cfg.fit else np.array([]),
        diverged=diverged, diverged_at=diverged_at,
        best_w=float(best[0]), best_b=float(best[1]), grad=grad.numpy(),
        hessian_eigenvalues=torch.linalg.eigvalsh(hessian).numpy(), lr=cfg.lr, steps=cfg.steps,
    )


AT_BEST = 1e-3  # (W, b) this close to the least-squares line counts as on it
STRAIGHT = 10.0  # degrees: −gradient this close to the direction of the minimum


def gradient_angle(result: LineResult) -> float | None:
    """Degrees between −gradient at (W, b) and the direction to the best line (None: on it)."""
    to_best = np.array([result.best_w - result.w, result.best_b - result.b])
    distance = float(np.linalg.norm(to_best))
    if distance < AT_BEST:
        return None
    downhill = -result.grad
    cosine = float(downhill @ to_best / (np.linalg.norm(downhill) * distance))
    return math.degrees(math.acos(min(1.0, max(-1.0, cosine))))


def points_straight(result: LineResult) -> str | None:
    """The answer to "does −gradient point straight at the best line (within 10°)?"."""
    angle = gradient_angle(result)
    return None if angle is None else "yes" if angle <= STRAIGHT else "no"


def line_claims(result: LineResult) -> list[Claim]:
    low, high = (float(v) for v in result.hessian_eigenvalues)
    claims = [Claim("best", {"w": result.best_w, "b": result.best_b}),
              Claim("bowl", {"ratio": high / low, "low": low, "high": high})]
    angle = gradient_angle(result)
    if angle is None:
        claims.append(Claim("at_best"))
    else:
        claims.append(Claim("points_at" if angle <= STRAIGHT else "points_off", {"angle": angle}))
    if result.path_w.size:
        values = {"lr": result.lr, "limit": 2 / high, "half": 1 / high, "steps": result.steps}
        if result.diverged:
            claims.append(Claim("fit_diverged", values | {"step": result.diverged_at}))
        else:
            gap = float(np.hypot(result.path_w[-1] - result.best_w,
                                 result.path_b[-1] - result.best_b))
            claims.append(Claim("fit_reached" if gap < 0.01 else "fit_short",
                                values | {"gap": gap}))
            if result.lr * high > 1:
                claims.append(Claim("zigzag", values))
    return claims


# --- 2. layers of an MLP, with and without activations ---------------------------------

LAYER_ACTIVATIONS = ("relu", "tanh", "sigmoid")


@dataclass(frozen=True)
class LayersConfig:
    dataset: str = "circles"  # a core.data.TOY_2D_NAMES set
    depth: int = 2  # hidden layers
    width: int = 6  # units per hidden layer
    activation: str = "relu"  # the non-linearity; the other net uses nn.Identity
    steps: int = 150  # full-batch Adam steps
    lr: float = 0.05
    seed: int = 0


@dataclass(frozen=True)
class NetMaps:
    pre: list[np.ndarray]  # per hidden layer: (width, g, g) linear output z = Wx + b
    post: list[np.ndarray]  # per hidden layer: (width, g, g) activation output f(z)
    prob: np.ndarray  # (g, g) predicted probability of class 1
    accuracy: float  # training accuracy (nan if diverged)
    loss: np.ndarray  # (steps,)
    diverged: bool
    diverged_at: int | None


@dataclass(frozen=True)
class LayersResult:
    x: np.ndarray  # (n, 2) the data
    y: np.ndarray  # (n,)
    grid: np.ndarray  # (g,) both axes of the input plane
    nonlinear: NetMaps  # with cfg.activation
    linear: NetMaps  # the same net with every activation removed
    effective_w: np.ndarray  # (2, 2) W_out ... W_2 W_1 of the linear net, as one matrix
    effective_b: np.ndarray  # (2,)
    collapse_error: float  # max |linear net(x) − (W_eff x + b_eff)| on the grid


def _layer_data(cfg: LayersConfig):
    return make_toy_2d(cfg.dataset, n=200, noise=0.1, seed=cfg.seed)


def layers_spec(cfg: LayersConfig, activation: str, out_features: int) -> MLPSpec:
    """The page's nets: 2 inputs, ``depth`` hidden layers of ``width``, default init."""
    return MLPSpec(hidden=(cfg.width,) * cfg.depth, out_features=out_features, activation=activation)


@lru_cache(maxsize=64)
def _trained(cfg: LayersConfig, activation: str, regression: bool = False):
    """A trained net's state and history, cached: moving the input point must not retrain.

    Returns a state_dict (copied into fresh models by callers, so nobody shares a module).
    """
    data = _layer_data(cfg)
    spec = layers_spec(cfg, activation, 1 if regression else 2)
    model = build_mlp(spec, seed=cfg.seed)
    if regression:  # target: each point's distance from the origin, a continuous value
        loss_fn, target = nn.MSELoss(), data.x.norm(dim=1, keepdim=True)
    else:
        loss_fn, target = nn.CrossEntropyLoss(), data.y
    history = train(model, loss_fn, make_optimizer("adam", model.parameters(), lr=cfg.lr),
                    full_batch(data.x, target), epochs=cfg.steps, seed=cfg.seed)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return spec, state, history


def _load(cfg: LayersConfig, activation: str, regression: bool = False):
    # _trained reads the activation argument, never cfg.activation: keyed with it, the net
    # without activations is trained once for every choice of the page's activation.
    spec, state, history = _trained(replace(cfg, activation=activation), activation, regression)
    model = build_mlp(spec, seed=cfg.seed)
    model.load_state_dict(state)
    model.eval()
    return model, history


def _grid(data_x: torch.Tensor, points: int = 60) -> torch.Tensor:
    limit = float(data_x.abs().max()) + 0.3
    return torch.linspace(-limit, limit, points)


def _maps(model: nn.Sequential, history, grid: torch.Tensor, data) -> NetMaps:
    gx, gy = torch.meshgrid(grid, grid, indexing="xy")
    h = torch.stack([gx.ravel(), gy.ravel()], 1)  # (g*g, 2), rows sweep x first
    g = len(grid)
    pre, post = [], []
    with torch.no_grad():
        for name, module in model.named_children():
            h = module(h)
            if name.startswith("fc"):
                pre.append(h.T.reshape(-1, g, g).numpy())
            elif name.startswith("act"):
                post.append(h.T.reshape(-1, g, g).numpy())
        prob = torch.softmax(h, 1)[:, 1].reshape(g, g)
        accuracy = float((model(data.x).argmax(1) == data.y).float().mean())
    return NetMaps(pre=pre, post=post, prob=prob.numpy(),
                   accuracy=float("nan") if history.diverged else accuracy,
                   loss=np.array(history.train_loss), diverged=history.diverged,
                   diverged_at=history.diverged_at)


def effective_affine(model: nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    """(W, b) of the one affine map a net of 2 inputs without activations computes.
    Standalone: the code panel shows its source."""
    # Without activations the stack is one affine map: W_eff = W_out ... W_1, folded layer by layer
    w, b = torch.eye(2), torch.zeros(2)
    for fc in [m for m in model.modules() if isinstance(m, nn.Linear)]:
        w, b = fc.weight.detach() @ w, fc.weight.detach() @ b + fc.bias.detach()
    return w, b


def run_layers(cfg: LayersConfig) -> LayersResult:
    """Train the MLP twice (activation vs identity) and map every layer over the plane."""
    data = _layer_data(cfg)
    grid = _grid(data.x)
    nonlinear, h1 = _load(cfg, cfg.activation)
    linear, h2 = _load(cfg, "identity")
    w_eff, b_eff = effective_affine(linear)
    gx, gy = torch.meshgrid(grid, grid, indexing="xy")
    points = torch.stack([gx.ravel(), gy.ravel()], 1)
    with torch.no_grad():
        error = float((linear(points) - (points @ w_eff.T + b_eff)).abs().max())
    return LayersResult(
        x=data.x.numpy(), y=data.y.numpy(), grid=grid.numpy(),
        nonlinear=_maps(nonlinear, h1, grid, data), linear=_maps(linear, h2, grid, data),
        effective_w=w_eff.numpy(), effective_b=b_eff.numpy(), collapse_error=error,
    )


# --- 3. output: probabilities or a value -------------------------------------------------


@dataclass(frozen=True)
class OutputConfig:
    layers: LayersConfig = LayersConfig()  # the trained nets of section 2
    x1: float = 0.3  # the input point
    x2: float = 0.2


@dataclass(frozen=True)
class OutputResult:
    logits: np.ndarray  # (2,) raw scores of the classifier's last Linear
    probs: np.ndarray  # (2,) softmax(logits): non-negative, sum to 1
    value: float  # the regression net's single output (no activation on it)
    true_value: float  # the distance from the origin it was trained to predict


def run_outputs(cfg: OutputConfig) -> OutputResult:
    classifier, _ = _load(cfg.layers, cfg.layers.activation)
    regressor, _ = _load(cfg.layers, cfg.layers.activation, regression=True)
    point = torch.tensor([[cfg.x1, cfg.x2]])  # (1, 2): a batch of one
    with torch.no_grad():
        logits = classifier(point)[0]
        value = float(regressor(point)[0, 0])
    return OutputResult(logits=logits.numpy(), probs=torch.softmax(logits, 0).numpy(),
                        value=value, true_value=math.hypot(cfg.x1, cfg.x2))


def output_notice_values(result: OutputResult) -> dict[str, object]:
    """The output notice's numbers. Probabilities keep three significant digits, not three
    decimals: softmax is never exactly 0, and "[0.0, 1.0]" beside "non-negative" read as if it were."""
    probs = ", ".join(number(float(p), ".3g") for p in result.probs)
    return {"logits": vector(result.logits, 2), "probs": f"[{probs}]",
            "total": float(result.probs.sum()), "value": result.value}


# --- 4. input processing: a digit image becomes a tensor ---------------------------------


@dataclass(frozen=True)
class DigitConfig:
    index: int = 0  # which of the 1,797 scikit-learn digits
    scale: bool = True  # divide by 16 so pixels lie in [0, 1]
    seed: int = 0  # init of the first Linear(64, 10) the vector is fed to


@dataclass(frozen=True)
class DigitResult:
    image: np.ndarray  # (8, 8) the pixels as fed to the model
    label: int
    shape: tuple[int, ...]  # (1, 1, 8, 8): batch, channel, height, width
    dtype: str
    min_value: float
    max_value: float
    flat: np.ndarray  # (64,) the flattened row vector
    flat_shape: tuple[int, ...]  # (1, 64)
    logits: np.ndarray  # (10,) an untrained Linear(64, 10) applied to it
    logits_shape: tuple[int, ...]


def run_digit(cfg: DigitConfig) -> DigitResult:
    digits = load_digits()
    index = int(cfg.index) % len(digits.labels)
    x = digits.images[index : index + 1]  # (1, 1, 8, 8) float32, values 0..16
    if cfg.scale:
        x = x / 16.0
    flat = nn.Flatten()(x)  # (1, 64)
    layer = nn.utils.skip_init(nn.Linear, 64, 10)
    g = make_generator(cfg.seed)
    with torch.no_grad():
        bound = 1 / math.sqrt(64)
        layer.weight.uniform_(-bound, bound, generator=g)
        layer.bias.uniform_(-bound, bound, generator=g)
        logits = layer(flat)
    return DigitResult(
        image=x[0, 0].numpy(), label=int(digits.labels[index]), shape=tuple(x.shape),
        dtype=str(x.dtype).replace("torch.", ""), min_value=float(x.min()),
        max_value=float(x.max()), flat=flat[0].numpy(), flat_shape=tuple(flat.shape),
        logits=logits[0].numpy(), logits_shape=tuple(logits.shape),
    )


# --- code panels -------------------------------------------------------------------------


def line_code(cfg: LineConfig) -> str:
    data = line_data_code(cfg.n, LINE_SLOPE, LINE_INTERCEPT, cfg.noise, 0, 0.0, "up", cfg.seed)
    fit = f'''
# Fit with autograd: full-batch gradient descent from (W, b) = ({cfg.w}, {cfg.b})
optimizer = {codegen.optimizer_code("sgd", cfg.lr)}
path = [(model.weight.item(), model.bias.item())]
{codegen.training_loop_code(epochs=cfg.steps, batches="[(x, y)]", losses=None,
                    on_step="path.append((model.weight.item(), model.bias.item()))")}print(f"after {{len(path) - 1}} steps: W = {{path[-1][0]:.4f}}, b = {{path[-1][1]:.4f}}")
''' if cfg.fit else ""
    return f'''{imports_code()}
# Data: y = {LINE_SLOPE}x + {LINE_INTERCEPT} plus noise
{data}
model = nn.Linear(1, 1)  # y = Wx + b
with torch.no_grad():  # setting weights by hand is not a step to differentiate: no_grad is
    model.weight.fill_({cfg.w})  # for manual updates and init too, not only for evaluation
    model.bias.fill_({cfg.b})
loss_fn = nn.MSELoss()
with torch.no_grad():
    mse = loss_fn(model(x), y).item()
print(f"W = {cfg.w}, b = {cfg.b}: MSE = {{mse:.4f}}")
{fit}'''


def _train_code(cfg: LayersConfig, activation: str, out: int, target: str, loss: str,
                act_expr: str | None = None) -> str:
    return f'''{codegen.mlp_code(layers_spec(cfg, activation, out), str(cfg.seed), act_expr)}target = {target}
loss_fn = {loss}
optimizer = {codegen.optimizer_code("adam", cfg.lr)}
{codegen.training_loop_code(epochs=cfg.steps, batches="[(x, target)]", losses=None)}'''


def layers_code(cfg: LayersConfig) -> str:
    return f'''{imports_code()}
# Data: {cfg.dataset}, 200 points
{toy_2d_code(cfg.dataset, 200, 0.1, cfg.seed)}
accuracy = {{}}
for activation in ["{cfg.activation}", "identity"]:
    def make_act():
        return {{"{cfg.activation}": {codegen.ACTIVATION_CODE[cfg.activation]}, "identity": nn.Identity()}}[activation]
{codegen.indent(_train_code(cfg, cfg.activation, 2, "y", "nn.CrossEntropyLoss()", "make_act()"))}
    with torch.no_grad():
        accuracy[activation] = (model(x).argmax(1) == y).float().mean().item()
        z1 = model[0](x)          # layer 1, linear part: z = W1 x + b1, shape (200, {cfg.width})
        a1 = model[1](z1)         # layer 1 after the activation
    print(f"{{activation:>8}}: accuracy {{accuracy[activation]:.3f}}")


{source_code(effective_affine)}

W, b = effective_affine(model)
with torch.no_grad():
    collapse_error = (model(x) - (x @ W.T + b)).abs().max().item()
print("W_eff =", W.tolist(), " max |net(x) - (W_eff x + b_eff)| =", collapse_error)
'''


def outputs_code(cfg: OutputConfig) -> str:
    lc = cfg.layers
    act = lc.activation
    return f'''{imports_code()}
# Data: {lc.dataset}, 200 points
{toy_2d_code(lc.dataset, 200, 0.1, lc.seed)}
point = torch.tensor([[{cfg.x1}, {cfg.x2}]])  # one input, as a batch of one: (1, 2)

# Classification: 2 logits -> softmax -> probabilities
{_train_code(lc, act, 2, "y", "nn.CrossEntropyLoss()")}with torch.no_grad():
    logits = model(point)[0]
    probs = torch.softmax(logits, dim=0)
print("logits", logits.tolist(), "-> probabilities", probs.tolist(), "sum", probs.sum().item())

# Regression: the same body with 1 output and no activation on it: a single number
{_train_code(lc, act, 1, "x.norm(dim=1, keepdim=True)  # distance from the origin",
             "nn.MSELoss()")}with torch.no_grad():
    value = model(point)[0, 0].item()
print(f"predicted value {{value:.4f}}, true distance {{math.hypot({cfg.x1}, {cfg.x2}):.4f}}")
'''


def digit_code(cfg: DigitConfig) -> str:
    scale = "x = x / 16.0  # pixels 0..16 -> 0..1\n" if cfg.scale else ""
    return f'''{imports_code(digits=True)}
digits = load_digits()
image = digits.images[{cfg.index}]          # numpy float64, (8, 8)
print("label", digits.target[{cfg.index}])
x = torch.tensor(image, dtype=torch.float32)[None, None]  # (batch, channel, H, W) = (1, 1, 8, 8)
{scale}print("shape", tuple(x.shape), "dtype", x.dtype, "range", x.min().item(), x.max().item())
flat = nn.Flatten()(x)                        # (1, 64): one row vector per image
layer = nn.Linear(64, 10)
g = torch.Generator().manual_seed({cfg.seed})
with torch.no_grad():
    layer.weight.uniform_(-1 / math.sqrt(64), 1 / math.sqrt(64), generator=g)
    layer.bias.uniform_(-1 / math.sqrt(64), 1 / math.sqrt(64), generator=g)
    logits = layer(flat)                      # (1, 10): one score per digit class
print("flattened", tuple(flat.shape), "-> Linear(64, 10) ->", tuple(logits.shape))
'''


def layers_claims(result: LayersResult, cfg: LayersConfig) -> list[Claim]:
    rows = ", ".join("[" + ", ".join(no_negative_zero(v, 2) for v in row) + "]"
                     for row in result.effective_w)
    claims = []
    if not result.linear.diverged:
        claims.append(Claim("collapse" if cfg.depth > 1 else "collapse_one", {"depth": cfg.depth, "weff": f"[{rows}]",
                                         "err": result.collapse_error}))
    nonlinear, linear = result.nonlinear, result.linear
    if nonlinear.diverged or linear.diverged:
        return claims
    values = {"with": 100 * nonlinear.accuracy, "without": 100 * linear.accuracy}
    diff = nonlinear.accuracy - linear.accuracy
    claims.append(Claim("bends" if diff >= 0.02 else "no_gain" if diff > -0.02 else "worse",
                        values | {"diff": abs(100 * diff)}))
    return claims
