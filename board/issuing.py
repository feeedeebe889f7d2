"""A stand-in issuer of certificates for a named agency, until ``lienthong certify`` issues them.

The certification issue (track-cert) makes ``certify --organ-id`` sign a body that names the
agency, the build, the validity and the waivers; :mod:`board.certificates` reads that body.
Until it lands, the board's tests, benchmark and demo sign bodies of the same shape here, with
an Ed25519 key they hold: from a real certification report (:func:`issue_from_report`, which the
demo uses on its own certification runs) or from the facts alone (:func:`issue_certificate`).
Verification is never faked: a certificate issued here verifies only against the key that
signed it, and only when that key is trusted.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from board.certificates import ALGORITHM, FORMAT, REPORT_JSON, Party, Software, WaiverGrant
from board.certificates import fingerprint_of as _fingerprint
from reports.certificate import canonical_json, report_digest

CERTIFICATE_JSON = "certificate.json"
PUBLIC_KEY_FILE = "certificate-signing-key.pub.pem"

__all__ = [
    "issue_certificate",
    "issue_from_report",
    "public_key_pem",
    "write_certificate",
    "write_public_key",
]


def public_key_pem(key: Ed25519PrivateKey) -> bytes:
    """The PEM public key of ``key``: what goes into a trusted-keys folder."""
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def write_public_key(key: Ed25519PrivateKey, folder: Path, name: str = PUBLIC_KEY_FILE) -> Path:
    """Write ``key``'s public key into ``folder`` (created) and return the file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(public_key_pem(key))
    return path


def issue_certificate(
    key: Ed25519PrivateKey,
    *,
    party: Party,
    software: Software,
    verdict: str = "CERTIFIED",
    reason: str = "all MUST requirements passed",
    profile: str = "full",
    overrides: Mapping[str, Any] | None = None,
    requirements: Sequence[str] | None = None,
    must_passed: int = 40,
    must_total: int = 40,
    mutant: str | None = None,
    waivers: Sequence[WaiverGrant] = (),
    waiver_file_sha256: str | None = None,
    suite_version: str = "0.1.0",
    axis_kind: str = "in-process",
    axis_url: str | None = None,
    transcript_sha256: str = "0" * 64,
    transcript_events: int = 0,
    report_sha256: str | None = None,
    issued: datetime,
    valid_from: date,
    valid_until: date,
    officer: str = "certification office",
) -> dict[str, Any]:
    """A signed certificate document with these facts."""
    if issued.tzinfo is None:
        raise ValueError(f"issued={issued!r} must carry a timezone")
    body: dict[str, Any] = {
        "format": FORMAT,
        "verdict": verdict,
        "reason": reason,
        "party": {"organ_id": party.organ_id, "agency": party.agency, "system_id": party.system_id},
        "software": {
            "vendor": software.vendor,
            "product": software.product,
            "version": software.version,
            "build": software.build,
        },
        "profile": {
            "name": profile,
            "overrides": dict(overrides or {}),
            "requirements": list(requirements) if requirements is not None else None,
            "must_passed": must_passed,
            "must_total": must_total,
        },
        "mutant": mutant,
        "waivers": [
            {
                "requirement": w.requirement,
                "approver": w.approver,
                "reason": w.reason,
                "expires": w.expires.isoformat(),
            }
            for w in waivers
        ],
        "waiver_file_sha256": waiver_file_sha256,
        "suite": {"version": suite_version},
        "axis": {"kind": axis_kind, "url": axis_url},
        "transcript": {"head_sha256": transcript_sha256, "events": transcript_events},
        "report_sha256": report_sha256,
        "issued": issued.isoformat(),
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat(),
        "officer": officer,
        "signer": {
            "algorithm": ALGORITHM,
            "public_key": base64.b64encode(
                key.public_key().public_bytes(
                    serialization.Encoding.Raw, serialization.PublicFormat.Raw
                )
            ).decode("ascii"),
            "fingerprint": _fingerprint(key.public_key()),
        },
    }
    signature = key.sign(canonical_json(body))
    return {**body, "signature": base64.b64encode(signature).decode("ascii")}


def issue_from_report(
    key: Ed25519PrivateKey,
    report_json: Mapping[str, Any],
    *,
    party: Party,
    software: Software,
    issued: datetime,
    valid_from: date,
    valid_until: date,
    officer: str,
    mutant: str | None = None,
    waivers: Sequence[WaiverGrant] = (),
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A certificate for ``party`` running ``software`` over a real certification report (as
    ``report.json`` holds it): verdict, reason, profile, MUST counts, suite version, axis and
    transcript come from the report, and the report's digest binds it."""
    coverage = report_json["coverage"]
    must = [r for r in report_json["requirements"] if r["level"] == "MUST"]
    passed = sum(r["verdict"] in ("passed", "waived") for r in must)
    return issue_certificate(
        key,
        party=party,
        software=software,
        verdict=report_json["verdict"],
        reason=report_json["reason"],
        profile=report_json["profile"],
        overrides=overrides,
        must_passed=passed,
        must_total=int(coverage["must_total"]),
        mutant=mutant,
        waivers=waivers,
        suite_version=report_json["suite_version"],
        axis_kind="in-process",
        axis_url=report_json["axis_endpoint"],
        transcript_sha256=report_json["transcript_sha256"],
        transcript_events=int(report_json["transcript_events"]),
        report_sha256=report_digest(report_json),
        issued=issued,
        valid_from=valid_from,
        valid_until=valid_until,
        officer=officer,
    )


def write_certificate(
    folder: Path, certificate: Mapping[str, Any], report_text: str | None = None
) -> Path:
    """Write ``certificate.json`` (and the report's exact text as ``report.json``) into
    ``folder`` (created); returns the certificate's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CERTIFICATE_JSON
    path.write_text(json.dumps(certificate, ensure_ascii=False, indent=2) + "\n", "utf-8")
    if report_text is not None:
        (folder / REPORT_JSON).write_text(report_text, "utf-8")
    return path
