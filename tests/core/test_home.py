import contextlib
import io

import numpy as np

from core.home import LoopConfig, loop_code, run_loop


def test_the_loop_learns_and_the_code_panel_prints_the_same_numbers():
    cfg = LoopConfig(epochs=4)
    result = run_loop(cfg)
    assert result.val_accuracy[0] < 0.7 < result.val_accuracy[-1]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(loop_code(cfg), {})
    printed = [float(line.split("val accuracy ")[1]) for line in out.getvalue().splitlines()]
    np.testing.assert_allclose(printed, result.val_accuracy[1:], atol=1e-3)


def test_a_huge_learning_rate_does_not_raise():
    result = run_loop(LoopConfig(lr=1e4, epochs=3))
    assert result.diverged or np.all(np.isfinite(result.train_loss))
