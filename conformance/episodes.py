"""Scenario steps the conformance tests share: deliver documents to the SUT and collect what
it did with each (listing, downloads, acks, statuses), make the SUT send documents and collect
what reached the axis, and wait for statuses — every wait bounded by the profile in model time.

The steps gather facts; the tests judge them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from axis.events import EventKind
from conformance.contract import Attachment, DocumentRequest, SentDocument
from conformance.observe import (
    CALL,
    READ_OPS,
    WireEvent,
    WireMessage,
    ack_word,
    is_ok_call,
    listed_docs,
    route_refusal,
    stored_body,
    stored_on,
)
from conformance.world import Delivered, Party, World
from fixtures.factory import PDF_TYPE, ZIP_TYPE, docx_bytes, pdf_bytes, zip_bytes
from reports.model import Evidence
from spec.filetypes import DOCX
from spec.model import Edoc
from spec.status_codes import FORWARD_PATH, InvalidStatusCode, StatusCode

__all__ = [
    "FIRST_REPORT",
    "FORWARD_AFTER_ARRIVAL",
    "TAKE_BACK_ANSWERS",
    "Dispatch",
    "Receipt",
    "Sending",
    "code_of",
    "code_of_text",
    "collect_receipts",
    "dispatch",
    "events_evidence",
    "misleading_attachments",
    "reaches",
    "receive",
    "wait_acks",
    "wait_first_reports",
]

FIRST_REPORT = (StatusCode.ARRIVED.value, StatusCode.REFUSED.value)
"""The codes a receiver's first report may carry: arrived or refused."""
FORWARD_AFTER_ARRIVAL = tuple(c.value for c in FORWARD_PATH if c is not StatusCode.ARRIVED)
"""The forward path's codes after arrival (accepted … completed)."""
TAKE_BACK_ANSWERS = tuple(c.value for c in StatusCode if c.stage.answers_take_back)
"""The codes a receiver answers a take-back request with (agreed, refused)."""


def code_of_text(text: str) -> str:
    """A status code as two digits when it is a known code, else as written (stripped)."""
    try:
        return StatusCode.parse(text).value
    except InvalidStatusCode:
        return text.strip()


def code_of(message: WireMessage) -> str:
    """A status's code as two digits when it is a known code, else as written."""
    return code_of_text(message.code)


def events_evidence(summary: str, events: Sequence[WireEvent]) -> Evidence:
    """Transcript evidence from ``events`` (at most eight shown)."""
    shown = list(events)[:8]
    return Evidence(
        "transcript", summary, [e.excerpt() for e in shown], tuple(e.seq for e in shown)
    )


@dataclass
class Receipt:
    """A message the harness delivered to the SUT and what the SUT did with it."""

    delivered: Delivered
    sender: Party
    document: Edoc | None
    stored: WireEvent | None = None
    listed: WireEvent | None = None
    downloads: list[WireEvent] = field(default_factory=list)
    acks: list[WireEvent] = field(default_factory=list)
    statuses: list[WireMessage] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        return self.delivered.doc_id

    @property
    def document_id(self) -> str:
        return self.delivered.document_id

    @property
    def codes(self) -> list[str]:
        return [code_of(s) for s in self.statuses]

    def ack_words(self) -> list[str]:
        return [ack_word(e) for e in self.acks]

    def first_ack(self, word: str) -> WireEvent | None:
        return next((e for e in self.acks if ack_word(e) == word), None)

    def evidence(self) -> list[Evidence]:
        events = [e for e in (self.stored, self.listed) if e is not None]
        events += self.downloads[:2] + self.acks[:3]
        out = [events_evidence(f"what the SUT did with {self.doc_id}", sorted(events, key=_seq))]
        out += [s.evidence() for s in self.statuses[:4]]
        return out

    def label(self) -> str:
        return f"docId {self.doc_id} ({self.document_id or 'not an edXML document'})"

    def seen(self) -> str:
        """What the transcript shows the SUT did with the message, in a few words: listed,
        downloaded, acknowledged and reported, each with the event numbers."""
        listed = f"listed at #{self.listed.seq}" if self.listed else "never listed by the SUT"
        downloads = (
            f"downloaded {len(self.downloads)} time(s) (first #{self.downloads[0].seq})"
            if self.downloads
            else "never downloaded"
        )
        acks = (
            "acknowledged " + ", ".join(f"{ack_word(e)} (#{e.seq})" for e in self.acks[:4])
            if self.acks
            else "never acknowledged"
        )
        codes = self.codes
        reported = f"reported {', '.join(codes)}" if codes else "no status from the SUT"
        return f"{listed}, {downloads}, {acks}, {reported}"


