"""Batch normalization: activation statistics per layer, batch vs running statistics, pitfalls.

Three experiments, each a frozen Config and a ``run_*`` returning numpy/floats:

* ``run_bn_training``: the same deep MLP trained on raw digit pixels (0..16) with and
  without BatchNorm1d, recording the mean/std of each layer's pre-activation during the
  real training forwards.
* ``run_running_stats``: a BatchNorm1d fed batches from a known distribution; how its
  running mean follows ``(1 - m)·running + m·batch_mean`` and what train vs eval mode
  does to one and the same sample.
* ``run_pitfalls``: a batch of 1 (error) or 2 (every output ±1) in train mode, and a
  trained network evaluated while still in train mode, with accuracy.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core import codegen
from core.claims import Claim, printed_gap
from core.data import digits_split_code, load_digits, split_indices
from core.codegen import imports_code, indent, loader_code, mlp_code, optimizer_code, source_code, training_loop_code
from core.models import MLPSpec, build_mlp
from core.seeding import make_generator
from core.training import make_loader, make_optimizer, train

# Widget ranges of the page (the claims tests walk them).
LR_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.5, 1.0)  # section 1's learning rates
MOMENTA = (0.01, 0.03, 0.1, 0.3, 0.5, 1.0)  # section 2's BatchNorm1d momentum
BATCH_RANGE = (2, 256)  # section 2's batch size

# --- 1. activation statistics with and without batch norm -------------------------------


@dataclass(frozen=True)
class BNTrainConfig:
    lr: float = 0.1  # SGD learning rate (momentum 0.9); high values break the plain net
    depth: int = 4  # hidden layers
    width: int = 64  # units per hidden layer
    steps: int = 120  # minibatch steps
    batch_size: int = 64
    seed: int = 0


@dataclass(frozen=True)
class BNTrainRun:
    pre_mean: np.ndarray  # (steps, depth) mean of each layer's input to its activation
    pre_std: np.ndarray  # (steps, depth) std of the same
    norm_mean: np.ndarray  # (steps, depth) batch norm's normalized value x̂ = (z − μ_B)/σ_B,
    norm_std: np.ndarray  # before γ and β: its mean and std (all nan without batch norm)
    loss: np.ndarray  # (steps,) training loss
    test_accuracy: float  # eval mode, after training (nan if diverged)
    diverged: bool
    diverged_at: int | None


@dataclass(frozen=True)
class BNTrainResult:
    runs: dict[str, BNTrainRun]  # "plain" and "bn"


def raw_digits(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Digits as (n, 64) raw pixel intensities 0..16 (not normalized), split 80/20."""
    digits = load_digits()
    x = digits.images.reshape(-1, 64)
    train_idx, test_idx = split_indices(len(x), (0.8, 0.2), seed=seed)
    return x[train_idx], digits.labels[train_idx], x[test_idx], digits.labels[test_idx]


def bn_train_spec(cfg: BNTrainConfig, batchnorm: bool) -> MLPSpec:
    return MLPSpec(in_features=64, hidden=(cfg.width,) * cfg.depth, out_features=10,
                   activation="relu", batchnorm=batchnorm)


