"""The adapter contract's requests and responses as Python values, and their JSON form.

Each type's ``to_json()`` gives the body the contract's schema describes (camelCase keys) and
``from_json()`` reads one back; validating against the schema is the caller's job
(:func:`conformance.contract.validate`), so ``from_json`` assumes a valid body.
"""

from __future__ import annotations

import base64
import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from spec.business_kinds import KindWord
from spec.formats import format_date, parse_date
from spec.status_codes import StatusCode

Json = dict[str, Any]
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


def _drop_none(data: Json) -> Json:
    return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True, slots=True)
class SutIdentity:
    """What ``GET /info`` says about the SUT. ``build`` (contract 1.1, optional) identifies
    the exact build: a commit, a build number or a package hash; it goes into the
    certificate."""

    product: str
    vendor: str
    version: str
    contract_version: str
    capabilities: frozenset[str] = frozenset()
    configured: bool = False
    organ_id: str | None = None
    system_id: str | None = None
    build: str | None = None

    def to_json(self) -> Json:
        data = {
            "contractVersion": self.contract_version,
            "product": self.product,
            "vendor": self.vendor,
            "version": self.version,
            "capabilities": sorted(self.capabilities),
            "configured": self.configured,
            "organId": self.organ_id,
            "systemId": self.system_id,
        }
        if self.build is not None:
            data["build"] = self.build
        return data

    @classmethod
    def from_json(cls, data: Json) -> SutIdentity:
        return cls(
            product=data["product"],
            vendor=data["vendor"],
            version=data["version"],
            contract_version=data["contractVersion"],
            capabilities=frozenset(data["capabilities"]),
            configured=data["configured"],
            organ_id=data.get("organId"),
            system_id=data.get("systemId"),
            build=data.get("build"),
        )


@dataclass(frozen=True, slots=True)
class SigningCredentials:
    """An agency's document-signing key and certificate (PEM text)."""

    key_pem: str = field(repr=False)
    cert_pem: str


@dataclass(frozen=True, slots=True)
class ClockSettings:
    """The harness clock handed to the SUT: model time now and how fast it runs."""

    time_scale: float
    model_time: str  # yyyy/MM/dd HH:mm:ss


