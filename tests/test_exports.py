"""Each package's public surface: ``__all__`` is sorted, unique, and every name resolves."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = ["spec", "axis", "conformance", "reports", "sim", "load", "board"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_resolve(name: str) -> None:
    package = importlib.import_module(name)
    exported = package.__all__
    assert len(exported) == len(set(exported)), f"{name}.__all__ repeats a name"
    for attr in exported:
        assert getattr(package, attr) is not None, f"{name}.{attr}"


def test_conformance_imports_nothing_heavy_until_used() -> None:
    import subprocess
    import sys

    code = "import sys, conformance; print('spec' in sys.modules, 'axis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_board_imports_only_what_design_allows() -> None:
    """board imports spec, reports (certificate verification), sim and the fixtures' agencies
    and phases, never the axis, the suite, the load tests or the command line."""
    import ast
    from pathlib import Path

    import board

    allowed = {"board", "spec", "reports", "sim", "fixtures"}
    project = allowed | {"axis", "conformance", "load", "lienthong", "bench", "tests"}
    root = Path(board.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in project:
                    assert top in allowed, f"{path.relative_to(root)} imports {name}"
