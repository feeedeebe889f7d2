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
