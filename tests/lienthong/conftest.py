"""The wheel as a vendor installs it, built and installed once per test process for the tests
that need it (the wheel test and the CI recipes)."""

from __future__ import annotations

import pytest

from tests.lienthong.installed import Built, Installed, build, install


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(tmp_path_factory.mktemp("wheel-build"))


@pytest.fixture(scope="session")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh environment with the wheel, and pip for recipes that install with it."""
    return install(built.wheel, tmp_path_factory.mktemp("wheel-install"), seed_pip=True)
