"""Train / validation / test: how to cut the data, early stopping on validation, and why
choosing a model by its test score makes that score lie.

Three experiments on the real 8x8 digits (scikit-learn, no download), each a frozen Config
and a ``run_*`` returning numpy arrays and floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from core.claims import Claim, printed_gap, signed
from core.codegen import DIGITS_IMPORT, digits_code, imports_code, indent, mlp_code, training_loop_code
from core.data import digits_xy, load_digits, split_indices
from core.models import MLPSpec, build_mlp
from core.seeding import make_generator, prepare_thread
from core.training import full_batch, make_loader, make_optimizer, train

SPLITS = ("train", "val", "test")
METHODS = ("random", "stratified")


def resolve_fractions(train_pct: int, val_pct: int, test_pct: int) -> tuple[float, float, float]:
    """Slider percentages -> fractions that sum to 1 (rescaled if they do not add up to 100).

    Raises ValueError when there is nothing to train on.
    """
    total = train_pct + val_pct + test_pct
    if train_pct <= 0 or total <= 0:
        raise ValueError("the training part must be larger than 0")
    return (train_pct / total, val_pct / total, test_pct / total)


# --- 1. the split itself ---------------------------------------------------------------


@dataclass(frozen=True)
class SplitConfig:
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)  # train, val, test (sum 1)
    n: int = 200  # samples in the (imbalanced) dataset
    n_classes: int = 5  # digits 0 .. n_classes-1
    imbalance: float = 0.1  # size of the rarest class / size of the most common one
    seed: int = 0


@dataclass(frozen=True)
class SplitResult:
    class_sizes: np.ndarray  # (n_classes,) samples per class in the dataset
    indices: dict[str, list[np.ndarray]]  # method -> [train, val, test] dataset indices
    counts: dict[str, np.ndarray]  # method -> (3 splits, n_classes) samples per class
    max_error: dict[str, float]  # method -> max |count - fraction * class size| (samples)
    max_share_gap: dict[str, float]  # method -> max |class share in split - overall| (pp)
    missing: dict[str, int]  # method -> (split, class) cells with 0 samples, class present


def class_sizes(cfg: SplitConfig) -> list[int]:
    """Geometric class sizes from most common (digit 0) to rarest, summing to ``cfg.n``."""
    k = cfg.n_classes
    weights = [cfg.imbalance ** (c / (k - 1)) for c in range(k)]
    sizes = [max(1, round(cfg.n * w / sum(weights))) for w in weights]
    sizes[0] += cfg.n - sum(sizes)  # rounding remainder goes to the largest class
    return sizes


def make_imbalanced_labels(cfg: SplitConfig) -> torch.Tensor:
    """The dataset's labels: ``class_sizes`` digits of each class, drawn from the real set."""
    labels = load_digits().labels
    g = make_generator(cfg.seed)
    picked = []
    for c, size in enumerate(class_sizes(cfg)):
        idx = torch.nonzero(labels == c).flatten()
        picked.append(idx[torch.randperm(len(idx), generator=g)[:size]])
    return labels[torch.cat(picked)]


def stratified_indices(labels: torch.Tensor, fractions: tuple[float, ...],
                       seed: int) -> list[torch.Tensor]:
    """Cut every class separately at the same cumulative fractions, then merge.

    Boundaries are rounded cumulatively, so each part of each class is within one sample
    of ``fraction * class size``.
    """
    g = make_generator(seed)
    parts: list[list[torch.Tensor]] = [[] for _ in fractions]
    for c in torch.unique(labels).tolist():
        idx = torch.nonzero(labels == c).flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        cuts = [0] + [round(sum(fractions[: i + 1]) * len(idx)) for i in range(len(fractions))]
        cuts[-1] = len(idx)
        for i in range(len(fractions)):
            parts[i].append(idx[cuts[i]:cuts[i + 1]])
    return [torch.cat(p) for p in parts]


