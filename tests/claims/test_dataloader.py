"""/dataloader: every claim the three notices make holds on the numbers.

States: the page's presets and every widget at its minimum and maximum (one at a time from
the defaults). Checks recompute from the Result's arrays (losses, labels, timings).
"""

import math

import numpy as np
import pytest

from core.dataloader import (
    BATCH_SIZES, EPOCH_CHOICES, ITEM_MS_RANGE, ITEMS_RANGE, LRS, SHUFFLE_BATCHES, SHUFFLE_EPOCHS,
    BatchConfig, ShuffleConfig, ThroughputConfig, WorkersConfig, batch_claims, run_batch,
    run_shuffle, run_throughput, run_workers, shuffle_claims, workers_claims,
)

B = {"batch_size": 32, "lr": 0.3, "epochs": 2}  # the page's defaults
BATCH_STATES = [
    {"batch_size": 1, "lr": 0.03, "epochs": 2}, {"batch_size": 512, "lr": 1.0, "epochs": 20},
    B, B | {"batch_size": BATCH_SIZES[0]}, B | {"batch_size": BATCH_SIZES[-1]},
    B | {"lr": LRS[0]}, B | {"lr": LRS[-1]},
    B | {"epochs": EPOCH_CHOICES[0]}, B | {"epochs": EPOCH_CHOICES[-1]},
]
S = {"batch_size": 32, "epochs": 3, "lr": 0.1}
SHUFFLE_STATES = [
    {"batch_size": 8, "epochs": 3, "lr": 0.1}, S,
    S | {"batch_size": SHUFFLE_BATCHES[0]}, S | {"batch_size": SHUFFLE_BATCHES[-1]},
    S | {"epochs": SHUFFLE_EPOCHS[0]}, S | {"epochs": SHUFFLE_EPOCHS[1]},
    S | {"lr": LRS[0]}, S | {"lr": LRS[-1]},
]
W = {"n_items": 32, "item_ms": 10.0}
WORKER_STATES = [W | {"n_items": ITEMS_RANGE[0], "item_ms": float(ITEM_MS_RANGE[0])},
                 W | {"n_items": ITEMS_RANGE[1]}, W | {"item_ms": float(ITEM_MS_RANGE[1])}]


@pytest.fixture(scope="module")
def throughput():
    return run_throughput(ThroughputConfig())


@pytest.mark.parametrize("state", BATCH_STATES, ids=[str(s) for s in BATCH_STATES])
def test_batch_claims_hold(state, throughput):
    r = run_batch(BatchConfig(**state))
    claims = {c.id: c.values for c in batch_claims(r, throughput)}
    steps = math.ceil(512 / state["batch_size"])
    key = "steps_one" if steps == 1 else "steps"
    assert claims[key] == {"bs": state["batch_size"], "steps": steps,
                           "total": steps * state["epochs"]}
    assert len(r.step_loss) == steps * state["epochs"] or r.diverged
    if "noise" in claims or "no_noise" in claims:
        last_batch = r.step_loss[-steps:]
        estimated = r.full_loss[len(r.step_loss) - steps: len(r.step_loss)]
        rms = float(np.sqrt(np.mean((last_batch - estimated) ** 2)))
        noise = claims.get("noise", claims.get("no_noise"))["noise"]
        assert noise == pytest.approx(rms, abs=1e-7)
    if "no_noise" in claims:
        assert state["batch_size"] >= 512 and claims["no_noise"]["noise"] < 1e-5
    if "noise" in claims:
        assert claims["noise"]["noise"] > 1e-3  # a real sample's noise
    assert ("diverged" in claims) == r.diverged
    if "val_acc" in claims:
        assert claims["val_acc"]["acc"] == r.val_acc[-1]
    rates = dict(zip(throughput.batch_sizes.tolist(), throughput.samples_per_s.tolist()))
    faster = rates[max(rates)] > rates[min(rates)]
    assert ("throughput_faster" in claims) == faster
    v = claims["throughput_faster" if faster else "throughput_slower"]
    assert v["speedup"] == pytest.approx(rates[max(rates)] / rates[min(rates)])


