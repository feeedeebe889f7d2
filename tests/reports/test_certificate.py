"""Issuing certificates: the signed body states everything that shaped the verdict, taken from
the report, matches its schema, and dates its validity in Vietnam."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import jsonschema
import pytest

from reports.certificate import (
    FORMAT,
    certificate_digest,
    certificate_facts,
    digest_of_text,
    issue_certificate,
    qr_payload,
    report_digest,
)
from reports.keys import CertificateSigner
from reports.model import Outcome, Waiver
from reports.schema import CERTIFICATE_SCHEMA, load_schema
from reports.waivers import apply_waivers
from tests.reports.samples import VIETNAM, sample_report, with_verdicts

ISSUED = datetime(2025, 3, 14, 10, 0, tzinfo=VIETNAM)


@pytest.fixture(scope="module")
def signer() -> CertificateSigner:
    return CertificateSigner.generate()


def _certified() -> Any:
    return with_verdicts(sample_report(), LC_NO_REPEAT=Outcome.PASSED, ROB_BACKOFF=Outcome.PASSED)


def test_the_body_names_the_party_software_profile_and_everything_that_shaped_it(
    signer: CertificateSigner,
) -> None:
    report = _certified()
    cert = issue_certificate(report, signer, issued=ISSUED)
    jsonschema.Draft202012Validator(load_schema(CERTIFICATE_SCHEMA)).validate(cert)
    assert cert["format"] == FORMAT
    assert cert["verdict"] == "CERTIFIED"
    assert cert["party"] == {
        "organ_id": "000.00.00.H44",
        "agency": "Ủy ban nhân dân tỉnh Phú Thọ",
        "system_id": "00.44.W00",
    }
    assert cert["software"]["build"] == "git-5f1e3c9"
    assert cert["software"]["product"] == "QLVB Demo"
    profile = cert["profile"]
    assert profile["name"] == "full" and profile["require_signature"] is True
    assert profile["overrides"] == {"time_scale": 60.0, "seed": 1234}
    assert profile["requirements"] == [r.id for r in report.requirements]
    assert (profile["must_passed"], profile["must_total"]) == (5, 5)
    assert cert["suite"]["catalogue_sha256"] == report.conditions.catalogue_sha256
    assert cert["axis"] == {"kind": "in-process", "url": "http://127.0.0.1:8765"}
    assert cert["transcript"] == {"sha256": report.transcript_sha256, "events": 17}
    assert cert["officer"] == "Nguyễn Văn A"
    assert cert["report_sha256"] == report_digest(json.loads(report.dumps()))
    assert cert["signer"]["fingerprint"] == signer.fingerprint
    issued = datetime.fromisoformat(cert["issued"])
    assert issued == ISSUED and issued.utcoffset() == VIETNAM.utcoffset(None)


def test_every_fact_but_the_issue_is_computed_from_the_report(signer: CertificateSigner) -> None:
    report = sample_report()
    cert = issue_certificate(report, signer, issued=ISSUED)
    facts = certificate_facts(json.loads(report.dumps()))
    assert {k: cert[k] for k in facts} == facts
    assert set(cert) - set(facts) == {
        "format", "report_sha256", "issued", "valid_from", "valid_until", "signer", "signature",
    }  # fmt: skip


def test_a_mutant_run_names_its_mutant(signer: CertificateSigner) -> None:
    report = sample_report(conditions=replace(sample_report().conditions, mutant="repeat-accepted"))
    cert = issue_certificate(report, signer, issued=ISSUED)
    assert cert["mutant"] == "repeat-accepted"
    assert "with mutant repeat-accepted" in report.subject


def test_validity_is_twelve_months_from_the_vietnam_date_of_issue(
    signer: CertificateSigner,
) -> None:
    # 17:30 UTC on 31 Dec is already 1 Jan in Vietnam.
    issued = datetime(2024, 12, 31, 17, 30, tzinfo=UTC)
    cert = issue_certificate(_certified(), signer, issued=issued)
    assert cert["valid_from"] == "2025-01-01"
    assert cert["valid_until"] == "2025-12-31"
    leap = issue_certificate(
        _certified(), signer, issued=datetime(2024, 2, 29, 9, tzinfo=VIETNAM), validity_months=12
    )
    assert leap["valid_until"] == "2025-02-27"


def test_only_a_certified_verdict_is_valid_for_a_period(signer: CertificateSigner) -> None:
    cert = issue_certificate(sample_report(), signer, issued=ISSUED)
    assert cert["verdict"] == "NOT CERTIFIED"
    assert cert["valid_from"] == "2025-03-14" and cert["valid_until"] is None


def test_a_waiver_caps_the_validity_and_its_approver_is_signed(signer: CertificateSigner) -> None:
    report = with_verdicts(sample_report(), ROB_BACKOFF=Outcome.PASSED)
    waiver = Waiver("LC-NO-REPEAT", "fixed in 4.2 (VND-118)", date(2025, 6, 30), "Trần Thị B")
    waived = apply_waivers(report, (waiver,), today=date(2025, 3, 14))
    cert = issue_certificate(waived, signer, issued=ISSUED)
    assert cert["verdict"] == "CERTIFIED"
    assert cert["valid_until"] == "2025-06-30"
    assert cert["waivers"]["applied"] == [
        {
            "requirement": "LC-NO-REPEAT",
            "approved_by": "Trần Thị B",
            "reason": "fixed in 4.2 (VND-118)",
            "expires": "2025-06-30",
        }
    ]
    assert cert["profile"]["must_waived"] == 1


def test_issued_must_carry_a_timezone(signer: CertificateSigner) -> None:
    with pytest.raises(ValueError, match="timezone"):
        issue_certificate(sample_report(), signer, issued=datetime(2025, 3, 14, 10))


def test_the_digest_is_the_whole_certificate_and_the_qr_payload_reads_back(
    signer: CertificateSigner,
) -> None:
    cert = issue_certificate(sample_report(), signer, issued=ISSUED)
    digest = certificate_digest(cert)
    assert certificate_digest({**cert, "signature": cert["signature"][::-1]}) != digest
    assert qr_payload(cert) == f"lienthong-certificate:sha256:{digest}"
    for typed in (qr_payload(cert), f"sha256:{digest}", digest.upper(), f"  {digest}\n"):
        assert digest_of_text(typed) == digest
    assert digest_of_text("not a digest") is None
