import math

import numpy as np

import pytest
import torch
from torch import nn

from core.codegen import indent, mlp_code
from core.models import MLPSpec, build_mlp
from tests.snippets import run_snippet

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
    scope, _ = run_snippet(mlp_code(spec), {"math": math, "torch": torch, "nn": nn, "seed": 11})
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
    run_snippet(code, {"math": math, "torch": torch, "nn": nn, "seed": 0})


# -- training_loop_code against core.training.train --------------------------------------

LOOP_CASES = {
    "plain": dict(epochs=2),
    "no_zero_grad": dict(epochs=2, zero_grad=False),
    "accumulate_3_with_leftover": dict(epochs=2, accumulate=3),
    "accumulate_no_zero_grad": dict(epochs=2, accumulate=2, zero_grad=False),
    "max_steps_mid_epoch": dict(epochs=5, max_steps=7),
    "eval_every_epoch": dict(epochs=3, eval_every="len(loader)"),
    "eval_only_start_and_end": dict(epochs=2, eval_every=None),
    "eval_every_4": dict(epochs=2, eval_every=4),
    "dropout": dict(epochs=2, dropout=True),
    "diverges": dict(epochs=3, lr=1e4),
    "full_batch": dict(epochs=6, full=True),
    "stopped_by_a_callback": dict(epochs=3, eval_every=4, stop=True),
    # expressions (a panel's loop variable): the generic form must equal the fixed one
    "zero_grad_expression_off": dict(epochs=2, zero_grad="1 == 2"),
    "accumulate_expression_1": dict(epochs=2, accumulate="5 - 4"),
    "accumulate_expression_3": dict(epochs=2, accumulate="6 // 2", zero_grad="True"),
}


def _loop_setup(dropout: bool, lr: float, full: bool):
    from core.data import make_toy_2d
    from core.training import make_loader, make_optimizer

    data = make_toy_2d("moons", n=90, noise=0.2, seed=3)
    spec = MLPSpec(hidden=(8, 8), dropout=0.3 if dropout else 0.0,
                   activation="relu" if lr > 1 else "tanh")
    model = build_mlp(spec, seed=5)
    optimizer = make_optimizer("momentum", model.parameters(), lr=lr)
    batches = [(data.x, data.y)] if full else make_loader(data.x, data.y, 16, seed=7)
    return data, model, optimizer, batches


@pytest.mark.parametrize("case", LOOP_CASES)
def test_training_loop_code_runs_what_train_runs(case):
    from core.codegen import training_loop_code
    from core.training import classifier_metrics, train

    opts = dict(LOOP_CASES[case])
    dropout, lr, full = opts.pop("dropout", False), opts.pop("lr", 0.5), opts.pop("full", False)
    eval_every = opts.pop("eval_every", 1)
    stop = opts.pop("stop", False)

    data, model, optimizer, batches = _loop_setup(dropout, lr, full)
    every = len(batches) if eval_every == "len(loader)" else eval_every
    evaluate = classifier_metrics(all=(data.x, data.y))
    callbacks = [lambda info: info.step == 7] if stop else []
    train_opts = {k: eval(v) if k in ("zero_grad", "accumulate") and isinstance(v, str) else v
                  for k, v in opts.items()}
    history = train(model, nn.CrossEntropyLoss(), optimizer, batches, evaluate=evaluate,
                    eval_every=every, seed=9, callbacks=callbacks, **train_opts)
    if stop:
        assert history.stopped_by_callback

    data, model2, optimizer2, batches2 = _loop_setup(dropout, lr, full)
    code = training_loop_code(
        evaluate="""logits = model(x)
evals.append((step, nn.functional.cross_entropy(logits, y).item(),
              (logits.argmax(1) == y).float().mean().item()))""",
        eval_every=eval_every, dropout_seed="9" if dropout else None,
        batches="[(x, y)]" if full else "loader", stop_when="step == 7" if stop else None,
        **opts)
    scope = {"math": math, "torch": torch, "nn": nn, "model": model2, "optimizer": optimizer2,
             "loss_fn": nn.CrossEntropyLoss(), "loader": batches2, "x": data.x, "y": data.y,
             "evals": []}
    namespace, printed = run_snippet(code, scope)

    assert len(history.train_loss) > 2
    np.testing.assert_allclose(namespace["losses"], history.train_loss, rtol=1e-6, atol=0)
    assert namespace["diverged_at"] == history.diverged_at
    assert ("diverged at step" in printed) == history.diverged
    if case == "diverges":
        assert history.diverged
    evals = namespace["evals"]
    assert [e[0] for e in evals] == history.eval_steps
    np.testing.assert_allclose([e[1] for e in evals], history.eval_metrics.get("all_loss", []),
                               rtol=1e-6)
    np.testing.assert_allclose([e[2] for e in evals], history.eval_metrics.get("all_acc", []))
    for a, b in zip(model.state_dict().values(), model2.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7, equal_nan=True)


