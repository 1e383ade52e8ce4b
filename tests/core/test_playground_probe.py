"""The /playground question "can a straight line classify this set?" against a second,
independent formulation: scikit-learn's logistic regression on the same points."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from core import lab


@pytest.mark.parametrize("dataset, separable", [("gauss", True), ("circle", False),
                                                ("xor", False), ("spiral", False)])
def test_a_straight_line_gets_as_far_as_logistic_regression(dataset, separable):
    cfg = lab.LabConfig(dataset=dataset, noise=0, hidden=(8, 8), features=lab.FEATURES)
    probe = lab.linear_probe(cfg)
    data = lab.make_lab_data(lab.probe_config(cfg))
    x_train, x_test = data.x_train.numpy(), data.x_test.numpy()  # X1, X2 only
    y_train, y_test = data.y_train.numpy(), data.y_test.numpy()
    assert x_train.shape[1] == 2
    reference = LogisticRegression(C=1e4, max_iter=5000).fit(x_train, y_train.ravel())
    reference_acc = float((reference.predict(x_test) == y_test.ravel()).mean())
    assert probe.enough == separable
    assert (reference_acc >= lab.LINE_ENOUGH) == separable
    assert abs(probe.test_acc - reference_acc) < 0.08
    assert probe.chance == pytest.approx(0.5)


def test_the_probe_depends_only_on_the_data():
    a = lab.LabConfig(dataset="xor", noise=10, hidden=(2,), lr=0.3, activation="relu")
    b = lab.LabConfig(dataset="xor", noise=10, hidden=(8, 8, 8), lr=0.001, optimizer="adam")
    assert lab.probe_config(a) == lab.probe_config(b)
    assert np.isclose(lab.linear_probe(a).test_acc, lab.linear_probe(b).test_acc)
