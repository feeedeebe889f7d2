"""Signed certificates: signing, verifying, and every kind of tampering being caught."""

from __future__ import annotations

import base64
import json
import os
import stat
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from axis.transcript import verify_file
from reports.certificate import (
    PRIVATE_KEY_FILE,
    CertificateSigner,
    canonical_json,
    report_digest,
    verify_certificate,
)
from reports.errors import CertificateError, ReportFormatError
from reports.schema import CERTIFICATE_SCHEMA, load_schema
from tests.reports.samples import VIETNAM, sample_report, write_transcript

ISSUED = datetime(2025, 3, 14, 10, 0, tzinfo=VIETNAM)


@pytest.fixture(scope="module")
def signer() -> CertificateSigner:
    return CertificateSigner.generate()


@pytest.fixture
def run(tmp_path: Path, signer: CertificateSigner) -> dict[str, Any]:
    """A report tied to a real transcript file, its JSON as written, and its certificate."""
    transcript = tmp_path / "transcript.jsonl"
    head, events = write_transcript(transcript)
    report = sample_report(transcript_sha256=head, transcript_events=events)
    report_json = json.loads(report.dumps())
    certificate = signer.sign(report, issued_at=ISSUED)
    return {"report": report, "json": report_json, "cert": certificate, "transcript": transcript}


def test_certificate_matches_its_schema_and_verifies(run: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(load_schema(CERTIFICATE_SCHEMA)).validate(run["cert"])
    assert run["cert"]["report_sha256"] == report_digest(run["json"])
    assert run["cert"]["verdict"] == "NOT CERTIFIED"
    check = verify_certificate(run["cert"], run["json"], transcript=verify_file(run["transcript"]))
    assert check.ok, check.problems
    assert any("transcript head" in c for c in check.checked)


def test_changed_report_byte_is_caught(run: dict[str, Any]) -> None:
    text = json.dumps(run["json"])
    tampered = json.loads(text.replace('"seed": 1234', '"seed": 1235'))
    check = verify_certificate(run["cert"], tampered)
    assert not check.ok
    assert "the report does not match the certificate" in check.problems[0]


def test_changed_certificate_breaks_the_signature(run: dict[str, Any]) -> None:
    forged = {**run["cert"], "verdict": "CERTIFIED"}
    check = verify_certificate(forged, run["json"])
    assert check.problems == [
        "the signature does not verify: the certificate was changed after it was signed"
    ]


def test_resigned_by_another_key_fails_only_when_the_key_is_pinned(
    run: dict[str, Any], signer: CertificateSigner
) -> None:
    other = CertificateSigner.generate().sign(run["report"], issued_at=ISSUED)
    assert verify_certificate(other, run["json"]).ok
    pinned = verify_certificate(other, run["json"], trusted_fingerprint=signer.fingerprint)
    assert not pinned.ok
    assert "not the trusted key" in pinned.problems[0]
    ours = verify_certificate(run["cert"], run["json"], trusted_fingerprint=signer.fingerprint)
    assert ours.ok


def test_changed_transcript_byte_is_caught(run: dict[str, Any]) -> None:
    path: Path = run["transcript"]
    data = bytearray(path.read_bytes())
    data[data.index(b'"size":3') + 7] = ord("4")
    path.write_bytes(bytes(data))
    check = verify_certificate(run["cert"], run["json"], transcript=verify_file(path))
    assert not check.ok
    assert "hash chain is broken" in check.problems[0]
    assert "line 3" in check.problems[0]


def test_another_runs_transcript_is_caught(run: dict[str, Any], tmp_path: Path) -> None:
    longer = tmp_path / "other.jsonl"
    write_transcript(longer, count=6)
    check = verify_certificate(run["cert"], run["json"], transcript=verify_file(longer))
    assert not check.ok
    assert "has 6 events" in check.problems[0]


def test_not_a_certificate_is_refused(run: dict[str, Any]) -> None:
    with pytest.raises(ReportFormatError, match="certificate does not match"):
        verify_certificate({"hello": "world"}, run["json"])


def test_certificate_that_contradicts_its_report_is_caught(run: dict[str, Any]) -> None:
    # A faulty issuer could sign fields that differ from the report whose digest it names.
    key = Ed25519PrivateKey.generate()
    cert = CertificateSigner(key).sign(replace(run["report"], seed=99), issued_at=ISSUED)
    body = {k: v for k, v in cert.items() if k != "signature"}
    body["report_sha256"] = report_digest(run["json"])
    forged = {**body, "signature": base64.b64encode(key.sign(canonical_json(body))).decode()}
    check = verify_certificate(forged, run["json"])
    assert check.problems == ["the certificate's seed 99 differs from the report's 1234"]


def test_key_is_created_owner_only_and_reloaded(tmp_path: Path) -> None:
    key_dir = tmp_path / "keys"
    first = CertificateSigner.load_or_create(key_dir)
    key_file = key_dir / PRIVATE_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (key_dir / ".gitignore").read_text().splitlines()[-1] == "*"
    assert [p.name for p in key_dir.iterdir() if p.name.startswith(".certificate")] == []
    again = CertificateSigner.load_or_create(key_dir)
    assert again.fingerprint == first.fingerprint
    assert first.fingerprint[:16] in repr(first)


def test_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    CertificateSigner.load_or_create(tmp_path)
    os.chmod(tmp_path / PRIVATE_KEY_FILE, 0o644)
    with pytest.raises(CertificateError, match="chmod 600"):
        CertificateSigner.load_or_create(tmp_path)


def test_not_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / PRIVATE_KEY_FILE
    path.write_text("not a key")
    path.chmod(0o600)
    with pytest.raises(CertificateError, match="not a PEM private key"):
        CertificateSigner.load_or_create(tmp_path)
