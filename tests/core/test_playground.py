import copy
import math
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
import torch

from core.models import linear_layers
from core.lab import (
    CSV_MAX_ROWS, DATASETS_CLASSIFICATION, FEATURES, GRID, MAX_CLASSES,
    PRESETS, THUMB, LabConfig, LabDataError, LabSession, config_from_fields, feature_matrix,
    lab_code, lab_data_from_points, load_points_csv, make_lab_data, parse_playground_params,
    parse_playground_url,
)
from core.seeding import make_generator

# ---------------------------------------------------------------------------- data


def _all_points(data):
    return (np.concatenate([data.points_train, data.points_test]),
            np.concatenate([data.labels_train, data.labels_test]))


@pytest.mark.parametrize("dataset", DATASETS_CLASSIFICATION)
def test_classification_datasets_are_seeded_balanced_and_split_by_the_playground_rule(dataset):
    cfg = LabConfig(dataset=dataset, train_percent=30, seed=3)
    data = make_lab_data(cfg)
    assert len(data.points_train) == 500 * 30 // 100 == 150
    assert len(data.points_test) == 350
    points, labels = _all_points(data)
    assert np.abs(points).max() <= 6.0
    assert set(np.unique(labels)) == {0, 1}
    if dataset != "xor":  # xor's classes come from the quadrants: balanced only on average
        assert (labels == 1).sum() == 250
    again = make_lab_data(cfg)
    np.testing.assert_array_equal(again.points_train, data.points_train)
    other = make_lab_data(replace(cfg, seed=4))
    assert not np.array_equal(other.points_train, data.points_train)


def test_noise_free_labels_follow_each_datasets_rule():
    circle = _all_points(make_lab_data(LabConfig(dataset="circle")))
    r = np.hypot(*circle[0].T)
    np.testing.assert_array_equal(circle[1], (r < 2.5).astype(int))
    assert r.max() <= 5 + 1e-5 and not np.any((r > 2.5 + 1e-5) & (r < 3.5 - 1e-5))
    xy, label = _all_points(make_lab_data(LabConfig(dataset="xor")))
    np.testing.assert_array_equal(label, (xy[:, 0] * xy[:, 1] >= 0).astype(int))
    assert np.abs(xy).min() >= 0.3 - 1e-6  # pushed away from the axes
    xy, label = _all_points(make_lab_data(LabConfig(dataset="gauss")))
    np.testing.assert_allclose(xy[label == 1].mean(0), [2, 2], atol=0.15)
    np.testing.assert_allclose(xy[label == 0].var(0), [0.5, 0.5], rtol=0.2)
    xy, label = _all_points(make_lab_data(LabConfig(dataset="spiral")))
    assert np.hypot(*xy.T).max() < 5


def test_regression_datasets():
    plane = make_lab_data(LabConfig(problem="regression", dataset="plane", n_points=1200))
    xy, target = _all_points(plane)
    np.testing.assert_allclose(target, xy.sum(1) / 10, atol=1e-5)
    assert plane.y_train.shape == (600, 1) and plane.n_classes == 0
    gauss = make_lab_data(LabConfig(problem="regression", dataset="multigauss", n_points=1200))
    xy, target = _all_points(gauss)
    assert target.min() >= -1 and target.max() <= 1
    near = np.hypot(xy[:, 0] + 4, xy[:, 1] - 2.5) < 0.3  # the +1 bump at (-4, 2.5)
    assert near.any() and np.all(target[near] > 0.8)


def test_three_classes_and_targets_per_loss():
    data = make_lab_data(LabConfig(dataset="spiral", n_classes=3, loss="cross_entropy"))
    assert data.n_classes == 3 and set(np.unique(_all_points(data)[1])) == {0, 1, 2}
    assert data.y_train.dtype == torch.long and data.y_train.ndim == 1
    squared = make_lab_data(LabConfig(dataset="circle"))
    assert squared.y_train.shape[1] == 1
    np.testing.assert_array_equal(squared.y_train[:, 0].numpy(), squared.labels_train * 2 - 1)


