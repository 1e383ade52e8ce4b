import torch

from core.models import MLPSpec, build_mlp, linear_layers
from core.stats import hidden_activity, relative_weight_change, weight_grad_norms, weight_snapshot


def test_grad_norms_of_a_two_weight_net_match_the_chain_rule():
    """pred = c·a·x with identity activation: dL/da = 2(pred-y)·c·x, dL/dc = 2(pred-y)·a·x."""
    model = build_mlp(MLPSpec(in_features=1, hidden=(1,), out_features=1, activation="identity"))
    fc, head = linear_layers(model)
    a, c, x, y = 0.7, -1.3, 2.0, 0.5
    with torch.no_grad():
        fc.weight.fill_(a), fc.bias.zero_(), head.weight.fill_(c), head.bias.zero_()
    loss = (model(torch.tensor([[x]])) - y).pow(2).mean()
    loss.backward()
    residual = c * a * x - y
    expected = [abs(2 * residual * c * x), abs(2 * residual * a * x)]
    assert torch.allclose(torch.tensor(weight_grad_norms(model)), torch.tensor(expected))


def test_dead_units_of_a_net_built_to_have_them():
    model = build_mlp(MLPSpec(in_features=1, hidden=(4, 2), out_features=1))
    fc1, fc2, _ = linear_layers(model)
    with torch.no_grad():
        fc1.weight[:] = torch.tensor([[0.0], [-1.0], [1.0], [1.0]])
        fc1.bias[:] = torch.tensor([-1.0, -0.5, 0.0, 1.0])
        fc2.weight[:] = 1.0
        fc2.bias[:] = torch.tensor([-100.0, 0.0])
    x = torch.linspace(0.0, 1.0, 11)[:, None]
    # layer 1: unit 0 is -1 everywhere, unit 1 is -x-0.5 < 0; unit 2 is 0 at x=0 but >0 after
    activity = hidden_activity(model, x)
    assert activity[0].inactive_fraction == 0.5
    assert activity[1].inactive_fraction == 0.5  # second layer: unit 0 pushed down by -100


def test_relative_weight_change():
    model = build_mlp(MLPSpec(hidden=(3,)))
    before = weight_snapshot(model)
    with torch.no_grad():
        linear_layers(model)[0].weight.mul_(1.5)
    change = relative_weight_change(before, model)
    assert abs(change[0] - 0.5) < 1e-6 and change[1] == 0.0


def test_grad_norm_of_tiny_gradients_does_not_underflow():
    """Entries of 1e-25: their float32 squares (1e-50) underflow, the float64 norm does not."""
    model = build_mlp(MLPSpec(in_features=4, hidden=(4,), out_features=1))
    first = linear_layers(model)[0]
    first.weight.grad = torch.full_like(first.weight, 1e-25)
    assert float(first.weight.grad.norm()) == 0.0  # what a float32 norm reports
    expected = 1e-25 * (first.weight.numel() ** 0.5)  # sqrt(n · (1e-25)²)
    assert abs(weight_grad_norms(model)[0] - expected) < 1e-6 * expected