def _train_recording(model: nn.Module, cfg: BNTrainConfig, xt: torch.Tensor,
                     yt: torch.Tensor) -> tuple[list[list[tuple[float, ...]]], object]:
    """Train and record, per training forward, (mean, std) of every activation's input and,
    with batch norm, of its normalized value before γ and β (nan without batch norm)."""
    per_step: list[list[tuple[float, ...]]] = []
    current: list[tuple[float, float]] = []
    normalized: list[tuple[float, float]] = []

    def bn_hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        if module.training:
            z = inputs[0].detach()  # (batch, width): x̂ recomputed from the batch, no γ, β
            x_hat = (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + module.eps)
            normalized.append((float(x_hat.mean()), float(x_hat.std())))

    def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        if module.training:  # only the training forwards, not evaluation
            pre = inputs[0].detach()
            current.append((float(pre.mean()), float(pre.std())))

    acts = [m for name, m in model.named_children() if name.startswith("act")]
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm1d)]
    handles = [a.register_forward_hook(hook) for a in acts]
    handles += [b.register_forward_hook(bn_hook) for b in bns]

    def on_step(info: object) -> None:
        norm = normalized[-len(bns):] if bns else [(float("nan"),) * 2] * len(acts)
        per_step.append([a + b for a, b in zip(current[-len(acts):], norm)])
        current.clear()
        normalized.clear()

    history = train(model, nn.CrossEntropyLoss(),
                    make_optimizer("momentum", model.parameters(), lr=cfg.lr),
                    make_loader(xt, yt, cfg.batch_size, shuffle=True, seed=cfg.seed),
                    epochs=10**6, max_steps=cfg.steps, callbacks=[on_step], seed=cfg.seed)
    for h in handles:
        h.remove()
    return per_step, history


def run_bn_training(cfg: BNTrainConfig) -> BNTrainResult:
    xt, yt, xs, ys = raw_digits(cfg.seed)
    runs = {}
    for name, batchnorm in (("plain", False), ("bn", True)):
        model = build_mlp(bn_train_spec(cfg, batchnorm), seed=cfg.seed)
        per_step, history = _train_recording(model, cfg, xt, yt)
        stats = np.array(per_step, dtype=float).reshape(-1, cfg.depth, 4)
        model.eval()
        with torch.no_grad():
            accuracy = float((model(xs).argmax(1) == ys).float().mean())
        runs[name] = BNTrainRun(
            pre_mean=stats[:, :, 0], pre_std=stats[:, :, 1], norm_mean=stats[:, :, 2],
            norm_std=stats[:, :, 3], loss=np.array(history.train_loss),
            test_accuracy=float("nan") if history.diverged else accuracy,
            diverged=history.diverged, diverged_at=history.diverged_at,
        )
    return BNTrainResult(runs=runs)


def stats_claims(result: BNTrainResult) -> list[Claim]:
    """What the notice under the activation statistics may say."""
    plain, bn = result.runs["plain"], result.runs["bn"]
    claims = []
    steps = np.isfinite(bn.norm_std).all(axis=1)
    if steps.any():
        lo, hi = float(bn.norm_std[steps].min()), float(bn.norm_std[steps].max())
        claims.append(Claim("normalized" if round(lo, 3) != round(hi, 3) else "normalized_one", {
            "mean": float(np.abs(bn.norm_mean[steps]).max()), "lo": lo, "hi": hi}))
        after = bn.pre_std[np.isfinite(bn.pre_std).all(axis=1)]
        lo, hi = float(after.min()), float(after.max())
        claims.append(Claim("after_affine_near" if lo > 0.9 and hi < 1.1 else "after_affine_moved",
                            {"lo": lo, "hi": hi}))
    if plain.diverged:
        claims.append(Claim("plain_diverged", {"step": plain.diverged_at}))
    else:
        last = plain.pre_std[-1]
        claims.append(Claim("plain_spread", {"lo": float(last.min()), "hi": float(last.max()),
                                             "lo_layer": int(np.argmin(last)) + 1,
                                             "hi_layer": int(np.argmax(last)) + 1}))
    if bn.diverged:
        claims.append(Claim("bn_diverged", {"step": bn.diverged_at}))
    elif plain.diverged:
        claims.append(Claim("acc_bn_only", {"bn": bn.test_accuracy}))
    else:
        diff_pp = printed_gap(bn.test_accuracy, plain.test_accuracy)  # as the sentence prints them
        key = "acc_bn_higher" if diff_pp > 0 else "acc_bn_lower" if diff_pp < 0 else "acc_equal"
        claims.append(Claim(key, {"bn": bn.test_accuracy, "plain": plain.test_accuracy,
                                  "diff": abs(diff_pp)}))
    return claims


