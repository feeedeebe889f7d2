"""Fixtures for every test of the project, and where the tools the tests drive keep their
caches: in a temporary folder, never in the checkout or the user's folders."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.side_by_side import SideBySide

# One folder for the whole session, made by the first process (xdist's workers and every
# process the tests start inherit it), removed by that process at its end.
_OWN_CACHES = "LIENTHONG_TEST_CACHES" not in os.environ
if _OWN_CACHES:
    os.environ["LIENTHONG_TEST_CACHES"] = tempfile.mkdtemp(prefix="lienthong-test-caches-")
_CACHES = Path(os.environ["LIENTHONG_TEST_CACHES"])
# Bytecode (pytest's rewritten modules too), written once for the session's many Python
# processes into its folder, not beside the sources: without it each process compiles what
# it imports again (seconds each) when PYTHONDONTWRITEBYTECODE is set.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ["PYTHONPYCACHEPREFIX"] = str(_CACHES / "bytecode")
# Before anything imports numba: it reads the folder once, and the simulator's kernels are
# compiled with cache=True (beside the module, in the checkout, by default).
os.environ["NUMBA_CACHE_DIR"] = str(_CACHES / "numba")

SIDE_BY_SIDE = {"ran", "vendor_runs", "installed", "built", "load_runs"}
"""Fixtures that start long runs side by side for the tests that judge them (or build what
those runs start from)."""


def pytest_configure(config: pytest.Config) -> None:
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(_CACHES / "hypothesis")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that judge runs started side by side for them come first, in their order: one
    worker then takes them all at its start (xdist's work stealing takes from the end of a
    worker's queue), and no other worker starts the same runs again."""
    items.sort(key=lambda item: not SIDE_BY_SIDE.intersection(getattr(item, "fixturenames", ())))


@pytest.fixture(scope="session")
def side_by_side_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SideBySide]:
    runs = SideBySide(request.session.items, tmp_path_factory.mktemp("side-by-side"))
    yield runs
    runs.close()


@pytest.fixture
def ran(request: pytest.FixtureRequest, side_by_side_runs: SideBySide) -> list[Any]:
    """What the runs of this test's ``side_by_side`` mark returned, in the mark's order."""
    return side_by_side_runs.results(request.node)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _OWN_CACHES:
        shutil.rmtree(_CACHES, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def _user_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The user's data and configuration folders (the certificate signing key, the trusted
    keys) point into a temporary folder: tests never touch the real ones."""
    base = tmp_path_factory.mktemp("user-folders")
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_DATA_HOME", str(base / "data"))
    patch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    yield
    patch.undo()
