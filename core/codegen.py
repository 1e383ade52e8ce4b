"""Shared pieces of the "PyTorch code for this view" panels.

Every panel is standalone torch (no import of this project) and must reproduce the numbers
on screen, so the code that rebuilds a model has to draw exactly what ``build_mlp`` draws,
the code that loads the digits what ``core.data.digits_xy`` loads, and the training loop
what ``core.training.train`` does. Each lives here once:

* ``mlp_code``      mirrors ``core.models.build_mlp``
* ``digits_code``   mirrors ``core.data.digits_xy`` (or the raw 0..16 pixels)
* ``training_loop_code`` mirrors ``core.training.train``: zero_grad on/off, gradient
  accumulation, the divergence check at ``DIVERGENCE_LOSS`` (NaN/Inf or huge: stop and
  report the step, as History.diverged_at does), evaluation at step 0, every k steps and
  after the last with ``eval()`` + ``no_grad()``, epochs and max_steps, dropout seeding.

Why a generator and not snippet files with a parameter block: the panels differ in what
they do around the loop (loop over optimizers, scalings, batch sizes; record gradient norms
or running statistics per step), so a fixed file per panel would copy the loop again, and a
parameter block cannot switch options like accumulation on and off without dead branches
the student has to read past. A generator emits only the lines a configuration uses, and it
is checked the way ``mlp_code`` is: tests/core/test_codegen.py execs its output for many
option combinations and compares the losses step by step with ``train`` on the same model
and data (a second, independent formulation of the same loop).
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
import threading

from core.models import LEAKY_SLOPE, MLPSpec
from core.training import DIVERGENCE_LOSS, OPTIMIZER_KINDS

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


_IMPORT_CODE = {  # every import a panel may need, in the order panels list them
    "copy": "import copy", "math": "import math", "time": "import time",
    "nullcontext": "from contextlib import nullcontext",
    "torch": "import torch", "F": "import torch.nn.functional as F", "nn": "from torch import nn",
    "loader": "from torch.utils.data import DataLoader, TensorDataset",
    "digits": "from sklearn.datasets import load_digits  # 1,797 real 8x8 digits, no download",
    "affine": "from torchvision.transforms import InterpolationMode\n"
              "from torchvision.transforms.v2 import functional as TF",
}
DIGITS_IMPORT = _IMPORT_CODE["digits"]


def imports_code(*extra: str, loader: bool = False, digits: bool = False, base: bool = True) -> str:
    """The import lines most panels start with (math for the divergence check, torch, nn; not
    with ``base=False``), plus the ``extra`` ones (keys of ``_IMPORT_CODE``: "copy", "time",
    "nullcontext", "affine", …), the DataLoader classes and the digits loader when asked;
    always in ``_IMPORT_CODE``' order."""
    wanted = {*(("math", "torch", "nn") if base else ()), *extra} \
        | ({"loader"} if loader else set()) | ({"digits"} if digits else set())
    return "".join(f"{line}\n" for key, line in _IMPORT_CODE.items() if key in wanted)


def loader_code(x: str, y: str, batch_size: int | str) -> str:
    """``loader = DataLoader(...)`` over ``x``, ``y`` (expressions), shuffled by its own
    generator from ``seed``: the batches ``make_loader(x, y, batch_size, seed=seed)`` gives
    (tests/core/test_training.py checks them bit for bit against this plain DataLoader)."""
    return (f"loader = DataLoader(TensorDataset({x}, {y}), batch_size={batch_size}, shuffle=True,\n"
            f"                    generator=torch.Generator().manual_seed(seed))\n")


_SOURCE_LOCK = threading.Lock()


@functools.cache
def _source_locked(function) -> str:
    lines = textwrap.dedent(inspect.getsource(function)).split("\n")
    body = ast.parse("\n".join(lines)).body[0].body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):  # the docstring: written for developers
        del lines[body[0].lineno - 1:body[0].end_lineno]
        while lines[body[0].lineno - 1] == "":  # the blank line a class docstring stood before
            del lines[body[0].lineno - 1]
    return "\n".join(lines).strip("\n") + "\n"


@functools.cache
def _whole_source_locked(obj) -> str:
    return textwrap.dedent(inspect.getsource(obj)).strip() + "\n"


def whole_source(obj) -> str:
    """The source of a class or function with its docstring (the lab's panel shows its helpers
    whole), de-indented. Read once, under the same lock as ``source_code``: the parser race
    is between any two threads reading source, so one lock serves both."""
    with _SOURCE_LOCK:
        return _whole_source_locked(obj)


