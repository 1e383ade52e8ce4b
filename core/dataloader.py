"""DataLoader: batch size (noise vs steps, measured throughput), shuffling each epoch (and
what class-sorted data does without it), and num_workers (measured loading time).

``SlowDigits`` lives here, in an importable module, because DataLoader workers must be
able to find the Dataset class (a page script is not importable).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, RandomSampler, TensorDataset

from core.claims import Claim
from core.codegen import (
    DIGITS_IMPORT, digits_code, imports_code, indent, loader_code, mlp_code, optimizer_code, source_code,
    training_loop_code,
)
from core.data import digits_xy
from core.models import MLPSpec, build_mlp
from core.seeding import make_generator, prepare_thread
from core.training import classifier_metrics, make_optimizer, seeded_loader, train

# Widget ranges of the page (the claims tests walk them).
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)  # section 1: 512 = the whole training set
EPOCH_CHOICES = (1, 2, 5, 10, 20)  # section 1
LRS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # sections 1 and 2
SHUFFLE_BATCHES = (8, 16, 32, 64, 128)  # section 2
SHUFFLE_EPOCHS = (1, 4)  # section 2, range
ITEMS_RANGE = (16, 48)  # section 3, step 16
ITEM_MS_RANGE = (1, 15)  # section 3


# --- 1. batch size ----------------------------------------------------------------------


@dataclass(frozen=True)
class BatchConfig:
    batch_size: int = 32  # samples per step
    lr: float = 0.3  # SGD learning rate
    epochs: int = 2
    n_train: int = 512
    hidden: int = 32
    seed: int = 0


@dataclass(frozen=True)
class BatchResult:
    step_epoch: np.ndarray  # (steps,) position of each step in epochs (1/steps_per_epoch …)
    step_loss: np.ndarray  # (steps,) loss of each mini-batch
    full_loss: np.ndarray  # (steps + 1,) loss on the whole training set at the weights each
    # step started from (full_loss[k] goes with step_loss[k]), then after the last step
    val_epochs: np.ndarray  # (epochs+1,)
    val_loss: np.ndarray
    val_acc: np.ndarray
    steps_per_epoch: int
    noise: float  # RMS of step_loss - full_loss (same weights) over the last epoch: how far
    # one mini-batch's loss is from the training-set loss it estimates (0 for the full batch)
    batch_size: int
    n_train: int
    epochs: int
    diverged: bool
    diverged_at: int | None


def batch_spec(cfg: BatchConfig) -> MLPSpec:
    return MLPSpec(in_features=64, hidden=(cfg.hidden,), out_features=10)


def run_batch(cfg: BatchConfig) -> BatchResult:
    x, y = digits_xy()
    perm = torch.randperm(len(y), generator=make_generator(cfg.seed))
    tr, va = perm[:cfg.n_train], perm[cfg.n_train:]
    model = build_mlp(batch_spec(cfg), seed=cfg.seed)
    loss_fn = nn.CrossEntropyLoss()

    x_tr, y_tr = x[tr], y[tr]  # gathered once: the loss after every step reads them

    def training_set_loss() -> float:  # no dropout or batch norm: train mode = eval mode
        with torch.no_grad():
            return float(loss_fn(model(x_tr), y_tr))

    full = [training_set_loss()]  # before step 1; each callback adds the loss after a step

    def on_step(info: object) -> None:
        full.append(training_set_loss())

    steps_per_epoch = math.ceil(cfg.n_train / cfg.batch_size)
    loader = seeded_loader(TensorDataset(x_tr, y_tr), cfg.batch_size, True, cfg.seed)
    history = train(model, loss_fn, make_optimizer("sgd", model.parameters(), lr=cfg.lr), loader,
                    epochs=cfg.epochs, evaluate=classifier_metrics(val=(x[va], y[va])),
                    eval_every=steps_per_epoch, callbacks=[on_step], seed=cfg.seed)
    loss = np.array(history.train_loss)
    full_loss = np.array(full)
    last = slice(max(0, len(loss) - steps_per_epoch), len(loss))
    noise = float(np.sqrt(np.mean((loss[last] - full_loss[: len(loss)][last]) ** 2)))
    m = history.eval_metrics
    return BatchResult(
        step_epoch=np.array(history.steps) / steps_per_epoch, step_loss=loss,
        full_loss=full_loss,
        val_epochs=np.array(history.eval_steps) / steps_per_epoch,
        val_loss=np.array(m["val_loss"]), val_acc=np.array(m["val_acc"]),
        steps_per_epoch=steps_per_epoch,
        noise=noise if np.isfinite(noise) and not history.diverged else float("nan"),
        batch_size=cfg.batch_size, n_train=cfg.n_train, epochs=cfg.epochs,
        diverged=history.diverged, diverged_at=history.diverged_at)


def batch_claims(result: BatchResult, throughput: ThroughputResult) -> list[Claim]:
    """What the batch-size notice may say."""
    total = result.steps_per_epoch * result.epochs
    values = {"bs": result.batch_size, "steps": result.steps_per_epoch, "total": total}
    claims = [Claim("steps_one" if result.steps_per_epoch == 1 else "steps", values)]
    if result.diverged:
        claims.append(Claim("diverged", {"step": result.diverged_at}))
    elif result.steps_per_epoch == 1:
        claims.append(Claim("no_noise", {"noise": result.noise}))
    else:
        claims.append(Claim("noise", {"noise": result.noise}))
    if not result.diverged:
        claims.append(Claim("val_acc", {"acc": float(result.val_acc[-1]), "total": total}))
    rate = dict(zip(throughput.batch_sizes.tolist(), throughput.samples_per_s.tolist()))
    big, one = max(rate), min(rate)
    values = {"big": big, "one": one, "fast": rate[big], "slow": rate[one],
              "speedup": rate[big] / rate[one]}
    claims.append(Claim("throughput_faster" if rate[big] > rate[one] else "throughput_slower",
                        values))
    return claims


@dataclass(frozen=True)
class ThroughputConfig:
    batch_sizes: tuple[int, ...] = (1, 4, 16, 64, 256)
    width: int = 256  # hidden width of the timed 64-w-w-10 MLP
    budget_s: float = 0.03  # time spent timing each batch size
    seed: int = 0


@dataclass(frozen=True)
class ThroughputResult:
    batch_sizes: np.ndarray
    samples_per_s: np.ndarray  # forward + backward, measured on this CPU
    ms_per_step: np.ndarray


def samples_per_second(model: nn.Module, loss_fn, xb: torch.Tensor, yb: torch.Tensor,
                       budget_s: float) -> tuple[float, float]:
    """(samples per second, milliseconds per step) of forward + backward on one batch. The
    code panel shows this function, so it uses torch and time only."""
    for _ in range(2):  # warm-up: the first calls allocate
        loss_fn(model(xb), yb).backward()
    reps, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < budget_s or reps < 3:  # at least 3 steps
        model.zero_grad()
        loss_fn(model(xb), yb).backward()
        reps += 1
    return reps * len(xb) / elapsed, 1000 * elapsed / reps


def run_throughput(cfg: ThroughputConfig) -> ThroughputResult:
    """Forward + backward of one batch, repeated for ``budget_s`` per batch size."""
    prepare_thread()
    model = build_mlp(MLPSpec(in_features=64, hidden=(cfg.width, cfg.width), out_features=10),
                      seed=cfg.seed)
    g = make_generator(cfg.seed)
    loss_fn = nn.CrossEntropyLoss()
    rates, ms = [], []
    for bs in cfg.batch_sizes:
        xb, yb = torch.rand(bs, 64, generator=g), torch.randint(0, 10, (bs,), generator=g)
        rate, step_ms = samples_per_second(model, loss_fn, xb, yb, cfg.budget_s)
        rates.append(rate)
        ms.append(step_ms)
    return ThroughputResult(np.array(cfg.batch_sizes), np.array(rates), np.array(ms))


def batch_code(cfg: BatchConfig) -> str:
    return f'''{imports_code("time", loader=True, digits=True)}
seed = {cfg.seed}
{digits_code()}perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
tr, va = perm[:{cfg.n_train}], perm[{cfg.n_train}:]

{mlp_code(batch_spec(cfg))}
loss_fn = nn.CrossEntropyLoss()
optimizer = {optimizer_code("sgd", cfg.lr)}
{loader_code("x[tr]", "y[tr]", cfg.batch_size)}print("steps per epoch:", len(loader))  # ceil({cfg.n_train} / {cfg.batch_size}), {cfg.batch_size} samples each


def training_set_loss():  # what a mini-batch loss estimates, at the same weights
    with torch.no_grad():
        return loss_fn(model(x[tr]), y[tr]).item()


full_losses = [training_set_loss()]  # before step 1, then after every step
{training_loop_code(
    epochs=cfg.epochs, eval_every="len(loader)",
    evaluate="""val_acc = (model(x[va]).argmax(1) == y[va]).float().mean().item()
