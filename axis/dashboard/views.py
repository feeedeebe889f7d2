"""The dashboard's view models: the store's rows and the projection's facts turned into what a
template shows (names beside codes, delivery states, status labels, one line per event).

Pure functions of their inputs, so what the page says can be tested without HTML.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from axis.dashboard.labels import (
    DeliveryState,
    StatusLabel,
    delivery_state,
    status_label,
)
from axis.dashboard.projection import Projection, StatusReport
from axis.events import (
    CallEvent,
    DeliveryEvent,
    DuplicateEvent,
    Event,
    FaultEvent,
    FindingsEvent,
    RouteEvent,
    StoredEvent,
    body_data,
)
from axis.ports import AxisView
from spec.findings import Finding
from spec.lifecycle import check_sequence
from spec.status_codes import FORWARD_PATH, InvalidStatusCode, StatusCode

DEFAULT_MESSAGES = 50

__all__ = [
    "NO_FILTER",
    "AgencyRow",
    "Counts",
    "DeliveryRow",
    "FaultRow",
    "FilterChoices",
    "FindingsView",
    "LifecycleView",
    "MessageFilter",
    "MessageRow",
    "Names",
    "RecipientLine",
    "SystemRow",
    "TimelineRow",
    "agency_rows",
    "counts",
    "document_view",
    "fault_rows",
    "filter_choices",
    "message_rows",
    "system_rows",
    "timeline_rows",
]


@dataclass(frozen=True, slots=True)
class Names:
    """Display names: agency code (either form) → name, system id → name."""

    agencies: dict[str, str]
    systems: dict[str, str]

    @classmethod
    def of(cls, axis: AxisView) -> Names:
        agencies: dict[str, str] = {}
        for agency in axis.agencies(include_deleted=True):
            agencies[agency.code] = agency.name
            if agency.alt_code:
                agencies[agency.alt_code] = agency.name
        systems = axis.system_names()
        return cls(agencies, systems)

    def agency(self, code: str) -> str:
        return self.agencies.get(code, "")

    def system(self, system_id: str) -> str:
        return self.systems.get(system_id, "")


# --- header counts ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    systems: int
    agencies: int
    messages: int
    in_flight: int
    delivered: int
    events: int
    head_seq: int
    head_hash: str
    faults: int
    mode: str
    uptime_s: float


def counts(axis: AxisView) -> Counts:
    raw = axis.counts()
    seq, digest = axis.head()
    return Counts(
        systems=raw["systems"],
        agencies=raw["agencies"],
        messages=raw["messages"],
        in_flight=raw["deliveries_listed"],
        delivered=raw["deliveries"] - raw["deliveries_listed"],
        events=raw["events"],
        head_seq=seq,
        head_hash=digest,
        faults=len(axis.active_faults().get("rules", [])),
        mode="strict" if axis.strict else "lenient",
        uptime_s=axis.uptime_s(),
    )


# --- systems and agencies ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SystemRow:
    system_id: str
    name: str
    agencies: int
    sent: int
    pending: int
    done: int


def system_rows(axis: AxisView) -> list[SystemRow]:
    """Every connection system, never with its secret."""
    return [
        SystemRow(
            system_id=s["system_id"],
            name=s["name"],
            agencies=len(s["agencies"]),
            sent=s["sent"],
            pending=s["pending"],
            done=s["done"],
        )
        for s in axis.list_systems()
    ]


@dataclass(frozen=True, slots=True)
class AgencyRow:
    code: str
    twin: str
    name: str
    system_id: str
    level: int
    valid: bool


def agency_rows(axis: AxisView) -> list[AgencyRow]:
    """Registered agencies, grouped by system, each with its other form (QCVN 102 ↔ QĐ 20)."""
    rows = [
        AgencyRow(a.code, a.alt_code or "", a.name, a.system_id, a.level, a.valid)
        for a in axis.agencies()
    ]
    return sorted(rows, key=lambda r: (r.system_id, r.level, r.code))


# --- faults -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FaultRow:
    rule: str
    kind: str
    target: str
    trigger: str
    params: str
    fired: int


_TARGET_KEYS = frozenset({"id", "kind", "system", "operation", "probability", "next", "remaining"})


def fault_rows(axis: AxisView, projection: Projection) -> list[FaultRow]:
    """The active fault plan's rules, with how often each fired since the axis started."""
    rows = []
    for rule in axis.active_faults().get("rules", []):
        if "next" in rule:
            trigger = f"next {rule['next']} calls ({rule.get('remaining', rule['next'])} left)"
        elif rule.get("kind") == "outage":
            start = rule.get("start_s", 0)
            trigger = f"window {start}–{start + rule.get('duration_s', 0)} s"
        elif "probability" in rule:
            trigger = f"p = {rule['probability']}"
        else:
            trigger = "every call"
        params = ", ".join(
            f"{k}={_short(v)}"
            for k, v in sorted(rule.items())
            if k not in _TARGET_KEYS and k not in ("start_s", "duration_s")
        )
        rows.append(
            FaultRow(
                rule=str(rule.get("id", "?")),
                kind=str(rule.get("kind", "?")),
                target=f"{rule.get('system', '*')} · {rule.get('operation', '*')}",
                trigger=trigger,
                params=params,
                fired=projection.fault_fired.get(str(rule.get("id", "?")), 0),
            )
        )
    return rows


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


