"""The page's control values <-> LabConfig (core.lab.widget_values and
config_from_controls): what a link or preset sets, and what the widgets mean, made valid."""

from __future__ import annotations

import numpy as np

from core import lab

CONTROLS = dict(lr=0.03, activation="tanh", problem="classification", dataset="circle",
                train_percent=50, noise=0, batch_size=10, seed=0, features=("x1", "x2"),
                regularization="none", reg_rate=0.0, playground_mode=False, loss="squared",
                n_classes=2, optimizer="sgd", init="playground", schedule="none",
                dropout=0.0, batchnorm=False, hidden=[4, 2])


def test_the_defaults_are_the_default_config_without_notes():
    cfg, notes = lab.config_from_controls(CONTROLS)
    assert cfg == lab.LabConfig() and notes == []


def test_each_invalid_combination_is_made_valid_with_its_note():
    cfg, notes = lab.config_from_controls(CONTROLS | {"features": ()})
    assert cfg.features == ("x1", "x2") and notes == [("no_features", {})]
    cfg, notes = lab.config_from_controls(CONTROLS | {"n_classes": 3})
    assert cfg.loss == "cross_entropy" and notes == [("note_squared_classes", {"k": 3})]
    cfg, notes = lab.config_from_controls(CONTROLS | {"problem": "regression",
                                                      "dataset": "plane",
                                                      "loss": "cross_entropy",
                                                      "n_classes": 4})
    assert (cfg.loss, cfg.n_classes, cfg.n_points) == ("squared", 2, lab.N_POINTS_REGRESS)
    assert notes == [("note_regression_loss", {})]
    cfg, notes = lab.config_from_controls(CONTROLS | {"playground_mode": True,
                                                      "optimizer": "adam", "dropout": 0.2})
    assert (cfg.optimizer, cfg.dropout) == ("sgd", 0.0) and notes == [("note_mode", {})]


def test_uploaded_points_decide_the_problem_and_classes():
    points = lab.load_points_csv(b"\n".join(f"{i % 7},{i // 7},{i % 3}".encode()
                                           for i in range(60)))
    cfg, _ = lab.config_from_controls(CONTROLS | {"dataset": lab.CSV_DATASET}, points)
    assert (cfg.problem, cfg.n_classes, cfg.loss) == ("classification", 3, "cross_entropy")


def test_widget_values_round_trip_a_playground_link():
    fields, _ = lab.parse_playground_params({"learningRate": "0.02", "networkShape": "5,3",
                                             "regularizationRate": "0.004", "seed": "0.5",
                                             "sinY": "true"})
    values = lab.widget_values(fields)
    assert values["pg_lr"] == 0.03 and values["pg_reg_rate"] == 0.003  # the nearest listed
    assert (values["pg_layers"], values["pg_n1"], values["pg_n2"]) == (2, 5, 3)
    assert values["pg_seed"] == 50_000 and values["pg_f_sin_x2"] is True
    assert values["pg_mode"] is True and isinstance(values["pg_dropout"], float)
    assert set(values) <= {*lab.FEATURE_KEYS.values(), "pg_lr", "pg_reg_rate", "pg_layers",
                           "pg_seed", "pg_dataset", "pg_reg_dataset", *(
                               f"pg_n{i}" for i in range(1, 7)),
                           *lab.controls._SIMPLE_WIDGETS.values()}
    assert np.isclose(lab.widget_values({"lr": 7.0})["pg_lr"], 10.0)
