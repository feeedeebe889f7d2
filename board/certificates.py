"""Certificates as the board reads them: the signed record of a certification run, checked
against the keys the certification office trusts, as one typed :class:`Certificate`.

This module is the only place in :mod:`board` that reads a certificate file or knows the shape
of its signed body; everything else takes a :class:`Certificate`. The body it reads is the one
the certification issue (track-cert) signs: the verdict; the party (agency organ id and name,
connection system); the software (vendor, product, version, build); the profile with its
overrides, requirement subset and MUST counts; the mutant, if any; the waivers with approver,
reason and expiry, and the waiver file's hash; the suite version and digests; the axis; the
transcript head; the issue time and validity dates (Vietnam dates); the officer; the signer's
public key and fingerprint.

Trust is explicit: a certificate verifies only against a key in :class:`TrustedKeys` (PEM
public-key files, given one by one or as a folder, which is how VPCP publishes its
certification keys). A body changed after signing is *forged*; a valid signature by a key that
is not trusted is *untrusted*; the board stores neither. When ``report.json`` lies beside the
certificate, it must be the report the certificate names (its SHA-256), and its per-requirement
outcomes come along for ``board diff`` and the agency page.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from board.errors import CertificateRefused, TrustedKeyError
from reports.certificate import canonical_json, report_digest
from reports.errors import ReportFormatError
from reports.model import Report, Verdict
from spec.organ_ids import organ_id_problem, parse_organ_id, recipient_problem

FORMAT = "lienthong-certificate/2"
ALGORITHM = "Ed25519"
REPORT_JSON = "report.json"
MAX_CERTIFICATE_BYTES = 1 << 20
MAX_REPORT_BYTES = 64 << 20
KEY_SUFFIXES = (".pem", ".pub")
MAX_KEY_BYTES = 16 << 10

__all__ = [
    "ALGORITHM",
    "FORMAT",
    "Certificate",
    "Party",
    "RequirementOutcome",
    "Software",
    "TrustStatus",
    "TrustedKeys",
    "Verification",
    "WaiverGrant",
    "fingerprint_of",
    "load_trusted_keys",
    "parse_certificate",
    "read_certificate",
    "stored_certificate",
    "verify_document",
]


# --- trusted keys --------------------------------------------------------------------------


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint_of(public: Ed25519PublicKey) -> str:
    """SHA-256 (hex) of the raw public key: what a certificate names and an officer pins."""
    return hashlib.sha256(_raw(public)).hexdigest()


@dataclass(frozen=True)
class TrustedKeys:
    """The Ed25519 public keys a verifier trusts, by fingerprint, with the file each came from."""

    keys: Mapping[str, Ed25519PublicKey] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        shown = ", ".join(fp[:16] for fp in sorted(self.keys))
        return f"TrustedKeys(<{len(self.keys)} key(s): {shown}>)"

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, fingerprint: object) -> bool:
        return fingerprint in self.keys

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(self.keys)

    @classmethod
    def of(cls, *publics: Ed25519PublicKey) -> TrustedKeys:
        """Trust exactly these keys (tests, the demo)."""
        keys = {fingerprint_of(p): p for p in publics}
        return cls(MappingProxyType(keys), MappingProxyType(dict.fromkeys(keys, "<memory>")))


def _load_key(path: Path) -> Ed25519PublicKey:
    try:
        if path.stat().st_size > MAX_KEY_BYTES:
            raise TrustedKeyError(f"trusted key {str(path)!r} is over {MAX_KEY_BYTES} bytes")
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise TrustedKeyError(
            f"cannot read trusted key {str(path)!r}: {exc.strerror or exc}"
        ) from exc
    except (ValueError, TypeError) as exc:
        raise TrustedKeyError(
            f"trusted key {str(path)!r} is not a PEM public key ({exc}); export it with the "
            "signer's public-key file (certificate-signing-key.pub.pem)"
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise TrustedKeyError(
            f"trusted key {str(path)!r} is a {type(key).__name__}, not an Ed25519 key"
        )
    return key


def load_trusted_keys(files: Iterable[Path] = (), folders: Iterable[Path] = ()) -> TrustedKeys:
    """The keys in ``files`` and in every ``*.pem`` / ``*.pub`` file of ``folders`` (a folder
    that does not exist holds no keys). Raises ``TrustedKeyError`` for a file that is not an
    Ed25519 public key: a broken trust store is an error, never silently fewer keys."""
    paths = [Path(f) for f in files]
    for folder in folders:
        folder = Path(folder)
        if folder.is_dir():
            paths += sorted(p for p in folder.iterdir() if p.suffix in KEY_SUFFIXES)
        elif folder.exists():
            raise TrustedKeyError(f"trusted-keys folder {str(folder)!r} is not a folder")
    keys: dict[str, Ed25519PublicKey] = {}
    sources: dict[str, str] = {}
    for path in paths:
        key = _load_key(path)
        fp = fingerprint_of(key)
        keys.setdefault(fp, key)
        sources.setdefault(fp, str(path))
    return TrustedKeys(MappingProxyType(keys), MappingProxyType(sources))


# --- the certificate -----------------------------------------------------------------------


class TrustStatus(enum.StrEnum):
    """What verification against trusted keys concluded."""

    OK = "ok"
    UNTRUSTED = "untrusted"
    FORGED = "forged"

    def __repr__(self) -> str:
        return f"TrustStatus.{self.name}"


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking a certificate's signature against trusted keys: ``reasons``
    says why when it is not ``ok``; ``fingerprint`` is the signer the certificate names."""

    status: TrustStatus
    fingerprint: str
    reasons: tuple[str, ...] = ()
    key_source: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is TrustStatus.OK


