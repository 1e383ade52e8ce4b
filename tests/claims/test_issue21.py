"""Issue 21: each sentence a Korean teacher flagged, at the state where it was flagged.

Every test renders the sentence the page would show (catalog text + claim values through
core.text.render, in both languages) and checks what must and must not be in it against
numbers worked out here from the result's own arrays.
"""

import math
import re
from types import SimpleNamespace

import numpy as np
import pytest

from core.activations import DyingReluConfig, dying_claims, run_dying_relu
from core.backprop import AccumulationConfig, accumulation_claims, run_accumulation
from core.claims import Claim
from core.dataloader import shuffle_claims
from core.dropout import OverfitConfig, overfit_claims, run_overfit
from core.home import LoopResult, loop_claims
from core.losses import CrossEntropyConfig, ce_claims, run_cross_entropy
from core.normalization import PixelsConfig, features_claims, pixels_claims, run_pixels
from core.text import render
from ui.i18n import LANGS, catalog

E_NOTATION = re.compile(r"\d[eE][+-]?\d")
SIGNED_ZERO = re.compile(r"(?<![\d.])-0(\.0+)?(?![\d.])")


def say(namespace: str, section: str, claim: Claim) -> dict[str, str]:
    """The sentence in each language, as ui.page.notice_claims renders it."""
    entry = catalog(namespace)[f"{section}.claim.{claim.id}"]
    text = {lang: render(entry[lang], **claim.values) for lang in LANGS}
    for sentence in text.values():
        assert not E_NOTATION.search(sentence), sentence
        assert not SIGNED_ZERO.search(sentence), sentence
    return text


def test_activations_dead_share_names_its_scope_and_the_charts_layer_peak():
    # "peak 4 %" was the whole network's share while the chart's layer lines reach 6.25 %.
    result = run_dying_relu(DyingReluConfig())
    claims = {c.id: c for c in dying_claims(result)}
    relu = result.runs["relu"]
    network_peak = 100 * relu.inactive.mean(axis=1).max()
    chart_peak = 100 * relu.inactive.max()  # highest point of any per-layer line
    assert chart_peak > network_peak  # the state the issue describes
    text = say("activations", "dying", claims.get("relu_revived") or claims["relu_revived_tied"])
    assert f"{network_peak:.1f}%" in text["en"] and f"{chart_peak:.1f}%" in text["en"]
    assert "whole network" in text["en"] and f"all {relu.inactive.shape[1]} layers" in text["en"]
    assert f"{chart_peak:.1f}%" in text["ko"] and "신경망 전체" in text["ko"]
    state = say("activations", "dying", claims.get("relu_state") or claims["relu_state_tied"])
    assert f"{100 * relu.inactive[-1].max():.1f}%" in state["en"]


def test_backprop_k1_does_not_talk_about_accumulation_trade_offs():
    cfg = AccumulationConfig(k=1)
    (claim,) = accumulation_claims(run_accumulation(cfg), cfg)
    assert claim.id in ("single", "single_exact")
    text = say("backprop", "accum", claim)
    assert "k = 1" in text["en"] and "nothing is accumulated" in text["en"]
    assert "trades time for memory" not in text["en"] and "메모리" not in text["ko"]
    assert "0.0e+00" not in text["en"]


def test_backprop_k4_still_gets_the_trade_off():
    cfg = AccumulationConfig(k=4)
    (claim,) = accumulation_claims(run_accumulation(cfg), cfg)
    assert claim.id == "same"
    assert "trades time for memory" in say("backprop", "accum", claim)["en"]


def test_losses_confidently_wrong_quotes_the_p_that_gives_the_loss():
    # preset confident_wrong: logits (-3, 0, 6), true class 0; p ≈ 0.000123, not 0.0001
    cfg = CrossEntropyConfig(logits=(-3.0, 0.0, 6.0), true_class=0)
    result = run_cross_entropy(cfg)
    (claim,) = ce_claims(result, cfg)
    text = say("losses", "ce", claim)
    p_shown = re.search(r"p = ([0-9.]+)", text["en"]).group(1)
    ce_shown = float(re.search(r"= ([0-9.]+)\. By hand", text["en"]).group(1))
    assert -math.log(float(p_shown)) == pytest.approx(ce_shown, abs=5e-4)
    assert "−ln 0.0001 " not in text["en"] and "(0.0001)" not in text["en"]
    # p − one-hot, entry by entry, printed without -0.0 and to the same decimals
    probs = np.exp(cfg.logits) / np.exp(cfg.logits).sum()
    expected = [f"{v + 0.0:.3f}" for v in np.round(probs - np.eye(3)[0], 3)]
    assert "[" + ", ".join(expected) + "]" in text["en"]
    assert "[-1.0," not in text["en"]  # (say() already rejects any -0.0)


def _loop(start: float, epochs: int = 3) -> LoopResult:
    accs = np.linspace(start, 0.9, epochs + 1)
    return LoopResult(steps=np.arange(1, 4 * epochs + 1), train_loss=np.linspace(0.7, 0.2, 4 * epochs),
                      eval_epochs=np.arange(epochs + 1), val_loss=np.linspace(0.7, 0.3, epochs + 1),
                      val_accuracy=accs, diverged=False, diverged_at=None, n_classes=2)


@pytest.mark.parametrize("start", [0.15, 0.38])
def test_home_below_chance_is_not_already(start):
    claims = {c.id: c for c in loop_claims(_loop(start))}
    assert "start_below" in claims and "start_above" not in claims
    text = say("home", "live", claims["start_below"])
    assert "already" not in text["en"] and "벌써" not in text["ko"]
    assert "below chance" in text["en"] and "낮습니다" in text["ko"]


