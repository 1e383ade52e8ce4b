import math

import pytest
import torch
from torch import nn

from core.models import MLPSpec, build_mlp, hidden_activations, linear_layers


def test_structure_and_names():
    model = build_mlp(MLPSpec(hidden=(8, 4), dropout=0.2, batchnorm=True, activation="tanh"))
    assert [name for name, _ in model.named_children()] == [
        "fc1", "bn1", "act1", "drop1", "fc2", "bn2", "act2", "drop2", "out"]
    assert [m.out_features for m in linear_layers(model)] == [8, 4, 2]
    assert all(isinstance(a, nn.Tanh) for a in hidden_activations(model))


def test_default_init_matches_pytorch_bounds():
    model = build_mlp(MLPSpec(in_features=50, hidden=(400,)), seed=0)
    fc = linear_layers(model)[0]
    bound = 1 / math.sqrt(50)
    assert fc.weight.abs().max() <= bound
    # uniform(-b, b) has std b/sqrt(3)
    assert abs(fc.weight.std().item() - bound / math.sqrt(3)) < 0.01 * bound


@pytest.mark.parametrize("init, expected_std", [
    ("he", lambda fan_in, fan_out: math.sqrt(2 / fan_in)),
    ("xavier", lambda fan_in, fan_out: math.sqrt(2 / (fan_in + fan_out))),
    ("normal", lambda fan_in, fan_out: 0.3),
])
def test_init_schemes_have_their_textbook_spread(init, expected_std):
    model = build_mlp(MLPSpec(in_features=200, hidden=(300,), init=init, init_std=0.3), seed=1)
    fc = linear_layers(model)[0]
    assert fc.weight.std().item() == pytest.approx(expected_std(200, 300), rel=0.03)
    assert torch.all(fc.bias == 0)


def test_bias_shift_is_added_to_hidden_biases_only():
    model = build_mlp(MLPSpec(hidden=(5, 5), init="he", bias_shift=-2.0))
    hidden, head = linear_layers(model)[:-1], linear_layers(model)[-1]
    assert all(torch.all(fc.bias == -2.0) for fc in hidden)
    assert torch.all(head.bias == 0.0)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="activation"):
        build_mlp(MLPSpec(activation="swishy"))
    with pytest.raises(ValueError, match="init"):
        build_mlp(MLPSpec(init="magic"))
    with pytest.raises(ValueError, match="dropout"):
        build_mlp(MLPSpec(dropout=1.0))


def test_playground_uniform_init_and_tanh_output():
    """TensorFlow Playground's network: weights U(-0.5, 0.5), every bias 0.1, tanh output."""
    spec = MLPSpec(in_features=2, hidden=(300, 300), out_features=1, activation="tanh",
                   init="uniform", out_activation="tanh")
    model = build_mlp(spec, seed=3)
    assert [name for name, _ in model.named_children()][-2:] == ["out", "out_act"]
    for fc in linear_layers(model):
        assert fc.weight.abs().max() <= 0.5
        assert torch.all(fc.bias == 0.1)
    big = linear_layers(model)[1].weight
    assert big.std().item() == pytest.approx(1 / math.sqrt(12), rel=0.02)  # std of U(-.5, .5)
    out = model(torch.randn(50, 2, generator=torch.Generator().manual_seed(0)) * 100)
    assert out.abs().max() <= 1.0  # tanh head


@pytest.mark.parametrize("name, reference", [
    ("elu", lambda x: torch.where(x > 0, x, torch.exp(x) - 1)),
    ("silu", lambda x: x / (1 + torch.exp(-x))),
    ("mish", lambda x: x * torch.tanh(torch.log1p(torch.exp(x)))),
])
def test_new_activations_match_their_formulas(name, reference):
    from core.models import make_activation
    x = torch.linspace(-4, 4, 81, dtype=torch.float64)
    assert torch.allclose(make_activation(name)(x), reference(x), atol=1e-12)


def test_zeros_init():
    model = build_mlp(MLPSpec(hidden=(4,), init="zeros"))
    assert all(torch.all(p == 0) for p in model.parameters())