def _seq(event: WireEvent) -> int:
    return event.seq


def collect_receipts(world: World, receipts: Sequence[Receipt], after: int) -> None:
    """Fill each receipt with the transcript as it stands (events after ``after``)."""
    observer = world.observer
    sut = world.cast.sut.system_id
    responses = observer.events(after, kind=CALL, system=sut)
    stored = observer.events(after, kind=EventKind.STORED)
    for receipt in receipts:
        doc_id = receipt.doc_id
        receipt.stored = next((e for e in stored if e.doc_id == doc_id), None)
        receipt.listed = next(
            (
                e
                for e in responses
                if e.op == "getReceivedEdocList" and is_ok_call(e) and doc_id in listed_docs(e)
            ),
            None,
        )
        receipt.downloads = [
            e for e in responses if e.op in READ_OPS and is_ok_call(e) and e.doc_id == doc_id
        ]
        receipt.acks = [
            e for e in responses if e.op == "updateStatus" and is_ok_call(e) and e.doc_id == doc_id
        ]
        if receipt.document_id:
            receipt.statuses = [
                observer.message(e)
                for e in stored
                if e.system == sut and stored_on(e, receipt.document_id, "status")
            ]


def wait_first_reports(world: World, receipts: Sequence[Receipt], after: int) -> bool:
    """Wait until every receipt's document has a first report (01 or 02) from the SUT, at most
    the transport and first-status bounds together. True when all came."""
    bounds = world.bounds
    waiting = {r.document_id for r in receipts if r.document_id}

    def pending() -> list[str]:
        for event in world.observer.stored(after, system=world.cast.sut.system_id):
            noted = stored_body(event)
            if noted is not None and noted.messagetype == "status":
                waiting.discard(noted.document_id.strip())
        return sorted(waiting)

    return world.observer.wait_all(
        after,
        bounds.transport + bounds.first_status,
        pending,
        kind=EventKind.STORED,
        system=world.cast.sut.system_id,
    )


def wait_acks(world: World, doc_ids: Sequence[str], after: int, within: float) -> bool:
    """Wait until the SUT acknowledged (done or fail) each of ``doc_ids``."""
    waiting = set(doc_ids)

    def pending() -> list[str]:
        for event in world.observer.events(
            after, kind=CALL, system=world.cast.sut.system_id, op="updateStatus"
        ):
            if is_ok_call(event):
                waiting.discard(event.doc_id)
        return sorted(waiting)

    return world.observer.wait_all(
        after,
        within,
        pending,
        kind=CALL,
        system=world.cast.sut.system_id,
        op="updateStatus",
    )


def receive(
    world: World,
    messages: Sequence[tuple[Edoc, Party]],
    *,
    settle: bool = True,
    until: str = "report",
) -> list[Receipt]:
    """Deliver ``messages`` (each document as its sender) to the SUT, wait until each has its
    first report (``until="report"``) or its ack (``until="ack"``, for messages that get no
    report), let the SUT settle, and collect what it did with each."""
    if until not in ("report", "ack"):
        raise ValueError(f"until={until!r} must be 'report' or 'ack'")
    after = world.observer.head()
    receipts = [Receipt(world.deliver(doc, sender), sender, doc) for doc, sender in messages]
    if until == "report":
        wait_first_reports(world, receipts, after)
    else:
        bounds = world.bounds
        wait_acks(
            world, [r.doc_id for r in receipts], after, bounds.transport + bounds.poll_interval
        )
    if settle:
        world.observer.settle(world.observer.head(), world.bounds.poll_interval * 3)
    collect_receipts(world, receipts, after)
    return receipts


@dataclass
class Dispatch:
    """A document the harness asked the SUT to send, and what reached the axis."""

    request: DocumentRequest
    sent: SentDocument | None
    message: WireMessage | None
    refusals: list[WireEvent] = field(default_factory=list)
    error: str = ""

    @property
    def document_id(self) -> str:
        """The DocumentId the document on the wire carries (what the SUT answered when no
        document reached the axis)."""
        edoc = self.edoc
        if edoc is not None and (edoc.header.document_id or "").strip():
            return (edoc.header.document_id or "").strip()
        return self.sent.document_id if self.sent else ""

    @property
    def edoc(self) -> Edoc | None:
        return self.message.edoc if self.message else None

    def evidence(self) -> list[Evidence]:
        out = []
        if self.message is not None:
            out.append(self.message.evidence())
        if self.refusals:
            out.append(events_evidence("the axis refused the SUT's sendEdoc", self.refusals))
        if self.error:
            out.append(Evidence("note", f"the SUT answered the send request: {self.error}"))
        return out


