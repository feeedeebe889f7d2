"""What crossed the fake axis, as the suite reads it: transcript events through the admin API,
long-polls that wait for the SUT to do something, and the messages the SUT sent, parsed and
validated.

The suite judges the SUT only by these. Waiting is always on the axis's long-poll, with a
timeout in model time converted by the harness clock; nothing here sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from axis.client import AxisAdmin
from axis.events import (
    CallEvent,
    DeliveryEvent,
    Event,
    EventKind,
    FaultEvent,
    FaultsEvent,
    RouteEvent,
    StoredEvent,
)
from conformance.clock import HarnessClock
from reports.model import Evidence
from spec import Options, check
from spec.errors import InputRefused
from spec.findings import Finding
from spec.lifecycle import receiver_of
from spec.model import Edoc, Message, Status
from spec.status_codes import InvalidStatusCode, StatusCode

__all__ = [
    "CALL",
    "FAULT",
    "READ_OPS",
    "BodySource",
    "Observer",
    "Window",
    "WireEvent",
    "WireMessage",
    "ack_word",
    "call_body",
    "is_ok_call",
    "listed_docs",
    "listed_type",
    "outage_window",
    "route_refusal",
    "stored_body",
    "stored_on",
]

BodySource = Callable[[str], bytes | None]
"""Gives the stored bytes of an axis DocId (None when they cannot be read)."""

_PAGE = 2000
_MAX_LONG_POLL = 30.0  # real seconds per admin long-poll (the API allows 60)
READ_OPS = ("getEdoc", "downloadEdoc")
CALL = EventKind.CALL
"""The transcript event of one protocol call: the request and the axis's answer."""
FAULT = EventKind.FAULT
"""The transcript event of a fault the axis injected into one call (just before its ``call``)."""
LISTING = "getReceivedEdocList"


WireEvent = Event
"""One transcript event, typed (:mod:`axis.events`); ``at`` is the axis's clock time (UTC)."""


def status_reports(
    messages: list[WireMessage],
) -> Iterator[tuple[WireMessage, StatusCode, str]]:
    """The readable status messages in axis order, each with its code and the receiving
    agency whose lifecycle it belongs to (spec.lifecycle.receiver_of); unreadable codes are
    left to the validator's findings."""
    for message in sorted(messages, key=lambda m: m.seq):
        status = message.status
        if status is None:
            continue
        try:
            code = StatusCode.parse(status.status_code or "")
        except InvalidStatusCode:
            continue
        rf = status.response_for
        organ = (rf.organ_id or "").strip() if rf else ""
        yield message, code, receiver_of(code, status.sender or "", organ)


def ack_word(event: WireEvent) -> str:
    """The word an updateStatus call acknowledged with (done, fail, …)."""
    return event.body.ack if isinstance(event.body, CallEvent) else ""


def is_ok_call(event: WireEvent) -> bool:
    """A protocol call answered OK (for ``downloadEdoc``: one that answered bytes)."""
    return isinstance(event.body, CallEvent) and event.body.ok


def listed_type(event: WireEvent) -> str:
    """The messagetype a call listed or counted ("" for other events)."""
    return event.body.messagetype if isinstance(event.body, CallEvent) else ""


def call_body(event: WireEvent) -> CallEvent | None:
    """The ``call`` event's body, or None for other events."""
    return event.body if isinstance(event.body, CallEvent) else None


def stored_body(event: WireEvent) -> StoredEvent | None:
    """The ``stored`` event's body, or None for other events."""
    return event.body if isinstance(event.body, StoredEvent) else None


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of axis time, ``start`` included, ``end`` excluded (aware, UTC)."""

    start: datetime
    end: datetime

    @property
    def middle(self) -> datetime:
        return self.start + (self.end - self.start) / 2

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end


def outage_window(plan_set: WireEvent, rule_id: str) -> Window | None:
    """The window of the outage rule ``rule_id`` of the plan that the ``faults`` event
    ``plan_set`` installed, on the axis's clock: from the time the axis started the plan (plus
    the rule's ``start_s``) for ``duration_s``. None when the plan has no such rule."""
    noted = plan_set.body
    if not isinstance(noted, FaultsEvent):
        return None
    started = noted.started
    for rule in noted.plan.get("rules") or ():
        if rule.get("id") == rule_id and rule.get("kind") == "outage" and started is not None:
            start = datetime.fromtimestamp(float(started), UTC) + timedelta(
                seconds=float(rule.get("start_s", 0))
            )
            return Window(start, start + timedelta(seconds=float(rule["duration_s"])))
    return None


