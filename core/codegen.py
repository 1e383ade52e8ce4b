"""Shared pieces of the "PyTorch code for this view" panels.

Every panel is standalone torch (no import of this project) and must reproduce the numbers
on screen, so the code that rebuilds a model has to draw exactly what ``build_mlp`` draws.
It lives here once; tests/core/test_codegen.py checks it against build_mlp for every option.
"""

from __future__ import annotations

import textwrap

from core.models import LEAKY_SLOPE, MLPSpec

ACTIVATION_CODE = {
    "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "relu": "nn.ReLU()",
    "leaky_relu": f"nn.LeakyReLU({LEAKY_SLOPE})", "gelu": "nn.GELU()", "identity": "nn.Identity()",
    "elu": "nn.ELU()", "silu": "nn.SiLU()", "mish": "nn.Mish()",
}

_INIT_CODE = {
    "default": """bound = 1 / math.sqrt(fan_in)  # what nn.Linear does by default
        fc.weight.uniform_(-bound, bound, generator=g)
        fc.bias.uniform_(-bound, bound, generator=g)""",
    "xavier": """nn.init.xavier_uniform_(fc.weight, generator=g)
        fc.bias.zero_()""",
    "he": """nn.init.kaiming_normal_(fc.weight, nonlinearity="relu", generator=g)
        fc.bias.zero_()""",
    "normal": """fc.weight.normal_(0.0, {std}, generator=g)
        fc.bias.zero_()""",
    "uniform": """fc.weight.uniform_(-{init_range}, {init_range}, generator=g)
        fc.bias.fill_({init_bias})""",
    "zeros": """fc.weight.zero_()
        fc.bias.zero_()""",
}


def indent(code: str, spaces: int = 4) -> str:
    """Indent every non-blank line (to place a snippet inside a loop or function)."""
    return textwrap.indent(code, " " * spaces)


def mlp_code(spec: MLPSpec, seed: str = "seed", activation: str | None = None) -> str:
    """Standalone code building exactly what ``build_mlp(spec, seed)`` builds.

    Expects ``math``, ``torch`` and ``nn`` in scope, and ``seed`` (or the expression given);
    defines ``model`` and ``linears`` (its nn.Linear layers, input side first).
    ``activation``: a Python expression to use instead of the spec's activation module
    (e.g. a loop variable when a panel compares activations).
    """
    act = activation or ACTIVATION_CODE[spec.activation]
    block = f"layers += [linear(fan_in, fan_out, {spec.bias_shift!r})"
    block += ", nn.BatchNorm1d(fan_out)" if spec.batchnorm else ""
    block += f", {act}"
    block += f", nn.Dropout({spec.dropout!r})" if spec.dropout > 0 else ""
    block += "]"
    widths = [spec.in_features, *spec.hidden]
    init = _INIT_CODE[spec.init].format(std=spec.init_std, init_range=spec.init_range,
                                        init_bias=spec.init_bias)
    head = f"linear({widths[-1]}, {spec.out_features})"
    if spec.out_activation is not None:
        head += f", {ACTIVATION_CODE[spec.out_activation]}"
    return f'''g = torch.Generator().manual_seed({seed})  # the weights' own generator


def linear(fan_in, fan_out, bias_shift=0.0):
    """nn.Linear initialised from g ({spec.init} init), so the weights are reproducible."""
    fc = nn.Linear(fan_in, fan_out)
    with torch.no_grad():
        {init}
        fc.bias += bias_shift
    return fc


layers = []
for fan_in, fan_out in zip({widths[:-1]}, {widths[1:]}):
    {block}
model = nn.Sequential(*layers, {head})
linears = [m for m in model if isinstance(m, nn.Linear)]
'''
