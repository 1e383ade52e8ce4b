"""/activations: every claim the notices make holds on the numbers (presets and extremes).

Each claim is re-checked from the result's own arrays (gradient norms, update sizes,
inactive fractions) with plain numpy, not through core.activations' claims functions.
"""

import math

import numpy as np
import pytest

from core.activations import (
    BIAS_SHIFT_RANGE, DEPTH_RANGE, DYING_LR_CHOICES, INIT_STD_RANGE, WIDTH_RANGE,
    X_LIMIT_RANGE, CurvesConfig, DyingReluConfig, VanishingConfig, curves_claims, dying_claims,
    run_curves, run_dying_relu, run_vanishing, vanishing_claims,
)
from core.models import INITS
from core.text import render
from ui.i18n import catalog

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu")  # the page's activation choices
TEXT = catalog("activations")

# --- curves ---------------------------------------------------------------------------


@pytest.mark.parametrize("x_limit", [X_LIMIT_RANGE[0], 3.0, 6.0, X_LIMIT_RANGE[1]])
def test_curves_claims(x_limit):
    reference = run_curves(CurvesConfig(("sigmoid", "tanh"), x_limit))
    x = reference.x
    sig_edge = 1 / (1 + math.exp(-x_limit)) * (1 - 1 / (1 + math.exp(-x_limit)))
    tanh_edge = 1 - math.tanh(x_limit) ** 2
    ids = [c.id for c in curves_claims(reference)]
    assert x[-1] == x_limit
    for claim in curves_claims(reference):
        v = claim.values
        if claim.id == "sig_cap":
            s = 1 / (1 + np.exp(-x))
            assert v["sig_max"] == pytest.approx(np.max(s * (1 - s)))
        elif claim.id in ("saturated", "tanh_flat_first", "sig_flat_first", "not_saturated"):
            assert v["sig_edge"] == pytest.approx(sig_edge, abs=1e-12)
            assert v["tanh_edge"] == pytest.approx(tanh_edge, abs=1e-12)
            flat = (sig_edge < 0.01, tanh_edge < 0.01)
            assert {(True, True): "saturated", (False, True): "tanh_flat_first",
                    (True, False): "sig_flat_first", (False, False): "not_saturated"}[flat] \
                == claim.id
            assert v["tanh_edge"] != 0  # an exact 0 has its own sentence
        elif claim.id == "saturated_tanh_zero":
            # 1 − tanh(x)² with tanh(x) rounded to 1 in float64: exactly 0 (20 at the slider's end)
            assert v["tanh_edge"] == 0 and math.tanh(x_limit) == 1.0 and sig_edge < 0.01
            assert v["sig_edge"] == pytest.approx(sig_edge, abs=1e-12)
    assert "relu" in ids


def test_a_tanh_derivative_of_exactly_zero_is_not_printed_as_passing_0_0():
    # x range ±20 (slider maximum): "tanh는 0.0만 전달합니다" read as a rounded small number.
    reference = run_curves(CurvesConfig(("sigmoid", "tanh"), X_LIMIT_RANGE[1]))
    (claim,) = [c for c in curves_claims(reference) if c.id.startswith(("saturated", "tanh_flat"))]
    assert claim.id == "saturated_tanh_zero"
    entry = TEXT["curves.claim.saturated_tanh_zero"]
    en, ko = (render(entry[lang], **claim.values) for lang in ("en", "ko"))
    assert "0.0" not in en and "0.0" not in ko
    assert "passes nothing at all" in en and "전혀 전달하지 못합니다" in ko


def test_the_sigmoid_sentence_states_no_false_bound():
    # Weights can amplify: at σ = 0.5, width 128 the gradient shrinks by ~0.56 per layer,
    # far less than 0.25 per layer, so "shrinks by at least 0.25ⁿ" would be false.
    cfg = VanishingConfig(init="normal", init_std=0.5, width=128)
    result = run_vanishing(cfg)
    per_layer = (result.grad_norms[0] / result.grad_norms[-1]) ** (1 / cfg.depth)
    assert per_layer > 0.25
    for lang in ("en", "ko"):
        assert "at least" not in TEXT["curves.claim.sig_cap"][lang]
        assert "최소" not in TEXT["curves.claim.sig_cap"][lang]


# --- vanishing --------------------------------------------------------------------------

V_DEFAULT = {"depth": 10, "width": 32, "activation": "sigmoid", "init": "default",
             "init_std": 0.1}