def bn_training_code(cfg: BNTrainConfig) -> str:
    return f'''{imports_code(loader=True, digits=True)}
seed = {cfg.seed}
{digits_split_code(scaled=False)}

for use_bn in (False, True):
{codegen.indent(mlp_code(MLPSpec(in_features=64, hidden=(cfg.width,) * cfg.depth, out_features=10)), 4)}
    if use_bn:  # the same weights, with BatchNorm1d between each Linear and its ReLU
        layers = []
        for m in model:
            layers.append(m)
            if isinstance(m, nn.Linear) and m is not model[-1]:
                layers.append(nn.BatchNorm1d(m.out_features))
        model = nn.Sequential(*layers)
    stats = []  # (mean, std) of each ReLU's input, per training forward

    def hook(module, inputs, output):
        if module.training:
            stats.append((inputs[0].mean().item(), inputs[0].std().item()))

    for m in model:
        if isinstance(m, nn.ReLU):
            m.register_forward_hook(hook)
    optimizer = {optimizer_code("momentum", cfg.lr)}
{indent(loader_code("xt", "yt", cfg.batch_size))}    status = "ok"
{codegen.indent(training_loop_code(
    epochs=f"math.ceil({cfg.steps} / len(loader))", max_steps=cfg.steps, losses=None,
    loss_fn="nn.functional.cross_entropy",
    on_diverge='status = f"diverged at step {diverged_at}"'), 4)}    model.eval()
    with torch.no_grad():
        accuracy = (model(xs).argmax(1) == ys).float().mean().item()
    last = stats[-{cfg.depth}:]
    print("with BN   " if use_bn else "without BN", status, f"test accuracy {{accuracy:.4f}}",
          "last step std per layer:", [round(s, 3) for _, s in last])
'''


# --- 2. batch vs running statistics -----------------------------------------------------

TRUE_MEAN = (3.0, -2.0, 0.5)  # the feature means the batches are drawn around
TRUE_STD = (2.0, 1.0, 0.5)


@dataclass(frozen=True)
class RunningStatsConfig:
    momentum: float = 0.1  # BatchNorm1d(momentum=...): weight of the newest batch
    batch_size: int = 16  # samples per train-mode batch
    steps: int = 100  # train-mode forwards
    seed: int = 0


@dataclass(frozen=True)
class RunningStatsResult:
    batch_mean: np.ndarray  # (steps, 3) mean of each batch
    running_mean: np.ndarray  # (steps + 1, 3) bn.running_mean, starting at 0
    running_var: np.ndarray  # (steps + 1, 3) bn.running_var, starting at 1
    theory_mean: np.ndarray  # (steps + 1, 3) E[running_mean_t] = μ(1 - (1 - m)^t)
    true_mean: np.ndarray  # (3,)
    probe: float  # feature 0 of the probe sample
    probe_train: np.ndarray  # (2,) its normalized feature 0 in train mode, in batch A and B
    probe_eval: np.ndarray  # (2,) the same in eval mode: equal
    steps_to_95: int | None  # first step feature 0's running mean reached 95% of μ (measured)
    theory_steps_to_95: int  # the same from E[running_t]: ln(0.05) / ln(1 - m), rounded up
    late_jitter: float  # std of feature 0's running mean around E[running_t], second half
    batch_noise: float  # std of feature 0's batch means around μ (what one batch copies in)


