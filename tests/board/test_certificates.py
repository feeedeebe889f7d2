"""Reading certificate files (format 2): verified by reports' verification against trusted
keys with the evidence beside them (invalid and untrusted refused with the reason), mapped
into the board's Certificate with the certified report's outcomes; trusted keys from files,
fingerprints and folders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key

from board.certificates import load_trusted_keys, read_certificate
from board.errors import CertificateRefused, TrustedKeyError
from reports.certificate import canonical_json
from reports.model import Outcome, Verdict
from tests.board.helpers import (
    EOFFICE,
    MIC,
    NOW,
    OFFICER,
    TODAY,
    Signer,
    make_report,
    waiver,
    write_run,
)


def refused(path: Path, signer: Signer, today: date = TODAY, **options: Any) -> CertificateRefused:
    with pytest.raises(CertificateRefused) as caught:
        read_certificate(path, signer.trusted, today=today, **options)
    return caught.value


def resign(signer: Signer, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` signed again by ``signer`` after a change: a genuine signature over it."""
    body = {k: v for k, v in document.items() if k != "signature"}
    return {**body, "signature": signer.signer.sign(canonical_json(body))}


def test_a_genuine_certificate_reads_with_every_fact(signer: Signer, tmp_path: Path) -> None:
    path = signer.file(tmp_path / "run", party=MIC)
    c = read_certificate(path.parent, signer.trusted, today=TODAY)  # the run folder works too
    assert c.verdict is Verdict.CERTIFIED and c.certified
    assert c.party == MIC and c.software == EOFFICE and c.profile == "full"
    assert c.require_signature and c.requirement_subset is None and c.mutant is None
    assert c.must_passed == c.must_total == 5 and c.must_waived == 0
    assert c.issued == NOW and c.valid_from == TODAY and c.officer == OFFICER
    assert c.valid_until == date(2017, 2, 28)  # twelve months, the last day included
    assert c.signer == signer.fingerprint
    assert c.results is not None and {r.verdict for r in c.results} == {"passed"}
    assert c.verify(signer.trusted, TODAY).ok
    again = read_certificate(path, signer.trusted, today=TODAY)
    assert again.digest == c.digest and len(c.digest) == 64


def test_an_expired_certificate_is_genuine_and_read(signer: Signer, tmp_path: Path) -> None:
    # Expiry is a readiness rule, not a refusal: the office keeps the history.
    path = signer.file(tmp_path, validity_months=1)
    c = read_certificate(path, signer.trusted, today=TODAY + timedelta(days=90))
    assert c.valid_until == date(2016, 3, 31)


def test_a_certificate_from_the_future_is_refused(signer: Signer, tmp_path: Path) -> None:
    path = signer.file(tmp_path, issued=NOW + timedelta(days=3))
    error = refused(path, signer)
    assert error.kind == "invalid" and "issued by a clock in the future" in error.reasons[0]


def test_a_certificate_signed_by_another_key_is_refused_as_untrusted(tmp_path: Path) -> None:
    stranger, office = Signer(), Signer()
    error = refused(stranger.file(tmp_path), office)
    assert error.kind == "untrusted"
    assert stranger.fingerprint in error.reasons[0] and "1 trusted key(s)" in error.reasons[0]
    assert "export-public" in error.reasons[0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("verdict", "CERTIFIED"),
        (
            "software",
            {
                "vendor": "X",
                "product": "Y",
                "version": "1",
                "build": "other",
                "contract_version": "1.1",
                "adapter": "http",
            },
        ),
        ("party", {"organ_id": "000.00.00.H24", "agency": "Hà Nội", "system_id": "00.24.W00"}),
        ("valid_until", "2030-01-01"),
        ("mutant", None),
        ("officer", "someone else"),
    ],
)
def test_any_edit_after_signing_is_refused_as_invalid(
    signer: Signer, tmp_path: Path, field: str, value: object
) -> None:
    document, _ = signer.issued(verdict="NOT CERTIFIED", mutant="repeat-accepted")
    document[field] = value
    path = write_run(tmp_path, document)  # no report beside it: the signature alone refuses it
    error = refused(path, signer)
    assert error.kind == "invalid"
    assert "changed after it was signed" in error.reasons[0]


