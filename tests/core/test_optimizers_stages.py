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
    from core.optimizers import network as optimizers

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


def _fields_equal(a, b, where) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y, equal_nan=True), (where, f.name)
        else:
            assert x == y or (x != x and y != y), (where, f.name)


def test_steps_moves_up_continue_stored_paths_with_the_numbers_of_fresh_runs():
    """The Steps slider moved up continues each stored path from its last point and optimizer
    state: every optimizer gives exactly the run from step 0, and matches the textbook loop
    with torch's own optimizer class (make_optimizer, one step() per optimizer)."""
    from core.optimizers import paths as opt

    for surface in ("rosenbrock", "quadratic"):
        settings = (opt.OptimizerSettings("sgd", 0.002), opt.OptimizerSettings(
            "momentum", 0.002, momentum=0.8), opt.OptimizerSettings("nesterov", 0.001),
            opt.OptimizerSettings("rmsprop", 0.01), opt.OptimizerSettings("adagrad", 0.5),
            opt.OptimizerSettings("adam", 0.1), opt.OptimizerSettings("adamw", 0.1))
        for path in ((40, 130, 300), (10, 20, 700), (300, 120, 310)):
            opt._paths.clear()
            for steps in path:  # each press continues (or cuts) what the last one kept
                moved = opt.run_trajectories(opt.TrajectoryConfig(surface, settings,
                                                                  steps=steps))
            opt._paths.clear()
            fresh = opt.run_trajectories(opt.TrajectoryConfig(surface, settings, steps=path[-1]))
            start = opt.get_surface(surface).start
            for s in settings:
                _fields_equal(moved.runs[s.name], fresh.runs[s.name], (surface, path, s.name))
                naive = opt.run_trajectory_naive(surface, s, start, path[-1])
                np.testing.assert_allclose(moved.runs[s.name].positions, naive, rtol=1e-8,
                                           atol=1e-10)


def test_continued_paths_keep_divergence_where_a_fresh_run_has_it():
    """Runs that diverge (sgd far too fast) and a batch that stopped early because all of
    its runs diverged: continued, they give the fresh run's numbers, nans included."""
    from core.optimizers import paths as opt

    diverging = (opt.OptimizerSettings("sgd", 5.0), opt.OptimizerSettings("momentum", 3.0))
    mixed = (*diverging, opt.OptimizerSettings("adam", 0.05))
    for settings in (diverging, mixed):
        opt._paths.clear()
        opt.run_trajectories(opt.TrajectoryConfig("rosenbrock", settings, steps=60))
        moved = opt.run_trajectories(opt.TrajectoryConfig("rosenbrock", settings, steps=400))
        opt._paths.clear()
        fresh = opt.run_trajectories(opt.TrajectoryConfig("rosenbrock", settings, steps=400))
        for s in settings:
            assert fresh.runs[s.name].diverged == (s.name != "adam")
            _fields_equal(moved.runs[s.name], fresh.runs[s.name], s.name)


def test_a_continued_path_is_stored_longer_and_then_cut():
    from core.optimizers import paths as opt

    opt._paths.clear()
    settings = opt.default_settings("saddle", ("sgd", "adam"))
    opt.run_trajectories(opt.TrajectoryConfig("saddle", settings, steps=50))
    opt.run_trajectories(opt.TrajectoryConfig("saddle", settings, steps=200))
    assert sorted(p.steps for p in opt._paths.values()) == [200, 200]
    short = opt.run_trajectories(opt.TrajectoryConfig("saddle", settings, steps=120))
    opt._paths.clear()
    fresh = opt.run_trajectories(opt.TrajectoryConfig("saddle", settings, steps=120))
    for s in settings:
        _fields_equal(short.runs[s.name], fresh.runs[s.name], s.name)
