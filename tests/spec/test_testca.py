"""The harness's test CA: issuing agency certificates, reproducibility, and the PEM folder."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from spec.errors import InvalidOrganId
from spec.testca import KEY_BITS, CertificateAuthorityError, TestCA, organ_id_of
from tests.spec.certificates import ed25519_certificate

NOW = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA.create(now=NOW)


def _basic(cert: x509.Certificate) -> x509.BasicConstraints:
    return cert.extensions.get_extension_for_class(x509.BasicConstraints).value


def test_the_ca_is_a_self_signed_ca_valid_from_now(ca: TestCA) -> None:
    cert = ca.certificate
    assert cert.subject == cert.issuer and ca.common_name == "lienthong test CA"
    cert.verify_directly_issued_by(cert)
    assert _basic(cert).ca is True
    assert cert.not_valid_before_utc == NOW
    assert cert.not_valid_after_utc == NOW + timedelta(days=3650)
    assert ca.key.key_size == KEY_BITS


def test_an_agency_certificate_names_the_agency_and_chains_to_the_ca(ca: TestCA) -> None:
    key, cert = ca.issue("Văn thư Bộ Tài chính", "000.00.00.G12", now=NOW, days=30)
    cert.verify_directly_issued_by(ca.certificate)
    assert organ_id_of(cert) == "000.00.00.G12"
    assert "Văn thư Bộ Tài chính" in cert.subject.rfc4514_string()
    assert _basic(cert).ca is False
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == timedelta(days=30)
    assert key.public_key() == cert.public_key()
    assert key.key_size == KEY_BITS
    assert ca.issued["000.00.00.G12"].certificate == cert
    assert organ_id_of(ca.certificate) is None


def test_issue_refuses_bad_arguments(ca: TestCA) -> None:
    with pytest.raises(InvalidOrganId):
        ca.issue("x", "vxp.saas.03", now=NOW)
    with pytest.raises(CertificateAuthorityError, match="timezone-aware"):
        ca.issue("x", "000.00.00.G12", now=datetime(2026, 1, 1))
    with pytest.raises(CertificateAuthorityError, match=r"days\(=0\) must be > 0"):
        ca.issue("x", "000.00.00.G12", now=NOW, days=0)
    with pytest.raises(CertificateAuthorityError, match="subject_cn"):
        ca.issue("  ", "000.00.00.G12", now=NOW)


@pytest.mark.slow
def test_a_seed_gives_the_same_ca_and_agency_keys_every_time() -> None:
    first = TestCA.create(seed=7, now=NOW)
    again = TestCA.create(seed=7, now=NOW)
    assert first.certificate == again.certificate
    assert first.key.private_numbers() == again.key.private_numbers()
    _, cert_a = first.issue("Văn thư", "000.00.00.H41", now=NOW)
    _, cert_b = again.issue("Văn thư", "000.00.00.H41", now=NOW)
    assert cert_a == cert_b
    cert_b.verify_directly_issued_by(first.certificate)
    other = TestCA.create(seed=8, now=NOW)
    assert other.key.public_key().public_numbers() != first.key.public_key().public_numbers()
    assert "seed=7" in repr(first)


def test_write_and_load_keep_everything_readable_by_the_owner_only(
    ca: TestCA, tmp_path: Path
) -> None:
    ca.issue("Văn thư UBND tỉnh Nghệ An", "000.00.00.H41", now=NOW)
    folder = tmp_path / "ca"
    written = ca.write(folder)
    names = {p.name for p in written}
    assert {"ca.cert.pem", "ca.key.pem", "000.00.00.H41.key.pem", "000.00.00.H41.cert.pem"} <= names
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    loaded = TestCA.load(folder)
    assert loaded.certificate == ca.certificate
    assert loaded.key.private_numbers() == ca.key.private_numbers()
    assert set(loaded.issued) == set(ca.issued)
    creds = loaded.issued["000.00.00.H41"]
    assert creds.organ_id == "000.00.00.H41"
    assert creds.key.public_key() == creds.certificate.public_key()
    # Rewriting over a file left readable by others tightens it again.
    (folder / "ca.key.pem").chmod(0o644)
    ca.write(folder)
    assert stat.S_IMODE((folder / "ca.key.pem").stat().st_mode) == 0o600


def test_load_says_what_is_wrong(ca: TestCA, tmp_path: Path) -> None:
    with pytest.raises(CertificateAuthorityError, match=r"ca\.key\.pem"):
        TestCA.load(tmp_path / "missing")
    ca.write(tmp_path)
    other = TestCA.create("another CA", now=NOW)
    (tmp_path / "ca.cert.pem").write_bytes(other.certificate.public_bytes(Encoding.PEM))
    with pytest.raises(CertificateAuthorityError, match="is not the key of"):
        TestCA.load(tmp_path)
    (tmp_path / "ca.cert.pem").write_bytes(ed25519_certificate(NOW).public_bytes(Encoding.PEM))
    with pytest.raises(CertificateAuthorityError, match="is not the key of"):
        TestCA.load(tmp_path)
