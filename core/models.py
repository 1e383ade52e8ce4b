"""The one MLP builder every page uses.

Modules are created with ``torch.nn.utils.skip_init`` (no draw from the global RNG) and
then initialised from a private generator, so building a model never disturbs another
session and the same seed always gives the same weights.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import torch
from torch import nn

from core.seeding import make_generator, prepare_thread

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "identity", "elu", "silu", "mish")
INITS = ("default", "xavier", "he", "normal")  # the /activations page offers these
# All inits build_mlp knows: INITS plus "uniform" (weights U(-init_range, init_range), biases
# init_bias: TensorFlow Playground's U(-0.5, 0.5) and 0.1 by default) and "zeros" (all 0).
ALL_INITS = (*INITS, "uniform", "zeros")
LEAKY_SLOPE = 0.01  # PyTorch's default negative slope for LeakyReLU


def make_activation(name: str) -> nn.Module:
    """A fresh activation module by name (one of ACTIVATIONS)."""
    table = {
        "sigmoid": nn.Sigmoid,
        "tanh": nn.Tanh,
        "relu": nn.ReLU,
        "leaky_relu": lambda: nn.LeakyReLU(LEAKY_SLOPE),
        "gelu": nn.GELU,
        "identity": nn.Identity,
        "elu": nn.ELU,
        "silu": nn.SiLU,
        "mish": nn.Mish,
    }
    if name not in table:
        raise ValueError(f"unknown activation {name!r}; expected one of {ACTIVATIONS}")
    return table[name]()


@dataclass(frozen=True)
class MLPSpec:
    in_features: int = 2  # input dimension
    hidden: tuple[int, ...] = (16, 16)  # width of each hidden layer; len() is the depth
    out_features: int = 2  # classes (logits) or 1 for regression
    activation: str = "relu"  # one of ACTIVATIONS, used after every hidden layer
    init: str = "default"  # "default" (PyTorch's), "xavier", "he" or "normal"
    init_std: float = 0.1  # sigma of N(0, sigma) when init == "normal"
    bias_shift: float = 0.0  # added to every hidden bias after init; negative kills ReLUs
    dropout: float = 0.0  # dropout probability after each hidden activation (0 = none)
    batchnorm: bool = False  # BatchNorm1d between each hidden Linear and its activation
    init_range: float = 0.5  # weights U(-init_range, init_range) when init == "uniform"
    init_bias: float = 0.1  # every bias when init == "uniform"
    out_activation: str | None = None  # activation after the head (e.g. "tanh"), None = logits


def _init_linear(layer: nn.Linear, spec: MLPSpec, g: torch.Generator) -> None:
    fan_in = layer.in_features
    with torch.no_grad():
        if spec.init == "default":
            # What nn.Linear.reset_parameters does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both.
            bound = 1.0 / math.sqrt(fan_in)
            nn.init.uniform_(layer.weight, -bound, bound, generator=g)
            nn.init.uniform_(layer.bias, -bound, bound, generator=g)
            return
        if spec.init == "xavier":
            nn.init.xavier_uniform_(layer.weight, generator=g)
        elif spec.init == "he":
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=g)
        elif spec.init == "normal":
            nn.init.normal_(layer.weight, 0.0, spec.init_std, generator=g)
        elif spec.init == "uniform":
            nn.init.uniform_(layer.weight, -spec.init_range, spec.init_range, generator=g)
            nn.init.constant_(layer.bias, spec.init_bias)
            return
        elif spec.init == "zeros":
            nn.init.zeros_(layer.weight)
        else:
            raise ValueError(f"unknown init {spec.init!r}; expected one of {ALL_INITS}")
        nn.init.zeros_(layer.bias)


def build_mlp(spec: MLPSpec, seed: int = 0) -> nn.Sequential:
    """Linear → [BatchNorm1d] → activation → [Dropout] per hidden layer, then a Linear head
    [→ output activation].

    Module names are stable (``fc1, bn1, act1, drop1, …, out[, out_act]``) so pages and
    tests can address layers by name.
    """
    if spec.activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {spec.activation!r}")
    if spec.out_activation is not None and spec.out_activation not in ACTIVATIONS:
        raise ValueError(f"unknown output activation {spec.out_activation!r}")
    if not 0.0 <= spec.dropout < 1.0:
        raise ValueError("dropout must be in [0, 1)")
    prepare_thread()
    g = make_generator(seed)
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    widths = (spec.in_features, *spec.hidden)
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:]), start=1):
        fc = nn.utils.skip_init(nn.Linear, fan_in, fan_out)
        _init_linear(fc, spec, g)
        with torch.no_grad():
            fc.bias += spec.bias_shift
        layers[f"fc{i}"] = fc
        if spec.batchnorm:
            layers[f"bn{i}"] = nn.BatchNorm1d(fan_out)
        layers[f"act{i}"] = make_activation(spec.activation)
        if spec.dropout > 0:
            layers[f"drop{i}"] = nn.Dropout(spec.dropout)
    head = nn.utils.skip_init(nn.Linear, widths[-1], spec.out_features)
    _init_linear(head, spec, g)
    layers["out"] = head
    if spec.out_activation is not None:
        layers["out_act"] = make_activation(spec.out_activation)
    return nn.Sequential(layers)


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """Every nn.Linear of the model in forward order (hidden layers first, head last)."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def hidden_activations(model: nn.Module) -> list[nn.Module]:
    """The activation module after each hidden layer, in order (named ``act1``, ``act2``…)."""
    return [m for name, m in model.named_children() if name.startswith("act")]


def has_stochastic_layers(model: nn.Module) -> bool:
    """True when a train-mode forward draws from torch's global RNG (dropout)."""
    return any(isinstance(m, nn.modules.dropout._DropoutNd) for m in model.modules())
