"""Sending: the documents the SUT issues reach exactly their recipients with what the clerk
entered, and the SUT reads the statuses that come back (family SND, TR-POLL-STATUS). The
format of every document it sends is judged by the audit (test_audit.py)."""

from __future__ import annotations

import base64
import binascii

import pytest

from conformance.audit import DOCUMENT_RULES, judge_window
from conformance.contract import DocumentRequest
from conformance.episodes import Sending, dispatch, misleading_attachments
from conformance.judge import Judge
from conformance.world import World
from spec.document_id import parse_document_id
from spec.filetypes import identify, label_problem

requirement = pytest.mark.requirement


@requirement("SND-RECIPIENTS")
def test_documents_reach_exactly_their_recipients(
    sending: Sending, online: World, judge: Judge
) -> None:
    for sent in sending.dispatches:
        asked = list(sent.request.to)
        if sent.message is None or sent.edoc is None:
            judge.fail(
                "SND-RECIPIENTS",
                f"the document to {asked} never reached the axis as an edXML document",
                sent.evidence(),
            )
            continue
        to = sent.edoc.recipients
        judge.check(
            "SND-RECIPIENTS",
            sorted(to) == sorted(asked) and len(to) == len(set(to)),
            f"the document for {asked} names To {to}",
            sent.evidence(),
        )
        systems = {p.system_id for p in (online.cast.by_organ(o) for o in asked) if p}
        judge.check(
            "SND-RECIPIENTS",
            set(sent.message.deliveries) == systems,
            f"the document for {asked} was delivered to systems {sorted(sent.message.deliveries)}"
            f"; expected {sorted(systems)}",
            sent.evidence(),
        )


@requirement(*DOCUMENT_RULES)
def test_sent_documents_pass_the_validator(sending: Sending, online: World, judge: Judge) -> None:
    judge_window(online, judge, sending.start)


@requirement("SND-CONTENT")
def test_documents_carry_what_the_clerk_entered(
    sending: Sending, online: World, judge: Judge
) -> None:
    for sent in sending.dispatches:
        doc = sent.edoc
        if doc is None:
            judge.fail("SND-CONTENT", "the document never reached the axis", sent.evidence())
            continue
        request = sent.request
        judge.check(
            "SND-CONTENT",
            (doc.header.subject or "").strip() == request.subject,
            f"Subject {doc.header.subject!r}; the clerk entered {request.subject!r}",
            sent.evidence(),
        )
        files = {}
        for attachment in doc.attachments:
            try:
                content = base64.b64decode(attachment.content_transfer_encoded or "")
            except (binascii.Error, ValueError):
                content = b""
            files[(attachment.attachment_name or "").strip()] = content
        wanted = {a.name: a.content for a in request.attachments}
        judge.check(
            "SND-CONTENT",
            files == wanted,
            f"attachments {sorted(files)} with the clerk's bytes: "
            f"{all(files.get(n) == c for n, c in wanted.items())}; expected {sorted(wanted)}",
            sent.evidence(),
        )
        try:
            issuer = parse_document_id(doc.header.document_id or "").issuer
        except ValueError as exc:
            issuer = f"unreadable ({exc})"
        answered = sent.sent.document_id if sent.sent else ""
        judge.check(
            "SND-CONTENT",
            issuer == online.cast.sut.organ_id and (doc.header.document_id or "") == answered,
            f"the document on the wire carries DocumentId {doc.header.document_id!r} (issuer "
            f"{issuer}); the SUT answered the clerk that it issued {answered!r}, and its agency "
            f"is {online.cast.sut.organ_id}",
            sent.evidence(),
        )


