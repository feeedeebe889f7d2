"""The rows of the axis's store as typed records: connection systems, agencies, stored
messages and deliveries, with the timestamp format of the transcript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PENDING = "pending"
DONE = "done"

MESSAGE_COLS = (
    "doc_id, seq, sender, messagetype, service_type, sha256, size, created, from_code, title, "
    "notation, document_id, status_code"
)
DELIVERY_COLS = (
    "id, doc_id, system_id, messagetype, to_codes, status, status_desc, created, updated, "
    "visible_at, listed"
)
AGENCY_COLS = (
    "id, code, alt_code, system_id, name, mail, mobile, fax, pcode, level, valid, deleted, "
    "version, modified"
)

__all__ = [
    "AGENCY_COLS",
    "DELIVERY_COLS",
    "DONE",
    "MESSAGE_COLS",
    "PENDING",
    "Agency",
    "Delivery",
    "StoredMessage",
    "System",
    "agency_row",
    "delivery_row",
    "iso_utc",
]


@dataclass(frozen=True, slots=True)
class System:
    """A connection system; ``simulated`` for the axis's own default systems (played by
    simulated peers), False for those an operator added."""

    system_id: str
    secret: str
    name: str
    simulated: bool = False

    def __repr__(self) -> str:  # never show the secret
        return (
            f"System(system_id={self.system_id!r}, name={self.name!r}, "
            f"simulated={self.simulated!r})"
        )


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency in the registry. ``code`` as registered, ``alt_code`` its other form (QĐ 20
    or QCVN 102) when it has one; ``valid`` is False for codes that fit neither grammar."""

    id: int
    code: str
    alt_code: str | None
    system_id: str
    name: str
    mail: str
    mobile: str
    fax: str
    pcode: str
    level: int
    valid: bool
    deleted: bool
    version: int
    modified: float


@dataclass(frozen=True, slots=True)
class StoredMessage:
    doc_id: str
    seq: int
    sender: str
    messagetype: str
    service_type: str
    sha256: str
    size: int
    created: float
    from_code: str
    title: str
    notation: str
    document_id: str
    status_code: str


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    doc_id: str
    system_id: str
    messagetype: str
    to_codes: str
    status: str
    status_desc: str
    created: float
    updated: float
    visible_at: float
    listed: bool


def agency_row(row: tuple[Any, ...]) -> Agency:
    values = list(row)
    values[10] = bool(values[10])
    values[11] = bool(values[11])
    return Agency(*values)


def delivery_row(row: tuple[Any, ...]) -> Delivery:
    values = list(row)
    values[10] = bool(values[10])
    return Delivery(*values)


_ISO_SECONDS: dict[int, str] = {}


def iso_utc(moment: float) -> str:
    """``2026-01-05T09:30:00.123456Z`` (the date part memoised per second: every event
    needs one)."""
    second = int(moment // 1)
    prefix = _ISO_SECONDS.get(second)
    if prefix is None:
        if len(_ISO_SECONDS) > 100_000:
            _ISO_SECONDS.clear()
        prefix = _ISO_SECONDS[second] = datetime.fromtimestamp(second, UTC).strftime(
            "%Y-%m-%dT%H:%M:%S"
        )
    return f"{prefix}.{int((moment - second) * 1e6):06d}Z"
