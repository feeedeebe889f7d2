"""Verifying certificates (reports.verification): a genuine certificate verifies with the
trusted key, and every forgery class fails with a clear reason."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from axis.transcript import verify_file
from reports.certificate import canonical_json, issue_certificate
from reports.errors import ReportFormatError, VerificationInputError
from reports.folder import write_certification_folder
from reports.keys import CertificateSigner, TrustedKeys
from reports.model import Outcome
from reports.verification import (
    Certificate,
    VerificationStatus,
    verify_certificate,
    verify_certificate_file,
)
from tests.reports.samples import VIETNAM, sample_report, with_verdicts, write_transcript

ISSUED = datetime(2025, 3, 14, 10, 0, tzinfo=VIETNAM)
TODAY = date(2025, 3, 20)


@pytest.fixture(scope="module")
def office() -> CertificateSigner:
    return CertificateSigner.generate()


@pytest.fixture
def run(tmp_path: Path, office: CertificateSigner) -> dict[str, Any]:
    """A certified report tied to a real transcript, its JSON as written, its certificate."""
    transcript = tmp_path / "transcript.jsonl"
    head, events = write_transcript(transcript)
    report = with_verdicts(
        sample_report(transcript_sha256=head, transcript_events=events),
        LC_NO_REPEAT=Outcome.PASSED,
        ROB_BACKOFF=Outcome.PASSED,
    )
    cert = issue_certificate(report, office, issued=ISSUED)
    return {
        "report": report,
        "json": json.loads(report.dumps()),
        "cert": cert,
        "transcript": transcript,
    }


def _verify(run: dict[str, Any], office: CertificateSigner, **changes: Any) -> Any:
    arguments: dict[str, Any] = {
        "trusted": TrustedKeys.of(office.fingerprint),
        "today": TODAY,
        "report": run["json"],
        "transcript": verify_file(run["transcript"]),
    }
    arguments.update(changes)
    certificate = arguments.pop("certificate", run["cert"])
    return verify_certificate(certificate, **arguments)


def _resign(body: dict[str, Any], signer: CertificateSigner) -> dict[str, Any]:
    body = {k: v for k, v in body.items() if k != "signature"}
    body["signer"] = {
        "algorithm": "Ed25519",
        "public_key": signer.public_key,
        "fingerprint": signer.fingerprint,
    }
    return {**body, "signature": signer.sign(canonical_json(body))}


def test_a_genuine_certificate_verifies_with_the_trusted_key(
    run: dict[str, Any], office: CertificateSigner
) -> None:
    result = _verify(run, office)
    assert result.status is VerificationStatus.VALID and result.ok, result.problems
    assert result.problems == ()
    line = result.verdict_line()
    for fact in (
        "VALID: CERTIFIED",
        "Ủy ban nhân dân tỉnh Phú Thọ",
        "000.00.00.H44",
        "QLVB Demo 4.1.0",
        "build git-5f1e3c9",
        "profile full",
        "overrides: time_scale=60, seed=1234",
        "waivers: none",
        "valid 2025-03-14 to 2026-03-13",
        office.fingerprint,
    ):
        assert fact in line, fact
    assert isinstance(result.certificate, Certificate)
    assert result.certificate.agency == "Ủy ban nhân dân tỉnh Phú Thọ"


def test_without_a_trusted_key_an_intact_certificate_is_untrusted(
    run: dict[str, Any], office: CertificateSigner
) -> None:
    result = _verify(run, office, trusted=TrustedKeys({}))
    assert result.status is VerificationStatus.UNTRUSTED and not result.ok
    assert any("no key is trusted" in n for n in result.notes)


def test_edited_verdict_is_caught(run: dict[str, Any], office: CertificateSigner) -> None:
    forged = {**run["cert"], "verdict": "CERTIFIED", "reason": "all fine"}
    forged_report = _verify(run, office, certificate=forged)
    assert forged_report.status is VerificationStatus.INVALID
    assert forged_report.problems == (
        "the signature does not verify: the certificate was changed after it was signed",
    )
    edited = {**run["json"], "verdict": "NOT CERTIFIED"}
    result = _verify(run, office, report=edited)
    assert result.status is VerificationStatus.INVALID
    assert "the report does not match the certificate" in result.problems[0]


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [("software", "product", "QLVB Pro"), ("party", "agency", "Bộ Tài chính")],
)
def test_relabelled_product_or_agency_is_caught(
    run: dict[str, Any], office: CertificateSigner, where: str, key: str, value: str
) -> None:
    forged = json.loads(json.dumps(run["cert"]))
    forged[where][key] = value
    assert "signature does not verify" in _verify(run, office, certificate=forged).problems[0]
    report = json.loads(json.dumps(run["json"]))
    report["sut"][key if key != "agency" else "agency"] = value
    assert "does not match the certificate" in _verify(run, office, report=report).problems[0]


def test_a_swapped_transcript_is_caught(
    run: dict[str, Any], office: CertificateSigner, tmp_path: Path
) -> None:
    other = tmp_path / "other.jsonl"
    write_transcript(other, count=6)
    result = _verify(run, office, transcript=verify_file(other))
    assert result.status is VerificationStatus.INVALID
    assert "the transcript does not match: it has 6 events" in result.problems[0]


@pytest.mark.parametrize("change", ["drop", "add"])
def test_a_dropped_or_added_requirement_is_caught(
    run: dict[str, Any], office: CertificateSigner, change: str
) -> None:
    report = json.loads(json.dumps(run["json"]))
    if change == "drop":
        report["requirements"] = [r for r in report["requirements"] if r["id"] != "ROB-BACKOFF"]
    else:
        extra = {**report["requirements"][0], "id": "TR-ACK-DONE", "title": "x"}
        report["requirements"].append(extra)
    assert "does not match the certificate" in _verify(run, office, report=report).problems[0]
    cert = json.loads(json.dumps(run["cert"]))
    cert["profile"]["requirements"].remove("ROB-BACKOFF")
    assert "signature does not verify" in _verify(run, office, certificate=cert).problems[0]


def test_a_certificate_resigned_with_an_untrusted_key_is_untrusted(
    run: dict[str, Any], office: CertificateSigner
) -> None:
    forger = CertificateSigner.generate()
    forged = _resign(run["cert"], forger)
    result = _verify(run, office, certificate=forged)
    assert result.status is VerificationStatus.UNTRUSTED
    assert any(f"signed by key {forger.fingerprint}, which is not a trusted key" in n
               for n in result.notes)  # fmt: skip
    assert result.verdict_line().startswith("UNTRUSTED: CERTIFIED")


def test_a_waiver_added_after_signing_is_caught(
    run: dict[str, Any], office: CertificateSigner
) -> None:
    added = b"- requirement: LC-NO-REPEAT\n  reason: x\n  expires: 2030-01-01\n  approved_by: me\n"
    result = _verify(run, office, waivers=added)
    assert result.status is VerificationStatus.INVALID
    assert "the run applied none" in result.problems[0]
    cert = json.loads(json.dumps(run["cert"]))
    cert["waivers"]["applied"].append(
        {"requirement": "LC-NO-REPEAT", "approved_by": "me", "reason": "x", "expires": "2030-01-01"}
    )
    assert "signature does not verify" in _verify(run, office, certificate=cert).problems[0]


def test_a_changed_waivers_file_is_caught(office: CertificateSigner, tmp_path: Path) -> None:
    from reports.model import Waiver
    from reports.waivers import apply_waivers

    text = b"- requirement: LC-NO-REPEAT\n  reason: r\n  expires: 2025-12-31\n  approved_by: A\n"
    import hashlib

    report = with_verdicts(sample_report(), ROB_BACKOFF=Outcome.PASSED)
    conditions = replace(report.conditions, waivers_sha256=hashlib.sha256(text).hexdigest())
    waiver = Waiver("LC-NO-REPEAT", "r", date(2025, 12, 31), "A")
    report = apply_waivers(replace(report, conditions=conditions), (waiver,), today=TODAY)
    cert = issue_certificate(report, office, issued=ISSUED)
    trusted = TrustedKeys.of(office.fingerprint)
    report_json = json.loads(report.dumps())
    good = verify_certificate(cert, trusted=trusted, today=TODAY, report=report_json, waivers=text)
    assert good.ok, good.problems
    assert "LC-NO-REPEAT approved by A until 2025-12-31" in good.verdict_line()
    more = (
        text + b"- requirement: ROB-BACKOFF\n  reason: r\n  expires: 2025-12-31\n  approved_by: A\n"
    )
    bad = verify_certificate(cert, trusted=trusted, today=TODAY, report=report_json, waivers=more)
    assert "the waivers file is not the one applied" in bad.problems[0]


def test_a_hidden_override_is_caught(run: dict[str, Any], office: CertificateSigner) -> None:
    cert = json.loads(json.dumps(run["cert"]))
    cert["profile"]["overrides"] = {}
    assert "signature does not verify" in _verify(run, office, certificate=cert).problems[0]
    # Re-signed by the trusted key itself (a faulty issuer), the report still disagrees.
    resigned = _resign(cert, office)
    result = _verify(run, office, certificate=resigned)
    assert result.status is VerificationStatus.INVALID
    assert "the certificate's profile.overrides.time_scale is None but its report says 60.0" in (
        result.problems
    )


def test_an_expired_certificate_says_so(run: dict[str, Any], office: CertificateSigner) -> None:
    assert _verify(run, office, today=date(2026, 3, 13)).status is VerificationStatus.VALID
    result = _verify(run, office, today=date(2026, 3, 14))
    assert result.status is VerificationStatus.EXPIRED
    assert any("valid until 2026-03-13" in n for n in result.notes)


def test_a_certificate_from_the_future_is_invalid(
    run: dict[str, Any], office: CertificateSigner
) -> None:
    result = _verify(run, office, today=date(2025, 3, 13))
    assert result.status is VerificationStatus.INVALID
    assert "valid only from 2025-03-14" in result.problems[0]


def test_what_was_not_checked_is_said(run: dict[str, Any], office: CertificateSigner) -> None:
    alone = verify_certificate(run["cert"], trusted=TrustedKeys.of(office.fingerprint), today=TODAY)
    assert alone.ok
    assert "the report was not checked (not given)" in alone.notes
    assert "the transcript was not checked (not given)" in alone.notes


def test_not_a_certificate_is_refused(office: CertificateSigner) -> None:
    with pytest.raises(ReportFormatError, match="certificate does not match"):
        verify_certificate({"hello": "world"}, trusted=TrustedKeys({}), today=TODAY)


def test_files_beside_the_certificate_are_checked(
    tmp_path: Path, office: CertificateSigner
) -> None:
    head, events = write_transcript(tmp_path / "run" / "transcript.jsonl")
    report = sample_report(transcript_sha256=head, transcript_events=events)
    files = write_certification_folder(report, tmp_path / "run", signer=office, issued=ISSUED)
    trusted = TrustedKeys.of(office.fingerprint)
    result = verify_certificate_file(
        files.folder, trusted=trusted, today=TODAY, check_transcript=verify_file
    )
    assert result.ok, result.problems
    assert result.verdict_line().startswith("VALID: NOT CERTIFIED")
    (files.folder / "transcript.jsonl").unlink()
    with pytest.raises(VerificationInputError, match=r"no transcript\.jsonl beside"):
        verify_certificate_file(
            files.folder, trusted=trusted, today=TODAY, check_transcript=verify_file
        )


def test_verification_imports_neither_pytest_nor_the_suite_nor_the_axis() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from reports import verify_certificate; "
        "print(*(m in sys.modules for m in ('pytest', 'conformance', 'axis', 'playwright')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"] * 4
