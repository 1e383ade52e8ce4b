import math

import pytest
import torch
from torch import nn

from core.codegen import indent, mlp_code
from core.models import MLPSpec, build_mlp

SPECS = [
    MLPSpec(),
    MLPSpec(in_features=3, hidden=(5, 4, 6), out_features=1, activation="tanh", init="xavier"),
    MLPSpec(hidden=(8, 8), activation="leaky_relu", init="he", bias_shift=-1.5),
    MLPSpec(hidden=(7,), activation="gelu", init="normal", init_std=0.3),
    MLPSpec(in_features=64, hidden=(16, 16), out_features=10, dropout=0.3, batchnorm=True),
    MLPSpec(hidden=(4,) * 6, activation="sigmoid"),
    MLPSpec(hidden=(8, 8), activation="tanh", init="uniform", out_features=1, out_activation="tanh"),
    MLPSpec(hidden=(3,), activation="elu", init="uniform", init_range=0.2, init_bias=-0.3),
    MLPSpec(hidden=(5, 2), activation="silu", init="zeros"),
    MLPSpec(hidden=(6,), activation="mish", out_features=3, batchnorm=True, dropout=0.1),
]


@pytest.mark.parametrize("spec", SPECS, ids=range(len(SPECS)))
def test_mlp_code_builds_exactly_build_mlp(spec):
    scope = {"math": math, "torch": torch, "nn": nn, "seed": 11}
    exec(mlp_code(spec), scope)
    ours = build_mlp(spec, seed=11)
    theirs = scope["model"]
    assert [type(m) for m in theirs] == [type(m) for m in ours.children()]
    for a, b in zip(theirs.state_dict().values(), ours.state_dict().values()):
        assert torch.equal(a, b)
    x = torch.randn(5, spec.in_features, generator=torch.Generator().manual_seed(0))
    theirs.eval(), ours.eval()
    assert torch.equal(theirs(x), ours(x))


def test_indent_inside_a_loop_still_runs():
    code = "for i in range(2):\n" + indent(mlp_code(MLPSpec(hidden=(3,)))) + "\n"
    exec(code, {"math": math, "torch": torch, "nn": nn, "seed": 0})
