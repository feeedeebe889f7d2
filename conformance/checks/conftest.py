"""Episodes shared by several conformance modules: costly scenarios run once per session and
judged by many small tests."""

from __future__ import annotations

import pytest

from conformance.episodes import Receipt, receive
from conformance.world import World


@pytest.fixture(scope="session")
def arrival(online: World) -> list[Receipt]:
    """Two valid documents, one from each partner, delivered to the SUT, with what it did."""
    partners = online.cast.partners
    return receive(online, [(online.new_document(p), p) for p in partners])