def run_split(cfg: SplitConfig) -> SplitResult:
    labels = make_imbalanced_labels(cfg)
    sizes = np.bincount(labels.numpy(), minlength=cfg.n_classes)
    methods = {
        "random": split_indices(len(labels), cfg.fractions, seed=cfg.seed),
        "stratified": stratified_indices(labels, cfg.fractions, seed=cfg.seed),
    }
    indices, counts, max_error, share_gap, missing = {}, {}, {}, {}, {}
    overall = sizes / sizes.sum()
    for method, parts in methods.items():
        indices[method] = [p.numpy() for p in parts]
        c = np.stack([np.bincount(labels[p].numpy(), minlength=cfg.n_classes) for p in parts])
        counts[method] = c
        expected = np.outer(cfg.fractions, sizes)
        max_error[method] = float(np.abs(c - expected).max())
        totals = c.sum(1, keepdims=True)
        shares = np.divide(c, totals, out=np.zeros_like(c, dtype=float), where=totals > 0)
        used = totals[:, 0] > 0
        share_gap[method] = float(100 * np.abs(shares[used] - overall).max()) if used.any() else 0.0
        missing[method] = int(((c == 0) & used[:, None] & (sizes > 0)).sum())
    return SplitResult(sizes, indices, counts, max_error, share_gap, missing)


def split_code(cfg: SplitConfig) -> str:
    return f'''import torch
from sklearn.datasets import load_digits

labels_all = torch.tensor(load_digits().target)
fractions = {tuple(round(f, 6) for f in cfg.fractions)!r}  # train, val, test
sizes = {class_sizes(cfg)!r}  # samples per class: an imbalanced dataset of {cfg.n}
seed = {cfg.seed}

# The dataset: `size` real digits of each class
g = torch.Generator().manual_seed(seed)
picked = []
for c, size in enumerate(sizes):
    idx = torch.nonzero(labels_all == c).flatten()
    picked.append(idx[torch.randperm(len(idx), generator=g)[:size]])
labels = labels_all[torch.cat(picked)]
n = len(labels)

# Random split: shuffle everything, cut once
perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
cut = [round(fractions[0] * n), round(fractions[1] * n)]
random_parts = torch.split(perm, [cut[0], cut[1], n - sum(cut)])

# Stratified split: cut every class at the same fractions
g = torch.Generator().manual_seed(seed)
strat_parts = [[], [], []]
for c in torch.unique(labels).tolist():
    idx = torch.nonzero(labels == c).flatten()
    idx = idx[torch.randperm(len(idx), generator=g)]
    cuts = [0, round(fractions[0] * len(idx)), round((fractions[0] + fractions[1]) * len(idx)),
            len(idx)]
    for i in range(3):
        strat_parts[i].append(idx[cuts[i]:cuts[i + 1]])
strat_parts = [torch.cat(p) for p in strat_parts]

counts = {{}}
for method, parts in [("random", random_parts), ("stratified", strat_parts)]:
    counts[method] = [torch.bincount(labels[p], minlength={cfg.n_classes}).tolist() for p in parts]
    for name, row in zip(["train", "val", "test"], counts[method]):
        print(f"{{method:>10}} {{name:>5}}: samples per class {{row}}")
'''


# --- 2. early stopping by validation ----------------------------------------------------


@dataclass(frozen=True)
class EarlyStopConfig:
    width: int = 128  # units in each of the 2 hidden layers (over-capacity for 359 samples)
    label_noise: float = 0.2  # share of training labels replaced by a wrong class
    lr: float = 0.003  # Adam learning rate
    patience: int = 5  # epochs without a better validation loss before stopping
    epochs: int = 40  # trained in full so the curve after the stop is visible
    batch_size: int = 60
    fractions: tuple[float, float] = (0.2, 0.2)  # train and validation; test = the rest
    seed: int = 0


@dataclass(frozen=True)
class EarlyStopResult:
    epochs: np.ndarray  # (E+1,) 0 = before training
    train_loss: np.ndarray  # (E+1,) on the (noisy) training labels
    val_loss: np.ndarray
    val_acc: np.ndarray
    best_epoch: int  # lowest validation loss seen before the stop
    stop_epoch: int  # where patience stops training (the last epoch if it never does)
    stopped: bool  # patience ran out within the epochs (False: it never stopped)
    restored_test_acc: float  # test accuracy of the weights restored from best_epoch
    final_test_acc: float  # test accuracy after the last epoch
    best_state: dict[str, np.ndarray]  # the restored weights
    sizes: tuple[int, int, int]  # train, val, test
    diverged: bool
    diverged_at: int | None


