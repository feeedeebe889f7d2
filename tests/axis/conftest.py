"""The axis a test module talks to: the module's own ``server`` fixture (one real axis per
module, configured for what it tests), reset before each test."""

from __future__ import annotations

import pytest

from axis import RunningAxis


@pytest.fixture
def axis(server: RunningAxis) -> RunningAxis:
    """``server`` reset to its seeded state, with the systems it serves now."""
    with server.admin() as admin:
        admin.reset()
    server.refresh_systems()
    return server