def test_the_divergence_threshold_is_core_s():
    from core.codegen import training_loop_code
    from core.training import DIVERGENCE_LOSS

    code = training_loop_code()
    assert f"> {DIVERGENCE_LOSS:.0f}" in code.replace("1e8", f"{1e8:.0f}")


def test_digits_code_loads_what_digits_xy_loads():
    from core.codegen import DIGITS_IMPORT, digits_code
    from core.data import digits_xy, load_digits

    namespace, _ = run_snippet(f"import torch\n{DIGITS_IMPORT}\n{digits_code('xs', 'ys')}")
    x, y = digits_xy()
    assert torch.equal(namespace["xs"], x) and torch.equal(namespace["ys"], y)
    namespace, _ = run_snippet(f"import torch\n{DIGITS_IMPORT}\n{digits_code(scaled=False)}")
    assert torch.equal(namespace["x"], load_digits().images.reshape(-1, 64))


# What each optimizer name means, written out from torch's documentation (an independent
# reference for the table in core.training): class and hyperparameters beyond lr.
OPTIMIZER_MEANING = {
    "sgd": (torch.optim.SGD, {"momentum": 0, "nesterov": False, "weight_decay": 0}),
    "momentum": (torch.optim.SGD, {"momentum": 0.9, "nesterov": False, "weight_decay": 0}),
    "nesterov": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True, "weight_decay": 0}),
    "rmsprop": (torch.optim.RMSprop, {"alpha": 0.99, "momentum": 0, "weight_decay": 0}),
    "adagrad": (torch.optim.Adagrad, {"lr_decay": 0, "weight_decay": 0}),
    "adam": (torch.optim.Adam, {"betas": (0.9, 0.999), "weight_decay": 0}),
    "adamw": (torch.optim.AdamW, {"betas": (0.9, 0.999), "weight_decay": 0.01}),
}


@pytest.mark.parametrize("name", list(OPTIMIZER_MEANING))
def test_make_optimizer_and_its_code_build_what_the_name_means(name):
    from core.codegen import optimizer_code
    from core.training import OPTIMIZERS, make_optimizer

    assert set(OPTIMIZERS) == set(OPTIMIZER_MEANING)
    cls, expected = OPTIMIZER_MEANING[name]
    p = torch.zeros(2, requires_grad=True)
    for shown in (optimizer_code(name, 0.05, "[p]"),
                  optimizer_code(name, 0.05, "[p]", spell_defaults=True)):
        for optimizer in (make_optimizer(name, [p], lr=0.05),
                          eval(shown, {"torch": torch, "p": p})):
            assert type(optimizer) is cls, shown
            group = optimizer.param_groups[0]
            assert group["lr"] == 0.05
            for key, value in expected.items():
                assert group[key] == value, (shown, key)