@dataclass(frozen=True, slots=True)
class Configuration:
    """``POST /configure``: the axis account the SUT uses and the agency it serves."""

    axis_endpoint: str
    system_id: str
    secret: str = field(repr=False)
    organ_id: str
    ca_pem: str | None = field(default=None, repr=False)
    signing: SigningCredentials | None = None
    require_signature: bool = False
    clock: ClockSettings | None = None
    poll_interval: float | None = None  # model seconds

    def to_json(self) -> Json:
        data: Json = {
            "axisEndpoint": self.axis_endpoint,
            "systemId": self.system_id,
            "secret": self.secret,
            "organId": self.organ_id,
            "caPem": self.ca_pem,
            "requireSignature": self.require_signature,
            "pollIntervalSeconds": self.poll_interval,
        }
        if self.signing is not None:
            data["signing"] = {"keyPem": self.signing.key_pem, "certPem": self.signing.cert_pem}
        if self.clock is not None:
            data["clock"] = {
                "timeScale": self.clock.time_scale,
                "modelTime": self.clock.model_time,
            }
        return _drop_none(data)

    @classmethod
    def from_json(cls, data: Json) -> Configuration:
        signing = data.get("signing")
        clock = data.get("clock")
        return cls(
            axis_endpoint=data["axisEndpoint"],
            system_id=data["systemId"],
            secret=data["secret"],
            organ_id=data["organId"],
            ca_pem=data.get("caPem"),
            signing=SigningCredentials(signing["keyPem"], signing["certPem"]) if signing else None,
            require_signature=data.get("requireSignature", False),
            clock=ClockSettings(float(clock["timeScale"]), clock["modelTime"]) if clock else None,
            poll_interval=data.get("pollIntervalSeconds"),
        )


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to send with a document. ``content_type`` is only a hint: the SUT labels the file
    by its bytes."""

    name: str
    content: bytes = field(repr=False)
    content_type: str | None = None
    description: str | None = None

    def to_json(self) -> Json:
        return _drop_none(
            {
                "name": self.name,
                "contentBase64": base64.b64encode(self.content).decode("ascii"),
                "contentType": self.content_type,
                "description": self.description,
            }
        )

    @classmethod
    def from_json(cls, data: Json) -> Attachment:
        try:
            content = base64.b64decode(data["contentBase64"], validate=True)
        except ValueError as exc:
            raise ValueError(
                f"attachment {data['name']!r}: contentBase64 is not base64 ({exc})"
            ) from None
        return cls(data["name"], content, data.get("contentType"), data.get("description"))


@dataclass(frozen=True, slots=True)
class Business:
    """What a revoke, update or replace document refers to and why."""

    kind: Literal["revoke", "update", "replace"]
    original_document_id: str
    reason: str
    document_info_changed: bool = False
    receivers_added: tuple[str, ...] = ()
    receivers_removed: tuple[str, ...] = ()

    def to_json(self) -> Json:
        data: Json = {
            "kind": self.kind,
            "originalDocumentId": self.original_document_id,
            "reason": self.reason,
        }
        if self.kind == "update":
            data["documentInfoChanged"] = self.document_info_changed
            data["receiversAdded"] = list(self.receivers_added)
            data["receiversRemoved"] = list(self.receivers_removed)
        return data

    @classmethod
    def from_json(cls, data: Json) -> Business:
        return cls(
            kind=data["kind"],
            original_document_id=data["originalDocumentId"],
            reason=data["reason"],
            document_info_changed=data.get("documentInfoChanged", False),
            receivers_added=tuple(data.get("receiversAdded", ())),
            receivers_removed=tuple(data.get("receiversRemoved", ())),
        )


@dataclass(frozen=True, slots=True)
class DocumentRequest:
    """``POST /documents``: issue and send a document with this content."""

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

    def to_json(self) -> Json:
        data = _drop_none(
            {
                "to": list(self.to),
                "subject": self.subject,
                "content": self.content,
                "typeName": self.type_name,
                "codeNumber": self.code_number,
                "codeNotation": self.code_notation,
                "steeringType": self.steering_type,
                "dueDate": format_date(self.due_date) if self.due_date else None,
            }
        )
        data["attachments"] = [a.to_json() for a in self.attachments]
        if self.business is not None:
            data["business"] = self.business.to_json()
        return data

    @classmethod
    def from_json(cls, data: Json) -> DocumentRequest:
        business = data.get("business")
        return cls(
            to=tuple(data["to"]),
            subject=data["subject"],
            attachments=tuple(Attachment.from_json(a) for a in data["attachments"]),
            content=data.get("content"),
            type_name=data.get("typeName"),
            code_number=data.get("codeNumber"),
            code_notation=data.get("codeNotation"),
            steering_type=data.get("steeringType"),
            due_date=parse_date(data["dueDate"]) if data.get("dueDate") else None,
            business=Business.from_json(business) if business else None,
        )


@dataclass(frozen=True, slots=True)
class SentDocument:
    """The answer to a send: the document as issued, and its axis DocId once sent."""

    document_id: str
    to: tuple[str, ...]
    business_kind: BusinessKind = "new"
    code: str | None = None
    promulgation_date: str | None = None
    axis_doc_id: str | None = None

    def to_json(self) -> Json:
        return {
            "documentId": self.document_id,
            "code": self.code,
            "promulgationDate": self.promulgation_date,
            "to": list(self.to),
            "businessKind": self.business_kind,
            "axisDocId": self.axis_doc_id,
        }

    @classmethod
    def from_json(cls, data: Json) -> SentDocument:
        return cls(
            document_id=data["documentId"],
            to=tuple(data["to"]),
            business_kind=data["businessKind"],
            code=data.get("code"),
            promulgation_date=data.get("promulgationDate"),
            axis_doc_id=data.get("axisDocId"),
        )


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What an action, a take-back request or a take-back answer made the SUT send."""

    document_id: str
    status_code: StatusCode
    state: str | None = None
    action: Action | None = None

    def to_json(self) -> Json:
        return _drop_none(
            {
                "documentId": self.document_id,
                "action": self.action.value if self.action else None,
                "statusCode": self.status_code.value,
                "state": self.state,
            }
        )

    @classmethod
    def from_json(cls, data: Json) -> ActionResult:
        action = data.get("action")
        return cls(
            document_id=data["documentId"],
            status_code=StatusCode.parse(data["statusCode"]),
            state=data.get("state"),
            action=Action(action) if action else None,
        )