@dataclass(frozen=True, slots=True)
class Party:
    """Who was certified: the agency (organ id and name) and the connection system it used."""

    organ_id: str
    agency: str
    system_id: str


@dataclass(frozen=True, slots=True)
class Software:
    """What was certified. ``build`` (commit, build number or package hash) is the identity a
    deployment must match; ``version`` is what people read."""

    vendor: str
    product: str
    version: str
    build: str

    @property
    def label(self) -> str:
        return f"{self.product} {self.version} (build {self.build})"


@dataclass(frozen=True, slots=True)
class WaiverGrant:
    """A waiver the certificate was issued under: the requirement it excused, who approved it,
    why, and until when (inclusive, a Vietnam date)."""

    requirement: str
    approver: str
    reason: str
    expires: date


@dataclass(frozen=True, slots=True)
class RequirementOutcome:
    """One requirement's verdict in the certified report (``passed``, ``failed``, ``waived``,
    ``not tested``) and its level."""

    id: str
    level: str
    verdict: str


@dataclass(frozen=True, slots=True)
class Certificate:
    """A verified certificate as the board uses it.

    ``digest`` is the SHA-256 of the canonical signed document (what the registry keys it by,
    so importing it twice changes nothing); ``document`` is that signed document, kept so the
    board can show it and check it again against today's trusted keys; ``results`` are the
    report's per-requirement outcomes when the report came with it."""

    digest: str
    verdict: Verdict
    reason: str
    party: Party
    software: Software
    profile: str
    overrides: Mapping[str, Any]
    requirement_subset: tuple[str, ...] | None
    must_passed: int
    must_total: int
    mutant: str | None
    waivers: tuple[WaiverGrant, ...]
    waiver_file_sha256: str | None
    suite_version: str
    axis_kind: str
    axis_url: str | None
    transcript_sha256: str
    report_sha256: str | None
    issued: datetime
    valid_from: date
    valid_until: date
    officer: str
    signer: str
    document: Mapping[str, Any] = field(repr=False, compare=False)
    results: tuple[RequirementOutcome, ...] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (
            f"<Certificate {self.digest[:12]} {self.verdict.value} {self.party.organ_id} "
            f"{self.software.label} {self.profile} until {self.valid_until}>"
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

    def to_json(self) -> dict[str, Any]:
        """The signed document (what a certificate file holds)."""
        return dict(self.document)

    def verify(self, trusted: TrustedKeys) -> Verification:
        """Check the signature again, against ``trusted`` (today's trusted keys)."""
        return verify_document(self.document, trusted)


# --- verification --------------------------------------------------------------------------


def _b64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text, validate=True)


