"""Signed certificates: everything that shaped a certification verdict, bound to the report and
the transcript it rests on and signed with the installation's Ed25519 key.

The body (``spec/schemas/certificate.schema.json``, format ``lienthong-certificate/2``) names
the party certified (agency, its name in the registry, its connection system), the software
(vendor, product, version, build), the profile with every override and the requirements it
judged, the MUST counts, the mutant if any, each waiver with its approver and the waivers
file's hash, the suite version with the digests of the requirement catalogue and the check
modules, the axis (the suite's own or an external one), the transcript's head hash, the issue
time, the validity period and the officer. All of it except the issue facts is computed from
the report JSON by :func:`certificate_facts`, both when signing and when verifying, so a
certificate cannot say something its report does not. Verification lives in
:mod:`reports.verification`.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from datetime import date, datetime, timedelta
from typing import Any

from reports import schema
from reports.certificate_document import FORMAT
from reports.keys import ALGORITHM, CertificateSigner
from reports.model import Report
from spec.clock import VIETNAM

__all__ = [
    "FORMAT",
    "QR_PREFIX",
    "canonical_json",
    "certificate_digest",
    "certificate_facts",
    "digest_of_text",
    "issue_certificate",
    "qr_payload",
    "report_digest",
    "validity_end",
]

QR_PREFIX = "lienthong-certificate:sha256:"
_DIGEST = re.compile(r"(?:lienthong-certificate:)?(?:sha256:)?([0-9a-fA-F]{64})")


def canonical_json(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, ASCII only — the bytes that are hashed and
    signed, so the digest does not depend on indentation."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def report_digest(report_json: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of a report as read from ``report.json``."""
    return hashlib.sha256(canonical_json(report_json)).hexdigest()


def certificate_digest(certificate: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of a whole certificate, signature included: the
    certificate's name on paper (the QR code of the PDF carries it)."""
    return hashlib.sha256(canonical_json(certificate)).hexdigest()


def qr_payload(certificate: Any) -> str:
    """What the PDF's QR code says: ``lienthong-certificate:sha256:<digest>``."""
    return QR_PREFIX + certificate_digest(certificate)


def digest_of_text(text: str) -> str | None:
    """The certificate digest a person typed or scanned (the QR payload, ``sha256:<hex>`` or
    the bare 64 hex digits), lowercased; None when ``text`` is none of these."""
    found = _DIGEST.fullmatch(text.strip())
    return found.group(1).lower() if found else None


def _waiver(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("requirement", "approved_by", "reason", "expires")}


def certificate_facts(report_json: dict[str, Any]) -> dict[str, Any]:
    """The facts a certificate states about the report it certifies, computed from the report
    JSON alone (the same function signs and verifies)."""
    sut, conditions = report_json["sut"], report_json["conditions"]
    requirements = report_json["requirements"]
    must = [r for r in requirements if r["level"] == "MUST"]
    return {
        "verdict": report_json["verdict"],
        "reason": report_json["reason"],
        "party": {k: sut[k] for k in ("organ_id", "agency", "system_id")},
        "software": {
            k: sut[k] for k in ("vendor", "product", "version", "build", "contract_version")
        }
        | {"adapter": sut["adapter"]},
        "profile": {
            "name": report_json["profile"],
            "require_signature": conditions["require_signature"],
            "overrides": conditions["overrides"],
            "requirements": [r["id"] for r in requirements],
            "must_total": len(must),
            "must_passed": sum(r["verdict"] == "passed" for r in must),
            "must_waived": sum(r["verdict"] == "waived" for r in must),
        },
        "mutant": conditions["mutant"],
        "waivers": {
            "file_sha256": conditions["waivers_sha256"],
            "applied": [_waiver(r["waiver"]) for r in requirements if r["waiver"]],
            "expired": [_waiver(w) for w in report_json["expired_waivers"]],
            "unused": [_waiver(w) for w in report_json["unused_waivers"]],
        },
        "suite": {
            "version": report_json["suite_version"],
            "catalogue_sha256": conditions["catalogue_sha256"],
            "checks_sha256": conditions["checks_sha256"],
        },
        "run": {
            "seed": report_json["seed"],
            "time_scale": report_json["time_scale"],
            "exploration_examples": conditions["exploration_examples"],
            "started": report_json["started"],
            "finished": report_json["finished"],
            "completed": report_json["completed"],
        },
        "axis": {"kind": conditions["axis_kind"], "url": report_json["axis_endpoint"]},
        "transcript": {
            "sha256": report_json["transcript_sha256"],
            "events": report_json["transcript_events"],
        },
        "officer": conditions["officer"],
    }


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def validity_end(report: Report, valid_from: date, months: int) -> date | None:
    """The last day (inclusive, Vietnam date) a certificate issued on ``valid_from`` is valid:
    ``months`` later less a day, but never after a waiver it rests on expires; None unless the
    verdict is CERTIFIED."""
    from reports.model import Verdict

    if report.verdict is not Verdict.CERTIFIED:
        return None
    end = _add_months(valid_from, months) - timedelta(days=1)
    expiries = [r.waiver.expires for r in report.requirements if r.waiver is not None]
    return min([end, *expiries])


def issue_certificate(
    report: Report,
    signer: CertificateSigner,
    *,
    issued: datetime,
    validity_months: int = 12,
) -> dict[str, Any]:
    """The signed certificate (a JSON object) for ``report`` as ``report.dumps()`` writes it,
    issued at ``issued`` (aware) and valid from that Vietnam date for ``validity_months``."""
    if issued.tzinfo is None or issued.utcoffset() is None:
        raise ValueError(f"issued={issued!r} must carry a timezone")
    report_json = json.loads(report.dumps())
    valid_from = issued.astimezone(VIETNAM).date()
    valid_until = validity_end(report, valid_from, validity_months)
    body: dict[str, Any] = {
        "format": FORMAT,
        **certificate_facts(report_json),
        "report_sha256": report_digest(report_json),
        "issued": issued.astimezone(VIETNAM).isoformat(),
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "signer": {
            "algorithm": ALGORITHM,
            "public_key": signer.public_key,
            "fingerprint": signer.fingerprint,
        },
    }
    certificate = {**body, "signature": signer.sign(canonical_json(body))}
    schema.check(schema.CERTIFICATE_SCHEMA, certificate, "certificate")
    return certificate
