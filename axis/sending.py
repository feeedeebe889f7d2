"""``sendEdoc``: check the file against its hash, drop re-sends, parse and validate it with the
spec, check that the caller speaks for its From, route it, store it once with a delivery per
recipient system (AXIS_PROTOCOL.md §4, §5).
"""

from __future__ import annotations

import dataclasses
import hashlib

import spec
from axis import envelope
from axis.call import Answer, Call, read_messagetype, required
from axis.errors import AxisError, BadRequest, Forbidden, TooLarge, Unroutable, ValidationRefused
from axis.events import (
    AnomalyEvent,
    DeliveryEvent,
    DuplicateEvent,
    FindingsEvent,
    IdentityEvent,
    Recipient,
    RouteEvent,
    StoredEvent,
)
from axis.records import PENDING
from axis.routing import recipient_codes, route
from axis.signing import PREFIX, digest_matches
from spec.errors import InputRefused, NotEdXML
from spec.errors import TooLarge as SpecTooLarge
from spec.findings import Finding

MAX_NOTED_FINDINGS = 50

__all__ = ["NO_DESCRIPTION", "carried_document_ids", "send_edoc", "store_message"]


def _file_bytes(call: Call, hash_file: str) -> tuple[bytes, str]:
    """The file inside the body and its SHA-256 hex: the body minus exactly one trailing CRLF
    (what the SDK appends), or the whole body when that is what ``hash-file`` matches."""
    body = call.body
    stripped = body[:-2] if body.endswith(b"\r\n") else body
    digest = hashlib.sha256(stripped).digest()
    if digest_matches(digest, hash_file):
        return stripped, digest.hex()
    if stripped is not body:
        whole = hashlib.sha256(body).digest()
        if digest_matches(whole, hash_file):
            call.note(AnomalyEvent(op=call.op, system=call.system_id, what="body-without-crlf"))
            return body, whole.hex()
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


NO_DESCRIPTION = {"title": "", "notation": "", "document_id": "", "status_code": ""}


def carried_document_ids(body: bytes) -> list[str]:
    """The DocumentIds a sendEdoc body is about: a document's own and the original it
    revokes, updates or replaces, or a status's ResponseFor/DocumentId; none when the body
    is not an edXML message."""
    data = body[:-2] if body.endswith(b"\r\n") else body
    try:
        message = spec.parse(data).message
    except InputRefused:
        return []
    if isinstance(message, spec.Status):
        rf = message.response_for
        return [rf.document_id or ""] if rf else []
    ids = [message.header.document_id or ""]
    block = message.bussiness
    if block is not None:
        ids.append(block.document_id or "")
        ids += [r.document_id or "" for r in block.replacements or ()]
    return ids


def send_edoc(call: Call) -> Answer:
    messagetype = read_messagetype(call)
    service_type = call.headers.vxp("servicetype") or "eDoc"
    hash_file = required(call, "hash-file", "SHA-256 of the file")
    data, sha256 = _file_bytes(call, hash_file)
    earlier = call.store.mailbox.find_duplicate(call.system_id, sha256)
    if earlier is not None:
        call.note(DuplicateEvent(op=call.op, system=call.system_id, doc_id=earlier, sha256=sha256))
        return Answer(envelope.ok(DocId=earlier), summary={"doc_id": earlier, "duplicate": True})
    try:
        parsed = spec.check(
            data, spec.Options(clock=call.calendar), max_bytes=call.config.max_body_bytes
        )
    except SpecTooLarge as exc:
        raise TooLarge(str(exc)) from None
    except NotEdXML as exc:
        return _send_foreign_xml(call, data, sha256, messagetype, service_type, str(exc))
    except InputRefused as exc:
        raise BadRequest(f"body refused: {exc}") from None
    message = parsed.message
    findings = parsed.findings
    errors = spec.errors(findings)
    noted = FindingsEvent(
        op=call.op,
        system=call.system_id,
        sha256=sha256,
        errors=len(errors),
        total=len(findings),
        findings=tuple(findings[:MAX_NOTED_FINDINGS]),
    )
    strict = call.config.strict
    if strict and errors:
        refused = (
            f"document refused in strict mode, {len(errors)} error-level findings: "
            f"{_finding_digest(errors)}"
        )
        call.note(dataclasses.replace(noted, refused=refused))
        raise ValidationRefused(refused)
    if message.kind != messagetype:
        what = f"{PREFIX}messagetype is {messagetype!r} but the body is an {message.kind} message"
        if strict:
            raise ValidationRefused(f"{what} (strict mode)")
        call.note(AnomalyEvent(op=call.op, system=call.system_id, what="messagetype-mismatch"))
    from_code = (message.sender or "").strip()
    codes = recipient_codes(message.recipients, call.headers.vxp("to"))
    try:
        _check_speaks_for(call, from_code, message.kind)
        answer = store_message(
            call, data, sha256, messagetype, service_type, codes, from_code, _describe(message)
        )
    except AxisError:
        if findings:
            call.note(noted)
        raise
    if findings:
        call.note(dataclasses.replace(noted, doc_id=answer.summary["doc_id"]))
    return answer


