"""A test build that keeps its register between certification runs is not failed for it: the
same seed gives the same DocumentIds and axis DocIds, so the suite resets a SUT that offers
``reset`` before configuring it, and the second run's documents are new to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.certify import EXIT_CERTIFIED, run
from conformance.reference import ReferenceSut, running_reference
from conformance.settings import CertifySettings
from reports.model import Outcome

REQUIREMENTS = ("RCV-ARRIVED", "TR-ACK-DONE")


@pytest.mark.slow
def test_a_second_run_against_the_same_running_sut_passes(tmp_path: Path) -> None:
    with running_reference(ReferenceSut()) as sut:
        for attempt in ("first", "second"):
            settings = CertifySettings(
                profile="receiver",
                adapter=sut.url,
                organ_id="000.00.00.H41",
                requirements=REQUIREMENTS,
                out_dir=tmp_path / attempt,
            )
            result = run(settings)
            assert result.outcome is not None and result.outcome.report is not None
            verdicts = {r.id: r.verdict for r in result.outcome.report.requirements}
            assert {verdicts[i] for i in REQUIREMENTS} == {Outcome.PASSED}, (attempt, verdicts)
            assert result.exit_code != EXIT_CERTIFIED  # a partial run is never CERTIFIED
