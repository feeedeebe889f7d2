"""The board's domain records, named once: agencies, deployments, officer decisions and the audit
log. Certificates are :class:`board.certificates.Certificate`; plans
:class:`board.plans.PhasePlan`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from board.certificates import Software

__all__ = ["Agency", "AuditEntry", "Decision", "Deployment", "System"]


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency of the registry (any of the four tiers). ``province`` is the level-1 code of
    its province (``H44``; None for central bodies) and ``province_name`` its name."""

    organ_id: str
    name: str
    tier: str
    parent: str | None
    province: str | None
    province_name: str | None
    system_id: str
    derived: bool


@dataclass(frozen=True, slots=True)
class System:
    """A connection system (``00.44.W00``), the level-1 organ that runs it and how many agencies
    it serves."""

    system_id: str
    owner: str | None
    owner_name: str | None
    agencies: int


@dataclass(frozen=True, slots=True)
class Deployment:
    """What an agency runs in production: a product build, through a connection system, since a
    date. A new deployment replaces the previous one (which stays in the history)."""

    organ_id: str
    software: Software
    system_id: str
    since: date
    recorded_at: datetime
    recorded_by: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """An officer's word on a blocked agency of a plan: the date it is expected to be ready
    (the phase simulation connects it then) and the days its vendor needs to fix what blocks it
    (the go-live forecast uses them)."""

    plan: str
    organ_id: str
    expected_ready: date | None
    fix_days: int | None
    note: str
    decided_at: datetime
    decided_by: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change to the registry: who made it, when (Vietnam time), what, and on what."""

    seq: int
    at: datetime
    who: str
    action: str
    subject: str
    detail: dict[str, Any]
