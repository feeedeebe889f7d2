"""The transcript's events, typed: one frozen dataclass per kind of event the axis records, the
``EventKind`` vocabulary, and how a recorded event is written (``encode_body``) and read back
(``parse_event``).

Every writer builds one of these classes (``store.record(StoredEvent(...))``) and every reader
gets one back, from the store, the admin API or a ``transcript.jsonl`` export, so no module
outside this one looks inside an event by string key. The JSON form of a transcript line is
described by ``spec/schemas/transcript-event.schema.json``; a test keeps it and these classes
in agreement.

A recorded :class:`Event` is ``{seq, ts, kind, data}`` plus ``prev`` and ``hash`` (the chain,
:mod:`axis.transcript`); ``body`` is the typed ``data``.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeAlias

import orjson

from axis.errors import AxisError
from axis.transcript import canonical
from spec.findings import Finding
from spec.jsonmap import JsonMapped, JsonWritable, Layout

__all__ = [
    "EVENT_TYPES",
    "AdminEvent",
    "AgencyEvent",
    "AmbiguousHeaderEvent",
    "AnomalyEvent",
    "CallEvent",
    "DeliveryEvent",
    "DuplicateEvent",
    "Event",
    "EventBody",
    "EventFormatError",
    "EventKind",
    "FaultEvent",
    "FaultsEvent",
    "FindingsEvent",
    "IdentityEvent",
    "LongHeader",
    "Recipient",
    "RouteEvent",
    "Signature8bitEvent",
    "StartEvent",
    "StoredEvent",
    "SystemEvent",
    "body_data",
    "encode_body",
    "parse_body",
    "parse_event",
]


class EventKind(enum.StrEnum):
    """The kinds of transcript events (the ``kind`` of a line)."""

    CALL = "call"
    STORED = "stored"
    ROUTE = "route"
    DELIVERY = "delivery"
    FINDINGS = "findings"
    IDENTITY = "identity"
    DUPLICATE = "duplicate"
    AMBIGUOUS_HEADER = "ambiguous_header"
    ANOMALY = "anomaly"
    SIGNATURE_8BIT = "signature_8bit"
    FAULT = "fault"
    FAULTS = "faults"
    AGENCY = "agency"
    SYSTEM = "system"
    ADMIN = "admin"
    START = "start"


class EventFormatError(AxisError, ValueError):
    """A transcript line or event that is not one of the kinds below, or lacks their fields."""


_FROZEN = {"frozen": True, "slots": True, "kw_only": True}


class _Data(JsonMapped):
    """A record of an event's ``data``: written field by field by :mod:`spec.jsonmap`, read back
    refusing keys it does not know."""

    __slots__ = ()
    json_layout: ClassVar[Layout] = Layout(
        forbid_extra=True, error=EventFormatError, what="event data"
    )


@dataclass(frozen=True, slots=True)
class LongHeader(_Data):
    """A header too long to keep whole: its name and value were cut in ``headers``; here are
    their full lengths and the SHA-256 of the raw ``name: value`` bytes."""

    name: str
    name_length: int
    value_length: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Recipient(_Data):
    """One recipient of a stored message and the system it was routed to."""

    code: str
    system: str


@dataclass(**_FROZEN)
class CallEvent(_Data):
    """One protocol call (a VXP request over HTTP, or an admin inject of ``sendEdoc``) with the
    axis's answer. ``system`` is the claimed systemId; ``headers`` the signed ``XroadVnpt-*``
    values (what was sent when unauthenticated) and the user agent, bounded; ``applied`` is
    False when a fault dropped the call. The fields after ``applied`` say what the operation
    did: the DocId it concerned, the docIds a list showed, the word of an ack, counts."""

    KIND: ClassVar[EventKind] = EventKind.CALL
    op: str
    system: str
    method: str
    path: str
    channel: str = "http"
    headers: dict[str, str] = field(default_factory=dict)
    long_headers: tuple[LongHeader, ...] = ()
    body_size: int = 0
    body_sha256: str = ""
    http_status: int = 200
    status: str = "OK"
    error_code: str = "0"
    error_desc: str = ""
    applied: bool = True
    internal: bool = False
    doc_id: str = ""
    duplicate: bool = False
    messagetype: str = ""
    listed: tuple[str, ...] = ()
    size: int = 0
    ack: str = ""
    items: int = 0
    level: int = 0
    count: int = 0
    code: str = ""

    @property
    def ok(self) -> bool:
        """Answered OK (for ``downloadEdoc``: answered bytes)."""
        return self.status == "OK" and self.http_status < 400


@dataclass(**_FROZEN)
class StoredEvent(_Data):
    """A message stored: its DocId, the sending system, what it is, and the routing decision.
    ``unparsed`` marks an admin inject of bytes that are not edXML, ``not_edxml`` XML that is
    not an edXML message (lenient mode, routed by the ``to`` header)."""

    KIND: ClassVar[EventKind] = EventKind.STORED
    op: str
    system: str
    doc_id: str
    messagetype: str
    sha256: str
    size: int
    from_code: str = ""
    document_id: str = ""
    status_code: str = ""
    recipients: tuple[Recipient, ...] = ()
    unparsed: bool = False
    not_edxml: bool = False


@dataclass(**_FROZEN)
class RouteEvent(_Data):
    """A send refused by routing: the recipient codes, why, and the kind of message."""

    KIND: ClassVar[EventKind] = EventKind.ROUTE
    op: str
    system: str
    codes: tuple[str, ...]
    refused: str
    messagetype: str = ""


@dataclass(**_FROZEN)
class DeliveryEvent(_Data):
    """A delivery's state changed: created ``pending`` for a recipient system (``sender``,
    ``to`` and ``visible_after_s`` set), or acked by it (``previous`` set)."""

    KIND: ClassVar[EventKind] = EventKind.DELIVERY
    doc_id: str
    system: str
    status: str
    to: tuple[str, ...] = ()
    sender: str = ""
    visible_after_s: float = 0.0
    previous: str = ""
    listed: bool = True

    @property
    def created(self) -> bool:
        """The delivery was made (not acked)."""
        return not self.previous


@dataclass(**_FROZEN)
class FindingsEvent(_Data):
    """The validator's findings on a sent document (``doc_id`` once it is stored, ``sha256``
    of its bytes) or on a registered agency ``code``; at most 50 kept, ``errors`` and ``total``
    count them all. ``refused`` says why the document or code was refused, if it was."""

    KIND: ClassVar[EventKind] = EventKind.FINDINGS
    op: str
    system: str
    doc_id: str = ""
    sha256: str = ""
    code: str = ""
    errors: int = 0
    total: int = 0
    findings: tuple[Finding, ...] = ()
    refused: str = ""


@dataclass(**_FROZEN)
class IdentityEvent(_Data):
    """A system spoke for an agency it does not serve (the From of an edoc or a status): the
    call was refused with ErrorCode 4 and nothing was stored. ``served_by`` is the system that
    serves the code ("" when nobody does)."""

    KIND: ClassVar[EventKind] = EventKind.IDENTITY
    op: str
    system: str
    code: str
    messagetype: str
    served_by: str = ""


@dataclass(**_FROZEN)
class DuplicateEvent(_Data):
    """The same bytes sent again by the same system: answered with the earlier DocId."""

    KIND: ClassVar[EventKind] = EventKind.DUPLICATE
    op: str
    system: str
    doc_id: str
    sha256: str


@dataclass(**_FROZEN)
class AmbiguousHeaderEvent(_Data):
    """Two spellings of one header key disagreed; the first on the wire was used."""

    KIND: ClassVar[EventKind] = EventKind.AMBIGUOUS_HEADER
    op: str
    system: str
    key: str
    values: tuple[str, ...]


@dataclass(**_FROZEN)
class AnomalyEvent(_Data):
    """Something odd the axis tolerated: ``what`` names it (``body-without-crlf``,
    ``messagetype-mismatch``, ``not-edxml``), ``reason`` explains."""

    KIND: ClassVar[EventKind] = EventKind.ANOMALY
    op: str
    system: str
    what: str
    reason: str = ""


@dataclass(**_FROZEN)
class Signature8bitEvent(_Data):
    """A signature that fails because a signed value has bytes >= 0x80 (the SDK's 8-bit
    truncation); ``accepted`` under ``tolerate_8bit_headers``."""

    KIND: ClassVar[EventKind] = EventKind.SIGNATURE_8BIT
    op: str
    system: str
    accepted: bool


@dataclass(**_FROZEN)
class FaultEvent(_Data):
    """An injected fault fired on a call: the rule, its kind (``fault``) and parameters."""

    KIND: ClassVar[EventKind] = EventKind.FAULT
    op: str
    system: str
    rule: str
    fault: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(**_FROZEN)
class FaultsEvent(_Data):
    """The fault plan was set (``plan`` as given, ``started`` the axis time it took effect:
    outage windows count from it) or cleared."""

    KIND: ClassVar[EventKind] = EventKind.FAULTS
    action: str
    plan: dict[str, Any] = field(default_factory=dict)
    started: float | None = None


@dataclass(**_FROZEN)
class AgencyEvent(_Data):
    """A registry change: ``action`` is ``seeded``, ``registered``, ``deleted`` or ``yielded``
    (a default system gave the code up to the operator-added ``system``); ``by`` is ``sdk``
    (registerAgency), ``admin``, ``seed`` or ``cli``; ``previous`` is the system that served the
    code before, when it changed hands."""

    KIND: ClassVar[EventKind] = EventKind.AGENCY
    system: str
    code: str
    action: str
    by: str
    op: str = ""
    previous: str = ""
    valid: bool = True
    findings: tuple[Finding, ...] = ()


@dataclass(**_FROZEN)
class SystemEvent(_Data):
    """A connection system added or re-keyed; ``simulated`` for the axis's default systems
    (peers that yield their codes), else operator-added (``by``: ``cli`` or ``admin``)."""

    KIND: ClassVar[EventKind] = EventKind.SYSTEM
    system: str
    action: str
    by: str
    simulated: bool = False


@dataclass(**_FROZEN)
class AdminEvent(_Data):
    """An admin action: ``reset`` (with what it forgot), ``put_system``, ``inject``, ``login``."""

    KIND: ClassVar[EventKind] = EventKind.ADMIN
    action: str
    system: str = ""
    messages: bool = False
    registry: bool = False
    faults: bool = False
    messagetype: str = ""
    size: int = 0
    to: tuple[str, ...] = ()
    unparsed: bool = False


@dataclass(**_FROZEN)
class StartEvent(_Data):
    """The axis started with these settings (never secrets)."""

    KIND: ClassVar[EventKind] = EventKind.START
    strict: bool
    seed: int | None
    tolerate_8bit_headers: bool
    max_body_bytes: int
    max_header_bytes: int = 0
    peers: tuple[str, ...] = ()
    run_id: str = ""


EventBody: TypeAlias = (
    CallEvent
    | StoredEvent
    | RouteEvent
    | DeliveryEvent
    | FindingsEvent
    | IdentityEvent
    | DuplicateEvent
    | AmbiguousHeaderEvent
    | AnomalyEvent
    | Signature8bitEvent
    | FaultEvent
    | FaultsEvent
    | AgencyEvent
    | SystemEvent
    | AdminEvent
    | StartEvent
)

EVENT_TYPES: dict[EventKind, type[EventBody]] = {
    cls.KIND: cls for cls in typing.get_args(EventBody)
}


# --- writing and reading ------------------------------------------------------------------------


def body_data(body: EventBody) -> dict[str, Any]:
    """The event's ``data`` object: every field, nested records as objects."""
    return body.to_json()


