"""The board's status: the readiness rules applied to what the registry holds, for one phase or
for many at once (one query for the deployments, one for the certificates), and its JSON and
CSV forms (``lienthong board status --json``, the web board's ``.json`` and ``.csv`` pages, the
export)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from board.certificates import Certificate, TrustedKeys
from board.model import Agency
from board.readiness import (
    AgencyReadiness,
    Finding,
    PhaseReadiness,
    Verifier,
    phase_readiness,
    verifier,
)
from board.registry import Registry
from spec.clock import Clock

CSV_COLUMNS = (
    "plan",
    "organ_id",
    "name",
    "tier",
    "province",
    "role",
    "state",
    "vendor",
    "product",
    "version",
    "build",
    "system_id",
    "certificate",
    "verdict",
    "profile",
    "valid_until",
    "blockers",
    "flags",
)
__all__ = [
    "CSV_COLUMNS",
    "agency_json",
    "board_status",
    "csv_rows",
    "csv_text",
    "phase_csv",
    "phase_json",
    "phase_status",
]


def board_status(
    registry: Registry,
    *,
    trusted: TrustedKeys,
    clock: Clock,
    plans: Iterable[str] | None = None,
    verify: Verifier | None = None,
) -> list[PhaseReadiness]:
    """The readiness of ``plans`` (default: every plan of the registry), in registry order."""
    wanted = None if plans is None else list(plans)
    chosen = (
        registry.plans()
        if wanted is None
        else [registry.plan(name) for name in dict.fromkeys(wanted)]
    )
    members = list(dict.fromkeys(m.organ_id for p in chosen for m in p.members))
    deployments = registry.deployments(members)
    certificates = registry.certificates_for(members)
    check = verify or verifier(trusted)
    return [
        phase_readiness(plan, deployments, certificates, verify=check, clock=clock)
        for plan in chosen
    ]


def phase_status(
    registry: Registry, name: str, *, trusted: TrustedKeys, clock: Clock
) -> PhaseReadiness:
    """The readiness of plan ``name``."""
    return board_status(registry, trusted=trusted, clock=clock, plans=[name])[0]


def _finding(f: Finding) -> dict[str, Any]:
    return {"code": f.code.value, "message": f.message, "certificate": f.certificate}


def _certificate(c: Certificate | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "digest": c.digest,
        "verdict": c.verdict.value,
        "profile": c.profile,
        "software": {
            "vendor": c.software.vendor,
            "product": c.software.product,
            "version": c.software.version,
            "build": c.software.build,
        },
        "issued": c.issued.isoformat(),
        "valid_from": c.valid_from.isoformat(),
        "valid_until": c.valid_until.isoformat() if c.valid_until else None,
        "signer": c.signer,
    }


def agency_json(a: AgencyReadiness, agency: Agency | None) -> dict[str, Any]:
    """One member's readiness as JSON."""
    d = a.deployment
    return {
        "organ_id": a.organ_id,
        "name": agency.name if agency else None,
        "tier": agency.tier if agency else None,
        "province": agency.province_name if agency else None,
        "role": a.role.value,
        "state": a.state.value,
        "ready": a.ready,
        "deployment": None
        if d is None
        else {
            "vendor": d.software.vendor,
            "product": d.software.product,
            "version": d.software.version,
            "build": d.software.build,
            "system_id": d.system_id,
            "since": d.since.isoformat(),
        },
        "certificate": _certificate(a.certificate),
        "blockers": [_finding(f) for f in a.blockers],
        "flags": [_finding(f) for f in a.flags],
    }


def phase_json(readiness: PhaseReadiness, agencies: Mapping[str, Agency]) -> dict[str, Any]:
    """A phase's readiness as JSON (what ``board status --json`` prints per phase)."""
    plan = readiness.plan
    return {
        "plan": plan.name,
        "title": plan.title,
        "start": plan.start.isoformat(),
        "end": plan.end.isoformat(),
        "source": plan.source,
        "as_of": readiness.as_of.isoformat(),
        "state": readiness.state.value,
        "ready": readiness.ready,
        "counts": {s.value: n for s, n in readiness.counts().items()},
        "agencies": [agency_json(a, agencies.get(a.organ_id)) for a in readiness.agencies],
    }


def csv_rows(data: dict[str, Any]) -> list[list[str]]:
    """A phase's readiness as CSV rows (the columns of :data:`CSV_COLUMNS`)."""
    out = []
    for a in data["agencies"]:
        d = a["deployment"] or {}
        c = a["certificate"] or {}
        out.append(
            [
                data["plan"],
                a["organ_id"],
                a["name"] or "",
                a["tier"] or "",
                a["province"] or "",
                a["role"],
                a["state"],
                d.get("vendor", ""),
                d.get("product", ""),
                d.get("version", ""),
                d.get("build", ""),
                d.get("system_id", ""),
                c.get("digest", ""),
                c.get("verdict", ""),
                c.get("profile", ""),
                c.get("valid_until", ""),
                " | ".join(f"[{b['code']}] {b['message']}" for b in a["blockers"]),
                " | ".join(f"[{f['code']}] {f['message']}" for f in a["flags"]),
            ]
        )
    return out


def csv_text(header: tuple[str, ...], rows: list[list[Any]]) -> str:
    """CSV text with ``header`` and ``rows``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def phase_csv(data: dict[str, Any]) -> str:
    """A phase's readiness (its :func:`board.status.phase_json`) as CSV, one member a line."""
    return csv_text(CSV_COLUMNS, csv_rows(data))
