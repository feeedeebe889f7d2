"""Signed certificates: a certification report's verdict bound to the report and the transcript
it rests on, signed with the installation's Ed25519 key so it can be checked years later.

The certificate holds the SHA-256 of the report's canonical JSON and the head hash of the axis
transcript chain, so changing one byte of either breaks it. The signing key is generated once
per installation (:meth:`CertificateSigner.load_or_create`) into a folder readable only by its
owner, never committed; its public key travels inside every certificate, and an officer pins
it by fingerprint (``trusted_fingerprint``) to know *who* signed, not only that nothing changed.
The transcript is checked by the axis's own chain verification (``axis.transcript``), passed in
as a :class:`TranscriptCheck`, so the hash definition exists once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reports import schema
from reports.errors import CertificateError, ReportFormatError
from reports.model import Report

FORMAT = "lienthong-certificate/1"
ALGORITHM = "Ed25519"
DEFAULT_KEY_DIR = Path("reports/out/keys")
PRIVATE_KEY_FILE = "certificate-signing-key.pem"
PUBLIC_KEY_FILE = "certificate-signing-key.pub.pem"

__all__ = [
    "DEFAULT_KEY_DIR",
    "CertificateCheck",
    "CertificateSigner",
    "TranscriptCheck",
    "canonical_json",
    "report_digest",
    "verify_certificate",
]


def canonical_json(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, ASCII only — the bytes that are hashed and
    signed, so the digest does not depend on indentation."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def report_digest(report_json: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of a report as read from ``report.json``."""
    return hashlib.sha256(canonical_json(report_json)).hexdigest()


def _fingerprint(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class CertificateSigner:
    """Signs certificates with one Ed25519 private key."""

    __slots__ = ("_key",)

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key

    def __repr__(self) -> str:
        return f"CertificateSigner(<Ed25519 key {self.fingerprint[:16]}…>)"

    @classmethod
    def generate(cls) -> CertificateSigner:
        """A signer with a fresh key held only in memory."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, key_dir: Path = DEFAULT_KEY_DIR) -> CertificateSigner:
        """The installation's signer: the key in ``key_dir``, created (owner-only, with a
        ``.gitignore`` that keeps the folder out of git) when there is none yet. Raises
        ``CertificateError`` when the key file is readable by others or is not a key."""
        key_dir = Path(key_dir)
        path = key_dir / PRIVATE_KEY_FILE
        if not path.exists():
            cls._create(key_dir)
        return cls._load(path)

    @classmethod
    def _create(cls, key_dir: Path) -> None:
        key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        ignore = key_dir / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# signing keys never go into git\n*\n", "utf-8")
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Write a private temporary file, then link it into place: a concurrent creator either
        # wins the link or finds a complete key, never half a file.
        tmp = key_dir / f".{PRIVATE_KEY_FILE}.{secrets.token_hex(8)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            try:
                os.link(tmp, key_dir / PRIVATE_KEY_FILE)
            except FileExistsError:
                return
        finally:
            tmp.unlink()
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        (key_dir / PUBLIC_KEY_FILE).write_bytes(public)

    @classmethod
    def _load(cls, path: Path) -> CertificateSigner:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise CertificateError(
                f"signing key {str(path)!r} is readable by others (mode {mode:#o}); "
                f"run: chmod 600 {path}"
            )
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise CertificateError(f"{str(path)!r} is not a PEM private key: {exc}") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise CertificateError(f"{str(path)!r} holds a {type(key).__name__}, not Ed25519")
        return cls(key)

    @property
    def public_key(self) -> str:
        """The raw public key, base64."""
        return base64.b64encode(_raw(self._key.public_key())).decode("ascii")

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of the raw public key: what an officer pins."""
        return _fingerprint(_raw(self._key.public_key()))

    def sign(self, report: Report, *, issued_at: datetime) -> dict[str, Any]:
        """The signed certificate (a JSON object) for ``report`` as written by
        ``report.dumps()``."""
        if issued_at.tzinfo is None:
            raise ValueError(f"issued_at={issued_at!r} must carry a timezone")
        data = report.to_json()
        body: dict[str, Any] = {
            "format": FORMAT,
            "report_sha256": report_digest(data),
            "transcript_sha256": report.transcript_sha256,
            "transcript_events": report.transcript_events,
            "verdict": data["verdict"],
            "reason": data["reason"],
            "profile": report.profile,
            "suite_version": report.suite_version,
            "sut": report.sut.to_json(),
            "seed": report.seed,
            "started": data["started"],
            "finished": data["finished"],
            "issued_at": issued_at.isoformat(),
            "signer": {
                "algorithm": ALGORITHM,
                "public_key": self.public_key,
                "fingerprint": self.fingerprint,
            },
        }
        signature = self._key.sign(canonical_json(body))
        return {**body, "signature": base64.b64encode(signature).decode("ascii")}