def encode_body(body: EventBody) -> bytes:
    """The canonical JSON of the event's ``data`` (sorted keys, no spaces, UTF-8); strings that
    are not valid Unicode are written with ``?``."""
    return canonical(body.to_json())


def parse_body(kind: str, data: Mapping[str, Any]) -> EventBody:
    """The typed body of an event of ``kind`` whose ``data`` is ``data``; raises
    ``EventFormatError`` for an unknown kind or data that does not fit it."""
    try:
        cls = EVENT_TYPES[EventKind(kind)]
    except ValueError:
        raise EventFormatError(
            f"kind={kind!r} is not a transcript event kind; known: {', '.join(EventKind)}"
        ) from None
    if not isinstance(data, Mapping):
        raise EventFormatError(f"data of a {kind} event must be an object, not {data!r:.80}")
    return cls.from_json(data, where=f"data of a {kind} event does not fit it")


@dataclass(frozen=True, slots=True)
class Event(JsonWritable):
    """One recorded transcript event: its place in the chain (``seq``, ``prev``, ``hash``), its
    time (``ts``, ISO 8601 UTC) and its typed ``body`` (``data`` in its JSON form)."""

    json_layout: ClassVar[Layout] = Layout(
        rename={"body": "data"},
        extra={"kind": lambda event: event.kind},
        order=("seq", "ts", "kind", "data", "prev", "hash"),
    )

    seq: int
    ts: str
    body: EventBody
    prev: str = ""
    hash: str = ""

    @property
    def kind(self) -> EventKind:
        return self.body.KIND

    @property
    def at(self) -> datetime:
        """``ts`` as an aware datetime (UTC)."""
        return datetime.fromisoformat(self.ts.replace("Z", "+00:00"))

    @property
    def system(self) -> str:
        """The system the event is about ("" when none)."""
        return str(getattr(self.body, "system", ""))

    @property
    def doc_id(self) -> str:
        """The DocId the event is about ("" when none)."""
        return str(getattr(self.body, "doc_id", ""))

    @property
    def op(self) -> str:
        """The operation that caused the event ("" when none)."""
        return str(getattr(self.body, "op", ""))

    def matches(self, **wanted: object) -> bool:
        """Whether every given field (``kind`` or a field of the body) has the given value;
        ``None`` values are ignored."""
        for name, value in wanted.items():
            if value is None:
                continue
            have = self.kind if name == "kind" else getattr(self.body, name, None)
            if have != value:
                return False
        return True

    def excerpt(self) -> dict[str, Any]:
        """The event as evidence detail: seq, time, kind, a one-line summary and its data
        without bulky or empty fields."""
        data = {
            k: v
            for k, v in body_data(self.body).items()
            if k not in ("headers", "long_headers", "findings") and v not in ("", (), [], {})
        }
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "kind": str(self.kind),
            "summary": str(self),
            "data": data,
        }

    def __str__(self) -> str:
        bits = [f"#{self.seq} {self.kind}"]
        for name in ("op", "system", "doc_id", "status", "error_code", "status_code"):
            value = getattr(self.body, name, "")
            if value not in (None, ""):
                bits.append(f"{name}={value}")
        return " ".join(bits)


def parse_event(raw: Mapping[str, Any] | str | bytes) -> Event:
    """A transcript event from its JSON form (an object of the admin API, or a line of
    ``transcript.jsonl``); raises ``EventFormatError`` when it is not one."""
    if isinstance(raw, str | bytes):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise EventFormatError(f"transcript line is not JSON: {exc}") from None
    if not isinstance(raw, Mapping):
        raise EventFormatError(f"a transcript event is a JSON object, not {raw!r:.80}")
    try:
        seq, ts, kind, data = raw["seq"], raw["ts"], raw["kind"], raw["data"]
    except KeyError as exc:
        raise EventFormatError(f"transcript event has no {exc.args[0]!r}") from None
    if not isinstance(seq, int) or not isinstance(ts, str):
        raise EventFormatError(f"transcript event has seq={seq!r}, ts={ts!r}")
    body = parse_body(kind, data)
    return Event(seq, ts, body, str(raw.get("prev", "")), str(raw.get("hash", "")))
