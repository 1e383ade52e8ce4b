"""/optimizers: every claim the notices make holds on the numbers (presets and widget extremes).

Each claim is checked against the run's positions (distances recomputed here from the
surface's minima), losses and per-epoch curves with plain numpy, not through the claims
functions or the Trajectory's own summaries.
"""

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from core.optimizers import (
    ADAPTIVE, NetworkConfig, OptimizerSettings, TrajectoryConfig, default_settings, get_surface,
    network_claims, paths_claims, run_network, run_trajectories,
)

EPS = TrajectoryConfig().epsilon
NEGATIVE_ZERO = re.compile(r"-0(\.0+)?(?![\d.])")  # "-0", "-0.0", not "-0.03"
LOCALE = tomllib.loads(Path("locales/optimizers.toml").read_text(encoding="utf-8"))

# The page's trajectory widgets (app_pages/optimizers.py): surface, optimizers, start x/y
# (the surface's plotted range), steps 10..1000, lr 1e-4..5 (LR_CHOICES), momentum 0..0.99,
# RMSprop alpha 0.5..0.999, Adam beta1 0..0.99, beta2 0.9..0.9999. Defaults: quadratic,
# SGD + momentum + RMSprop + Adam at the surface's learning rates, 300 steps.
DEFAULT = {"surface": "quadratic", "opts": ("sgd", "momentum", "rmsprop", "adam"),
           "steps": 300, "start": None, "lrs": {}, "extra": {}}
STATES = {
    # the page's presets (PRESETS in app_pages/optimizers.py)
    "preset_overshoot": DEFAULT | {"opts": ("sgd", "momentum"), "lrs": {"sgd": 0.03,
                                   "momentum": 0.03}, "extra": {"momentum": {"momentum": 0.95}}},
    "preset_rosenbrock": DEFAULT | {"surface": "rosenbrock", "opts": ("sgd", "adam"),
                                    "steps": 1000, "lrs": {"sgd": 0.001, "adam": 0.1}},
    "preset_saddle": DEFAULT | {"surface": "saddle", "opts": ("sgd", "momentum", "adam"),
                                "start": (-2.5, 0.01)},
    "preset_too_fast": DEFAULT | {"opts": ("sgd", "adam"), "steps": 100, "lrs": {"sgd": 0.5}},
    "defaults": DEFAULT,
    "all_optimizers": DEFAULT | {"opts": ("sgd", "momentum", "nesterov", "rmsprop", "adagrad",
                                          "adam", "adamw")},
    "steps_min": DEFAULT | {"steps": 10},
    "steps_max": DEFAULT | {"steps": 1000},
    "x_min": DEFAULT | {"start": (-6.0, -2.0)}, "x_max": DEFAULT | {"start": (6.0, -2.0)},
    "y_min": DEFAULT | {"start": (-5.0, -3.0)}, "y_max": DEFAULT | {"start": (-5.0, 3.0)},
    "momentum_min": DEFAULT | {"extra": {"momentum": {"momentum": 0.0}}},
    "momentum_max": DEFAULT | {"extra": {"momentum": {"momentum": 0.99}}},
    "alpha_min": DEFAULT | {"extra": {"rmsprop": {"alpha": 0.5}}},
    "alpha_max": DEFAULT | {"extra": {"rmsprop": {"alpha": 0.999}}},
    "beta1_min": DEFAULT | {"extra": {"adam": {"beta1": 0.0}}},
    "beta1_max": DEFAULT | {"extra": {"adam": {"beta1": 0.99}}},
    "beta2_min": DEFAULT | {"extra": {"adam": {"beta2": 0.9}}},
    "beta2_max": DEFAULT | {"extra": {"adam": {"beta2": 0.9999}}},
    **{f"lr_min_{o}": DEFAULT | {"lrs": {o: 1e-4}} for o in DEFAULT["opts"]},
    **{f"lr_max_{o}": DEFAULT | {"lrs": {o: 5.0}} for o in DEFAULT["opts"]},
    **{f"surface_{s}": DEFAULT | {"surface": s} for s in
       ("rosenbrock", "saddle", "himmelblau", "rastrigin", "beale")},
}


def config(state) -> TrajectoryConfig:
    surface = get_surface(state["surface"])
    settings = tuple(OptimizerSettings(o, state["lrs"].get(o, surface.lrs[o]),
                                       **state["extra"].get(o, {})) for o in state["opts"])
    return TrajectoryConfig(state["surface"], settings, start=state["start"],
                            steps=state["steps"])