class TranscriptCheck(Protocol):
    """What checking a transcript export gives (``axis.transcript.Verification`` is one)."""

    @property
    def ok(self) -> bool: ...

    @property
    def events(self) -> int: ...

    @property
    def head(self) -> str: ...


@dataclass(slots=True)
class CertificateCheck:
    """The outcome of verifying a certificate: ``problems`` is empty when it is valid;
    ``checked`` says what was verified."""

    certificate: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# Certificate fields that must say what the report says.
_MIRRORED = (
    "transcript_sha256",
    "transcript_events",
    "verdict",
    "reason",
    "profile",
    "suite_version",
    "sut",
    "seed",
    "started",
    "finished",
)


def _check_signature(certificate: dict[str, Any]) -> str | None:
    body = {k: v for k, v in certificate.items() if k != "signature"}
    try:
        public = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(certificate["signer"]["public_key"], validate=True)
        )
        public.verify(
            base64.b64decode(certificate["signature"], validate=True), canonical_json(body)
        )
    except (InvalidSignature, ValueError, binascii.Error):
        return "the signature does not verify: the certificate was changed after it was signed"
    return None


def verify_certificate(
    certificate: Any,
    report_json: Any,
    *,
    transcript: TranscriptCheck | None = None,
    trusted_fingerprint: str | None = None,
) -> CertificateCheck:
    """Check a certificate against the report JSON it certifies and, when given, the axis's
    check of the transcript export. Raises ``ReportFormatError`` when ``certificate`` is not a
    certificate at all; every other problem is listed in the result."""
    schema.check(schema.CERTIFICATE_SCHEMA, certificate, "certificate")
    result = CertificateCheck(certificate)
    problem = _check_signature(certificate)
    if problem:
        result.problems.append(problem)
        return result
    signer = certificate["signer"]
    result.checked.append(f"Ed25519 signature by key {signer['fingerprint']}")
    if _fingerprint(base64.b64decode(signer["public_key"])) != signer["fingerprint"]:
        result.problems.append("the signer fingerprint is not the SHA-256 of its public key")
    if trusted_fingerprint is not None:
        if signer["fingerprint"] != trusted_fingerprint.strip().lower():
            result.problems.append(
                f"signed by key {signer['fingerprint']}, not the trusted key "
                f"{trusted_fingerprint!r}"
            )
        else:
            result.checked.append("the signing key is the trusted key")
    _check_report(certificate, report_json, result)
    if transcript is not None:
        _check_transcript(certificate, transcript, result)
    return result


def _check_report(certificate: dict[str, Any], report_json: Any, result: CertificateCheck) -> None:
    digest = report_digest(report_json)
    if digest != certificate["report_sha256"]:
        result.problems.append(
            f"the report does not match the certificate: its digest is {digest}, the certificate "
            f"says {certificate['report_sha256']} (the report was changed or is another run's)"
        )
        return
    result.checked.append(f"report digest {digest}")
    try:
        report = Report.from_json(report_json).to_json()
    except ReportFormatError as exc:
        result.problems.append(f"the certified report is not a valid report: {exc}")
        return
    for key in _MIRRORED:
        if certificate[key] != report[key]:
            result.problems.append(
                f"the certificate's {key} {certificate[key]!r} differs from the report's "
                f"{report[key]!r}"
            )


def _check_transcript(
    certificate: dict[str, Any], transcript: TranscriptCheck, result: CertificateCheck
) -> None:
    if not transcript.ok:
        result.problems.append(f"the transcript's hash chain is broken: {transcript}")
        return
    expected = certificate["transcript_sha256"]
    if transcript.head != expected or transcript.events != certificate["transcript_events"]:
        result.problems.append(
            f"the transcript does not match: it has {transcript.events} events with head hash "
            f"{transcript.head}, the certificate says {certificate['transcript_events']} events "
            f"with head {expected}"
        )
        return
    result.checked.append(f"transcript head {expected} after {transcript.events} events")