@dataclass
class WireMessage:
    """A message stored by the axis, with its bytes read back and judged by spec's validator.

    ``parsed`` is None when the bytes could not be read at all (``refusal`` says why);
    ``deliveries`` maps each recipient system to the organ ids it was delivered for;
    ``noted`` is what the axis noted when it stored the message (its DocumentId and status
    code), which stands in for the body when the body cannot be read."""

    doc_id: str
    seq: int
    at: datetime
    sender_system: str
    messagetype: str
    data: bytes | None
    parsed: Message | None
    findings: list[Finding] = field(default_factory=list)
    deliveries: dict[str, list[str]] = field(default_factory=dict)
    refusal: str = ""
    noted: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> Status | None:
        return self.parsed if isinstance(self.parsed, Status) else None

    @property
    def edoc(self) -> Edoc | None:
        return self.parsed if isinstance(self.parsed, Edoc) else None

    @property
    def code(self) -> str:
        """The status code as written (stripped), "" for a document."""
        status = self.status
        if status is not None:
            return (status.status_code or "").strip()
        return self.noted.get("status_code", "").strip() if self.parsed is None else ""

    @property
    def document_id(self) -> str:
        """The DocumentId a status reports on, or a document's own DocumentId."""
        if self.status is not None:
            rf = self.status.response_for
            return (rf.document_id or "").strip() if rf else ""
        if self.edoc is not None:
            return (self.edoc.header.document_id or "").strip()
        return self.noted.get("document_id", "").strip()

    def evidence(self, summary: str | None = None) -> Evidence:
        what = f"status {self.code}" if self.messagetype == "status" else "document"
        said = ""
        if self.status is not None and (self.status.description or "").strip():
            text = " ".join((self.status.description or "").split())
            said = f" saying {text[:120] + ('…' if len(text) > 120 else '')!r}"
        default = (
            f"{what} {self.doc_id} sent by {self.sender_system} (#{self.seq}) on "
            f"{self.document_id or '?'}{said}, delivered to "
            f"{sorted(self.deliveries) or 'nobody'}"
        )
        detail = {
            "doc_id": self.doc_id,
            "sender_system": self.sender_system,
            "messagetype": self.messagetype,
            "document_id": self.document_id,
            "code": self.code,
            "deliveries": self.deliveries,
        }
        return Evidence("exchange", summary or default, detail, (self.seq,))


