"""Episodes shared by several conformance modules: costly scenarios run once per session and
judged by many small tests."""

from __future__ import annotations

import pytest

from conformance.contract import DocumentRequest
from conformance.episodes import (
    Receipt,
    Sending,
    collect_receipts,
    dispatch,
    reaches,
    receive,
    sample_attachments,
    wait_acks,
)
from conformance.world import World
from spec.status_codes import StatusCode


@pytest.fixture
def calm(fresh: World) -> World:
    """The world once the SUT's inbox is quiet (it lists nothing it has not acknowledged), so
    a robustness test's faults and counts meet only the messages of that test; a SUT that
    never gets there (it does not acknowledge) is tested after two poll intervals anyway."""
    fresh.observer.quiet(fresh.started_cursor, fresh.bounds.poll_interval * 2)
    return fresh


@pytest.fixture(scope="session")
def arrival(online: World) -> list[Receipt]:
    """Two valid documents, one from each partner, delivered to the SUT, with what it did."""
    partners = online.cast.partners
    return receive(online, [(online.new_document(p), p) for p in partners])


@pytest.fixture(scope="session")
def sending(online: World) -> Sending:
    a, b = online.cast.partners
    start = online.observer.head()
    single = dispatch(
        online,
        DocumentRequest(
            to=(a.organ_id,),
            subject="V/v thử nghiệm liên thông văn bản: gửi một nơi nhận",
            attachments=sample_attachments(online, "mot"),
        ),
    )
    multiple = dispatch(
        online,
        DocumentRequest(
            to=(a.organ_id, b.organ_id),
            subject="V/v thử nghiệm liên thông văn bản: gửi nhiều nơi nhận",
            attachments=sample_attachments(online, "nhieu"),
            content="Đề nghị các cơ quan phối hợp thực hiện.",
        ),
    )
    after = online.observer.head()
    replies = []
    for sent, partners in ((single, (a,)), (multiple, (a, b))):
        for partner in partners:
            if not reaches(sent, partner) or sent.edoc is None:
                continue  # SND-RECIPIENTS judges where the document went
            for code in (StatusCode.ARRIVED.value, StatusCode.ACCEPTED.value):
                status = online.status_from(partner, sent.edoc, code)
                replies.append(Receipt(online.deliver(status, partner), partner, None))
    bounds = online.bounds
    wait_acks(online, [r.doc_id for r in replies], after, bounds.transport + bounds.poll_interval)
    online.observer.settle(online.observer.head(), bounds.poll_interval * 3)
    collect_receipts(online, replies, after)
    return Sending(single, multiple, replies, start)
