"""The app functions and fragments that code panels show are what the app runs.

A panel shows ``codegen.source_code(f)`` of a function the app itself calls, so the shown
text must run on its own (torch, math, time and torchvision only, nothing of this project)
and give what the app's call gives. Each function is exec'd from its shown text in a bare
namespace and compared with the app's function on the same arguments; the shared fragments
(``split_indices_code``, ``digits_split_code``, ``loader_code``, ``imports_code``) are exec'd
and compared with the app's splits and loader.
"""

from __future__ import annotations

import math
import time

import pytest
import torch
from torch import nn
from torchvision.transforms import InterpolationMode
from torchvision.transforms.v2 import functional as TF

from core.augmentation import affine, image_accuracy, sample_params
from core.codegen import _IMPORT_CODE, imports_code, loader_code, source_code
from core.data import digits_split_code, split_indices, split_indices_code
from core.data_split.early_stop import with_label_noise
from core.data_split.split import pick_per_class, stratified_indices
from core.data_split.tuning import WIDTHS, draw_candidates
from core.dataloader import samples_per_second, sorted_by_class
from core.train_vs_eval import digits_split
from core.training import make_loader


def shown(function):
    """The function as a panel shows it, defined in a namespace without this project."""
    namespace = {"torch": torch, "nn": nn, "math": math, "time": time, "TF": TF,
                 "InterpolationMode": InterpolationMode}
    exec(compile(source_code(function), f"<shown {function.__name__}>", "exec"), namespace)
    return namespace[function.__name__]


def labels(n: int = 300, seed: int = 5) -> torch.Tensor:
    return torch.randint(0, 10, (n,), generator=torch.Generator().manual_seed(seed))


def assert_same(a, b):
    if isinstance(a, torch.Tensor):
        assert torch.equal(a, b)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a == b


@pytest.mark.parametrize("function, args", [
    (split_indices, (97, (0.6, 0.25, 0.15), 3)),
    (split_indices, (10, (0.5, 0.5), 0)),
    (stratified_indices, (labels(), (0.6, 0.2, 0.2), 4)),
    (pick_per_class, (labels(), [9, 7, 5, 3, 1], 2)),
    (with_label_noise, (labels(), 0.3, 1)),
    (sorted_by_class, (labels(500), 12, 7)),
    (draw_candidates, (40, WIDTHS, 7)),
    (sample_params, (15, 10.0, 0.05, 0.05, torch.Generator().manual_seed(0))),
    (affine, (torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(1)), 25.0, 1.0, -0.5,
              1.1)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_a_shown_function_gives_what_the_app_function_gives(function, args):
    copies = [torch.Generator().set_state(a.get_state()) if isinstance(a, torch.Generator) else a
              for a in args]  # a generator argument: the same draws for both calls
    assert_same(shown(function)(*copies), function(*args))


def test_shown_accuracy_and_throughput_run_standalone():
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    x = torch.rand(20, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    y = labels(20)
    assert shown(image_accuracy)(model, x, y) == image_accuracy(model, x, y)
    rate, step_ms = shown(samples_per_second)(nn.Linear(64, 10), nn.CrossEntropyLoss(),
                                              torch.rand(8, 64), y[:8], 0.001)
    assert rate > 0 and step_ms > 0


def test_the_split_fragment_is_the_app_split():
    namespace = {"torch": torch, "seed": 11}
    exec(split_indices_code("131", (0.7, 0.2, 0.1), "a, b, c"), namespace)
    assert_same([namespace["a"], namespace["b"], namespace["c"]],
                split_indices(131, (0.7, 0.2, 0.1), seed=11))


def test_the_digits_split_fragment_is_train_vs_eval_split():
    from sklearn.datasets import load_digits
    namespace = {"torch": torch, "load_digits": load_digits, "seed": 3}
    exec(digits_split_code(), namespace)
    xt, yt, xs, ys = digits_split(3)
    assert torch.equal(namespace["xt"], xt) and torch.equal(namespace["yt"], yt)
    assert torch.equal(namespace["xs"], xs) and torch.equal(namespace["ys"], ys)


def test_the_loader_fragment_serves_make_loaders_batches():
    from torch.utils.data import DataLoader, TensorDataset
    x, y = torch.rand(53, 3), labels(53)
    namespace = {"torch": torch, "DataLoader": DataLoader, "TensorDataset": TensorDataset,
                 "x": x, "y": y, "seed": 8}
    exec(loader_code("x", "y", 10), namespace)
    ours = make_loader(x, y, 10, shuffle=True, seed=8)
    for _ in range(2):  # two epochs: the generator's state carries over alike
        assert_same([tuple(b) for b in namespace["loader"]], [tuple(b) for b in ours])


def test_imports_are_listed_once_in_one_order():
    text = imports_code("time", "copy", "affine", loader=True, digits=True)
    lines = text.splitlines()
    assert len(lines) == len(set(lines))
    order = [line for value in _IMPORT_CODE.values() for line in value.splitlines()]
    assert lines == [line for line in order if line in lines]
    assert imports_code() == "import math\nimport torch\nfrom torch import nn\n"
    assert imports_code("torch", "F", base=False) == "import torch\nimport torch.nn.functional as F\n"
    exec(text, {})  # every import resolves
