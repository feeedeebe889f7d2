"""The plugin turns the suite on for ``pytest --pyargs conformance`` (the package named by its
import name, from any folder), as it does for a path into the package; other runs stay off."""

from __future__ import annotations

import pytest

from conformance.plugin import is_active

pytest_plugins = ("pytester",)


@pytest.mark.parametrize(
    ("args", "active"),
    [
        (("--pyargs", "conformance"), True),
        (("--pyargs", "conformance.checks"), True),
        (("--pyargs", "conformance.checks.test_transport"), True),
        (("--pyargs", "conformance.checks.test_transport::test_x"), True),
        (("--pyargs", "json"), False),
        (("--pyargs", "no_such_module_anywhere"), False),
        (("--pyargs", "conformance..bad"), False),
        (("conformance",), False),  # a folder of that name here, not the package
    ],
)
def test_pyargs_names_the_package(
    pytester: pytest.Pytester, args: tuple[str, ...], active: bool
) -> None:
    config = pytester.parseconfig(*args)
    assert is_active(config) is active