# --- the message filter's choices ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """What the filter form offers: systems, agencies, business status codes and transport
    states."""

    systems: list[tuple[str, str]]
    agencies: list[tuple[str, str]]
    codes: list[StatusLabel]
    states: list[tuple[str, str]]


TRANSPORT_STATES = (
    ("waiting", "waiting"),
    ("listed", "listed"),
    ("fetched", "fetched"),
    ("done", "acked done"),
    ("fail", "acked fail"),
)


def filter_choices(axis: AxisView) -> FilterChoices:
    names = axis.system_names()
    return FilterChoices(
        systems=sorted(names.items()),
        agencies=sorted((a.code, a.name) for a in axis.agencies()),
        codes=[status_label(c.value) for c in StatusCode],
        states=list(TRANSPORT_STATES),
    )


# --- messages ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    system_id: str
    system_name: str
    to: list[Party]
    state: DeliveryState
    updated: str
    listed_times: int


@dataclass(frozen=True, slots=True)
class RecipientLine:
    """One recipient agency of a message: where its system's delivery stands (transport) and,
    for a document, the newest business status at that agency."""

    party: Party
    system_id: str
    state: DeliveryState
    listed_times: int
    business: StatusLabel | None = None


@dataclass(frozen=True, slots=True)
class MessageRow:
    seq: int
    doc_id: str
    kind: str
    created: str
    sender: str
    sender_name: str
    from_: Party
    title: str
    notation: str
    document_id: str
    status: StatusLabel | None
    size: int
    deliveries: list[DeliveryRow]
    recipients: list[RecipientLine] = field(default_factory=list)

    @property
    def in_flight(self) -> bool:
        return any(d.state.key != "done" for d in self.deliveries)


def _message_row(row: dict[str, Any], projection: Projection, names: Names) -> MessageRow:
    doc_id = row["doc_id"]
    is_status = row["messagetype"] == "status"
    document_id = row["document_id"]
    listings = projection.listed.get(doc_id, {})
    fetches = projection.fetched.get(doc_id, {})
    deliveries = []
    recipients = []
    for d in row["deliveries"]:
        system_id = d["system_id"]
        listed = listings.get(system_id)
        state = delivery_state(d["status"], listed=listed is not None, fetched=system_id in fetches)
        times = listed.times if listed else 0
        parties = [Party(c, names.agency(c)) for c in d["to"].split(",") if c]
        deliveries.append(
            DeliveryRow(system_id, names.system(system_id), parties, state, d["updated"], times)
        )
        for party in parties:
            report = (
                projection.latest_status(document_id, party.code)
                if document_id and not is_status
                else None
            )
            recipients.append(
                RecipientLine(
                    party=party,
                    system_id=system_id,
                    state=state,
                    listed_times=times,
                    business=status_label(report.code) if report else None,
                )
            )
    return MessageRow(
        seq=row["seq"],
        doc_id=doc_id,
        kind=row["messagetype"],
        created=row["created"],
        sender=row["sender"],
        sender_name=names.system(row["sender"]),
        from_=Party(row["from_code"], names.agency(row["from_code"])),
        title=row["title"],
        notation=row["notation"],
        document_id=document_id,
        status=status_label(row["status_code"]) if is_status else None,
        size=row["size"],
        deliveries=deliveries,
        recipients=recipients,
    )


@dataclass(frozen=True, slots=True)
class MessageFilter:
    """What the message list is narrowed to: a connection system (sender or receiver), an
    agency (From or a recipient), and a ``status``: a business status code (``06``: documents
    that reached it at some recipient, and status messages with that code) or a transport
    state (``waiting``, ``listed``, ``fetched``, ``done``, ``fail``). Empty: no narrowing."""

    system: str = ""
    agency: str = ""
    status: str = ""

    def __bool__(self) -> bool:
        return bool(self.system or self.agency or self.status)

    def query(self) -> str:
        """The filter as query parameters (``&system=…``), for the page's links."""
        return "".join(
            f"&{k}={quote(v)}"
            for k, v in (("system", self.system), ("agency", self.agency), ("status", self.status))
            if v
        )

    def keeps(self, row: MessageRow) -> bool:
        if (
            self.system
            and self.system != row.sender
            and all(d.system_id != self.system for d in row.deliveries)
        ):
            return False
        if (
            self.agency
            and self.agency != row.from_.code
            and all(r.party.code != self.agency for r in row.recipients)
        ):
            return False
        if not self.status:
            return True
        if len(self.status) == 2 and self.status.isascii() and self.status.isdigit():
            codes = {row.status.code} if row.status else set()
            codes |= {r.business.code for r in row.recipients if r.business}
            return self.status in codes
        return any(d.state.key == self.status for d in row.deliveries)