def early_stop_data(cfg: EarlyStopConfig):
    x, y = digits_xy()
    train_idx, val_idx, test_idx = split_indices(len(y), (*cfg.fractions, 1 - sum(cfg.fractions)), seed=cfg.seed)
    y_train = y[train_idx].clone()
    g = make_generator(cfg.seed + 1)
    n_noisy = round(cfg.label_noise * len(train_idx))
    noisy = torch.randperm(len(train_idx), generator=g)[:n_noisy]
    # a random *wrong* class: shift by 1..9 modulo 10
    y_train[noisy] = (y_train[noisy] + torch.randint(1, 10, (n_noisy,), generator=g)) % 10
    return (x[train_idx], y_train), (x[val_idx], y[val_idx]), (x[test_idx], y[test_idx])


def early_stop_spec(cfg: EarlyStopConfig) -> MLPSpec:
    return MLPSpec(in_features=64, hidden=(cfg.width, cfg.width), out_features=10)


@dataclass(frozen=True)
class EarlyStopTraining:
    """One training run with everything early stopping needs for ANY patience: patience only
    decides which recorded best the rule stops at, never how the network trains."""
    epochs: np.ndarray  # (E+1,) 0 = before training
    train_loss: np.ndarray
    val_loss: np.ndarray
    val_acc: np.ndarray
    records: tuple[int, ...]  # evaluations whose validation loss was a new minimum, in order
    record_test_acc: dict[int, float]  # test accuracy of the weights at a kept record
    record_states: dict[int, dict[str, np.ndarray]]  # the weights at a kept record
    last_eval: int  # index of the last evaluation
    final_test_acc: float  # test accuracy after the last epoch (nan if diverged)
    final_model_test_acc: float  # the same, measured even if diverged (nothing restored)
    final_state: dict[str, np.ndarray]
    sizes: tuple[int, int, int]
    diverged: bool
    diverged_at: int | None


def early_stop_training_config(cfg: EarlyStopConfig) -> EarlyStopConfig:
    """The training stage's config: patience does not change the run (normalised to 0)."""
    return replace(cfg, patience=0)


def run_early_stop_training(cfg: EarlyStopConfig) -> EarlyStopTraining:
    """Train for all ``cfg.epochs`` (so the curve after the stop is visible) and keep a copy
    of the weights, and their test accuracy, at every new lowest validation loss that some
    patience could restore. ``cfg.patience`` is not read."""
    (x_tr, y_tr), (x_val, y_val), (x_te, y_te) = early_stop_data(cfg)
    model = build_mlp(early_stop_spec(cfg), seed=cfg.seed)
    loss_fn = nn.CrossEntropyLoss()
    watch = {"epoch": -1, "best_loss": math.inf}
    records: list[int] = []
    states: dict[int, dict[str, torch.Tensor]] = {}
    test_acc: dict[int, float] = {}

    def test_accuracy(m: nn.Module) -> float:
        with torch.no_grad():
            return float((m(x_te).argmax(1) == y_te).float().mean())

    def evaluate(m: nn.Module) -> dict[str, float]:
        watch["epoch"] += 1
        val_logits = m(x_val)
        val_loss = float(loss_fn(val_logits, y_val))
        if val_loss < watch["best_loss"]:  # a copy of the best weights so far
            watch["best_loss"] = val_loss
            epoch = watch["epoch"]
            if records and records[-1] == epoch - 1:  # no patience ≥ 1 stops at that one
                states.pop(epoch - 1, None)
                test_acc.pop(epoch - 1, None)
            records.append(epoch)
            states[epoch] = {k: v.detach().clone() for k, v in m.state_dict().items()}
            test_acc[epoch] = test_accuracy(m)
        return {"train_loss": float(loss_fn(m(x_tr), y_tr)), "val_loss": val_loss,
                "val_acc": float((val_logits.argmax(1) == y_val).float().mean())}

    loader = make_loader(x_tr, y_tr, cfg.batch_size, shuffle=True, seed=cfg.seed)
    steps_per_epoch = math.ceil(len(y_tr) / cfg.batch_size)
    history = train(model, loss_fn, make_optimizer("adam", model.parameters(), lr=cfg.lr),
                    loader, epochs=cfg.epochs, evaluate=evaluate, eval_every=steps_per_epoch,
                    seed=cfg.seed)
    m = {k: np.array(v) for k, v in history.eval_metrics.items()}
    final = test_accuracy(model)
    return EarlyStopTraining(
        epochs=np.array(history.eval_steps) // steps_per_epoch,
        train_loss=m["train_loss"], val_loss=m["val_loss"], val_acc=m["val_acc"],
        records=tuple(records), record_test_acc=test_acc,
        record_states={e: {k: v.numpy().copy() for k, v in st.items()} for e, st in states.items()},
        last_eval=int(watch["epoch"]),
        final_test_acc=float("nan") if history.diverged else final, final_model_test_acc=final,
        final_state={k: v.numpy().copy() for k, v in model.state_dict().items()},
        sizes=(len(y_tr), len(y_val), len(y_te)),
        diverged=history.diverged, diverged_at=history.diverged_at,
    )