@requirement("ATT-CONTENT-TYPE")
def test_attachments_are_labelled_by_their_bytes(online: World, judge: Judge) -> None:
    partner = online.cast.partners[0]
    files = misleading_attachments(online)
    sent = dispatch(
        online,
        DocumentRequest(
            to=(partner.organ_id,),
            subject="V/v thử nghiệm nhận dạng tệp đính kèm theo nội dung",
            attachments=tuple(a for _, a in files),
        ),
    )
    doc = sent.edoc
    if doc is None:
        judge.fail(
            "ATT-CONTENT-TYPE",
            "the document with the attachments to label never reached the axis",
            sent.evidence(),
        )
        return
    on_wire = {(a.attachment_name or "").strip(): a for a in doc.attachments}
    for what, asked in files:
        attachment = on_wire.get(asked.name)
        if attachment is None:
            judge.fail(
                "ATT-CONTENT-TYPE",
                f"{what} ({asked.name!r}) is not among the attachments {sorted(on_wire)}",
                sent.evidence(),
            )
            continue
        label = (attachment.content_type or "").strip()
        problem = label_problem(asked.content, label) if label else "it has no ContentType"
        kind = identify(asked.content)
        right = kind.media_type if kind else "a label that names no other type (text/plain)"
        judge.check(
            "ATT-CONTENT-TYPE",
            problem is None,
            f"{what} ({asked.name!r}): "
            + (
                f"{problem}; expected {right}"
                if problem
                else f"labelled {label!r}, which fits its bytes"
            ),
            sent.evidence(),
        )


@requirement("SND-READS-STATUSES")
def test_statuses_on_sent_documents_are_read_and_acknowledged(
    sending: Sending, online: World, judge: Judge
) -> None:
    if not sending.replies:
        judge.fail("SND-READS-STATUSES", "no document of the SUT reached the partners to answer")
    bound = online.bounds.transport
    for reply in sending.replies:
        done = reply.first_ack("done")
        if done is None or not reply.downloads or reply.listed is None:
            judge.fail(
                "SND-READS-STATUSES",
                f"the partner's status {reply.doc_id} on {reply.document_id} was downloaded "
                f"{len(reply.downloads)} time(s) and acknowledged {reply.ack_words() or 'never'}",
                reply.evidence(),
            )
            continue
        took = online.clock.model((done.at - reply.listed.at).total_seconds())
        judge.check(
            "SND-READS-STATUSES",
            took <= bound,
            f"status {reply.doc_id} read and acknowledged done {online.clock.span(took)} after it was "
            f"listed (bound {online.clock.span(bound)})",
            reply.evidence(),
        )


@requirement("TR-POLL-STATUS")
def test_statuses_are_listed_within_the_poll_interval(
    sending: Sending, online: World, judge: Judge
) -> None:
    if not sending.replies:
        judge.fail("TR-POLL-STATUS", "no status could be sent to the SUT to list")
    bound = online.bounds.poll_interval
    for reply in sending.replies:
        if reply.listed is None or reply.stored is None:
            judge.fail(
                "TR-POLL-STATUS",
                f"status {reply.doc_id} was never listed by the SUT",
                reply.evidence(),
            )
            continue
        took = online.clock.model((reply.listed.at - reply.stored.at).total_seconds())
        judge.check(
            "TR-POLL-STATUS",
            took <= bound,
            f"status {reply.doc_id} listed {online.clock.span(took)} after it was stored "
            f"(bound {online.clock.span(bound)})",
            reply.evidence(),
        )


@requirement("SND-STATUS-RECORDED")
def test_the_sender_records_where_its_document_stands(
    sending: Sending, online: World, judge: Judge
) -> None:
    if "registered" not in online.capabilities:
        pytest.skip("the SUT does not offer its register (capability 'registered')")
    sent = sending.single
    if not sent.document_id:
        judge.fail("SND-STATUS-RECORDED", "the SUT sent no document", sent.evidence())
        return
    registered = online.sut.document(sent.document_id)
    states = {r.organ_id: r.state for r in registered.recipient_states}
    partner = online.cast.partners[0].organ_id
    judge.check(
        "SND-STATUS-RECORDED",
        states.get(partner) == "accepted",
        f"after {partner} reported 01 and 03, the SUT shows its document there as "
        f"{states.get(partner)!r}",
        sent.evidence(),
    )