V_STATES = [
    {"activation": "sigmoid", "depth": 20, "width": 32, "init": "default", "init_std": 0.1},
    {"activation": "relu", "depth": 20, "width": 32, "init": "he", "init_std": 0.1},
    V_DEFAULT,
    V_DEFAULT | {"depth": DEPTH_RANGE[0]}, V_DEFAULT | {"depth": DEPTH_RANGE[1]},
    V_DEFAULT | {"width": WIDTH_RANGE[0]}, V_DEFAULT | {"width": WIDTH_RANGE[1]},
    *[V_DEFAULT | {"activation": a} for a in HIDDEN if a != "sigmoid"],
    *[V_DEFAULT | {"init": i} for i in INITS if i != "default"],
    V_DEFAULT | {"init": "normal", "init_std": INIT_STD_RANGE[0]},
    V_DEFAULT | {"init": "normal", "init_std": INIT_STD_RANGE[1]},
    # the states named in issue 9
    V_DEFAULT | {"init": "normal", "init_std": 0.5, "width": 128},
    V_DEFAULT | {"activation": "tanh", "init": "xavier", "depth": 50},
    V_DEFAULT | {"activation": "relu", "init": "normal", "init_std": 0.01},
    V_DEFAULT | {"activation": "relu", "init": "normal", "init_std": 2.0, "depth": 50},
]


def check_vanishing(cfg, result, claims):
    norms = result.grad_norms
    ids = [c.id for c in claims]
    if "exploded" in ids:
        assert ids == ["exploded"]
        assert result.exploded_float32 or not np.all(np.isfinite(norms))
        assert result.diverged  # and training in float32 could not go on
        return
    assert np.all(np.isfinite(norms)) and not result.exploded_float32
    ratio = norms[0] / norms[-1]
    mean_update = np.nanmean(result.update_size, axis=0)
    # exactly one statement about the ratio
    assert sum(i in ids for i in ("dead_signal", "vanish", "grows", "healthy")) == 1
    for claim in claims:
        v = claim.values
        if claim.id in ("vanish", "grows", "healthy"):
            assert float(v["ratio"]) == pytest.approx(ratio, rel=0.05)
            assert float(v["per_layer"]) == pytest.approx(ratio ** (1 / cfg.depth), abs=0.006)
            assert norms.max() >= 1e-8
            if claim.id == "vanish":
                assert ratio < 1e-2
                # and the early layers really learn less: layer 1 moves less than the head
                assert mean_update[0] < mean_update[-1]
            elif claim.id == "grows":
                assert ratio > 1e2
            else:
                assert 1e-2 <= ratio <= 1e2
        elif claim.id == "dead_signal":
            assert norms.max() < 1e-8
            assert float(v["gmax"]) == pytest.approx(norms.max(), rel=0.5)
            assert result.activation_std[-1] < 1e-6
        elif claim.id == "vanish_sigmoid":
            assert cfg.activation == "sigmoid" and ratio < 1e-2
        elif claim.id == "not_activation_alone":
            assert cfg.activation in ("sigmoid", "tanh") and 1e-2 <= ratio <= 1e2
        elif claim.id == "try_relu_he":
            assert not (cfg.activation == "relu" and cfg.init == "he")
        elif claim.id == "underflow":
            n = int(np.sum(result.grad_zero_float32 & (norms > 0)))
            assert v["n"] == n > 0 and v["total"] == len(norms)
            # a float32 norm of those layers would read 0; their true size is tiny
            assert np.all(norms[result.grad_zero_float32] < 1e-30)
        elif claim.id == "frozen":
            assert v["n"] == int(np.sum(mean_update == 0)) > 0
            assert v["total"] == len(mean_update) and v["steps"] == len(result.update_size)
        else:
            raise AssertionError(f"unchecked claim {claim.id}")
    if np.any(mean_update == 0):
        assert "frozen" in ids  # a layer that did not move is always told