def test_home_above_chance_is_already():
    claims = {c.id: c for c in loop_claims(_loop(0.75))}
    assert "벌써" in say("home", "live", claims["start_above"])["ko"]


def test_home_one_epoch_is_singular():
    claims = {c.id: c for c in loop_claims(_loop(0.5, epochs=1))}
    text = say("home", "live", claims["rose"])
    assert "After 1 epoch it" in text["en"] and "1 epochs" not in text["en"]
    assert "After 3 epochs" in say("home", "live", loop_claims(_loop(0.5))[1])["en"]


def test_normalization_pixels_at_a_tiny_lr_say_the_others_are_at_chance():
    runs = run_pixels(PixelsConfig(lr=0.001, epochs=8))
    final = {s: 100 * float(r.val_accuracy[-1]) for s, r in runs.items()}
    claims = pixels_claims(runs)
    near_chance = {s for s, acc in final.items() if abs(acc - 10) <= 5}
    best = max(final, key=final.get)
    said = {c.values["name"] for c in claims if c.id in ("at_chance", "at_chance_too")}
    assert said == near_chance - {best}
    assert said, final  # the state: two of three at chance (7.4 %, 11.5 %)
    for claim in claims:
        if claim.id in ("at_chance", "at_chance_too"):
            text = say("normalization", "pixels", claim)
            assert f"{final[claim.values['name']]:.1f}%" in text["en"]
    assert [c.id for c in claims].count("at_chance") == 1  # said once, then "so does …"


def test_normalization_never_puts_a_dash_where_a_number_belongs():
    run = SimpleNamespace(condition=100.0, diverged=False)
    runs = {"raw": run, "standard": run, "minmax": run}
    for raw_lr, std_lr in [(None, 0.1), (0.1, None), (None, None), (0.01, 0.1)]:
        sweep = {"raw": SimpleNamespace(max_stable_lr=raw_lr, best_steps=None),
                 "standard": SimpleNamespace(max_stable_lr=std_lr, best_steps=10)}
        for claim in features_claims(runs, sweep, SimpleNamespace(steps=200, lr=0.1)):
            for sentence in say("normalization", "features", claim).values():
                assert "—" not in sentence, sentence


def _shuffle(sorted_acc: float, shuffled_acc: float):
    run = lambda acc: SimpleNamespace(one_class_share=0.5, diverged=False, final_acc=acc,  # noqa: E731
                                      first_batches=[])
    return SimpleNamespace(runs={"sorted": run(sorted_acc), "shuffled": run(shuffled_acc)})


def test_dataloader_difference_adds_up_after_rounding():
    # 0.1006 and 0.8764 print as 10.1% and 87.6%; their unrounded gap (77.58) printed as 77.6,
    # which does not add up: the sentence must say 77.5.
    claims = {c.id: c for c in shuffle_claims(_shuffle(0.1006, 0.8764))}
    text = say("dataloader", "shuffle", claims["sorted_worse"])
    assert "10.1%" in text["en"] and "87.6%" in text["en"] and "77.5 percentage" in text["en"]
    assert "77.5%p" in text["ko"]


def test_dropout_p09_is_not_called_underfitting():
    base, fit = run_overfit(OverfitConfig(p=0.0)), run_overfit(OverfitConfig(p=0.9))
    claims = {c.id: c for c in overfit_claims(fit, base, 0.9)}
    assert fit.train_acc[-1] > base.val_acc[-1]  # fits its training points better than unseen
    assert "underfits" not in claims and "train_below" in claims
    text = say("dropout", "overfit", claims["train_below"])
    for sentence in text.values():
        assert "과소적합" not in sentence and "언더피팅" not in sentence and "underfit" not in sentence
    assert f"{fit.train_acc[-1]:.1%}" in text["en"]


def test_korean_particle_after_a_number_follows_its_reading():
    # "평균 0.11라서" → "0.11이라서"; 0.2 reads 영점이 → 라서
    vanish = catalog("activations")["vanishing.claim.vanish"]["ko"]
    assert "평균 0.11이라서" in render(vanish, ratio="1.0e-08", per_layer="0.11", depth=20)
    assert "평균 0.20이라서" in render(vanish, ratio="1.0e-08", per_layer="0.20", depth=20)
    assert "평균 0.25라서" in render(vanish, ratio="1.0e-08", per_layer="0.25", depth=20)


def test_scientific_notation_is_gone_from_the_vanishing_sentence():
    vanish = catalog("activations")["vanishing.claim.vanish"]
    assert "**0.28**배" in render(vanish["ko"], ratio="2.8e-01", per_layer="0.9", depth=5)
    assert "1.0 × 10⁻⁸" in render(vanish["en"], ratio="1.0e-08", per_layer="0.4", depth=20)


def test_gradient_and_slope_are_two_words():
    forward = catalog("forward_pass")
    assert "기울기" not in forward["line.w"]["ko"] and "경사" in forward["line.w"]["ko"]
    assert "기울기" in forward["line.downhill"]["ko"]  # the same section: −gradient
    losses = catalog("losses")
    assert losses["regression.col_slope_err"]["ko"] == "경사 오차"
    assert "기울기" in losses["ce.grad_title"]["ko"]


def test_one_spelling_for_no_and_expected_value():
    for namespace in ("dropout", "train_vs_eval", "batchnorm"):
        for entry in catalog(namespace).values():
            assert "아니오" not in entry["ko"] and "기대값" not in entry["ko"]
