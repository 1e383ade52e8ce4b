"""/train-vs-eval: every claim the notice and the warnings make holds on the numbers.

States: the presets (all at the default p = 0.3) and the dropout slider at its min and max.
Claims are checked against forwards made here, on the same trained model rebuilt from the
same config (train_digits_model is deterministic), not against the measurement code.
"""

import copy

import pytest
import torch
from torch import nn

from core.seeding import global_rng
from core.train_vs_eval import (
    COMBOS, P_RANGE, SAME, TrainEvalConfig, combo_id, digits_split, mistake_claims,
    run_train_vs_eval, table_claims, train_digits_model,
)

STATES = [0.3, P_RANGE[0], P_RANGE[1]]  # presets' p, then the slider's extremes


@pytest.fixture(scope="module", params=STATES, ids=[f"p={p}" for p in STATES])
def case(request):
    cfg = TrainEvalConfig(p=request.param)
    model, _, _ = train_digits_model(cfg)
    _, _, xs, ys = digits_split(cfg.seed)
    return cfg, run_train_vs_eval(cfg), model, xs, ys


def forward_twice(model, mode, x, seed):
    m = copy.deepcopy(model).train(mode == "train")
    with global_rng(seed), torch.no_grad():
        return m(x), m(x), m


def test_table_claims_hold(case):
    cfg, result, model, xs, ys = case
    claims = {c.id: c for c in table_claims(result)}
    same = {}
    for mode in ("train", "eval"):
        a, b, _ = forward_twice(model, mode, xs, cfg.seed)
        same[mode] = torch.equal(a, b)
    if "only_eval_deterministic" in claims:
        assert same["eval"] and not same["train"]
        a, b, _ = forward_twice(model, "train", xs, cfg.seed)
        assert claims["only_eval_deterministic"].values["diff"] == pytest.approx(
            float((a - b).abs().max()), rel=1e-4)
    if "train_also_deterministic" in claims:
        assert same["eval"] and same["train"]
    # Exactly one determinism sentence, and the right one.
    assert ("only_eval_deterministic" in claims) == (same["eval"] and not same["train"])
    assert ("train_also_deterministic" in claims) == (same["eval"] and same["train"])
    if "batchmates" in claims:
        half = len(xs) // 2
        for mode in ("train", "eval"):
            m = copy.deepcopy(model).train(mode == "train")
            with global_rng(cfg.seed), torch.no_grad():
                diff = float((m(xs)[:half] - m(xs[:half])).abs().max())
            assert (diff > SAME) if mode == "train" else (diff <= SAME)
    if "bn_modes" in claims:
        for mode in ("train", "eval"):
            _, _, m = forward_twice(model, mode, xs, cfg.seed)
            moved = float((m.bn1.running_mean - model.bn1.running_mean).norm())
            assert (moved > 0) if mode == "train" else (moved == 0)
    if "no_grad_graph" in claims:
        m = copy.deepcopy(model).eval()
        with torch.no_grad():
            out = m(xs)
        assert out.grad_fn is None and not out.requires_grad
        with pytest.raises(RuntimeError):
            nn.functional.cross_entropy(out, ys).backward()
        assert claims["no_grad_graph"].values["kib"] > 0
    if "eval_still_updates" in claims:
        m = copy.deepcopy(model).eval()
        before = m.fc1.weight.detach().clone()
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        nn.functional.cross_entropy(m(xs), ys).backward()
        opt.step()
        change = float((m.fc1.weight.detach() - before).norm() / before.norm())
        assert change > 0
        assert claims["eval_still_updates"].values["change"] == pytest.approx(change, rel=1e-4)
    assert set(claims) <= {"only_eval_deterministic", "train_also_deterministic", "batchmates",
                           "bn_modes", "no_grad_graph", "eval_still_updates", "independent"}


