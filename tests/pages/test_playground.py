"""/playground through AppTest (via the router, as a browser opens it): both languages,
Play / Pause / Step / Reset, every Playground control reaching the LabConfig, Playground
links (query keys and a pasted URL), and bad CSV files.

The generic tests in test_pages.py also run on this page (extremes, bad URL values, presets).
"""

from __future__ import annotations

import json


import numpy as np
import pytest

from core import lab
from tests.pages.test_pages import assert_ok, open_page
from ui.i18n import catalog
from ui.registry import page_by_namespace

INFO = page_by_namespace("playground")
TEXT = catalog("playground")


def session(at):
    return at.session_state["_pg_session"]


def drawing(at) -> dict:
    """The data the lab's drawing element received on the last run (the one element)."""
    found = [e for e in at.get("bidi_component") if e.proto.component_name == "dle_lab_drawing"]
    assert len(found) == 1, len(found)
    return json.loads(found[0].proto.json)


def metric(at, label: str) -> str:
    """A figure beside the output, by its label, as the element writes it."""
    data = drawing(at)
    key = next(k for k in ("epoch", "train_loss", "test_loss", "test_acc")
               if data["text"][k] == label)
    value = data["metrics"][key]
    if key == "epoch":
        return f"{value:,}"
    return "—" if value is None else f"{value:.1%}" if key == "test_acc" else f"{value:.3f}"


def metric_labels(at) -> list[str]:
    data = drawing(at)
    return [data["text"][k] for k in ("epoch", "train_loss", "test_loss", "test_acc")
            if data["metrics"][k] is not None]


def output_image(at, lang: str = "en") -> str:
    """The output over the plane as the element receives it (one byte per grid cell)."""
    data = drawing(at)
    assert data["grid_n"] == lab.GRID and len(data["grid"]) > 0
    return data["grid"] + ("/test" if data["test"] else "")


def boundary_z(at) -> np.ndarray:
    """The model's output over the plane that the picture shows."""
    return session(at).snapshot().grid_output


def widget(at, key: str):
    for kind in ("slider", "select_slider", "selectbox", "radio", "toggle", "checkbox"):
        for w in at.get(kind):
            if w.key == key:
                return w
    raise KeyError(key)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_renders_in_both_languages_with_the_playground_labels(lang):
    at = open_page(INFO, lang)
    assert_ok(at)
    assert at.title[0].value == TEXT["title"][lang]
    labels = metric_labels(at)
    for key in ("epoch", "train_loss", "test_loss", "test_acc"):
        assert TEXT[key][lang] in labels
    if lang == "en":
        assert {"Epoch", "Train loss", "Test loss"} <= set(labels)
        assert at.button(key="_pg_play").label == "Play"
    assert session(at).trainer.step_count == 0
    assert metric(at, TEXT["epoch"][lang]) == "0"


def test_step_play_pause_reset():
    at = open_page(INFO, "en")
    z0, image0 = boundary_z(at), output_image(at)
    # Step: exactly one optimizer step per click
    at.button(key="_pg_step").click().run()
    assert_ok(at)
    assert session(at).trainer.step_count == 1
    at.button(key="_pg_step").click().run()
    assert session(at).trainer.step_count == 2
    assert metric(at, "Epoch") == "0"  # 250 train points / batch 10: 25 steps an epoch
    # Play: every run while playing trains (a bounded tick), the epoch counter advances
    at.button(key="_pg_play").click().run()
    assert_ok(at)
    assert at.session_state["_pg_playing"]
    steps = [session(at).trainer.step_count]
    for _ in range(8):
        if int(metric(at, "Epoch").replace(",", "")) > 0:
            break
        at.run()
        steps.append(session(at).trainer.step_count)
    assert all(b > a for a, b in zip(steps, steps[1:])), steps
    assert int(metric(at, "Epoch").replace(",", "")) > 0
    assert session(at).trainer.epoch == int(metric(at, "Epoch").replace(",", ""))
    z1 = boundary_z(at)
    assert np.abs(z1 - z0).max() > 1e-3, "the boundary changed"
    assert output_image(at) != image0, "and so did its picture"
    # Pause: the button turned into Pause; after it, reruns do not train
    assert at.button(key="_pg_pause").label == "Pause"
    at.button(key="_pg_pause").click().run()
    assert_ok(at)
    paused_at = session(at).trainer.step_count
    at.run()
    at.run()
    assert session(at).trainer.step_count == paused_at
    assert at.button(key="_pg_play").label == "Play"
    # Reset: back to epoch 0 with the same initial weights
    at.button(key="_pg_reset").click().run()
    assert session(at).trainer.step_count == 0 and metric(at, "Epoch") == "0"
    np.testing.assert_allclose(boundary_z(at), z0, atol=1e-6)
    assert output_image(at) == image0, "the same initial weights draw the same picture"


