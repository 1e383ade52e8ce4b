"""The notes' train/eval table, measured: ``model.train()/eval()`` × ``torch.no_grad()``.

A digits classifier with dropout and batch norm is trained once (through
``core.training.train``). Then, for each of the four combinations of mode and grad
context, a fresh copy of the trained model is measured: are two forwards of the same batch
identical, which statistics batch norm used (and whether its running statistics moved),
does the output carry ``requires_grad`` / ``grad_fn``, can ``backward`` + ``optimizer.step``
change the weights, accuracy, forward time and the bytes autograd saved for backward.
"""

from __future__ import annotations

import copy
import time
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.claims import Claim, printed_gap
from core.codegen import imports_code, loader_code, mlp_code, optimizer_code, source_code, training_loop_code
from core.data import digits_split_code, load_digits, split_indices
from core.models import MLPSpec, build_mlp
from core.seeding import global_rng
from core.training import make_loader, make_optimizer, train

MODES = ("train", "eval")
COMBOS = (("train", False), ("train", True), ("eval", False), ("eval", True))  # (mode, no_grad)
P_RANGE = (0.0, 0.8)  # the page's dropout slider
SAME = 1e-5  # outputs closer than this count as equal (different batch shapes may round apart)


def combo_id(mode: str, no_grad: bool) -> str:
    return f"{mode}_{'nograd' if no_grad else 'grad'}"


@dataclass(frozen=True)
class TrainEvalConfig:
    p: float = 0.3  # dropout probability after each hidden layer
    width: int = 128  # units per hidden layer (two hidden layers, each with BatchNorm1d)
    steps: int = 150  # minibatch training steps before the measurements
    batch_size: int = 64
    lr: float = 0.01  # Adam learning rate
    timing_repeats: int = 20  # forward passes timed per combination (median reported)
    seed: int = 0


@dataclass(frozen=True)
class ComboMeasure:
    mode: str  # "train" or "eval"
    no_grad: bool
    deterministic: bool  # two forwards of the same batch gave identical outputs
    max_output_diff: float  # largest |difference| between those two forwards
    batch_diff: float  # largest |difference| of the first half's outputs: forwarded with the
    # whole test set vs forwarded alone (does a sample's output depend on its batchmates?)
    bn_uses: str  # "batch" or "running": which statistics bn1 normalised with (measured)
    running_mean_moved: float  # ‖Δ running_mean‖ of bn1 caused by the two forwards
    requires_grad: bool  # output.requires_grad
    grad_fn: str  # type of output.grad_fn, "" when None
    backward_error: str  # the RuntimeError text when backward is impossible, "" otherwise
    weight_change: float  # ‖ΔW‖/‖W‖ of the first layer after backward + optimizer.step()
    accuracy: float  # test accuracy of the first forward
    forward_ms: float  # median forward time of the whole test set, milliseconds
    saved_bytes: int  # bytes autograd kept for backward during one forward


@dataclass(frozen=True)
class TrainEvalResult:
    combos: dict[str, ComboMeasure]  # combo_id -> measurements
    n_test: int
    diverged: bool
    diverged_at: int | None


def train_eval_spec(cfg: TrainEvalConfig) -> MLPSpec:
    return MLPSpec(in_features=64, hidden=(cfg.width, cfg.width), out_features=10,
                   activation="relu", dropout=cfg.p, batchnorm=True)


