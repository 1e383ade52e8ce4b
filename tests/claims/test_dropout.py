"""/dropout: every claim the two notices make holds on the numbers.

States: the page's presets and every slider at its minimum and maximum (one at a time from
the defaults). Checks recompute from the Result's arrays (outputs, masks, curves).
"""

import numpy as np
import pytest

from core.dropout import (
    FIT_P_RANGE, MASK_P_RANGE, PASSES_RANGE, SEED_RANGE, MasksConfig, OverfitConfig,
    masks_claims, overfit_claims, run_masks, run_overfit,
)

MASK_DEFAULTS = {"p": 0.5, "passes": 200, "seed": 0}
MASK_STATES = [
    {"p": 0.5, "passes": 500, "seed": 0}, {"p": 0.9, "passes": 500, "seed": 0},  # presets
    MASK_DEFAULTS,
    MASK_DEFAULTS | {"p": MASK_P_RANGE[0]}, MASK_DEFAULTS | {"p": MASK_P_RANGE[1]},
    MASK_DEFAULTS | {"passes": PASSES_RANGE[0]}, MASK_DEFAULTS | {"passes": PASSES_RANGE[1]},
    MASK_DEFAULTS | {"seed": SEED_RANGE[0]}, MASK_DEFAULTS | {"seed": SEED_RANGE[1]},
]
FIT_STATES = [0.0, 0.7, 0.5, FIT_P_RANGE[0], FIT_P_RANGE[1]]  # presets, default, extremes
_fits: dict[float, object] = {}


def overfit(p: float):
    if p not in _fits:
        _fits[p] = run_overfit(OverfitConfig(p=p))
    return _fits[p]


@pytest.mark.parametrize("state", MASK_STATES, ids=[str(s) for s in MASK_STATES])
def test_masks_claims_hold(state):
    r = run_masks(MasksConfig(**state))
    p, n = state["p"], state["passes"]
    claims = {c.id: c.values for c in masks_claims(r, p)}
    v = claims["scaling"]
    assert v["scale"] == pytest.approx(1 / (1 - p), rel=1e-4)  # the sentence: = 1/(1-p)
    assert v["kept"] == pytest.approx(r.masks.mean())
    mean = r.train_outputs.mean()
    sem = r.train_outputs.std() / np.sqrt(n)
    within = abs(mean - r.eval_outputs[0]) <= 2 * sem
    assert ("mean_matches" in claims) == within and ("mean_off" in claims) == (not within)
    key = "mean_matches" if within else "mean_off"
    assert claims[key]["mean"] == pytest.approx(mean) and claims[key]["sem"] == pytest.approx(sem)
    ratio = float(np.mean(r.mean_dropped / r.hidden))
    key = "unit_close" if "unit_close" in claims else "unit_noisy"
    assert claims[key]["ratio"] == pytest.approx(ratio, rel=1e-5)
    assert (abs(ratio - 1) < 0.1) == (key == "unit_close")
    # Without the scaling a unit's mean is (share of passes it was kept) × h.
    assert claims[key]["unscaled"] == pytest.approx(r.masks.mean(0).mean(), rel=1e-5)
    assert ("eval_same" in claims) == bool(np.all(r.eval_outputs == r.eval_outputs[0]))
    assert claims["eval_same"]["n"] == n


@pytest.mark.parametrize("p", FIT_STATES)
def test_overfit_claims_hold(p):
    fit, base = overfit(p), overfit(0.0)
    claims = {c.id: c.values for c in overfit_claims(fit, base, p)}
    if "memorised" in claims:
        assert base.train_acc[-1] == 1.0 and base.val_loss[-1] > 10 * base.train_loss[-1]
    if p == 0:
        assert "same_run" in claims and not {"gap_smaller", "gap_larger"} & set(claims)
        return
    gap = fit.val_loss[-1] - fit.train_loss[-1]
    gap0 = base.val_loss[-1] - base.train_loss[-1]
    key = "gap_smaller" if gap < gap0 else "gap_larger"
    assert claims[key] == pytest.approx({"p": p, "gap": gap, "gap0": gap0})
    shown = float(f"{100 * fit.val_acc[-1]:.1f}"), float(f"{100 * base.val_acc[-1]:.1f}")
    d = shown[0] - shown[1]  # the difference of the two printed accuracies
    key = "acc_higher" if d > 0.05 else "acc_lower" if d < -0.05 else "acc_equal"
    assert key in claims
    if key != "acc_equal":
        assert claims[key]["diff"] == pytest.approx(abs(d))
    # underfitting: its own training points fitted no better than unseen ones without dropout
    underfit = fit.train_acc[-1] <= base.val_acc[-1]
    assert ("underfits" in claims) == underfit
    assert ("train_below" in claims) == (not underfit and fit.train_acc[-1] < base.train_acc[-1])


def test_issue_state_p0_has_no_x_instead_of_x():
    ids = [c.id for c in overfit_claims(overfit(0.0), overfit(0.0), 0.0)]
    assert "same_run" in ids and "gap_smaller" not in ids and "gap_larger" not in ids


def story_has(preset: str, *numbers: str) -> None:
    from ui.i18n import catalog

    entry = catalog("dropout")[f"preset.{preset}_story"]
    for lang in ("en", "ko"):
        for number in numbers:
            assert number in entry[lang], (preset, lang, number)


def test_preset_stories_hold():
    half, heavy = (run_masks(MasksConfig(p=p, passes=500)) for p in (0.5, 0.9))
    for r, p in ((half, 0.5), (heavy, 0.9)):
        assert "mean_matches" in {c.id for c in masks_claims(r, p)}
    assert heavy.train_outputs.std() > 3 * half.train_outputs.std()  # "three times wider"
    base, fit = overfit(0.0), overfit(0.7)
    # The stories round what differs in the second decimal between CPUs ("near 2.9").
    story_has("no_dropout", "10⁻⁵", "2.9")
    assert base.train_loss[-1] < 1e-5 and abs(base.val_loss[-1] - 2.9) < 0.05
    gap0, gap = base.val_loss[-1] - base.train_loss[-1], fit.val_loss[-1] - fit.train_loss[-1]
    story_has("strong_reg", "2.9", "1.1", f"{fit.val_acc[-1]:.1%}")
    assert abs(gap0 - 2.9) < 0.05 and abs(gap - 1.1) < 0.05
    assert round(fit.val_acc[-1], 3) == round(base.val_acc[-1], 3)  # "stays"
