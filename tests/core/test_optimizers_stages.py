"""/optimizers trains the network comparison one cached run per optimizer, keyed by the
resolved config: the pieces must give exactly the numbers of one run_network call."""

import dataclasses

import numpy as np

from core.optimizers import NetworkConfig, NetworkResult, OptimizerSettings, run_network


def test_the_trajectory_learning_rates_do_not_reach_the_network_key():
    a = NetworkConfig((OptimizerSettings("sgd", 0.01), OptimizerSettings("adam", 0.3)))
    b = NetworkConfig((OptimizerSettings("sgd", 0.5), OptimizerSettings("adam", 0.001)))
    assert a.resolved() == b.resolved() == a.resolved().resolved()


def test_one_run_per_optimizer_is_the_run_of_all():
    cfg = NetworkConfig((OptimizerSettings("sgd", 0.1), OptimizerSettings("momentum", 0.1,
                                                                           momentum=0.5),
                         OptimizerSettings("adam", 0.1)), lr_scale=3, epochs=5).resolved()
    whole = run_network(cfg)
    pieces = NetworkResult(cfg, {s.name: run_network(dataclasses.replace(cfg, optimizers=(s,)))
                                 .runs[s.name] for s in cfg.optimizers})
    assert pieces.config == whole.config and list(pieces.runs) == list(whole.runs)
    for name, run in whole.runs.items():
        for f in dataclasses.fields(run):
            x, y = getattr(run, f.name), getattr(pieces.runs[name], f.name)
            if isinstance(x, np.ndarray):
                assert np.array_equal(x, y, equal_nan=True), (name, f.name)
            else:
                assert x == y, (name, f.name)


def test_epoch_moves_give_the_numbers_of_fresh_runs():
    """A kept run of each optimizer is continued or cut when only Epochs moved."""
    from core import optimizers

    base = NetworkConfig((OptimizerSettings("sgd", 0.1), OptimizerSettings("adam", 0.1)),
                         lr_scale=10).resolved()  # sgd at 2.0: diverges
    for epochs in (3, 6, 2, 8, 5):
        cfg = dataclasses.replace(base, epochs=epochs)
        optimizers._NETWORK_RUNS.clear()
        fresh = run_network(cfg)
        optimizers._NETWORK_RUNS.clear()
        for previous in (1, 10, epochs - 1):  # kept runs shorter and longer than this one
            if previous > 0:
                run_network(dataclasses.replace(cfg, epochs=previous))
            seen: list[float] = []
            again = run_network(cfg, _on_progress=seen.append)
            assert seen[-1] == 1.0
            for name, run in fresh.runs.items():
                for f in dataclasses.fields(run):
                    x, y = getattr(run, f.name), getattr(again.runs[name], f.name)
                    if isinstance(x, np.ndarray):
                        assert np.array_equal(x, y, equal_nan=True), (epochs, name, f.name)
                    else:
                        assert x == y, (epochs, name, f.name)
