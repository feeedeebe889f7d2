"""What changed between two runs of the same product: requirements newly failed, fixed, waived,
and the certificate's facts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from board.certificates import Certificate, WaiverGrant, read_certificate
from board.diff import diff_certificates
from board.errors import BoardError
from board.issuing import issue_from_report, write_certificate
from reports.model import Outcome, Report, Waiver
from tests.board.helpers import BINH_DINH, DOCFLOW, EOFFICE, EOFFICE_NEXT, NOW, TODAY, Signer
from tests.reports.samples import sample_report, with_verdicts


def certified(signer: Signer, folder: Path, report: Report, **facts: object) -> Certificate:
    text = report.dumps()
    document = issue_from_report(
        signer.key,
        json.loads(text),
        party=BINH_DINH,
        software=facts.pop("software", EOFFICE),  # type: ignore[arg-type]
        issued=NOW,
        valid_from=TODAY,
        valid_until=TODAY + timedelta(days=365),
        officer="test",
        **facts,  # type: ignore[arg-type]
    )
    return read_certificate(write_certificate(folder, document, text), signer.trusted)


def test_newly_failed_fixed_and_waived(signer: Signer, tmp_path: Path) -> None:
    before = sample_report()  # LC-NO-REPEAT failed, ROB-BACKOFF not tested
    failing = [r.id for r in before.requirements if r.verdict is Outcome.FAILED]
    passing = [r.id for r in before.requirements if r.verdict is Outcome.PASSED]
    waiver = Waiver(failing[-1], "accepted until 4.2", TODAY + timedelta(days=60), "Nguyễn Văn A")
    after = with_verdicts(
        before,
        **{
            failing[0].replace("-", "_"): Outcome.PASSED,
            passing[0].replace("-", "_"): Outcome.FAILED,
        },
    )
    after = after.with_results(
        (replace(after.result(failing[-1]), verdict=Outcome.WAIVED, waiver=waiver),)
    )
    a = certified(signer, tmp_path / "a", before)
    b = certified(
        signer,
        tmp_path / "b",
        after,
        software=EOFFICE_NEXT,
        waivers=[
            WaiverGrant(waiver.requirement, waiver.approved_by, waiver.reason, waiver.expires)
        ],
    )
    diff = diff_certificates(a, b)
    assert diff.outcomes_known
    assert diff.fixed == (failing[0],)
    assert diff.newly_failed == (passing[0],)
    assert diff.newly_waived == (failing[-1],)
    facts = {k: (x, y) for k, x, y in diff.facts}
    assert facts["build"] == (EOFFICE.build, EOFFICE_NEXT.build)
    assert "waivers" in facts and not diff.unchanged


def test_the_same_run_twice_is_no_change(signer: Signer, tmp_path: Path) -> None:
    a = certified(signer, tmp_path / "a", sample_report())
    diff = diff_certificates(a, a)
    assert diff.unchanged and diff.still_failing


def test_without_reports_only_the_facts_compare(signer: Signer) -> None:
    diff = diff_certificates(signer.certificate(), signer.certificate(must_passed=39))
    assert not diff.outcomes_known
    assert ("MUST passed", "40/40", "39/40") in diff.facts


def test_different_products_do_not_compare(signer: Signer) -> None:
    with pytest.raises(BoardError, match="different products"):
        diff_certificates(signer.certificate(), signer.certificate(software=DOCFLOW))
