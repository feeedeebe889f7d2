"""The wheel as a vendor installs it, built and installed once per test process for the tests
that need it (the wheel test and the CI recipes), and the vendor path's long runs from it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lienthong.installed import Built, Installed, build, install
from tests.lienthong.vendor_runs import VendorRuns


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(tmp_path_factory.mktemp("wheel-build"))


@pytest.fixture(scope="session")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh environment with the wheel, and pip for recipes that install with it."""
    return install(built.wheel, tmp_path_factory.mktemp("wheel-install"), seed_pip=True)


@pytest.fixture(scope="session")
def vendor_runs(
    built: Built, installed: Installed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VendorRuns]:
    """Every long run of the vendor path, started side by side on first use."""
    runs = VendorRuns(installed, built.wheel, tmp_path_factory.mktemp("vendor-runs"))
    yield runs
    runs.close()