def test_features_are_the_playgrounds_functions_in_its_order():
    pts = torch.tensor([[0.5, -2.0], [3.0, 1.5]], dtype=torch.float64)
    x = feature_matrix(pts, ("sin_x2", "x1", "x1x2"))  # given out of order
    expected = [[0.5, 0.5 * -2.0, math.sin(-2.0)], [3.0, 4.5, math.sin(1.5)]]
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-6)
    assert feature_matrix(pts, FEATURES).shape == (2, 7)


# ---------------------------------------------------------------------------- links

PLAYGROUND_LINK = (
    "https://playground.tensorflow.org/#activation=relu&batchSize=17&dataset=spiral"
    "&regDataset=reg-plane&learningRate=0.3&regularizationRate=0.001&noise=35"
    "&networkShape=6,5,3&seed=0.73457&showTestData=true&discretize=false&percTrainData=70"
    "&x=true&y=false&xTimesY=true&xSquared=false&ySquared=true&cosX=false&sinX=true"
    "&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false"
    "&hideText=false&regularization=L1&playButton_hide=true")


def test_a_pasted_playground_link_becomes_its_setup():
    fields, rejected = parse_playground_url(PLAYGROUND_LINK)
    assert rejected == []
    assert fields["show_test_data"] is True and fields["discretize"] is False
    assert fields["hide"] == ["pg_play"]  # playButton_hide=true: the lab's Play button
    cfg = config_from_fields(fields)
    assert cfg == LabConfig(
        problem="classification", dataset="spiral", noise=35, train_percent=70, batch_size=17,
        seed=73457, features=("x1", "x2_sq", "x1x2", "sin_x1"), hidden=(6, 5, 3),
        activation="relu", lr=0.3, regularization="l1", reg_rate=0.001, init="playground",
        optimizer="sgd", loss="squared", playground_mode=True, n_points=500)


def test_playground_defaults_regression_and_bad_values():
    fields, rejected = parse_playground_params({"problem": "regression",
                                                "regDataset": "reg-gauss", "networkShape": "",
                                                "noise": "70", "learningRate": "abc",
                                                "cosY": "true", "lang": "ko"})
    assert sorted(rejected) == ["cosY", "learningRate", "noise"]
    cfg = config_from_fields(fields)
    assert (cfg.problem, cfg.dataset, cfg.n_points, cfg.hidden) == (
        "regression", "multigauss", 1200, ())
    assert (cfg.lr, cfg.noise, cfg.batch_size, cfg.features) == (0.03, 0, 10, ("x1", "x2"))
    assert parse_playground_params({"lang": "en", "pg_lr": "0.1"}) == ({}, [])
    fields, rejected = parse_playground_params({"networkShape": "4,99"})
    assert rejected == ["networkShape"] and fields["hidden"] == (4, 2)
    fields, rejected = parse_playground_params({"x": "false", "y": "false"})
    assert fields["features"] == ("x1", "x2") and rejected == ["x"]


def test_parsed_settings_train():
    cfg = config_from_fields(parse_playground_url(PLAYGROUND_LINK)[0])
    session = LabSession(cfg)
    assert session.step_one() == 1
    assert len(linear_layers(session.model)[0].weight[0]) == 4


# ---------------------------------------------------------------------------- CSV

def _csv(rows, header="x1,x2,label\n"):
    return (header + "".join(f"{a},{b},{c}\n" for a, b, c in rows)).encode()


def test_csv_classification_and_regression():
    g = np.random.default_rng(0)
    xy = g.normal(size=(40, 2)) * 30 + 100
    up = load_points_csv(_csv([(a, b, int(a > 100) * 7 - 1) for a, b in xy]))
    assert up.problem == "classification" and up.n_classes == 2
    assert up.class_values == (-1.0, 6.0) and up.had_header
    np.testing.assert_array_equal(up.labels, (xy[:, 0] > 100).astype(int))
    assert np.abs(up.points).max() == pytest.approx(5.0)
    np.testing.assert_allclose(up.points, (xy - np.array(up.offset)) * up.scale)
    reg = load_points_csv(_csv([(a, b, a / 7) for a, b in xy], header=""))
    assert reg.problem == "regression" and not reg.had_header
    cfg = LabConfig(dataset="csv", problem="regression")
    session = LabSession(cfg, data=lab_data_from_points(cfg, reg.points, reg.labels))
    session.step_one()
    assert session.apply(replace(cfg, features=("x1",)))  # re-featurises the uploaded points
    assert len(session.data.x_train) + len(session.data.x_test) == 40