def digits_split(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Digits as (n, 64) pixels scaled to [0, 1], split 80/20 by ``seed``."""
    digits = load_digits()
    x = digits.images.reshape(-1, 64) / 16.0
    train_idx, test_idx = split_indices(len(x), (0.8, 0.2), seed=seed)
    return x[train_idx], digits.labels[train_idx], x[test_idx], digits.labels[test_idx]


def train_digits_model(cfg: TrainEvalConfig) -> tuple[nn.Module, bool, int | None]:
    xt, yt, _, _ = digits_split(cfg.seed)
    model = build_mlp(train_eval_spec(cfg), seed=cfg.seed)
    history = train(model, nn.CrossEntropyLoss(),
                    make_optimizer("adam", model.parameters(), lr=cfg.lr),
                    make_loader(xt, yt, cfg.batch_size, shuffle=True, seed=cfg.seed),
                    epochs=10**6, max_steps=cfg.steps, seed=cfg.seed)
    return model, history.diverged, history.diverged_at


def saved_bytes_of_forward(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Forward ``x`` and count the bytes autograd stores for backward (0 under no_grad)."""
    storages: dict[int, int] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        out = model(x)
    return out, sum(storages.values())


PROBE_LR = 0.1  # the one SGD step each combination tries (does backward work, how far W moves)


def measure_combo(trained: nn.Module, mode: str, no_grad: bool, x: torch.Tensor,
                  y: torch.Tensor, cfg: TrainEvalConfig) -> ComboMeasure:
    model = copy.deepcopy(trained)  # each combination starts from the same trained state
    model.train(mode == "train")
    bn = model.bn1
    running_before = bn.running_mean.clone()
    running_var_before = bn.running_var.clone()
    captured: dict[str, torch.Tensor] = {}

    def capture(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        captured.setdefault("io", (inputs[0].detach(), output.detach()))  # first forward only

    handle = bn.register_forward_hook(capture)
    context = torch.no_grad() if no_grad else nullcontext()
    with global_rng(cfg.seed), context:
        out1, saved = saved_bytes_of_forward(model, x)
        out2 = model(x)
    handle.remove()
    # Which statistics did bn1 use? Recompute its output both ways and see which matches.
    z, bn_out = captured["io"]
    scale, shift = bn.weight.detach(), bn.bias.detach()
    by_batch = (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + bn.eps) * scale + shift
    by_running = (z - running_before) / torch.sqrt(running_var_before + bn.eps) * scale + shift
    bn_uses = ("batch" if (bn_out - by_batch).abs().max() < (bn_out - by_running).abs().max()
               else "running")

    first_weight = model.fc1.weight.detach().clone()
    optimizer = make_optimizer("sgd", model.parameters(), lr=PROBE_LR)
    optimizer.zero_grad()
    backward_error = ""
    try:
        nn.functional.cross_entropy(out1, y).backward()
        optimizer.step()
    except RuntimeError as error:  # no graph was built: nothing to differentiate
        backward_error = str(error).split("\n")[0]
    weight_change = float((model.fc1.weight.detach() - first_weight).norm() / first_weight.norm())

    # The same samples in a different batch: the first half of the test set, alone.
    other = copy.deepcopy(trained).train(mode == "train")
    half = len(x) // 2
    with global_rng(cfg.seed), torch.no_grad():
        in_full = other(x)[:half]
        alone = other(x[:half])
    batch_diff = float((in_full - alone).abs().max())

    times = []
    timed = copy.deepcopy(trained).train(mode == "train")
    with global_rng(cfg.seed), (torch.no_grad() if no_grad else nullcontext()):
        for _ in range(cfg.timing_repeats):
            start = time.perf_counter()
            timed(x)
            times.append(time.perf_counter() - start)
    return ComboMeasure(
        mode=mode, no_grad=no_grad,
        deterministic=bool(torch.equal(out1, out2)),
        max_output_diff=float((out1 - out2).detach().abs().max()),
        batch_diff=batch_diff,
        bn_uses=bn_uses,
        running_mean_moved=float((bn.running_mean - running_before).norm()),
        requires_grad=bool(out1.requires_grad),
        grad_fn=type(out1.grad_fn).__name__ if out1.grad_fn is not None else "",
        backward_error=backward_error,
        weight_change=weight_change,
        accuracy=float((out1.argmax(1) == y).float().mean()),
        forward_ms=1000 * float(np.median(times)),
        saved_bytes=int(saved),
    )


def run_train_vs_eval(cfg: TrainEvalConfig) -> TrainEvalResult:
    model, diverged, diverged_at = train_digits_model(cfg)
    _, _, xs, ys = digits_split(cfg.seed)
    combos = {combo_id(mode, ng): measure_combo(model, mode, ng, xs, ys, cfg)
              for mode, ng in COMBOS}
    return TrainEvalResult(combos=combos, n_test=len(ys), diverged=diverged,
                           diverged_at=diverged_at)


def table_claims(result: TrainEvalResult) -> list[Claim]:
    """What the notice under the table may say, from the four measured combinations."""
    c = result.combos
    train_modes = [c[combo_id("train", ng)] for ng in (False, True)]
    eval_modes = [c[combo_id("eval", ng)] for ng in (False, True)]
    claims = []
    if all(m.deterministic for m in eval_modes):
        if not any(m.deterministic for m in train_modes):
            claims.append(Claim("only_eval_deterministic",
                                {"diff": max(m.max_output_diff for m in train_modes)}))
        elif all(m.deterministic for m in train_modes):
            claims.append(Claim("train_also_deterministic", {}))
    train_batch = max(m.batch_diff for m in train_modes)
    if train_batch > SAME and all(m.batch_diff <= SAME for m in eval_modes):
        claims.append(Claim("batchmates", {"diff": train_batch}))
    if (all(m.bn_uses == "running" and m.running_mean_moved == 0 for m in eval_modes)
            and all(m.bn_uses == "batch" and m.running_mean_moved > 0 for m in train_modes)):
        claims.append(Claim("bn_modes", {"moved": max(m.running_mean_moved for m in train_modes)}))
    graph = c["eval_grad"]
    if all(c[combo_id(mode, True)].saved_bytes == 0 and c[combo_id(mode, True)].backward_error
           for mode in MODES) and graph.saved_bytes > 0:
        claims.append(Claim("no_grad_graph", {"kib": graph.saved_bytes / 1024}))
    if not graph.backward_error and graph.weight_change > 0:
        claims.append(Claim("eval_still_updates", {"change": graph.weight_change}))
    claims.append(Claim("independent", {}))
    return claims


def mistake_claims(result: TrainEvalResult, selected: str) -> list[Claim]:
    """The warning for a mistaken combination (eval without no_grad, no_grad without eval)."""
    c = result.combos
    chosen, good = c[selected], c["eval_nograd"]
    if selected == "eval_grad":
        return [Claim("eval_grad", {"kib": chosen.saved_bytes / 1024})]
    if selected != "train_nograd":
        return []
    claims = [Claim("train_nograd_dropout" if not chosen.deterministic
                    else "train_nograd_no_dropout", {"diff": chosen.max_output_diff}),
              Claim("train_nograd_bn", {"moved": chosen.running_mean_moved,
                                        "batch": chosen.batch_diff})]
    diff_pp = printed_gap(chosen.accuracy, good.accuracy)  # between the printed percentages
    key = "acc_worse" if diff_pp < 0 else "acc_better" if diff_pp > 0 else "acc_same"
    claims.append(Claim(key, {"acc": chosen.accuracy, "good": good.accuracy,
                              "diff": abs(diff_pp)}))
    return claims


def train_vs_eval_code(cfg: TrainEvalConfig) -> str:
    return f'''{imports_code("copy", "time", "nullcontext", loader=True, digits=True)}
seed = {cfg.seed}
torch.set_flush_denormal(True)
{digits_split_code()}

# Linear -> BatchNorm1d -> ReLU -> Dropout({cfg.p}), twice, then a Linear head
{mlp_code(MLPSpec(in_features=64, hidden=(cfg.width, cfg.width), out_features=10, dropout=cfg.p, batchnorm=True))}
bn = model[1]  # the first BatchNorm1d
{loader_code("xt", "yt", cfg.batch_size)}optimizer = {optimizer_code("adam", cfg.lr)}
loss_fn = nn.CrossEntropyLoss()
{training_loop_code(epochs=f"math.ceil({cfg.steps} / len(loader))", max_steps=cfg.steps,
                    losses=None, dropout_seed="seed")}

{source_code(saved_bytes_of_forward)}

trained = model
for mode in ("train", "eval"):
    for no_grad in (False, True):
        model = copy.deepcopy(trained)
        model.train(mode == "train")
        running_before = model[1].running_mean.clone()
        torch.manual_seed(seed)  # the same dropout masks for every combination
        with (torch.no_grad() if no_grad else nullcontext()):
            out1, saved = saved_bytes_of_forward(model, xs)
            out2 = model(xs)
        moved = (model[1].running_mean - running_before).norm().item()
        before = model[0].weight.detach().clone()
        opt = {optimizer_code("sgd", PROBE_LR)}
        opt.zero_grad()
        try:
            nn.functional.cross_entropy(out1, ys).backward()
            opt.step()
            backward = "ok"
        except RuntimeError as error:
            backward = "RuntimeError: " + str(error).split(chr(10))[0]
        change = ((model[0].weight - before).norm() / before.norm()).item()
        other = copy.deepcopy(trained).train(mode == "train")
        half = len(xs) // 2
        torch.manual_seed(seed)
        with torch.no_grad():  # the first half of the test set: with the rest vs alone
            batch_diff = (other(xs)[:half] - other(xs[:half])).abs().max().item()
        timed = copy.deepcopy(trained).train(mode == "train")
        times = []
        torch.manual_seed(seed)
        with (torch.no_grad() if no_grad else nullcontext()):
            for _ in range({cfg.timing_repeats}):
                start = time.perf_counter()
                timed(xs)
                times.append(time.perf_counter() - start)
        print(f"model.{{mode}}(), no_grad={{no_grad}}:"
              f" deterministic={{torch.equal(out1, out2)}}"
              f" other batch diff={{batch_diff:.3g}}"
              f" running_mean moved={{moved:.4f}}"
              f" requires_grad={{out1.requires_grad}} grad_fn={{type(out1.grad_fn).__name__ if out1.grad_fn else None}}"
              f" backward: {{backward}} |dW|/|W|={{change:.2e}}"
              f" saved for backward={{saved / 1024:.0f}} KiB"
              f" accuracy={{(out1.argmax(1) == ys).float().mean().item():.4f}}"
              f" forward={{1000 * sorted(times)[len(times) // 2]:.2f}} ms")
'''
