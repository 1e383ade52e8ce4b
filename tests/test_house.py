"""House rules that keep each concept in one place (read from the source, not from a list).

A concept module (core/<concept>.py, or a package core/<concept>/) builds on the shared base
only: the training loop, data, models, code-text helpers, claims, seeding, statistics and the number formatter (text).
It never imports another concept: what two concepts share belongs in the base.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "core"
BASE = {"training", "data", "models", "codegen", "claims", "seeding", "stats", "text"}
NOT_CONCEPTS = BASE | {"__init__", "charts"}


def concept_of(path: Path) -> str:
    """core/backprop.py -> backprop; core/lab/engine.py -> lab."""
    return path.relative_to(CORE).parts[0].removesuffix(".py")


def core_imports(source: str, importer: Path) -> set[str]:
    """The first name under ``core`` of every module this source imports (absolute or
    relative), e.g. {"training", "codegen"}; ``from core import codegen`` counts as codegen."""
    names: set[str] = set()
    package = importer.relative_to(CORE.parent).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ((base,) if base else ()))
            modules = [f"{base}.{alias.name}" for alias in node.names] if base in ("core", "") \
                else [base]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] == "core" and len(parts) > 1:
                names.add(parts[1])
    return names


def concept_files() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if concept_of(p) not in NOT_CONCEPTS)


@pytest.mark.parametrize("path", concept_files(), ids=lambda p: str(p.relative_to(CORE)))
def test_a_concept_module_imports_no_other_concept(path):
    mine = concept_of(path)
    others = {name for name in core_imports(path.read_text(), path)
              if name not in BASE and name != mine}
    assert not others, (f"core/{path.relative_to(CORE)} imports the concept module(s) "
                        f"{sorted(others)}: move what they share into {sorted(BASE)}")


def test_the_rule_sees_every_form_of_import(tmp_path):
    """The checker itself: each spelling of an import of another concept is caught."""
    fake = CORE / "fake_concept.py"  # never written: only its path is used
    for source, expected in [
        ("from core.losses import line_data_code", {"losses"}),
        ("from core import forward_pass, codegen", {"forward_pass", "codegen"}),
        ("import core.backprop as bp", {"backprop"}),
        ("from core.charts.common import base_figure", {"charts"}),
        ("from .losses import x", {"losses"}),
        ("import torch\nfrom torch import nn", set()),
    ]:
        assert core_imports(source, fake) == expected, source
    nested = CORE / "lab" / "engine.py"
    assert core_imports("from . import codegen_helpers", nested) == {"lab"}
    assert core_imports("from .. import losses", nested) == {"losses"}


MODULE_LIMIT = 24_000  # bytes: past this a module holds more than one section's worth


@pytest.mark.parametrize("path", sorted(p for p in CORE.rglob("*.py") if "charts" not in p.parts),
                         ids=lambda p: str(p.relative_to(CORE)))
def test_a_core_module_stays_small(path):
    """A concept that outgrows one module becomes a package split along its sections
    (core/optimizers/, core/data_split/, …), not one long file."""
    size = len(path.read_bytes())
    assert size < MODULE_LIMIT, f"core/{path.relative_to(CORE)} is {size} bytes: split it"
