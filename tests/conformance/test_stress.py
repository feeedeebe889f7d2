"""The suite fails only the guilty, even on a busy machine: the honest reference SUT is
certified on the full profile 20 times in a row, each with another seed, while a neighbour
process burns every core. Any verdict but CERTIFIED is a false failure, a deadline or a window
that is not robust. It takes several minutes: ``make stress`` runs it, ``make test`` does not
(the ``stress`` marker is left out unless ``-m stress`` names it)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conformance.certify import run
from conformance.settings import CertifySettings
from reports.model import Verdict

RUNS = 20
BURN = "while True: pass"


@contextmanager
def cpu_burner(processes: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``processes`` neighbour processes that each keep one core busy until the block ends."""
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(processes)]
    try:
        yield burners
    finally:
        for burner in burners:
            burner.terminate()
        for burner in burners:
            burner.wait(10)


@pytest.mark.stress
def test_the_honest_reference_is_certified_every_time_beside_a_cpu_burner(tmp_path: Path) -> None:
    false_failures = []
    with cpu_burner(os.cpu_count() or 2) as burners:
        for seed in range(1, RUNS + 1):
            assert all(b.poll() is None for b in burners), "the CPU burner stopped"
            result = run(
                CertifySettings(adapter="reference", seed=seed, out_dir=tmp_path / f"seed{seed}")
            )
            if result.verdict is not Verdict.CERTIFIED:
                false_failures.append(f"seed {seed}: {result.message} (failed {result.failed})")
    assert not false_failures, "\n".join(false_failures)
