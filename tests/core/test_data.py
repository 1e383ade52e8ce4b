import math

import pytest
import torch

from core.data import (
    TOY_2D_NAMES,
    load_digits,
    make_line_with_outliers,
    make_toy_2d,
    split_indices,
    toy_2d_code,
)
from tests.snippets import run_snippet


@pytest.mark.parametrize("name", TOY_2D_NAMES)
def test_toy_sets_shapes_and_code_panel_twin(name):
    data = make_toy_2d(name, n=101, noise=0.1, seed=4)
    assert data.x.shape == (101, 2) and data.x.dtype == torch.float32
    assert data.y.shape == (101,) and set(data.y.tolist()) == set(range(data.n_classes))
    scope, _ = run_snippet(toy_2d_code(name, 101, 0.1, 4), {"math": math, "torch": torch})
    assert torch.equal(scope["x"], data.x) and torch.equal(scope["y"], data.y)


def test_unknown_toy_set_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown 2-D dataset"):
        make_toy_2d("nope")


def test_outliers_are_where_and_how_big_they_say():
    clean = make_line_with_outliers(n=50, n_outliers=0, noise=0.0, seed=1)
    assert torch.allclose(clean.y, 2.0 * clean.x + 1.0)
    dirty = make_line_with_outliers(n=50, n_outliers=5, outlier_size=10.0, noise=0.0, seed=1)
    assert int(dirty.is_outlier.sum()) == 5
    shift = (dirty.y - clean.y).squeeze()
    assert torch.allclose(shift[dirty.is_outlier], torch.full((5,), 10.0))
    assert torch.all(shift[~dirty.is_outlier] == 0)
    both = make_line_with_outliers(n=50, n_outliers=4, outlier_size=3.0, noise=0.0,
                                   outlier_side="both", seed=1)
    signs = torch.sign((both.y - clean.y).squeeze()[both.is_outlier])
    assert sorted(signs.tolist()) == [-1.0, -1.0, 1.0, 1.0]


def test_digits_are_the_real_sklearn_images():
    digits = load_digits()
    assert digits.images.shape == (1797, 1, 8, 8)
    assert digits.images.min() == 0 and digits.images.max() == 16
    assert sorted(set(digits.labels.tolist())) == list(range(10))


def test_split_covers_every_index_once():
    parts = split_indices(103, (0.6, 0.2, 0.2), seed=0)
    assert [len(p) for p in parts] == [62, 21, 20]
    assert sorted(torch.cat(parts).tolist()) == list(range(103))