def distances(result, name) -> np.ndarray:
    """Distance to the nearest listed minimum, recomputed; nan (diverged) stays nan."""
    minima = np.array(get_surface(result.config.surface).minima)
    p = result.runs[name].positions
    return np.sqrt(((p[:, None, :] - minima[None]) ** 2).sum(-1)).min(1)


def settled_at(d: np.ndarray) -> int | None:
    """First step from which the path stays within EPS to the end (independent loop)."""
    k = None
    for i in range(len(d) - 1, -1, -1):
        if not d[i] <= EPS:
            break
        k = i
    return k


def check_translatable(claims, prefix: str) -> None:
    table = LOCALE
    for part in prefix.split("."):
        table = table[part]
    for claim in claims:
        for lang in ("en", "ko"):
            text = table["claim"][claim.id][lang].format(**claim.values)
            assert "{" not in text and not NEGATIVE_ZERO.search(text), text


def check_paths(result, claims) -> None:
    d = {n: distances(result, n) for n in result.runs}
    settle = {n: settled_at(d[n]) for n in result.runs}
    ids = [c.id for c in claims]
    assert ("fastest" in ids) != ("none" in ids)
    for c in claims:
        v = c.values
        if c.id == "fastest":
            assert settle[v["name"]] == v["steps"]
            assert all(s is None or s >= v["steps"] for s in settle.values())
            assert v["total"] == result.config.steps == len(d[v["name"]]) - 1
        elif c.id == "none":
            assert all(s is None for s in settle.values())
        elif c.id in ("left_settled", "left_never"):
            dist = d[v["name"]]
            assert dist[v["first"]] <= EPS and not (dist[: v["first"]] <= EPS).any()
            later = dist[v["first"]:]
            assert (later > EPS).any()  # it left the ball again
            if c.id == "left_settled":
                assert settle[v["name"]] == v["steps"] > v["first"]
            else:
                assert settle[v["name"]] is None and dist[-1] > EPS
                assert float(v["distance"]) == pytest.approx(dist[-1], rel=5e-3)
        elif c.id in ("adaptive_first", "fixed_first"):
            a = min(s for n, s in settle.items() if s is not None and n in ADAPTIVE)
            f = min(s for n, s in settle.items() if s is not None and n not in ADAPTIVE)
            assert settle[v["adaptive"]] == a and settle[v["fixed"]] == f
            assert (a < f) if c.id == "adaptive_first" else (f < a)
        elif c.id == "zigzags":
            counts = {n: r.zigzags for n, r in result.runs.items()}
            assert v["count"] == counts[v["name"]] == max(counts.values()) > 0
            assert sorted(counts.values()).count(v["count"]) == 1  # no tie hidden
        elif c.id == "zigzags_tie":
            counts = {n: r.zigzags for n, r in result.runs.items()}
            assert set(v["names"]) == {n for n, k in counts.items() if k == max(counts.values())}
            assert len(v["names"]) > 1 and v["count"] == max(counts.values()) > 0
        else:
            raise AssertionError(f"unchecked claim {c.id}")
    # every pass-and-leave is told
    for n in result.runs:
        inside = np.flatnonzero(d[n] <= EPS)
        if inside.size and (d[n][inside[0]:] > EPS).any() and not result.runs[n].diverged:
            assert any(c.id.startswith("left_") and c.values["name"] == n for c in claims), n
    check_translatable(claims, "paths")


@pytest.mark.parametrize("state", STATES.values(), ids=STATES.keys())
def test_paths_claims_hold(state):
    result = run_trajectories(config(state))
    check_paths(result, paths_claims(result))


def test_momentum_orbit_is_not_credited_with_its_first_pass():
    """Issue 9: momentum 0.95 first enters the ε-ball at step 25 but orbits out again."""
    result = run_trajectories(config(STATES["preset_overshoot"]))
    claims = {c.id: c.values for c in paths_claims(result)}
    assert claims["left_settled"]["name"] == "momentum" and claims["left_settled"]["first"] == 25
    assert claims["fastest"]["steps"] > 100
    assert result.runs["momentum"].steps_to_eps == claims["fastest"]["steps"]