last = f"last step loss {losses[-1]:.4f}, " if losses else "before training: "
print(f"epoch {step // len(loader)}: {last}val acc {val_acc:.3f}")""",
    on_step="full_losses.append(training_set_loss())")}if diverged_at is None:
    last_epoch = slice(max(0, len(losses) - len(loader)), len(losses))
    gaps = torch.tensor(losses[last_epoch]) - torch.tensor(full_losses[last_epoch])
    print(f"loss noise (RMS over the last epoch): {{gaps.pow(2).mean().sqrt().item():.4f}}")



{source_code(samples_per_second)}

# Throughput: forward + backward per batch size on this machine
big = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                    nn.Linear(256, 10))
for bs in [1, 4, 16, 64, 256]:
    rate, step_ms = samples_per_second(big, loss_fn, torch.rand(bs, 64), torch.randint(0, 10, (bs,)), 0.03)
    print(f"batch {{bs:4d}}: {{rate:,.0f}} samples/s, {{step_ms:.2f}} ms per step")
'''


# --- 2. shuffling -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShuffleConfig:
    batch_size: int = 32  # a divisor of per_class, so unshuffled batches hold one class
    epochs: int = 3
    lr: float = 0.1  # SGD
    per_class: int = 128  # training samples per digit; the rest is held out
    hidden: int = 32
    seed: int = 0


@dataclass(frozen=True)
class ShuffleRun:
    step_loss: np.ndarray  # (steps,)
    eval_steps: np.ndarray  # (evals,)
    held_out_acc: np.ndarray  # (evals,)
    batch_labels: list[np.ndarray]  # epoch 1: the labels of each batch, in order
    one_class_share: float  # share of batches (epoch 1) that hold a single class
    first_batches: list[np.ndarray]  # the first batch's dataset indices, per epoch
    final_acc: float
    diverged: bool
    diverged_at: int | None


@dataclass(frozen=True)
class ShuffleResult:
    runs: dict[str, ShuffleRun]  # "sorted" (shuffle=False) / "shuffled"
    steps_per_epoch: int


def sorted_by_class(y: torch.Tensor, per_class: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices: ``per_class`` random samples of class 0, then of class 1, … (a training set
    sorted by class), and the rest held out. The code panel shows this function: torch only."""
    g = torch.Generator().manual_seed(seed)  # its own generator: the same pick every run
    train_idx, held_idx = [], []
    for c in range(10):
        idx = torch.nonzero(y == c).flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        train_idx.append(idx[:per_class])
        held_idx.append(idx[per_class:])
    return torch.cat(train_idx), torch.cat(held_idx)


