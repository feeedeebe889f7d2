"""Verifying a certificate: is it intact, is it the record of the report and the transcript
beside it, did a trusted key sign it, and is it valid today?

:func:`verify_certificate` works on what the caller has read (the certificate JSON, and when
available the report JSON, a check of the transcript export and the waivers file's bytes) and
returns a :class:`Verification`: one :class:`VerificationStatus` word, the reasons, what was
checked and what was not, and the certificate's facts as a typed :class:`Certificate`.
:func:`verify_certificate_file` reads a certificate and the files beside it. Neither imports
pytest or the suite: the onboarding board calls them on import.

Statuses, strongest first: INVALID (the signature does not verify, or the certificate
disagrees with its report, transcript or waivers file), UNTRUSTED (intact, but signed by a key
the verifier does not trust, or no key is trusted at all), EXPIRED (genuine and trusted, but
past its last day of validity in Vietnam), VALID.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from reports.certificate import canonical_json, certificate_digest, certificate_facts, report_digest
from reports.certificate_document import CertificateDocument
from reports.errors import ReportFormatError, VerificationInputError
from reports.keys import TrustedKeys, fingerprint_of
from reports.layout import CERTIFICATE_JSON, REPORT_JSON, TRANSCRIPT_JSONL, WAIVERS_YAML
from reports.model import Report, Verdict, Waiver, override_text

__all__ = [
    "Certificate",
    "TranscriptCheck",
    "Verification",
    "VerificationStatus",
    "verify_certificate",
    "verify_certificate_file",
]


class VerificationStatus(enum.StrEnum):
    """The one word a verification ends in."""

    VALID = "VALID"
    EXPIRED = "EXPIRED"
    UNTRUSTED = "UNTRUSTED"
    INVALID = "INVALID"

    def __repr__(self) -> str:
        return f"VerificationStatus.{self.name}"


class TranscriptCheck(Protocol):
    """What checking a transcript export gives (``axis.transcript.Verification`` is one)."""

    @property
    def ok(self) -> bool: ...

    @property
    def events(self) -> int: ...

    @property
    def head(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Certificate:
    """The facts of a certificate as people read them, flat (read with :meth:`read` from a
    certificate that matches its schema). ``valid_until`` is None unless the verdict is
    CERTIFIED."""

    verdict: Verdict
    reason: str
    organ_id: str
    agency: str
    system_id: str
    vendor: str
    product: str
    version: str
    build: str | None
    profile: str
    require_signature: bool
    overrides: dict[str, Any]
    requirements: tuple[str, ...]
    must_passed: int
    must_waived: int
    must_total: int
    mutant: str | None
    waivers: tuple[Waiver, ...]
    waivers_sha256: str | None
    suite_version: str
    catalogue_sha256: str
    checks_sha256: str
    axis_kind: str
    axis_url: str
    transcript_sha256: str
    transcript_events: int
    report_sha256: str
    issued: datetime
    valid_from: date
    valid_until: date | None
    officer: str | None
    signer_fingerprint: str
    digest: str

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> Certificate:
        """The typed facts of the certificate JSON ``data``; raises ``ReportFormatError`` when
        it is not a certificate (its schema)."""
        return cls.of(CertificateDocument.from_json(data), certificate_digest(data))

    @classmethod
    def of(cls, document: CertificateDocument, digest: str) -> Certificate:
        """The facts of ``document``, whose digest (of the JSON it was read from) is
        ``digest``."""
        party, software, profile = document.party, document.software, document.profile
        return cls(
            verdict=document.verdict,
            reason=document.reason,
            organ_id=party.organ_id,
            agency=party.agency,
            system_id=party.system_id,
            vendor=software.vendor,
            product=software.product,
            version=software.version,
            build=software.build,
            profile=profile.name,
            require_signature=profile.require_signature,
            overrides=dict(profile.overrides),
            requirements=profile.requirements,
            must_passed=profile.must_passed,
            must_waived=profile.must_waived,
            must_total=profile.must_total,
            mutant=document.mutant,
            waivers=document.waivers.applied,
            waivers_sha256=document.waivers.file_sha256,
            suite_version=document.suite.version,
            catalogue_sha256=document.suite.catalogue_sha256,
            checks_sha256=document.suite.checks_sha256,
            axis_kind=document.axis.kind,
            axis_url=document.axis.url,
            transcript_sha256=document.transcript.sha256,
            transcript_events=document.transcript.events,
            report_sha256=document.report_sha256,
            issued=document.issued,
            valid_from=document.valid_from,
            valid_until=document.valid_until,
            officer=document.officer,
            signer_fingerprint=document.signer.fingerprint,
            digest=digest,
        )

    @property
    def software(self) -> str:
        """``product version (build b) by vendor``."""
        build = f", build {self.build}" if self.build else ", no build id"
        mutant = f", mutant {self.mutant}" if self.mutant else ""
        return f"{self.product} {self.version} by {self.vendor}{build}{mutant}"

    def validity_text(self) -> str:
        if self.valid_until is None:
            return f"a record of {self.verdict.value}, issued {self.valid_from.isoformat()}"
        return f"valid {self.valid_from.isoformat()} to {self.valid_until.isoformat()}"

    def waivers_text(self) -> str:
        if not self.waivers:
            return "none"
        return "; ".join(
            f"{w.requirement} approved by {w.approved_by} until {w.expires.isoformat()}"
            for w in self.waivers
        )

    def overrides_text(self) -> str:
        return override_text(self.overrides)


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of verifying one certificate.

    ``status`` is the word; ``problems`` say why it is INVALID (empty otherwise); ``checked``
    lists what was verified; ``notes`` what was not, and why; ``certificate`` holds the facts
    (None only when the certificate is not one at all, which :func:`verify_certificate`
    raises for instead); ``trusted_by`` says where the trust in the signer came from."""

    status: VerificationStatus
    certificate: Certificate
    problems: tuple[str, ...] = ()
    checked: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    trusted_by: str | None = None

    @property
    def ok(self) -> bool:
        """Genuine, trusted and valid today."""
        return self.status is VerificationStatus.VALID

    def verdict_line(self) -> str:
        """One line: the status, then who signed what for whom, and until when."""
        c = self.certificate
        head = f"{self.status.value}: {c.verdict.value}"
        if self.status is VerificationStatus.INVALID:
            return f"{head} (not to be relied on: {self.problems[0]})"
        return (
            f"{head} — agency {c.agency} ({c.organ_id}, system {c.system_id}); software "
            f"{c.software}; profile {c.profile}, overrides: {c.overrides_text()}; MUST "
            f"{c.must_passed + c.must_waived}/{c.must_total} ({c.must_waived} waived); waivers: "
            f"{c.waivers_text()}; {c.validity_text()}; signed by {c.signer_fingerprint}"
        )


