"""Reading certificate files: verified against trusted keys (untrusted and forged refused with
the reason), parsed into the board's Certificate, with the certified report's outcomes when the
report lies beside it; trusted keys from files and folders."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key

from board.certificates import (
    TrustStatus,
    load_trusted_keys,
    read_certificate,
    verify_document,
)
from board.errors import CertificateRefused, TrustedKeyError
from board.issuing import issue_from_report, write_certificate, write_public_key
from reports.certificate import canonical_json, report_digest
from reports.model import Outcome, Verdict
from tests.board.helpers import BINH_DINH, EOFFICE, MIC, NOW, TODAY, Signer
from tests.reports.samples import sample_report, with_verdicts


def refused(path: Path, signer: Signer) -> CertificateRefused:
    with pytest.raises(CertificateRefused) as caught:
        read_certificate(path, signer.trusted)
    return caught.value


def test_a_genuine_certificate_reads_with_every_fact(signer: Signer, tmp_path: Path) -> None:
    path = signer.file(tmp_path / "run", party=MIC, officer="Trần Thị B")
    c = read_certificate(path.parent, signer.trusted)  # the run folder works too
    assert c.verdict is Verdict.CERTIFIED and c.certified
    assert c.party == MIC and c.software == EOFFICE and c.profile == "full"
    assert c.issued == NOW and c.valid_from == TODAY and c.officer == "Trần Thị B"
    assert c.signer == signer.document()["signer"]["fingerprint"]
    assert c.verify(signer.trusted).ok
    assert c.results is None  # no report beside it
    again = read_certificate(path, signer.trusted)
    assert again.digest == c.digest and len(c.digest) == 64


def test_a_certificate_signed_by_another_key_is_refused_as_untrusted(tmp_path: Path) -> None:
    stranger, office = Signer(), Signer()
    error = refused(stranger.file(tmp_path), office)
    assert error.kind == "untrusted"
    assert stranger.document()["signer"]["fingerprint"] in error.reasons[0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("verdict", "CERTIFIED"),
        ("software", {"vendor": "X", "product": "Y", "version": "1", "build": "other"}),
        ("party", {"organ_id": "000.00.00.H24", "agency": "Hà Nội", "system_id": "00.24.W00"}),
        ("valid_until", "2030-01-01"),
        ("waivers", []),
        ("mutant", None),
    ],
)
def test_any_edit_after_signing_is_refused_as_forged(
    signer: Signer, tmp_path: Path, field: str, value: object
) -> None:
    document = signer.document(
        verdict="NOT CERTIFIED",
        mutant="repeats-03",
        waivers=[],
        valid_until=TODAY.replace(year=2017),
    )
    document[field] = value if document[field] != value else "changed"
    write_certificate(tmp_path, document)
    error = refused(tmp_path / "certificate.json", signer)
    assert error.kind == "forged"
    assert "changed after it was signed" in error.reasons[0]


def test_a_swapped_public_key_claiming_the_trusted_fingerprint_is_forged(
    signer: Signer, tmp_path: Path
) -> None:
    # An attacker signs with their own key and names the office's fingerprint: verification
    # uses the trusted key the fingerprint names, never the key the certificate carries.
    attacker = Signer()
    document = attacker.document()
    document["signer"]["fingerprint"] = signer.document()["signer"]["fingerprint"]
    check = verify_document(document, signer.trusted)
    assert check.status is TrustStatus.FORGED


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
    ],
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


def resign(signer: Signer, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` signed again by ``signer`` after a change: a genuine signature over it."""
    body = {k: v for k, v in document.items() if k != "signature"}
    signature = base64.b64encode(signer.key.sign(canonical_json(body))).decode()
    return {**body, "signature": signature}


def test_the_old_format_is_refused_with_what_to_do(signer: Signer, tmp_path: Path) -> None:
    document = signer.document()
    document["format"] = "lienthong-certificate/1"
    write_certificate(tmp_path, resign(signer, document))
    error = refused(tmp_path / "certificate.json", signer)
    assert error.kind == "malformed"
    assert "names no agency, build or validity" in error.reasons[0]


def test_a_signed_body_missing_facts_lists_each(signer: Signer, tmp_path: Path) -> None:
    document = signer.document()
    del document["software"]["build"]
    document["party"]["organ_id"] = "00.08.W00"
    document["valid_from"] = "first of March"
    write_certificate(tmp_path, resign(signer, document))
    reasons = " | ".join(refused(tmp_path / "certificate.json", signer).reasons)
    assert "software.build is missing" in reasons
    assert "names a connection system" in reasons
    assert "'first of March' is not an ISO date" in reasons


def test_the_report_beside_it_gives_outcomes_and_must_be_the_certified_one(
    signer: Signer, tmp_path: Path
) -> None:
    report = sample_report()
    text = report.dumps()
    data = json.loads(text)
    certificate = issue_from_report(
        signer.key,
        data,
        party=BINH_DINH,
        software=EOFFICE,
        issued=NOW,
        valid_from=TODAY,
        valid_until=TODAY.replace(year=2017),
        officer="test",
    )
    assert certificate["report_sha256"] == report_digest(data)
    path = write_certificate(tmp_path / "run", certificate, text)
    found = read_certificate(path, signer.trusted)
    assert found.results is not None
    assert {r.id: r.verdict for r in found.results} == {
        r.id: r.verdict.value for r in report.requirements
    }
    assert found.verdict.value == data["verdict"]
    # Another run's report beside the same certificate: refused, never silently ignored.
    other = with_verdicts(report, **{report.requirements[0].id: Outcome.NOT_TESTED})
    (tmp_path / "run" / "report.json").write_text(other.dumps(), "utf-8")
    error = refused(path, signer)
    assert error.kind == "forged" and "another run's" in error.reasons[0]
    assert read_certificate(path, signer.trusted, with_report=False).results is None


def test_trusted_keys_from_files_and_folders(tmp_path: Path) -> None:
    a, b = Signer(), Signer()
    folder = tmp_path / "trusted"
    write_public_key(a.key, folder, "office-2016.pem")
    write_public_key(b.key, folder, "office-2017.pub")
    (folder / "README.txt").write_text("keys of the certification office", "utf-8")
    single = write_public_key(b.key, tmp_path, "b.pem")
    keys = load_trusted_keys([single], [folder, tmp_path / "missing"])
    assert len(keys) == 2
    assert a.trusted.fingerprints | b.trusted.fingerprints == keys.fingerprints
    assert load_trusted_keys(folders=[tmp_path / "missing"]).fingerprints == frozenset()


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
    with pytest.raises(TrustedKeyError, match="cannot read"):
        load_trusted_keys([tmp_path / "absent.pem"])
