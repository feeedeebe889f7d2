"""The axis demo: a fake axis, two systems, a few documents and their statuses, and the
per-document timeline from the transcript (what ``make demo`` shows of the axis).

VPCP (G22) sends fixture documents to Nghệ An (H41) and Cao Bằng (H14) with the protocol
client; each receiver runs the receive loop every SDK client runs (list, getEdoc, ack) and
answers with the statuses of spec's forward path (01 → 03 → 04 → 05 → 06); the sender picks
them up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from axis.client import AxisClient
from axis.config import AxisConfig
from axis.events import CallEvent, DeliveryEvent, Event, StoredEvent
from axis.server import RunningAxis, running_axis
from fixtures.agencies import lookup
from fixtures.factory import DocumentFactory
from spec.codec import serialize
from spec.formats import parse_timestamp
from spec.status_codes import FORWARD_PATH

SENDER = "000.00.00.G22"
RECEIVERS = ("000.00.00.H41", "000.00.00.H14")
DOCUMENTS = 2
TODAY = date(2026, 1, 5)

__all__ = ["run_demo", "timeline_lines"]


def _receive_all(client: AxisClient, messagetype: str) -> list[bytes]:
    """The receive loop of AXIS_PROTOCOL.md §6 for one message type."""
    received = []
    for item in client.get_received_list(messagetype):
        received.append(client.get_edoc(item["docId"]))
        client.update_status(item["docId"], "done")
    return received


def _describe(event: Event) -> str:
    match event.body:
        case CallEvent() as call:
            outcome = "OK" if call.ok else f"FAIL {call.error_code}"
            return f"{call.system:<11} {call.op:<20} {outcome}"
        case StoredEvent() as stored:
            code = f" status {stored.status_code}" if stored.status_code else ""
            return f"{stored.system:<11} stored {stored.messagetype}{code}, {stored.size:,} bytes"
        case DeliveryEvent() as delivery:
            return f"{delivery.system:<11} delivery -> {delivery.status}"
    return f"{event.system:<11} {event.kind}"


_SHOWN_CALLS = frozenset({"getEdoc", "downloadEdoc"})


def _shown(event: Event) -> bool:
    match event.body:
        case StoredEvent() | DeliveryEvent():
            return True
        case CallEvent(op=op):
            return op in _SHOWN_CALLS
    return False


def timeline_lines(axis: RunningAxis, doc_id: str) -> list[str]:
    """The document's timeline: storing, deliveries, downloads and acks of it and of the
    status messages that report on it."""
    with axis.admin() as admin:
        events = [e for e in admin.timeline(doc_id) if _shown(e)]
    start = events[0].at if events else None
    lines = []
    for event in events:
        offset = (event.at - start).total_seconds() * 1000 if start else 0.0
        short = event.doc_id[:8]
        lines.append(f"  +{offset:7.1f} ms  #{event.seq:<5} {short:<8}  {_describe(event)}")
    return lines


def _exchange(axis: RunningAxis, factory: DocumentFactory, out: Callable[[str], None]) -> list[str]:
    sender_agency = lookup(SENDER)
    receivers = [lookup(code) for code in RECEIVERS]
    if sender_agency is None or None in receivers:
        raise RuntimeError("the fixture registry lacks the demo agencies")
    clients = {a.system_id: axis.client(a.system_id) for a in [sender_agency, *receivers] if a}
    sender = clients[sender_agency.system_id]
    doc_ids = []
    for n in range(DOCUMENTS):
        doc = factory.edoc(sender_agency, receivers, attachments=1)  # type: ignore[arg-type]
        doc_id = sender.send_edoc(serialize(doc))
        doc_ids.append(doc_id)
        out(
            f"sent {doc.header.code.code_number}/{doc.header.code.code_notation} "  # type: ignore[union-attr]
            f"'{(doc.header.subject or '')[:60]}…' as DocId {doc_id}"
        )
        at = parse_timestamp("2026/01/05 08:00:00") + timedelta(hours=n)
        for agency in receivers:
            client = clients[agency.system_id]  # type: ignore[union-attr]
            got = _receive_all(client, "edoc")
            out(f"  {agency.system_id} received {len(got)} document(s) and acked them")  # type: ignore[union-attr]
            for step, code in enumerate(FORWARD_PATH):
                status = factory.status(doc, agency, code, at=at + timedelta(minutes=10 * step))  # type: ignore[arg-type]
                client.send_edoc(serialize(status), "status")
            path = " → ".join(c.value for c in FORWARD_PATH)
            out(f"  {agency.system_id} sent statuses {path}")  # type: ignore[union-attr]
        statuses = _receive_all(sender, "status")
        out(f"  {sender_agency.system_id} received {len(statuses)} status message(s)")
    for client in clients.values():
        client.close()
    return doc_ids


def run_demo(out: Callable[[str], None] = print, screenshot: Path | None = None) -> int:
    """Run the demo; with ``screenshot`` (a folder), leave the dashboard's picture there as
    ``dashboard.png``. Returns an exit code."""
    factory = DocumentFactory(seed=2026, today=TODAY)
    with running_axis(AxisConfig(seed=2026)) as axis:
        out(f"fake axis at {axis.url} (lenient mode, seed 2026)")
        doc_ids = _exchange(axis, factory, out)
        for doc_id in doc_ids:
            out(f"\ntimeline of DocId {doc_id}:")
            for line in timeline_lines(axis, doc_id):
                out(line)
        if screenshot is not None:
            from axis.dashboard import capture_dashboard_screenshot

            picture = capture_dashboard_screenshot(
                f"{axis.url}/ui/", screenshot / "dashboard.png", token=axis.admin_token
            )
            out(f"\ndashboard screenshot: {picture}")
        with axis.admin() as admin:
            stats = admin.stats()
        out(
            f"\n{stats['store']['messages']} messages stored, {stats['store']['events']} "
            f"transcript events, head {stats['head']['hash'][:16]}…"
        )
    return 0