def verify_document(document: Mapping[str, Any], trusted: TrustedKeys) -> Verification:
    """Check a signed certificate document against ``trusted``: the signer the document names
    must be a trusted key, and that key (not the one the document carries) must verify the
    signature over the canonical body."""
    signer = document.get("signer")
    named = signer.get("fingerprint") if isinstance(signer, Mapping) else None
    fingerprint = named if isinstance(named, str) else ""
    body = {k: v for k, v in document.items() if k != "signature"}
    message = canonical_json(body)
    try:
        signature = _b64(document.get("signature"))
    except (ValueError, binascii.Error):
        return Verification(TrustStatus.FORGED, fingerprint, ("the signature is not base64",))
    key = trusted.keys.get(fingerprint)
    if key is not None:
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return Verification(
                TrustStatus.FORGED,
                fingerprint,
                (
                    f"the signature does not verify with trusted key {fingerprint[:16]}…: the "
                    "certificate was changed after it was signed",
                ),
            )
        return Verification(TrustStatus.OK, fingerprint, (), trusted.sources.get(fingerprint))
    return _untrusted_or_forged(signer, fingerprint, signature, message, trusted)


def _untrusted_or_forged(
    signer: Any, fingerprint: str, signature: bytes, message: bytes, trusted: TrustedKeys
) -> Verification:
    try:
        raw = _b64(signer.get("public_key") if isinstance(signer, Mapping) else None)
        public = Ed25519PublicKey.from_public_bytes(raw)
        public.verify(signature, message)
    except (InvalidSignature, ValueError, binascii.Error):
        return Verification(
            TrustStatus.FORGED,
            fingerprint,
            ("the signature does not verify: the certificate was changed after it was signed",),
        )
    if fingerprint_of(public) != fingerprint:
        return Verification(
            TrustStatus.FORGED,
            fingerprint,
            ("the signer fingerprint is not the SHA-256 of the public key it carries",),
        )
    known = f"{len(trusted)} trusted key(s)" if len(trusted) else "no trusted key at all"
    return Verification(
        TrustStatus.UNTRUSTED,
        fingerprint,
        (
            f"signed by key {fingerprint}, which is not trusted ({known}); add the certification "
            "office's public key with --trusted-key FILE or to the trusted-keys folder",
        ),
    )


# --- reading the body ----------------------------------------------------------------------


