"""The VXP operations of AXIS_PROTOCOL.md §4, each a function from a call to an answer.

An operation reads only the headers it owns (a stale ``status`` or ``docId`` riding along on
other calls is ignored), checks everything before it writes, and writes through the store inside
the transaction the app opened. What it wants in the transcript beyond the request and the
answer (findings, routing, deliveries, duplicates) it adds with ``call.note``; those notes are
written even when it then refuses the call.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import spec
from axis import envelope
from axis.auth import Identity
from axis.config import AxisConfig
from axis.errors import BadRequest, Forbidden, NotFound, TooLarge, Unroutable, ValidationRefused
from axis.faults import Injection
from axis.jsonish import JsonishError, read_object
from axis.registry import AgencyFields, register_agency
from axis.routing import recipient_codes, route
from axis.signing import PREFIX, hash_file_matches
from axis.store import DONE, Agency, Store
from axis.wire import Headers
from spec.errors import InputRefused
from spec.errors import TooLarge as SpecTooLarge
from spec.findings import Finding
from spec.organ_ids import parse_organ_id

MESSAGE_TYPES = ("edoc", "status")
MAX_NOTED_FINDINGS = 50
# Wire times are Vietnam's local time (UTC+7), as the SDK's users read them [axis choice].
VIETNAM = timezone(timedelta(hours=7))

__all__ = ["OPERATIONS", "Answer", "Call", "Operation", "wire_time"]


@dataclass(slots=True)
class Call:
    """One authenticated call as the operation sees it."""

    op: str
    headers: Headers
    body: bytes
    identity: Identity
    store: Store
    config: AxisConfig
    injections: list[Injection] = field(default_factory=list)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def system_id(self) -> str:
        return self.identity.system.system_id

    def note(self, kind: str, **data: Any) -> None:
        self.notes.append((kind, data))

    def injected(self, kind: str) -> list[Injection]:
        return [i for i in self.injections if i.kind == kind]


@dataclass(slots=True)
class Answer:
    """What to send back: a JSON envelope or raw bytes (``downloadEdoc``), and what the
    transcript's response event should say beyond the envelope."""

    envelope: dict[str, Any] | None = None
    raw: bytes | None = None
    http_status: int = 200
    ascii_only: bool = False
    summary: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Call], Answer]


@dataclass(frozen=True, slots=True)
class Operation:
    """An operation: its HTTP method, the headers it owns (they must be signed) and its
    handler. ``json`` is False for ``downloadEdoc``, which answers raw bytes."""

    name: str
    method: str
    keys: tuple[str, ...]
    handler: Handler
    json: bool = True
    ascii_only: bool = False
    writes: bool = False


_WIRE_TIMES: dict[int, str] = {}


def wire_time(moment: float) -> str:
    """``yyyy/MM/dd HH:mm:ss`` in Vietnam time (memoised per second: lists repeat them)."""
    second = int(moment)
    text = _WIRE_TIMES.get(second)
    if text is None:
        if len(_WIRE_TIMES) > 100_000:
            _WIRE_TIMES.clear()
        text = datetime.fromtimestamp(second, UTC).astimezone(VIETNAM).strftime("%Y/%m/%d %H:%M:%S")
        _WIRE_TIMES[second] = text
    return text


def _required(call: Call, key: str, what: str) -> str:
    value = call.headers.vxp(key)
    if not value:
        raise BadRequest(f"header {PREFIX}{key} is required ({what})")
    conflicts = call.headers.conflicts(key)
    if conflicts:
        call.note("ambiguous_header", op=call.op, system=call.system_id, key=key, values=conflicts)
    return value


def _messagetype(call: Call) -> str:
    value = _required(call, "messagetype", "edoc or status").lower()
    if value not in MESSAGE_TYPES:
        raise BadRequest(f"header {PREFIX}messagetype={value!r} must be edoc or status")
    return value


# --- sendEdoc ----------------------------------------------------------------------------


def _file_bytes(call: Call, hash_file: str) -> bytes:
    """The file inside the body: the body minus exactly one trailing CRLF (what the SDK
    appends), or the whole body when that is what ``hash-file`` matches."""
    body = call.body
    stripped = body[:-2] if body.endswith(b"\r\n") else body
    if hash_file_matches(stripped, hash_file):
        return stripped
    if stripped is not body and hash_file_matches(body, hash_file):
        call.note("anomaly", op=call.op, system=call.system_id, what="body-without-crlf")
        return body
    raise BadRequest(
        f"{PREFIX}hash-file {hash_file!r} is not the SHA-256 of the file "
        f"(body of {len(body)} bytes, one trailing CRLF removed)"
    )