def test_issue_noise_states():
    # batch 64 showed 0.358 vs 0.171 at 16, and >= 128 showed 0.000 (zero-padded smoothing)
    noise = {bs: run_batch(BatchConfig(batch_size=bs)).noise for bs in (16, 64, 128)}
    assert noise[16] > noise[64] > noise[128] > 1e-3
    # the full-batch preset shows a trained model, not two steps
    r = run_batch(BatchConfig(batch_size=512, lr=1.0, epochs=20))
    assert len(r.step_loss) == 20 and r.val_acc[-1] > 0.5 and r.step_loss[-1] < r.step_loss[0]


@pytest.mark.parametrize("state", SHUFFLE_STATES, ids=[str(s) for s in SHUFFLE_STATES])
def test_shuffle_claims_hold(state):
    r = run_shuffle(ShuffleConfig(**state))
    claims = {c.id: c.values for c in shuffle_claims(r)}
    s, u = r.runs["sorted"], r.runs["shuffled"]
    share = {name: 100 * np.mean([len(set(b.tolist())) == 1 for b in run.batch_labels])
             for name, run in r.runs.items()}
    assert claims["one_class"] == pytest.approx({"sorted_one": share["sorted"],
                                                 "shuffled_one": share["shuffled"]})
    if s.diverged or u.diverged:
        assert "diverged" in claims
    else:
        shown_sorted = float(f"{100 * s.held_out_acc[-1]:.1f}")  # as the sentence prints them
        shown_shuffled = float(f"{100 * u.held_out_acc[-1]:.1f}")
        d = shown_shuffled - shown_sorted
        key = "sorted_worse" if d > 0.05 else "sorted_not_worse"
        assert key in claims and claims[key]["diff"] == pytest.approx(abs(d))
        assert claims[key]["sorted_acc"] == pytest.approx(shown_sorted)
        # issue 21: the printed difference is the difference of the printed numbers
        printed = {k: f"{v:.1f}" for k, v in claims[key].items()}
        assert float(printed["diff"]) == pytest.approx(
            abs(float(printed["shuffled_acc"]) - float(printed["sorted_acc"])))
    differ = [not np.array_equal(a, b) for a, b in zip(u.first_batches, u.first_batches[1:])]
    assert ("orders" in claims) == (len(differ) > 0 and all(differ))


@pytest.mark.parametrize("state", WORKER_STATES, ids=[str(s) for s in WORKER_STATES])
def test_workers_claims_hold(state):
    r = run_workers(WorkersConfig(**state))
    assert r.same_batches
    claims = {c.id: c.values for c in workers_claims(r)}
    t = r.epoch_s  # (workers, epochs)
    later0, later_w = t[0, 1:].mean(), t[-1, 1:].mean()
    key = "later_faster" if later_w < later0 else "later_slower"
    assert key in claims
    assert claims[key]["t0"] == pytest.approx(later0) and claims[key]["tw"] == pytest.approx(later_w)
    assert claims[key]["ratio"] >= 1
    assert claims[key]["ratio"] == pytest.approx(max(later0, later_w) / min(later0, later_w))
    key = "first_faster" if t[-1, 0] < t[0, 0] else "first_slower"
    assert key in claims and claims[key]["w"] == r.workers[-1]
    if key == "first_slower":
        assert claims[key]["extra"] == pytest.approx(t[-1, 0] - t[0, 0]) and claims[key]["extra"] >= 0
    # one process cannot beat its own waits
    assert t[0].min() >= r.ideal_s


def test_preset_stories_hold():
    from ui.i18n import catalog

    def story_has(preset, *numbers):
        entry = catalog("dataloader")[f"preset.{preset}_story"]
        for lang in ("en", "ko"):
            for number in numbers:
                assert number in entry[lang], (preset, lang, number)

    sgd = run_batch(BatchConfig(batch_size=1, lr=0.03, epochs=2))
    assert sgd.steps_per_epoch == 512 and sgd.noise > 0.3  # "far from the training-set loss"
    story_has("pure_sgd", "512")
    full = run_batch(BatchConfig(batch_size=512, lr=1.0, epochs=20))
    story_has("full_batch", f"{full.noise:.3f}", str(len(full.step_loss)))
    s = run_shuffle(ShuffleConfig(batch_size=8, epochs=3, lr=0.1))
    assert s.runs["sorted"].one_class_share == 1.0
    story_has("sorted_small", f"{100 * s.runs['sorted'].final_acc:.1f}%",
              f"{100 * s.runs['shuffled'].final_acc:.1f}%")
