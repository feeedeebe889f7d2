"""The exchange spec as code: the edXML model and codec, the validator and its findings, status
codes and lifecycle, organ ids, DocumentIds, the requirement catalogue, and Vietnam time (the
timezone and the clock protocol every part takes from its caller).

Everything else in lienthong (axis, conformance, sim, load) reads the spec through this package;
no rule lives anywhere else.
"""

from spec.business_kinds import BusinessKind
from spec.catalogue import Level, Requirement, catalogue, requirement
from spec.clock import VIETNAM, Clock, vietnam_now, vietnam_today
from spec.codec import Parsed, UnwritableMessage, parse, serialize
from spec.document_id import DocumentKey, is_uuid, parse_document_id
from spec.errors import (
    HostileXML,
    InputRefused,
    InvalidOrganId,
    NotEdXML,
    NotXML,
    SpecError,
    TooLarge,
    UnknownRequirement,
)
from spec.findings import Finding, Severity, errors
from spec.model import Edoc, Message, Status
from spec.rules.checker import Options
from spec.status_codes import Stage, StatusCode
from spec.validator import check, validate

__all__ = [
    "VIETNAM",
    "BusinessKind",
    "Clock",
    "DocumentKey",
    "Edoc",
    "Finding",
    "HostileXML",
    "InputRefused",
    "InvalidOrganId",
    "Level",
    "Message",
    "NotEdXML",
    "NotXML",
    "Options",
    "Parsed",
    "Requirement",
    "Severity",
    "SpecError",
    "Stage",
    "Status",
    "StatusCode",
    "TooLarge",
    "UnknownRequirement",
    "UnwritableMessage",
    "catalogue",
    "check",
    "errors",
    "is_uuid",
    "parse",
    "parse_document_id",
    "requirement",
    "serialize",
    "validate",
    "vietnam_now",
    "vietnam_today",
]