def test_a_live_change_keeps_training_and_a_structural_one_resets_with_a_note():
    at = open_page(INFO, "en")
    for _ in range(3):
        at.button(key="_pg_step").click().run()
    s = session(at)
    widget(at, "pg_lr").set_value(0.1).run()  # live: same session, same progress
    assert session(at) is s and s.trainer.step_count == 3 and s.cfg.lr == 0.1
    assert s.trainer.optimizer.param_groups[0]["lr"] == 0.1
    widget(at, "pg_n1").set_value(6).run()  # architecture: a new network, with a note
    assert_ok(at)
    assert session(at).trainer.step_count == 0 and session(at).cfg.hidden == (6, 2)
    assert any(TEXT["reset_note"]["en"] in c.value for c in at.caption)


def test_every_parity_control_reaches_the_lab():
    at = open_page(INFO, "en")
    cfg = lambda: session(at).cfg  # noqa: E731
    checks = [
        ("pg_dataset", "spiral", "dataset", "spiral"),
        ("pg_noise", 25, "noise", 25),
        ("pg_ratio", 70, "train_percent", 70),
        ("pg_batch", 30, "batch_size", 30),
        ("pg_layers", 3, "hidden", (4, 2, 2)),
        ("pg_n3", 8, "hidden", (4, 2, 8)),
        ("pg_act", "relu", "activation", "relu"),
        ("pg_reg", "l2", "regularization", "l2"),
        ("pg_reg_rate", 0.01, "reg_rate", 0.01),
        ("pg_lr", 0.3, "lr", 0.3),
    ]
    for key, value, field, expected in checks:
        widget(at, key).set_value(value).run()
        assert_ok(at, key)
        assert getattr(cfg(), field) == expected, (key, getattr(cfg(), field))
    # features: each toggle adds its column (in the Playground's order)
    for f in lab.FEATURES[2:]:
        widget(at, f"pg_f_{f}").set_value(True).run()
        assert f in cfg().features
    assert cfg().features == lab.FEATURES
    assert session(at).data.x_train.shape[1] == 7
    widget(at, "pg_f_x1").set_value(False).run()
    assert "x1" not in cfg().features
    # Regenerate: a new seed, new points
    points = session(at).data.points_train.copy()
    at.button(key="_pg_regen").click().run()
    assert cfg().seed == 1 and not np.array_equal(points, session(at).data.points_train)
    # show test data and discretize redraw the picture (what they draw: tests/charts)
    before = output_image(at)
    widget(at, "pg_show_test").set_value(True).run()
    with_test = output_image(at)
    widget(at, "pg_discretize").set_value(True).run()
    assert len({before, with_test, output_image(at)}) == 3
    # problem type: regression swaps the dataset list
    widget(at, "pg_problem").set_value("regression").run()
    assert_ok(at)
    assert cfg().problem == "regression" and cfg().dataset == "plane"
    widget(at, "pg_reg_dataset").set_value("multigauss").run()
    assert cfg().dataset == "multigauss" and cfg().n_points == lab.N_POINTS_REGRESS
    assert TEXT["test_acc"]["en"] not in metric_labels(at)


