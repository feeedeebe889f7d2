"""The sending side of the reference SUT: it issues documents (new, revoke, update, replace)
as a registry clerk would, asks recipients to give documents back (13), and follows each
recipient's progress through the statuses that come back."""

from __future__ import annotations

from conformance.contract import ActionResult, DocumentRequest, SentDocument
from conformance.errors import ActionRefused, SutError, UnknownDocument
from conformance.reference.documents import (
    DocumentRef,
    Issue,
    build_edoc,
    build_status,
    document_id_text,
)
from conformance.reference.register import Sent
from conformance.reference.session import Session, model_seconds
from conformance.reference.workflow import replay
from spec.business_kinds import BusinessKind
from spec.codec import serialize
from spec.document_id import split_code
from spec.formats import format_date, format_timestamp
from spec.lifecycle import (
    NOTHING_AFTER_REFUSAL,
    TAKE_BACK_BEFORE_COMPLETE,
    TAKE_BACK_ONE_AT_A_TIME,
    WITHDRAWN_FINAL,
    Lifecycle,
)
from spec.organ_ids import recipient_problem
from spec.status_codes import StatusCode

__all__ = ["Sender"]


def _misreported(issue: Issue) -> Issue:
    """The misreported-document-id defect: the issue the controller answers with, one số
    further than the document's."""
    number = str(int(issue.number) + 1) if issue.number.isdigit() else issue.number + "1"
    issuer, date, _ = issue.document_id.split(",", 2)
    return Issue(
        number,
        issue.notation,
        issue.promulgation_date,
        f"{issuer},{date},{number}/{issue.notation}",
    )


class Sender:
    def __init__(self, session: Session) -> None:
        self.s = session

    def original(self, document_id: str) -> Sent:
        sent = self.s.register.sent_document(document_id)
        if sent is None:
            raise UnknownDocument(
                "unknown-document", f"this SUT sent no document with DocumentId {document_id!r}"
            )
        return sent

    def recipient_lifecycle(self, sent: Sent, recipient: str) -> Lifecycle:
        return replay(self.s.register.statuses(sent.document_id, recipient), recipient)

    def _issue(self, request: DocumentRequest) -> tuple[Issue, Sent | None]:
        business = request.business
        original = self.original(business.original_document_id) if business else None
        kind = BusinessKind.from_word(business.kind) if business else BusinessKind.NEW
        if original is not None and kind in (BusinessKind.REVOKE, BusinessKind.UPDATE):
            number, notation = split_code(original.code)
            return Issue(
                number, notation, original.promulgation_date, original.document_id
            ), original
        number = request.code_number or str(self.s.register.next_number())
        notation = request.code_notation or f"{self.s.me.acronym}-VT"
        day = self.s.clock.today()
        document_id = document_id_text(self.s.organ_id, day, number, notation, self.s.behaviour)
        return Issue(number, notation, format_date(day), document_id), original

    def send(self, request: DocumentRequest) -> tuple[SentDocument, int]:
        """Issue the document and put it in the outbox; returns it and its outbox id."""
        for code in request.to:
            problem = recipient_problem(code)
            if problem:
                raise SutError("bad-request", f"recipient {code!r}: {problem}")
        issue, original = self._issue(request)
        moment = self.s.now()
        kind = request.business.kind if request.business else "new"
        edoc = build_edoc(
            self.s.me,
            request,
            issue,
            timestamp=format_timestamp(moment),
            behaviour=self.s.behaviour,
            system_id=self.s.config.system_id,
            replaced_recipients=original.recipients if original else (),
        )
        data = serialize(edoc)
        if not self.s.behaviour.unsigned_documents:
            data = self.s.sign(data)
        register = self.s.register
        with register.transaction():
            item = register.enqueue(
                "edoc", issue.document_id, data, not_before=model_seconds(moment)
            )
            register.add_sent(
                document_id=issue.document_id,
                business_kind=kind,
                original_document_id=original.document_id if original else None,
                code=issue.code,
                promulgation_date=issue.promulgation_date,
                subject=request.subject,
                recipients=list(request.to),
                outbox_id=item,
            )
        self.s.notify()
        reported = _misreported(issue) if self.s.behaviour.misreported_document_id else issue
        sent = SentDocument(
            document_id=reported.document_id,
            to=tuple(request.to),
            business_kind=kind,
            code=reported.code,
            promulgation_date=reported.promulgation_date,
        )
        return sent, item

    def request_take_back(self, document_id: str, recipient: str, reason: str) -> ActionResult:
        """Send 13 to ``recipient``, if its lifecycle allows one now."""
        b = self.s.behaviour
        register = self.s.register
        with register.transaction():
            sent = self.original(document_id)
            if recipient not in sent.recipients:
                raise SutError(
                    "bad-request",
                    f"recipient={recipient!r} is not a recipient of {sent.code} "
                    f"({', '.join(sent.recipients)})",
                )
            lifecycle = self.recipient_lifecycle(sent, recipient)
            code = StatusCode.TAKE_BACK_REQUESTED
            rejection = lifecycle.check(code)
            waived = {
                TAKE_BACK_BEFORE_COMPLETE: b.take_back_after_complete,
                TAKE_BACK_ONE_AT_A_TIME: b.take_back_twice,
                NOTHING_AFTER_REFUSAL: b.take_back_after_refusal,
                WITHDRAWN_FINAL: b.take_back_after_withdrawal,
            }
            if rejection is not None and not waived.get(rejection.rule_id, False):
                raise ActionRefused("illegal-transition", rejection.message, rule=rejection.rule_id)
            if rejection is not None:  # a defect let it through: never the same bytes twice
                reason = f"{reason} (lần {len(lifecycle) + 1})"
            moment = self.s.now()
            status = build_status(
                self.s.me,
                DocumentRef(self.s.organ_id, sent.code, sent.promulgation_date, sent.document_id),
                code,
                to=recipient,
                timestamp=self.s.stamp(moment),
                description=reason,
                staff=None if b.no_staff_info else self.s.me.staff,
            )
            payload = self.s.sign(serialize(status))
            item = register.enqueue(
                "status", document_id, payload, not_before=model_seconds(moment), code=code.value
            )
            register.add_status(
                direction="sent",
                document_id=document_id,
                receiver=recipient,
                code=code.value,
                from_org=self.s.organ_id,
                to_org=recipient,
                timestamp=status.timestamp,
                at=model_seconds(moment),
                description=reason,
                outbox_id=item,
            )
            state = self.recipient_lifecycle(sent, recipient).state.value
        self.s.notify()
        return ActionResult(document_id, code, state)