NO_FILTER = MessageFilter()
SCAN_BATCH = 1000


def message_rows(
    axis: AxisView,
    projection: Projection,
    names: Names,
    limit: int = DEFAULT_MESSAGES,
    keep: MessageFilter = NO_FILTER,
) -> list[MessageRow]:
    """The newest ``limit`` messages (that ``keep`` keeps), newest first."""
    if not keep:
        rows = axis.list_messages(limit=limit, after_seq=projection.window_start(limit))
        return [_message_row(r, projection, names) for r in reversed(rows)]
    found: deque[MessageRow] = deque(maxlen=limit)
    after = 0
    while True:
        batch = axis.list_messages(limit=SCAN_BATCH, after_seq=after)
        for raw in batch:
            row = _message_row(raw, projection, names)
            if keep.keeps(row):
                found.append(row)
        if len(batch) < SCAN_BATCH:
            return list(reversed(found))
        after = batch[-1]["seq"]


def find_message(axis: AxisView, projection: Projection, doc_id: str) -> dict[str, Any] | None:
    """The stored message ``doc_id`` as ``list_messages`` describes it, or None."""
    stored = axis.message(doc_id)
    if stored is None:
        return None
    rows = axis.list_messages(limit=1, after_seq=stored.seq - 1)
    return rows[0] if rows and rows[0]["doc_id"] == doc_id else None


# --- one document: lifecycle and timeline ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    label: StatusLabel
    reached: bool


@dataclass(frozen=True, slots=True)
class LifecycleView:
    """A document's business statuses at one receiving agency: the forward path with the steps
    reached, the codes off the path, and what the harness's lifecycle rules say about them."""

    receiver: Party
    path: list[Step]
    others: list[StatusLabel]
    codes: list[str]
    problems: list[str]


def _lifecycle(receiver: Party, reports: list[StatusReport]) -> LifecycleView:
    parsed: list[StatusCode] = []
    problems = []
    for report in reports:
        try:
            parsed.append(StatusCode.parse(report.code))
        except InvalidStatusCode as exc:
            problems.append(str(exc))
    reached = {c for c in parsed if c.is_forward}
    path = [Step(status_label(c.value), c in reached) for c in FORWARD_PATH]
    others = [status_label(c.value) for c in parsed if not c.is_forward]
    problems += [str(r) for r in check_sequence((c, None) for c in parsed)]
    return LifecycleView(receiver, path, others, [r.code for r in reports], problems)


@dataclass(frozen=True, slots=True)
class FindingsView:
    """What the validator found in a stored document (as the axis recorded it on receipt)."""

    findings: tuple[Finding, ...]
    errors: int
    total: int
    checked: bool

    @property
    def shown_all(self) -> bool:
        return len(self.findings) == self.total


@dataclass(frozen=True, slots=True)
class DocumentView:
    message: MessageRow
    related: list[MessageRow]
    lifecycles: list[LifecycleView]
    findings: FindingsView


def findings_view(axis: AxisView, doc_id: str, unparsed: bool) -> FindingsView:
    """The validator's findings on ``doc_id`` (none recorded: it had none, or was not read)."""
    for event in axis.timeline(doc_id):
        body = event.body
        if isinstance(body, FindingsEvent) and body.doc_id == doc_id:
            return FindingsView(body.findings, body.errors, body.total, True)
    return FindingsView((), 0, 0, not unparsed)