@pytest.mark.parametrize("state", V_STATES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_vanishing_claims(state):
    cfg = VanishingConfig(**state)
    result = run_vanishing(cfg)
    check_vanishing(cfg, result, vanishing_claims(result, cfg))


def test_issue_states_get_the_right_sentence():
    def ids(**kw):
        cfg = VanishingConfig(**(V_DEFAULT | kw))
        return [c.id for c in vanishing_claims(run_vanishing(cfg), cfg)]

    assert "healthy" in ids(activation="tanh", init="xavier", depth=50)  # tanh need not vanish
    dead = ids(activation="relu", init="normal", init_std=0.01)
    assert "dead_signal" in dead and "frozen" in dead and "healthy" not in dead
    deep = run_vanishing(VanishingConfig(depth=50))
    assert np.all(deep.grad_norms > 0)  # float64: no layer reads 0
    assert "underflow" in ids(depth=50)


# --- dying ReLU ---------------------------------------------------------------------------

D_DEFAULT = {"optimizer": "sgd", "lr": 0.1, "bias_shift": 0.0}
D_STATES = [
    {"optimizer": "sgd", "lr": 2.5, "bias_shift": 0.0},
    {"optimizer": "adam", "lr": 0.03, "bias_shift": -2.0},
    D_DEFAULT, D_DEFAULT | {"optimizer": "adam"},
    D_DEFAULT | {"lr": DYING_LR_CHOICES[0]}, D_DEFAULT | {"lr": DYING_LR_CHOICES[-1]},
    D_DEFAULT | {"bias_shift": BIAS_SHIFT_RANGE[0]}, D_DEFAULT | {"bias_shift": BIAS_SHIFT_RANGE[1]},
]


@pytest.mark.parametrize("state", D_STATES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_dying_claims(state):
    result = run_dying_relu(DyingReluConfig(**state))
    claims = dying_claims(result)
    ids = [c.id for c in claims]
    relu, leaky = result.runs["relu"], result.runs["leaky_relu"]
    for name, run in result.runs.items():
        assert (f"{name}_diverged" in ids) == run.diverged
        assert (f"{name}_state" in ids or f"{name}_state_tied" in ids) == (not run.diverged)
    for claim in claims:
        v = claim.values
        if claim.id.endswith(("_state", "_state_tied")):
            run = result.runs[claim.id.removesuffix("_tied").removesuffix("_state")]
            assert v["dead"] == pytest.approx(100 * np.mean(run.inactive[-1]))
            assert v["acc"] == pytest.approx(100 * run.accuracy)
            last = 100 * run.inactive[-1]  # the chart's per-layer lines at the last step
            assert v["layer_dead"] == pytest.approx(last.max())
            assert last[v["layer"] - 1] == pytest.approx(last.max())
            assert v["layers"] == run.inactive.shape[1]
            # every layer that ties for the highest is named, and only those
            assert v["top"] == ", ".join(str(i + 1) for i in np.flatnonzero(last == last.max()))
            assert claim.id.endswith("_tied") == (np.sum(last == last.max()) > 1)
        elif claim.id.endswith("_diverged"):
            assert v["step"] == result.runs[claim.id.removesuffix("_diverged")].diverged_at
        elif claim.id == "relu_never_back":
            assert np.all(np.diff(relu.inactive, axis=0) >= 0) and relu.inactive[-1].sum() > 0
        elif claim.id in ("relu_revived", "relu_revived_tied"):
            share = 100 * relu.inactive.mean(axis=1)
            assert v["peak"] == pytest.approx(share.max()) and v["final"] == pytest.approx(share[-1])
            assert v["peak"] > v["final"]
            per_layer = 100 * relu.inactive  # what the chart draws, one line per layer
            assert v["layer_peak"] == pytest.approx(per_layer.max())
            assert per_layer[:, v["layer"] - 1].max() == pytest.approx(per_layer.max())
            peaks = per_layer.max(axis=0)
            assert v["top"] == ", ".join(str(i + 1) for i in np.flatnonzero(peaks == peaks.max()))
        elif claim.id in ("leaky_better", "relu_better", "same_accuracy"):
            # whole percentages, as the sentences print the two accuracies
            diff = float(f"{100 * leaky.accuracy:.0f}") - float(f"{100 * relu.accuracy:.0f}")
            expected = "leaky_better" if diff >= 2 else "relu_better" if diff <= -2 else "same_accuracy"
            assert claim.id == expected and v["diff"] == pytest.approx(abs(diff))
            if claim.id == "same_accuracy":  # not when both are stuck (both_stuck says so)
                assert min(relu.inactive[-1].mean(), leaky.inactive[-1].mean()) < 0.5
        elif claim.id == "both_stuck":
            diff = float(f"{100 * leaky.accuracy:.0f}") - float(f"{100 * relu.accuracy:.0f}")
            assert abs(diff) < 2
            assert v["relu_dead"] == pytest.approx(100 * relu.inactive[-1].mean()) and v["relu_dead"] >= 50
            assert v["leaky_dead"] == pytest.approx(100 * leaky.inactive[-1].mean()) and v["leaky_dead"] >= 50
        elif claim.id == "leaky_recovered":
            share = 100 * leaky.inactive.mean(axis=1)
            assert v["start"] == pytest.approx(share[0]) and v["end"] == pytest.approx(share[-1])
            assert share[0] - share[-1] >= 5
        else:
            raise AssertionError(f"unchecked claim {claim.id}")


def test_every_claim_has_both_languages():
    for key, text in TEXT.items():
        if ".claim." in key:
            assert text["en"] and text["ko"], key


def test_preset_stories_hold():
    """The one-line stories (activations.preset.<id>_story) on the presets' own numbers."""
    sigmoid = run_vanishing(VanishingConfig(activation="sigmoid", depth=20, init="default"))
    assert sigmoid.grad_norms[0] / sigmoid.grad_norms[-1] < 1e-8
    relu = run_vanishing(VanishingConfig(activation="relu", depth=20, init="he"))
    assert 0.1 <= relu.grad_norms[0] / relu.grad_norms[-1] <= 10
    dies = run_dying_relu(DyingReluConfig(optimizer="sgd", lr=2.5, bias_shift=0.0))
    assert dies.runs["relu"].inactive[-1].mean() == 1.0 and dies.runs["relu"].accuracy == 0.5
    assert dies.runs["leaky_relu"].diverged
    fix = run_dying_relu(DyingReluConfig(optimizer="adam", lr=0.03, bias_shift=-2.0))
    assert fix.runs["relu"].inactive[-1].mean() > 0.5 and fix.runs["relu"].accuracy == 0.5
    assert fix.runs["leaky_relu"].accuracy == 1.0


def test_the_question_is_answered_by_the_measured_ratio():
    from core.activations import gradient_reach

    assert gradient_reach(run_vanishing(VanishingConfig(depth=20))) == "little"
    assert gradient_reach(run_vanishing(VanishingConfig(activation="tanh", init="xavier",
                                                        depth=50))) == "same"
    exploded = run_vanishing(VanishingConfig(depth=50, activation="relu", init="normal",
                                             init_std=2.0, train_steps=2))
    assert gradient_reach(exploded) is None


def _rendered(claim) -> dict[str, str]:
    entry = TEXT[f"dying.claim.{claim.id}"]
    return {lang: render(entry[lang], **claim.values) for lang in ("en", "ko")}


def test_a_tie_for_the_highest_layer_names_every_tied_layer():
    # preset relu_dies (lr 2.5): every ReLU layer ends at 100 %. "The highest being layer 1"
    # read as if layers 2 and 3 were lower, which the chart contradicts.
    result = run_dying_relu(DyingReluConfig(lr=2.5))
    last = 100 * result.runs["relu"].inactive[-1]
    assert np.all(last == last.max())  # the state: all layers tie
    (state,) = [c for c in dying_claims(result) if c.id.startswith("relu_state")]
    assert state.id == "relu_state_tied"
    text = _rendered(state)
    tied = ", ".join(str(i + 1) for i in range(len(last)))
    assert f"layers {tied} tie for the highest" in text["en"] and f"{tied}층이 똑같이" in text["ko"]
    assert "the highest is layer 1 at" not in text["en"] and "가장 높은 층은 1층" not in text["ko"]


def test_the_state_sentence_says_it_is_about_the_last_step_and_training_accuracy():
    # default: the end-of-run layer maximum and the run's peak layer differ; each sentence says
    # which moment it is about, and "accuracy" is the training accuracy the metric shows.
    result = run_dying_relu(DyingReluConfig())
    for claim in dying_claims(result):
        if claim.id.startswith(("relu_state", "leaky_relu_state")):
            text = _rendered(claim)
            assert "last step" in text["en"] and "마지막 스텝" in text["ko"]
            assert "training accuracy" in text["en"].lower() and "학습 정확도" in text["ko"]
        if claim.id.startswith("relu_revived"):
            text = _rendered(claim)
            assert "whole run" in text["en"] and "학습 전체" in text["ko"]


def test_equal_accuracies_of_two_stuck_nets_are_not_called_harmless():
    # bias shift −3 (slider minimum): ReLU and LeakyReLU both end with ~99% of units inactive
    # at 50%. "Dead units only hurt when many of them die" read as if all were well.
    result = run_dying_relu(DyingReluConfig(bias_shift=-3.0))
    ids = {c.id: c for c in dying_claims(result)}
    assert "same_accuracy" not in ids and "both_stuck" in ids
    text = _rendered(ids["both_stuck"])
    assert "only hurt when many" not in text["en"] and "많이 생겨야 문제" not in text["ko"]
    assert "stuck" in text["en"] and "막혀" in text["ko"]
