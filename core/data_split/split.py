"""Train / validation / test, 1: how to cut the data. Random versus stratified splits of
an imbalanced label set: how far each part's class shares stray from the whole's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.claims import Claim
from core.data import load_digits, split_indices
from core.codegen import imports_code, source_code


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


def pick_per_class(labels: torch.Tensor, sizes: list[int], seed: int) -> torch.Tensor:
    """Indices of ``sizes[c]`` random samples of each class c (the code panel shows this
    function, so it uses torch only)."""
    g = torch.Generator().manual_seed(seed)  # its own generator: the same pick every run
    picked = []
    for c, size in enumerate(sizes):
        idx = torch.nonzero(labels == c).flatten()
        picked.append(idx[torch.randperm(len(idx), generator=g)[:size]])
    return torch.cat(picked)


def make_imbalanced_labels(cfg: SplitConfig) -> torch.Tensor:
    """The dataset's labels: ``class_sizes`` digits of each class, drawn from the real set."""
    labels = load_digits().labels
    return labels[pick_per_class(labels, class_sizes(cfg), cfg.seed)]


def stratified_indices(labels: torch.Tensor, fractions: tuple[float, ...],
                       seed: int) -> list[torch.Tensor]:
    """Cut every class separately at the same cumulative fractions, then merge.

    Boundaries are rounded cumulatively, so each part of each class is within one sample
    of ``fraction * class size``. The code panel shows this function: torch only.
    """
    g = torch.Generator().manual_seed(seed)  # its own generator: the same cut every run
    parts: list[list[torch.Tensor]] = [[] for _ in fractions]
    for c in torch.unique(labels).tolist():
        idx = torch.nonzero(labels == c).flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        cuts = [0] + [round(sum(fractions[: i + 1]) * len(idx)) for i in range(len(fractions))]
        cuts[-1] = len(idx)  # the last part takes the rest
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
    return f'''{imports_code("torch", digits=True, base=False)}
labels_all = torch.tensor(load_digits().target)
fractions = {tuple(cfg.fractions)!r}  # train, val, test
sizes = {class_sizes(cfg)!r}  # samples per class: an imbalanced dataset of {cfg.n}
seed = {cfg.seed}


{source_code(pick_per_class)}

{source_code(stratified_indices)}

{source_code(split_indices)}

labels = labels_all[pick_per_class(labels_all, sizes, seed)]  # the dataset: sizes[c] real digits of class c
random_parts = split_indices(len(labels), fractions, seed)  # shuffle everything, cut once
strat_parts = stratified_indices(labels, fractions, seed)  # cut every class at the same fractions
counts = {{}}
for method, parts in [("random", random_parts), ("stratified", strat_parts)]:
    counts[method] = [torch.bincount(labels[p], minlength={cfg.n_classes}).tolist() for p in parts]
    for name, row in zip(["train", "val", "test"], counts[method]):
        print(f"{{method:>10}} {{name:>5}}: samples per class {{row}}")
'''

# --- what the sections show (claims for the "what to notice" boxes) ------------------------


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
