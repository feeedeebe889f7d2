"""Project-wide pytest fixtures (where the shared real-world samples are), the rule that keeps
stress tests out of ordinary runs, and the one that counts browser tests as slow."""

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


STRESS = "stress"
BROWSER = "browser"


@pytest.hookimpl(tryfirst=True)
def pytest_itemcollected(item: pytest.Item) -> None:
    """A browser test starts Chromium: it is slow by nature, outside the fast tier."""
    if item.get_closest_marker(BROWSER) is not None:
        item.add_marker(pytest.mark.slow)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stress tests take many minutes: they run only when a marker expression names them
    (``-m stress``, ``make stress``), never in ``make test``."""
    if STRESS in (config.getoption("markexpr", "") or ""):
        return
    drop = [item for item in items if item.get_closest_marker(STRESS) is not None]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [item for item in items if item.get_closest_marker(STRESS) is None]