@dataclass(frozen=True, slots=True)
class TakeBackRequest:
    """``POST /documents/{id}/take-back``."""

    recipient: str
    reason: str

    def to_json(self) -> Json:
        return {"recipient": self.recipient, "reason": self.reason}

    @classmethod
    def from_json(cls, data: Json) -> TakeBackRequest:
        return cls(data["recipient"], data["reason"])


@dataclass(frozen=True, slots=True)
class TakeBackAnswer:
    """``POST /documents/{id}/take-back/answer``."""

    agree: bool
    requester: str | None = None
    reason: str | None = None

    def to_json(self) -> Json:
        return _drop_none({"agree": self.agree, "requester": self.requester, "reason": self.reason})

    @classmethod
    def from_json(cls, data: Json) -> TakeBackAnswer:
        return cls(data["agree"], data.get("requester"), data.get("reason"))


@dataclass(frozen=True, slots=True)
class RecordedStatus:
    """A status message in the SUT's register, sent or received."""

    code: str
    from_: str
    to: str
    timestamp: str | None = None
    description: str | None = None
    direction: Literal["sent", "received"] | None = None

    def to_json(self) -> Json:
        return _drop_none(
            {
                "code": self.code,
                "from": self.from_,
                "to": self.to,
                "timestamp": self.timestamp,
                "description": self.description,
                "direction": self.direction,
            }
        )

    @classmethod
    def from_json(cls, data: Json) -> RecordedStatus:
        return cls(
            data["code"],
            data["from"],
            data["to"],
            data.get("timestamp"),
            data.get("description"),
            data.get("direction"),
        )


@dataclass(frozen=True, slots=True)
class RecipientState:
    organ_id: str
    state: str
    take_back_pending: bool = False


@dataclass(frozen=True, slots=True)
class RegisteredDocument:
    """A document in the SUT's register (``GET /documents``)."""

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

    def to_json(self) -> Json:
        data = _drop_none(
            {
                "documentId": self.document_id,
                "direction": self.direction,
                "from": self.sender,
                "to": list(self.recipients),
                "subject": self.subject,
                "code": self.code,
                "promulgationDate": self.promulgation_date,
                "businessKind": self.business_kind,
                "state": self.state,
                "revoked": self.revoked,
                "withdrawn": self.withdrawn,
                "takeBackPending": self.take_back_pending,
                "axisDocIds": list(self.axis_doc_ids),
                "statuses": [s.to_json() for s in self.statuses],
            }
        )
        if self.direction == "sent":
            data["recipients"] = [
                {"organId": r.organ_id, "state": r.state, "takeBackPending": r.take_back_pending}
                for r in self.recipient_states
            ]
        return data

    @classmethod
    def from_json(cls, data: Json) -> RegisteredDocument:
        return cls(
            document_id=data["documentId"],
            direction=data["direction"],
            sender=data["from"],
            recipients=tuple(data["to"]),
            subject=data["subject"],
            code=data.get("code"),
            promulgation_date=data.get("promulgationDate"),
            business_kind=data.get("businessKind", "new"),
            state=data.get("state"),
            recipient_states=tuple(
                RecipientState(r["organId"], r["state"], r.get("takeBackPending", False))
                for r in data.get("recipients", ())
            ),
            revoked=data.get("revoked", False),
            withdrawn=data.get("withdrawn", False),
            take_back_pending=data.get("takeBackPending", False),
            axis_doc_ids=tuple(data.get("axisDocIds", ())),
            statuses=tuple(RecordedStatus.from_json(s) for s in data.get("statuses", ())),
        )