@pytest.mark.parametrize("data, message_id", [
    (bytes(range(256)) * 4, "not_text"),
    (b"", "empty"),
    (b"hello,world\nthis is,not,a table\n", "columns"),
    (_csv([(1, 2, 0)] * 5 + [(1, "nan", 1)] + [(1, 2, 1)] * 5), "not_finite"),
    (_csv([(1, 2, 0)] * 5 + [(1, "inf", 1)] + [(1, 2, 1)] * 5), "not_finite"),
    (_csv([(1, 2, 0)] * 5 + [(1, "x", 1)] + [(1, 2, 1)] * 5), "not_number"),
    (_csv([(i, i, 0) for i in range(20)]), "one_class"),
    (_csv([(i, i, i % 50) for i in range(200)]), "too_many_classes"),
    (_csv([(1, 2, 0), (2, 1, 1)]), "too_few_rows"),
    ("x1,x2\n" + "1,2\n" * 20, "columns"),
])
def test_bad_csv_files_get_a_clear_reason(data, message_id):
    with pytest.raises(LabDataError) as err:
        load_points_csv(data.encode() if isinstance(data, str) else data)
    assert err.value.message_id == message_id


def test_a_million_rows_and_too_many_bytes():
    million = b"1,2,0\n" * 1_000_000
    with pytest.raises(LabDataError) as err:
        load_points_csv(million, max_bytes=10**8)
    assert err.value.message_id == "too_many_rows"
    assert err.value.values == {"max_rows": CSV_MAX_ROWS}
    with pytest.raises(LabDataError) as err:
        load_points_csv(million)
    assert err.value.message_id == "too_big"
    with pytest.raises(LabDataError) as err:
        load_points_csv(_csv([(i, i, i % 11) for i in range(50)]))
    assert err.value.values == {"found": 11, "max": MAX_CLASSES}


# ---------------------------------------------------------------------------- session

def test_step_one_is_exactly_one_optimizer_step():
    cfg = LabConfig(dataset="xor", hidden=(4,), playground_mode=True)  # fixed batch order
    session = LabSession(cfg)
    model = LabSession(cfg).model  # the same initial weights, stepped by hand below
    assert session.step_one() == 1
    assert session.trainer.step_count == 1 and session.snapshot().step == 1
    # one SGD step on the first 10 training points: w - lr * grad of mean ½(o − y)²
    x, y = session.data.x_train[:10], session.data.y_train[:10]
    (0.5 * ((model(x) - y) ** 2).mean()).backward()
    for p, q in zip(session.model.parameters(), model.parameters()):
        assert torch.allclose(p, q - 0.03 * q.grad, atol=1e-7)


def test_ticks_in_any_chunks_give_the_same_run():
    cfg = LabConfig(dataset="spiral", hidden=(8, 8), dropout=0.2, optimizer="adam", lr=0.01,
                    loss="cross_entropy", schedule="step", n_classes=3)
    a, b = LabSession(cfg), LabSession(cfg)
    for _ in range(50):
        a.step_one()
    b.step_epoch()  # 25 steps (250 train points, batch 10)
    assert b.trainer.step_count == 25 and b.trainer.epoch == 1
    for _ in range(25):
        b.step_one()
    for p, q in zip(a.model.parameters(), b.model.parameters()):
        assert torch.equal(p, q)


def test_tick_respects_its_budget_and_reports():
    session = LabSession(LabConfig(dataset="circle"))
    result = session.tick(0.05)
    assert result.steps > 0 and result.steps == session.trainer.step_count
    assert result.seconds < 0.5  # 0.05 s asked; generous for a loaded machine
    assert result.paused is None


