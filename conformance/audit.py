"""The audit: everything the SUT put on the wire during a run, judged rule by rule.

Whatever scenario made the SUT send it, every status and document of the SUT goes through
spec's validator, every status through the lifecycle of its document at its receiver (with
the harness's own statuses, so a 15 is judged against the 13 it answers), and every call
through the access and signature rules. The result names, per requirement id, whether there
was anything to judge and what broke it, with the exchange as evidence.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from axis.events import EventKind, RouteEvent
from conformance.observe import (
    CALL,
    READ_OPS,
    WireEvent,
    WireMessage,
    call_body,
    status_reports,
)
from conformance.world import World
from reports.model import Evidence
from spec.catalogue import Level, catalogue
from spec.findings import Finding, Severity
from spec.formats import parse_timestamp
from spec.lifecycle import RULE_IDS, LifecycleBook
from spec.model import Edoc
from spec.status_codes import InvalidStatusCode, StatusCode

__all__ = [
    "AUDITED",
    "DOCUMENT_RULES",
    "RECEIVER_STATUS_RULES",
    "Audit",
    "Fault",
    "audit",
    "judge_window",
    "limited",
]

_STATUS_FAMILIES = ("status",)
_DOCUMENT_FAMILIES = ("message", "business", "attachments")
_MESSAGE_FAMILIES = ("xml", "signature")
_STATUS_FORMAT = (
    "LC-STATUS-CODE-KNOWN",
    "LC-STATUS-CODE-FORMAT",
    "LC-DESCRIPTION-REQUIRED",
    "LC-STAFFINFO-EXPECTED",
)
_LIFECYCLE = (
    *sorted(RULE_IDS - {"LC-FIRST-ARRIVED-TIMELY", "LC-FIRST-REPORT-ARRIVED"}),
    "LC-SENDER-ROLE",
)
_STATUS_CHECKS = (
    "RCV-STATUS-VALID",
    "RCV-STATUS-FROM",
    "RCV-RESPONSEFOR-MATCHES",
    "RCV-STATUS-TO-SENDER",
)
_OTHER = ("SND-VALID", "TR-MESSAGETYPE", "SEC-SIGNED-REQUESTS", "SEC-OWN-MESSAGES-ONLY")


def _family_ids(*families: str) -> tuple[str, ...]:
    return tuple(r.id for r in catalogue().values() if r.family in families and not r.retired)


AUDITED: tuple[str, ...] = tuple(
    dict.fromkeys(
        (
            *_family_ids(*_STATUS_FAMILIES),
            *_STATUS_FORMAT,
            *_LIFECYCLE,
            *_STATUS_CHECKS,
            *_family_ids(*_DOCUMENT_FAMILIES),
            *_family_ids(*_MESSAGE_FAMILIES),
            *_OTHER,
        )
    )
)
"""Every requirement id the audit judges."""

RECEIVER_STATUS_RULES: tuple[str, ...] = (
    *_family_ids(*_STATUS_FAMILIES),
    *_STATUS_FORMAT,
    "LC-FORWARD-ONLY",
    "LC-NO-REPEAT",
    "LC-REFUSAL-BEFORE-ACCEPT",
    "LC-NOTHING-AFTER-REFUSAL",
    "LC-TIMESTAMP-ORDER",
    "LC-SENDER-ROLE",
    *_STATUS_CHECKS,
)
"""What a test that makes the SUT send statuses on received documents has judged."""

DOCUMENT_RULES: tuple[str, ...] = (
    *_family_ids(*_DOCUMENT_FAMILIES),
    *_family_ids(*_MESSAGE_FAMILIES),
    "SND-VALID",
    "TR-MESSAGETYPE",
)
"""What a test that makes the SUT send documents has judged."""

_MAX_FAULTS = 20
_ROUTED_DOCUMENT = ("SND-RECIPIENTS", "MSG-TO-ORGANID", "SND-VALID")


@dataclass(frozen=True, slots=True)
class Fault:
    """One way the SUT broke ``req_id``."""

    req_id: str
    message: str
    evidence: tuple[Evidence, ...] = ()


@dataclass
class Audit:
    """Per requirement id: how many things were judged, and the faults found."""

    judged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    faults: dict[str, list[Fault]] = field(default_factory=lambda: defaultdict(list))

    def judge(self, req_ids: tuple[str, ...] | list[str], count: int = 1) -> None:
        for req_id in req_ids:
            self.judged[req_id] += count

    def fault(self, req_id: str, message: str, evidence: list[Evidence] | tuple = ()) -> None:
        self.faults[req_id].append(Fault(req_id, message, tuple(evidence)))


def _violates(finding: Finding) -> bool:
    """A finding breaks its requirement: an error, or a warning on a SHOULD/MAY rule."""
    if finding.severity is Severity.ERROR:
        return True
    if finding.severity is not Severity.WARNING:
        return False
    req = catalogue().get(finding.req_id)
    return req is not None and req.level is not Level.MUST


def audit(world: World, since: int | None = None) -> Audit:
    """Judge everything the SUT sent since the run started, or only what it sent after the
    transcript event ``since`` (a test's own window; the lifecycles still see the whole
    history of the documents involved)."""
    result = Audit()
    observer = world.observer
    after = world.started_cursor
    window = after if since is None else max(since, after)
    sut_system = world.cast.sut.system_id
    stored = observer.stored(after)
    messages = [observer.message(e) for e in stored]
    sut_messages = [m for m in messages if m.sender_system == sut_system]
    judged = [m for m in sut_messages if m.seq > window]
    received = {
        m.document_id: m
        for m in messages
        if m.edoc is not None and sut_system in m.deliveries and m.sender_system != sut_system
    }
    sent = {m.document_id: m for m in sut_messages if m.edoc is not None}
    _findings(result, judged, received)
    touched = {m.document_id for m in judged if m.status is not None}
    history = [m for m in messages if m.status is not None and m.document_id in touched]
    _lifecycles(result, world, history, window)
    _statuses(result, world, judged, received, sent)
    calls = observer.events(window, kind=CALL, system=sut_system)
    _calls(result, world, calls, stored, messages)
    _routes(result, world, window)
    return result


def judge_window(world: World, judge: Any, since: int) -> None:
    """Record, on ``judge`` (a :class:`~conformance.judge.Judge`), the audit of what the SUT
    sent after ``since`` for every audited requirement the test declares."""
    result = audit(world, since)
    for req_id in judge.declared:
        if req_id not in AUDITED or not result.judged.get(req_id):
            continue
        faults = result.faults.get(req_id, [])
        for fault in limited(faults):
            judge.fail(req_id, fault.message, fault.evidence)
        if not faults:
            judge.passed(
                req_id, f"{result.judged[req_id]} message(s) of the SUT in this test judged"
            )


def _copies_its_document(message: WireMessage, received: dict[str, WireMessage]) -> bool:
    """Whether ``message`` is a status whose ResponseFor copies, field for field, a received
    document that itself disagrees with its DocumentId: RCV-RESPONSEFOR-MATCHES asks for the
    copy, so ST-RESPONSEFOR-CONSISTENT does not charge it (the document's own
    MSG-DOCUMENTID-CONSISTENT error is the sender's fault, and the reason to refuse it)."""
    status = message.status
    original = received.get(message.document_id)
    if status is None or status.response_for is None or original is None:
        return False
    doc = original.edoc
    if doc is None or not any(f.req_id == "MSG-DOCUMENTID-CONSISTENT" for f in original.findings):
        return False
    got = _response_for_fields(status.response_for.organ_id or "", message)
    return got == _document_fields(doc)


def _findings(
    result: Audit, sut_messages: list[WireMessage], received: dict[str, WireMessage]
) -> None:
    statuses = [m for m in sut_messages if m.messagetype == "status" or m.status is not None]
    documents = [m for m in sut_messages if m not in statuses]
    result.judge([*_family_ids(*_STATUS_FAMILIES), *_STATUS_FORMAT], len(statuses))
    result.judge(["RCV-STATUS-VALID"], len(statuses))
    result.judge([*_family_ids(*_DOCUMENT_FAMILIES), "SND-VALID"], len(documents))
    result.judge(_family_ids(*_MESSAGE_FAMILIES), len(sut_messages))
    result.judge(["TR-MESSAGETYPE"], len(sut_messages))
    for message in sut_messages:
        if message.parsed is None:
            overall = "RCV-STATUS-VALID" if message.messagetype == "status" else "SND-VALID"
            result.fault(
                overall, f"{message.doc_id} cannot be read: {message.refusal}", [message.evidence()]
            )
            continue
        kind = message.parsed.kind
        if kind != message.messagetype:
            result.fault(
                "TR-MESSAGETYPE",
                f"{message.doc_id} is a{'n' if kind == 'edoc' else ''} {kind} message sent with "
                f"messagetype {message.messagetype!r}",
                [message.evidence()],
            )
        overall = "RCV-STATUS-VALID" if kind == "status" else "SND-VALID"
        copied = _copies_its_document(message, received)
        for finding in message.findings:
            if not _violates(finding):
                continue
            if copied and finding.req_id == "ST-RESPONSEFOR-CONSISTENT":
                continue
            evidence = [message.evidence(), Evidence.from_finding(finding, (message.seq,))]
            text = f"{_what(message)}: {finding.path}: {finding.message}"
            result.fault(finding.req_id, text, evidence)
            if finding.severity is Severity.ERROR:
                result.fault(overall, f"{finding.req_id}: {text}", evidence)


def _what(message: WireMessage) -> str:
    if message.status is not None:
        return f"status {message.code or '?'} {message.doc_id} on {message.document_id or '?'}"
    return f"document {message.doc_id} ({message.document_id or 'no DocumentId'})"


def _timestamp(message: WireMessage) -> datetime | None:
    status = message.status
    try:
        return parse_timestamp((status.timestamp or "").strip()) if status else None
    except ValueError:
        return None


def _lifecycles(result: Audit, world: World, statuses: list[WireMessage], window: int) -> None:
    """Replay the statuses per (document, receiver); charge the SUT's rejected ones sent
    after ``window``. Timestamps count only between the SUT's own statuses (the harness keeps
    another clock)."""
    sut_system = world.cast.sut.system_id
    book = LifecycleBook()
    sut_statuses = [m for m in statuses if m.sender_system == sut_system and m.seq > window]
    result.judge(_LIFECYCLE, len(sut_statuses))
    for message, code, receiver in status_reports(statuses):
        mine = message.sender_system == sut_system
        rejection = book.record(
            message.document_id, receiver, code, _timestamp(message) if mine else None
        )
        if rejection is not None and mine and message.seq > window:
            result.fault(
                rejection.rule_id,
                f"{_what(message)} at {receiver}: {rejection.message}",
                [message.evidence()],
            )


def _statuses(
    result: Audit,
    world: World,
    sut_messages: list[WireMessage],
    received: dict[str, WireMessage],
    sent: dict[str, WireMessage],
) -> None:
    me = world.cast.sut.organ_id
    for message in sut_messages:
        status = message.status
        if status is None:
            _unread_status(result, world, message, received)
            continue
        try:
            code = StatusCode.parse(status.status_code or "")
        except InvalidStatusCode:
            continue
        rf = status.response_for
        if code.sent_by == "sender":
            if message.document_id not in sent:
                result.fault(
                    "LC-SENDER-ROLE",
                    f"{_what(message)}: the SUT asks to take back a document it did not send",
                    [message.evidence()],
                )
            continue
        result.judge(("RCV-STATUS-FROM", "RCV-RESPONSEFOR-MATCHES", "RCV-STATUS-TO-SENDER"))
        sender = (status.sender or "").strip()
        if sender != me:
            result.fault(
                "RCV-STATUS-FROM",
                f"{_what(message)} says From {sender or 'nobody'!r}; the receiving agency is {me}",
                [message.evidence()],
            )
        original = received.get(message.document_id)
        if original is None or original.edoc is None:
            known = message.document_id in sent
            result.fault(
                "LC-SENDER-ROLE" if known else "RCV-RESPONSEFOR-MATCHES",
                f"{_what(message)}: ResponseFor/DocumentId {message.document_id!r} names "
                + ("a document the SUT sent itself" if known else "no document the SUT received"),
                [message.evidence()],
            )
            continue
        _responsefor(result, message, original.edoc, (rf.organ_id or "").strip() if rf else "")
        _routed(result, world, message, original.edoc)


def _unread_status(
    result: Audit, world: World, message: WireMessage, received: dict[str, WireMessage]
) -> None:
    """A status of the SUT whose bytes the harness could not read back (it went to a system
    the harness does not play): its routing is still judged, from what the axis noted."""
    if message.messagetype != "status" or message.parsed is not None:
        return
    try:
        code = StatusCode.parse(message.code)
    except InvalidStatusCode:
        return
    original = received.get(message.document_id)
    if code.sent_by == "sender" or original is None or original.edoc is None:
        return
    result.judge(("RCV-STATUS-TO-SENDER",))
    _routed(result, world, message, original.edoc)


def _document_fields(doc: Edoc) -> dict[str, str]:
    """What a status's ResponseFor must copy from the document it reports on."""
    header = doc.header
    code = header.code
    return {
        "OrganId": doc.sender or "",
        "Code": f"{(code.code_number or '').strip()}/{(code.code_notation or '').strip()}"
        if code
        else "",
        "PromulgationDate": (
            (header.promulgation_info.promulgation_date or "").strip()
            if header.promulgation_info
            else ""
        ),
        "DocumentId": (header.document_id or "").strip(),
    }


def _response_for_fields(organ_id: str, message: WireMessage) -> dict[str, str]:
    """What a status's ResponseFor says, in the same keys."""
    rf = message.status.response_for if message.status else None
    return {
        "OrganId": organ_id.strip(),
        "Code": (rf.code or "").strip() if rf else "",
        "PromulgationDate": (rf.promulgation_date or "").strip() if rf else "",
        "DocumentId": (rf.document_id or "").strip() if rf else "",
    }


def _responsefor(result: Audit, message: WireMessage, doc: Edoc, organ_id: str) -> None:
    expected = _document_fields(doc)
    got = _response_for_fields(organ_id, message)
    wrong = [
        f"{k} {got[k]!r} (the document's is {v!r})" for k, v in expected.items() if got[k] != v
    ]
    if wrong:
        result.fault(
            "RCV-RESPONSEFOR-MATCHES",
            f"{_what(message)}: ResponseFor has " + "; ".join(wrong),
            [message.evidence()],
        )


def _routed(result: Audit, world: World, message: WireMessage, doc: Edoc) -> None:
    party = world.cast.by_organ(doc.sender or "")
    expected = {party.system_id} if party else set()
    if set(message.deliveries) != expected:
        result.fault(
            "RCV-STATUS-TO-SENDER",
            f"{_what(message)} was delivered to {sorted(message.deliveries) or 'nobody'}; the "
            f"document's sender {doc.sender} is served by {sorted(expected)}",
            [message.evidence()],
        )


def _calls(
    result: Audit,
    world: World,
    calls: list[WireEvent],
    stored: list[WireEvent],
    messages: list[WireMessage],
) -> None:
    sut_system = world.cast.sut.system_id
    result.judge(["SEC-SIGNED-REQUESTS"], len(calls))
    refused = [(e, c) for e in calls if (c := call_body(e)) is not None and c.error_code == "1"]
    if refused:
        first = refused[0][1]
        result.fault(
            "SEC-SIGNED-REQUESTS",
            f"the axis refused {len(refused)} of the SUT's {len(calls)} calls for their "
            f"signature (first: {first.op}: {first.error_desc!r})",
            [_evidence("calls refused for their signature", [e for e, _ in refused])],
        )
    mine = {m.doc_id for m in messages if sut_system in m.deliveries}
    mine |= {e.doc_id for e in stored if e.system == sut_system}
    mine |= {
        e.doc_id or ""
        for e in world.observer.events(
            world.started_cursor, kind=EventKind.DELIVERY, system=sut_system
        )
    }
    reads = [e for e in calls if e.op in (*READ_OPS, "updateStatus") and e.doc_id]
    result.judge(["SEC-OWN-MESSAGES-ONLY"], len(reads))
    foreign = [e for e in reads if e.doc_id not in mine]
    if foreign:
        result.fault(
            "SEC-OWN-MESSAGES-ONLY",
            f"the SUT asked for {len(foreign)} docId(s) never delivered to it "
            f"(first: {foreign[0].op} {foreign[0].doc_id})",
            [_evidence("calls for other systems' messages", foreign)],
        )


def _routes(result: Audit, world: World, after: int) -> None:
    """Sends the axis refused to route: a W00 recipient, an agency nobody serves."""
    sut_system = world.cast.sut.system_id
    sends = world.observer.events(after, kind=CALL, system=sut_system, op="sendEdoc")
    for event in world.observer.events(after, kind=EventKind.ROUTE, system=sut_system):
        if not isinstance(event.body, RouteEvent) or not event.body.refused:
            continue
        refused = event.body.refused
        call = next((c for c in sends if c.seq > event.seq), None)
        messagetype = event.body.messagetype.lower()
        codes = list(event.body.codes)
        shown = [e for e in (event, call) if e is not None]
        evidence = [_evidence("the axis refused to route a message of the SUT", shown)]
        what = messagetype or "message"
        text = f"the axis could not route the SUT's {what} to {codes}: {refused}"
        if messagetype == "status":
            result.judge(("RCV-STATUS-TO-SENDER",))
            result.fault("RCV-STATUS-TO-SENDER", text, evidence)
            continue
        result.judge(_ROUTED_DOCUMENT)
        result.fault("SND-RECIPIENTS", text, evidence)
        w00 = [c for c in codes if c.upper().endswith("W00")]
        if w00:
            text = f"the SUT addressed a document to connection system id(s) {w00}: {refused}"
            result.fault("MSG-TO-ORGANID", text, evidence)
            result.fault("SND-VALID", f"MSG-TO-ORGANID: {text}", evidence)


def _evidence(summary: str, events: list[WireEvent]) -> Evidence:
    shown = events[:6]
    return Evidence(
        "transcript", summary, [e.excerpt() for e in shown], tuple(e.seq for e in shown)
    )


def limited(faults: list[Fault]) -> list[Fault]:
    """At most the first faults of a requirement (the report needs a few, not hundreds)."""
    return faults[:_MAX_FAULTS]
