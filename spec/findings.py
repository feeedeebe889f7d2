"""Validation findings: what a check found, where, how bad, and which requirement it breaks."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.Enum):
    """How bad a finding is; only ``ERROR`` makes a message non-conformant."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __repr__(self) -> str:
        return f"Severity.{self.name}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: a requirement id from the catalogue, its severity, an XPath-like location
    (``/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId``) and a short English
    message that names the Vietnamese field where that helps."""

    req_id: str
    severity: Severity
    path: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {
            "req_id": self.req_id,
            "severity": self.severity.value,
            "path": self.path,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Finding:
        return cls(data["req_id"], Severity(data["severity"]), data["path"], data["message"])


def errors(findings: list[Finding]) -> list[Finding]:
    """The error-level findings among ``findings``."""
    return [f for f in findings if f.severity is Severity.ERROR]