def _finding_digest(findings: list[Finding]) -> str:
    parts = [f"{f.req_id} at {f.path}: {f.message}" for f in findings[:3]]
    more = f" (+{len(findings) - 3} more)" if len(findings) > 3 else ""
    return "; ".join(parts) + more


def _describe(message: spec.Message) -> dict[str, str]:
    if isinstance(message, spec.Edoc):
        header = message.header
        code = header.code
        notation = "/".join(p for p in (code.code_number, code.code_notation) if p) if code else ""
        return {
            "title": header.subject or "",
            "notation": notation,
            "document_id": header.document_id or "",
            "status_code": "",
        }
    rf = message.response_for
    return {
        "title": message.description or "",
        "notation": (rf.code or "") if rf else "",
        "document_id": (rf.document_id or "") if rf else "",
        "status_code": message.status_code or "",
    }


def send_edoc(call: Call) -> Answer:
    messagetype = _messagetype(call)
    service_type = call.headers.vxp("servicetype") or "eDoc"
    hash_file = _required(call, "hash-file", "SHA-256 of the file")
    data = _file_bytes(call, hash_file)
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = call.store.find_duplicate(call.system_id, sha256)
    if earlier is not None:
        call.note("duplicate", op=call.op, system=call.system_id, doc_id=earlier, sha256=sha256)
        return Answer(envelope.ok(DocId=earlier), summary={"doc_id": earlier, "duplicate": True})
    try:
        parsed = spec.check(data, max_bytes=call.config.max_body_bytes)
    except SpecTooLarge as exc:
        raise TooLarge(str(exc)) from None
    except InputRefused as exc:
        raise BadRequest(f"body refused: {exc}") from None
    message = parsed.message
    findings = parsed.findings
    errors = spec.errors(findings)
    if findings:
        call.note(
            "findings",
            op=call.op,
            system=call.system_id,
            sha256=sha256,
            errors=len(errors),
            total=len(findings),
            findings=[f.to_json() for f in findings[:MAX_NOTED_FINDINGS]],
        )
    strict = call.config.strict
    if strict and errors:
        raise ValidationRefused(
            f"document refused in strict mode, {len(errors)} error-level findings: "
            f"{_finding_digest(errors)}"
        )
    if message.kind != messagetype:
        what = f"{PREFIX}messagetype is {messagetype!r} but the body is an {message.kind} message"
        if strict:
            raise ValidationRefused(f"{what} (strict mode)")
        call.note("anomaly", op=call.op, system=call.system_id, what="messagetype-mismatch")
    codes = recipient_codes(message.recipients, call.headers.vxp("to"))
    try:
        decision = route(call.store, codes)
    except Unroutable as exc:
        call.note("route", op=call.op, system=call.system_id, codes=codes, refused=exc.message)
        raise
    delay = sum(float(i.params["delay_s"]) for i in call.injected("delay"))
    described = _describe(message)
    doc_id = call.store.add_message(
        sender=call.system_id,
        messagetype=messagetype,
        service_type=service_type,
        body=data,
        sha256=sha256,
        from_code=message.sender or "",
        deliveries=decision.deliveries,
        visible_after=delay,
        **described,
    )
    call.note(
        "stored",
        op=call.op,
        system=call.system_id,
        doc_id=doc_id,
        messagetype=messagetype,
        sha256=sha256,
        size=len(data),
        document_id=described["document_id"],
        status_code=described["status_code"],
        recipients=decision.to_json(),
    )
    for system_id, served in decision.deliveries.items():
        call.note(
            "delivery",
            doc_id=doc_id,
            system=system_id,
            sender=call.system_id,
            to=served,
            status="pending",
            visible_after_s=delay,
        )
    return Answer(envelope.ok(DocId=doc_id), summary={"doc_id": doc_id})


# --- receiving ---------------------------------------------------------------------------


def _render_inbox(rows: list[tuple[Any, ...]]) -> tuple[list[dict[str, str]], list[str]]:
    rendered = [
        {
            "docId": r[0],
            "serviceType": r[1],
            "messageType": r[2],
            "created_time": wire_time(r[3]),
            "updated_time": wire_time(r[4]),
            "from": r[5],
            "to": r[6],
            "status": r[7],
            "status_desc": r[8],
        }
        for r in rows
    ]
    return envelope.items(rendered), [r[0] for r in rows]


def get_received_list(call: Call) -> Answer:
    messagetype = _messagetype(call)
    items, listed = call.store.inbox_view(
        call.system_id, messagetype, call.config.list_limit, _render_inbox
    )
    for injection in call.injections:
        if injection.kind == "duplicate" and items:
            items = list(items)
            pick = injection.params["pick"] % len(items)
            items.insert(pick + 1, dict(items[pick]))
            listed = [i["docId"] for i in items]
        elif injection.kind == "reorder" and len(items) > 1:
            items = list(items)
            random.Random(injection.params["shuffle_seed"]).shuffle(items)
            listed = [i["docId"] for i in items]
    return Answer(envelope.ok(data=items), summary={"messagetype": messagetype, "listed": listed})


