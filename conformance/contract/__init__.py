"""The adapter contract (version 1.1): the HTTP+JSON control interface a vendor exposes from a
test build of its software so that the suite can drive it (docs/adapter-contract.md).

This package holds the contract's JSON Schemas (one per request and response, beside this
file), the table of endpoints, the Python types of the requests and responses
(:mod:`conformance.contract.types`), and :func:`validate`, which both the HTTP adapter and the
reference SUT's controller apply to everything they send and receive.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from conformance.contract.types import (
    ACTION_STATUS,
    Action,
    ActionResult,
    Attachment,
    Business,
    ClockSettings,
    Configuration,
    DocumentRequest,
    RecipientState,
    RecordedStatus,
    RegisteredDocument,
    SentDocument,
    SigningCredentials,
    SutIdentity,
    TakeBackAnswer,
    TakeBackRequest,
)
from conformance.errors import ContractViolation

CONTRACT_VERSION = "1.1"
BASE_PATH = "/lienthong/v1"
SCHEMA_BASE = "https://lienthong.invalid/adapter-contract/1.0/"

ERROR_STATUS: dict[str, int] = {
    "bad-request": 400,
    "unknown-document": 404,
    "not-configured": 409,
    "illegal-transition": 409,
    "not-supported": 501,
    "axis-unavailable": 502,
    "internal": 500,
}
"""The contract's error codes and the HTTP status each comes with."""

__all__ = [
    "ACTION_STATUS",
    "BASE_PATH",
    "CONTRACT_VERSION",
    "ENDPOINTS",
    "ERROR_STATUS",
    "Action",
    "ActionResult",
    "Attachment",
    "Business",
    "ClockSettings",
    "Configuration",
    "DocumentRequest",
    "Endpoint",
    "RecipientState",
    "RecordedStatus",
    "RegisteredDocument",
    "SentDocument",
    "SigningCredentials",
    "SutIdentity",
    "TakeBackAnswer",
    "TakeBackRequest",
    "endpoint",
    "problems",
    "schema",
    "schema_names",
    "validate",
]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint of the contract: ``path`` is relative to the controller's base URL and may
    hold ``{documentId}``; ``request``/``response`` name schemas (``None``: no body);
    ``capability`` names the capability that makes an optional endpoint available."""

    name: str
    method: str
    path: str
    request: str | None
    response: str
    success: int
    capability: str | None = None

    def url_path(self, document_id: str | None = None) -> str:
        """The path with ``document_id`` percent-encoded as one segment (``/`` and ``,``
        included)."""
        if "{documentId}" not in self.path:
            return self.path
        if not document_id:
            raise ValueError(f"endpoint {self.name!r} needs a document_id, got {document_id!r}")
        return self.path.replace("{documentId}", quote(document_id, safe=""))


_DOC = BASE_PATH + "/documents/{documentId}"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("info", "GET", BASE_PATH + "/info", None, "info.response", 200),
    Endpoint(
        "configure",
        "POST",
        BASE_PATH + "/configure",
        "configure.request",
        "configure.response",
        200,
    ),
    Endpoint(
        "reset", "POST", BASE_PATH + "/reset", "reset.request", "reset.response", 200, "reset"
    ),
    Endpoint("send", "POST", BASE_PATH + "/documents", "send.request", "send.response", 201),
    Endpoint(
        "documents", "GET", BASE_PATH + "/documents", None, "documents.response", 200, "registered"
    ),
    Endpoint("document", "GET", _DOC, None, "document.response", 200, "registered"),
    Endpoint("action", "POST", _DOC + "/actions", "action.request", "action.response", 200),
    Endpoint(
        "take-back",
        "POST",
        _DOC + "/take-back",
        "take-back.request",
        "take-back.response",
        200,
        "take-back",
    ),
    Endpoint(
        "take-back-answer",
        "POST",
        _DOC + "/take-back/answer",
        "take-back-answer.request",
        "take-back-answer.response",
        200,
        "take-back",
    ),
)
_BY_NAME = {e.name: e for e in ENDPOINTS}


def endpoint(name: str) -> Endpoint:
    """The endpoint called ``name`` (``"send"``, ``"action"``, …)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"endpoint name={name!r} is not one of {sorted(_BY_NAME)}") from None


@functools.cache
def _schemas() -> dict[str, dict[str, Any]]:
    folder = resources.files(__name__)
    out = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".schema.json"):
            out[entry.name.removesuffix(".schema.json")] = json.loads(entry.read_text("utf-8"))
    return out


def schema_names() -> list[str]:
    """The names of the contract's schemas (``"send.request"``, ``"error"``, ``"common"``, …)."""
    return sorted(_schemas())


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema called ``name`` (a copy, safe to change)."""
    try:
        return json.loads(json.dumps(_schemas()[name]))
    except KeyError:
        raise ValueError(f"schema name={name!r} is not one of {schema_names()}") from None


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    schemas = _schemas()
    if name not in schemas:
        raise ValueError(f"schema name={name!r} is not one of {schema_names()}")
    registry: Registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values()
    )
    return Draft202012Validator(schemas[name], registry=registry)


def problems(name: str, instance: object) -> list[str]:
    """Every way ``instance`` breaks the schema ``name``, as ``"<json path>: <message>"``."""
    found = sorted(_validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{e.json_path}: {e.message}" for e in found]


def validate(name: str, instance: object, *, side: str = "response") -> None:
    """Raise :class:`~conformance.errors.ContractViolation` unless ``instance`` follows the
    schema ``name``; ``side`` ("request" or "response") goes into the message."""
    found = problems(name, instance)
    if found:
        raise ContractViolation(name, found, side=side)