def test_beyond_controls_and_three_classes():
    at = open_page(INFO, "en")
    cfg = lambda: session(at).cfg  # noqa: E731
    widget(at, "pg_loss").set_value("cross_entropy").run()
    widget(at, "pg_classes").set_value(3).run()
    widget(at, "pg_opt").set_value("adamw").run()
    widget(at, "pg_init").set_value("he").run()
    widget(at, "pg_sched").set_value("cosine").run()
    widget(at, "pg_dropout").set_value(0.2).run()
    widget(at, "pg_bn").set_value(True).run()
    assert_ok(at)
    c = cfg()
    assert (c.loss, c.n_classes, c.optimizer, c.init, c.schedule, c.dropout, c.batchnorm) == \
        ("cross_entropy", 3, "adamw", "he", "cosine", 0.2, True)
    assert session(at).snapshot().confusion.shape == (3, 3)
    at.button(key="_pg_step").click().run()
    assert_ok(at)
    assert session(at).trainer.step_count == 1
    # squared error cannot do 3 classes: the page says so and uses cross-entropy
    widget(at, "pg_loss").set_value("squared").run()
    assert cfg().loss == "cross_entropy"
    assert any("3" in c.value for c in at.caption)
    # Playground mode overrides the PyTorch-only settings
    widget(at, "pg_classes").set_value(2).run()
    widget(at, "pg_mode").set_value(True).run()
    c = cfg()
    assert c.playground_mode and (c.loss, c.optimizer, c.init, c.dropout, c.batchnorm) == \
        ("squared", "sgd", "playground", 0.0, False)


def test_pin_overlays_the_pinned_curves():
    at = open_page(INFO, "en")
    at.button(key="_pg_step").click().run()
    at.button(key="_pg_pin").click().run()
    assert_ok(at)
    pinned, snap = drawing(at)["pinned"], session(at).snapshot()
    assert pinned is not None and pinned[0] == snap.curve_epochs.tolist()
    np.testing.assert_allclose(pinned[1], snap.curve_train_loss, rtol=1e-4)
    at.button(key="_pg_unpin").click().run()
    assert "_pg_pinned" not in at.session_state


PLAYGROUND_LINK = {
    "dataset": "spiral", "networkShape": "8,8", "activation": "relu", "learningRate": "0.01",
    "batchSize": "20", "noise": "15", "percTrainData": "70", "regularization": "L2",
    "regularizationRate": "0.003", "problem": "classification", "x": "true", "y": "true",
    "sinX": "true", "xSquared": "false", "showTestData": "true", "discretize": "true",
    "cosX": "true", "seed": "0.12345",
}


def _check_playground_link_widgets(at):
    values = {key: widget(at, key).value for key in (
        "pg_dataset", "pg_layers", "pg_n1", "pg_n2", "pg_act", "pg_lr", "pg_batch", "pg_noise",
        "pg_ratio", "pg_reg", "pg_reg_rate", "pg_f_x1", "pg_f_x2", "pg_f_sin_x1", "pg_f_x1_sq",
        "pg_show_test", "pg_discretize", "pg_mode", "pg_seed")}
    assert values == {
        "pg_dataset": "spiral", "pg_layers": 2, "pg_n1": 8, "pg_n2": 8, "pg_act": "relu",
        "pg_lr": 0.01, "pg_batch": 20, "pg_noise": 15, "pg_ratio": 70, "pg_reg": "l2",
        "pg_reg_rate": 0.003, "pg_f_x1": True, "pg_f_x2": True, "pg_f_sin_x1": True,
        "pg_f_x1_sq": False, "pg_show_test": True, "pg_discretize": True, "pg_mode": True,
        "pg_seed": 12345}
    c = session(at).cfg
    assert c.playground_mode and c.hidden == (8, 8) and c.features == ("x1", "x2", "sin_x1")
    assert (c.loss, c.optimizer, c.init) == ("squared", "sgd", "playground")
    warnings = " ".join(w.value for w in at.warning)
    assert "`cosX`" in warnings, "the key the lab cannot honour is named"