def _doc_id(call: Call) -> str:
    return _required(call, "docId", "the DocId of the document")


def get_edoc(call: Call) -> Answer:
    doc_id = _doc_id(call)
    body = call.store.readable_body(call.system_id, doc_id)
    if body is None:
        raise NotFound(f"document {doc_id!r} not found")
    data = base64.b64encode(body).decode("ascii")
    return Answer(envelope.ok(data=data), summary={"doc_id": doc_id, "size": len(body)})


def download_edoc(call: Call) -> Answer:
    doc_id = _doc_id(call)
    body = call.store.readable_body(call.system_id, doc_id)
    if body is None:
        raise NotFound(f"document {doc_id!r} not found")
    return Answer(raw=body, summary={"doc_id": doc_id, "size": len(body)})


_STATUS_DESC = {
    "done": "received and processed by the receiver",
    "fail": "the receiver could not process it; listed again",
    "processing": "the receiver is processing it",
}


def update_status(call: Call) -> Answer:
    doc_id = _doc_id(call)
    status = _required(call, "status", "done, fail or processing")
    delivery = call.store.delivery(call.system_id, doc_id)
    if delivery is None:
        raise NotFound(f"document {doc_id!r} not found among your deliveries")
    word = status.lower() if status.lower() in _STATUS_DESC else status
    if delivery.status != word:
        desc = _STATUS_DESC.get(word, f"status {word!r} reported by the receiver")
        call.store.set_delivery_status(delivery, word, desc)
        call.note(
            "delivery",
            doc_id=doc_id,
            system=call.system_id,
            status=word,
            previous=delivery.status,
            listed=word != DONE,
        )
    return Answer(envelope.ok(), summary={"doc_id": doc_id, "ack": word})


def get_sent_list(call: Call) -> Answer:
    messagetype = _messagetype(call)
    doc_id = call.headers.vxp("docId") or None
    items = []
    for msg, deliveries in call.store.sent(
        call.system_id, messagetype, doc_id, call.config.list_limit
    ):
        for d in deliveries:
            visible = d.visible_at <= call.store.clock()
            for code in d.to_codes.split(","):
                items.append(
                    {
                        "serviceType": msg.service_type,
                        "messageType": msg.messagetype,
                        "senderDocId": msg.doc_id,
                        "receiverDocId": msg.doc_id,
                        "fromCode": msg.from_code,
                        "toCode": code,
                        "title": msg.title,
                        "notation": msg.notation,
                        "sentTime": wire_time(msg.created),
                        "receivedTime": wire_time(d.updated) if d.status == DONE else "",
                        "sendStatus": "sent" if visible else "queued",
                        "sendStatusDesc": "stored by the axis"
                        if visible
                        else "stored by the axis, not yet visible to the receiver",
                        "receiveStatus": d.status,
                        "receiveStatusDesc": d.status_desc,
                    }
                )
    return Answer(
        envelope.ok(data=envelope.items(items)),
        summary={"messagetype": messagetype, "items": len(items)},
    )


def _count(messagetype: str) -> Handler:
    def count(call: Call) -> Answer:
        n = call.store.inbox_count(call.system_id, messagetype)
        return Answer(envelope.ok(count=n), summary={"messagetype": messagetype, "count": n})

    return count


# --- the agency registry -----------------------------------------------------------------


def _parent_ids(agencies: list[Agency]) -> dict[str, str]:
    """Agency code → the id of its nearest registered ancestor (as a string) or ""."""
    ids = {a.code: str(a.id) for a in agencies}
    ids.update({a.alt_code: str(a.id) for a in agencies if a.alt_code})
    out = {}
    for agency in agencies:
        parent = ""
        if agency.valid:
            oid = parse_organ_id(agency.code).parent
            while oid is not None and not parent:
                parent = ids.get(oid.text, "")
                oid = oid.parent
        if not parent and agency.pcode:
            parent = ids.get(agency.pcode, "")
        out[agency.code] = parent
    return out


def _forms(agency: Agency) -> tuple[str, str]:
    """(QĐ 20 form, QCVN 102 form) of the agency's code; "" where it has none."""
    if not agency.valid:
        return "", agency.code
    if agency.code[0].isalpha():
        return agency.code, agency.alt_code or ""
    return agency.alt_code or "", agency.code


def get_agencies_list(call: Call) -> Answer:
    agencies = call.store.agencies()
    parents = _parent_ids(agencies)
    data = [
        {
            "id": str(a.id),
            "pid": parents[a.code],
            "code": a.code,
            "name": a.name,
            "mail": a.mail,
            "oldCode": "",
        }
        for a in agencies
    ]
    return Answer(envelope.ok(data=envelope.items(data)), summary={"items": len(data)})


