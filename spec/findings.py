"""Validation findings: what a check found, where, how bad, and which requirement it breaks
(JSON form: ``spec/schemas/finding.schema.json``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from spec.jsonmap import JsonMapped


class Severity(enum.Enum):
    """How bad a finding is; only ``ERROR`` makes a message non-conformant."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __repr__(self) -> str:
        return f"Severity.{self.name}"


@dataclass(frozen=True, slots=True)
class Finding(JsonMapped):
    """One finding: a requirement id from the catalogue, its severity, an XPath-like location
    (``/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId``) and a short English
    message that names the Vietnamese field where that helps."""

    req_id: str
    severity: Severity
    path: str
    message: str


def errors(findings: list[Finding]) -> list[Finding]:
    """The error-level findings among ``findings``."""
    return [f for f in findings if f.severity is Severity.ERROR]
