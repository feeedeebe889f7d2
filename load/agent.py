"""One simulated connection system at work: it sends its agencies' documents, polls its inbox
for both message types, downloads, acks, and answers each document with the business statuses
of the spec's lifecycle, at the rates of its slot of the plan.

The agent is the behaviour without the load generator: it talks through a *wire* (a function
that sends one signed request and returns a :class:`Reply`) and sleeps through a given
function, so the same code runs in a locust user (gevent, FastHttpUser's client) and, in tests,
over plain httpx. Requests are signed by :class:`axis.client.AxisClient`, byte for byte as the
SDK signs them, stale headers included.

Like the SDK, the agent retries a call after a transport error or an ``Unavailable``/internal
answer, with the same bytes; a message that still fails stays at the head of its outbox and
goes again on the next step, so nothing it was asked to send is dropped and nothing is sent as
new twice. It de-duplicates its inbox by DocId, as SPEC §5 asks of every receiver.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import itertools
import json
import random
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from axis.client import AxisClient
from axis.errors import ErrorCode
from axis.signing import sdk_hash_file
from load.documents import DocumentMill
from load.journal import Journal
from load.plan import LoadPlan, SlotPlan
from spec import model
from spec.clock import SYSTEM_CLOCK, Clock, wall_time
from spec.codec import parse
from spec.errors import SpecError
from spec.formats import format_timestamp

JSON = "application/json"
OCTETS = "application/octet-stream"
_RETRYABLE_CODES = {str(int(ErrorCode.UNAVAILABLE)), str(int(ErrorCode.INTERNAL))}
BACKOFF_S = 0.05

__all__ = ["Agent", "Reply", "Wire", "read_reply"]


class Reply(NamedTuple):
    """What one call came back with: the HTTP status (0 when the transport failed), the body,
    the parsed envelope of a JSON operation (None otherwise) and why it failed ("" when OK)."""

    status: int
    content: bytes
    envelope: dict[str, Any] | None
    problem: str
    retryable: bool

    @property
    def ok(self) -> bool:
        return not self.problem


def read_reply(op: str, status: int, content: bytes, transport_error: str = "") -> Reply:
    """Judge a raw answer as the SDK would: only the JSON envelope counts for JSON operations;
    ``downloadEdoc`` answers bytes or an empty 404."""
    if transport_error:
        return Reply(0, b"", None, f"transport: {transport_error}", True)
    if op == "downloadEdoc":
        if status == 200:
            return Reply(status, content, None, "", False)
        return Reply(status, content, None, f"HTTP {status}", status >= 500)
    try:
        envelope = json.loads(content)
    except ValueError:
        return Reply(status, content, None, f"HTTP {status}, not JSON", status >= 500)
    if not isinstance(envelope, dict):
        return Reply(status, content, None, f"HTTP {status}, not an envelope", False)
    if envelope.get("status") == "OK":
        return Reply(status, content, envelope, "", False)
    code = str(envelope.get("ErrorCode", ""))
    problem = f"ErrorCode {code}: {envelope.get('ErrorDesc', '')}"
    return Reply(status, content, envelope, problem, code in _RETRYABLE_CODES)


class Wire(Protocol):
    """Sends one request (``op`` is the operation name, the path's last segment)."""

    def __call__(
        self, op: str, method: str, headers: list[tuple[str, str]], body: bytes
    ) -> Reply: ...


@dataclass(slots=True)
class _Outgoing:
    """A message waiting to be sent; its bytes never change, so a retry is a duplicate the
    axis recognises."""

    data: bytes
    messagetype: str
    meta: dict[str, Any]


@dataclass(order=True, slots=True)
class _StatusJob:
    due: float
    order: int
    about: str = field(compare=False)
    edoc: model.Edoc = field(compare=False, repr=False)
    reporter: str = field(compare=False)
    code: str = field(compare=False)


class Agent:
    """The connection system of ``slot``. ``send_until`` says when its sending window closes
    (epoch seconds; None while it is not known yet); after that it drains."""

    def __init__(
        self,
        slot: SlotPlan,
        plan: LoadPlan,
        wire: Wire,
        journal: Journal,
        *,
        send_until: Callable[[], float | None],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        calendar: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.slot = slot
        self.behaviour = plan.behaviour
        self.wire = wire
        self.journal = journal
        self.send_until = send_until
        self.sleep = sleep
        self.clock = clock
        self.monotonic = monotonic
        self.calendar = calendar
        self.rng = random.Random(f"lienthong-load:{plan.seed}:{slot.index}")
        self.mill = DocumentMill(slot, plan, self.rng)
        # AxisClient is the SDK-exact signer here; its own HTTP client stays unused.
        self.signer = AxisClient(
            plan.axis_url,
            slot.system_id,
            slot.secret,
            carry_stale_headers=self.behaviour.carry_stale_headers,
        )
        self.outbox: deque[_Outgoing] = deque()
        self.statuses: list[_StatusJob] = []
        self.handled: set[str] = set()
        self.acked: set[str] = set()
        self._order = itertools.count()
        self.last_sent = float("-inf")
        """When (monotonic) this system last had a message accepted by the axis."""
        self.empty_poll_at: float | None = None
        """When (monotonic) the latest round of polls began, if it found nothing listed."""
        start = monotonic()
        self.next_send = start + self._gap()
        self.next_poll = start + self.rng.uniform(0, slot.poll_interval_s)
        journal.write("started", system=slot.system_id, t=round(clock(), 4))

    def __repr__(self) -> str:
        return f"<Agent {self.slot.system_id} ({len(self.outbox)} queued)>"

    def close(self) -> None:
        self.signer.close()

    @property
    def idle(self) -> bool:
        """Nothing queued to send and no status waiting for its time."""
        return not self.outbox and not self.statuses

    def draining(self) -> bool:
        until = self.send_until()
        return until is not None and self.clock() >= until

    def _gap(self) -> float:
        rate = self.slot.documents_per_s
        return self.rng.expovariate(rate) if rate > 0 else float("inf")

    # --- the loop ----------------------------------------------------------------------

    def step(self) -> float:
        """Do what is due; return the seconds until something is due again."""
        draining = self.draining()
        moment = self.monotonic()
        if not draining and moment >= self.next_send:
            self._queue_document(behind=moment - self.next_send)
            self.next_send += self._gap()
        self._release_statuses(moment, draining)
        self._flush()
        if moment >= self.next_poll:
            began = self.monotonic()
            listed = [self._poll(messagetype) for messagetype in ("edoc", "status")]
            self.empty_poll_at = None if any(listed) else began
            interval = self.behaviour.drain_poll_s if draining else self.slot.poll_interval_s
            self.next_poll = self.monotonic() + interval
        due = [self.next_poll]
        if not draining:
            due.append(self.next_send)
        if self.statuses:
            due.append(self.statuses[0].due)
        if self.outbox:
            due.append(self.monotonic() + BACKOFF_S)
        return max(0.0, min(due) - self.monotonic())

    def _queue_document(self, behind: float) -> None:
        """Queue the next document; ``behind`` says how late it is on the Poisson schedule
        (a system that cannot keep up falls behind: then it, not the axis, sets the pace)."""
        doc = self.mill.document(wall_time(self.calendar))
        meta = {
            "kind": "edoc",
            "document_id": doc.document_id,
            "from": doc.sender,
            "to": list(doc.to),
            "queued": round(self.clock(), 4),
            "behind_s": round(behind, 4),
        }
        self.outbox.append(_Outgoing(doc.data, "edoc", meta))

    def _release_statuses(self, moment: float, draining: bool) -> None:
        while self.statuses and (draining or self.statuses[0].due <= moment):
            job = heapq.heappop(self.statuses)
            stamp = wall_time(self.calendar)
            data = self.mill.status(job.edoc, job.reporter, job.code, stamp)
            meta = {
                "kind": "status",
                "code": job.code,
                "about": job.about,
                "document_id": job.edoc.header.document_id,
                "from": job.reporter,
                "to": [job.edoc.sender],
                "timestamp": format_timestamp(stamp.replace(microsecond=0)),
                "queued": round(self.clock(), 4),
            }
            self.outbox.append(_Outgoing(data, "status", meta))

    def _flush(self) -> None:
        while self.outbox:
            if not self._send(self.outbox[0]):
                return
            self.outbox.popleft()

    # --- calls ---------------------------------------------------------------------------

    def _call(
        self,
        op: str,
        header_json: Mapping[str, str],
        body: bytes = b"",
        *,
        method: str = "POST",
        content_type: str = JSON,
    ) -> Reply:
        """One call, retried like the SDK retries it."""
        headers = self.signer.signed_headers(content_type, header_json)
        reply = self.wire(op, method, headers, body)
        for attempt in range(self.behaviour.retries):
            if reply.ok or not reply.retryable:
                break
            self.sleep(BACKOFF_S * (attempt + 1))
            reply = self.wire(op, method, headers, body)
        return reply

    def _send(self, out: _Outgoing) -> bool:
        """Send one message; True when it is done with (sent, or refused for good)."""
        header_json = {
            "from": self.slot.system_id,
            "servicetype": "eDoc",
            "messagetype": out.messagetype,
            "hash-file": sdk_hash_file(out.data),
        }
        started = self.clock()
        reply = self._call("sendEdoc", header_json, out.data + b"\r\n", content_type=OCTETS)
        sha256 = hashlib.sha256(out.data).hexdigest()
        if reply.ok and reply.envelope is not None:
            self.last_sent = self.monotonic()
            self.journal.write(
                "sent",
                system=self.slot.system_id,
                doc_id=str(reply.envelope.get("DocId", "")),
                sha256=sha256,
                size=len(out.data),
                t=round(started, 4),
                answered=round(self.clock(), 4),
                **out.meta,
            )
            return True
        if reply.retryable:
            return False
        self.journal.write(
            "refused",
            system=self.slot.system_id,
            op="sendEdoc",
            sha256=sha256,
            problem=reply.problem,
            **out.meta,
        )
        return True

    def _poll(self, messagetype: str) -> bool:
        """One poll of the inbox for ``messagetype``; True when the axis listed anything (or
        the poll failed, so it may have)."""
        reply = self._call(
            "getReceivedEdocList", {"servicetype": "eDoc", "messagetype": messagetype}
        )
        if not reply.ok or reply.envelope is None:
            return True
        listed: set[str] = set()
        for item in reply.envelope.get("data", []):
            doc_id = str(item.get("docId", ""))
            if not doc_id or doc_id in listed:
                continue
            listed.add(doc_id)
            if doc_id in self.acked:
                self.journal.write("relisted", system=self.slot.system_id, doc_id=doc_id)
            elif doc_id not in self.handled and not self._receive(doc_id, messagetype):
                continue
            self._ack(doc_id)
        return bool(listed)

    def _receive(self, doc_id: str, messagetype: str) -> bool:
        """Download and parse one message; True when it may be acked ``done``."""
        via = "downloadEdoc" if self.rng.random() < self.behaviour.download_share else "getEdoc"
        data = self._download(doc_id, via)
        if data is None:
            return False
        try:
            message = parse(data).message
        except SpecError as exc:
            self.journal.write(
                "unparsed", system=self.slot.system_id, doc_id=doc_id, problem=str(exc)[:200]
            )
            self._call("updateStatus", {"docId": doc_id, "status": "fail"}, b"{}")
            return False
        self.handled.add(doc_id)
        entry: dict[str, Any] = {
            "system": self.slot.system_id,
            "doc_id": doc_id,
            "kind": message.kind,
            "listed_as": messagetype,
            "sha256": hashlib.sha256(data).hexdigest(),
            "via": via,
            "t": round(self.clock(), 4),
        }
        if isinstance(message, model.Edoc):
            entry["document_id"] = message.header.document_id
            self._schedule(doc_id, message, entry)
        elif isinstance(message, model.Status):
            response_for = message.response_for
            entry["document_id"] = response_for.document_id if response_for else None
            entry["code"] = message.status_code
        self.journal.write("received", **entry)
        return True

    def _download(self, doc_id: str, via: str) -> bytes | None:
        if via == "downloadEdoc":
            reply = self._call("downloadEdoc", {"docId": doc_id}, method="GET")
            return reply.content if reply.ok else None
        reply = self._call("getEdoc", {"docId": doc_id, "filePath": "xml"}, b"{}")
        if not reply.ok or reply.envelope is None:
            return None
        try:
            return base64.b64decode(str(reply.envelope.get("data", "")), validate=True)
        except (binascii.Error, ValueError):
            self.journal.write(
                "unparsed", system=self.slot.system_id, doc_id=doc_id, problem="data not base64"
            )
            return None

    def _schedule(self, doc_id: str, edoc: model.Edoc, entry: dict[str, Any]) -> None:
        """Plan the statuses of a received document: the first at once, the rest later."""
        reporter = self.mill.reporter_for(edoc)
        if reporter is None:
            entry["misrouted"] = True
            return
        entry["reporter"] = reporter
        edoc.attachments = []  # only the header is needed to answer; keep memory flat
        edoc.manifest = None
        due = self.monotonic()
        gap = self.behaviour.status_gap_s
        for index, code in enumerate(self.mill.lifecycle()):
            if index and gap > 0:
                due += self.rng.expovariate(1.0 / gap)
            heapq.heappush(
                self.statuses, _StatusJob(due, next(self._order), doc_id, edoc, reporter, code)
            )

    def _ack(self, doc_id: str) -> None:
        reply = self._call("updateStatus", {"docId": doc_id, "status": "done"}, b"{}")
        if reply.ok:
            self.acked.add(doc_id)
            self.journal.write(
                "acked", system=self.slot.system_id, doc_id=doc_id, t=round(self.clock(), 4)
            )