class Observer:
    """Reads the transcript of the axis at ``admin`` and the messages behind it.

    ``sut_system`` is the SUT's systemId; ``bodies`` reads a stored message's bytes;
    ``options`` are the validator's options for judging them (the model date, the CA)."""

    def __init__(
        self,
        admin: AxisAdmin,
        clock: HarnessClock,
        sut_system: str,
        bodies: BodySource,
        options: Options,
    ) -> None:
        self.admin = admin
        self.clock = clock
        self.sut_system = sut_system
        self._bodies = bodies
        self.options = options
        self._messages: dict[str, WireMessage] = {}

    def __repr__(self) -> str:
        return f"Observer({self.admin!r}, sut_system={self.sut_system!r})"

    # -- events ------------------------------------------------------------------------

    def head(self) -> int:
        """The seq of the last transcript event: a cursor for "from now on"."""
        return int(self.admin.stats()["head"]["seq"])

    def events(self, after: int = 0, **filters: str) -> list[WireEvent]:
        """Every event after ``after`` matching ``filters`` (kind, system, doc_id, op)."""
        return list(self.iter_events(after, **filters))

    def iter_events(self, after: int = 0, **filters: str) -> Iterator[WireEvent]:
        cursor = after
        while True:
            page, next_cursor = self.admin.events(cursor, limit=_PAGE, **filters)
            yield from page
            if len(page) < _PAGE:
                return
            cursor = next_cursor

    def wait(
        self,
        after: int,
        within: float,
        match: Callable[[WireEvent], bool] | None = None,
        **filters: str,
    ) -> WireEvent | None:
        """The first event after ``after`` matching ``filters`` and ``match``, waiting at most
        ``within`` model seconds (on the axis's long-poll); None when none came in time."""
        deadline = self.clock.deadline(within)
        cursor = after
        while True:
            timeout = min(deadline.remaining_real(), _MAX_LONG_POLL)
            event = self.admin.wait_for(cursor, timeout=round(timeout, 3), **filters)
            if event is not None:
                if match is None or match(event):
                    return event
                cursor = event.seq
                continue
            if deadline.expired:
                return None

    def wait_all(
        self,
        after: int,
        within: float,
        pending: Callable[[], list[Any]],
        **filters: str,
    ) -> bool:
        """Wait until ``pending()`` is empty, re-checking after every event matching
        ``filters``; at most ``within`` model seconds. True when nothing is pending."""
        deadline = self.clock.deadline(within)
        cursor = after
        while pending():
            if deadline.expired:
                return False
            event = self.wait(cursor, deadline.remaining(), None, **filters)
            if event is None:
                return not pending()
            cursor = event.seq
        return True

    def settle(self, after: int, within: float, polls: int = 2) -> bool:
        """Wait until the SUT has listed both its inboxes ``polls`` more times after
        ``after``: whatever it was going to do about earlier messages is then on the wire.
        False when it did not poll that often within ``within`` model seconds."""
        seen = {"edoc": 0, "status": 0}

        def counted(event: WireEvent) -> bool:
            kind = listed_type(event)
            if is_ok_call(event) and kind in seen:
                seen[kind] += 1
            return min(seen.values()) >= polls

        found = self.wait(
            after,
            within,
            counted,
            kind=CALL,
            system=self.sut_system,
            op="getReceivedEdocList",
        )
        return found is not None

    def until(
        self,
        after: int,
        within: float,
        done: Callable[[WireEvent], bool],
        polls: int = 2,
    ) -> bool:
        """Wait for an event of the SUT (a call or a stored message) for which ``done`` is
        true, but no longer than ``polls`` further polls of both its inboxes (by then it is
        not coming) nor ``within`` model seconds. True when ``done`` matched."""
        seen = {"edoc": 0, "status": 0}
        matched = [False]

        def stop(event: WireEvent) -> bool:
            if done(event):
                matched[0] = True
                return True
            if event.op == LISTING and is_ok_call(event):
                kind = listed_type(event)
                if kind in seen:
                    seen[kind] += 1
            return min(seen.values()) >= polls

        self.wait(after, within, stop, system=self.sut_system)
        return matched[0]

    # -- the SUT's calls -----------------------------------------------------------------

    def plan_set(self, after: int) -> WireEvent | None:
        """The ``faults`` event of the last fault plan installed after ``after``, if any."""
        found = [
            e
            for e in self.events(after, kind=EventKind.FAULTS)
            if isinstance(e.body, FaultsEvent) and e.body.action == "set"
        ]
        return found[-1] if found else None

    def refused(self, after: int, rule_id: str) -> list[WireEvent]:
        """The SUT's calls after ``after`` that the axis refused by the fault rule
        ``rule_id``, as their ``fault`` events (one per call, timed when the axis refused)."""
        return [
            e
            for e in self.events(after, kind=FAULT, system=self.sut_system)
            if isinstance(e.body, FaultEvent) and e.body.rule == rule_id
        ]

    def quiet(self, after: int, within: float) -> bool:
        """Wait until the SUT's inbox is quiet: its latest listing of each message type shows
        only messages it has already acknowledged (done, or fail: an unreadable message stays
        listed, AXIS_PROTOCOL §6). ``after`` is where the SUT's acknowledgements start to
        count (the run's start); waits at most ``within`` model seconds. True when quiet."""
        acked: set[str] = set()
        latest: dict[str, set[str] | None] = {"edoc": None, "status": None}

        def note(event: WireEvent) -> None:
            if not is_ok_call(event):
                return
            if event.op == "updateStatus":
                acked.add(event.doc_id)
            elif event.op == LISTING and listed_type(event) in latest:
                latest[listed_type(event)] = set(listed_docs(event))

        def calm() -> bool:
            return all(shown is not None and shown <= acked for shown in latest.values())

        head = self.head()
        for event in self.events(after, kind=CALL, system=self.sut_system):
            note(event)
        for kind in latest:  # only listings made from now on count
            latest[kind] = None

        def settled(event: WireEvent) -> bool:
            note(event)
            return calm()

        return self.wait(head, within, settled, kind=CALL, system=self.sut_system) is not None

    def sut_responses(self, after: int = 0, op: str | None = None) -> list[WireEvent]:
        """The axis's answers to the SUT's calls (optionally of one operation)."""
        filters = {"kind": CALL, "system": self.sut_system}
        if op is not None:
            filters["op"] = op
        return self.events(after, **filters)

    def downloads(self, doc_id: str, after: int = 0) -> list[WireEvent]:
        """The SUT's successful downloads (getEdoc or downloadEdoc) of ``doc_id``."""
        return [
            e
            for e in self.events(after, kind=CALL, system=self.sut_system, doc_id=doc_id)
            if e.op in READ_OPS and is_ok_call(e)
        ]

    def acks(self, doc_id: str, after: int = 0) -> list[WireEvent]:
        """The SUT's accepted updateStatus calls on ``doc_id`` (:func:`ack_word` gives the
        word it sent: done, fail, …)."""
        return [
            e
            for e in self.events(after, kind=CALL, system=self.sut_system, doc_id=doc_id)
            if e.op == "updateStatus" and is_ok_call(e)
        ]

    # -- messages ------------------------------------------------------------------------

    def body(self, doc_id: str) -> bytes | None:
        """The bytes the axis stored for ``doc_id`` (None when they cannot be read)."""
        return self._bodies(doc_id)

    def message(self, stored: WireEvent) -> WireMessage:
        """The message a ``stored`` event stands for, read and validated once."""
        doc_id = stored.doc_id
        found = self._messages.get(doc_id)
        if found is not None:
            return found
        deliveries = {
            e.system: list(e.body.to)
            for e in self.events(stored.seq - 1, kind=EventKind.DELIVERY, doc_id=doc_id)
            if isinstance(e.body, DeliveryEvent) and e.body.status == "pending"
        }
        noted = stored_body(stored)
        data = self._bodies(doc_id)
        message = WireMessage(
            doc_id=doc_id,
            seq=stored.seq,
            at=stored.at,
            sender_system=stored.system,
            messagetype=noted.messagetype if noted else "",
            data=data,
            parsed=None,
            deliveries=deliveries,
            noted={
                "document_id": noted.document_id if noted else "",
                "status_code": noted.status_code if noted else "",
            },
        )
        if data is None:
            message.refusal = f"the bytes of {doc_id} could not be read back from the axis"
        else:
            try:
                parsed = check(data, self.options)
            except InputRefused as exc:
                message.refusal = str(exc)
            else:
                message.parsed = parsed.message
                message.findings = list(parsed.findings)
        self._messages[doc_id] = message
        return message

    def stored(self, after: int = 0, *, system: str | None = None) -> list[WireEvent]:
        """``stored`` events (a message accepted by the axis), optionally by one system."""
        filters: dict[str, str] = {"kind": EventKind.STORED}
        if system is not None:
            filters["system"] = system
        return [e for e in self.events(after, **filters) if not _unparsed(e)]

    def sut_messages(self, after: int = 0, messagetype: str | None = None) -> list[WireMessage]:
        """The messages the SUT sent (and the axis stored), oldest first."""
        out = []
        for event in self.stored(after, system=self.sut_system):
            noted = stored_body(event)
            if messagetype is None or (noted is not None and noted.messagetype == messagetype):
                out.append(self.message(event))
        return out

    def statuses_on(self, document_id: str, after: int = 0) -> list[WireMessage]:
        """Every status stored on ``document_id`` (whoever sent it), oldest first."""
        return [self.message(e) for e in self.stored(after) if _is_status_on(e, document_id)]

    def wait_status(
        self,
        after: int,
        within: float,
        document_id: str,
        codes: tuple[str, ...] | None = None,
    ) -> WireMessage | None:
        """The first status the SUT sends after ``after`` on ``document_id`` (with one of
        ``codes`` when given), waiting at most ``within`` model seconds."""

        def wanted(event: WireEvent) -> bool:
            noted = stored_body(event)
            if noted is None or not _is_status_on(event, document_id):
                return False
            return codes is None or noted.status_code.strip() in codes

        event = self.wait(after, within, wanted, kind=EventKind.STORED, system=self.sut_system)
        return self.message(event) if event is not None else None


def _unparsed(event: WireEvent) -> bool:
    noted = stored_body(event)
    return noted is not None and noted.unparsed


def stored_on(event: WireEvent, document_id: str | None, messagetype: str) -> bool:
    """A stored message of ``messagetype`` (about ``document_id`` when given)."""
    noted = stored_body(event)
    return (
        noted is not None
        and noted.messagetype == messagetype
        and (document_id is None or noted.document_id.strip() == document_id)
    )


def _is_status_on(event: WireEvent, document_id: str) -> bool:
    return stored_on(event, document_id, "status")


def listed_docs(event: WireEvent) -> tuple[str, ...]:
    """The docIds a getReceivedEdocList call showed (none for other events)."""
    return event.body.listed if isinstance(event.body, CallEvent) else ()


def route_refusal(event: WireEvent) -> str:
    """Why the axis refused to route a send ("" for other events)."""
    return event.body.refused if isinstance(event.body, RouteEvent) else ""