def source_code(function) -> str:
    """The source of one of the app's own functions, de-indented and without its docstring,
    for a panel that shows the code the app runs rather than a copy of it. The function
    must be standalone: torch, math and its arguments only, annotations that evaluate
    without the app. Read once; one thread at a time (CPython 3.11's parser failed with
    "AST constructor recursion depth mismatch" when sessions built panels at once)."""
    with _SOURCE_LOCK:
        return _source_locked(function)


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


def optimizer_code(name: str, lr: float | str, params: str = "model.parameters()", *,
                   momentum: float = 0.9, betas: tuple[float, float] | None = None,
                   alpha: float | None = None, weight_decay: float | None = None,
                   spell_defaults: bool = False) -> str:
    """The torch.optim constructor call that ``make_optimizer`` makes with these arguments
    (same defaults; both read core.training.OPTIMIZER_KINDS).

    ``params``: the expression passed first (``model.parameters()``, ``[p]``); ``lr``: a
    number, or an expression pasted as written (a loop variable, a function's argument).
    A setting left None is torch's default and is not written, unless ``spell_defaults``
    (then the kind's settings and weight decay are written with torch's values, for panels
    that show every knob).
    """
    kind = OPTIMIZER_KINDS[name]
    given = {"momentum": momentum, "betas": betas, "alpha": alpha}
    args = [params, f"lr={lr if isinstance(lr, str) else repr(lr)}"]
    for setting in kind.settings:
        value = given[setting]
        if value is None and spell_defaults:
            value = kind.torch_default(setting)
        if value is not None:
            args.append(f"{setting}={tuple(value) if setting == 'betas' else value!r}")
    args += [f"{key}={value!r}" for key, value in kind.fixed]
    if weight_decay is None and spell_defaults:
        weight_decay = kind.torch_default("weight_decay")
    if weight_decay is not None:
        args.append(f"weight_decay={weight_decay!r}")
    return f"torch.optim.{kind.cls.__name__}({', '.join(args)})"


def digits_code(x: str = "x", y: str = "y", scaled: bool = True) -> str:
    """Standalone code loading what ``core.data.digits_xy`` returns (``scaled=False``: the
    raw pixels 0..16). Expects ``torch`` and ``load_digits`` (DIGITS_IMPORT) in scope."""
    pixels = " / 16.0  # in [0, 1]" if scaled else "  # raw pixels 0..16"
    return f"""digits = load_digits()
{x} = torch.tensor(digits.images, dtype=torch.float32).reshape(-1, 64){pixels}
{y} = torch.tensor(digits.target, dtype=torch.int64)
"""


def _number(value: float) -> str:
    """1e8 rather than 1e+08 or 100000000.0."""
    mantissa, exponent = f"{value:e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


DIVERGENCE_CODE = _number(DIVERGENCE_LOSS)  # the threshold as shown code writes it: 1e8


def _block(code: str | None, spaces: int) -> str:
    return indent(textwrap.dedent(code).strip("\n") + "\n", spaces) if code else ""