def sample_attachments(world: World, label: str) -> tuple[Attachment, ...]:
    """A PDF and a ZIP to send, with content that names ``label``."""
    lines = [f"Van ban thu nghiem {label}", "lienthong conformance suite"]
    pdf = pdf_bytes(lines)
    archive = zip_bytes(
        [(f"phu_luc_{label}.pdf", pdf_bytes(["Phu luc", *lines]))], world.clock.today()
    )
    return (
        Attachment(f"van_ban_{label}.pdf", pdf, PDF_TYPE, "Văn bản điện tử"),
        Attachment(f"phu_luc_{label}.zip", archive, ZIP_TYPE, "Phụ lục (nén)"),
    )


def misleading_attachments(world: World) -> tuple[tuple[str, Attachment], ...]:
    """Files whose names and hints lie about their bytes, each with what it really is: a PDF
    named .docx, a ZIP with no extension, a Word document hinted as PDF, plain text named
    .pdf. A SUT that labels by its bytes gets each right; one that trusts names does not."""
    today = world.clock.today()
    lines = ["Van ban thu nghiem nhan dang tep", "lienthong conformance suite"]
    pdf = pdf_bytes(lines)
    return (
        ("a PDF named .docx", Attachment("bao_cao.docx", pdf, DOCX.media_type, "Báo cáo")),
        (
            "a ZIP archive with no extension",
            Attachment("phu_luc", zip_bytes([("phu_luc.pdf", pdf)], today), None, "Phụ lục"),
        ),
        (
            "a Word document (DOCX) hinted as a PDF",
            Attachment("to_trinh.docx", docx_bytes(lines, today), PDF_TYPE, "Tờ trình"),
        ),
        (
            "plain text named .pdf",
            Attachment("ghi_chu.pdf", "Ghi chú: văn bản thử nghiệm\n".encode(), PDF_TYPE, None),
        ),
    )


def dispatch(world: World, request: DocumentRequest) -> Dispatch:
    """Ask the SUT to send ``request`` and wait for its document on the axis (at most the
    action bound); collect the axis's refusals of the SUT's sends meanwhile. The document is
    the one carrying the DocumentId the SUT answered with or, failing that, the first document
    the SUT sent after the request (so a document under another DocumentId is judged as what
    it is, not as missing)."""
    from conformance.errors import SutError

    after = world.observer.head()
    try:
        sent = world.sut.send_document(request)
    except SutError as exc:
        return Dispatch(request, None, None, error=str(exc))
    sut = world.cast.sut.system_id
    event = world.observer.wait(
        after,
        world.bounds.action,
        lambda e: stored_on(e, sent.document_id, "edoc"),
        kind=EventKind.STORED,
        system=sut,
    )
    if event is None:
        event = next(
            (e for e in world.observer.stored(after, system=sut) if stored_on(e, None, "edoc")),
            None,
        )
    message = world.observer.message(event) if event is not None else None
    refusals = [
        e
        for e in world.observer.events(after, kind=CALL, system=sut, op="sendEdoc")
        if not is_ok_call(e)
    ]
    if message is None:
        refusals += [
            e
            for e in world.observer.events(after, kind=EventKind.ROUTE, system=sut)
            if route_refusal(e)
        ]
    return Dispatch(request, sent, message, refusals)


def reaches(sent: Dispatch, partner: Party) -> bool:
    """Whether the SUT's document reached ``partner``: it names the partner in To and the axis
    delivered it to the partner's system. Only then can the partner answer it; a document that
    did not is SND-RECIPIENTS's to judge, never a reason for the harness to stop."""
    edoc = sent.edoc
    return (
        edoc is not None
        and sent.message is not None
        and partner.organ_id in edoc.recipients
        and partner.system_id in sent.message.deliveries
    )


@dataclass
class Sending:
    """Documents the SUT sent (to one partner, and to both) and the statuses the partners sent
    back on them, with what the SUT did with those; ``start`` is the cursor before it all."""

    single: Dispatch
    multiple: Dispatch
    replies: list[Receipt]
    start: int

    @property
    def dispatches(self) -> tuple[Dispatch, Dispatch]:
        return self.single, self.multiple
