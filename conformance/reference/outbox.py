"""The reference SUT's outbox: messages written to the register first and sent to the axis
afterwards, oldest first, each until the axis confirms it with a DocId.

A retry re-sends the very bytes stored, so a call that reached the axis before the answer was
lost yields the axis's earlier DocId, not a second message (AXIS_PROTOCOL.md §5).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from axis.errors import AxisError
from conformance.reference.link import TRANSIENT
from conformance.reference.register import ABANDONED, FAILED, OutboxItem
from conformance.reference.session import Session, model_seconds
from spec.codec import parse, serialize
from spec.model import Status

log = logging.getLogger("conformance.reference")

__all__ = ["Outbox"]


class Outbox:
    def __init__(self, session: Session) -> None:
        self.s = session

    def flush(self) -> bool:
        """Send every item that is due; False when a transient failure stopped the flush (the
        item stays pending and later ones wait behind it)."""
        register = self.s.register
        now = model_seconds(self.s.now())
        held: set[str] = set()  # documents with an earlier item still waiting
        for item in register.pending():
            if self.s.stop.is_set():
                return True
            if item.document_id in held:
                continue
            if item.not_before > now:
                held.add(item.document_id)
                continue
            try:
                doc_id = self._send(item)
            except TRANSIENT as exc:
                if self.s.behaviour.no_retry_on_5xx:
                    register.mark_attempt(item.id, f"gave up: {exc}", state=ABANDONED)
                    self.s.notify()
                    continue
                register.mark_attempt(item.id, f"{type(exc).__name__}: {exc}")
                log.warning("reference SUT: sending outbox item %s failed: %s", item.id, exc)
                return False
            except AxisError as exc:
                # A refusal a retry cannot change (unroutable, bad request, bad signature).
                register.mark_attempt(item.id, f"{type(exc).__name__}: {exc}", state=FAILED)
                held.add(item.document_id)
                self.s.notify()
                continue
            register.mark_sent(item.id, doc_id)
            self.s.notify()
        return True

    def _send(self, item: OutboxItem) -> str:
        payload = [item.payload]
        refresh = self.s.behaviour.duplicate_status_on_retry and item.messagetype == "status"

        def renew(_attempt: int) -> None:
            payload[0] = self._restamped(payload[0])
            self.s.register.replace_payload(item.id, payload[0])

        if refresh and item.attempts:
            renew(0)
        client = self.s.link.client
        return self.s.link.call(
            lambda: client.send_edoc(payload[0], item.messagetype),
            on_retry=renew if refresh else None,
        )

    def _restamped(self, data: bytes) -> bytes:
        """The duplicate-status-on-retry defect: the status rebuilt with a fresh Timestamp."""
        status = parse(data).message
        if not isinstance(status, Status):
            return data
        moment = self.s.now()
        status.timestamp = self.s.stamp(moment)
        fresh = self.s.sign(serialize(status))
        if fresh == data:
            status.timestamp = self.s.stamp(moment + timedelta(seconds=1))
            fresh = self.s.sign(serialize(status))
        return fresh
