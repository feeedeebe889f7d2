"""Fixtures for every test of the project, and where the tools the tests drive keep their
caches: in a temporary folder, never in the checkout or the user's folders."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_CACHES = Path(tempfile.mkdtemp(prefix="lienthong-test-caches-"))
# Before anything imports numba: it reads the folder once, and the simulator's kernels are
# compiled with cache=True (beside the module, in the checkout, by default).
os.environ["NUMBA_CACHE_DIR"] = str(_CACHES / "numba")


def pytest_configure(config: pytest.Config) -> None:
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(_CACHES / "hypothesis")


def pytest_unconfigure(config: pytest.Config) -> None:
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
