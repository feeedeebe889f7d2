"""What changed between two runs of the same product: requirements newly failed, fixed, waived,
and the certificate's facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from board.certificates import read_certificate
from board.diff import diff_certificates
from board.errors import BoardError
from reports.model import Outcome
from tests.board.helpers import DOCFLOW, EOFFICE, EOFFICE_NEXT, TODAY, Signer, waiver


def test_newly_failed_fixed_and_waived(signer: Signer, tmp_path: Path) -> None:
    before = signer.file(tmp_path / "a", verdict="NOT CERTIFIED")  # LC-NO-REPEAT failed
    after = signer.file(
        tmp_path / "b",
        software=EOFFICE_NEXT,
        outcomes={"RCV-ARRIVED": Outcome.FAILED, "LC-STAFFINFO-EXPECTED": Outcome.FAILED},
        waivers=[waiver(TODAY + timedelta(days=60), "TR-ACK-DONE")],
    )
    a = read_certificate(before, signer.trusted, today=TODAY)
    b = read_certificate(after, signer.trusted, today=TODAY)
    diff = diff_certificates(a, b)
    assert diff.outcomes_known
    assert diff.fixed == ("LC-NO-REPEAT",)
    assert diff.newly_failed == ("LC-STAFFINFO-EXPECTED", "RCV-ARRIVED")
    assert diff.newly_waived == ("TR-ACK-DONE",)
    facts = {k: (x, y) for k, x, y in diff.facts}
    assert facts["build"] == (EOFFICE.build, EOFFICE_NEXT.build)
    assert "waivers" in facts and "MUST passed" in facts and not diff.unchanged


def test_the_same_run_twice_is_no_change(signer: Signer, tmp_path: Path) -> None:
    a = read_certificate(
        signer.file(tmp_path, verdict="NOT CERTIFIED"), signer.trusted, today=TODAY
    )
    diff = diff_certificates(a, a)
    assert diff.unchanged and diff.still_failing == ("LC-NO-REPEAT",)


def test_without_reports_only_the_facts_compare(signer: Signer) -> None:
    a = replace(signer.certificate(), results=None)
    b = replace(signer.certificate(verdict="INCOMPLETE", require_signature=False), results=None)
    diff = diff_certificates(a, b)
    assert not diff.outcomes_known
    facts = {k: (x, y) for k, x, y in diff.facts}
    assert facts["MUST passed"] == ("5/5 (0 waived)", "4/5 (0 waived)")
    assert facts["signed documents"] == ("required", "not required")
    assert facts["valid"][1] == "2016-03-01 to — (not certified)"


def test_different_products_do_not_compare(signer: Signer) -> None:
    with pytest.raises(BoardError, match="different products"):
        diff_certificates(signer.certificate(), signer.certificate(software=DOCFLOW))