class _Body:
    """Typed access to the signed body (parsed JSON: dicts and lists) that collects every
    problem instead of stopping."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []

    def get(self, path: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
        node: Any = self.data
        for key in path.split("."):
            node = node.get(key) if type(node) is dict else None
        if node is None and optional:
            return None
        if not isinstance(node, kind) or (isinstance(node, bool) and kind is int):
            self.problems.append(f"{path} is missing or not a {_kind_name(kind)}")
            return None
        return node

    def text(self, path: str, *, optional: bool = False) -> Any:
        value = self.get(path, str, optional=optional)
        if value is not None and not value.strip() and not optional:
            self.problems.append(f"{path} is empty")
        return value

    def day(self, path: str) -> date | None:
        value = self.text(path)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problems.append(f"{path}={value!r} is not an ISO date (YYYY-MM-DD)")
            return None

    def moment(self, path: str) -> datetime | None:
        value = self.text(path)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.problems.append(f"{path}={value!r} is not an ISO date and time")
            return None
        if moment.tzinfo is None:
            self.problems.append(f"{path}={value!r} carries no timezone offset")
            return None
        return moment


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "text", int: "whole number", list: "list", dict: "mapping", Mapping: "mapping"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _waivers(body: _Body) -> tuple[WaiverGrant, ...]:
    items = body.get("waivers", list)
    out = []
    for i, item in enumerate(items or ()):
        sub = _Body(item if type(item) is dict else {})
        requirement, approver = sub.text("requirement"), sub.text("approver")
        reason, expires = sub.text("reason"), sub.day("expires")
        body.problems += [f"waivers[{i}].{p}" for p in sub.problems]
        if not sub.problems:
            out.append(WaiverGrant(requirement, approver, reason, expires))  # type: ignore[arg-type]
    return tuple(out)


def _party(body: _Body) -> Party | None:
    organ_id = body.text("party.organ_id")
    agency = body.text("party.agency")
    system_id = body.text("party.system_id")
    if organ_id is not None:
        problem = recipient_problem(organ_id)
        if problem:
            body.problems.append(f"party.organ_id: {problem}")
    if system_id is not None:
        problem = organ_id_problem(system_id)
        if problem is None and not parse_organ_id(system_id).is_connection_system:
            problem = f"{system_id!r} is not a connection-system id (…W00)"
        if problem:
            body.problems.append(f"party.system_id: {problem}")
    if None in (organ_id, agency, system_id):
        return None
    return Party(organ_id, agency, system_id)


def _verdict(body: _Body) -> Verdict | None:
    value = body.text("verdict")
    if value is None:
        return None
    try:
        return Verdict(value)
    except ValueError:
        words = ", ".join(v.value for v in Verdict)
        body.problems.append(f"verdict={value!r} is not one of {words}")
        return None


def _certificate(
    document: Mapping[str, Any],
    results: tuple[RequirementOutcome, ...] | None,
    digest: str | None = None,
) -> tuple[Certificate | None, list[str]]:
    body = _Body(document)
    fmt = document.get("format")
    if fmt != FORMAT:
        hint = (
            " (that format names no agency, build or validity: certify again with a lienthong "
            "that issues certificates for a named agency)"
            if fmt == "lienthong-certificate/1"
            else ""
        )
        return None, [f"format={fmt!r} is not {FORMAT!r}{hint}"]
    values: dict[str, Any] = {
        "verdict": _verdict(body),
        "reason": body.get("reason", str),
        "party": _party(body),
        "software": Software(
            body.text("software.vendor"),
            body.text("software.product"),
            body.text("software.version"),
            body.text("software.build"),
        ),
        "profile": body.text("profile.name"),
        "overrides": MappingProxyType(dict(body.get("profile.overrides", dict) or {})),
        "requirement_subset": body.get("profile.requirements", list, optional=True),
        "must_passed": body.get("profile.must_passed", int),
        "must_total": body.get("profile.must_total", int),
        "mutant": body.text("mutant", optional=True),
        "waivers": _waivers(body),
        "waiver_file_sha256": body.text("waiver_file_sha256", optional=True),
        "suite_version": body.text("suite.version"),
        "axis_kind": body.text("axis.kind"),
        "axis_url": body.text("axis.url", optional=True),
        "transcript_sha256": body.text("transcript.head_sha256"),
        "report_sha256": body.text("report_sha256", optional=True),
        "issued": body.moment("issued"),
        "valid_from": body.day("valid_from"),
        "valid_until": body.day("valid_until"),
        "officer": body.text("officer"),
        "signer": body.text("signer.fingerprint"),
    }
    if body.get("signer.algorithm", str) not in (None, ALGORITHM):
        body.problems.append(f"signer.algorithm is not {ALGORITHM}")
    if values["requirement_subset"] is not None:
        values["requirement_subset"] = tuple(str(r) for r in values["requirement_subset"])
    start, end = values["valid_from"], values["valid_until"]
    if start is not None and end is not None and end < start:
        body.problems.append(f"valid_until ({end}) is before valid_from ({start})")
    if body.problems:
        return None, body.problems
    if digest is None:
        digest = hashlib.sha256(canonical_json(document)).hexdigest()
    frozen = MappingProxyType(dict(document))
    return Certificate(digest=digest, document=frozen, results=results, **values), []


# --- files ---------------------------------------------------------------------------------


def _results(report_bytes: bytes, report_sha256: str | None, source: str) -> tuple[Any, ...]:
    try:
        report_json = json.loads(report_bytes)
    except ValueError as exc:
        raise CertificateRefused(
            source, "malformed", [f"{REPORT_JSON} is not JSON: {exc}"]
        ) from None
    digest = report_digest(report_json)
    if report_sha256 is None or digest != report_sha256:
        raise CertificateRefused(
            source,
            "forged",
            [
                f"the {REPORT_JSON} beside it has digest {digest}, the certificate names "
                f"{report_sha256}: the report was changed or is another run's"
            ],
        )
    try:
        report = Report.from_json(report_json)
    except ReportFormatError as exc:
        raise CertificateRefused(source, "malformed", [f"{REPORT_JSON}: {exc}"]) from None
    return tuple(
        RequirementOutcome(r.id, r.level.value, r.verdict.value) for r in report.requirements
    )


def parse_certificate(
    data: bytes,
    trusted: TrustedKeys,
    *,
    source: str = "<certificate>",
    report: bytes | None = None,
) -> Certificate:
    """The certificate in ``data`` (JSON bytes), verified against ``trusted``; ``report`` is the
    certified report's JSON when it came along. Raises ``CertificateRefused`` saying why for a
    file that is not a certificate, a forged one, or one signed by an untrusted key."""
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise CertificateRefused(
            source, "malformed", [f"it is {len(data):,} bytes; a certificate is at most 1 MiB"]
        )
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise CertificateRefused(source, "malformed", [f"not JSON: {exc}"]) from None
    if not isinstance(document, dict):
        raise CertificateRefused(source, "malformed", ["not a JSON object"])
    verification = verify_document(document, trusted)
    if not verification.ok:
        raise CertificateRefused(source, verification.status.value, verification.reasons)
    certificate, problems = _certificate(document, None)
    if certificate is None:
        raise CertificateRefused(source, "malformed", problems)
    if report is None:
        return certificate
    return replace(certificate, results=_results(report, certificate.report_sha256, source))


def read_certificate(path: Path, trusted: TrustedKeys, *, with_report: bool = True) -> Certificate:
    """The certificate file at ``path`` (or ``certificate.json`` in the folder ``path``),
    verified against ``trusted``, with the outcomes of ``report.json`` beside it when present
    and ``with_report``. Raises ``CertificateRefused``."""
    path = Path(path)
    if path.is_dir():
        path = path / "certificate.json"
    source = str(path)
    try:
        if path.stat().st_size > MAX_CERTIFICATE_BYTES:
            raise CertificateRefused(
                source, "malformed", ["it is over 1 MiB; a certificate is far smaller"]
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateRefused(source, "unreadable", [exc.strerror or str(exc)]) from None
    report_path = path.parent / REPORT_JSON
    report = None
    if with_report and report_path.is_file() and report_path != path:
        try:
            if report_path.stat().st_size > MAX_REPORT_BYTES:
                raise CertificateRefused(source, "malformed", [f"{REPORT_JSON} is over 64 MiB"])
            report = report_path.read_bytes()
        except OSError as exc:
            raise CertificateRefused(
                source, "unreadable", [f"{REPORT_JSON}: {exc.strerror or exc}"]
            ) from None
    return parse_certificate(data, trusted, source=source, report=report)


def stored_certificate(
    document: Mapping[str, Any], digest: str, results: Sequence[Sequence[str]] | None = None
) -> Certificate:
    """A certificate the registry stored after verifying it at import, under ``digest`` (no
    trust check here: :meth:`Certificate.verify` checks it again against today's keys)."""
    outcomes = tuple(RequirementOutcome(*r) for r in results) if results is not None else None
    certificate, problems = _certificate(dict(document), outcomes, digest)
    if certificate is None:
        raise CertificateRefused("<registry>", "malformed", problems)
    return certificate
