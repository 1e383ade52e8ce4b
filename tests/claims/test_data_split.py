"""/data-split: every claim the notices make holds on the numbers (presets and extremes).

Checks recompute from the split's index arrays, the early-stopping curves and the tuning
accuracies with numpy.
"""

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from core.data_split import (
    EarlyStopConfig, SplitConfig, TuningConfig, early_claims, make_imbalanced_labels,
    resolve_fractions, run_early_stop, run_split, run_tuning, split_claims, tuning_claims,
)

NEGATIVE_ZERO = re.compile(r"-0(\.0+)?(?![\d.])")  # "-0", "-0.0", not "-0.03"
LOCALE = tomllib.loads(Path("locales/data_split.toml").read_text(encoding="utf-8"))

# The page's widgets (app_pages/data_split.py) and presets. Split: train 0..100 (0 falls
# back to 60/20/20), val 0..50, test 0..50, n 40..300, imbalance 0.05..1 (defaults 60, 20,
# 20, 200, 0.1); preset small_imbalanced: n 80, imbalance 0.1.
SPLIT_DEFAULT = {"pcts": (60, 20, 20), "n": 200, "imbalance": 0.1}
SPLITS = [SPLIT_DEFAULT | {"n": 80}, SPLIT_DEFAULT, SPLIT_DEFAULT | {"pcts": (100, 20, 20)},
          SPLIT_DEFAULT | {"pcts": (5, 20, 20)}, SPLIT_DEFAULT | {"pcts": (60, 0, 20)},
          SPLIT_DEFAULT | {"pcts": (60, 50, 20)}, SPLIT_DEFAULT | {"pcts": (60, 20, 0)},
          SPLIT_DEFAULT | {"pcts": (60, 20, 50)}, SPLIT_DEFAULT | {"n": 40},
          SPLIT_DEFAULT | {"n": 300}, SPLIT_DEFAULT | {"imbalance": 0.05},
          SPLIT_DEFAULT | {"imbalance": 1.0},
          SPLIT_DEFAULT | {"n": 60, "imbalance": 0.05}]  # the old preset: rarest class of 2
# Early stopping: width 32..256, label noise 0..0.4, lr 0.0003..1, patience 1..15 (defaults
# 128, 0.2, 0.003, 5); preset noisy_overfit: noise 0.4, width 256.
EARLY = [{"label_noise": 0.4, "width": 256}, {}, {"width": 32}, {"width": 256},
         {"label_noise": 0.0}, {"label_noise": 0.4}, {"lr": 0.0003}, {"lr": 1.0},
         {"patience": 1}, {"patience": 15},
         {"lr": 0.0003, "patience": 1}]  # issue 9: "stops at epoch 40" when it never stopped
# Tuning: candidates 2..40, hold-out 30..400 (defaults 20, 100); preset tiny_test: 40, 30.
TUNING = [{"n_configs": 40, "holdout_size": 30}, {}, {"n_configs": 2}, {"n_configs": 40},
          {"holdout_size": 30}, {"holdout_size": 400}]


def check_translatable(claims, section: str) -> None:
    for claim in claims:
        for lang in ("en", "ko"):
            text = LOCALE[section]["claim"][claim.id][lang].format(**claim.values)
            assert "{" not in text and not NEGATIVE_ZERO.search(text), text


@pytest.mark.parametrize("state", SPLITS, ids=str)
def test_split_claims_hold(state):
    cfg = SplitConfig(fractions=resolve_fractions(*state["pcts"]), n=state["n"],
                      imbalance=state["imbalance"])
    result = run_split(cfg)
    labels = make_imbalanced_labels(cfg).numpy()
    sizes = np.bincount(labels, minlength=cfg.n_classes)
    err, empty = {}, {}
    for method, parts in result.indices.items():
        counts = np.array([np.bincount(labels[p], minlength=cfg.n_classes) for p in parts])
        err[method] = np.abs(counts - np.outer(cfg.fractions, sizes)).max()
        nonempty = np.array([len(p) > 0 for p in parts])
        empty[method] = int(((counts == 0) & nonempty[:, None] & (sizes > 0)).sum())
    claims = split_claims(result)
    for c in claims:
        v = c.values
        if c.id == "strat_within":
            assert float(v["err"]) == pytest.approx(err["stratified"], abs=0.051)
        elif c.id in ("random_off", "random_close"):
            assert float(v["err"]) == pytest.approx(err["random"], abs=0.051)
            assert (err["random"] > err["stratified"]) == (c.id == "random_off")
        elif c.id in ("random_missing", "strat_missing"):
            method = "random" if c.id == "random_missing" else "stratified"
            assert v["cells"] == empty[method] > 0 and v["rare"] == sizes[sizes > 0].min()
        elif c.id == "no_overlap":
            everything = np.concatenate([np.concatenate(p) for p in result.indices.values()])
            for parts in result.indices.values():
                joined = np.concatenate(parts)
                assert len(set(joined.tolist())) == len(joined)
            assert everything.size
        else:
            raise AssertionError(c.id)
    ids = {c.id for c in claims}
    assert ("random_missing" in ids) == (empty["random"] > 0)
    assert ("strat_missing" in ids) == (empty["stratified"] > 0)
    check_translatable(claims, "split")