def test_live_changes_keep_the_network_and_structure_changes_reset():
    session = LabSession(LabConfig(dataset="circle", hidden=(4,)))
    for _ in range(30):
        session.step_one()
    weights = [p.detach().clone() for p in session.model.parameters()]
    cfg = replace(session.cfg, lr=0.1, optimizer="adam", regularization="l2", reg_rate=0.01,
                  batch_size=25, schedule="cosine")
    assert not session.needs_reset(replace(session.cfg, lr=0.5))
    assert session.apply(cfg) is False
    assert session.trainer.step_count == 30
    assert session.live_changes == [(30, {"batch_size": (10, 25), "optimizer": ("sgd", "adam"),
                                          "lr": (0.03, 0.1), "schedule": ("none", "cosine"),
                                          "regularization": ("none", "l2"),
                                          "reg_rate": (0.0, 0.01)})]
    assert all(torch.equal(p, w) for p, w in zip(session.model.parameters(), weights))
    assert isinstance(session.trainer.optimizer, torch.optim.Adam)
    epoch = session.trainer.epoch
    assert session.trainer.optimizer.param_groups[0]["lr"] == pytest.approx(
        0.1 * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * epoch / 1000))))
    session.step_epoch()  # finishes the epoch in progress with batches of 10
    steps = session.trainer.step_count
    session.step_epoch()
    assert session.trainer.step_count - steps == 250 // 25  # the new batch size
    assert session.needs_reset(replace(cfg, hidden=(5,)))
    assert session.apply(replace(cfg, hidden=(5,))) is True
    assert session.trainer.step_count == 0 and session.trainer.epoch == 0
    assert session.live_changes == []
    with pytest.raises(ValueError, match="2 classes"):
        three = LabConfig(dataset="csv", loss="cross_entropy")
        data = lab_data_from_points(three, np.random.default_rng(0).normal(size=(30, 2)),
                                    np.arange(30) % 3)
        LabSession(replace(three, loss="squared"), data=data)


def test_l2_equals_sgd_weight_decay_on_weights():
    """Second formulation: the Playground's L2 with SGD = torch SGD with weight_decay on
    the weights only."""
    cfg = LabConfig(dataset="gauss", hidden=(3,), regularization="l2", reg_rate=0.2, lr=0.1,
                    playground_mode=True)
    session = LabSession(cfg)
    model = copy.deepcopy(session.model)
    weights = [fc.weight for fc in linear_layers(model)]
    biases = [fc.bias for fc in linear_layers(model)]
    opt = torch.optim.SGD([{"params": weights, "weight_decay": 0.2},
                           {"params": biases, "weight_decay": 0.0}], lr=0.1)
    for xb, yb in list(iter(session.trainer.batches))[:8]:
        opt.zero_grad()
        (0.5 * ((model(xb) - yb) ** 2).mean()).backward()
        opt.step()
        session.step_one()
    for p, q in zip(model.parameters(), session.model.parameters()):
        assert torch.allclose(p, q, atol=1e-6)


def test_l1_sends_useless_weights_to_exactly_zero():
    session = LabSession(LabConfig(**PRESETS["l1_sparsity"]))
    session.trainer.step(800)  # 32 epochs
    snap = session.snapshot()
    dead = sum(int(d.sum()) for d in snap.dead)
    assert dead >= 10 and snap.test_acc > 0.95  # fewer links, still right
    assert sum(int((w == 0).sum()) for w in snap.weights) >= dead


def test_snapshot_grid_orientation_metrics_and_confusion():
    session = LabSession(LabConfig(dataset="spiral", n_classes=3, loss="cross_entropy",
                                   hidden=(8,), features=("x1", "x2", "x1_sq")))
    session.tick(0.1)
    snap = session.snapshot()
    assert snap.grid_output.shape == (GRID, GRID) and snap.grid_probs.shape == (GRID, GRID, 3)
    i, j = 17, 83  # row i is x2 = grid[i], column j is x1 = grid[j]
    point = torch.tensor([[snap.grid[j], snap.grid[i]]], dtype=torch.float64)
    session.model.eval()
    with torch.no_grad():
        probs = torch.softmax(session.model(feature_matrix(point, session.cfg.features)), 1)[0]
    session.model.train()
    np.testing.assert_allclose(snap.grid_probs[i, j], probs.numpy(), atol=1e-5)
    assert snap.grid_class[i, j] == int(probs.argmax())
    assert snap.confusion.sum() == snap.n_test == 250
    assert np.trace(snap.confusion) / 250 == pytest.approx(snap.test_acc)
    assert np.trace(snap.confusion_train) / 250 == pytest.approx(snap.train_acc)
    assert [t.shape for t in snap.neuron_outputs] == [(8, THUMB, THUMB)]
    assert snap.feature_outputs.shape == (3, THUMB, THUMB)
    np.testing.assert_allclose(snap.feature_outputs[2][0], snap.thumb_grid ** 2, rtol=1e-5)
    assert [w.shape for w in snap.weights] == [(8, 3), (3, 8)]
    assert snap.curve_epochs[0] == 0 and len(snap.curve_epochs) == len(snap.curve_test_loss)
    assert session.snapshot() is snap  # cached until the next step


