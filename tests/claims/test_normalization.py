"""/normalization: every claim the notices make holds on the numbers (presets and extremes).

Checks recompute from the runs' arrays: losses from the data and the path's weights,
condition numbers with numpy, stable learning rates from the sweep's own definition.
"""

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from core.normalization import (
    SCALINGS, FeaturesConfig, PixelsConfig, SurfaceConfig, features_claims, make_two_scale_data,
    pixels_claims, run_features, run_lr_sweep, run_pixels, run_surface, scale_features,
    surface_claims,
)

NEGATIVE_ZERO = re.compile(r"-0(\.0+)?(?![\d.])")  # "-0", "-0.0", not "-0.03"
LOCALE = tomllib.loads(Path("locales/normalization.toml").read_text(encoding="utf-8"))

# The page's widgets (app_pages/normalization.py): features scale 1..10000, lr 1e-6..1;
# surface scale 1..100, fraction 0.1..1.2, steps 1..100; pixels lr 0.001..1, epochs 1..15.
# Presets: thousand (scale 1000, lr 0.1 / sscale 30), equal (scale 1 / sscale 1),
# raw_pixels (plr 0.3, 10 epochs).
FEATURES = [{}, {"scale2": 1.0}, {"scale2": 10000.0}, {"lr": 1e-6}, {"lr": 1.0}]
SURFACES = [{}, {"scale2": 30.0}, {"scale2": 1.0}, {"scale2": 100.0}, {"lr_fraction": 0.1},
            {"lr_fraction": 1.2}, {"steps": 1}, {"steps": 100},
            {"scale2": 100.0, "lr_fraction": 1.2, "steps": 100},  # issue 9's bad state
            {"lr_fraction": 1.0, "steps": 100}]
PIXELS = [{}, {"lr": 0.3, "epochs": 10}, {"lr": 0.001}, {"lr": 1.0}, {"epochs": 1}]


def check_translatable(claims, section: str) -> None:
    for claim in claims:
        for lang in ("en", "ko"):
            text = LOCALE[section]["claim"][claim.id][lang].format(**claim.values)
            assert "{" not in text and not NEGATIVE_ZERO.search(text), text


@pytest.mark.parametrize("change", FEATURES, ids=str)
def test_features_claims_hold(change):
    cfg = FeaturesConfig(**change)
    runs, sweep = run_features(cfg), run_lr_sweep(cfg.sweep())
    claims = features_claims(runs, sweep, cfg)
    x, _ = make_two_scale_data(cfg.n, cfg.scale2, cfg.noise, cfg.seed)
    for c in claims:
        v = c.values
        if c.id == "conds":
            for key, scaling in (("raw_cond", "raw"), ("std_cond", "standard")):
                xs = scale_features(x, scaling).double().numpy()
                assert float(v[key]) == pytest.approx(np.linalg.cond(xs.T @ xs), rel=5e-3)
        elif c.id in ("raw_limited", "same_limit"):
            raw, std = sweep["raw"].max_stable_lr, sweep["standard"].max_stable_lr
            assert raw is not None and std is not None  # else a sentence without a dash
            assert (raw < std) == (c.id == "raw_limited")
        elif c.id in ("none_stable", "raw_none_stable", "std_none_stable"):
            none = {s for s in ("raw", "standard") if sweep[s].max_stable_lr is None}
            assert none == {"none_stable": {"raw", "standard"}, "raw_none_stable": {"raw"},
                            "std_none_stable": {"standard"}}[c.id]
        elif c.id == "std_faster":
            assert sweep["standard"].best_steps == v["std"] < v["raw"] == sweep["raw"].best_steps
        elif c.id == "std_faster_raw_never":
            assert sweep["raw"].best_steps is None and sweep["standard"].best_steps == v["std"]
        elif c.id == "raw_not_slower":
            assert v["raw"] <= v["std"]
        elif c.id == "raw_only":
            assert sweep["standard"].best_steps is None and sweep["raw"].best_steps == v["raw"]
        elif c.id == "none_reach":
            assert all(sweep[s].best_steps is None for s in ("raw", "standard"))
        elif c.id == "diverged_here":
            assert set(v["names"]) == {s for s in SCALINGS
                                       if not np.isfinite(runs[s].loss).all()
                                       or runs[s].loss.max() > 1e8 or runs[s].diverged}
        else:
            raise AssertionError(c.id)
    check_translatable(claims, "features")


def mse(cfg: SurfaceConfig, scaling: str, w: np.ndarray) -> float:
    x, y = make_two_scale_data(cfg.n, cfg.scale2, cfg.noise, cfg.seed)
    xs = scale_features(x, scaling).double().numpy()
    xc, yc = xs - xs.mean(0), (y.double().numpy() - y.double().numpy().mean())
    return float(np.mean((xc @ w.astype(float)[:, None] - yc) ** 2))


