import numpy as np

from core.home import LoopConfig, loop_code, run_loop
from tests.snippets import run_snippet


def test_the_loop_learns_and_the_code_panel_prints_the_same_numbers():
    cfg = LoopConfig(epochs=4)
    result = run_loop(cfg)
    assert result.val_accuracy[0] < 0.7 < result.val_accuracy[-1]
    _, out = run_snippet(loop_code(cfg))
    lines = out.splitlines()
    np.testing.assert_allclose([float(line.split("val accuracy ")[1]) for line in lines],
                               result.val_accuracy, atol=1e-3)
    np.testing.assert_allclose([float(line.split()[4]) for line in lines], result.val_loss,
                               atol=1e-3)


def test_a_diverging_run_and_its_code_panel_stop_at_the_same_step():
    cfg = LoopConfig(lr=1e4, epochs=3, hidden=64)
    result = run_loop(cfg)
    assert result.diverged
    _, out = run_snippet(loop_code(cfg))
    assert out.splitlines()[-1] == f"diverged at step {result.diverged_at}"


def test_a_huge_learning_rate_does_not_raise():
    result = run_loop(LoopConfig(lr=1e4, epochs=3))
    assert result.diverged or np.all(np.isfinite(result.train_loss))