def _signature_problem(certificate: Mapping[str, Any]) -> str | None:
    body = {k: v for k, v in certificate.items() if k != "signature"}
    signer = certificate["signer"]
    try:
        public = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(signer["public_key"], validate=True)
        )
        public.verify(
            base64.b64decode(certificate["signature"], validate=True), canonical_json(body)
        )
    except (InvalidSignature, ValueError, binascii.Error):
        return "the signature does not verify: the certificate was changed after it was signed"
    if fingerprint_of(public) != signer["fingerprint"]:
        return "the signer's fingerprint is not the SHA-256 of its public key"
    return None


def _diff(path: str, stated: Any, found: Any, out: list[str]) -> None:
    if isinstance(stated, dict) and isinstance(found, dict):
        for key in sorted(set(stated) | set(found)):
            _diff(f"{path}.{key}", stated.get(key), found.get(key), out)
        return
    if stated != found:
        out.append(f"the certificate's {path} is {stated!r} but its report says {found!r}"[:400])


class _Checks:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.checked: list[str] = []
        self.notes: list[str] = []


def _check_report(certificate: Mapping[str, Any], report_json: Any, out: _Checks) -> None:
    digest = report_digest(report_json)
    if digest != certificate["report_sha256"]:
        out.problems.append(
            f"the report does not match the certificate: its digest is {digest}, the "
            f"certificate says {certificate['report_sha256']} (the report was changed after "
            "signing, or is another run's)"
        )
        return
    try:
        Report.from_json(report_json)
    except ReportFormatError as exc:
        out.problems.append(f"the certified report is not a valid report: {exc}")
        return
    facts = certificate_facts(report_json)
    found: list[str] = []
    for key, value in facts.items():
        _diff(key, certificate[key], value, found)
    out.problems.extend(found)
    if not found:
        out.checked.append(f"report digest {digest}; every fact of the certificate is the report's")


