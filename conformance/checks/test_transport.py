"""Transport: the SUT polls, downloads, acknowledges after storing, fails what it cannot read
and de-duplicates redelivered messages (family TR)."""

from __future__ import annotations

import dataclasses

import pytest

from conformance.contract import Action
from conformance.episodes import (
    FIRST_REPORT,
    Receipt,
    code_of,
    collect_receipts,
    receive,
    wait_acks,
)
from conformance.errors import SutError
from conformance.judge import Judge
from conformance.observe import listed_docs
from conformance.world import World
from spec.model import TraceHeader
from spec.status_codes import StatusCode

requirement = pytest.mark.requirement

NOT_XML = b"%PDF-1.4 this is not an edXML message\n"
HOSTILE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&b;</edXML>\n'
)


@requirement("TR-POLL-EDOC")
def test_documents_are_listed_within_the_poll_interval(
    arrival: list[Receipt], online: World, judge: Judge
) -> None:
    bound = online.bounds.poll_interval
    for receipt in arrival:
        if receipt.listed is None or receipt.stored is None:
            judge.fail(
                "TR-POLL-EDOC",
                f"{receipt.label()} was {receipt.seen()}; expected a listing within "
                f"{online.clock.span(bound)} of its delivery",
                receipt.evidence(),
            )
            continue
        took = online.clock.model((receipt.listed.at - receipt.stored.at).total_seconds())
        judge.check(
            "TR-POLL-EDOC",
            took <= bound,
            f"{receipt.label()} listed {online.clock.span(took)} after it was stored "
            f"(bound {online.clock.span(bound)})",
            receipt.evidence(),
        )


@requirement("TR-DOWNLOAD")
def test_listed_documents_are_downloaded(
    arrival: list[Receipt], online: World, judge: Judge
) -> None:
    bound = online.bounds.transport
    for receipt in arrival:
        if not receipt.downloads or receipt.listed is None:
            judge.fail(
                "TR-DOWNLOAD",
                f"{receipt.label()} was {receipt.seen()}; expected the SUT to list it and "
                f"download it within {online.clock.span(bound)}",
                receipt.evidence(),
            )
            continue
        took = online.clock.model((receipt.downloads[0].at - receipt.listed.at).total_seconds())
        judge.check(
            "TR-DOWNLOAD",
            took <= bound,
            f"{receipt.label()} downloaded {online.clock.span(took)} after it was listed "
            f"(bound {online.clock.span(bound)})",
            receipt.evidence(),
        )


@requirement("TR-ACK-DONE")
def test_stored_documents_are_acknowledged_done(
    arrival: list[Receipt], online: World, judge: Judge
) -> None:
    bound = online.bounds.transport
    for receipt in arrival:
        done = receipt.first_ack("done")
        if done is None:
            judge.fail(
                "TR-ACK-DONE",
                f"{receipt.label()} was {receipt.seen()}: never acknowledged done, so the axis "
                "keeps listing it; expected updateStatus done once it is stored",
                receipt.evidence(),
            )
            continue
        # From the download (or, if the SUT never downloaded it, from its listing: that is
        # TR-DOWNLOAD's and TR-ACK-AFTER-STORE's failure, not this one's).
        since = receipt.downloads[0] if receipt.downloads else receipt.listed
        if since is None:
            judge.passed("TR-ACK-DONE", f"{receipt.label()} was {receipt.seen()}")
            continue
        took = online.clock.model((done.at - since.at).total_seconds())
        judge.check(
            "TR-ACK-DONE",
            took <= bound,
            f"{receipt.label()} was acknowledged done (#{done.seq}) {online.clock.span(took)} "
            f"after its {'download' if receipt.downloads else 'listing'} (#{since.seq}); bound "
            f"{online.clock.span(bound)}",
            receipt.evidence(),
        )


@requirement("TR-ACK-AFTER-STORE")
def test_a_document_acknowledged_done_is_stored(fresh: World, judge: Judge) -> None:
    """The done ack follows the download, and the acknowledged document is in the SUT's
    care: the clerk can accept it and its 03 goes out."""
    partner = fresh.cast.partners[0]
    receipt = receive(fresh, [(fresh.new_document(partner), partner)])[0]
    done = receipt.first_ack("done")
    if done is None:
        judge.fail(
            "TR-ACK-AFTER-STORE",
            f"{receipt.label()} was never acknowledged done, so what it stored cannot be judged",
            receipt.evidence(),
        )
        return
    first_download = receipt.downloads[0] if receipt.downloads else None
    judge.check(
        "TR-ACK-AFTER-STORE",
        first_download is not None and first_download.seq < done.seq,
        f"{receipt.label()} acknowledged done at #{done.seq}, "
        + (
            f"after its download at #{first_download.seq}"
            if first_download
            else "without ever downloading it"
        ),
        receipt.evidence(),
    )
    after = fresh.observer.head()
    try:
        fresh.sut.act(receipt.document_id, Action.ACCEPT)
    except SutError as exc:
        judge.fail(
            "TR-ACK-AFTER-STORE",
            f"{receipt.label()} was acknowledged done, but the SUT does not hold it: accepting "
            f"it failed ({exc})",
            receipt.evidence(),
        )
        return
    code = StatusCode.ACCEPTED.value
    accepted = fresh.observer.wait_status(after, fresh.bounds.action, receipt.document_id, (code,))
    judge.check(
        "TR-ACK-AFTER-STORE",
        accepted is not None,
        f"{receipt.label()} was acknowledged done and the clerk accepted it: "
        + (
            f"its {code} went out"
            if accepted
            else f"no {code} came, the document is not in the SUT's care"
        ),
        receipt.evidence(),
    )