def test_mistake_claims_hold(case):
    cfg, result, model, xs, ys = case
    for mode, no_grad in COMBOS:
        claims = {c.id: c for c in mistake_claims(result, combo_id(mode, no_grad))}
        if combo_id(mode, no_grad) != "train_nograd":
            continue
        a, b, m = forward_twice(model, "train", xs, cfg.seed)
        assert ("train_nograd_dropout" in claims) == (not torch.equal(a, b))
        assert ("train_nograd_no_dropout" in claims) == torch.equal(a, b)
        m_eval = copy.deepcopy(model).eval()
        with torch.no_grad():
            good = float((m_eval(xs).argmax(1) == ys).float().mean())
        acc = float((a.argmax(1) == ys).float().mean())
        diff_pp = round(float(f"{100 * acc:.1f}") - float(f"{100 * good:.1f}"), 1)  # as printed
        expected = "acc_worse" if diff_pp < 0 else "acc_better" if diff_pp > 0 else "acc_same"
        assert expected in claims
        assert claims[expected].values["acc"] == pytest.approx(acc)
        assert claims[expected].values["good"] == pytest.approx(good)
        if expected != "acc_same":
            assert claims[expected].values["diff"] == pytest.approx(abs(diff_pp))


def test_issue_state_p0():
    # te_p=0: train mode is deterministic for the same batch; the notice must not say "only
    # eval() makes output deterministic", and a better Mistake-2 accuracy is called better.
    result = run_train_vs_eval(TrainEvalConfig(p=0.0))
    ids = {c.id for c in table_claims(result)}
    assert "only_eval_deterministic" not in ids and "train_also_deterministic" in ids
    assert "batchmates" in ids  # what still separates the modes
    chosen, good = result.combos["train_nograd"], result.combos["eval_nograd"]
    mistake = {c.id for c in mistake_claims(result, "train_nograd")}
    assert "train_nograd_no_dropout" in mistake
    if chosen.accuracy > good.accuracy + 0.0005:
        assert "acc_better" in mistake


def test_preset_stories_hold():
    from ui.i18n import catalog

    r = run_train_vs_eval(TrainEvalConfig())  # every preset uses the default p = 0.3
    c = r.combos
    numbers = {
        "evaluate": [f"{c['eval_nograd'].accuracy:.1%}", "0 KiB"],
        "train": [f"{round(c['train_grad'].saved_bytes / 1024, -2):,.0f} KiB"],
        "mistake_grad": [f"{c['eval_grad'].accuracy:.1%}",
                         f"{round(c['eval_grad'].saved_bytes / 1024, -1):.0f} KiB"],
        "mistake_mode": [f"{c['train_nograd'].accuracy:.1%}", f"{c['eval_nograd'].accuracy:.1%}"],
    }
    assert c["eval_nograd"].deterministic and not c["train_grad"].deterministic
    for preset, values in numbers.items():
        entry = catalog("train_vs_eval")[f"preset.{preset}_story"]
        for lang in ("en", "ko"):
            for number in values:
                assert number in entry[lang], (preset, lang, number)


def test_no_grad_memory_names_the_mode_its_number_is_from(case):
    """Issue 21 (item 1, hunted on /train-vs-eval): "없을 때 880 KiB" sat beside a table where
    train() + grad keeps 1,600 KiB; the number is eval() + grad's, so the sentence says so."""
    from core.text import render
    from ui.i18n import catalog

    _, result, _, _, _ = case
    claims = {c.id: c for c in table_claims(result)}
    if "no_grad_graph" not in claims:
        pytest.skip("no no_grad_graph claim in this state")
    kib = claims["no_grad_graph"].values["kib"]
    assert kib == result.combos["eval_grad"].saved_bytes / 1024
    entry = catalog("train_vs_eval")["table.claim.no_grad_graph"]
    en, ko = (render(entry[lang], kib=kib) for lang in ("en", "ko"))
    assert f"in eval mode {kib:.0f} KiB" in en and f"평가 모드에서 없을 때 {kib:.0f} KiB" in ko