def early_stop_result(run: EarlyStopTraining, patience: int) -> EarlyStopResult:
    """Where an early-stopping rule with ``patience`` stops on ``run`` and what it restores:
    it keeps the best weights seen, and once ``patience`` evaluations pass without a better
    validation loss it freezes that copy (quick: no training)."""
    is_record = set(run.records)
    best, stop = None, None
    for epoch in range(run.last_eval + 1):
        if epoch in is_record:
            best = epoch
        elif epoch - (best if best is not None else 0) >= patience:
            stop = epoch
            break
    if best is None:  # never a finite validation loss: nothing restored
        restored, state = run.final_model_test_acc, run.final_state
    else:
        restored, state = run.record_test_acc[best], run.record_states[best]
    return EarlyStopResult(
        epochs=run.epochs, train_loss=run.train_loss, val_loss=run.val_loss, val_acc=run.val_acc,
        best_epoch=best if best is not None else 0,
        stop_epoch=stop if stop is not None else run.last_eval,
        stopped=stop is not None,
        restored_test_acc=restored, final_test_acc=run.final_test_acc,
        best_state=state, sizes=run.sizes,
        diverged=run.diverged, diverged_at=run.diverged_at,
    )


def run_early_stop(cfg: EarlyStopConfig) -> EarlyStopResult:
    """Train for all ``cfg.epochs`` (so the curve after the stop is visible), while an
    early-stopping rule watches the validation loss: it keeps a copy of the best weights,
    and once ``patience`` epochs pass without improvement it freezes that copy. The page
    caches the two stages apart (``run_early_stop_training``, ``early_stop_result``)."""
    return early_stop_result(run_early_stop_training(early_stop_training_config(cfg)),
                             cfg.patience)


def early_stop_code(cfg: EarlyStopConfig) -> str:
    loop = training_loop_code(epochs=cfg.epochs, eval_every="len(loader)", losses=None, evaluate=f"""
global best_loss, best_epoch, best_state, stop_epoch
val_loss = loss_fn(model(x_val), y_val).item()
val_losses.append(val_loss)
print(f"epoch {{step // len(loader):3d}}  val loss {{val_loss:.4f}}")
if stop_epoch is None:  # a real run would stop at stop_epoch; we go on to see what comes after
    if val_loss < best_loss:  # remember the best weights
        best_loss, best_epoch = val_loss, step // len(loader)
        best_state = copy.deepcopy(model.state_dict())
    elif step // len(loader) - best_epoch >= {cfg.patience}:  # no improvement for that long
        stop_epoch = step // len(loader)""")
    return f'''import copy
import math
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
{DIGITS_IMPORT}

seed = {cfg.seed}
{digits_code("x_all", "y_all")}
# Split: {cfg.fractions[0]:.0%} train, {cfg.fractions[1]:.0%} validation, the rest test
n = len(y_all)
perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
n_train, n_val = round({cfg.fractions[0]} * n), round({cfg.fractions[1]} * n)
train_idx, val_idx, test_idx = perm[:n_train], perm[n_train:n_train + n_val], perm[n_train + n_val:]
x_tr, y_tr = x_all[train_idx], y_all[train_idx].clone()
x_val, y_val, x_te, y_te = x_all[val_idx], y_all[val_idx], x_all[test_idx], y_all[test_idx]

# {cfg.label_noise:.0%} of the training labels replaced by a wrong class
g = torch.Generator().manual_seed(seed + 1)
n_noisy = round({cfg.label_noise} * n_train)
noisy = torch.randperm(n_train, generator=g)[:n_noisy]
y_tr[noisy] = (y_tr[noisy] + torch.randint(1, 10, (n_noisy,), generator=g)) % 10

{mlp_code(early_stop_spec(cfg))}
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr={cfg.lr})
loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size={cfg.batch_size}, shuffle=True,
                    generator=torch.Generator().manual_seed(seed))

best_loss, best_epoch, best_state, stop_epoch = math.inf, 0, None, None
val_losses = []


def test_accuracy():
    with torch.no_grad():
        return (model(x_te).argmax(1) == y_te).float().mean().item()


{loop}if diverged_at is None:
    final_test_acc = test_accuracy()
    model.load_state_dict(best_state)  # early stopping: restore the best-validation weights
    restored_test_acc = test_accuracy()
    stop = stop_epoch if stop_epoch is not None else f"never (ran all {cfg.epochs} epochs)"
    print(f"stopped at epoch {{stop}}, best validation epoch {{best_epoch}}: "
          f"test acc {{restored_test_acc:.3f}} (after all {cfg.epochs} epochs: {{final_test_acc:.3f}})")
'''