def test_two_class_cross_entropy_heatmap_is_p1_minus_p0():
    session = LabSession(LabConfig(dataset="xor", loss="cross_entropy", hidden=(4,)))
    snap = session.snapshot()
    np.testing.assert_allclose(snap.grid_output, snap.grid_probs[..., 1] - snap.grid_probs[..., 0],
                               atol=1e-6)


def test_memory_is_bounded_and_pauses(monkeypatch):
    import core.lab.session as pg  # the session reads MAX_CURVE from its own module
    monkeypatch.setattr(pg, "MAX_CURVE", 16)
    session = LabSession(LabConfig(dataset="gauss", hidden=(), batch_size=64,
                                   train_percent=20), epoch_cap=200)
    while (reason := session.tick(0.2).paused) is None:
        pass
    snap = session.snapshot()
    assert reason in ("epoch_cap", "plateau") and snap.epoch <= 200
    assert len(snap.curve_epochs) <= 16 and snap.curve_epochs[-1] == snap.epoch
    assert len(session.trainer.history.train_loss) <= 16
    # pressing Play again trains on (the pause is reported once), and stops again later
    assert session.tick(0.05).steps > 0
    session.epoch_cap = session.trainer.epoch + 3
    while (reason := session.tick(0.2).paused) is None:
        pass
    assert reason == "epoch_cap" and session.trainer.epoch == session.epoch_cap - 200


def test_divergence_is_reported():
    session = LabSession(LabConfig(**PRESETS["lr_too_high"]))
    while session.tick(0.2).paused is None:
        pass
    assert session.pause_reason() == "diverged" and session.snapshot().diverged


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_presets_are_valid_setups(preset):
    session = LabSession(LabConfig(**PRESETS[preset]))
    assert session.step_one() == 1


# ---------------------------------------------------------------------------- code panel

@pytest.mark.parametrize("cfg", [
    LabConfig(dataset="spiral", hidden=(8, 8), playground_mode=True, regularization="l1",
              reg_rate=0.01, batch_size=7),
    LabConfig(dataset="circle", n_classes=3, loss="cross_entropy", optimizer="adam", lr=0.01,
              dropout=0.2, schedule="step", hidden=(6,), features=FEATURES),
    LabConfig(problem="regression", dataset="multigauss", n_points=1200, batchnorm=True,
              schedule="cosine", regularization="l2", reg_rate=0.01, optimizer="momentum"),
], ids=["playground-l1", "3class-dropout", "regression-bn"])
def test_the_code_panel_reproduces_the_run(cfg, capsys):
    code = lab_code(cfg, 60)
    assert "core" not in code.replace("score", "")  # standalone: no import of this project
    if cfg.playground_mode:  # one case in a fresh interpreter, the others exec'd (faster)
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=300)
        assert run.returncode == 0, run.stderr
        printed = run.stdout
    else:
        state = torch.get_rng_state()
        exec(compile(code, "lab_code", "exec"), {"__name__": "lab_code"})
        torch.set_rng_state(state)  # the script seeds the global generator for dropout
        printed = capsys.readouterr().out
    session = LabSession(cfg)
    for _ in range(60):
        session.step_one()
    snap = session.snapshot()
    assert printed.strip() == f"train loss {snap.train_loss:.4f}   test loss {snap.test_loss:.4f}"


def test_generators_draw_only_from_their_own_generator():
    torch.manual_seed(123)
    state = torch.get_rng_state()
    make_lab_data(LabConfig(dataset="spiral", noise=20))
    LabSession(LabConfig(dataset="circle", dropout=0.3)).tick(0.02)
    assert torch.equal(torch.get_rng_state(), state)
    assert make_generator(0).initial_seed() == 0
