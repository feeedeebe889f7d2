"""The reference SUT against a real fake axis: what it does on the wire when honest, and what
each behaviour toggle changes there (the suite's mutants rely on every one of them).

Every test judges the SUT as the suite does, by the axis transcript. Waiting is on transcript
events (the admin long-poll), never on sleeps: "nothing happened" is shown by waiting for the
SUT's next polling cycle, which comes after everything the earlier cycle would have sent.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from axis import AxisConfig, running_axis
from axis.events import Event, Recipient, StoredEvent
from conformance import contract
from conformance.adapters import HttpAdapter, ReferenceAdapter, make_configuration
from conformance.contract import ACTION_STATUS, Action, Attachment, Business, DocumentRequest
from conformance.errors import ActionRefused, SutError, UnknownDocument
from conformance.reference import (
    DEFECTS,
    Behaviour,
    ReferenceSut,
    RetryPolicy,
    running_reference,
)
from conformance.reference.__main__ import main as reference_main
from conformance.reference.behaviour import defect_name
from conformance.reference.documents import sniff_content_type
from fixtures.agencies import Agency, lookup
from fixtures.factory import DocumentFactory, docx_bytes, pdf_bytes, zip_bytes
from spec import model, parse, serialize
from spec.clock import vietnam_today, wall_time
from spec.filetypes import DOCX
from spec.findings import errors as error_findings
from spec.lifecycle import check_sequence
from spec.rules.checker import Options
from spec.signature import sign, verify
from spec.status_codes import StatusCode
from spec.testca import TestCA
from spec.validator import check

SUT_SYSTEM, SUT_ORG = "00.41.W00", "000.00.00.H41"
PEER_SYSTEM, PEER_ORG = "02.22.W00", "000.00.00.G22"
THIRD_SYSTEM, THIRD_ORG = "00.14.W00", "000.00.00.H14"
FAST = RetryPolicy(attempts=3, base=0.02, cap=0.1)
POLL = 0.02  # model seconds between polls; the SUT's clock runs at real time here
WAIT = 15.0  # real seconds before a wait on the transcript gives up


def _agency(organ_id: str) -> Agency:
    agency = lookup(organ_id)
    assert agency is not None, organ_id
    return agency


@pytest.fixture(scope="module")
def axis() -> Iterator[Any]:
    with running_axis(AxisConfig()) as running:
        yield running


class World:
    """One test's view: the axis (reset), the peers that talk to the SUT, the factory, and
    the transcript since the test began."""

    def __init__(self, axis: Any) -> None:
        self.axis = axis
        self.admin = axis.admin()
        self.cursor = self.admin.reset()
        self.today = vietnam_today()
        self.factory = DocumentFactory(seed=7, today=self.today)
        self.clients = {s: axis.client(s) for s in (PEER_SYSTEM, THIRD_SYSTEM)}
        self.adapters: list[ReferenceAdapter] = []

    def close(self) -> None:
        for adapter in self.adapters:
            adapter.close()
        for client in self.clients.values():
            client.close()
        self.admin.clear_faults()
        self.admin.close()

    # -- the SUT ---------------------------------------------------------------------------

    def reference(self, behaviour: Behaviour | None = None, **configure: Any) -> ReferenceAdapter:
        adapter = ReferenceAdapter(behaviour, retry=FAST, axis_timeout=5)
        self.adapters.append(adapter)
        adapter.configure(
            make_configuration(
                self.axis.url,
                SUT_SYSTEM,
                self.axis.systems[SUT_SYSTEM],
                SUT_ORG,
                poll_interval=POLL,
                **configure,
            )
        )
        return adapter

    # -- the peers -------------------------------------------------------------------------

    def edoc(
        self, to: tuple[str, ...] = (SUT_ORG,), sender: str = PEER_ORG, **kwargs: Any
    ) -> model.Edoc:
        return self.factory.edoc(_agency(sender), [_agency(code) for code in to], **kwargs)

    def deliver(
        self, message: model.Message | bytes, *, system: str = PEER_SYSTEM, to: tuple[str, ...] = ()
    ) -> str:
        data = message if isinstance(message, bytes) else serialize(message)
        kind = "edoc" if isinstance(message, bytes | model.Edoc) else "status"
        return self.clients[system].send_edoc(data, kind, list(to) or None)

    def at(self) -> datetime:
        return wall_time()

    # -- the transcript --------------------------------------------------------------------

    def wait(
        self,
        predicate: Callable[[Any], bool],
        *,
        after: int | None = None,
        **filters: str,
    ) -> Event:
        """The first event after ``after`` (default: the test's start) matching ``filters`` and
        ``predicate``."""
        cursor = self.cursor if after is None else after
        deadline = time.monotonic() + WAIT
        while (remaining := deadline - time.monotonic()) > 0:
            event = self.admin.wait_for(cursor, timeout=min(remaining, 10), **filters)
            if event is None:
                continue
            if predicate(event.body):
                return event
            cursor = event.seq
        raise AssertionError(f"no event {filters} matching the predicate within {WAIT} s")

    def stored(
        self, code: str | None = None, *, after: int | None = None, kind: str = "status"
    ) -> Event:
        """The SUT's next stored message (a status with ``code``, or an edoc)."""
        return self.wait(
            lambda d: d.messagetype == kind and (code is None or d.status_code == code),
            after=after,
            kind="stored",
            system=SUT_SYSTEM,
        )

    def acked(self, doc_id: str, word: str = "done") -> Event:
        return self.wait(
            lambda d: d.status == word, kind="delivery", system=SUT_SYSTEM, doc_id=doc_id
        )

    def next_cycle(self, after: int) -> int:
        """The seq of the SUT's next inbox listing after ``after``: everything the earlier
        cycle was going to send has been sent by then."""
        event = self.wait(
            lambda d: d.messagetype == "edoc",
            after=after,
            kind="call",
            system=SUT_SYSTEM,
            op="getReceivedEdocList",
        )
        return event.seq

    def events(
        self, kind: str, *, after: int | None = None, until: int | None = None, **filters: str
    ) -> list[Event]:
        found, _ = self.admin.events(
            self.cursor if after is None else after, kind=kind, limit=5000, **filters
        )
        return [e for e in found if until is None or e.seq <= until]

    def statuses_sent(self, *, until: int | None = None) -> list[str]:
        stored = self.events("stored", system=SUT_SYSTEM, until=until)
        return [
            e.body.status_code
            for e in stored
            if isinstance(e.body, StoredEvent) and e.body.messagetype == "status"
        ]

    def body(self, doc_id: str) -> bytes:
        data = self.axis.app.store.mailbox.body(doc_id)
        assert data is not None, doc_id
        return data

    def message(self, event: Event) -> model.Message:
        return parse(self.body(event.doc_id)).message

    def findings(self, event: Event, **options: Any) -> list[str]:
        parsed = check(self.body(event.doc_id), Options(today=self.today, **options))
        return [f.req_id for f in error_findings(parsed.findings)]

    def quiet(self, after: int, cycles: int = 2) -> int:
        """Wait for ``cycles`` further polling cycles after ``after``; returns the last seq."""
        for _ in range(cycles):
            after = self.next_cycle(after)
        return after


@pytest.fixture
def world(axis: Any) -> Iterator[World]:
    w = World(axis)
    try:
        yield w
    finally:
        w.close()


def _arrived(world: World, sut: ReferenceAdapter, **kwargs: Any) -> tuple[model.Edoc, str, Event]:
    """Deliver a new document to the SUT and wait for its 01."""
    doc = world.edoc(**kwargs)
    doc_id = world.deliver(doc)
    return doc, doc_id, world.stored("01")


def _take_back(world: World, doc: model.Edoc) -> str:
    """The peer asks the SUT to give ``doc`` back; returns once the SUT has stored the 13."""
    ask = world.factory.take_back(doc, _agency(SUT_ORG), world.at(), "Đề nghị lấy lại văn bản")
    doc_id = world.deliver(ask)
    world.acked(doc_id)
    return doc_id


# == the honest reference ==================================================================


def test_honest_reference_stores_acks_then_reports_arrived(world):
    sut = world.reference()
    doc, doc_id, arrived = _arrived(world, sut)
    fetched = world.wait(lambda d: d.doc_id == doc_id, kind="call", system=SUT_SYSTEM, op="getEdoc")
    done = world.acked(doc_id)
    assert fetched.seq < done.seq < arrived.seq
    status = world.message(arrived)
    assert isinstance(status, model.Status)
    h = doc.header
    rf = status.response_for
    assert status.sender == SUT_ORG and status.status_code == "01"
    assert (rf.organ_id, rf.code, rf.document_id) == (
        PEER_ORG,
        f"{h.code.code_number}/{h.code.code_notation}",
        h.document_id,
    )
    assert rf.promulgation_date == h.promulgation_info.promulgation_date
    assert status.staff_info is not None and status.staff_info.staff
    datetime.strptime(status.timestamp, "%Y/%m/%d %H:%M:%S")
    assert world.findings(arrived) == []
    assert arrived.body.recipients == (Recipient(PEER_ORG, PEER_SYSTEM),)
    (registered,) = sut.registered("received")
    assert (registered.document_id, registered.state, registered.sender) == (
        h.document_id,
        "arrived",
        PEER_ORG,
    )
    assert sut.document(h.document_id).axis_doc_ids == (doc_id,)


def test_honest_reference_walks_the_forward_path_and_refuses_illegal_actions(world):
    sut = world.reference()
    doc, _, arrived = _arrived(world, sut)
    document_id = doc.header.document_id
    last = arrived
    for action, code in (("accept", "03"), ("assign", "04"), ("process", "05"), ("complete", "06")):
        result = sut.act(document_id, action)
        assert (result.status_code.value, result.action.value) == (code, action)
        last = world.stored(code, after=last.seq)
    assert result.state == "completed"
    with pytest.raises(ActionRefused, match="02 after 06") as refused:
        sut.act(document_id, "refuse", "Quá hạn")
    assert refused.value.rule == "LC-REFUSAL-BEFORE-ACCEPT"
    with pytest.raises(UnknownDocument):
        sut.act("000.00.00.G22,2024/01/01,1/XX", "accept")
    quiet = world.quiet(last.seq)
    assert world.statuses_sent(until=quiet) == ["01", "03", "04", "05", "06"]
    statuses = [world.message(e) for e in world.events("stored", system=SUT_SYSTEM)]
    events = [
        (StatusCode.parse(s.status_code), datetime.strptime(s.timestamp, "%Y/%m/%d %H:%M:%S"))
        for s in statuses
    ]
    assert check_sequence(events) == []


def test_honest_reference_refuses_with_the_reason_and_then_nothing(world):
    sut = world.reference()
    doc, _, _ = _arrived(world, sut)
    sut.act(doc.header.document_id, "refuse", "Văn bản không thuộc thẩm quyền")
    refused = world.message(world.stored("02"))
    assert refused.description == "Văn bản không thuộc thẩm quyền"
    with pytest.raises(ActionRefused) as caught:
        sut.act(doc.header.document_id, "accept")
    assert caught.value.rule == "LC-NOTHING-AFTER-REFUSAL"


def test_honest_reference_answers_a_take_back_once_and_then_stops(world):
    sut = world.reference()
    doc, _, _ = _arrived(world, sut)
    document_id = doc.header.document_id
    with pytest.raises(ActionRefused) as early:
        sut.answer_take_back(document_id, PEER_ORG, True)
    assert early.value.rule == "LC-ANSWER-NEEDS-REQUEST"
    _take_back(world, doc)
    assert sut.document(document_id).take_back_pending
    with pytest.raises(SutError, match="did not send document"):
        sut.answer_take_back(document_id, THIRD_ORG, True)
    result = sut.answer_take_back(document_id, PEER_ORG, True)
    assert (result.status_code.value, result.state) == ("15", "withdrawn")
    world.stored("15")
    with pytest.raises(ActionRefused) as late:
        sut.act(document_id, "process")
    assert late.value.rule == "LC-WITHDRAWN-FINAL"
    assert sut.document(document_id).withdrawn


def test_honest_reference_refuses_a_take_back_with_16(world):
    sut = world.reference()
    doc, _, _ = _arrived(world, sut)
    sut.act(doc.header.document_id, "accept")
    _take_back(world, doc)
    sut.answer_take_back(doc.header.document_id, None, False, "Đã phân công xử lý")
    answer = world.message(world.stored("16"))
    assert answer.description == "Đã phân công xử lý"
    sut.act(doc.header.document_id, "assign")  # a refused take-back leaves the workflow going
    world.stored("04")


def _files() -> tuple[Attachment, ...]:
    day = date(2024, 6, 28)
    pdf = pdf_bytes(["Cong van"])
    return (
        Attachment("congvan.pdf", pdf),
        Attachment(
            "phuluc.zip", zip_bytes([("phuluc.pdf", pdf)], day), content_type="application/pdf"
        ),
        Attachment("ghichu.txt", b"ghi chu"),
    )


def test_honest_reference_sends_valid_documents_and_follows_each_recipient(world):
    sut = world.reference()
    sent = sut.send_document(
        DocumentRequest(
            to=(PEER_ORG, THIRD_ORG), subject="V/v kết nối liên thông", attachments=_files()
        )
    )
    assert sent.axis_doc_id and sent.business_kind == "new"
    stored = world.stored(kind="edoc")
    assert stored.doc_id == sent.axis_doc_id
    assert {r.code for r in stored.body.recipients} == {PEER_ORG, THIRD_ORG}
    assert world.findings(stored) == []
    edoc = world.message(stored)
    assert isinstance(edoc, model.Edoc)
    assert edoc.header.document_id == sent.document_id
    assert sent.document_id == f"{SUT_ORG},{world.today:%Y/%m/%d},{sent.code}"
    assert [a.content_type for a in edoc.attachments] == [
        "application/pdf",
        "application/zip",
        "text/plain",
    ]
    assert [r.content_id for r in edoc.manifest] == [a.content_id for a in edoc.attachments]
    # the recipients report; the SUT reads their statuses back
    peer, third = lookup(PEER_ORG), lookup(THIRD_ORG)
    for system, agency, code in (
        (PEER_SYSTEM, peer, "01"),
        (PEER_SYSTEM, peer, "03"),
        (THIRD_SYSTEM, third, "06"),
    ):
        doc_id = world.deliver(world.factory.status(edoc, agency, code, world.at()), system=system)
        world.acked(doc_id)
    states = {r.organ_id: r.state for r in sut.document(sent.document_id).recipient_states}
    assert states == {PEER_ORG: "accepted", THIRD_ORG: "completed"}
    result = sut.request_take_back(sent.document_id, PEER_ORG, "Gửi nhầm nơi nhận")
    assert result.status_code.value == "13"
    ask = world.stored("13")
    assert ask.body.recipients == (Recipient(PEER_ORG, PEER_SYSTEM),)
    assert world.findings(ask) == []
    with pytest.raises(ActionRefused) as twice:
        sut.request_take_back(sent.document_id, PEER_ORG, "Lần nữa")
    assert twice.value.rule == "LC-TAKE-BACK-ONE-AT-A-TIME"
    with pytest.raises(ActionRefused) as complete:
        sut.request_take_back(sent.document_id, THIRD_ORG, "Quá muộn")
    assert complete.value.rule == "LC-TAKE-BACK-BEFORE-COMPLETE"
    with pytest.raises(SutError, match="bad-request"):
        sut.send_document(DocumentRequest(to=("00.41.W00",), subject="x"))


@pytest.mark.parametrize("kind", ["revoke", "update", "replace"])
def test_honest_reference_sends_the_business_kinds(world, kind):
    sut = world.reference()
    original = sut.send_document(
        DocumentRequest(to=(PEER_ORG,), subject="Văn bản gốc", attachments=_files()[:1])
    )
    business = Business(
        kind,
        original.document_id,
        "Lý do nghiệp vụ",
        True,
        (THIRD_ORG,) if kind == "update" else (),
    )
    sent = sut.send_document(
        DocumentRequest(to=(PEER_ORG,), subject="Văn bản nghiệp vụ", business=business)
    )
    stored = world.wait(lambda d: d.doc_id == sent.axis_doc_id, kind="stored", system=SUT_SYSTEM)
    assert world.findings(stored) == []
    edoc = world.message(stored)
    b = edoc.bussiness
    assert b.bussiness_doc_type == {"revoke": "1", "update": "2", "replace": "3"}[kind]
    if kind == "replace":
        assert sent.document_id != original.document_id
        assert [(r.document_id, r.organ_ids) for r in b.replacements] == [
            (original.document_id, [PEER_ORG])
        ]
    else:
        assert sent.document_id == original.document_id == b.document_id
    if kind == "update":
        assert [(r.organ_id, r.receiver_type) for r in b.document_info.receivers] == [
            (THIRD_ORG, "1")
        ]
    with pytest.raises(UnknownDocument):
        sut.send_document(
            DocumentRequest(
                to=(PEER_ORG,),
                subject="x",
                business=replace(business, original_document_id="000.00.00.H41,2020/01/01,1/X"),
            )
        )


def test_honest_reference_dedupes_redeliveries(world):
    sut = world.reference()
    doc, first_id, _ = _arrived(world, sut)
    again = replace(doc, trace_headers=[model.TraceHeader(PEER_ORG, "2020/01/01 00:00:00")])
    second_id = world.deliver(again)
    assert second_id != first_id
    done = world.acked(second_id)
    # a lost ack (every retry of it fails): the axis lists the delivery again, and the SUT
    # acks it then, without fetching it or reporting it a second time
    rule = {
        "kind": "error",
        "system": SUT_SYSTEM,
        "operation": "updateStatus",
        "next": FAST.attempts,
    }
    world.admin.set_faults({"rules": [rule]})
    third_id = world.deliver(world.edoc())
    world.stored("01", after=done.seq)
    redone = world.acked(third_id)
    quiet = world.quiet(redone.seq)
    assert world.statuses_sent(until=quiet) == ["01", "01"]
    acks = world.events("call", system=SUT_SYSTEM, op="updateStatus", doc_id=third_id)
    assert [e.body.error_code for e in acks] == ["8"] * FAST.attempts + ["0"]
    fetches = world.events("call", system=SUT_SYSTEM, op="getEdoc", until=quiet)
    assert [e.doc_id for e in fetches].count(third_id) == 1
    assert len(sut.registered("received")) == 2


def test_honest_reference_refuses_malformed_and_misaddressed_documents_with_02_only(world):
    sut = world.reference()
    bad = world.edoc()
    bad.header.subject = ""
    world.deliver(bad)
    refused = world.message(world.stored("02"))
    assert "MSG-SUBJECT-REQUIRED" in refused.description
    elsewhere = world.edoc(to=(THIRD_ORG,))
    world.deliver(elsewhere, to=(SUT_ORG,))
    second = world.stored("02", after=world.stored("02").seq)
    assert "không gửi đến cơ quan 000.00.00.H41" in world.message(second).description
    quiet = world.quiet(second.seq)
    assert world.statuses_sent(until=quiet) == ["02", "02"]
    assert {d.state for d in sut.registered("received")} == {"refused"}


def test_honest_reference_keeps_unreadable_input_acks_fail_and_does_not_refetch(world):
    world.reference()
    answer = world.admin.inject(
        b"\x00not xml at all", system_id=PEER_SYSTEM, to=[SUT_ORG], unparsed=True
    )
    doc_id = answer["DocId"]
    failed = world.acked(doc_id, "fail")
    quiet = world.quiet(failed.seq, cycles=3)
    fetches = world.events("call", system=SUT_SYSTEM, op="getEdoc", until=quiet)
    assert [e.doc_id for e in fetches] == [doc_id]
    assert world.statuses_sent(until=quiet) == []


def test_honest_reference_stops_processing_a_revoked_document(world):
    sut = world.reference()
    doc, _, _ = _arrived(world, sut)
    revoke = world.edoc(kind="revoke", original=doc)
    world.acked(world.deliver(revoke))
    assert sut.document(doc.header.document_id).revoked
    with pytest.raises(ActionRefused, match="revoked"):
        sut.act(doc.header.document_id, "accept")


def test_honest_reference_retries_without_losing_or_doubling(world):
    world.admin.set_faults(
        {
            "rules": [
                {
                    "kind": "error",
                    "system": SUT_SYSTEM,
                    "operation": "sendEdoc",
                    "next": 2,
                    "apply": True,
                }
            ]
        }
    )
    world.reference()
    _, _, arrived = _arrived(world, world.adapters[0])
    quiet = world.quiet(arrived.seq)
    assert world.statuses_sent(until=quiet) == ["01"]
    assert len(world.events("duplicate", system=SUT_SYSTEM, until=quiet)) == 2


@pytest.mark.slow
def test_honest_reference_recovers_after_an_outage(world):
    world.admin.set_faults(
        {"rules": [{"kind": "error", "system": SUT_SYSTEM, "operation": "*", "next": 12}]}
    )
    world.reference()
    _arrived(world, world.adapters[0])
    assert world.statuses_sent() == ["01"]


@pytest.fixture(scope="module")
def test_ca() -> TestCA:
    ca = TestCA.create(now=datetime.now(UTC) - timedelta(days=1))
    for organ_id in (SUT_ORG, PEER_ORG):
        ca.issue(f"Văn thư {organ_id}", organ_id, now=datetime.now(UTC) - timedelta(days=1))
    return ca


def _signing(ca: TestCA, organ_id: str) -> Any:
    from cryptography.hazmat.primitives import serialization

    from conformance.contract import SigningCredentials

    creds = ca.issued[organ_id]
    key = creds.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert = creds.certificate.public_bytes(serialization.Encoding.PEM)
    return SigningCredentials(key.decode("ascii"), cert.decode("ascii"))


def _ca_pem(ca: TestCA) -> str:
    from cryptography.hazmat.primitives import serialization

    return ca.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def test_honest_reference_signs_what_it_sends_and_refuses_bad_signatures(world, test_ca):
    sut = world.reference(
        ca_pem=_ca_pem(test_ca), signing=_signing(test_ca, SUT_ORG), require_signature=True
    )
    sent = sut.send_document(
        DocumentRequest(to=(PEER_ORG,), subject="Văn bản ký số", attachments=_files()[:1])
    )
    verdict = verify(world.body(sent.axis_doc_id), trusted_ca=test_ca.certificate)
    assert verdict.valid, verdict.reason
    peer = test_ca.issued[PEER_ORG]
    signed = sign(serialize(world.edoc()), peer.key, peer.certificate)
    world.deliver(signed)
    arrived = world.stored("01", kind="status")
    assert verify(world.body(arrived.doc_id), trusted_ca=test_ca.certificate).valid
    tampered = sign(serialize(world.edoc()), peer.key, peer.certificate).replace(
        b"<edXML:Subject>", b"<edXML:Subject>X", 1
    )
    world.deliver(tampered)
    first = world.stored("02", after=arrived.seq)
    assert "SIG-VERIFIES" in world.message(first).description
    world.deliver(world.edoc())
    second = world.stored("02", after=first.seq)
    assert "SIG-REQUIRED" in world.message(second).description


def test_reset_forgets_everything_and_unconfigures(world):
    sut = world.reference()
    _arrived(world, sut)
    sut.reset()
    assert sut.registered() == [] and not sut.describe().configured
    with pytest.raises(SutError, match="not-configured"):
        sut.act("000.00.00.G22,2024/01/01,1/X", "accept")


# == the control endpoint itself ============================================================


def test_controller_answers_everything_in_the_contracts_shape(world):
    sut = world.reference()
    doc, _, _ = _arrived(world, sut)
    raw = httpx.Client(base_url=sut.url)
    try:
        checks = [
            (raw.post("/lienthong/v1/documents", content=b"{not json"), 400, "bad-request"),
            (raw.post("/lienthong/v1/documents", json={"to": []}), 400, "bad-request"),
            (raw.get("/lienthong/v1/nothing"), 404, "bad-request"),
            (raw.put("/lienthong/v1/info"), 405, "bad-request"),
            (raw.get("/lienthong/v1/documents?direction=sideways"), 400, "bad-request"),
            (
                raw.get(
                    "/lienthong/v1/documents/"
                    + contract.endpoint("document").url_path("x,2020/01/01,1/Y").rsplit("/", 1)[1]
                ),
                404,
                "unknown-document",
            ),
        ]
        for response, status, code in checks:
            assert response.status_code == status, response.text
            body = response.json()
            contract.validate("error", body)
            assert body["error"] == code
        path = contract.endpoint("document").url_path(doc.header.document_id)
        found = raw.get(path)
        assert found.status_code == 200
        contract.validate("document.response", found.json())
        assert found.json()["documentId"] == doc.header.document_id
    finally:
        raw.close()


class Recorder(httpx.HTTPTransport):
    """A real-socket transport that keeps every exchange with the controller."""

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.read()
        self.exchanges.append((request, response))
        return response


def _endpoint_of(request: httpx.Request) -> contract.Endpoint:
    path = request.url.raw_path.decode("ascii").split("?")[0]
    for ep in contract.ENDPOINTS:
        if request.method != ep.method:
            continue
        head, marker, tail = ep.path.partition("{documentId}")
        if not marker and path == ep.path:
            return ep
        if marker and path.startswith(head) and path.endswith(tail):
            document_id = path[len(head) : len(path) - len(tail)]
            if document_id and "/" not in document_id:
                return ep
    raise AssertionError(f"{request.method} {path} is no endpoint of the contract")


def test_every_exchange_with_the_controller_follows_the_contract(world):
    recorder = Recorder()
    with running_reference(ReferenceSut(retry=FAST)) as running:
        sut = HttpAdapter(running.url, transport=recorder)
        sut.describe()
        sut.configure(
            make_configuration(
                world.axis.url,
                SUT_SYSTEM,
                world.axis.systems[SUT_SYSTEM],
                SUT_ORG,
                poll_interval=POLL,
            )
        )
        doc, _, _ = _arrived(world, sut)
        document_id = doc.header.document_id
        sut.act(document_id, "accept")
        with pytest.raises(ActionRefused):
            sut.act(document_id, "refuse", "Muộn")
        _take_back(world, doc)
        sut.answer_take_back(document_id, PEER_ORG, False, "Đã tiếp nhận")
        sent = sut.send_document(
            DocumentRequest(to=(PEER_ORG,), subject="Trả lời", attachments=_files()[:1])
        )
        sut.request_take_back(sent.document_id, PEER_ORG, "Gửi nhầm")
        sut.registered()
        sut.registered("sent")
        sut.document(document_id)
        with pytest.raises(UnknownDocument):
            sut.document("000.00.00.G22,2020/01/01,1/KHONG")
        sut.reset()
        sut.close()
    seen = set()
    for request, response in recorder.exchanges:
        ep = _endpoint_of(request)
        seen.add(ep.name)
        if ep.request is not None:
            assert contract.problems(ep.request, json.loads(request.content)) == []
        schema = ep.response if response.status_code == ep.success else "error"
        assert contract.problems(schema, response.json()) == [], (ep.name, response.text)
    assert seen == {ep.name for ep in contract.ENDPOINTS}


@pytest.mark.slow
def test_reference_runs_as_a_subprocess_through_the_same_contract(world):
    adapter = ReferenceAdapter(mode="subprocess")
    world.adapters.append(adapter)
    assert adapter.describe().product == "lienthong reference SUT"
    adapter.configure(
        make_configuration(
            world.axis.url, SUT_SYSTEM, world.axis.systems[SUT_SYSTEM], SUT_ORG, poll_interval=POLL
        )
    )
    _arrived(world, adapter)
    process = adapter._process
    adapter.close()
    assert process is not None and process.poll() is not None


@pytest.mark.slow
def test_reference_runs_on_its_own_from_the_command_line(world, tmp_path):
    command = [
        sys.executable, "-m", "conformance.reference",
        "--axis", world.axis.url, "--system-id", SUT_SYSTEM, "--secret", world.axis.systems[SUT_SYSTEM],
        "--organ-id", SUT_ORG, "--data", str(tmp_path), "--poll-interval", str(POLL),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert "listening on http://127.0.0.1:" in process.stdout.readline()
        world.deliver(world.edoc())
        world.stored("01")
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
    assert (tmp_path / "register.sqlite").exists()


def test_command_line_help_and_argument_errors(capsys):
    with pytest.raises(SystemExit) as shown:
        reference_main(["--help"])
    assert shown.value.code == 0
    out = capsys.readouterr().out
    for flag in (
        "--axis",
        "--system-id",
        "--secret",
        "--organ-id",
        "--control-port",
        "--defect",
        "skip-arrived",
    ):
        assert flag in out
    with pytest.raises(SystemExit, match="missing: secret, organ_id"):
        reference_main(["--axis", "http://x", "--system-id", "y"])


def test_content_type_is_sniffed_from_the_bytes():
    assert sniff_content_type(b"PK\x03\x04rest", "report.pdf") == "application/zip"
    assert sniff_content_type(b"%PDF-1.7", "x.docx") == "application/pdf"
    assert sniff_content_type("Công văn".encode(), "fake.pdf") == "text/plain"
    assert sniff_content_type(b"\x00\x01\x02", "fake.zip") == "application/octet-stream"
    assert sniff_content_type(b"\x00<p>", "page.html") == "text/html"
    docx = docx_bytes(["Công văn"], date(2024, 6, 28))
    assert sniff_content_type(docx, "scan.pdf") == DOCX.media_type


def test_behaviour_names_and_reprs():
    assert Behaviour().honest and Behaviour().defects == ()
    mutant = Behaviour.with_defects("skip-arrived", "never-ack")
    assert mutant.skip_arrived and mutant.never_ack
    assert mutant.defects == ("skip-arrived", "never-ack")
    assert repr(mutant) == "Behaviour.with_defects('skip-arrived', 'never-ack')"
    assert eval(repr(mutant), {"Behaviour": Behaviour}) == mutant
    with pytest.raises(ValueError, match="unknown defect"):
        Behaviour.with_defects("be-nice")
    with pytest.raises(ValueError, match="unknown defect"):
        Behaviour.with_defects("skip_arrived")  # one name per defect: the kebab one
    assert len(DEFECTS) >= 20 and all(DEFECTS.values())


def test_reference_sut_checks_its_arguments(tmp_path):
    with pytest.raises(ValueError, match="poll_interval="):
        ReferenceSut(poll_interval=0, data_dir=tmp_path)


# == each behaviour toggle changes the wire =================================================


def _mutant(world: World, name: str, **configure: Any) -> ReferenceAdapter:
    return world.reference(Behaviour.with_defects(name), **configure)


def _no_status_after(world: World, doc_id: str) -> int:
    """Wait until the SUT has handled ``doc_id`` and polled twice more; returns that seq."""
    fetched = world.wait(lambda d: d.doc_id == doc_id, kind="call", system=SUT_SYSTEM, op="getEdoc")
    return world.quiet(fetched.seq)


def test_defect_skip_arrived(world):
    _mutant(world, "skip-arrived")
    doc_id = world.deliver(world.edoc())
    world.acked(doc_id)
    assert world.statuses_sent(until=_no_status_after(world, doc_id)) == []


def test_defect_slow_arrived(world):
    sut = _mutant(world, "slow-arrived")
    doc = world.edoc()
    doc_id = world.deliver(doc)
    world.acked(doc_id)
    assert world.statuses_sent(until=_no_status_after(world, doc_id)) == []
    assert sut.document(doc.header.document_id).state == "arrived"  # held back, not skipped


def test_defect_ack_before_store(world):
    sut = _mutant(world, "ack-before-store")
    doc_id = world.deliver(world.edoc())
    world.acked(doc_id)
    assert world.statuses_sent(until=_no_status_after(world, doc_id)) == []
    assert sut.registered() == []


def test_defect_never_ack(world):
    _mutant(world, "never-ack")
    doc_id = world.deliver(world.edoc())
    arrived = world.stored("01")
    quiet = world.quiet(arrived.seq)
    assert world.events("call", system=SUT_SYSTEM, op="updateStatus", until=quiet) == []
    (message,) = [m for m in world.admin.messages() if m["doc_id"] == doc_id]
    assert [d["status"] for d in message["deliveries"]] == ["pending"]


def test_defect_ack_fail_and_forget(world):
    _mutant(world, "ack-fail-and-forget")
    doc_id = world.deliver(world.edoc())
    failed = world.acked(doc_id, "fail")
    quiet = world.quiet(failed.seq)
    assert world.statuses_sent(until=quiet) == []
    assert len(world.events("call", system=SUT_SYSTEM, op="getEdoc", until=quiet)) == 1


def test_defect_ack_done_on_garbage(world):
    _mutant(world, "ack-done-on-garbage")
    answer = world.admin.inject(b"garbage", system_id=PEER_SYSTEM, to=[SUT_ORG], unparsed=True)
    world.acked(answer["DocId"], "done")


def test_defect_no_dedupe(world):
    _mutant(world, "no-dedupe")
    doc, _, first = _arrived(world, world.adapters[0])
    world.deliver(replace(doc, trace_headers=[model.TraceHeader(PEER_ORG, "2020/01/01 00:00:00")]))
    second = world.stored("01", after=first.seq)
    assert world.message(second).response_for.document_id == doc.header.document_id


def test_defect_accept_malformed(world):
    _mutant(world, "accept-malformed")
    bad = world.edoc()
    bad.header.subject = ""
    world.deliver(bad)
    world.stored("01")


def test_defect_accept_misaddressed(world):
    _mutant(world, "accept-misaddressed")
    world.deliver(world.edoc(to=(THIRD_ORG,)), to=(SUT_ORG,))
    world.stored("01")


def test_defect_ignore_signature(world):
    _mutant(world, "ignore-signature", require_signature=True)
    world.deliver(world.edoc())  # unsigned: the honest reference refuses it (SIG-REQUIRED)
    world.stored("01")


def test_defect_read_other_systems(world):
    _mutant(world, "read-other-systems")
    world.wait(lambda d: d.error_code == "3", kind="call", system=SUT_SYSTEM, op="getEdoc")


def test_defect_complete_before_assign(world):
    sut = _mutant(world, "complete-before-assign")
    doc, _, _ = _arrived(world, sut)
    sut.act(doc.header.document_id, "accept")
    sut.act(doc.header.document_id, "assign")
    assigned = world.stored("04")
    assert world.statuses_sent(until=assigned.seq) == ["01", "03", "06", "04"]


def test_defect_repeat_accepted(world):
    sut = _mutant(world, "repeat-accepted")
    doc, _, _ = _arrived(world, sut)
    sut.act(doc.header.document_id, "accept")
    first = world.stored("03")
    world.stored("03", after=first.seq)


def test_defect_forward_after_withdrawal(world):
    sut = _mutant(world, "forward-after-withdrawal")
    doc, _, _ = _arrived(world, sut)
    _take_back(world, doc)
    sut.answer_take_back(doc.header.document_id, PEER_ORG, True)
    agreed = world.stored("15")
    sut.act(doc.header.document_id, "process")
    world.stored("05", after=agreed.seq)


def _acted(world: World, sut: ReferenceAdapter, doc: model.Edoc, *actions: str) -> Event:
    """Carry out ``actions`` in turn, each waiting for its status; the last stored event."""
    assert actions and doc.header.document_id
    for action in actions:
        sut.act(doc.header.document_id, action, "Lý do" if action == "refuse" else None)
        event = world.stored(ACTION_STATUS[Action(action)].value)
    return event


def test_defect_act_after_refusal(world):
    sut = _mutant(world, "act-after-refusal")
    doc, _, _ = _arrived(world, sut)
    refused = _acted(world, sut, doc, "refuse")
    sut.act(doc.header.document_id, "accept")
    world.stored("03", after=refused.seq)


def test_defect_refuse_after_accept(world):
    sut = _mutant(world, "refuse-after-accept")
    doc, _, _ = _arrived(world, sut)
    accepted = _acted(world, sut, doc, "accept")
    sut.act(doc.header.document_id, "refuse", "Từ chối sau khi tiếp nhận")
    world.stored("02", after=accepted.seq)


def test_defect_repeat_on_request(world):
    sut = _mutant(world, "repeat-on-request")
    doc, _, _ = _arrived(world, sut)
    accepted = _acted(world, sut, doc, "accept")
    sut.act(doc.header.document_id, "accept")
    world.stored("03", after=accepted.seq)


def test_defect_step_back(world):
    sut = _mutant(world, "step-back")
    doc, _, _ = _arrived(world, sut)
    processing = _acted(world, sut, doc, "accept", "assign", "process")
    sut.act(doc.header.document_id, "assign")
    world.stored("04", after=processing.seq)


def test_defect_answer_unasked(world):
    sut = _mutant(world, "answer-unasked")
    doc, _, arrived = _arrived(world, sut)
    sut.answer_take_back(doc.header.document_id, PEER_ORG, True)
    world.stored("15", after=arrived.seq)


def test_defect_answer_again(world):
    sut = _mutant(world, "answer-again")
    doc, _, _ = _arrived(world, sut)
    _take_back(world, doc)
    sut.answer_take_back(doc.header.document_id, PEER_ORG, False, "Không đồng ý")
    first = world.stored("16")
    sut.answer_take_back(doc.header.document_id, PEER_ORG, True)
    world.stored("15", after=first.seq)


def _sent_with(world: World, sut: ReferenceAdapter, *codes: str) -> Any:
    """A document the SUT sent to the peer, who reported ``codes`` on it (each read)."""
    sent = sut.send_document(DocumentRequest(to=(PEER_ORG,), subject="Văn bản thử"))
    assert sent.axis_doc_id is not None
    edoc = parse(world.body(sent.axis_doc_id)).message
    assert isinstance(edoc, model.Edoc)
    for code in codes:
        world.acked(world.deliver(world.factory.status(edoc, _agency(PEER_ORG), code, world.at())))
    return sent


def test_defect_take_back_twice(world):
    sut = _mutant(world, "take-back-twice")
    sent = _sent_with(world, sut, "01")
    for _ in range(2):
        sut.request_take_back(sent.document_id, PEER_ORG, "Lấy lại")
    first = world.stored("13")
    world.stored("13", after=first.seq)


def test_defect_take_back_after_refusal(world):
    sut = _mutant(world, "take-back-after-refusal")
    sent = _sent_with(world, sut, "01", "02")
    sut.request_take_back(sent.document_id, PEER_ORG, "Lấy lại")
    world.stored("13")


def test_defect_take_back_after_withdrawal(world):
    sut = _mutant(world, "take-back-after-withdrawal")
    sent = _sent_with(world, sut, "01")
    sut.request_take_back(sent.document_id, PEER_ORG, "Lấy lại")
    first = world.stored("13")
    edoc = parse(world.body(sent.axis_doc_id)).message
    agreed = world.factory.status(edoc, lookup(PEER_ORG), "15", world.at())
    world.acked(world.deliver(agreed))
    sut.request_take_back(sent.document_id, PEER_ORG, "Lấy lại lần nữa")
    world.stored("13", after=first.seq)


def test_defect_process_revoked(world):
    sut = _mutant(world, "process-revoked")
    doc, _, _ = _arrived(world, sut)
    world.acked(world.deliver(world.edoc(kind="revoke", original=doc)))
    sut.act(doc.header.document_id, "accept")
    world.stored("03")


def test_defect_ignore_take_back(world):
    sut = _mutant(world, "ignore-take-back")
    doc, _, _ = _arrived(world, sut)
    _take_back(world, doc)
    assert sut.answer_take_back(doc.header.document_id, PEER_ORG, True).status_code.value == "15"
    last = world.events("call", system=SUT_SYSTEM)[-1].seq
    assert world.statuses_sent(until=world.quiet(last)) == ["01"]


def test_defect_answer_take_back_twice(world):
    sut = _mutant(world, "answer-take-back-twice")
    doc, _, _ = _arrived(world, sut)
    _take_back(world, doc)
    sut.answer_take_back(doc.header.document_id, PEER_ORG, False, "Không đồng ý")
    first = world.stored("16")
    world.stored("16", after=first.seq)


def test_defect_wrong_response_for_document_id(world):
    sut = _mutant(world, "wrong-response-for-document-id")
    _, doc_id, arrived = _arrived(world, sut)
    assert world.message(arrived).response_for.document_id == doc_id


def test_defect_status_to_wrong_agency(world):
    sut = _mutant(world, "status-to-wrong-agency")
    _, _, arrived = _arrived(world, sut, to=(SUT_ORG, THIRD_ORG))
    assert arrived.body.recipients == (Recipient(THIRD_ORG, THIRD_SYSTEM),)


def test_defect_wrong_timestamp_format(world):
    sut = _mutant(world, "wrong-timestamp-format")
    _, _, arrived = _arrived(world, sut)
    assert "T" in world.message(arrived).timestamp
    assert "ST-TIMESTAMP" in world.findings(arrived)


def test_defect_no_description_on_refusal(world):
    sut = _mutant(world, "no-description-on-refusal")
    doc, _, _ = _arrived(world, sut)
    sut.act(doc.header.document_id, "refuse", "Sai thể thức")
    refused = world.stored("02")
    assert world.message(refused).description is None
    assert "LC-DESCRIPTION-REQUIRED" in world.findings(refused)


def test_defect_no_staff_info(world):
    sut = _mutant(world, "no-staff-info")
    _, _, arrived = _arrived(world, sut)
    assert world.message(arrived).staff_info is None


def test_defect_duplicate_status_on_retry(world):
    world.admin.set_faults(
        {
            "rules": [
                {
                    "kind": "error",
                    "system": SUT_SYSTEM,
                    "operation": "sendEdoc",
                    "next": 1,
                    "apply": True,
                }
            ]
        }
    )
    sut = _mutant(world, "duplicate-status-on-retry")
    _, _, first = _arrived(world, sut)
    world.stored("01", after=first.seq)


def test_defect_no_retry_on_5xx(world):
    world.admin.set_faults(
        {"rules": [{"kind": "error", "system": SUT_SYSTEM, "operation": "sendEdoc", "next": 1}]}
    )
    _mutant(world, "no-retry-on-5xx")
    doc_id = world.deliver(world.edoc())
    world.acked(doc_id)
    assert world.statuses_sent(until=_no_status_after(world, doc_id)) == []


def test_defect_wrong_secret(world):
    _mutant(world, "wrong-secret")
    world.wait(lambda d: d.error_code == "1", kind="call", system=SUT_SYSTEM)


def _sent_findings(world: World, sut: ReferenceAdapter, **options: Any) -> list[str]:
    sent = sut.send_document(
        DocumentRequest(to=(PEER_ORG,), subject="Văn bản thử", attachments=_files()[:2])
    )
    stored = world.wait(lambda d: d.doc_id == sent.axis_doc_id, kind="stored", system=SUT_SYSTEM)
    return world.findings(stored, **options)


def test_defect_bad_document_id_grammar(world):
    assert "MSG-DOCUMENTID-GRAMMAR" in _sent_findings(
        world, _mutant(world, "bad-document-id-grammar")
    )


def test_defect_manifest_without_attachment(world):
    assert "ATT-MANIFEST-MATCH" in _sent_findings(
        world, _mutant(world, "manifest-without-attachment")
    )


def test_defect_zip_labelled_pdf(world):
    assert "ATT-CONTENT-TYPE" in _sent_findings(world, _mutant(world, "zip-labelled-pdf"))


def test_defect_unsigned_documents(world, test_ca):
    sut = _mutant(world, "unsigned-documents", signing=_signing(test_ca, SUT_ORG))
    assert "SIG-REQUIRED" in _sent_findings(world, sut, require_signature=True)


def test_defect_send_to_w00(world):
    sut = _mutant(world, "send-to-w00")
    sent = sut.send_document(DocumentRequest(to=(PEER_ORG,), subject="Văn bản thử"))
    refused = world.wait(
        lambda d: d.error_code == "7", kind="call", system=SUT_SYSTEM, op="sendEdoc"
    )
    assert "W00" in refused.body.error_desc and sent.axis_doc_id is None


def test_defect_take_back_after_complete(world):
    sut = _mutant(world, "take-back-after-complete")
    sent = sut.send_document(DocumentRequest(to=(PEER_ORG,), subject="Văn bản thử"))
    edoc = parse(world.body(sent.axis_doc_id)).message
    world.acked(world.deliver(world.factory.status(edoc, lookup(PEER_ORG), "06", world.at())))
    sut.request_take_back(sent.document_id, PEER_ORG, "Lấy lại")
    world.stored("13")


def _sent_edoc(world: World, sut: ReferenceAdapter, request: DocumentRequest) -> Any:
    sent = sut.send_document(request)
    stored = world.wait(lambda d: d.doc_id == sent.axis_doc_id, kind="stored", system=SUT_SYSTEM)
    return sent, world.message(stored)


def test_defect_drop_recipient(world):
    request = DocumentRequest(to=(PEER_ORG, THIRD_ORG), subject="Văn bản thử")
    _, edoc = _sent_edoc(world, _mutant(world, "drop-recipient"), request)
    assert edoc.recipients == [PEER_ORG]


def test_defect_add_recipient(world):
    request = DocumentRequest(to=(PEER_ORG,), subject="Văn bản thử")
    _, edoc = _sent_edoc(world, _mutant(world, "add-recipient"), request)
    assert edoc.recipients == [PEER_ORG, SUT_ORG]


def test_defect_misreported_document_id(world):
    request = DocumentRequest(to=(PEER_ORG,), subject="Văn bản thử")
    sent, edoc = _sent_edoc(world, _mutant(world, "misreported-document-id"), request)
    assert edoc.header.document_id != sent.document_id
    assert edoc.header.document_id.rsplit(",", 1)[0] == sent.document_id.rsplit(",", 1)[0]


def test_defect_label_by_name(world):
    pdf = pdf_bytes(["Cong van"])
    request = DocumentRequest(
        to=(PEER_ORG,), subject="Văn bản thử", attachments=(Attachment("bao_cao.docx", pdf),)
    )
    _, edoc = _sent_edoc(world, _mutant(world, "label-by-name"), request)
    assert edoc.attachments[0].content_type == DOCX.media_type


def test_every_defect_has_its_wire_test():
    tested = {
        defect_name(name.removeprefix("test_defect_"))
        for name in globals()
        if name.startswith("test_defect_")
    }
    assert tested == set(DEFECTS)
