"""The reference SUT's receive loop (AXIS_PROTOCOL.md §6): list both message types, fetch each
new delivery, judge it with the spec, store it, acknowledge it, and react.

Order matters and is the point of this module: a document is written to the register before
it is acknowledged ``done``; a message that cannot be read is kept and acknowledged ``fail``
(and, each time the axis lists it again, acknowledged ``fail`` again without being fetched, as
the SDK's receive loop does); a delivery seen before, under the same axis docId or (for a
document) the same DocumentId, is acknowledged without a second 01.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import uuid
from functools import partial

from axis.client import AxisClient
from axis.errors import AxisError
from conformance.reference.link import TRANSIENT
from conformance.reference.register import Received
from conformance.reference.session import Session, model_seconds
from conformance.reference.workflow import Workflow
from spec import model
from spec.business_kinds import BusinessKind
from spec.errors import InputRefused
from spec.findings import Finding
from spec.findings import errors as error_findings
from spec.formats import parse_timestamp
from spec.rules.business import doc_type
from spec.status_codes import InvalidStatusCode, StatusCode
from spec.validator import check

log = logging.getLogger("conformance.reference")
_ANY_AXIS_FAILURE: tuple[type[BaseException], ...] = (*TRANSIENT, AxisError)
"""What a call to the axis may raise: a transient failure or the axis's answer."""

REGISTERED, REFUSED, DUPLICATE = "registered", "refused", "duplicate"
UNREADABLE, FORGOTTEN, IGNORED = "unreadable", "forgotten", "ignored"
REVOKE_NOTED, UPDATE_NOTED, STATUS_NOTED = "revoke", "update", "status"

__all__ = ["Poller"]


def _refusal_reason(findings: list[Finding]) -> str:
    shown = "; ".join(f"{f.req_id}: {f.message}" for f in findings[:3])
    more = f" (và {len(findings) - 3} lỗi khác)" if len(findings) > 3 else ""
    return f"Văn bản không hợp lệ: {shown}{more}"[:500]