def training_loop_code(
    *,
    epochs: int | str = 1,
    max_steps: int | str | None = None,
    model: str = "model",
    loss_fn: str = "loss_fn",
    optimizer: str = "optimizer",
    batches: str = "loader",
    batch: str = "xb, yb",
    zero_grad: bool | str = True,
    accumulate: int | str = 1,
    evaluate: str | None = None,
    eval_every: int | str | None = 1,
    on_step: str | None = None,
    on_epoch: str | None = None,
    stop_when: str | None = None,
    losses: str | None = "losses",
    dropout_seed: str | None = None,
    on_diverge: str | None = 'print(f"diverged at step {diverged_at}")',
    comments: bool = True,
) -> str:
    """Standalone code running exactly what ``core.training.train`` runs with these options.

    Expressions (``epochs``, ``batches``, …) are pasted as written (``zero_grad`` and
    ``accumulate`` may be expressions too, e.g. a loop variable comparing both settings); ``batch`` is how one
    item of ``batches`` is unpacked (it must bind ``xb`` and ``yb``, e.g. ``xb, yb, ib``). Expects ``math`` and
    ``torch`` in scope. Defines ``step`` (optimizer steps taken), ``diverged_at`` (None or
    the step whose loss was NaN/Inf or above DIVERGENCE_LOSS; training stops there) and
    ``losses`` (the training loss of every step, the diverged one last; name it or None).

    evaluate: statements run before training, every ``eval_every`` steps (an int or an
        expression such as ``len(loader)``; None: only before and after) and after the last
        step unless just done (not after divergence), inside ``def evaluate(step)`` with the
        model in eval() mode under torch.no_grad(); like train()'s ``evaluate``.
    on_step: statements after each optimizer step (``step``, ``loss``, ``epoch`` in scope).
    on_epoch: statements after each complete epoch.
    stop_when: a condition checked after each step (after ``on_step``); true stops training
        (like a train() callback returning True; defines ``stopped``).
    dropout_seed: seed torch's global generator with this expression first (dropout masks
        come from it; train() does the same through core.seeding.global_rng).
    on_diverge: statements run once when training stopped on a diverged loss.
    """
    if isinstance(accumulate, int) and accumulate < 1:
        raise ValueError("accumulate must be >= 1")
    grouped = not isinstance(accumulate, int) or accumulate > 1  # micro-batches in the code
    if isinstance(accumulate, str) and not accumulate.isidentifier():
        accumulate = f"({accumulate})"

    def note(text: str) -> str:
        return f"  # {text}" if comments else ""

    out: list[str] = []
    if evaluate:
        out += [
            "def evaluate(step):",
            f"    {model}.eval(){note('dropout off, batch norm uses its running statistics')}",
            f"    with torch.no_grad():{note('no graph, no gradients: faster, less memory')}",
            _block(evaluate, 8).rstrip("\n"),
            f"    {model}.train()",
            "",
            "",
        ]
    if losses:
        out.append(f"{losses} = []{note('training loss of every optimizer step')}")
    out.append("step = 0")
    out.append("diverged_at = None")
    if stop_when:
        out.append("stopped = False")
    if grouped:
        out.append(f"micro = []{note(f'losses of the batches of this step (up to {accumulate})')}")
    if dropout_seed:
        out.append(f"torch.manual_seed({dropout_seed}){note('dropout masks come from the global generator')}")
    if evaluate:
        out.append(f"evaluate(0){note('before training')}")
    out.append(f"for epoch in range({epochs}):")
    out.append(f"    {model}.train()")
    whole = note("one batch: all the data, one step per epoch") if batches.startswith("[(") else ""
    out.append(f"    for {batch} in {batches}:{whole}")
    body: list[str] = []
    if zero_grad:
        clear = f"{optimizer}.zero_grad(){note('clear the last step' + chr(39) + 's gradients')}"
        conditions = ([] if zero_grad is True else [str(zero_grad)]) + (["not micro"] if grouped
                                                                       else [])
        body += ([f"if {' and '.join(conditions)}:", f"    {clear}"] if conditions else [clear])
    body.append(f"loss = {loss_fn}({model}(xb), yb){note('forward pass and loss')}")
    body.append(f"if not math.isfinite(loss.item()) or abs(loss.item()) > {_number(DIVERGENCE_LOSS)}:")
    body.append(f"    diverged_at = step + 1{note('NaN, Inf or huge: diverged, stop here')}")
    if losses:
        body.append(f"    {losses}.append(loss.item())")
    body.append("    break")
    if grouped:
        body.append("micro.append(loss.item())")
        body.append(f"(loss / {accumulate}).backward()"
                    f"{note(f'gradients add up over {accumulate} batches')}")
        body.append(f"if len(micro) < {accumulate}:")
        body.append("    continue")
    else:
        body.append(f"loss.backward(){note('backward pass: autograd fills .grad')}")
    body.append(f"{optimizer}.step(){note('update the parameters')}")
    body.append("step += 1")
    if losses:
        body.append(f"{losses}.append(sum(micro) / len(micro))" if grouped
                    else f"{losses}.append(loss.item())")
    if grouped:
        body.append("micro = []")
    if evaluate and eval_every:
        body += (["evaluate(step)"] if str(eval_every) == "1"
                 else [f"if step % {eval_every} == 0:", "    evaluate(step)"])
    if on_step:
        body.append(_block(on_step, 0).rstrip("\n"))
    if stop_when:
        body += [f"if {stop_when}:", "    stopped = True", "    break"]
    if max_steps is not None:
        body.append(f"if step == {max_steps}:")
        body.append("    break")
    out += [indent(line, 8) if line else line for line in "\n".join(body).split("\n")]
    if grouped:
        out.append(f"    micro = []{note('an unfinished group at the end of an epoch is dropped')}")
    stop = "diverged_at is not None" + (" or stopped" if stop_when else "")
    if max_steps is not None:
        stop += f" or step == {max_steps}"
    out += [f"    if {stop}:", "        break"]
    if on_epoch:
        out.append(_block(on_epoch, 4).rstrip("\n"))
    tail: list[str] = []
    if on_diverge:
        tail += ["if diverged_at is not None:", _block(on_diverge, 4).rstrip("\n")]
    if evaluate:
        # the last evaluation, unless the loop just made it (train() does the same)
        last = "step > 0" if not eval_every else None if str(eval_every) == "1" \
            else f"step % {eval_every}"
        if last is not None:
            tail += [f"{'elif' if on_diverge else 'if diverged_at is None and'} {last}:",
                     "    evaluate(step)"]
    out += tail
    return "\n".join(out) + "\n"