# The network section: defaults (the trajectories' four optimizers, 60 epochs, moons,
# lr scale 1) and each widget at an extreme (epochs 5..150, lr scale 0.1..10, datasets).
NET_STATES = {
    "defaults": {},
    "epochs_min": {"epochs": 5},
    "lr_scale_min": {"lr_scale": 0.1},
    "lr_scale_max": {"lr_scale": 10.0},
    "spiral": {"dataset": "spiral"},
}


def check_network(result, claims) -> None:
    runs = {n: r for n, r in result.runs.items() if not r.diverged}
    for c in claims:
        v = c.values
        if c.id in ("fastest", "none_fit"):
            fit = {}
            for n, r in runs.items():
                hit = np.flatnonzero(r.train_loss <= 0.4 * r.train_loss[0])
                if hit.size:
                    fit[n] = int(np.ceil(r.epochs[hit[0]]))
            if c.id == "fastest":
                assert fit[v["name"]] == v["epochs"] == min(fit.values())
            else:
                assert not fit
        elif c.id == "best_val":
            lows = {n: np.nanmin(r.val_loss) for n, r in runs.items()}
            assert lows[v["name"]] == min(lows.values())
            assert float(v["loss"]) == pytest.approx(lows[v["name"]], abs=6e-4)
            assert runs[v["name"]].val_loss[int(v["epoch"])] == lows[v["name"]]
        elif c.id in ("overfit", "no_overfit"):
            turned = set()
            for n, r in runs.items():
                best = int(np.nanargmin(r.val_loss))
                if r.val_loss[-1] >= 1.1 * r.val_loss[best] and r.train_loss[-1] < r.train_loss[best]:
                    turned.add(n)
            assert turned == (set(v["names"]) if c.id == "overfit" else set())
        else:
            raise AssertionError(f"unchecked claim {c.id}")
    check_translatable(claims, "network")


@pytest.fixture(scope="module")
def network_results():
    base = NetworkConfig(optimizers=default_settings("quadratic", DEFAULT["opts"]))
    return {k: run_network(NetworkConfig(**{**base.__dict__, **v})) for k, v in NET_STATES.items()}


@pytest.mark.parametrize("state", NET_STATES)
def test_network_claims_hold(network_results, state):
    result = network_results[state]
    check_network(result, network_claims(result))


def test_preset_stories_are_true():
    """The one-line stories (locales: preset.<id>_story) quote these measured numbers."""
    results = {k: run_trajectories(config(STATES[f"preset_{k}"]))
               for k in ("overshoot", "rosenbrock", "saddle", "too_fast")}
    runs = {k: r.runs for k, r in results.items()}
    d = {k: {n: distances(r, n) for n in r.runs} for k, r in results.items()}
    over = d["overshoot"]
    assert int(np.argmax(over["momentum"] <= EPS)) == 25 and settled_at(over["momentum"]) == 179
    assert settled_at(over["sgd"]) is None and round(over["sgd"][-1], 2) == 0.82
    assert settled_at(d["rosenbrock"]["adam"]) == 677
    assert settled_at(d["rosenbrock"]["sgd"]) is None and round(d["rosenbrock"]["sgd"][-1], 2) == 1.75
    assert settled_at(d["saddle"]["adam"]) == 80 and settled_at(d["saddle"]["momentum"]) == 137
    assert settled_at(d["saddle"]["sgd"]) is None
    assert runs["too_fast"]["sgd"].diverged_at == 12 and settled_at(d["too_fast"]["adam"]) == 89
    assert 0.5 > 2 / 6  # f = 0.1 x² + 3 y²: curvature 6 along y, SGD stable below 2/6



def test_the_particle_after_an_optimizer_name_follows_how_it_is_read():
    # /optimizers, default: "(**RMSprop**가 **SGD**보다 먼저)". RMSprop is read 알엠에스프롭,
    # which ends in ㅂ: RMSprop이. Adam (아담) → 이, SGD (에스지디) → 가.
    from core.text import render
    from ui.i18n import catalog
    entry = catalog("optimizers")["paths.claim.adaptive_first"]["ko"]
    assert "(**RMSprop**이 **SGD**보다 먼저)" in render(entry, adaptive="RMSprop", fixed="SGD")
    assert "(**Adam**이 **SGD**보다 먼저)" in render(entry, adaptive="Adam", fixed="SGD")
    entry = catalog("optimizers")["paths.claim.fixed_first"]["ko"]
    assert "(**SGD**가 **Adam**보다 먼저)" in render(entry, adaptive="Adam", fixed="SGD")