def test_a_key_claiming_the_trusted_fingerprint_is_invalid(signer: Signer, tmp_path: Path) -> None:
    # An attacker signs with their own key and names the office's fingerprint.
    attacker = Signer()
    document, _ = attacker.issued()
    document["signer"]["fingerprint"] = signer.fingerprint
    error = refused(write_run(tmp_path, document), signer)
    assert error.kind == "invalid"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"not json", "not JSON"), (b"[1, 2]", "not a JSON object"), (b"{}", "not a certificate")],
)
def test_files_that_are_not_certificates(
    signer: Signer, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "certificate.json"
    path.write_bytes(content)
    error = refused(path, signer)
    assert error.kind == "malformed" and reason in error.reasons[0]


def test_a_missing_file_is_unreadable(signer: Signer, tmp_path: Path) -> None:
    assert refused(tmp_path / "nope.json", signer).kind == "unreadable"


def test_an_oversized_file_is_refused_before_it_is_read(signer: Signer, tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (2 << 20))
    assert "1 MiB" in refused(path, signer).reasons[0]


def test_the_old_format_is_refused_with_what_to_do(signer: Signer, tmp_path: Path) -> None:
    document, _ = signer.issued()
    document["format"] = "lienthong-certificate/1"
    error = refused(write_run(tmp_path, resign(signer, document)), signer)
    assert error.kind == "malformed"
    assert "names no agency, build or validity" in error.reasons[0]


def test_the_report_beside_it_gives_outcomes_and_must_be_the_certified_one(
    signer: Signer, tmp_path: Path
) -> None:
    document, report = signer.issued(outcomes={"LC-STAFFINFO-EXPECTED": Outcome.FAILED})
    path = write_run(tmp_path / "run", document, report)
    found = read_certificate(path, signer.trusted, today=TODAY)
    assert found.results is not None
    assert {r.id: r.verdict for r in found.results} == {
        r.id: r.verdict.value for r in report.requirements
    }
    # Another run's report beside the same certificate: refused, never silently ignored.
    other = make_report(outcomes={"LC-FORWARD-ONLY": Outcome.NOT_TESTED})
    (tmp_path / "run" / "report.json").write_text(other.dumps(), "utf-8")
    error = refused(path, signer)
    assert error.kind == "invalid" and "another run's" in error.reasons[0]


def test_a_waivers_file_added_after_signing_is_refused(signer: Signer, tmp_path: Path) -> None:
    document, report = signer.issued()
    path = write_run(tmp_path, document, report)
    (tmp_path / "waivers.yaml").write_text("waivers: []\n", "utf-8")
    error = refused(path, signer)
    assert error.kind == "invalid" and "a waiver added after signing" in error.reasons[0]


@dataclass(frozen=True)
class TranscriptSeen:
    """What a transcript checker reports (``axis.transcript.Verification`` has these)."""

    ok: bool
    events: int
    head: str


def test_the_transcript_beside_it_is_checked_when_a_checker_is_given(
    signer: Signer, tmp_path: Path
) -> None:
    document, report = signer.issued()
    path = write_run(tmp_path, document, report)
    (tmp_path / "transcript.jsonl").write_text("{}\n", "utf-8")
    same = TranscriptSeen(True, report.transcript_events, report.transcript_sha256)
    assert read_certificate(path, signer.trusted, today=TODAY, check_transcript=lambda _: same)
    other = TranscriptSeen(True, 7, "cd" * 32)
    error = refused(path, signer, check_transcript=lambda _: other)
    assert error.kind == "invalid" and "the transcript does not match" in error.reasons[0]


def test_waivers_are_read_and_cap_the_validity(signer: Signer, tmp_path: Path) -> None:
    expires = TODAY + timedelta(days=40)
    c = signer.certificate(waivers=[waiver(expires)])
    assert [(w.requirement, w.approved_by, w.expires) for w in c.waivers] == [
        ("LC-FORWARD-ONLY", OFFICER, expires)
    ]
    assert c.must_waived == 1 and c.valid_until == expires


def test_a_not_certified_run_has_no_validity(signer: Signer) -> None:
    c = signer.certificate(verdict="NOT CERTIFIED", mutant="repeat-accepted")
    assert not c.certified and c.valid_until is None and c.mutant == "repeat-accepted"
    assert "LC-NO-REPEAT" in c.reason


def test_trusted_keys_from_files_fingerprints_and_folders(tmp_path: Path) -> None:
    a, b, c = Signer(), Signer(), Signer()
    folder = tmp_path / "trusted"
    a.public_key_file(folder, "office-2016.pem")
    (folder / "README.txt").write_text("keys of the certification office", "utf-8")
    single = b.public_key_file(tmp_path, "b.pem")
    keys = load_trusted_keys([single, c.fingerprint], folder)
    assert set(keys.keys) == {a.fingerprint, b.fingerprint, c.fingerprint}
    assert not load_trusted_keys([], tmp_path / "missing")


def test_a_broken_trust_store_is_an_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key", "utf-8")
    with pytest.raises(TrustedKeyError, match="not a PEM public key"):
        load_trusted_keys([junk])
    rsa = generate_private_key(public_exponent=65537, key_size=2048).public_key()
    path = tmp_path / "rsa.pem"
    path.write_bytes(
        rsa.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(TrustedKeyError, match="not an Ed25519 key"):
        load_trusted_keys([path])
    with pytest.raises(TrustedKeyError, match="cannot be read"):
        load_trusted_keys([tmp_path / "absent.pem"])
    with pytest.raises(TrustedKeyError, match="is not a folder"):
        load_trusted_keys([], junk)


def test_issue_times_are_vietnam_times(signer: Signer) -> None:
    # Issued at 20:00 UTC on 29 February: already 1 March in Hà Nội, the first day of validity.
    c = signer.certificate(issued=datetime(2016, 2, 29, 20, 0, tzinfo=UTC))
    assert c.valid_from == date(2016, 3, 1) and c.issued.utcoffset() == timedelta(hours=7)
