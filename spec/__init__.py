"""The exchange spec as code: the edXML model and codec, the validator and its findings, status
codes and lifecycle, organ ids, DocumentIds and the requirement catalogue.

Everything else in lienthong (axis, conformance, sim, load) reads the spec through this package;
no rule lives anywhere else.
"""

from spec.catalogue import Level, Requirement, catalogue, requirement
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
from spec.validator import check, validate

__all__ = [
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
    "Status",
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
]
