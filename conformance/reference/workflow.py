"""The workflow of a received document at the reference SUT's agency: which status it may send
next (by :mod:`spec.lifecycle`, replayed from the register), and the status messages that
actions, refusals and take-back answers put in the outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from conformance.contract import ACTION_STATUS, Action, ActionResult
from conformance.errors import ActionRefused, SutError, UnknownDocument
from conformance.reference.behaviour import Behaviour
from conformance.reference.documents import DocumentRef, build_status
from conformance.reference.register import Received, StatusRecord
from conformance.reference.session import Session, model_seconds
from spec import model
from spec.clock import VIETNAM
from spec.codec import serialize
from spec.lifecycle import (
    ANSWER_NEEDS_REQUEST,
    FORWARD_ONLY,
    NO_REPEAT,
    NOTHING_AFTER_REFUSAL,
    REFUSAL_BEFORE_ACCEPT,
    TAKE_BACK_ANSWER_ONCE,
    WITHDRAWN_FINAL,
    Lifecycle,
)
from spec.status_codes import InvalidStatusCode, StatusCode

SLOW_ARRIVED_DELAY = 3600.0
"""Model seconds the slow-arrived defect holds back a 01: longer than any profile deadline."""

__all__ = ["SLOW_ARRIVED_DELAY", "Workflow", "replay"]


def replay(records: list[StatusRecord], receiver: str) -> Lifecycle:
    """The lifecycle the records make at ``receiver``, skipping any the lifecycle rejects.

    Only the receiver's own statuses carry their timestamps into the order check: the
    sender's 13 comes from another clock.
    """
    lifecycle = Lifecycle()
    for record in records:
        try:
            code = StatusCode.parse(record.code)
        except InvalidStatusCode:
            continue
        at = None
        if record.at is not None and record.from_org == receiver:
            at = datetime.fromtimestamp(record.at, VIETNAM).replace(tzinfo=None)
        if lifecycle.check(code, at) is None:
            lifecycle.apply(code, at)
    return lifecycle


def _waived(b: Behaviour, rule_id: str, *, answer: bool = False) -> bool:
    """Whether a planted defect lets the clerk break lifecycle rule ``rule_id`` (on an action,
    or on a take-back ``answer``): what the suite's lifecycle probes must catch."""
    if answer:
        return {ANSWER_NEEDS_REQUEST: b.answer_unasked, TAKE_BACK_ANSWER_ONCE: b.answer_again}.get(
            rule_id, False
        )
    return {
        NOTHING_AFTER_REFUSAL: b.act_after_refusal,
        REFUSAL_BEFORE_ACCEPT: b.refuse_after_accept,
        NO_REPEAT: b.repeat_on_request,
        FORWARD_ONLY: b.step_back,
        WITHDRAWN_FINAL: b.forward_after_withdrawal,
    }.get(rule_id, False)


def _breach_note(text: str, seen: int) -> str:
    """The Description of a status a defect sent against the lifecycle: marked, and different
    from any earlier one, so that its bytes never repeat an earlier status (the axis would take
    a repeat for a retry and store nothing)."""
    return f"{text} (lần {seen + 1})"


def ref_of(doc: Received) -> DocumentRef:
    return DocumentRef(doc.sender, doc.code, doc.promulgation_date, doc.document_id)


