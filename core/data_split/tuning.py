"""Train / validation / test, 3: choosing a model by its test score makes that score
lie. Candidates drawn once, each trained on the real 8x8 digits; the one chosen by test
versus by validation, then scored on fresh data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from core.claims import Claim, signed
from core.codegen import digits_code, imports_code, indent, mlp_code, optimizer_code, source_code, training_loop_code
from core.data import digits_xy
from core.models import MLPSpec, build_mlp
from core.seeding import make_generator, prepare_thread
from core.training import full_batch, make_optimizer, train


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


def draw_candidates(n: int, widths: tuple[int, ...], seed: int) -> tuple[list[int], list[float]]:
    """``n`` random widths and log-uniform learning rates in [0.003, 0.03]. The code panel
    shows this function, so it uses torch only."""
    g = torch.Generator().manual_seed(seed)  # its own generator: the same candidates every run
    chosen = [widths[i] for i in torch.randint(0, len(widths), (n,), generator=g)]
    lrs = [float(10 ** (-2.5 + u)) for u in torch.rand(n, generator=g).tolist()]
    return chosen, lrs


def candidates(cfg: TuningConfig) -> tuple[list[int], list[float]]:
    """The first ``n_configs`` of MAX_CONFIGS candidates drawn from ``seed + 7`` (so more
    candidates only add to the list)."""
    widths, lrs = draw_candidates(MAX_CONFIGS, WIDTHS, cfg.seed + 7)
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


{source_code(draw_candidates)}

# {cfg.n_configs} candidate models: random width and learning rate (the first of {MAX_CONFIGS} draws)
widths, lrs = draw_candidates({MAX_CONFIGS}, {WIDTHS!r}, seed + 7)
widths, lrs = widths[:{cfg.n_configs}], lrs[:{cfg.n_configs}]

correct = []  # per candidate: which held-out samples it gets right
for i, (width, lr) in enumerate(zip(widths, lrs)):
{indent(mlp_code(MLPSpec(in_features=64, hidden=(0,), out_features=10), seed="seed + i"))}'''.replace(
        "zip([64], [0])", "zip([64], [width])").replace(
        "linear(0, 10)", "linear(width, 10)") + f'''    optimizer = {optimizer_code("adam", "lr")}
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
