"""What the dashboard remembers between page loads: facts the store's tables do not keep, folded
incrementally from the transcript and the message table.

The store knows each delivery's ack state, but not whether a waiting delivery was already
listed to its receiver (``getReceivedEdocList``) or downloaded (``getEdoc``/``downloadEdoc``),
nor how often each fault rule fired; and the business status of a document lives in other
messages (status messages with the same DocumentId). A ``Projection`` reads only what was
appended since its last look (a transcript cursor and a message cursor), so a page refresh
costs what changed, not the whole history. An admin reset that forgets messages makes it forget
what it derived from them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from axis.events import AdminEvent, CallEvent, Event, FaultEvent
from axis.ports import AxisView
from spec.lifecycle import receiver_of
from spec.status_codes import InvalidStatusCode, StatusCode

BATCH = 5000
_LISTING_OPS = frozenset({"getReceivedEdocList"})
_FETCH_OPS = frozenset({"getEdoc", "downloadEdoc"})

__all__ = ["Projection", "Sighting", "StatusReport"]


@dataclass(slots=True)
class Sighting:
    """The first time a system was shown a message (seq and time of that event), and how many
    times it was shown in all."""

    seq: int
    ts: str
    times: int = 1


@dataclass(frozen=True, slots=True)
class StatusReport:
    """One business status message as the dashboard needs it: who reported which code on
    which document, to whom."""

    seq: int
    doc_id: str
    document_id: str
    reporter: str
    addressee: str
    code: str
    created: str

    @property
    def receiver(self) -> str:
        """The receiving agency whose lifecycle this status belongs to (SPEC §3: the sender's
        13 names the receiver in ResponseFor, which the axis routes it to)."""
        try:
            parsed = StatusCode.parse(self.code)
        except InvalidStatusCode:
            return self.reporter
        return receiver_of(parsed, self.reporter, self.addressee)


class Projection:
    """Incremental facts about the messages of ``axis``; call ``refresh()`` before reading."""

    def __init__(self, axis: AxisView) -> None:
        self.axis = axis
        self._event_cursor = 0
        self._message_cursor = 0
        # doc_id → receiving system → first sighting
        self.listed: dict[str, dict[str, Sighting]] = {}
        self.fetched: dict[str, dict[str, Sighting]] = {}
        self.fault_fired: Counter[str] = Counter()
        self.seqs: list[int] = []
        # DocumentId → the edocs that carry it, and the status messages about it
        self.edocs: dict[str, list[str]] = {}
        self.statuses: dict[str, list[StatusReport]] = {}

    def __repr__(self) -> str:
        return f"Projection({self.axis!r})"

    @property
    def event_cursor(self) -> int:
        """The last transcript seq folded in."""
        return self._event_cursor

    def refresh(self) -> None:
        """Fold in the transcript events and messages appended since the last call."""
        while True:
            batch = self.axis.events_after(self._event_cursor, limit=BATCH)
            for event in batch:
                self._fold(event)
            if batch:
                self._event_cursor = batch[-1].seq
            if len(batch) < BATCH:
                break
        while True:
            rows = self.axis.list_messages(limit=BATCH, after_seq=self._message_cursor)
            for row in rows:
                self._add_message(row)
            if rows:
                self._message_cursor = rows[-1]["seq"]
            if len(rows) < BATCH:
                break

    def _fold(self, event: Event) -> None:
        match event.body:
            case CallEvent() as call if call.ok:
                if call.op in _LISTING_OPS:
                    for doc_id in call.listed:
                        self._sight(self.listed, doc_id, call.system, event)
                elif call.op in _FETCH_OPS and call.doc_id:
                    self._sight(self.fetched, call.doc_id, call.system, event)
            case FaultEvent(rule=rule):
                self.fault_fired[rule] += 1
            case AdminEvent(action="reset", messages=True):
                self._forget_messages()

    @staticmethod
    def _sight(
        table: dict[str, dict[str, Sighting]], doc_id: str, system: str, event: Event
    ) -> None:
        seen = table.setdefault(doc_id, {})
        found = seen.get(system)
        if found is None:
            seen[system] = Sighting(event.seq, event.ts)
        else:
            found.times += 1

    def _forget_messages(self) -> None:
        # The store keeps only messages stored after the reset: read them again from the start.
        self._message_cursor = 0
        self.seqs.clear()
        self.edocs.clear()
        self.statuses.clear()
        self.listed.clear()
        self.fetched.clear()

    def _add_message(self, row: dict[str, Any]) -> None:
        self.seqs.append(row["seq"])
        document_id = row["document_id"]
        if not document_id:
            return
        if row["messagetype"] != "status":
            self.edocs.setdefault(document_id, []).append(row["doc_id"])
            return
        deliveries = row["deliveries"]
        addressee = deliveries[0]["to"].split(",")[0] if deliveries else ""
        self.statuses.setdefault(document_id, []).append(
            StatusReport(
                seq=row["seq"],
                doc_id=row["doc_id"],
                document_id=document_id,
                reporter=row["from_code"],
                addressee=addressee,
                code=row["status_code"],
                created=row["created"],
            )
        )

    def latest_status(self, document_id: str, receiver: str) -> StatusReport | None:
        """The newest status on ``document_id`` in the lifecycle at ``receiver``."""
        found = None
        for report in self.statuses.get(document_id, ()):
            if report.receiver == receiver:
                found = report
        return found

    def status_history(self, document_id: str) -> dict[str, list[StatusReport]]:
        """Every status on ``document_id``, grouped by receiving agency, oldest first."""
        out: dict[str, list[StatusReport]] = {}
        for report in self.statuses.get(document_id, ()):
            out.setdefault(report.receiver, []).append(report)
        return out

    def window_start(self, limit: int) -> int:
        """The ``after_seq`` that makes ``list_messages(limit=limit)`` return the newest
        ``limit`` messages."""
        if len(self.seqs) <= limit:
            return 0
        return self.seqs[-limit - 1]