def document_view(
    axis: AxisView, projection: Projection, names: Names, doc_id: str
) -> DocumentView | None:
    """The message ``doc_id``, the other messages about the same DocumentId (the document and
    its status messages) and the lifecycle at each receiving agency; None if not stored."""
    row = find_message(axis, projection, doc_id)
    if row is None:
        return None
    message = _message_row(row, projection, names)
    related = []
    lifecycles = []
    document_id = row["document_id"]
    if document_id:
        others = [
            *projection.edocs.get(document_id, ()),
            *(r.doc_id for r in projection.statuses.get(document_id, ())),
        ]
        for other_id in others:
            other = find_message(axis, projection, other_id) if other_id != doc_id else None
            if other is not None:
                related.append(_message_row(other, projection, names))
        related.sort(key=lambda m: m.seq)
        history = projection.status_history(document_id)
        receivers = (
            [p.code for d in message.deliveries for p in d.to] if message.kind == "edoc" else []
        )
        for code in [*receivers, *(c for c in history if c not in receivers)]:
            lifecycles.append(_lifecycle(Party(code, names.agency(code)), history.get(code, [])))
    unparsed = any(
        isinstance(e.body, StoredEvent)
        and e.doc_id == doc_id
        and (e.body.unparsed or e.body.not_edxml)
        for e in axis.timeline(doc_id)
    )
    return DocumentView(message, related, lifecycles, findings_view(axis, doc_id, unparsed))


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One line of a document's timeline."""

    seq: int
    ts: str
    kind: str
    tone: str
    actor: str
    actor_name: str
    about: str
    detail: str
    status: StatusLabel | None = None
    synthetic: bool = False


def _bytes(n: Any) -> str:
    return f"{n:,} B" if isinstance(n, int) else "?"


def _describe(event: Event, names: Names) -> tuple[str, str, str, StatusLabel | None]:
    """(kind label, tone, detail, status label) of a transcript event."""
    match event.body:
        case StoredEvent() as stored:
            code = stored.status_code
            what = f"status {code}" if stored.messagetype == "status" else "document"
            detail = f"{what} stored, {_bytes(stored.size)}, sha256 {stored.sha256[:12]}…"
            if stored.unparsed:
                detail = "stored unparsed (admin inject)"
            return "stored", "info", detail, status_label(code) if code else None
        case RouteEvent(refused=refused):
            return "unroutable", "bad", refused, None
        case DeliveryEvent() as delivery:
            if delivery.created:
                delay = delivery.visible_after_s
                later = f", visible after {delay:g} s" if delay else ""
                to = ", ".join(delivery.to)
                return "queued", "muted", f"delivery to {delivery.system} for {to}{later}", None
            tone = {"done": "good", "fail": "bad"}.get(delivery.status, "warn")
            detail = f"updateStatus {delivery.status} (was {delivery.previous})"
            return "transport ack", tone, detail, None
        case CallEvent() as call:
            tone = "good" if call.ok else "bad"
            outcome = "OK" if call.ok else f"FAIL {call.error_code}: {call.error_desc}"
            extra = f", {_bytes(call.size)}" if call.size else ""
            if call.op == "updateStatus" and call.ok:
                extra += f", ack {call.ack}"
            if call.duplicate:
                extra += ", duplicate of an earlier send"
            if call.channel != "http":
                extra += f" (via {call.channel})"
            return call.op, tone, f"answered {outcome}{extra}", None
        case DuplicateEvent():
            return "duplicate", "warn", "same body sent again; answered with this DocId", None
        case FindingsEvent() as found:
            first = ", ".join(sorted({f.req_id for f in found.findings})[:4])
            return "findings", "warn", f"{found.errors} errors of {found.total}: {first}", None
        case FaultEvent() as fault:
            return "fault", "bad", f"injected {fault.fault} (rule {fault.rule})", None
    data = body_data(event.body)
    rest = ", ".join(
        f"{k}={v}" for k, v in sorted(data.items()) if k not in ("system", "doc_id") and v
    )
    return str(event.kind), "muted", rest, None


def timeline_rows(
    axis: AxisView, projection: Projection, names: Names, doc_id: str
) -> list[TimelineRow]:
    """Every transcript event about ``doc_id`` and its status messages, in order, with the
    first listing of each message to each receiver (which the transcript records per list
    call, not per document) placed where it happened."""
    events = axis.timeline(doc_id)
    labels: dict[str, str] = {}
    for event in events:
        if isinstance(event.body, StoredEvent):
            code = event.body.status_code
            labels[event.body.doc_id] = f"status {code}" if code else "document"
    rows = []
    for event in events:
        kind, tone, detail, status = _describe(event, names)
        about = event.doc_id
        system = event.system
        rows.append(
            TimelineRow(
                seq=event.seq,
                ts=event.ts,
                kind=kind,
                tone=tone,
                actor=system,
                actor_name=names.system(system),
                about=labels.get(about, about[:8]),
                detail=detail,
                status=status,
            )
        )
    for listed_doc, label in labels.items():
        for system, sighting in projection.listed.get(listed_doc, {}).items():
            times = f" ({sighting.times} times in all)" if sighting.times > 1 else ""
            rows.append(
                TimelineRow(
                    seq=sighting.seq,
                    ts=sighting.ts,
                    kind="listed",
                    tone="info",
                    actor=system,
                    actor_name=names.system(system),
                    about=label,
                    detail=f"shown to {system} by getReceivedEdocList{times}",
                    synthetic=True,
                )
            )
    rows.sort(key=lambda r: (r.seq, r.synthetic))
    return rows
