"""The notes' train/eval table, asserted on core.train_vs_eval measurements."""

import pytest
import torch

from core.train_vs_eval import (
    TrainEvalConfig, combo_id, run_train_vs_eval, saved_bytes_of_forward, train_vs_eval_code,
)
from tests.snippets import run_snippet

CFG = TrainEvalConfig(steps=40, width=32, timing_repeats=2)


@pytest.fixture(scope="module")
def result():
    return run_train_vs_eval(CFG)


def test_no_grad_outputs_have_no_grad_fn_and_cannot_update(result):
    for mode in ("train", "eval"):
        m = result.combos[combo_id(mode, True)]
        assert not m.requires_grad and m.grad_fn == ""
        assert m.saved_bytes == 0
        assert "does not require grad" in m.backward_error
        assert m.weight_change == 0.0


def test_with_grad_a_graph_is_built_and_a_step_moves_the_weights(result):
    for mode in ("train", "eval"):
        m = result.combos[combo_id(mode, False)]
        assert m.requires_grad and m.grad_fn
        assert m.saved_bytes > 0 and m.backward_error == ""
        assert m.weight_change > 0  # eval() alone does not freeze anything


def test_eval_is_deterministic_and_uses_running_statistics(result):
    for ng in (False, True):
        ev, tr = result.combos[combo_id("eval", ng)], result.combos[combo_id("train", ng)]
        assert ev.deterministic and ev.max_output_diff == 0.0
        assert ev.bn_uses == "running" and ev.running_mean_moved == 0.0
        assert not tr.deterministic and tr.max_output_diff > 0
        # Train mode normalizes with the batch and moves the running stats, even under no_grad.
        assert tr.bn_uses == "batch" and tr.running_mean_moved > 0


def test_saved_bytes_counts_autograd_storage():
    layer = torch.nn.Linear(10, 5)
    x = torch.randn(4, 10, generator=torch.Generator().manual_seed(0))
    _, saved = saved_bytes_of_forward(layer, x)
    assert saved >= x.numel() * 4  # addmm keeps its input for the weight gradient
    with torch.no_grad():
        assert saved_bytes_of_forward(layer, x)[1] == 0


def test_code_panel_reproduces_core(result):
    _, out = run_snippet(train_vs_eval_code(CFG))
    lines = out.strip().splitlines()
    assert len(lines) == 4
    for line, (mode, ng) in zip(lines, [("train", False), ("train", True), ("eval", False),
                                        ("eval", True)]):
        m = result.combos[combo_id(mode, ng)]
        assert line.startswith(f"model.{mode}(), no_grad={ng}")
        assert f"deterministic={m.deterministic}" in line
        assert f"other batch diff={m.batch_diff:.3g}" in line
        assert f"accuracy={m.accuracy:.4f}" in line
        assert f"running_mean moved={m.running_mean_moved:.4f}" in line
        assert f"saved for backward={m.saved_bytes / 1024:.0f} KiB" in line