def test_optimizer_code_writes_what_it_is_given_and_nothing_torch_decides():
    from core.codegen import optimizer_code

    assert optimizer_code("adamw", 0.001) == "torch.optim.AdamW(model.parameters(), lr=0.001)"
    assert optimizer_code("sgd", 0.1, momentum=0.5) == \
        "torch.optim.SGD(model.parameters(), lr=0.1)"  # plain SGD takes no momentum
    assert optimizer_code("nesterov", 0.1, "[p]", momentum=0.5, weight_decay=0.0) == \
        "torch.optim.SGD([p], lr=0.1, momentum=0.5, nesterov=True, weight_decay=0.0)"
    assert optimizer_code("rmsprop", 0.01, spell_defaults=True) == \
        "torch.optim.RMSprop(model.parameters(), lr=0.01, alpha=0.99, weight_decay=0)"
    p = torch.zeros(2, requires_grad=True)
    shown = optimizer_code("adam", 0.02, "[p]", betas=(0.8, 0.99), weight_decay=0.1)
    group = eval(shown, {"torch": torch, "p": p}).param_groups[0]
    assert (group["betas"], group["weight_decay"]) == ((0.8, 0.99), 0.1)


def test_grouped_optimizers_step_like_make_optimizer():
    """/optimizers steps every optimizer of one torch class in one object (param groups);
    each group must move its parameter exactly as its own make_optimizer would."""
    from core.optimizers import OptimizerSettings, build_grouped_optimizers, build_optimizer
    from core.training import OPTIMIZERS

    settings = [OptimizerSettings(name, 0.05, momentum=0.8, beta1=0.7, beta2=0.99, alpha=0.9)
                for name in OPTIMIZERS]
    grouped = [torch.tensor([1.0, -2.0], requires_grad=True) for _ in settings]
    alone = [torch.tensor([1.0, -2.0], requires_grad=True) for _ in settings]
    together = build_grouped_optimizers(tuple(settings), grouped)
    separate = [build_optimizer(s, [p]) for s, p in zip(settings, alone)]
    for _ in range(5):
        for params, optimizers in ((grouped, together), (alone, separate)):
            for optimizer in optimizers:
                optimizer.zero_grad()
            sum((p ** 2 * torch.tensor([1.0, 3.0])).sum() for p in params).backward()
            for optimizer in optimizers:
                optimizer.step()
    for s, a, b in zip(settings, grouped, alone):
        torch.testing.assert_close(a, b, msg=s.name)


def test_optimizers_sliders_start_at_what_make_optimizer_builds_unasked():
    """/optimizers' ranges (core.optimizers.EXTRA, LR_CHOICES): each extra slider's default
    is the value make_optimizer uses when the page passes nothing, inside the slider's range,
    and every surface's tuned learning rate is one of the choices."""
    from core.optimizers import EXTRA, LR_CHOICES, SURFACES
    from core.training import make_optimizer

    group_key = {"momentum": ("momentum", None), "alpha": ("alpha", None),
                 "beta1": ("betas", 0), "beta2": ("betas", 1)}
    for name, fields in EXTRA.items():
        group = make_optimizer(name, [torch.zeros(1, requires_grad=True)], lr=0.1).param_groups[0]
        for field, low, high, default, step in fields:
            key, index = group_key[field]
            unasked = group[key] if index is None else group[key][index]
            assert default == unasked and low <= default <= high and step > 0, (name, field)
    assert list(LR_CHOICES) == sorted(set(LR_CHOICES))
    for surface in SURFACES.values():
        assert set(surface.lrs.values()) <= set(LR_CHOICES), surface.name


# -- source_code: the app's own functions as shown code ------------------------------------

def test_source_code_is_the_function_without_its_docstring():
    from core.codegen import source_code
    from core.data import TOY_2D, make_toy_2d

    text = source_code(TOY_2D["spiral"])
    assert text.startswith("def toy_spiral(") and '"""' not in text
    scope, _ = run_snippet(text, {"math": math, "torch": torch})
    g = torch.Generator().manual_seed(3)
    x, y = scope["toy_spiral"](50, g)
    x = x + 0.1 * torch.randn(50, 2, generator=g)
    reference = make_toy_2d("spiral", 50, 0.1, seed=3)
    assert torch.equal(x, reference.x) and torch.equal(y, reference.y)


