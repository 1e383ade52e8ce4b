"""Count the lines of shown-code templates in core: every function named ``*_code`` and every
module-level constant named ``*_CODE`` or built by a ``*_code`` call (the "PyTorch code for this
view" panels and their fragments; a generated constant is counted whatever its name, so a name
cannot keep code text out of the count). Issue 17's measure of how much of core is code text.

    .venv/bin/python devtools/template_lines.py [ROOT]     # ROOT defaults to this checkout
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def _built_by_code_function(value: ast.expr) -> bool:
    function = value.func if isinstance(value, ast.Call) else None
    name = function.id if isinstance(function, ast.Name) else \
        function.attr if isinstance(function, ast.Attribute) else ""
    return name.endswith("_code")


def template_lines(path: Path) -> int:
    tree = ast.parse(path.read_text())
    total = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.endswith("_code"):
            total += node.end_lineno - node.lineno + 1
        elif isinstance(node, ast.Assign) and node in tree.body and (any(
                isinstance(t, ast.Name) and t.id.endswith("_CODE") for t in node.targets)
                or _built_by_code_function(node.value)):
            total += node.end_lineno - node.lineno + 1
    return total


def main(root: Path) -> None:
    counts = {p.relative_to(root).as_posix(): template_lines(p)
              for p in sorted((root / "core").rglob("*.py")) if "charts" not in p.parts}
    for name, n in counts.items():
        if n:
            print(f"{n:6d}  {name}")
    shared = sum(n for name, n in counts.items() if name == "core/codegen.py")
    print(f"{sum(counts.values()):6d}  total ({shared} of them shared fragments in core/codegen.py)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