@requirement("TR-ACK-FAIL-UNREADABLE")
def test_unreadable_messages_are_acknowledged_fail(fresh: World, judge: Judge) -> None:
    partner = fresh.cast.partners[0]
    sut = fresh.cast.sut.organ_id
    after = fresh.observer.head()
    junk = [
        fresh.deliver_bytes(NOT_XML, partner, [sut]),
        fresh.deliver_bytes(HOSTILE, partner, [sut]),
    ]
    receipts = [Receipt(d, partner, None) for d in junk]
    wait_acks(fresh, [d.doc_id for d in junk], after, fresh.bounds.transport * 2)
    fresh.observer.settle(fresh.observer.head(), fresh.bounds.poll_interval * 3)
    collect_receipts(fresh, receipts, after)
    statuses = fresh.observer.sut_messages(after, "status")
    for receipt, what in zip(receipts, ("bytes that are not XML", "XML with a DTD"), strict=True):
        words = receipt.ack_words()
        judge.check(
            "TR-ACK-FAIL-UNREADABLE",
            "fail" in words and "done" not in words,
            f"{what} ({receipt.doc_id}) acknowledged {words or 'never'}; expected fail, never done",
            receipt.evidence(),
        )
    judge.check(
        "TR-ACK-FAIL-UNREADABLE",
        not statuses,
        f"the SUT sent {len(statuses)} status(es) while handling unreadable input",
        [s.evidence() for s in statuses[:3]],
    )


@requirement("TR-FAIL-NOT-LOST")
def test_readable_documents_are_never_failed(
    arrival: list[Receipt], online: World, judge: Judge
) -> None:
    for receipt in arrival:
        words = receipt.ack_words()
        reported = [c for c in receipt.codes if c in FIRST_REPORT]
        judge.check(
            "TR-FAIL-NOT-LOST",
            "fail" not in words and "done" in words and bool(reported),
            f"{receipt.label()}, a valid document, was acknowledged {words or 'never'} and "
            f"reported {receipt.codes or 'nothing'}; expected done and 01 or 02, never fail",
            receipt.evidence(),
        )


@requirement("TR-DEDUPE-DOCID")
def test_a_message_listed_again_is_processed_once(calm: World, judge: Judge) -> None:
    """The SUT's acks of the document are lost (5xx on updateStatus, aimed at that document
    only), so the axis lists it again under the same docId: the SUT acknowledges it again but
    reports it once."""
    partner = calm.cast.partners[1]
    document = calm.new_document(partner)
    calm.set_faults(
        [{"id": "lost-acks", "kind": "error", "operation": "updateStatus", "next": 6}],
        document_id=document.header.document_id,
    )
    receipt = receive(calm, [(document, partner)], settle=False)[0]
    after = receipt.delivered.cursor
    wait_acks(calm, [receipt.doc_id], calm.observer.head(), calm.bounds.transport * 3)
    calm.clear_faults()
    calm.observer.settle(calm.observer.head(), calm.bounds.poll_interval * 3)
    collect_receipts(calm, [receipt], after)
    listings = [
        e
        for e in calm.observer.sut_responses(after, "getReceivedEdocList")
        if receipt.doc_id in listed_docs(e)
    ]
    lost = calm.observer.refused(after, "lost-acks")
    if not judge.check(
        "TR-DEDUPE-DOCID",
        bool(lost) and len(listings) >= 2,
        f"{receipt.label()} was listed {len(listings)} time(s) for the SUT, {len(lost)} of its "
        f"acks were lost ({receipt.seen()}); the axis lists a message again only after the SUT "
        "has listed it and its ack was lost",
        receipt.evidence(),
    ):
        return
    arrived = [c for c in receipt.codes if c == StatusCode.ARRIVED.value]
    judge.check(
        "TR-DEDUPE-DOCID",
        len(arrived) == 1,
        f"{receipt.label()} was listed {len(listings)} times ({len(lost)} lost ack(s)) and "
        f"reported {StatusCode.ARRIVED} {len(arrived)} time(s) (codes: {receipt.codes or 'none'}); expected once",
        receipt.evidence(),
    )
    judge.check(
        "TR-DEDUPE-DOCID",
        receipt.first_ack("done") is not None,
        f"{receipt.label()} acknowledged {receipt.ack_words() or 'never'} after its lost acks; "
        "expected done once the axis answered",
        receipt.evidence(),
    )


@requirement("TR-DEDUPE-DOCUMENTID")
def test_a_document_resent_under_a_new_docid_is_recognised(fresh: World, judge: Judge) -> None:
    partner = fresh.cast.partners[0]
    original = fresh.new_document(partner)
    first = receive(fresh, [(original, partner)], settle=False)[0]
    again = dataclasses.replace(
        original,
        trace_headers=[
            TraceHeader(partner.organ_id, fresh.clock.timestamp()),
            *original.trace_headers,
        ],
    )
    second = receive(fresh, [(again, partner)], until="ack")[0]
    collect_receipts(fresh, [first], first.delivered.cursor)
    arrived = [s for s in first.statuses if code_of(s) == StatusCode.ARRIVED.value]
    judge.check(
        "TR-DEDUPE-DOCUMENTID",
        second.doc_id != first.doc_id and second.first_ack("done") is not None,
        f"the re-sent document ({second.doc_id}, same DocumentId as {first.doc_id}) was "
        f"acknowledged {second.ack_words() or 'never'}; expected done",
        second.evidence(),
    )
    judge.check(
        "TR-DEDUPE-DOCUMENTID",
        len(arrived) == 1,
        f"DocumentId {first.document_id!r} arrived twice (docIds {first.doc_id} and "
        f"{second.doc_id}) and got {StatusCode.ARRIVED} {len(arrived)} times; expected once",
        [*first.evidence(), *second.evidence()],
    )
