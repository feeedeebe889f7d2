"""Business flows: revoke, update and replace received and sent (BussinessDocType 1–3), and
the take-back request 13 answered with 15/16, in both directions (family FLOW, and the
sender's take-back rules of family LC)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from axis.events import EventKind
from conformance.audit import judge_window
from conformance.contract import Action, Business, DocumentRequest
from conformance.episodes import (
    TAKE_BACK_ANSWERS,
    Dispatch,
    Receipt,
    code_of,
    dispatch,
    reaches,
    receive,
    sample_attachments,
    wait_acks,
)
from conformance.errors import ActionRefused, SutError
from conformance.judge import Judge
from conformance.observe import WireMessage, stored_on
from conformance.world import Party, World
from spec.business_kinds import BusinessKind
from spec.status_codes import StatusCode

requirement = pytest.mark.requirement

ARRIVED = StatusCode.ARRIVED.value
REFUSED = StatusCode.REFUSED.value
ACCEPTED = StatusCode.ACCEPTED.value
ASKED_BACK = StatusCode.TAKE_BACK_REQUESTED.value
AGREED = StatusCode.TAKE_BACK_AGREED.value
DECLINED = StatusCode.TAKE_BACK_REFUSED.value
BUSINESS_RULES = (
    "BIZ-DOCTYPE",
    "BIZ-ORIGINAL-DOCUMENTID",
    "BIZ-REASON",
    "BIZ-UPDATE-INFO",
    "BIZ-REPLACEMENT-INFO",
    "BIZ-BLOCK-MISPLACED",
    "BIZ-PAPER",
)
TAKE_BACK_STATUS_RULES = (
    "ST-FROM",
    "ST-RESPONSEFOR",
    "ST-RESPONSEFOR-CONSISTENT",
    "ST-TIMESTAMP",
    "LC-DESCRIPTION-REQUIRED",
    "LC-SENDER-ROLE",
)
TAKE_BACK_REASON = "Văn bản ban hành chưa đúng thẩm quyền, đề nghị trả lại"


def _statuses_after(world: World, document_id: str, after: int) -> list[WireMessage]:
    return [
        m
        for m in world.observer.statuses_on(document_id, after)
        if m.sender_system == world.cast.sut.system_id
    ]


def _try_act(world: World, receipt: Receipt, action: Action) -> str:
    """Let the clerk try ``action``; returns what the SUT answered (the suite only needs to
    know that no status goes out)."""
    try:
        world.sut.act(receipt.document_id, action)
    except ActionRefused as exc:
        return f"refused it ({exc.message})"
    except SutError as exc:
        return f"answered {exc.code}"
    return "accepted it"


def _judge_no_forward(
    world: World, judge: Judge, req_id: str, receipt: Receipt, after: int, why: str
) -> None:
    world.observer.settle(world.observer.head(), world.bounds.poll_interval * 3)
    later = _statuses_after(world, receipt.document_id, after)
    judge.check(
        req_id,
        not later,
        f"{receipt.label()} {why}; afterwards the SUT sent "
        f"{[code_of(m) for m in later] or 'nothing'} on it",
        [*receipt.evidence()[:1], *(m.evidence() for m in later[:3])],
    )


@requirement("FLOW-REVOKE-RECEIVED")
def test_a_revoked_document_goes_no_further(online: World, judge: Judge) -> None:
    partner = online.cast.partners[0]
    original = receive(online, [(online.new_document(partner), partner)], settle=False)[0]
    assert original.document is not None
    revoke = online.new_document(partner, kind="revoke", original=original.document)
    notice = receive(online, [(revoke, partner)], until="ack", settle=False)[0]
    judge.check(
        "FLOW-REVOKE-RECEIVED",
        notice.first_ack("done") is not None,
        f"the revoke {notice.doc_id} was acknowledged {notice.ack_words() or 'never'}",
        notice.evidence(),
    )
    after = online.observer.head()
    answer = _try_act(online, original, Action.ACCEPT)
    _judge_no_forward(
        online,
        judge,
        "FLOW-REVOKE-RECEIVED",
        original,
        after,
        f"was revoked by its sender and the clerk then tried to accept it (the SUT {answer})",
    )


@requirement("FLOW-UPDATE-RECEIVED")
def test_an_update_is_applied_to_its_document(online: World, judge: Judge) -> None:
    partner = online.cast.partners[1]
    original = receive(online, [(online.new_document(partner), partner)], settle=False)[0]
    assert original.document is not None
    update = online.new_document(partner, kind="update", original=original.document)
    notice = receive(online, [(update, partner)], until="ack")[0]
    judge.check(
        "FLOW-UPDATE-RECEIVED",
        notice.first_ack("done") is not None,
        f"the update {notice.doc_id} was acknowledged {notice.ack_words() or 'never'}",
        notice.evidence(),
    )
    codes = [
        code_of(m) for m in _statuses_after(online, original.document_id, original.delivered.cursor)
    ]
    judge.check(
        "FLOW-UPDATE-RECEIVED",
        codes.count(ARRIVED) == 1 and REFUSED not in codes,
        f"{original.label()} and its update got {codes}; expected one {ARRIVED} and no refusal",
        original.evidence(),
    )
    after = online.observer.head()
    answer = _try_act(online, original, Action.ACCEPT)
    accepted = online.observer.wait_status(
        after, online.bounds.action, original.document_id, (ACCEPTED,)
    )
    judge.check(
        "FLOW-UPDATE-RECEIVED",
        accepted is not None,
        f"after the update the clerk accepted {original.label()} (the SUT {answer}): "
        + (f"{ACCEPTED} went out" if accepted else f"no {ACCEPTED} came"),
        original.evidence(),
    )


@requirement("FLOW-REPLACE-RECEIVED")
def test_a_replacement_withdraws_what_it_replaces(online: World, judge: Judge) -> None:
    partner = online.cast.partners[0]
    original = receive(online, [(online.new_document(partner), partner)], settle=False)[0]
    assert original.document is not None
    replacement = online.new_document(partner, kind="replace", original=original.document)
    new = receive(online, [(replacement, partner)], settle=False)[0]
    judge.check(
        "FLOW-REPLACE-RECEIVED",
        bool(new.codes) and new.codes[0] == ARRIVED,
        f"the replacement {new.label()} got {new.codes or 'no status'}; expected {ARRIVED}",
        new.evidence(),
    )
    after = online.observer.head()
    answer = _try_act(online, original, Action.ACCEPT)
    _judge_no_forward(
        online,
        judge,
        "FLOW-REPLACE-RECEIVED",
        original,
        after,
        f"was replaced by {new.document_id} and the clerk then tried to accept it "
        f"(the SUT {answer})",
    )


# -- revoke, update and replace sent ----------------------------------------------------------


def _original(world: World, partner: Party, label: str) -> Dispatch:
    return dispatch(
        world,
        DocumentRequest(
            to=(partner.organ_id,),
            subject=f"V/v thử nghiệm nghiệp vụ {label}",
            attachments=sample_attachments(world, label)[:1],
        ),
    )


SENT_FLOWS = (
    (BusinessKind.REVOKE, "FLOW-REVOKE-SENT"),
    (BusinessKind.UPDATE, "FLOW-UPDATE-SENT"),
    (BusinessKind.REPLACE, "FLOW-REPLACE-SENT"),
)


@pytest.mark.parametrize(
    ("business_kind", "req_id"),
    [pytest.param(k, r, marks=requirement(r, *BUSINESS_RULES), id=k.word) for k, r in SENT_FLOWS],
)
def test_the_sut_sends_revoke_update_and_replace(
    business_kind: BusinessKind, req_id: str, online: World, judge: Judge
) -> None:
    kind = business_kind.word
    if "business-kinds" not in online.capabilities:
        pytest.skip("the SUT does not send revoke/update/replace (capability 'business-kinds')")
    partner = online.cast.partners[1]
    since = online.observer.head()
    original = _original(online, partner, f"goc-{kind}")
    if original.edoc is None:
        judge.fail(req_id, "the original document never reached the axis", original.evidence())
        return
    business = Business(
        kind=kind,  # type: ignore[arg-type]
        original_document_id=original.document_id,
        reason=f"Thử nghiệm {kind}: văn bản có sai sót",
        document_info_changed=business_kind is BusinessKind.UPDATE,
    )
    request = DocumentRequest(
        to=(partner.organ_id,),
        subject=f"V/v thử nghiệm nghiệp vụ {kind} (văn bản mới)",
        attachments=sample_attachments(online, f"moi-{kind}")[:1],
        business=business,
    )
    after = online.observer.head()
    try:
        sent = online.sut.send_document(request)
    except SutError as exc:
        judge.fail(req_id, f"the SUT refused to {kind} its document: {exc}", original.evidence())
        return
    event = online.observer.wait(
        after,
        online.bounds.action,
        lambda e: stored_on(e, None, "edoc"),
        kind=EventKind.STORED,
        system=online.cast.sut.system_id,
    )
    message = online.observer.message(event) if event is not None else None
    doc = message.edoc if message else None
    if doc is None or message is None:
        judge.fail(req_id, f"the {kind} never reached the axis ({sent})", original.evidence())
        return
    block = doc.bussiness
    doc_type = (block.bussiness_doc_type or "").strip() if block else ""
    judge.check(
        req_id,
        doc_type == business_kind,
        f"the {kind} says BussinessDocType {doc_type or 'nothing'!r}; expected {business_kind}",
        [message.evidence()],
    )
    judge.check(
        req_id,
        sorted(doc.recipients) == [partner.organ_id],
        f"the {kind} goes to {doc.recipients}; the original went to {[partner.organ_id]}",
        [message.evidence()],
    )
    reason = (block.bussiness_doc_reason or "").strip() if block else ""
    judge.check(
        req_id, bool(reason), f"the {kind} gives the reason {reason!r}", [message.evidence()]
    )
    if business_kind is BusinessKind.REPLACE:
        replaced = [r.document_id for r in (block.replacements or ())] if block else []
        judge.check(
            req_id,
            original.document_id in replaced,
            f"the replacement names {replaced} in ReplacementInfo; expected "
            f"{original.document_id!r}",
            [message.evidence()],
        )
    else:
        named = (block.document_id or "").strip() if block else ""
        judge.check(
            req_id,
            named == original.document_id,
            f"the {kind} names {named!r} in Bussiness/DocumentId; expected "
            f"{original.document_id!r}",
            [message.evidence()],
        )
    errors = [f for f in message.findings if f.severity.value == "error"]
    judge.check(
        req_id,
        not errors,
        f"the {kind} has {len(errors)} error-level finding(s)"
        + (f", first {errors[0].req_id}: {errors[0].message}" if errors else ""),
        [message.evidence()],
    )
    judge_window(online, judge, since)


# -- take-back received -------------------------------------------------------------------------


@dataclass
class TakeBacks:
    """Two documents the SUT received, each asked back (13) by its sender; the clerk agreed
    for ``agreed`` and refused for ``refused``."""

    agreed: Receipt
    refused: Receipt
    answers: dict[str, list[WireMessage]]
    errors: dict[str, str]
    after_answers: int
    start: int


@pytest.fixture(scope="module")
def take_backs(online: World) -> TakeBacks:
    if "take-back" not in online.capabilities:
        pytest.skip("the SUT does not answer take-backs (capability 'take-back')")
    partner = online.cast.partners[0]
    since = online.observer.head()
    agreed, refused = receive(
        online, [(online.new_document(partner), partner) for _ in range(2)], settle=False
    )
    after = online.observer.head()
    requests = []
    for receipt in (agreed, refused):
        assert receipt.document is not None
        request = online.take_back_request(receipt.document, online.cast.sut, TAKE_BACK_REASON)
        requests.append(online.deliver(request, partner))
    wait_acks(online, [r.doc_id for r in requests], after, online.bounds.transport * 2)
    answers: dict[str, list[WireMessage]] = {}
    errors: dict[str, str] = {}
    start = online.observer.head()
    for receipt, agree in ((agreed, True), (refused, False)):
        reason = None if agree else "Văn bản đã được phân công xử lý, không thể trả lại"
        try:
            online.sut.answer_take_back(receipt.document_id, partner.organ_id, agree, reason)
        except SutError as exc:
            errors[receipt.document_id] = str(exc)
            continue
        online.observer.wait_status(
            start, online.bounds.action, receipt.document_id, (AGREED if agree else DECLINED,)
        )
    online.observer.settle(online.observer.head(), online.bounds.poll_interval * 3)
    for receipt in (agreed, refused):
        answers[receipt.document_id] = [
            m
            for m in _statuses_after(online, receipt.document_id, start)
            if code_of(m) in TAKE_BACK_ANSWERS
        ]
    return TakeBacks(agreed, refused, answers, errors, online.observer.head(), since)


@requirement(
    "FLOW-TAKE-BACK-ANSWERED",
    "LC-TAKE-BACK-ANSWER-ONCE",
    "LC-ANSWER-NEEDS-REQUEST",
    "LC-DESCRIPTION-REQUIRED",
)
def test_a_take_back_request_is_answered_once(
    take_backs: TakeBacks, online: World, judge: Judge
) -> None:
    for receipt, expected in ((take_backs.agreed, AGREED), (take_backs.refused, DECLINED)):
        error = take_backs.errors.get(receipt.document_id)
        answers = take_backs.answers[receipt.document_id]
        codes = [code_of(m) for m in answers]
        judge.check(
            "FLOW-TAKE-BACK-ANSWERED",
            error is None and codes == [expected],
            f"the clerk answered the take-back of {receipt.label()} "
            + (
                f"but the SUT refused: {error}"
                if error
                else f"and the SUT sent {codes or 'nothing'}"
            )
            + f"; expected exactly one {expected}",
            [*receipt.evidence()[:1], *(m.evidence() for m in answers[:3])],
        )
        if expected == DECLINED and answers:
            status = answers[0].status
            reason = (status.description or "").strip() if status else ""
            judge.check(
                "FLOW-TAKE-BACK-ANSWERED",
                bool(reason),
                f"the refusal ({DECLINED}) of the take-back gives the reason {reason!r}",
                [answers[0].evidence()],
            )
    judge_window(online, judge, take_backs.start)


@requirement("FLOW-TAKE-BACK-WITHDRAWN", "LC-WITHDRAWN-FINAL")
def test_nothing_goes_forward_after_an_agreed_take_back(
    take_backs: TakeBacks, online: World, judge: Judge
) -> None:
    receipt = take_backs.agreed
    if not take_backs.answers[receipt.document_id]:
        pytest.skip("the SUT never agreed to the take-back, so withdrawal cannot be judged")
    answers = [_try_act(online, receipt, a) for a in (Action.ACCEPT, Action.PROCESS)]
    online.observer.settle(online.observer.head(), online.bounds.poll_interval * 3)
    later = _statuses_after(online, receipt.document_id, take_backs.after_answers)
    judge.check(
        "FLOW-TAKE-BACK-WITHDRAWN",
        not later,
        f"{receipt.label()} was withdrawn ({AGREED}); the clerk then tried to accept and process it "
        f"(the SUT {answers[0]}, {answers[1]}) and the SUT sent "
        f"{[code_of(m) for m in later] or 'nothing'}",
        [*receipt.evidence()[:1], *(m.evidence() for m in later[:3])],
    )
    judge_window(online, judge, take_backs.after_answers)


# -- take-back requested by the SUT -------------------------------------------------------------


def _sent_and_answered(world: World, label: str, codes: tuple[str, ...]) -> Dispatch:
    """A document the SUT sends to the first partner, who answers with ``codes``."""
    partner = world.cast.partners[0]
    sent = _original(world, partner, label)
    if sent.edoc is None or not reaches(sent, partner):
        return sent  # the partner never got it: nothing to answer (SND-RECIPIENTS judges it)
    after = world.observer.head()
    replies = [world.deliver(world.status_from(partner, sent.edoc, c), partner) for c in codes]
    wait_acks(world, [r.doc_id for r in replies], after, world.bounds.transport * 2)
    return sent


@requirement("FLOW-TAKE-BACK-REQUESTED", *TAKE_BACK_STATUS_RULES)
def test_the_sut_asks_to_take_a_document_back(online: World, judge: Judge) -> None:
    if "take-back" not in online.capabilities:
        pytest.skip("the SUT does not do take-backs (capability 'take-back')")
    since = online.observer.head()
    partner = online.cast.partners[0]
    sent = _sent_and_answered(online, "lay-lai", (ARRIVED,))
    if sent.edoc is None or not reaches(sent, partner):
        judge.fail(
            "FLOW-TAKE-BACK-REQUESTED",
            f"the document the SUT was asked to send to {partner.organ_id} "
            + (
                "never reached the axis"
                if sent.edoc is None
                else f"names To {sent.edoc.recipients} and was delivered to "
                f"{sorted(sent.message.deliveries) if sent.message else []}: it never reached "
                f"{partner.organ_id}, so there is nothing to take back"
            ),
            sent.evidence(),
        )
        return
    after = online.observer.head()
    try:
        online.sut.request_take_back(sent.document_id, partner.organ_id, TAKE_BACK_REASON)
    except SutError as exc:
        judge.fail("FLOW-TAKE-BACK-REQUESTED", f"the SUT refused to ask: {exc}", sent.evidence())
        return
    message = online.observer.wait_status(
        after, online.bounds.action, sent.document_id, (ASKED_BACK,)
    )
    status = message.status if message else None
    if message is None or status is None:
        judge.fail(
            "FLOW-TAKE-BACK-REQUESTED",
            f"no {ASKED_BACK} on {sent.document_id} came within {online.clock.span(online.bounds.action)}",
            sent.evidence(),
        )
        return
    rf = status.response_for
    header = sent.edoc.header
    code = header.code
    checks = {
        "From/OrganId": ((status.sender or ""), online.cast.sut.organ_id),
        "ResponseFor/OrganId": ((rf.organ_id or "").strip() if rf else "", partner.organ_id),
        "ResponseFor/DocumentId": ((rf.document_id or "").strip() if rf else "", sent.document_id),
        "ResponseFor/Code": (
            (rf.code or "").strip() if rf else "",
            f"{code.code_number}/{code.code_notation}" if code else "",
        ),
    }
    for what, (got, wanted) in checks.items():
        judge.check(
            "FLOW-TAKE-BACK-REQUESTED",
            got == wanted,
            f"the {ASKED_BACK} has {what} {got!r}; expected {wanted!r}",
            [message.evidence()],
        )
    judge.check(
        "FLOW-TAKE-BACK-REQUESTED",
        bool((status.description or "").strip()),
        f"the {ASKED_BACK} gives the reason {status.description!r}",
        [message.evidence()],
    )
    judge.check(
        "FLOW-TAKE-BACK-REQUESTED",
        set(message.deliveries) == {partner.system_id},
        f"the {ASKED_BACK} was delivered to {sorted(message.deliveries)}; expected {partner.system_id}",
        [message.evidence()],
    )
    start = online.observer.head()
    agreed = online.deliver(
        online.status_from(partner, sent.edoc, AGREED, "Đồng ý trả lại"), partner
    )
    read = wait_acks(online, [agreed.doc_id], start, online.bounds.transport * 2)
    judge.check(
        "FLOW-TAKE-BACK-REQUESTED",
        read and bool(online.observer.acks(agreed.doc_id, start)),
        f"the partner's {AGREED} ({agreed.doc_id}) was "
        + ("read and acknowledged" if read else "never acknowledged by the SUT"),
        sent.evidence(),
    )
    judge_window(online, judge, since)