# --- 3. tuning on the test set ----------------------------------------------------------


@dataclass(frozen=True)
class TuningConfig:
    n_configs: int = 20  # candidate models (random width, learning rate and seed)
    holdout_size: int = 100  # samples in the validation set and, equally, in the test set
    repeats: int = 200  # fresh random val/test/fresh cuts of the held-out pool
    n_train: int = 400  # training samples (fixed)
    steps: int = 60  # full-batch Adam steps per candidate
    seed: int = 0


WIDTHS = (16, 32, 64, 128)
MAX_CONFIGS = 40  # candidates are drawn and trained once for this many; n_configs takes a prefix


@dataclass(frozen=True)
class TuningResult:
    widths: np.ndarray  # (C,)
    lrs: np.ndarray  # (C,)
    pool_acc: np.ndarray  # (C,) accuracy on the whole held-out pool (the "true" skill)
    val_acc: np.ndarray  # (R, C) per repetition
    test_acc: np.ndarray  # (R, C)
    fresh_acc: np.ndarray  # (R, C) on the samples left over for a fresh check
    chosen: dict[str, np.ndarray]  # "test"/"val" -> (R,) index of the chosen candidate
    reported: dict[str, float]  # "test"/"val" -> mean test accuracy of the chosen one
    fresh: dict[str, float]  # "test"/"val" -> mean fresh accuracy of the chosen one
    gap: dict[str, np.ndarray]  # "test"/"val" -> (R,) test - fresh of the chosen one
    fresh_size: int


def candidates(cfg: TuningConfig) -> tuple[list[int], list[float]]:
    """Random widths and log-uniform learning rates in [0.003, 0.03], from the seed."""
    g = make_generator(cfg.seed + 7)
    widths = [WIDTHS[i] for i in torch.randint(0, len(WIDTHS), (MAX_CONFIGS,), generator=g)]
    lrs = [float(10 ** (-2.5 + u)) for u in torch.rand(MAX_CONFIGS, generator=g).tolist()]
    return widths[:cfg.n_configs], lrs[:cfg.n_configs]


@lru_cache(maxsize=8)
def _pool_correct(n_train: int, steps: int, seed: int) -> np.ndarray:
    """(MAX_CONFIGS, pool) bool: candidate c classifies held-out sample i correctly. Trained
    once per seed, so the candidate-count and hold-out sliders never retrain."""
    cfg = TuningConfig(n_configs=MAX_CONFIGS, n_train=n_train, steps=steps, seed=seed)
    prepare_thread()
    x, y = digits_xy()
    perm = torch.randperm(len(y), generator=make_generator(seed))
    tr, pool = perm[:n_train], perm[n_train:]
    correct = []
    for i, (width, lr) in enumerate(zip(*candidates(cfg))):
        model = build_mlp(MLPSpec(in_features=64, hidden=(width,), out_features=10), seed=seed + i)
        train(model, nn.CrossEntropyLoss(), make_optimizer("adam", model.parameters(), lr=lr),
              full_batch(x[tr], y[tr]), epochs=steps, seed=seed)
        with torch.no_grad():
            correct.append((model(x[pool]).argmax(1) == y[pool]).numpy())
    return np.stack(correct)


