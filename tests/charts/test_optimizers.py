import numpy as np
import pytest

from core.charts.optimizers import (
    FAR,
    distance_figure,
    loss_figure,
    network_figure,
    network_table,
    surface3d_figure,
    trajectory_figure,
    trajectory_table,
)
from core.optimizers import (
    SURFACE_NAMES,
    NetworkConfig,
    OptimizerSettings,
    TrajectoryConfig,
    default_settings,
    get_surface,
    run_network,
    run_trajectories,
    surface_grid,
)
from core.training import OPTIMIZERS

NAMES = {o: o.upper() for o in OPTIMIZERS}
TEXT = {"title": "T", "x": "x", "y": "y", "z": "z", "start": "start", "minimum": "min",
        "velocity": "v", "gradient": "g", "exit": "exit", "diverged": "diverged at {step}",
        "epsilon": "eps", "train": "train", "val": "val"}


def finite_xy(fig):
    """Every drawn x/y (and z) value of scatter traces is finite (gaps as None are allowed)."""
    for trace in fig.data:
        for axis in ("x", "y", "z"):
            values = getattr(trace, axis, None)
            if values is None or trace.type in ("contour", "surface"):
                continue
            array = np.array([v for v in values if v is not None], dtype=float)
            assert np.isfinite(array).all(), (trace.name, axis)


@pytest.fixture(scope="module")
def diverging():
    settings = (OptimizerSettings("sgd", 5.0), OptimizerSettings("adam", 0.1))
    return run_trajectories(TrajectoryConfig("rosenbrock", settings, steps=200))


@pytest.mark.parametrize("surface", SURFACE_NAMES)
def test_trajectory_figure_stays_on_the_surface(surface):
    result = run_trajectories(TrajectoryConfig(surface, steps=60))
    fig = trajectory_figure(result, surface_grid(surface, 40), 30, TEXT, NAMES)
    s = get_surface(surface)
    assert list(fig.layout.xaxis.range) == list(s.x_range)
    assert list(fig.layout.yaxis.range) == list(s.y_range)
    assert fig.layout.title.text == "T"
    finite_xy(fig)
    paths = [tr for tr in fig.data if tr.name in NAMES.values()]
    assert len(paths) == len(result.runs) and all(len(tr.x) == 31 for tr in paths)
    assert len(fig.layout.annotations) >= 1  # velocity / gradient arrows at step 30


def test_diverged_run_is_cut_and_marked(diverging):
    grid = surface_grid("rosenbrock", 40)
    fig = trajectory_figure(diverging, grid, 200, TEXT, NAMES)
    s = get_surface("rosenbrock")
    assert list(fig.layout.xaxis.range) == list(s.x_range)
    finite_xy(fig)
    center = np.array([np.mean(s.x_range), np.mean(s.y_range)])
    sgd_path = next(tr for tr in fig.data if tr.name == "SGD")
    drawn = np.column_stack([sgd_path.x, sgd_path.y])
    assert (np.abs(drawn - center).max(axis=1) <= FAR * s.span).all()
    labels = [tr.text[0] for tr in fig.data if tr.text]
    assert any("SGD" in label for label in labels)
    for builder in (loss_figure, distance_figure):
        figure = builder(diverging, 100, TEXT, NAMES)
        assert figure.layout.yaxis.type == "log"
        assert all(np.isfinite(figure.layout.yaxis.range))
        assert any("diverged at" in (a.text or "") for a in figure.layout.annotations)
    surface3d_figure(diverging, grid, 200, TEXT, NAMES)  # builds; 3-D path is clipped
    rows = trajectory_table(diverging, _table_text(), NAMES)
    assert rows[0]["status"] == f"diverged at {diverging.runs['sgd'].diverged_at}"


def _table_text():
    keys = ("optimizer", "rate", "idea", "steps_to_eps", "final_loss", "zigzags", "loss_up",
            "status", "never", "ok", "lr", "epochs_to_fit", "final_train", "final_val",
            "best_val", "val_acc")
    return {k: k for k in keys} | {"diverged": "diverged at {step}"} | {
        f"{kind}_{o}": o for o in OPTIMIZERS for kind in ("rate", "idea")}


def test_3d_figure_keeps_paths_inside_the_box():
    result = run_trajectories(TrajectoryConfig("himmelblau", steps=50))
    fig = surface3d_figure(result, surface_grid("himmelblau", 40), 50, TEXT, NAMES)
    s = get_surface("himmelblau")
    for trace in fig.data[1:]:
        assert np.all((np.array(trace.x) >= s.x_range[0]) & (np.array(trace.x) <= s.x_range[1]))
    finite_xy(fig)


def test_network_figure_and_table():
    cfg = NetworkConfig(optimizers=default_settings("quadratic", ("sgd", "adam")), epochs=2,
                        n_samples=60)
    result = run_network(cfg)
    fig = network_figure(result, TEXT, NAMES)
    assert fig.layout.yaxis.range[0] == 0
    assert len(fig.data) == 4
    rows = network_table(result, _table_text(), NAMES)
    assert [r["optimizer"] for r in rows] == ["SGD", "ADAM"]


def test_animation_frames_replay_the_paths_in_the_browser():
    """Issue 10 item 5: every frame computed once; each frame's trail is the exact recent
    path (no skipped steps) ending at the current point; the JSON stays small."""
    import json

    from core.charts.optimizers import (
        animation_steps, drawable_path, trail_length, trajectory_animation,
    )

    settings = (OptimizerSettings("sgd", 0.3), OptimizerSettings("momentum", 0.1),
                OptimizerSettings("adam", 0.2), OptimizerSettings("rmsprop", 5.0))
    result = run_trajectories(TrajectoryConfig("quadratic", settings, steps=1000))
    text = TEXT | {"play": "play", "pause": "pause", "step": "step"}
    fig = trajectory_animation(result, surface_grid("quadratic"), text, NAMES)
    steps = animation_steps(1000)
    assert [f.name for f in fig.frames] == [str(k) for k in steps] and steps[-1] == 1000
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert labels[:2] == ["play", "pause"] and "4×" in labels
    trail = trail_length(1000)
    for frame, k in zip(fig.frames[::7], steps[::7]):
        for i, run in enumerate(result.runs.values()):
            drawn = drawable_path(result, run, k)
            x = np.asarray(frame.data[2 * i].x, dtype=float)
            np.testing.assert_array_equal(x, drawn[max(0, k - trail):, 0])  # every step
    assert len(json.dumps(fig.to_plotly_json(), default=str)) < 2_000_000
