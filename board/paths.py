"""Where the board keeps its files by default: the user's data directory (found with
platformdirs, never relative to the working directory)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "lienthong"
REGISTRY_FILE = "board.sqlite"
TRUSTED_KEYS_DIR = "trusted-keys"

__all__ = ["data_dir", "default_registry", "default_trusted_keys"]


def data_dir() -> Path:
    """The user's data directory for lienthong (``~/.local/share/lienthong`` on Linux)."""
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_registry() -> Path:
    """The registry file used when ``--registry`` is not given."""
    return data_dir() / REGISTRY_FILE


def default_trusted_keys() -> Path:
    """The trusted-keys folder used when no ``--trusted-key``/``--trusted-keys`` is given: the
    certification office's published public keys (``*.pem``)."""
    return data_dir() / TRUSTED_KEYS_DIR
