"""The adapter contract's requests and responses as Python values, and their JSON form.

Each type's ``to_json()`` gives the body the contract's schema describes (camelCase keys) and
``from_json()`` reads one back (both by :mod:`spec.jsonmap`, shaped by the type's
``json_layout``); validating against the schema is the caller's job
(:func:`conformance.contract.validate`): ``from_json`` checks only the types of the values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar, Literal

from spec.business_kinds import KindWord
from spec.formats import format_date, parse_date
from spec.jsonmap import Codec, JsonMapped, Layout, camel
from spec.status_codes import StatusCode

BusinessKind = KindWord
"""A business kind's word, as the contract's bodies write it (spec's business kinds)."""


class Action(enum.StrEnum):
    """What a clerk or leader does with a received document."""

    ACCEPT = "accept"
    REFUSE = "refuse"
    ASSIGN = "assign"
    PROCESS = "process"
    COMPLETE = "complete"

    def __repr__(self) -> str:
        return f"Action.{self.name}"


ACTION_STATUS: dict[Action, StatusCode] = {
    Action.ACCEPT: StatusCode.ACCEPTED,
    Action.REFUSE: StatusCode.REFUSED,
    Action.ASSIGN: StatusCode.ASSIGNED,
    Action.PROCESS: StatusCode.PROCESSING,
    Action.COMPLETE: StatusCode.COMPLETED,
}
"""The status code each action makes the SUT send."""


CONTRACT = Layout(keys=camel, omit_none=True)
"""Most bodies: camelCase keys, optional fields left out when unset."""


def _is_update(business: Business) -> bool:
    return business.kind == "update"


def _is_sent(document: RegisteredDocument) -> bool:
    return document.direction == "sent"


EDXML_DATE = Codec(
    lambda day: format_date(day) if day is not None else None,
    lambda text: parse_date(text) if text else None,
)
"""A date as edXML writes it (yyyy/MM/dd)."""


@dataclass(frozen=True, slots=True)
class SutIdentity(JsonMapped):
    """What ``GET /info`` says about the SUT. ``build`` (contract 1.1, optional) identifies
    the exact build: a commit, a build number or a package hash; it goes into the
    certificate."""

    json_layout: ClassVar[Layout] = Layout(
        keys=camel,
        omit_none={"build"},
        order=(
            "contractVersion",
            "product",
            "vendor",
            "version",
            "capabilities",
            "configured",
            "organId",
            "systemId",
            "build",
        ),
    )
    product: str
    vendor: str
    version: str
    contract_version: str
    capabilities: frozenset[str] = frozenset()
    configured: bool = False
    organ_id: str | None = None
    system_id: str | None = None
    build: str | None = None


@dataclass(frozen=True, slots=True)
class SigningCredentials(JsonMapped):
    """An agency's document-signing key and certificate (PEM text)."""

    json_layout: ClassVar[Layout] = CONTRACT
    key_pem: str = field(repr=False)
    cert_pem: str


@dataclass(frozen=True, slots=True)
class ClockSettings(JsonMapped):
    """The harness clock handed to the SUT: model time now and how fast it runs."""

    json_layout: ClassVar[Layout] = CONTRACT
    time_scale: float
    model_time: str  # yyyy/MM/dd HH:mm:ss


@dataclass(frozen=True, slots=True)
class Configuration(JsonMapped):
    """``POST /configure``: the axis account the SUT uses and the agency it serves."""

    json_layout: ClassVar[Layout] = Layout(
        keys=camel,
        rename={"poll_interval": "pollIntervalSeconds"},
        omit_none=True,
        order=(
            "axisEndpoint",
            "systemId",
            "secret",
            "organId",
            "caPem",
            "requireSignature",
            "pollIntervalSeconds",
            "signing",
            "clock",
        ),
    )
    axis_endpoint: str
    system_id: str
    secret: str = field(repr=False)
    organ_id: str
    ca_pem: str | None = field(default=None, repr=False)
    signing: SigningCredentials | None = None
    require_signature: bool = False
    clock: ClockSettings | None = None
    poll_interval: float | None = None  # model seconds


@dataclass(frozen=True, slots=True)
class Attachment(JsonMapped):
    """A file to send with a document. ``content_type`` is only a hint: the SUT labels the file
    by its bytes."""

    json_layout: ClassVar[Layout] = Layout(
        keys=camel, rename={"content": "contentBase64"}, omit_none=True
    )
    name: str
    content: bytes = field(repr=False)
    content_type: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Business(JsonMapped):
    """What a revoke, update or replace document refers to and why."""

    json_layout: ClassVar[Layout] = Layout(
        keys=camel,
        only_if={
            "document_info_changed": _is_update,
            "receivers_added": _is_update,
            "receivers_removed": _is_update,
        },
    )
    kind: Literal["revoke", "update", "replace"]
    original_document_id: str
    reason: str
    document_info_changed: bool = False
    receivers_added: tuple[str, ...] = ()
    receivers_removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentRequest(JsonMapped):
    """``POST /documents``: issue and send a document with this content."""

    json_layout: ClassVar[Layout] = Layout(
        keys=camel,
        omit_none=True,
        codecs={"due_date": EDXML_DATE},
        order=(
            "to",
            "subject",
            "content",
            "typeName",
            "codeNumber",
            "codeNotation",
            "steeringType",
            "dueDate",
            "attachments",
            "business",
        ),
    )
    to: tuple[str, ...]
    subject: str
    attachments: tuple[Attachment, ...] = ()
    content: str | None = None
    type_name: str | None = None
    code_number: str | None = None
    code_notation: str | None = None
    steering_type: int | None = None
    due_date: date | None = None
    business: Business | None = None


@dataclass(frozen=True, slots=True)
class SentDocument(JsonMapped):
    """The answer to a send: the document as issued, and its axis DocId once sent."""

    json_layout: ClassVar[Layout] = Layout(
        keys=camel,
        order=("documentId", "code", "promulgationDate", "to", "businessKind", "axisDocId"),
    )
    document_id: str
    to: tuple[str, ...]
    business_kind: BusinessKind = "new"
    code: str | None = None
    promulgation_date: str | None = None
    axis_doc_id: str | None = None


@dataclass(frozen=True, slots=True)
class ActionResult(JsonMapped):
    """What an action, a take-back request or a take-back answer made the SUT send."""

    json_layout: ClassVar[Layout] = Layout(
        keys=camel, omit_none=True, order=("documentId", "action", "statusCode", "state")
    )
    document_id: str
    status_code: StatusCode
    state: str | None = None
    action: Action | None = None


@dataclass(frozen=True, slots=True)
class TakeBackRequest(JsonMapped):
    """``POST /documents/{id}/take-back``."""

    recipient: str
    reason: str


@dataclass(frozen=True, slots=True)
class TakeBackAnswer(JsonMapped):
    """``POST /documents/{id}/take-back/answer``."""

    json_layout: ClassVar[Layout] = CONTRACT
    agree: bool
    requester: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RecordedStatus(JsonMapped):
    """A status message in the SUT's register, sent or received."""

    json_layout: ClassVar[Layout] = CONTRACT
    code: str
    from_: str
    to: str
    timestamp: str | None = None
    description: str | None = None
    direction: Literal["sent", "received"] | None = None


@dataclass(frozen=True, slots=True)
class RecipientState(JsonMapped):
    json_layout: ClassVar[Layout] = CONTRACT
    organ_id: str
    state: str
    take_back_pending: bool = False


@dataclass(frozen=True, slots=True)
class RegisteredDocument(JsonMapped):
    """A document in the SUT's register (``GET /documents``)."""

    json_layout: ClassVar[Layout] = Layout(
        keys=camel,
        rename={"sender": "from", "recipients": "to", "recipient_states": "recipients"},
        omit_none=True,
        only_if={"recipient_states": _is_sent},
        order=(
            "documentId",
            "direction",
            "from",
            "to",
            "subject",
            "code",
            "promulgationDate",
            "businessKind",
            "state",
            "revoked",
            "withdrawn",
            "takeBackPending",
            "axisDocIds",
            "statuses",
            "recipients",
        ),
    )
    document_id: str
    direction: Literal["received", "sent"]
    sender: str
    recipients: tuple[str, ...]
    subject: str
    code: str | None = None
    promulgation_date: str | None = None
    business_kind: BusinessKind = "new"
    state: str | None = None
    recipient_states: tuple[RecipientState, ...] = ()
    revoked: bool = False
    withdrawn: bool = False
    take_back_pending: bool = False
    axis_doc_ids: tuple[str, ...] = ()
    statuses: tuple[RecordedStatus, ...] = ()