class Poller:
    """One pass over the axis inbox per :meth:`cycle`."""

    def __init__(self, session: Session, workflow: Workflow) -> None:
        self.s = session
        self.workflow = workflow
        self._serial = itertools.count(1)
        self._guess: int | None = None

    @property
    def client(self) -> AxisClient:
        return self.s.link.client

    def cycle(self) -> None:
        """List and handle every delivery waiting for the SUT, edocs first."""
        handled: set[str] = set()
        for messagetype in ("edoc", "status"):
            items = self.s.link.call(partial(self.client.get_received_list, messagetype))
            for item in items:
                doc_id = str(item.get("docId") or "")
                if not doc_id or doc_id in handled:
                    continue
                handled.add(doc_id)
                if self.s.stop.is_set():
                    return
                try:
                    self.handle(doc_id, messagetype)
                except TRANSIENT:
                    raise  # the axis is unwell: end the cycle and back off
                except AxisError as exc:
                    # This delivery only (e.g. no longer readable): the next cycle sees it again.
                    log.warning("reference SUT: %s %s: %s", messagetype, doc_id, exc)
        if self.s.behaviour.read_other_systems:
            self._snoop()

    def ack(self, doc_id: str, word: str) -> None:
        if self.s.behaviour.never_ack:
            return
        try:
            self.s.link.call(lambda: self.client.update_status(doc_id, word))
        except _ANY_AXIS_FAILURE as exc:
            # The delivery stays listed; the next cycle finds it in the register and acks it.
            log.warning("reference SUT: ack %s of %s failed: %s", word, doc_id, exc)

    def handle(self, doc_id: str, messagetype: str) -> None:
        b = self.s.behaviour
        register = self.s.register
        known = register.inbound(doc_id)
        if known is not None and not b.no_dedupe:
            if known.outcome == UNREADABLE:
                self.ack(doc_id, "fail")  # listed again, as `fail` keeps it: the SDK's loop
            elif known.outcome != FORGOTTEN:
                self.ack(doc_id, "done")  # the earlier ack may have been lost
            return
        data = self.s.link.call(lambda: self.client.get_edoc(doc_id))
        at = model_seconds(self.s.now())
        if b.ack_before_store:
            self.ack(doc_id, "done")
            return  # "crashes" before storing: the document is lost
        try:
            parsed = check(data, self.s.check_options())
        except Exception as exc:  # InputRefused, or input the parser did not foresee
            if b.ack_done_on_garbage:
                self.ack(doc_id, "done")
                return
            reason = str(exc) if isinstance(exc, InputRefused) else f"{type(exc).__name__}: {exc}"
            register.record_inbound(doc_id, messagetype, data, UNREADABLE, at, reason=reason)
            self.ack(doc_id, "fail")
            return
        message = parsed.message
        if isinstance(message, model.Status):
            self._status(doc_id, messagetype, data, message, at)
        elif b.ack_fail_and_forget:
            register.record_inbound(doc_id, messagetype, None, FORGOTTEN, at)
            self.ack(doc_id, "fail")
            return
        else:
            self._edoc(doc_id, messagetype, data, message, parsed.findings, at)
        self.ack(doc_id, "done")

    # -- documents -----------------------------------------------------------------------

    def _addressed(self, edoc: model.Edoc) -> bool:
        return self.s.organ_id in edoc.recipients

    def _edoc(
        self,
        doc_id: str,
        messagetype: str,
        data: bytes,
        edoc: model.Edoc,
        findings: list[Finding],
        at: float,
    ) -> None:
        b = self.s.behaviour
        register = self.s.register
        errs = error_findings(findings)
        addressed = self._addressed(edoc)
        kind = doc_type(edoc)
        h = edoc.header
        sender = edoc.sender or ""
        number = (h.code.code_number or "").strip() if h.code else ""
        notation = (h.code.code_notation or "").strip() if h.code else ""
        day = (h.promulgation_info.promulgation_date or "").strip() if h.promulgation_info else ""
        document_id = (h.document_id or "").strip() or f"{sender},{day},{number}/{notation}"
        reason = None
        if errs and not b.accept_malformed:
            reason = _refusal_reason(errs)
        elif not addressed and not b.accept_misaddressed:
            reason = (
                f"Văn bản không gửi đến cơ quan {self.s.organ_id} "
                f"(nơi nhận: {', '.join(edoc.recipients) or 'không có'})"
            )
        original = None
        if edoc.bussiness is not None and edoc.bussiness.document_id:
            original = edoc.bussiness.document_id.strip()
        if reason is None and kind is BusinessKind.REVOKE:
            if original is None:
                original = next(
                    (rf.document_id.strip() for rf in h.response_for if rf.document_id),
                    document_id,
                )
            register.revoke(original, doc_id)
            register.record_inbound(
                doc_id, messagetype, data, REVOKE_NOTED, at, document_id=original
            )
            self.s.notify()
            return
        if (
            reason is None
            and kind is BusinessKind.UPDATE
            and register.received(original or document_id)
        ):
            register.record_inbound(
                doc_id, messagetype, data, UPDATE_NOTED, at, document_id=original or document_id
            )
            return
        key = f"doc:{document_id}"
        note = None
        if register.has_dedupe_key(key):
            if not b.no_dedupe:
                register.record_inbound(
                    doc_id, messagetype, data, DUPLICATE, at, document_id=document_id
                )
                return
            key = f"{key}#{next(self._serial)}"
            note = f"{StatusCode.ARRIVED.meaning_vi} (lần nhận {doc_id})"
        with register.transaction():
            doc = register.add_received(
                document_id=document_id,
                dedupe_key=key,
                axis_doc_id=doc_id,
                sender=sender,
                recipients=edoc.recipients,
                code=f"{number}/{notation}",
                promulgation_date=day,
                subject=(h.subject or "").strip(),
                business_kind=kind or BusinessKind.NEW,
                downloaded_at=at,
            )
            register.record_inbound(
                doc_id,
                messagetype,
                data,
                REFUSED if reason else REGISTERED,
                at,
                reason=reason,
                document_id=document_id,
            )
            if reason is not None:
                self.workflow.emit(doc, StatusCode.REFUSED, description=reason)
            else:
                self.workflow.arrived(doc, description=note)
            if kind is BusinessKind.REPLACE and reason is None:
                self._replaced(edoc, doc, doc_id)

    def _replaced(self, edoc: model.Edoc, doc: Received, doc_id: str) -> None:
        for info in (edoc.bussiness.replacements if edoc.bussiness else None) or ():
            if info.document_id and info.document_id.strip() != doc.document_id:
                self.s.register.revoke(info.document_id.strip(), doc_id)

    # -- statuses ------------------------------------------------------------------------

    def _status(
        self, doc_id: str, messagetype: str, data: bytes, status: model.Status, at: float
    ) -> None:
        register = self.s.register
        rf = status.response_for
        document_id = (rf.document_id or "").strip() if rf else ""
        reporter = status.sender or ""
        try:
            code = StatusCode.parse(status.status_code or "")
        except InvalidStatusCode as exc:
            register.record_inbound(doc_id, messagetype, data, IGNORED, at, reason=str(exc))
            return
        try:
            stamped = model_seconds(parse_timestamp((status.timestamp or "").strip()))
        except ValueError:
            stamped = None
        if code is StatusCode.TAKE_BACK_REQUESTED:
            doc = register.received(document_id)
            if doc is None or doc.sender != reporter:
                register.record_inbound(
                    doc_id,
                    messagetype,
                    data,
                    IGNORED,
                    at,
                    reason="take-back request for no document received from its requester",
                    document_id=document_id,
                )
                return
            receiver = self.s.organ_id
        else:
            sent = register.sent_document(document_id)
            if sent is None or reporter not in sent.recipients:
                register.record_inbound(
                    doc_id,
                    messagetype,
                    data,
                    IGNORED,
                    at,
                    reason="status about no document sent to its reporter",
                    document_id=document_id,
                )
                return
            receiver = reporter
        with register.transaction():
            register.add_status(
                direction="received",
                document_id=document_id,
                receiver=receiver,
                code=code.value,
                from_org=reporter,
                to_org=self.s.organ_id,
                timestamp=status.timestamp,
                at=stamped,
                description=status.description,
                axis_doc_id=doc_id,
            )
            register.record_inbound(
                doc_id, messagetype, data, STATUS_NOTED, at, document_id=document_id
            )
        self.s.notify()

    # -- the read-other-systems defect ---------------------------------------------------

    def _snoop(self) -> None:
        """Ask for a docId nobody delivered: the UUID after the last one received (or after
        the nil UUID), one more each cycle."""
        if self._guess is None:
            ids = self.s.register.inbound_ids()
            try:
                self._guess = uuid.UUID(ids[-1]).int if ids else 0
            except ValueError:
                self._guess = 0
        self._guess = (self._guess + 1) % (1 << 128)
        with contextlib.suppress(*_ANY_AXIS_FAILURE):
            self.client.get_edoc(str(uuid.UUID(int=self._guess)))
