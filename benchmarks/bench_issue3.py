"""Warm timings of every run_* behind a slider on /forward-pass, /losses and /backprop.

Each config is run once cold (imports, first allocation) and then timed warm over a few
repeats with different slider values so caches inside core do not hide the work.
"""

import time

from core.backprop import (
    AccumulationConfig, GraphConfig, ParamGradConfig, ZeroGradConfig, run_accumulation,
    run_graph, run_param_grads, run_zero_grad,
)
from core.forward_pass import (
    DigitConfig, LayersConfig, LineConfig, OutputConfig, run_digit, run_layers, run_line,
    run_outputs,
)
from core.losses import CrossEntropyConfig, RegressionConfig, run_cross_entropy, run_regression

CASES = {
    "forward_pass.run_line (fit on)": (run_line, [LineConfig(fit=True, w=w) for w in (-1, 0, 1)]),
    "forward_pass.run_layers (2 trainings)": (run_layers, [LayersConfig(depth=d, width=12)
                                                            for d in (2, 3, 4)]),
    "forward_pass.run_outputs (point moved)": (run_outputs, [OutputConfig(x1=v)
                                                             for v in (0.1, 0.5, 0.9)]),
    "forward_pass.run_digit": (run_digit, [DigitConfig(index=i) for i in (1, 2, 3)]),
    "losses.run_regression (3 fits)": (run_regression, [RegressionConfig(n_outliers=n)
                                                        for n in (3, 8, 15)]),
    "losses.run_cross_entropy": (run_cross_entropy, [CrossEntropyConfig(logits=(z, 0.0, 1.0))
                                                     for z in (1.0, 2.0, 3.0)]),
    "backprop.run_graph": (run_graph, [GraphConfig(w1=w) for w in (0.1, 0.2, 0.3)]),
    "backprop.run_param_grads": (run_param_grads, [ParamGradConfig(depth=d) for d in (4, 5, 6)]),
    "backprop.run_zero_grad (100 steps)": (run_zero_grad, [ZeroGradConfig(steps=100, lr=lr)
                                                           for lr in (0.1, 0.2, 0.3)]),
    "backprop.run_accumulation (k=8, 32)": (run_accumulation, [
        AccumulationConfig(k=8, micro_batch=m) for m in (30, 31, 32)]),
}

if __name__ == "__main__":
    for name, (run, configs) in CASES.items():
        run(configs[0])  # cold
        times = []
        for cfg in configs:
            start = time.perf_counter()
            run(cfg)
            times.append(time.perf_counter() - start)
        print(f"{name:42s} warm max {max(times) * 1000:7.1f} ms")