def run_tuning(cfg: TuningConfig) -> TuningResult:
    if not 1 <= cfg.n_configs <= MAX_CONFIGS:
        raise ValueError(f"n_configs must be in 1..{MAX_CONFIGS}")
    correct = _pool_correct(cfg.n_train, cfg.steps, cfg.seed)[:cfg.n_configs]
    pool = correct.shape[1]
    h = min(cfg.holdout_size, (pool - 1) // 3)
    g = make_generator(cfg.seed + 1)
    val, test, fresh = [], [], []
    for _ in range(cfg.repeats):
        order = torch.randperm(pool, generator=g).numpy()
        val.append(correct[:, order[:h]].mean(1))
        test.append(correct[:, order[h:2 * h]].mean(1))
        fresh.append(correct[:, order[2 * h:]].mean(1))
    val_acc, test_acc, fresh_acc = np.array(val), np.array(test), np.array(fresh)
    rows = np.arange(cfg.repeats)
    chosen = {"test": test_acc.argmax(1), "val": val_acc.argmax(1)}
    gap = {k: test_acc[rows, c] - fresh_acc[rows, c] for k, c in chosen.items()}
    widths, lrs = candidates(cfg)
    return TuningResult(
        widths=np.array(widths), lrs=np.array(lrs), pool_acc=correct.mean(1),
        val_acc=val_acc, test_acc=test_acc, fresh_acc=fresh_acc, chosen=chosen,
        reported={k: float(test_acc[rows, c].mean()) for k, c in chosen.items()},
        fresh={k: float(fresh_acc[rows, c].mean()) for k, c in chosen.items()},
        gap=gap, fresh_size=pool - 2 * h,
    )


def tuning_code(cfg: TuningConfig) -> str:
    return f'''{imports_code(digits=True)}
torch.set_flush_denormal(True)
seed = {cfg.seed}
{digits_code("x_all", "y_all")}
perm = torch.randperm(len(y_all), generator=torch.Generator().manual_seed(seed))
tr, pool = perm[:{cfg.n_train}], perm[{cfg.n_train}:]

# {cfg.n_configs} candidate models: random width and learning rate (first of {MAX_CONFIGS} draws)
g = torch.Generator().manual_seed(seed + 7)
widths = [{list(WIDTHS)!r}[i] for i in torch.randint(0, {len(WIDTHS)}, ({MAX_CONFIGS},), generator=g)]
lrs = [10 ** (-2.5 + u) for u in torch.rand({MAX_CONFIGS}, generator=g).tolist()]
widths, lrs = widths[:{cfg.n_configs}], lrs[:{cfg.n_configs}]

correct = []  # per candidate: which held-out samples it gets right
for i, (width, lr) in enumerate(zip(widths, lrs)):
{indent(mlp_code(MLPSpec(in_features=64, hidden=(0,), out_features=10), seed="seed + i"))}'''.replace(
        "zip([64], [0])", "zip([64], [width])").replace(
        "linear(0, 10)", "linear(width, 10)") + f'''    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
{indent(training_loop_code(epochs=cfg.steps, batches="[(x_all[tr], y_all[tr])]", losses=None,
                           loss_fn="nn.functional.cross_entropy", on_diverge=None))}    with torch.no_grad():
        correct.append(model(x_all[pool]).argmax(1) == y_all[pool])
correct = torch.stack(correct).float()  # (candidates, pool)

# Cut the held-out pool {cfg.repeats} times into validation / test / fresh
h = min({cfg.holdout_size}, (len(pool) - 1) // 3)
g = torch.Generator().manual_seed(seed + 1)
reported = {{"test": [], "val": []}}
fresh = {{"test": [], "val": []}}
for _ in range({cfg.repeats}):
    order = torch.randperm(len(pool), generator=g)
    val_acc = correct[:, order[:h]].mean(1)
    test_acc = correct[:, order[h:2 * h]].mean(1)
    fresh_acc = correct[:, order[2 * h:]].mean(1)
    for rule, scores in [("test", test_acc), ("val", val_acc)]:
        best = int(scores.argmax())  # first of the ties, like numpy
        reported[rule].append(test_acc[best].item())
        fresh[rule].append(fresh_acc[best].item())

for rule in ["test", "val"]:
    r = sum(reported[rule]) / len(reported[rule])
    f = sum(fresh[rule]) / len(fresh[rule])
    print(f"chosen by {{rule:>4}}: reported test acc {{r:.4f}}, fresh acc {{f:.4f}}, "
          f"optimism {{r - f:+.4f}}")
'''


# --- what the sections show (claims for the "what to notice" boxes) ------------------------

SAME_PP = 1.0  # test accuracies within 1 percentage point count as the same


def split_claims(result: SplitResult) -> list[Claim]:
    """``strat_within`` (largest stratified deviation from the exact share, in samples);
    ``random_off`` (random deviates more) or ``random_close``; ``random_missing`` (a part
    got no sample of a class that exists); ``strat_missing`` (even stratified could not: too
    few samples of the rarest class for three parts); ``no_overlap`` (checked here)."""
    rare = int(result.class_sizes[result.class_sizes > 0].min())
    claims = [Claim("strat_within", {"err": f"{result.max_error['stratified']:.1f}"})]
    if result.max_error["random"] > result.max_error["stratified"]:
        claims.append(Claim("random_off", {"err": f"{result.max_error['random']:.1f}"}))
    else:
        claims.append(Claim("random_close", {"err": f"{result.max_error['random']:.1f}"}))
    if result.missing["random"]:
        claims.append(Claim("random_missing", {"cells": result.missing["random"], "rare": rare}))
    if result.missing["stratified"]:
        claims.append(Claim("strat_missing", {"cells": result.missing["stratified"],
                                              "rare": rare}))
    for parts in result.indices.values():
        seen = np.concatenate(parts)
        if len(np.unique(seen)) != len(seen):
            return claims
    claims.append(Claim("no_overlap", {}))
    return claims


def early_claims(result: EarlyStopResult, cfg: EarlyStopConfig) -> list[Claim]:
    """``no_improvement`` (validation loss never beat the untrained model's) or ``stopped``
    (patience ran out) or ``never_stopped``; then ``restored_better`` / ``restored_same`` /
    ``restored_worse`` (test accuracy of the restored weights vs the last epoch's, in %p)."""
    if result.diverged:
        return []
    claims = []
    values = {"best": result.best_epoch, "stop": result.stop_epoch, "patience": cfg.patience,
              "epochs": cfg.epochs}
    if result.best_epoch == 0:
        claims.append(Claim("no_improvement", values))
    elif result.stopped:
        claims.append(Claim("stopped", values))
    else:
        claims.append(Claim("never_stopped", values))
    diff = printed_gap(result.restored_test_acc, result.final_test_acc)  # as printed
    outcome = "better" if diff >= SAME_PP else "worse" if diff <= -SAME_PP else "same"
    claims.append(Claim(f"restored_{outcome}", {
        "best": result.best_epoch, "restored": f"{100 * result.restored_test_acc:.1f}",
        "final": f"{100 * result.final_test_acc:.1f}", "diff": f"{abs(diff):.1f}",
        "n_test": result.sizes[2]}))
    return claims


def tuning_claims(result: TuningResult, cfg: TuningConfig) -> list[Claim]:
    """``test_optimistic`` (chosen by test, the reported score is above the fresh one on
    average) or ``test_not_optimistic``; ``val_smaller`` (chosen by validation, the test
    score's optimism is smaller in size) or ``val_not_smaller``. Points are %p."""
    bias = {r: 100 * (result.reported[r] - result.fresh[r]) for r in ("test", "val")}
    values = {"n": cfg.n_configs, "reported": f"{100 * result.reported['test']:.1f}",
              "fresh": f"{100 * result.fresh['test']:.1f}", "fresh_n": result.fresh_size,
              "bias": signed(bias["test"], 2), "val_bias": signed(bias["val"], 2)}
    claims = [Claim("test_optimistic" if round(bias["test"], 2) > 0 else "test_not_optimistic",
                    values)]
    claims.append(Claim("val_smaller" if abs(bias["val"]) < abs(bias["test"])
                        else "val_not_smaller", values))
    return claims