def get_agencies_list_qd20(call: Call) -> Answer:
    level_text = call.headers.vxp("level")
    level = None
    if level_text:
        if not level_text.isdigit() or not 1 <= int(level_text) <= 4:
            raise BadRequest(f"header {PREFIX}level={level_text!r} must be 1, 2, 3 or 4")
        level = int(level_text)
    data = []
    for a in call.store.agencies():
        qd20, qcvn = _forms(a)
        if not qd20 or (level is not None and a.level != level):
            continue
        data.append(
            {"id": str(a.id), "code": qd20, "name": a.name, "mail": a.mail, "code102": qcvn}
        )
    return Answer(
        envelope.ok(data=envelope.items(data)), summary={"items": len(data), "level": level or 0}
    )


def get_synchronize_unit(call: Call) -> Answer:
    agencies = call.store.agencies(include_deleted=True)
    parents = _parent_ids(agencies)
    data = [
        {
            "id": str(a.id),
            "pid": parents[a.code],
            "code": a.code,
            "name": a.name,
            "mail": a.mail,
            "version": a.version,
            "centerCode": a.system_id,
            "deleted": a.deleted,
            "modifyDate": wire_time(a.modified),
            "isAgency": True,
        }
        for a in agencies
    ]
    return Answer(envelope.ok(data=envelope.items(data)), summary={"items": len(data)})


def register_agency_op(call: Call) -> Answer:
    try:
        text = call.body.decode("utf-8")
    except UnicodeDecodeError:
        text = call.body.decode("latin-1")
    try:
        obj = read_object(text)
    except JsonishError as exc:
        raise BadRequest(f"registerAgency body cannot be read: {exc}") from None
    code = obj.get("code", "").strip()
    if not code:
        raise BadRequest("registerAgency body has no 'code' (the agency's organ id)")
    fields = AgencyFields(
        name=obj.get("name", ""),
        mail=obj.get("mail", ""),
        mobile=obj.get("mobile", ""),
        fax=obj.get("fax", ""),
        pcode=obj.get("pcode", ""),
    )
    try:
        registration = register_agency(
            call.store, code, call.system_id, fields, strict=call.config.strict
        )
    except ValidationRefused as exc:
        call.note("findings", op=call.op, system=call.system_id, code=code, refused=exc.message)
        raise
    findings = [f.to_json() for f in registration.findings]
    call.note(
        "agency",
        op=call.op,
        system=call.system_id,
        code=registration.agency.code,
        action="registered",
        valid=registration.agency.valid,
        findings=findings,
    )
    if findings:
        call.note("findings", op=call.op, system=call.system_id, code=code, findings=findings)
    return Answer(envelope.ok(), summary={"code": registration.agency.code})


def delete_agency(call: Call) -> Answer:
    code = _required(call, "AgencyCode", "the organ id to unregister")
    agency = call.store.find_agency(code)
    if agency is None:
        raise NotFound(f"agency {code!r} is not registered")
    if agency.system_id != call.system_id:
        raise Forbidden(f"agency {code!r} is served by another system")
    call.store.delete_agency(agency.code)
    call.note("agency", op=call.op, system=call.system_id, code=agency.code, action="deleted")
    return Answer(envelope.ok(), summary={"code": agency.code})


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation(
            "sendEdoc",
            "POST",
            ("from", "servicetype", "messagetype", "hash-file", "to"),
            send_edoc,
            ascii_only=True,
            writes=True,
        ),
        Operation("getReceivedEdocList", "POST", ("servicetype", "messagetype"), get_received_list),
        Operation("getEdoc", "POST", ("docId",), get_edoc),
        Operation("downloadEdoc", "GET", ("docId",), download_edoc, json=False),
        Operation("updateStatus", "POST", ("docId", "status"), update_status, writes=True),
        Operation(
            "getSentEdocList", "POST", ("servicetype", "messagetype", "docId"), get_sent_list
        ),
        Operation("countReceiveEdoc", "POST", ("servicetype", "messagetype"), _count("edoc")),
        Operation("countReceiveStatus", "POST", ("servicetype", "messagetype"), _count("status")),
        Operation("getAgenciesList", "POST", (), get_agencies_list),
        Operation("getAgenciesListQD20", "POST", ("level",), get_agencies_list_qd20),
        Operation("getSynchronizeUnit", "POST", (), get_synchronize_unit),
        Operation("registerAgency", "POST", (), register_agency_op, writes=True),
        Operation("deleteAgency", "POST", ("AgencyCode",), delete_agency, writes=True),
    )
}