def sorted_digits(cfg: ShuffleConfig):
    """Training set sorted by class (all 0s, then all 1s, …) and the held-out rest."""
    x, y = digits_xy()
    tr, ho = sorted_by_class(y, cfg.per_class, cfg.seed)
    return (x[tr], y[tr]), (x[ho], y[ho])


class IndexedBatches:
    """Re-iterable (x, y) batches of a DataLoader over (x, y, index) that records, per epoch,
    the dataset indices it served (so the page can show each epoch's order)."""

    def __init__(self, loader: DataLoader) -> None:
        self.loader = loader
        self.epochs: list[list[torch.Tensor]] = []

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        served: list[torch.Tensor] = []
        self.epochs.append(served)
        for xb, yb, ib in self.loader:
            served.append(ib)
            yield xb, yb


def run_shuffle(cfg: ShuffleConfig) -> ShuffleResult:
    (x, y), (x_ho, y_ho) = sorted_digits(cfg)
    dataset = TensorDataset(x, y, torch.arange(len(y)))
    steps_per_epoch = math.ceil(len(y) / cfg.batch_size)
    runs = {}
    for name, shuffle in (("sorted", False), ("shuffled", True)):
        model = build_mlp(MLPSpec(in_features=64, hidden=(cfg.hidden,), out_features=10),
                          seed=cfg.seed)
        batches = IndexedBatches(seeded_loader(dataset, cfg.batch_size, shuffle, cfg.seed))
        history = train(model, nn.CrossEntropyLoss(),
                        make_optimizer("sgd", model.parameters(), lr=cfg.lr), batches,
                        epochs=cfg.epochs, evaluate=classifier_metrics(held_out=(x_ho, y_ho)),
                        eval_every=max(1, cfg.per_class // cfg.batch_size // 2), seed=cfg.seed)
        labels = [y[i].numpy() for i in batches.epochs[0]]
        runs[name] = ShuffleRun(
            step_loss=np.array(history.train_loss), eval_steps=np.array(history.eval_steps),
            held_out_acc=np.array(history.eval_metrics["held_out_acc"]), batch_labels=labels,
            one_class_share=float(np.mean([len(np.unique(b)) == 1 for b in labels])),
            first_batches=[e[0].numpy() for e in batches.epochs if e],
            final_acc=float("nan") if history.diverged else history.eval_metrics["held_out_acc"][-1],
            diverged=history.diverged, diverged_at=history.diverged_at)
    return ShuffleResult(runs, steps_per_epoch)


def shuffle_claims(result: ShuffleResult) -> list[Claim]:
    """What the shuffling notice may say."""
    runs = result.runs
    s, u = runs["sorted"], runs["shuffled"]
    claims = [Claim("one_class", {"sorted_one": 100 * s.one_class_share,
                                  "shuffled_one": 100 * u.one_class_share})]
    if s.diverged or u.diverged:
        claims.append(Claim("diverged", {}))
    else:
        # The difference is taken between the two numbers as printed (1 decimal), so the
        # sentence adds up: 10.1% vs 87.6% is 77.5 points, whatever the unrounded gap was.
        sorted_acc, shuffled_acc = round(100 * s.final_acc, 1), round(100 * u.final_acc, 1)
        diff_pp = round(shuffled_acc - sorted_acc, 1)
        values = {"sorted_acc": sorted_acc, "shuffled_acc": shuffled_acc, "diff": abs(diff_pp)}
        claims.append(Claim("sorted_worse" if diff_pp > 0 else "sorted_not_worse", values))
    firsts = u.first_batches
    if len(firsts) > 1 and all(not np.array_equal(a, b) for a, b in zip(firsts, firsts[1:])):
        claims.append(Claim("orders", {}))
    return claims


def shuffle_code(cfg: ShuffleConfig) -> str:
    loop = training_loop_code(
        epochs=cfg.epochs, batch="xb, yb, ib", losses=None,
        loss_fn="nn.functional.cross_entropy",
        eval_every=max(1, cfg.per_class // cfg.batch_size // 2),
        evaluate="held_out_acc.append((model(x_ho).argmax(1) == y_ho).float().mean().item())",
        on_step="served.append(ib)",
        on_diverge='print(f"shuffle={shuffle}: diverged at step {diverged_at}")')
    return f'''{imports_code(loader=True, digits=True)}
seed = {cfg.seed}
{digits_code("x_all", "y_all")}


{source_code(sorted_by_class)}

tr, ho = sorted_by_class(y_all, {cfg.per_class}, seed)  # {cfg.per_class} zeros, then {cfg.per_class} ones, ...
x, y, x_ho, y_ho = x_all[tr], y_all[tr], x_all[ho], y_all[ho]
dataset = TensorDataset(x, y, torch.arange(len(y)))

for shuffle in [False, True]:
{_indented_mlp(cfg)}    optimizer = {optimizer_code("sgd", cfg.lr)}
    # The loader's own generator: the same seed gives the same orders, every run
    loader = DataLoader(dataset, batch_size={cfg.batch_size}, shuffle=shuffle,
                        generator=torch.Generator().manual_seed(seed))
    served = []  # the dataset indices of every batch, in the order they came
    held_out_acc = []
{indent(loop)}    for epoch in range(len(served) // len(loader)):
        first = served[epoch * len(loader)][:8].tolist()
        print(f"shuffle={{shuffle}} epoch {{epoch + 1}}: first batch indices {{first}}")
    one_class = sum(len(torch.unique(y[ib])) == 1 for ib in served[:len(loader)])
    print(f"  batches holding a single class in epoch 1: {{one_class}} of {{len(loader)}}")
    if diverged_at is None:
        print(f"shuffle={{shuffle}}: held-out accuracy {{held_out_acc[-1]:.3f}}")
'''


def _indented_mlp(cfg: ShuffleConfig) -> str:
    return indent(mlp_code(MLPSpec(in_features=64, hidden=(cfg.hidden,), out_features=10)))


# --- 3. num_workers -----------------------------------------------------------------------


class SlowDigits(Dataset):
    """Digits whose every item costs ``item_ms`` of waiting. Standalone: the code panel
    shows its source."""

    # Every item waits item_ms, like a file read or a decode. The wait is a sleep (it
    # releases the CPU), so worker processes overlap it even on a 2-core machine.
    def __init__(self, x: torch.Tensor, y: torch.Tensor, item_ms: float) -> None:
        self.x, self.y = x.clone(), y.clone()
        self.item_ms = item_ms

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        time.sleep(self.item_ms / 1000)
        return self.x[i], self.y[i]


MAX_WORKERS = 2  # this app runs on 2 cores


@dataclass(frozen=True)
class WorkersConfig:
    workers: tuple[int, ...] = (0, 1, 2)
    n_items: int = 16  # samples per epoch
    item_ms: float = 2.0  # simulated loading cost per sample
    batch_size: int = 8
    epochs: int = 3  # the first also starts the (persistent) worker processes
    seed: int = 0


@dataclass(frozen=True)
class WorkersResult:
    workers: np.ndarray  # (W,)
    epoch_s: np.ndarray  # (W, epochs) wall time to iterate each epoch
    checksums: np.ndarray  # (W, epochs) sum of (position-weighted) batch contents
    same_batches: bool  # every worker count served exactly the batches of num_workers=0
    ideal_s: float  # n_items * item_ms: one process, no overhead


def run_workers(cfg: WorkersConfig,
                _on_progress: Callable[[float], None] | None = None) -> WorkersResult:
    """Iterate the same shuffled SlowDigits loader with each worker count and time it.

    Workers are persistent: started in the first epoch, reused by the next ones, shut down
    when the loader goes away (so the first epoch shows the start-up cost, the others not).
    """
    x, y = digits_xy()
    dataset = SlowDigits(x[:cfg.n_items], y[:cfg.n_items], cfg.item_ms)
    times, sums, reference, same = [], [], None, True
    total = len(cfg.workers) * cfg.epochs
    for w_i, w in enumerate(cfg.workers):
        w = min(int(w), MAX_WORKERS)
        # The sampler owns the shuffling generator: a loader also draws its workers' base
        # seed from its generator, once per epoch without persistent workers and only once
        # with them, which would make the orders differ between worker counts.
        loader = DataLoader(dataset, batch_size=cfg.batch_size,
                            sampler=RandomSampler(dataset, generator=make_generator(cfg.seed)),
                            generator=make_generator(cfg.seed + 1), num_workers=w,
                            persistent_workers=w > 0)
        row_t, row_s, served = [], [], []
        for e in range(cfg.epochs):
            start = time.perf_counter()
            batches = [(xb.clone(), yb.clone()) for xb, yb in loader]
            row_t.append(time.perf_counter() - start)
            served.append(batches)
            row_s.append(batch_checksum(batches))
            if _on_progress is not None:
                _on_progress((w_i * cfg.epochs + e + 1) / total)
        del loader  # shuts the persistent workers down
        if reference is None:
            reference = served
        else:
            same &= all(len(a) == len(b) and all(torch.equal(xa, xb) and torch.equal(ya, yb)
                                                for (xa, ya), (xb, yb) in zip(a, b))
                        for a, b in zip(reference, served))
        times.append(row_t)
        sums.append(row_s)
    return WorkersResult(np.array(cfg.workers), np.array(times), np.array(sums), bool(same),
                         cfg.n_items * cfg.item_ms / 1000)


def workers_claims(result: WorkersResult) -> list[Claim]:
    """What the num_workers notice may say, from the measured wall times (index 0 = no
    workers, last = the most workers)."""
    w = int(result.workers[-1])
    first0, first_w = float(result.epoch_s[0, 0]), float(result.epoch_s[-1, 0])
    claims = []
    if result.epoch_s.shape[1] > 1:
        later0 = float(result.epoch_s[0, 1:].mean())
        later_w = float(result.epoch_s[-1, 1:].mean())
        values = {"w": w, "t0": later0, "tw": later_w, "ideal": result.ideal_s}
        if later_w < later0:
            claims.append(Claim("later_faster", values | {"ratio": later0 / later_w}))
        else:
            claims.append(Claim("later_slower", values | {"ratio": later_w / later0}))
    values = {"w": w, "t0": first0, "tw": first_w}
    if first_w < first0:
        claims.append(Claim("first_faster", values | {"ratio": first0 / first_w}))
    else:
        claims.append(Claim("first_slower", values | {"extra": first_w - first0}))
    return claims


def batch_checksum(batches: list[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """One number that changes if any batch, or the order, changes. Shown by the panel."""
    total = 0.0
    for k, (xb, yb) in enumerate(batches, start=1):
        total += k * (float(xb.sum()) + float(yb.sum()))
    return round(total, 3)


def workers_code(cfg: WorkersConfig) -> str:
    return f'''import time
import torch
from torch.utils.data import DataLoader, Dataset, RandomSampler
{DIGITS_IMPORT}


{source_code(SlowDigits)}

{source_code(batch_checksum)}

if __name__ == "__main__":  # needed where workers are spawned (Windows, macOS)
{indent(digits_code(), 4)}    dataset = SlowDigits(x[:{cfg.n_items}], y[:{cfg.n_items}], {cfg.item_ms!r})
    for workers in {list(cfg.workers)!r}:
        # The sampler's own generator decides the order, the same for every worker count
        sampler = RandomSampler(dataset, generator=torch.Generator().manual_seed({cfg.seed}))
        loader = DataLoader(dataset, batch_size={cfg.batch_size}, sampler=sampler,
                            generator=torch.Generator().manual_seed({cfg.seed + 1}),
                            num_workers=workers, persistent_workers=workers > 0)
        for epoch in range({cfg.epochs}):
            start = time.perf_counter()
            batches = [(xb.clone(), yb.clone()) for xb, yb in loader]
            seconds = time.perf_counter() - start
            print(f"num_workers={{workers}} epoch {{epoch + 1}}: {{seconds:.3f}} s, "
                  f"checksum {{batch_checksum(batches)}}")
'''
