"""A test certificate authority: the stand-in for the Government Cipher Committee's CA.

The harness generates the CA and the agencies' signing keys at run time (they are never
committed). A run that passes a ``seed`` gets byte-identical keys and certificates every time,
so its signed documents replay exactly; such a CA is reproducible by anyone who knows the seed
and is for testing only. Vendors running the suite import the CA certificate and their agency's
key from the folder that :meth:`TestCA.write` fills.
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import gcd, prod
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from spec.errors import SpecError
from spec.organ_ids import parse_organ_id

KEY_BITS = 2048
_EXPONENT = 65537
_CA_KEY = "ca.key.pem"
_CA_CERT = "ca.cert.pem"
_AGENCY_KEY = ".key.pem"
_AGENCY_CERT = ".cert.pem"
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p**0.5) + 1, 2))]
_SMALL_PRODUCT = prod(_SMALL_PRIMES)


class CertificateAuthorityError(SpecError, ValueError):
    """A test-CA folder that cannot be read back, or an argument no certificate can carry."""


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise CertificateAuthorityError(
            f"now={now!r} must be timezone-aware (use datetime.now(UTC))"
        )


# -- keys --------------------------------------------------------------------------------


def _probable_prime(n: int, rng: random.Random, rounds: int = 5) -> bool:
    # Five Miller-Rabin rounds suffice for random 1024-bit candidates (FIPS 186-4, table C.3).
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        # Top two bits set so that the product of two primes has exactly 2 * bits bits.
        candidate = rng.getrandbits(bits) | (0b11 << (bits - 2)) | 1
        if (
            gcd(candidate, _SMALL_PRODUCT) == 1
            and gcd(candidate - 1, _EXPONENT) == 1
            and _probable_prime(candidate, rng)
        ):
            return candidate


def _seeded_key(rng: random.Random) -> rsa.RSAPrivateKey:
    """An RSA key drawn from ``rng``: reproducible, hence never for real use."""
    half = KEY_BITS // 2
    p = _prime(half, rng)
    q = _prime(half, rng)
    while q == p:
        q = _prime(half, rng)
    d = pow(_EXPONENT, -1, (p - 1) * (q - 1))
    return rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p),
        dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(_EXPONENT, p * q),
    ).private_key()


def _new_key(rng: random.Random | None) -> rsa.RSAPrivateKey:
    if rng is None:
        return rsa.generate_private_key(public_exponent=_EXPONENT, key_size=KEY_BITS)
    return _seeded_key(rng)


def _serial(rng: random.Random | None) -> int:
    return x509.random_serial_number() if rng is None else rng.getrandbits(159) | 1


# -- certificates --------------------------------------------------------------------------


def organ_id_of(certificate: x509.Certificate) -> str | None:
    """The organ id (mã định danh) an agency certificate was issued for, from its subject UID."""
    values = certificate.subject.get_attributes_for_oid(NameOID.USER_ID)
    return str(values[0].value) if values else None


def _ca_certificate(
    key: rsa.RSAPrivateKey, common_name: str, now: datetime, days: int, serial: int
) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "lienthong harness"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(serial)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


@dataclass(slots=True)
class Credentials:
    """An agency's signing key and the certificate the test CA issued for it."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def organ_id(self) -> str | None:
        return organ_id_of(self.certificate)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    # O_CREAT's mode does not apply to a file that already existed.
    path.chmod(0o600)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _read_key(path: Path) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise CertificateAuthorityError(
            f"cannot read the private key {str(path)!r}: {exc}"
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateAuthorityError(
            f"{str(path)!r} holds a {type(key).__name__}, not an RSA private key"
        )
    return key


def _read_cert(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CertificateAuthorityError(
            f"cannot read the certificate {str(path)!r}: {exc}"
        ) from exc


@dataclass(slots=True)
class TestCA:
    """A CA key and its self-signed certificate, and the agency credentials it has issued
    (keyed by organ id). Build one with :meth:`create` or :meth:`load`."""

    __test__ = False  # a domain class, not a pytest test class

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    seed: int | None = None
    issued: dict[str, Credentials] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"TestCA.create(common_name={self.common_name!r}, seed={self.seed!r}, "
            f"now={self.certificate.not_valid_before_utc!r})"
        )

    @property
    def common_name(self) -> str:
        cn = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(cn[0].value) if cn else self.certificate.subject.rfc4514_string()

    @classmethod
    def create(
        cls,
        common_name: str = "lienthong test CA",
        seed: int | None = None,
        *,
        now: datetime,
        days: int = 3650,
    ) -> TestCA:
        """A new CA valid for ``days`` from ``now``; with ``seed``, the same CA every time."""
        _require_aware(now)
        if days <= 0:
            raise CertificateAuthorityError(f"days(={days!r}) must be > 0")
        rng = None if seed is None else random.Random(f"lienthong-ca:{seed}:{common_name}")
        key = _new_key(rng)
        return cls(key, _ca_certificate(key, common_name, now, days, _serial(rng)), seed)

    def issue(
        self, subject_cn: str, organ_id: str, *, now: datetime, days: int = 365
    ) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        """A signing key and certificate for the agency ``organ_id``, valid ``days`` from ``now``.

        The organ id goes in the subject's UID (read it back with :func:`organ_id_of`). The
        credentials are remembered under the organ id for :meth:`write`.
        """
        _require_aware(now)
        parse_organ_id(organ_id)
        if not subject_cn.strip():
            raise CertificateAuthorityError(f"subject_cn(={subject_cn!r}) must not be blank")
        if days <= 0:
            raise CertificateAuthorityError(f"days(={days!r}) must be > 0")
        rng = (
            None
            if self.seed is None
            else random.Random(
                f"lienthong-agency:{self.seed}:{organ_id}:{subject_cn}:{now.isoformat()}"
            )
        )
        key = _new_key(rng)
        public = key.public_key()
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.USER_ID, organ_id),
                x509.NameAttribute(NameOID.COMMON_NAME, subject_cn),
            ]
        )
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(public)
            .serial_number(_serial(rng))
            .not_valid_before(now)
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )
        self.issued[organ_id] = Credentials(key, certificate)
        return key, certificate

    def write(self, folder: Path | str) -> list[Path]:
        """Write the CA and every issued credential as PEM files readable by the owner only.

        ``ca.cert.pem`` and ``ca.key.pem``, then ``<organ id>.cert.pem`` and
        ``<organ id>.key.pem`` per agency. The folder is created with mode 0700 when missing.
        Returns the paths written.
        """
        folder = Path(folder)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        files = [(_CA_CERT, _cert_pem(self.certificate)), (_CA_KEY, _key_pem(self.key))]
        for organ_id, creds in sorted(self.issued.items()):
            if not _SAFE_NAME.fullmatch(organ_id):
                raise CertificateAuthorityError(
                    f"organ id {organ_id!r} cannot be used as a file name"
                )
            files.append((organ_id + _AGENCY_CERT, _cert_pem(creds.certificate)))
            files.append((organ_id + _AGENCY_KEY, _key_pem(creds.key)))
        written = []
        for name, data in files:
            path = folder / name
            _write_private(path, data)
            written.append(path)
        return written

    @classmethod
    def load(cls, folder: Path | str) -> TestCA:
        """Read back a CA written by :meth:`write`, with its issued credentials."""
        folder = Path(folder)
        key = _read_key(folder / _CA_KEY)
        certificate = _read_cert(folder / _CA_CERT)
        if key.public_key() != certificate.public_key():
            raise CertificateAuthorityError(
                f"{str(folder / _CA_KEY)!r} is not the key of {_CA_CERT}"
            )
        ca = cls(key, certificate)
        for cert_path in sorted(folder.glob("*" + _AGENCY_CERT)):
            organ_id = cert_path.name.removesuffix(_AGENCY_CERT)
            if organ_id == "ca":
                continue
            ca.issued[organ_id] = Credentials(
                _read_key(folder / (organ_id + _AGENCY_KEY)), _read_cert(cert_path)
            )
        return ca
