"""The load runs the tests judge, started side by side on first use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.load.runs import LoadRuns


@pytest.fixture(scope="session")
def load_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadRuns]:
    runs = LoadRuns(tmp_path_factory.mktemp("load-runs"))
    yield runs
    runs.close()
