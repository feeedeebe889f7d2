"""Fixtures for every test of the project."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


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