def run_running_stats(cfg: RunningStatsConfig) -> RunningStatsResult:
    g = make_generator(cfg.seed)
    mu, sigma = torch.tensor(TRUE_MEAN), torch.tensor(TRUE_STD)
    bn = nn.BatchNorm1d(3, momentum=cfg.momentum, affine=False)
    running_mean, running_var, batch_mean = [bn.running_mean.clone()], [bn.running_var.clone()], []
    bn.train()
    with torch.no_grad():
        for _ in range(cfg.steps):
            xb = mu + sigma * torch.randn(cfg.batch_size, 3, generator=g)
            bn(xb)  # train mode: normalizes with this batch's statistics, updates running ones
            batch_mean.append(xb.mean(0))
            running_mean.append(bn.running_mean.clone())
            running_var.append(bn.running_var.clone())
        # One probe sample placed in two different batches.
        probe = mu + sigma * torch.randn(1, 3, generator=g)
        batch_a = torch.cat([probe, mu + sigma * torch.randn(cfg.batch_size - 1, 3, generator=g)])
        batch_b = torch.cat([probe, mu + 2 * sigma * torch.randn(cfg.batch_size - 1, 3,
                                                                   generator=g) + 1.0])
        frozen = copy.deepcopy(bn)  # train-mode forwards below would move the running stats
        train_out = [float(frozen(batch)[0, 0]) for batch in (batch_a, batch_b)]
        bn.eval()
        eval_out = [float(bn(batch)[0, 0]) for batch in (batch_a, batch_b)]
    rm = torch.stack(running_mean).numpy()
    t = np.arange(cfg.steps + 1)[:, None]
    theory = np.array(TRUE_MEAN)[None] * (1 - (1 - cfg.momentum) ** t)
    reached = np.nonzero(rm[:, 0] >= 0.95 * TRUE_MEAN[0])[0]
    theory_steps = (1 if cfg.momentum >= 0.95
                    else int(np.ceil(np.log(0.05) / np.log(1 - cfg.momentum))))
    return RunningStatsResult(
        batch_mean=torch.stack(batch_mean).numpy(), running_mean=rm,
        running_var=torch.stack(running_var).numpy(), theory_mean=theory,
        true_mean=np.array(TRUE_MEAN), probe=float(probe[0, 0]),
        probe_train=np.array(train_out), probe_eval=np.array(eval_out),
        steps_to_95=int(reached[0]) if reached.size else None, theory_steps_to_95=theory_steps,
        late_jitter=float((rm[cfg.steps // 2:, 0] - theory[cfg.steps // 2:, 0]).std()),
        batch_noise=float((torch.stack(batch_mean)[:, 0] - TRUE_MEAN[0]).std()),
    )


def running_claims(result: RunningStatsResult) -> list[Claim]:
    """What the notice under the running statistics may say."""
    a, b = (float(v) for v in result.probe_train)
    claims = []
    if abs(a - b) > 1e-6:
        claims.append(Claim("probe_train", {"a": a, "b": b}))
    e = result.probe_eval
    if abs(float(e[0]) - float(e[1])) == 0:
        claims.append(Claim("probe_eval", {"e": float(e[0])}))
    steps = len(result.running_mean) - 1
    if result.steps_to_95 is not None:
        claims.append(Claim("reached", {"steps": result.steps_to_95,
                                        "theory": result.theory_steps_to_95}))
    else:
        claims.append(Claim("not_reached", {
            "n": steps, "share": float(result.running_mean[-1, 0] / result.true_mean[0]),
            "theory": result.theory_steps_to_95}))
    values = {"jitter": result.late_jitter, "batch": result.batch_noise}
    claims.append(Claim("smoother" if result.late_jitter < 0.9 * result.batch_noise
                        else "copies", values))
    return claims


def running_stats_code(cfg: RunningStatsConfig) -> str:
    return f'''{imports_code("copy", "torch", "nn", base=False)}
g = torch.Generator().manual_seed({cfg.seed})
mu, sigma = torch.tensor({list(TRUE_MEAN)}), torch.tensor({list(TRUE_STD)})
bn = nn.BatchNorm1d(3, momentum={cfg.momentum}, affine=False)
bn.train()  # batch statistics for the output; running statistics updated as
            # running = (1 - momentum) * running + momentum * batch_mean
with torch.no_grad():
    for step in range(1, {cfg.steps} + 1):
        xb = mu + sigma * torch.randn({cfg.batch_size}, 3, generator=g)
        bn(xb)
        if step in (1, 10, {cfg.steps}):
            print(f"step {{step:3d}}: batch mean {{xb.mean(0).numpy().round(3)}}, "
                  f"running mean {{bn.running_mean.numpy().round(3)}}")

    # One sample in two different batches: train mode depends on its batchmates.
    probe = mu + sigma * torch.randn(1, 3, generator=g)
    batch_a = torch.cat([probe, mu + sigma * torch.randn({cfg.batch_size - 1}, 3, generator=g)])
    batch_b = torch.cat([probe, mu + 2 * sigma * torch.randn({cfg.batch_size - 1}, 3, generator=g) + 1.0])
    frozen = copy.deepcopy(bn)  # keep bn's running statistics untouched by these forwards
    print("train mode (batch stats)  :", [round(frozen(b)[0, 0].item(), 4) for b in (batch_a, batch_b)])
    bn.eval()
    print("eval mode (running stats) :", [round(bn(b)[0, 0].item(), 4) for b in (batch_a, batch_b)])
'''


# --- 3. pitfalls: tiny batches and forgetting eval() ------------------------------------

EVAL_BATCH_SIZES = (2, 4, 8, 16, 32, 64, 128)


@dataclass(frozen=True)
class PitfallsConfig:
    train_batch: int = 64  # batch size used for training the network
    steps: int = 200  # Adam steps
    lr: float = 0.01
    width: int = 64
    seed: int = 0


@dataclass(frozen=True)
class PitfallsResult:
    batch_of_one_error: str  # what PyTorch says to a batch of 1 in train mode
    pair_abs_outputs: np.ndarray  # (2, width) |normalized bn1 value| (before γ, β) for a
    # batch of 2: (x - mean) / std of two numbers is always ±1, whatever the input
    eval_accuracy: float  # model.eval(), whole test set
    train_mode_full: float  # model.train() (forgot eval), whole test set in one batch
    batch_sizes: np.ndarray  # (k,) test batch sizes tried in train mode
    train_mode_by_batch: np.ndarray  # (k,) accuracy with those batches, train mode
    train_mode_one_class: float  # train mode, each test batch holding one class only
    diverged: bool
    diverged_at: int | None


def pitfalls_spec(cfg: PitfallsConfig) -> MLPSpec:
    return MLPSpec(in_features=64, hidden=(cfg.width, cfg.width), out_features=10,
                   activation="relu", batchnorm=True)


def accuracy_in_batches(model: nn.Module, batches: list[torch.Tensor],
                        labels: list[torch.Tensor]) -> float:
    with torch.no_grad():
        correct = sum(int((model(x).argmax(1) == y).sum()) for x, y in zip(batches, labels))
    return correct / sum(len(y) for y in labels)


def run_pitfalls(cfg: PitfallsConfig) -> PitfallsResult:
    xt, yt, xs, ys = raw_digits(cfg.seed)
    xt, xs = xt / 16.0, xs / 16.0
    model = build_mlp(pitfalls_spec(cfg), seed=cfg.seed)
    history = train(model, nn.CrossEntropyLoss(),
                    make_optimizer("adam", model.parameters(), lr=cfg.lr),
                    make_loader(xt, yt, cfg.train_batch, shuffle=True, seed=cfg.seed),
                    epochs=10**6, max_steps=cfg.steps, seed=cfg.seed)

    probe = copy.deepcopy(model).train()
    try:
        with torch.no_grad():
            probe(xs[:1])
        error = ""
    except ValueError as exc:
        error = str(exc)
    with torch.no_grad():
        bn = probe.bn1
        pair = ((bn(probe.fc1(xs[:2])) - bn.bias) / bn.weight).abs().numpy()

    def in_train_mode(batches: list[torch.Tensor], labels: list[torch.Tensor]) -> float:
        return accuracy_in_batches(copy.deepcopy(model).train(), batches, labels)

    by_batch = []
    for size in EVAL_BATCH_SIZES:
        n = (len(ys) // size) * size  # whole batches only: a last batch of 1 would raise
        by_batch.append(in_train_mode(list(xs[:n].split(size)), list(ys[:n].split(size))))
    classes = [int(c) for c in ys.unique()]
    one_class = in_train_mode([xs[ys == c] for c in classes], [ys[ys == c] for c in classes])
    return PitfallsResult(
        batch_of_one_error=error, pair_abs_outputs=pair,
        eval_accuracy=accuracy_in_batches(copy.deepcopy(model).eval(), [xs], [ys]),
        train_mode_full=in_train_mode([xs], [ys]),
        batch_sizes=np.array(EVAL_BATCH_SIZES), train_mode_by_batch=np.array(by_batch),
        train_mode_one_class=one_class, diverged=history.diverged,
        diverged_at=history.diverged_at,
    )


def pitfalls_claims(result: PitfallsResult) -> list[Claim]:
    """What the notice under the pitfalls may say."""
    ev, two = result.eval_accuracy, float(result.train_mode_by_batch[0])
    one_class = result.train_mode_one_class
    claims = [Claim("eval", {"eval": ev})]
    if two < ev:
        claims.append(Claim("two_worse", {"two": two, "diff": printed_gap(ev, two)}))
    if one_class < min(ev, two):
        claims.append(Claim("one_class_worst", {"one_class": one_class}))
    if result.batch_of_one_error:
        claims.append(Claim("batch_of_one", {}))
    pair = result.pair_abs_outputs
    if np.allclose(pair, 1.0, atol=1e-2):
        claims.append(Claim("pair_pm1", {}))
    else:  # a feature the two samples nearly share: ε under the root keeps |value| below 1
        claims.append(Claim("pair_near_pm1", {"mid": float(np.median(pair)), "lo": float(pair.min())}))
    return claims


def pitfalls_code(cfg: PitfallsConfig) -> str:
    return f'''{imports_code("copy", loader=True, digits=True)}
seed = {cfg.seed}
{digits_split_code()}

{mlp_code(MLPSpec(in_features=64, hidden=(cfg.width, cfg.width), out_features=10, batchnorm=True))}
{loader_code("xt", "yt", cfg.train_batch)}optimizer = {optimizer_code("adam", cfg.lr)}
{training_loop_code(epochs=f"math.ceil({cfg.steps} / len(loader))", max_steps=cfg.steps,
                    losses=None, loss_fn="nn.functional.cross_entropy")}
probe = copy.deepcopy(model).train()
try:
    probe(xs[:1])  # a batch of ONE in train mode
except ValueError as error:
    print("batch of 1 :", error)
with torch.no_grad():
    bn = probe[1]
    z = (bn(probe[0](xs[:2])) - bn.bias) / bn.weight  # normalized value, before gamma and beta
    print("batch of 2 : |normalized| min", z.abs().min().item(), "max", z.abs().max().item())


{source_code(accuracy_in_batches)}

print("eval mode, whole test set     :", accuracy_in_batches(copy.deepcopy(model).eval(), [xs], [ys]))
print("train mode, whole test set    :", accuracy_in_batches(copy.deepcopy(model).train(), [xs], [ys]))
for size in {list(EVAL_BATCH_SIZES)}:
    n = len(ys) // size * size
    print(f"train mode, batches of {{size:3d}} :",
          accuracy_in_batches(copy.deepcopy(model).train(), xs[:n].split(size), ys[:n].split(size)))
classes = ys.unique().tolist()
print("train mode, one class a batch :", accuracy_in_batches(copy.deepcopy(model).train(),
      [xs[ys == c] for c in classes], [ys[ys == c] for c in classes]))
'''