def _check_transcript(
    certificate: Mapping[str, Any], transcript: TranscriptCheck, out: _Checks
) -> None:
    if not transcript.ok:
        out.problems.append(f"the transcript's hash chain is broken: {transcript}")
        return
    stated = certificate["transcript"]
    if transcript.head != stated["sha256"] or transcript.events != stated["events"]:
        out.problems.append(
            f"the transcript does not match: it has {transcript.events} events with head hash "
            f"{transcript.head}, the certificate says {stated['events']} events with head "
            f"{stated['sha256']} (another run's transcript, or a changed one)"
        )
        return
    out.checked.append(f"transcript head {stated['sha256']} after {stated['events']} events")


def _check_waivers(certificate: Mapping[str, Any], waivers: bytes | None, out: _Checks) -> None:
    stated = certificate["waivers"]["file_sha256"]
    if stated is None:
        if waivers is not None:
            out.problems.append(
                "a waivers file lies beside the certificate, but the run applied none (a "
                "waiver added after signing does not count)"
            )
        return
    if waivers is None:
        out.notes.append("the waivers file was not checked (not given)")
        return
    digest = hashlib.sha256(waivers).hexdigest()
    if digest != stated:
        out.problems.append(
            f"the waivers file is not the one applied: its SHA-256 is {digest}, the "
            f"certificate says {stated} (a waiver added or changed after signing)"
        )
        return
    out.checked.append(f"waivers file {digest}")


def verify_certificate(
    certificate: Mapping[str, Any],
    *,
    trusted: TrustedKeys,
    today: date,
    report: Any = None,
    transcript: TranscriptCheck | None = None,
    waivers: bytes | None = None,
) -> Verification:
    """Verify ``certificate`` (its JSON object) against the keys the caller ``trusted``, on
    ``today`` (a Vietnam date: ``spec.clock.vietnam_today(clock)``).

    ``report`` is the report JSON it certifies, ``transcript`` the axis's check of the
    transcript export, ``waivers`` the bytes of the waivers file applied; each is checked when
    given, and a note says so when it is not. Raises ``ReportFormatError`` when
    ``certificate`` is not a certificate at all; every other problem is in the result."""
    facts = Certificate.read(certificate)
    out = _Checks()
    problem = _signature_problem(certificate)
    if problem is not None:
        return Verification(VerificationStatus.INVALID, facts, (problem,))
    out.checked.append(f"Ed25519 signature by key {facts.signer_fingerprint}")
    if report is not None:
        _check_report(certificate, report, out)
    else:
        out.notes.append("the report was not checked (not given)")
    if transcript is not None:
        _check_transcript(certificate, transcript, out)
    else:
        out.notes.append("the transcript was not checked (not given)")
    _check_waivers(certificate, waivers, out)
    if facts.valid_from > today:
        out.problems.append(
            f"the certificate is valid only from {facts.valid_from.isoformat()}, after today "
            f"({today.isoformat()}): it was issued by a clock in the future"
        )
    status, trusted_by = _status(facts, out, trusted, today)
    return Verification(
        status, facts, tuple(out.problems), tuple(out.checked), tuple(out.notes), trusted_by
    )