def test_small_imbalanced_preset_is_saved_by_stratification():
    """The preset (80 samples, imbalance 0.1) shows what its help text says: random leaves
    the rare class out of a part, stratified does not. The old preset's rarest class of 2
    samples cannot be stratified into three parts, and the notice now says so."""
    ids = [c.id for c in split_claims(run_split(SplitConfig(n=80, imbalance=0.1)))]
    assert "random_missing" in ids and "strat_missing" not in ids
    old = [c.id for c in split_claims(run_split(SplitConfig(n=60, imbalance=0.05)))]
    assert "strat_missing" in old


@pytest.mark.parametrize("change", EARLY, ids=str)
def test_early_claims_hold(change):
    cfg = EarlyStopConfig(**change)
    r = run_early_stop(cfg)
    claims = early_claims(r, cfg)
    val = r.val_loss
    # the rule, replayed on the curve: best so far, stop after `patience` epochs without
    best, stop = 0, None
    for epoch in range(1, len(val)):
        if val[epoch] < val[best]:
            best = epoch
        elif epoch - best >= cfg.patience:
            stop = epoch
            break
    for c in claims:
        v = c.values
        if c.id == "stopped":
            assert stop == v["stop"] and best == v["best"] > 0
        elif c.id == "never_stopped":
            assert stop is None and best == v["best"] > 0 and v["epochs"] == len(val) - 1
        elif c.id == "no_improvement":
            assert best == 0 and (val[1:] >= val[0]).all() and v["stop"] == stop
        else:
            assert c.id.startswith("restored_")
            # the gap between the two printed percentages, so the sentence adds up
            diff = float(f"{100 * r.restored_test_acc:.1f}") - float(f"{100 * r.final_test_acc:.1f}")
            outcome = "better" if diff >= 1 - 1e-9 else "worse" if diff <= -1 + 1e-9 else "same"
            assert c.id == f"restored_{outcome}"
            assert float(v["diff"]) == pytest.approx(abs(diff), abs=1e-9)
            assert v["n_test"] == r.sizes[2]
    check_translatable(claims, "early")


def test_issue_9_never_stopped_is_not_called_a_stop():
    cfg = EarlyStopConfig(lr=0.0003, patience=1)
    assert early_claims(run_early_stop(cfg), cfg)[0].id == "never_stopped"


@pytest.mark.parametrize("change", TUNING, ids=str)
def test_tuning_claims_hold(change):
    cfg = TuningConfig(**change)
    r = run_tuning(cfg)
    rows = np.arange(cfg.repeats)
    bias = {}
    for rule, scores in (("test", r.test_acc), ("val", r.val_acc)):
        chosen = np.argmax(scores, axis=1)
        bias[rule] = 100 * (r.test_acc[rows, chosen] - r.fresh_acc[rows, chosen]).mean()
    claims = tuning_claims(r, cfg)
    for c in claims:
        v = c.values
        assert float(v["bias"]) == pytest.approx(bias["test"], abs=0.0051)
        assert float(v["val_bias"]) == pytest.approx(bias["val"], abs=0.0051)
        if c.id in ("test_optimistic", "test_not_optimistic"):
            assert (round(bias["test"], 2) > 0) == (c.id == "test_optimistic")
        else:
            assert (abs(bias["val"]) < abs(bias["test"])) == (c.id == "val_smaller")
    check_translatable(claims, "tuning")


def test_preset_stories_are_true():
    """The one-line stories (locales: preset.<id>_story) quote these measured numbers."""
    small = run_split(SplitConfig(n=80, imbalance=0.1))
    assert small.class_sizes[4] == 4
    assert small.counts["random"][1, 4] == 0  # no digit 4 in the validation part
    assert (small.counts["stratified"] >= 1).all()
    cfg = EarlyStopConfig(label_noise=0.4, width=256)
    noisy = run_early_stop(cfg)
    assert (noisy.best_epoch, noisy.stop_epoch, noisy.stopped) == (15, 20, True)
    assert f"{100 * noisy.restored_test_acc:.1f}" == "80.8"
    assert f"{100 * noisy.final_test_acc:.1f}" == "63.0"
    tiny = run_tuning(TuningConfig(n_configs=40, holdout_size=30))
    assert f"{100 * tiny.reported['test']:.1f}" == "97.1"
    assert f"{100 * tiny.fresh['test']:.1f}" == "93.5"
    bias = {r: 100 * (tiny.reported[r] - tiny.fresh[r]) for r in ("test", "val")}
    assert f"{bias['test']:+.2f}" == "+3.55" and f"{bias['val']:+.2f}" == "+0.13"