def _check_speaks_for(call: Call, from_code: str, kind: str) -> None:
    """The From of an edoc or a status must be an agency the calling system serves
    *[axis choice]*: a system speaks only for its own agencies."""
    agency = call.store.registry.find_agency(from_code) if from_code else None
    if agency is not None and agency.system_id == call.system_id:
        return
    call.note(
        IdentityEvent(
            op=call.op,
            system=call.system_id,
            code=from_code,
            messagetype=kind,
            served_by=agency.system_id if agency is not None else "",
        )
    )
    if not from_code:
        raise Forbidden(f"the {kind} message has no From; a system speaks only for its agencies")
    raise Forbidden(
        f"From {from_code!r} is not an agency served by system {call.system_id!r}; a system "
        "speaks only for the agencies it registered (registerAgency); nothing was stored"
    )


def _send_foreign_xml(
    call: Call, data: bytes, sha256: str, messagetype: str, service_type: str, reason: str
) -> Answer:
    """Lenient mode stores whatever parses as XML (AXIS_PROTOCOL.md §5): XML that is not an
    edXML message is routed by the ``to`` header alone."""
    to_header = call.headers.vxp("to")
    if call.config.strict or not to_header:
        why = "strict mode" if call.config.strict else f"no {PREFIX}to header to route it by"
        raise BadRequest(f"body refused: {reason} ({why})")
    call.note(AnomalyEvent(op=call.op, system=call.system_id, what="not-edxml", reason=reason))
    codes = recipient_codes([], to_header)
    return store_message(
        call, data, sha256, messagetype, service_type, codes, "", NO_DESCRIPTION, not_edxml=True
    )


def store_message(
    call: Call,
    data: bytes,
    sha256: str,
    messagetype: str,
    service_type: str,
    codes: list[str],
    from_code: str,
    described: dict[str, str],
    **marks: bool,
) -> Answer:
    """Route to ``codes``, store the message and its deliveries, note all of it (``marks``,
    such as ``unparsed=True``, go into the ``stored`` event)."""
    try:
        decision = route(call.store.registry, codes)
    except Unroutable as exc:
        call.note(
            RouteEvent(
                op=call.op,
                system=call.system_id,
                codes=tuple(codes),
                refused=exc.message,
                messagetype=messagetype,
            )
        )
        raise
    delay = sum(float(i.params["delay_s"]) for i in call.injected("delay"))
    doc_id = call.store.mailbox.add_message(
        sender=call.system_id,
        messagetype=messagetype,
        service_type=service_type,
        body=data,
        sha256=sha256,
        from_code=from_code,
        deliveries=decision.deliveries,
        visible_after=delay,
        **described,
    )
    call.note(
        StoredEvent(
            op=call.op,
            system=call.system_id,
            doc_id=doc_id,
            messagetype=messagetype,
            sha256=sha256,
            size=len(data),
            from_code=from_code,
            document_id=described["document_id"],
            status_code=described["status_code"],
            recipients=tuple(Recipient(code, system) for code, system in decision.recipients),
            **marks,
        )
    )
    for system_id, served in decision.deliveries.items():
        call.note(
            DeliveryEvent(
                doc_id=doc_id,
                system=system_id,
                sender=call.system_id,
                to=tuple(served),
                status=PENDING,
                visible_after_s=delay,
            )
        )
    return Answer(envelope.ok(DocId=doc_id), summary={"doc_id": doc_id})