class Workflow:
    """Status emission and actions for the documents the SUT received."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def document(self, document_id: str) -> Received:
        doc = self.s.register.received(document_id)
        if doc is None:
            raise UnknownDocument(
                "unknown-document",
                f"no received document with DocumentId {document_id!r} (not delivered yet?)",
            )
        return doc

    def lifecycle(self, doc: Received) -> Lifecycle:
        return replay(self.s.register.statuses(doc.document_id, self.s.organ_id), self.s.organ_id)

    def _addressee(self, doc: Received) -> str:
        if not self.s.behaviour.status_to_wrong_agency:
            return doc.sender
        others = [r for r in doc.recipients if r not in (self.s.organ_id, doc.sender)]
        return others[0] if others else self.s.organ_id

    def emit(
        self,
        doc: Received,
        code: StatusCode,
        *,
        description: str | None = None,
        staff: str | None = None,
        delay: float = 0.0,
    ) -> int:
        """Put status ``code`` about ``doc`` in the outbox (and the register); returns the
        outbox id. ``delay`` holds it back that many model seconds."""
        b = self.s.behaviour
        moment = self.s.now()
        if description is None and not code.needs_description:
            description = code.meaning_vi
        if b.no_description_on_refusal and code in (
            StatusCode.REFUSED,
            StatusCode.TAKE_BACK_REFUSED,
        ):
            description = None
        staff_info = None
        if not b.no_staff_info:
            staff_info = self.s.me.staff
            if staff:
                staff_info = model.StaffInfo(
                    staff_info.department, staff, staff_info.mobile, staff_info.email
                )
        addressee = self._addressee(doc)
        status = build_status(
            self.s.me,
            ref_of(doc),
            code,
            to=addressee,
            timestamp=self.s.stamp(moment),
            description=description,
            staff=staff_info,
            document_id=doc.axis_doc_id if b.wrong_response_for_document_id else None,
        )
        payload = self.s.sign(serialize(status))
        register = self.s.register
        not_before = model_seconds(moment + timedelta(seconds=delay))
        with register.transaction():
            item = register.enqueue(
                "status", doc.document_id, payload, not_before=not_before, code=code.value
            )
            register.add_status(
                direction="sent",
                document_id=doc.document_id,
                receiver=self.s.organ_id,
                code=code.value,
                from_org=self.s.organ_id,
                to_org=addressee,
                timestamp=status.timestamp,
                at=model_seconds(moment),
                description=description,
                outbox_id=item,
            )
        self.s.notify()
        return item

    def arrived(self, doc: Received, *, description: str | None = None) -> None:
        """A document was registered: report 01 (unless a defect says otherwise)."""
        b = self.s.behaviour
        if b.skip_arrived:
            return
        delay = SLOW_ARRIVED_DELAY if b.slow_arrived else 0.0
        self.emit(doc, StatusCode.ARRIVED, description=description, delay=delay)

    # -- actions from the controller -----------------------------------------------------

    def act(
        self, document_id: str, action: Action, reason: str | None, staff: str | None
    ) -> ActionResult:
        b = self.s.behaviour
        code = ACTION_STATUS[action]
        with self.s.register.transaction():
            doc = self.document(document_id)
            if doc.revoked and not b.process_revoked:
                raise ActionRefused(
                    "illegal-transition",
                    f"document {doc.code} was revoked (thu hồi) by its sender {doc.sender}; "
                    "it is not processed any further",
                )
            lifecycle = self.lifecycle(doc)
            rejection = lifecycle.check(code, self.s.now())
            mutant_bypass = (rejection is not None and _waived(b, rejection.rule_id)) or (
                b.complete_before_assign and code is StatusCode.ASSIGNED
            )
            if rejection is not None and not mutant_bypass:
                raise ActionRefused("illegal-transition", rejection.message, rule=rejection.rule_id)
            description = reason if code.needs_description else None
            if rejection is not None:  # a defect let it through: never the same bytes twice
                description = _breach_note(description or code.meaning_vi, len(lifecycle))
            if b.complete_before_assign and code is StatusCode.ASSIGNED:
                self.emit(doc, StatusCode.COMPLETED, staff=staff)
            self.emit(doc, code, description=description, staff=staff)
            if b.repeat_accepted and code is StatusCode.ACCEPTED:
                self.emit(doc, code, description=f"{code.meaning_vi} (gửi lại)", staff=staff)
            state = self.lifecycle(doc).state.value
        return ActionResult(document_id, code, state, action)

    def answer_take_back(
        self, document_id: str, requester: str | None, agree: bool, reason: str | None
    ) -> ActionResult:
        b = self.s.behaviour
        code = StatusCode.TAKE_BACK_AGREED if agree else StatusCode.TAKE_BACK_REFUSED
        with self.s.register.transaction():
            doc = self.document(document_id)
            if requester is not None and requester != doc.sender:
                raise SutError(
                    "bad-request",
                    f"requester={requester!r} did not send document {doc.code} "
                    f"(its sender is {doc.sender!r})",
                )
            lifecycle = self.lifecycle(doc)
            rejection = lifecycle.check(code, self.s.now())
            if rejection is not None and not _waived(b, rejection.rule_id, answer=True):
                raise ActionRefused("illegal-transition", rejection.message, rule=rejection.rule_id)
            if rejection is not None:
                reason = _breach_note(reason or code.meaning_vi, len(lifecycle))
            if not b.ignore_take_back:
                self.emit(doc, code, description=reason)
                if b.answer_take_back_twice:
                    again = f"{reason} (gửi lại)" if reason else f"{code.meaning_vi} (gửi lại)"
                    self.emit(doc, code, description=again)
            state = self.lifecycle(doc).state.value
        return ActionResult(document_id, code, state)
