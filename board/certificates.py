"""Certificates as the board reads them: the signed record of a certification run
(``lienthong-certificate/2``, ``spec/schemas/certificate.schema.json``), verified by
:func:`reports.verify_certificate` against the keys the certification office trusts, as one
typed :class:`Certificate`.

This module is the only place in :mod:`board` that reads a certificate file. It never checks a
signature itself: reports' verification does, with the report, the waivers file and (when the
caller gives a checker) the transcript that lie beside the certificate, and its typed facts are
mapped here into the board's view (the party certified, the software with its build, the
profile, the validity). A certificate whose signature does not verify or that disagrees with
its evidence is *invalid*; a genuine one signed by a key that is not trusted is *untrusted*;
the board stores neither. An expired one is genuine: it is stored, and the readiness rules say
it has expired.

Trust is explicit: :class:`reports.TrustedKeys` (PEM public keys given one by one, or
fingerprints, or the ``*.pem`` files of a folder, which is how VPCP publishes its
certification keys, as ``lienthong keys export-public`` writes them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from board.errors import CertificateRefused, RegistryError, TrustedKeyError
from reports.certificate_document import FORMAT
from reports.errors import CertificateError, ReportFormatError
from reports.keys import TrustedKeys
from reports.layout import CERTIFICATE_JSON, REPORT_JSON, TRANSCRIPT_JSONL, WAIVERS_YAML
from reports.model import Verdict, Waiver
from reports.verification import Certificate as Facts
from reports.verification import (
    TranscriptCheck,
    Verification,
    VerificationStatus,
    verify_certificate,
)

MAX_CERTIFICATE_BYTES = 1 << 20
MAX_REPORT_BYTES = 64 << 20
MAX_WAIVERS_BYTES = 1 << 20

__all__ = [
    "FORMAT",
    "MAX_CERTIFICATE_BYTES",
    "Certificate",
    "Party",
    "RequirementOutcome",
    "Software",
    "TranscriptChecker",
    "TrustedKeys",
    "Verification",
    "VerificationStatus",
    "genuine",
    "load_trusted_keys",
    "parse_certificate",
    "read_certificate",
    "stored_certificate",
    "trust_reasons",
]

TranscriptChecker = Callable[[Path], TranscriptCheck]
"""Checks a transcript export's hash chain (``axis.transcript.verify_file``; the command line
passes it in, the board does not import the axis)."""


# --- trusted keys --------------------------------------------------------------------------


def load_trusted_keys(given: Iterable[str | Path] = (), folder: Path | None = None) -> TrustedKeys:
    """Trust each of ``given`` (a PEM public-key file or a 64-hex fingerprint) and every
    ``*.pem`` file of ``folder`` (a folder that does not exist holds no keys). Raises
    ``TrustedKeyError`` for a key that cannot be read or a ``folder`` that is a file: a broken
    trust store is an error, never silently fewer keys."""
    if folder is not None and Path(folder).exists() and not Path(folder).is_dir():
        raise TrustedKeyError(f"trusted-keys folder {str(folder)!r} is not a folder")
    try:
        return TrustedKeys.load(list(given), folder)
    except CertificateError as exc:
        raise TrustedKeyError(str(exc)) from exc


def genuine(verification: Verification) -> bool:
    """The certificate is intact and a trusted key signed it (valid today or expired: its dates
    are the readiness rules' business)."""
    return verification.status in (VerificationStatus.VALID, VerificationStatus.EXPIRED)


def trust_reasons(verification: Verification, trusted: TrustedKeys) -> tuple[str, ...]:
    """Why a verification against ``trusted`` is not genuine, one sentence each (empty when
    it is)."""
    if verification.status is VerificationStatus.INVALID:
        return verification.problems
    if verification.status is VerificationStatus.UNTRUSTED:
        known = f"{len(trusted.keys)} trusted key(s)" if trusted else "no trusted key at all"
        return (
            f"signed by key {verification.certificate.signer_fingerprint}, which is not trusted "
            f"({known}); trust the certification office's public key (`lienthong keys "
            "export-public`) with --trusted-key FILE or in the trusted-keys folder",
        )
    return ()


# --- the certificate -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    """Who was certified: the agency (organ id and name) and the connection system it used."""

    organ_id: str
    agency: str
    system_id: str


@dataclass(frozen=True, slots=True)
class Software:
    """What was certified or runs in production. ``build`` (commit, build number or package
    hash; None when the software gives none) is the identity a deployment must match;
    ``version`` is what people read."""

    vendor: str
    product: str
    version: str
    build: str | None

    @property
    def label(self) -> str:
        build = f"build {self.build}" if self.build else "no build id"
        return f"{self.product} {self.version} ({build})"


@dataclass(frozen=True, slots=True)
class RequirementOutcome:
    """One requirement's verdict in the certified report (``passed``, ``failed``, ``waived``,
    ``not tested``) and its level."""

    id: str
    level: str
    verdict: str


@dataclass(frozen=True, slots=True)
class Certificate:
    """A verified certificate as the board uses it: reports' typed facts
    (:class:`reports.Certificate`) arranged as the board reads them.

    ``digest`` is the SHA-256 of the canonical signed document (what the registry keys it by,
    so importing it twice changes nothing, and what the PDF's QR code carries); ``document``
    is that signed document, kept so the board can show it and verify it again against
    today's trusted keys; ``results`` are the report's per-requirement outcomes when the
    report came with it; ``checked`` and ``notes`` say what the verification at import checked
    (the signature, the report, the transcript, the waivers file, the key's trust) and what it
    could not. ``valid_until`` is None unless the verdict is CERTIFIED;
    ``requirement_subset`` is the requirements a partial run was focused on (None for a whole
    run)."""

    digest: str
    verdict: Verdict
    reason: str
    party: Party
    software: Software
    profile: str
    require_signature: bool
    overrides: Mapping[str, Any]
    requirement_subset: tuple[str, ...] | None
    must_passed: int
    must_waived: int
    must_total: int
    mutant: str | None
    waivers: tuple[Waiver, ...]
    waivers_sha256: str | None
    suite_version: str
    axis_kind: str
    axis_url: str
    transcript_sha256: str
    report_sha256: str
    issued: datetime
    valid_from: date
    valid_until: date | None
    officer: str | None
    signer: str
    document: Mapping[str, Any] = field(repr=False, compare=False)
    results: tuple[RequirementOutcome, ...] | None = field(default=None, repr=False)
    checked: tuple[str, ...] = field(default=(), repr=False, compare=False)
    notes: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __repr__(self) -> str:
        return (
            f"<Certificate {self.short} {self.verdict.value} {self.party.organ_id} "
            f"{self.software.label} {self.profile} until {self.valid_until}>"
        )

    @classmethod
    def of(
        cls,
        facts: Facts,
        document: Mapping[str, Any],
        results: tuple[RequirementOutcome, ...] | None = None,
        checked: Sequence[str] = (),
        notes: Sequence[str] = (),
    ) -> Certificate:
        """The board's view of reports' typed ``facts`` of the signed ``document``."""
        subset = facts.overrides.get("requirements")
        return cls(
            digest=facts.digest,
            verdict=facts.verdict,
            reason=facts.reason,
            party=Party(facts.organ_id, facts.agency, facts.system_id),
            software=Software(facts.vendor, facts.product, facts.version, facts.build),
            profile=facts.profile,
            require_signature=facts.require_signature,
            overrides=MappingProxyType(dict(facts.overrides)),
            requirement_subset=tuple(subset) if subset is not None else None,
            must_passed=facts.must_passed,
            must_waived=facts.must_waived,
            must_total=facts.must_total,
            mutant=facts.mutant,
            waivers=facts.waivers,
            waivers_sha256=facts.waivers_sha256,
            suite_version=facts.suite_version,
            axis_kind=facts.axis_kind,
            axis_url=facts.axis_url,
            transcript_sha256=facts.transcript_sha256,
            report_sha256=facts.report_sha256,
            issued=facts.issued,
            valid_from=facts.valid_from,
            valid_until=facts.valid_until,
            officer=facts.officer,
            signer=facts.signer_fingerprint,
            document=MappingProxyType(dict(document)),
            results=results,
            checked=tuple(checked),
            notes=tuple(notes),
        )

    @property
    def short(self) -> str:
        """The first 12 hex digits of the digest: how pages and tables name it."""
        return self.digest[:12]

    @property
    def certified(self) -> bool:
        return self.verdict is Verdict.CERTIFIED

    def override(self, name: str) -> Any:
        """The value of override ``name`` (None when the profile's default was kept)."""
        return self.overrides.get(name)

    def verify(self, trusted: TrustedKeys, today: date) -> Verification:
        """Verify the signed document again with reports' verification, against ``trusted``
        (today's trusted keys). The board judges dates itself, for any day it is asked about:
        a day before the certificate's validity begins is checked on its first day, so a
        certificate judged for an earlier date is not yet valid rather than invalid."""
        return verify_certificate(
            dict(self.document), trusted=trusted, today=max(today, self.valid_from)
        )


# --- reading -------------------------------------------------------------------------------


def _json_object(data: bytes, source: str, what: str) -> Any:
    try:
        value = json.loads(data)
    except ValueError as exc:
        raise CertificateRefused(source, "malformed", [f"{what} is not JSON: {exc}"]) from None
    if not isinstance(value, dict):
        raise CertificateRefused(source, "malformed", [f"{what} is not a JSON object"])
    return value


def _outcomes(report_json: Mapping[str, Any]) -> tuple[RequirementOutcome, ...]:
    # Read only after verification found the report to be the certified one, and valid.
    return tuple(
        RequirementOutcome(r["id"], r["level"], r["verdict"]) for r in report_json["requirements"]
    )


def _format_problem(document: Mapping[str, Any], exc: ReportFormatError) -> str:
    found = document.get("format")
    if found == "lienthong-certificate/1":
        return (
            f"format {found!r} is not {FORMAT!r}: that format names no agency, build or "
            "validity; certify again with a lienthong that names the agency (--organ-id)"
        )
    return f"not a certificate: {exc}"


def parse_certificate(
    data: bytes,
    trusted: TrustedKeys,
    *,
    today: date,
    source: str = "<certificate>",
    report: bytes | None = None,
    waivers: bytes | None = None,
    transcript: TranscriptCheck | None = None,
) -> Certificate:
    """The certificate in ``data`` (JSON bytes), verified by reports' verification against
    ``trusted`` on ``today`` (a Vietnam date), with the certified report's JSON (``report``),
    the waivers file applied (``waivers``) and the transcript's check when they came along.
    Raises ``CertificateRefused`` saying why for what is not a certificate, an invalid one (a
    signature that does not verify, evidence that disagrees) or an untrusted one."""
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise CertificateRefused(
            source, "malformed", [f"it is {len(data):,} bytes; a certificate is at most 1 MiB"]
        )
    document = _json_object(data, source, "the certificate")
    report_json = _json_object(report, source, REPORT_JSON) if report is not None else None
    try:
        verification = verify_certificate(
            document,
            trusted=trusted,
            today=today,
            report=report_json,
            transcript=transcript,
            waivers=waivers,
        )
    except ReportFormatError as exc:
        raise CertificateRefused(source, "malformed", [_format_problem(document, exc)]) from None
    if not genuine(verification):
        raise CertificateRefused(
            source, verification.status.value.lower(), trust_reasons(verification, trusted)
        )
    results = _outcomes(report_json) if report_json is not None else None
    return Certificate.of(
        verification.certificate,
        document,
        results,
        verification.checked,
        verification.notes,
    )


def _read(path: Path, limit: int, source: str, what: str) -> bytes:
    try:
        if path.stat().st_size > limit:
            raise CertificateRefused(
                source, "malformed", [f"{what} is over {limit >> 20} MiB; far more than one is"]
            )
        return path.read_bytes()
    except OSError as exc:
        raise CertificateRefused(source, "unreadable", [f"{what}: {exc.strerror or exc}"]) from None


def read_certificate(
    path: Path,
    trusted: TrustedKeys,
    *,
    today: date,
    check_transcript: TranscriptChecker | None = None,
) -> Certificate:
    """The certificate file at ``path`` (or ``certificate.json`` in the run folder ``path``),
    verified against ``trusted`` on ``today`` with the evidence beside it: ``report.json``
    (its per-requirement outcomes come along), ``waivers.yaml``, and ``transcript.jsonl`` when
    ``check_transcript`` is given. Raises ``CertificateRefused``."""
    path = Path(path)
    if path.is_dir():
        path = path / CERTIFICATE_JSON
    source = str(path)
    data = _read(path, MAX_CERTIFICATE_BYTES, source, "the certificate")
    folder = path.parent
    beside = {name: folder / name for name in (REPORT_JSON, WAIVERS_YAML, TRANSCRIPT_JSONL)}
    report = waivers = transcript = None
    if beside[REPORT_JSON].is_file() and beside[REPORT_JSON] != path:
        report = _read(beside[REPORT_JSON], MAX_REPORT_BYTES, source, REPORT_JSON)
    if beside[WAIVERS_YAML].is_file():
        waivers = _read(beside[WAIVERS_YAML], MAX_WAIVERS_BYTES, source, WAIVERS_YAML)
    if check_transcript is not None and beside[TRANSCRIPT_JSONL].is_file():
        try:
            transcript = check_transcript(beside[TRANSCRIPT_JSONL])
        except (OSError, UnicodeDecodeError) as exc:
            raise CertificateRefused(source, "unreadable", [f"{TRANSCRIPT_JSONL}: {exc}"]) from None
    return parse_certificate(
        data,
        trusted,
        today=today,
        source=source,
        report=report,
        waivers=waivers,
        transcript=transcript,
    )


def stored_certificate(
    document: Mapping[str, Any],
    results: Sequence[Sequence[str]] | None = None,
    checks: Mapping[str, Sequence[str]] | None = None,
) -> Certificate:
    """A certificate the registry stored after verifying it at import, with the outcomes and
    the ``checks`` (``checked`` and ``notes``) of that verification (no trust check here:
    :meth:`Certificate.verify` checks it again against today's keys). Raises
    ``RegistryError`` when the stored document is not a certificate."""
    outcomes = tuple(RequirementOutcome(*r) for r in results) if results is not None else None
    try:
        facts = Facts.read(document)
    except ReportFormatError as exc:
        raise RegistryError(f"a stored certificate is not one any more: {exc}") from None
    checks = checks or {}
    return Certificate.of(
        facts, document, outcomes, checks.get("checked", ()), checks.get("notes", ())
    )
