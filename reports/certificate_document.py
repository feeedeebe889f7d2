"""The signed certificate as typed data: one dataclass per part of
``spec/schemas/certificate.schema.json``, read and written by :mod:`spec.jsonmap`.

:class:`CertificateDocument` is what a ``certificate.json`` holds, part by part: the party
certified, the software, the profile with its overrides and MUST counts, the waivers, the
suite, the run, the axis, the transcript, the validity and the signer. Reading one checks it
against its schema first. Signing and verifying work on the JSON itself (the canonical bytes
are what is signed); :class:`reports.verification.Certificate` is the flat view people read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from reports import schema
from reports.errors import ReportFormatError
from reports.model import Verdict, Waiver
from spec.jsonmap import JsonMapped, Layout

FORMAT = "lienthong-certificate/2"

__all__ = [
    "FORMAT",
    "AxisPart",
    "CertificateDocument",
    "PartyPart",
    "ProfilePart",
    "RunPart",
    "SignerPart",
    "SoftwarePart",
    "SuitePart",
    "TranscriptPart",
    "WaiversPart",
]


@dataclass(frozen=True, slots=True)
class PartyPart(JsonMapped):
    """Who was certified: the agency (organ id and its name) and its connection system."""

    organ_id: str
    agency: str
    system_id: str


@dataclass(frozen=True, slots=True)
class SoftwarePart(JsonMapped):
    """What was certified, as the SUT's ``GET /info`` said it, and the adapter that drove it."""

    vendor: str
    product: str
    version: str
    build: str | None
    contract_version: str
    adapter: str


@dataclass(frozen=True, slots=True)
class ProfilePart(JsonMapped):
    """The profile, every option that departed from its defaults, the requirements judged and
    the MUST counts."""

    name: str
    require_signature: bool
    overrides: dict[str, Any]
    requirements: tuple[str, ...]
    must_total: int
    must_passed: int
    must_waived: int


@dataclass(frozen=True, slots=True)
class WaiversPart(JsonMapped):
    """The waivers file's SHA-256 (None without one) and its waivers: applied, expired, unused."""

    file_sha256: str | None
    applied: tuple[Waiver, ...]
    expired: tuple[Waiver, ...]
    unused: tuple[Waiver, ...]


@dataclass(frozen=True, slots=True)
class SuitePart(JsonMapped):
    """The suite's version and the digests of its requirement catalogue and check modules."""

    version: str
    catalogue_sha256: str
    checks_sha256: str


@dataclass(frozen=True, slots=True)
class RunPart(JsonMapped):
    """How the run went: seed, time scale, exploration examples, when, and whether it ended."""

    seed: int
    time_scale: float
    exploration_examples: int
    started: datetime
    finished: datetime
    completed: bool


@dataclass(frozen=True, slots=True)
class AxisPart(JsonMapped):
    """The axis the run used: the suite's own (``in-process``) or an ``external`` one."""

    kind: str
    url: str


@dataclass(frozen=True, slots=True)
class TranscriptPart(JsonMapped):
    """The transcript's head hash after ``events`` events."""

    sha256: str
    events: int


@dataclass(frozen=True, slots=True)
class SignerPart(JsonMapped):
    """The signing key: its algorithm, the raw public key (base64) and its fingerprint."""

    algorithm: str
    public_key: str
    fingerprint: str


def _check_schema(data: Any) -> None:
    schema.check(schema.CERTIFICATE_SCHEMA, data, "certificate")


@dataclass(frozen=True, slots=True)
class CertificateDocument(JsonMapped):
    """A whole ``certificate.json``; ``valid_until`` is None unless the verdict is CERTIFIED,
    ``signature`` the Ed25519 signature (base64) over the canonical JSON of the rest."""

    json_layout: ClassVar[Layout] = Layout(
        tags={"format": FORMAT}, check=_check_schema, error=ReportFormatError, what="certificate"
    )

    verdict: Verdict
    reason: str
    party: PartyPart
    software: SoftwarePart
    profile: ProfilePart
    mutant: str | None
    waivers: WaiversPart
    suite: SuitePart
    run: RunPart
    axis: AxisPart
    transcript: TranscriptPart
    officer: str | None
    report_sha256: str
    issued: datetime
    valid_from: date
    valid_until: date | None
    signer: SignerPart
    signature: str