def test_playground_keys_in_the_url_open_in_playground_mode():
    at = open_page(INFO, "en", PLAYGROUND_LINK)
    assert_ok(at)
    _check_playground_link_widgets(at)
    assert any("`networkShape`" in s.value for s in at.success)
    # the Playground's keys left the URL; the lab's own keys now hold the state
    assert "networkShape" not in at.query_params and at.query_params["pg_n1"] in ("8", ["8"])


def test_a_pasted_playground_link_opens_the_same_setup():
    at = open_page(INFO, "en")
    url = "https://playground.tensorflow.org/#" + "&".join(
        f"{k}={v}" for k, v in PLAYGROUND_LINK.items())
    at.text_input(key="_pg_import_url").input(url)
    at.button(key="_pg_import_go").click().run()
    assert_ok(at)
    _check_playground_link_widgets(at)
    at.text_input(key="_pg_import_url").input("not a link at all")
    at.button(key="_pg_import_go").click().run()
    assert_ok(at)
    assert any(TEXT["import.empty"]["en"] in w.value for w in at.warning)


def _csv(rows) -> bytes:
    return "\n".join(",".join(str(v) for v in row) for row in rows).encode()


GOOD_ROWS = [(float(i % 7), float(i // 7), i % 2) for i in range(60)]
BAD_FILES = {
    "garbage": (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not_text"),
    "nan": (_csv(GOOD_ROWS[:20] + [(1.0, float("nan"), 0)]), "not_finite"),
    "a million rows": (b"1,2,0\n" * 1_000_000, "too_big"),
    "too many rows": (_csv([(i, i, i % 2) for i in range(6000)]), "too_many_rows"),
    "wrong columns": (_csv([(1, 2)] * 20), "columns"),
    "text cells": (_csv(GOOD_ROWS[:20] + [("a", "b", "c")]), "not_number"),
    "one class": (_csv([(i, i, 1) for i in range(30)]), "one_class"),
    "50 classes": (_csv([(i, i % 5, i) for i in range(50)] * 2), "too_many_classes"),
    "empty": (b"", "empty"),
}


def test_bad_csv_files_give_a_clear_message_and_change_nothing():
    at = open_page(INFO, "en")
    before = session(at).cfg
    for name, (content, message_id) in BAD_FILES.items():
        at.file_uploader(key="_pg_csv_file").upload(f"{name}.csv", content, "text/csv").run()
        assert_ok(at, name)
        errors = " ".join(e.value for e in at.error)
        expected = TEXT[f"csv.{message_id}"]["en"].split("{")[0]
        assert expected in errors, (name, errors)
        assert "_pg_csv" not in at.session_state, name
        assert session(at).cfg == before, name


def test_a_good_csv_trains_and_removing_it_goes_back():
    at = open_page(INFO, "ko")
    content = _csv([("x1", "x2", "label")]) + b"\n" + _csv(
        [(np.cos(i) * (1 + i % 3), np.sin(i) * (1 + i % 3), i % 3) for i in range(90)])
    at.file_uploader(key="_pg_csv_file").upload("three.csv", content, "text/csv").run()
    assert_ok(at)
    c = session(at).cfg
    assert c.dataset == lab.CSV_DATASET and c.n_classes == 3 and c.loss == "cross_entropy"
    assert len(session(at).data.points_train) + len(session(at).data.points_test) == 90
    at.button(key="_pg_step").click().run()
    assert_ok(at)
    assert session(at).trainer.step_count == 1
    at.file_uploader(key="_pg_csv_file").set_value(None).run()
    assert_ok(at)
    assert session(at).cfg.dataset == "circle"