def test_source_code_keeps_comments_and_dedents_a_method():
    from core.codegen import source_code

    class Holder:
        @staticmethod
        def shown(v):
            """Not for students."""
            # kept: a comment says why
            return v + 1

    text = source_code(Holder.shown)
    assert text.splitlines()[1] == "def shown(v):"  # the decorator line stays, at column 0
    assert "# kept: a comment says why" in text and "Not for students" not in text


# -- the optimizer table: every panel's constructor comes from it ---------------------------

def _has_defaults(config: type) -> bool:
    import dataclasses

    unset = (dataclasses.MISSING, dataclasses.MISSING)
    return all((f.default, f.default_factory) != unset for f in dataclasses.fields(config))


def _panels() -> dict[str, str]:
    """Every panel of core rendered once: each module-level ``*_code`` function whose
    required arguments are config dataclasses with defaults, given default configs, plus the
    panels that take more (a threshold, a step count) or draw their optimizer only when asked."""
    import dataclasses
    import importlib
    import inspect
    import pkgutil
    import typing
    from dataclasses import replace

    import core
    from core import forward_pass, metrics
    from core.lab import LabConfig, lab_code

    texts = {}
    for info in pkgutil.walk_packages(core.__path__, "core."):
        if ".charts" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, function in vars(module).items():
            if not (name.endswith("_code") and inspect.isfunction(function)
                    and function.__module__ == module.__name__):
                continue
            hints = typing.get_type_hints(function)
            required = [p.name for p in inspect.signature(function).parameters.values()
                        if p.default is inspect.Parameter.empty]
            if all(dataclasses.is_dataclass(hints.get(p)) and _has_defaults(hints[p])
                   for p in required):
                texts[f"{module.__name__}.{name}"] = function(**{p: hints[p]() for p in required})
    texts["metrics.classifier_code"] = metrics.classifier_code(metrics.ClassifierConfig(), 0.5)
    texts["metrics.regression_code"] = metrics.regression_code(metrics.RegressionConfig(), 3.0)
    texts["forward_pass.line_code(fit)"] = forward_pass.line_code(
        replace(forward_pass.LineConfig(), fit=True))
    texts["lab_code"] = lab_code(LabConfig(), 50)
    return texts


def test_every_panel_takes_its_optimizer_from_the_table(monkeypatch):
    """Change the table (one more constructor argument for every kind) and every optimizer
    a panel constructs must show it: no panel writes ``torch.optim.X(...)`` by itself."""
    import re
    from dataclasses import replace

    from core.training import OPTIMIZER_KINDS

    for name, kind in list(OPTIMIZER_KINDS.items()):
        monkeypatch.setitem(OPTIMIZER_KINDS, name,
                            replace(kind, fixed=(*kind.fixed, ("foreach", False))))
    classes = "|".join({kind.cls.__name__ for kind in OPTIMIZER_KINDS.values()})
    constructors = 0
    for panel, text in _panels().items():
        calls = re.findall(rf"torch\.optim\.(?:{classes})\([^\n]*", text)
        constructors += len(calls)
        assert all("foreach=False" in call for call in calls), (panel, calls)
    assert constructors >= 30  # the panels were found (43 panels, 41 constructors at writing)


def test_no_string_in_core_spells_an_optimizer_constructor():
    """The static half of the test above, for branches a default config does not render:
    outside codegen.py no string literal in core writes ``torch.optim.<class>(``."""
    import ast
    import re
    from pathlib import Path

    from core.training import OPTIMIZER_KINDS

    classes = "|".join({kind.cls.__name__ for kind in OPTIMIZER_KINDS.values()})
    spelled = re.compile(rf"torch\.optim\.(?:{classes})\(")
    root = Path(__file__).resolve().parents[2] / "core"
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "codegen.py" and path.parent == root:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and spelled.search(node.value):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not found, found