def _status(
    facts: Certificate, out: _Checks, trusted: TrustedKeys, today: date
) -> tuple[VerificationStatus, str | None]:
    if out.problems:
        return VerificationStatus.INVALID, None
    fingerprint = facts.signer_fingerprint
    if not trusted:
        out.notes.append(
            "no key is trusted: give --trusted-key FILE|FINGERPRINT or put the certification "
            "office's public keys in the trusted-keys folder"
        )
        return VerificationStatus.UNTRUSTED, None
    if fingerprint not in trusted:
        out.notes.append(f"signed by key {fingerprint}, which is not a trusted key")
        return VerificationStatus.UNTRUSTED, None
    source = trusted.source(fingerprint)
    out.checked.append(f"the signing key is trusted ({source})")
    if facts.valid_until is not None and today > facts.valid_until:
        out.notes.append(
            f"expired: valid until {facts.valid_until.isoformat()}, today is {today.isoformat()}"
        )
        return VerificationStatus.EXPIRED, source
    return VerificationStatus.VALID, source


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_bytes())
    except OSError as exc:
        raise VerificationInputError(
            f"cannot read {what} {str(path)!r}: {exc.strerror or exc}"
        ) from exc
    except ValueError as exc:
        raise VerificationInputError(f"{what} {str(path)!r} is not JSON: {exc}") from exc


def _beside(given: Path | None, folder: Path, name: str) -> Path | None:
    if given is not None:
        return given
    found = folder / name
    return found if found.exists() else None


def verify_certificate_file(
    path: Path,
    *,
    trusted: TrustedKeys,
    today: date,
    check_transcript: Callable[[Path], TranscriptCheck] | None = None,
    report: Path | None = None,
    transcript: Path | None = None,
    waivers: Path | None = None,
) -> Verification:
    """Verify the certificate at ``path`` (a ``certificate.json`` or the run folder holding
    it) with the files beside it: ``report.json``, ``transcript.jsonl`` (checked with
    ``check_transcript``, e.g. ``axis.transcript.verify_file``) and ``waivers.yaml``, or the
    ones given. The report and the transcript must be there (a certificate is verified against
    its evidence); raises ``VerificationInputError`` when a file is missing or unreadable, and
    ``ReportFormatError`` when the certificate is not one."""
    path = Path(path)
    if path.is_dir():
        path = path / CERTIFICATE_JSON
    folder = path.parent
    certificate = _read_json(path, "certificate")
    report_path = _beside(report, folder, REPORT_JSON)
    if report_path is None:
        raise VerificationInputError(
            f"no {REPORT_JSON} beside {str(path)!r}: give the certified report with --report"
        )
    report_json = _read_json(report_path, "report")
    transcript_check = None
    if check_transcript is not None:
        transcript_path = _beside(transcript, folder, TRANSCRIPT_JSONL)
        if transcript_path is None:
            raise VerificationInputError(
                f"no {TRANSCRIPT_JSONL} beside {str(path)!r}: give the run's transcript export "
                "with --transcript"
            )
        try:
            transcript_check = check_transcript(transcript_path)
        except (OSError, UnicodeDecodeError) as exc:
            raise VerificationInputError(
                f"cannot read transcript {str(transcript_path)!r}: {exc}"
            ) from exc
    waivers_bytes = None
    waivers_path = _beside(waivers, folder, WAIVERS_YAML)
    if waivers_path is not None:
        try:
            waivers_bytes = waivers_path.read_bytes()
        except OSError as exc:
            raise VerificationInputError(
                f"cannot read waivers file {str(waivers_path)!r}: {exc.strerror}"
            ) from exc
    if not isinstance(certificate, dict):
        raise ReportFormatError(f"{str(path)!r} is not a certificate (not a JSON object)")
    return verify_certificate(
        certificate,
        trusted=trusted,
        today=today,
        report=report_json,
        transcript=transcript_check,
        waivers=waivers_bytes,
    )
