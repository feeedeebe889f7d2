"""Project-wide pytest fixtures: where the shared real-world samples are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
REALWORLD = ROOT.parent / "shared" / "realworld"


@pytest.fixture(scope="session")
def realworld_dir() -> Path:
    """``../shared/realworld`` beside the checkout (CI lays it out so); skip when absent."""
    if not REALWORLD.is_dir():
        pytest.skip(f"real-world samples not found at {REALWORLD} (../shared beside the checkout)")
    return REALWORLD