@pytest.mark.parametrize("change", SURFACES, ids=str)
def test_surface_claims_hold(change):
    cfg = SurfaceConfig(**change)
    surfaces = run_surface(cfg)
    claims = surface_claims(surfaces)
    ids = [c.id for c in claims]
    assert ids.count("raw_narrow") + ids.count("similar") == 1
    told = set()
    for c in claims:
        v = c.values
        if c.id in ("raw_narrow", "similar"):
            ratio = surfaces["raw"].condition / surfaces["standard"].condition
            assert (ratio >= 5) == (c.id == "raw_narrow")
            continue
        surf = surfaces[v["name"]]
        told.add(v["name"])
        x, y = make_two_scale_data(cfg.n, cfg.scale2, cfg.noise, cfg.seed)
        xs = scale_features(x, v["name"]).double().numpy()
        xc, yc = xs - xs.mean(0), y.double().numpy() - y.double().numpy().mean()
        best = np.linalg.lstsq(xc, yc, rcond=None)[0].ravel()
        floor = float(np.mean((xc @ best[:, None] - yc) ** 2))
        start = mse(cfg, v["name"], surf.path[0])
        end = mse(cfg, v["name"], surf.path[-1]) if np.isfinite(surf.path[-1]).all() else np.inf
        if c.id == "diverges":
            assert surf.diverged and v["step"] == surf.diverged_at
            assert not np.isfinite(surf.path).all() or len(surf.path) <= cfg.steps
        elif c.id == "grows":
            assert not surf.diverged and end > start
        else:
            assert not surf.diverged and end <= start
            assert float(v["loss"]) == pytest.approx(end, rel=5e-3)
            assert float(v["min"]) == pytest.approx(floor, rel=5e-3)
            left = (end - floor) / (start - floor)
            if c.id == "reached":
                assert left <= 0.01
            else:
                assert c.id == "partway" and left > 0.01
                assert float(v["left"]) == pytest.approx(100 * left, abs=0.6)
    assert told == {"raw", "standard"}
    check_translatable(claims, "surface")


def test_issue_9_diverging_surface_is_not_heading_for_the_minimum():
    surfaces = run_surface(SurfaceConfig(scale2=100.0, lr_fraction=1.2, steps=100))
    assert [c.id for c in surface_claims(surfaces)] == ["raw_narrow", "diverges", "diverges"]
    equal = run_surface(SurfaceConfig(scale2=1.0))
    assert surface_claims(equal)[0].id == "similar"  # no "narrow valley" at equal scales


@pytest.mark.parametrize("change", PIXELS, ids=str)
def test_pixels_claims_hold(change):
    runs = run_pixels(PixelsConfig(**change))
    claims = pixels_claims(runs)
    final = {s: 100 * r.val_accuracy[-1] for s, r in runs.items() if not r.diverged}
    for c in claims:
        v = c.values
        if c.id == "best":
            assert final[v["name"]] == max(final.values())
            assert float(v["acc"]) == pytest.approx(final[v["name"]], abs=0.051)
        elif c.id in ("at_chance", "at_chance_too"):  # 1 in 10 digits: 10% ± 5 points
            assert abs(final[v["name"]] - 10) <= 5 and final[v["name"]] < max(final.values())
            assert float(v["acc"]) == pytest.approx(final[v["name"]], abs=0.051)
        elif c.id == "raw_diverged":
            assert runs["raw"].diverged
        elif c.id in ("raw_behind", "raw_close"):
            gap = max(final.values()) - final["raw"]
            assert float(v["gap"]) == pytest.approx(gap, abs=0.1)
            # The gap adds up from the two printed percentages (issue 21).
            shown_best = f"{max(final.values()):.1f}"
            assert f"{float(v['raw']) + float(v['gap']):.1f}" == shown_best
            assert (gap >= 1.0) == (c.id == "raw_behind")
        else:
            raise AssertionError(c.id)
    check_translatable(claims, "pixels")


def test_preset_stories_are_true():
    """The one-line stories (locales: preset.<id>_story) quote these measured numbers."""
    runs = run_features(FeaturesConfig(scale2=1000.0, lr=0.1))
    assert runs["raw"].diverged and runs["raw"].diverged_at == 2
    assert runs["standard"].steps_to_target == 13
    thirty = run_surface(SurfaceConfig(scale2=30.0))
    assert f"{thirty['raw'].condition:.3g}" == "886"
    assert f"{thirty['standard'].condition:.3g}" == "1.23"
    equal = run_surface(SurfaceConfig(scale2=1.0))
    assert {f"{s.condition:.3g}" for s in equal.values()} == {"1.23"}
    assert [c.id for c in surface_claims(equal)] == ["similar", "reached", "reached"]
    pixels = run_pixels(PixelsConfig(lr=0.3, epochs=10))
    acc = {s: f"{100 * r.val_accuracy[-1]:.1f}" for s, r in pixels.items()}
    assert acc == {"raw": "8.2", "divide": "94.2", "standard": "95.9"}
    assert pixels["raw"].val_accuracy[-1] <= 0.1  # no better than guessing among 10 digits


def test_pixels_gap_adds_up_at_the_default_state():
    """Issue 21 (item 1, hunted on /normalization): at the defaults (lr 0.1, 8 epochs) the box
    printed "최종 정확도 94.4% … 원본 46.8%, 최고보다 47.7%p 낮습니다" — 94.4 − 46.8 is 47.6."""
    from core.text import render
    from ui.i18n import catalog

    runs = run_pixels(PixelsConfig(lr=0.1, epochs=8))
    final = {s: 100 * float(r.val_accuracy[-1]) for s, r in runs.items()}
    claims = {c.id: c for c in pixels_claims(runs)}
    behind = claims["raw_behind"]
    printed = round(float(f"{max(final.values()):.1f}") - float(f"{final['raw']:.1f}"), 1)
    assert float(behind.values["gap"]) == printed
    entry = catalog("normalization")["pixels.claim.raw_behind"]
    assert f"{printed:.1f}%p" in render(entry["ko"], **behind.values)
    best = render(catalog("normalization")["pixels.claim.best"]["ko"], **claims["best"].values)
    assert ")(" not in best  # 「표준화 (z-점수)(94.4%)」: no parenthesis glued to the name's own
