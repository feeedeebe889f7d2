"""Simulated peer agencies: the axis's default systems played by software that behaves like an
agency's, so a vendor who sends to VPCP or a province gets statuses back, as the real test
axis's VPCP accounts answered.

Each peer runs the receive loop of AXIS_PROTOCOL.md §6 on its own schedule with the protocol
client (the same signed HTTP calls as any vendor; nothing reaches into the store), acknowledges
what it gets, and answers each document with its status script (:mod:`axis.peer_plan`): by
default 01 → 03 → 04 → 05 → 06, each after a handling time drawn from the agencies' handling
times that the simulator uses too (``fixtures/data/handling_times.yaml``), divided by the
peers' time scale so that a developer is not kept waiting. It answers take-back requests (13)
with 15 or 16, and may send documents to the vendor's agency on a schedule, and ask for them
back. Everything it does is a call in the transcript and on the dashboard.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import httpx

import spec
from axis.client import AxisClient
from axis.errors import AxisError
from axis.peer_plan import PeerBehaviour, PeerPlan, SendSchedule
from axis.peer_settings import PeerSettings
from fixtures.agencies import Agency, lookup
from fixtures.factory import DocumentFactory
from fixtures.handling import HandlingTime, time_of
from spec.clock import SYSTEM_CLOCK, Clock, vietnam_today, wall_time
from spec.codec import serialize
from spec.errors import InputRefused
from spec.model import Edoc, Status
from spec.organ_ids import Tier
from spec.status_codes import StatusCode

PEER_USER_AGENT = "lienthong-peer/1.0 (simulated agency of the fake axis)"
MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0

log = logging.getLogger("axis.peers")

__all__ = ["PEER_USER_AGENT", "Peer", "PeerRunner", "handling_time"]


def handling_time(code: StatusCode) -> HandlingTime:
    """How long an agency takes before it sends ``code`` (model seconds): 01 after the
    software's download, 02/03 after the registry clerk, 04 after a leader, 05 after the
    officer's work, 06 after the wait to completion, 15/16 after answering a take-back."""
    path, unit = {
        StatusCode.ARRIVED: ("systems.ack_seconds", 1.0),
        StatusCode.REFUSED: ("agencies.clerk_minutes", MINUTE),
        StatusCode.ACCEPTED: ("agencies.clerk_minutes", MINUTE),
        StatusCode.ASSIGNED: ("agencies.leader_minutes", MINUTE),
        StatusCode.PROCESSING: ("agencies.officer_hours.none", HOUR),
        StatusCode.COMPLETED: ("agencies.lead_days.none", DAY),
    }.get(code, ("agencies.take_back.answer_minutes", MINUTE))
    return time_of(path, unit)


Action = Callable[[], None]


@dataclass
class Peer:
    """One simulated system: its client, the agencies it speaks for, what it received and
    sent, and its behaviour. ``later(model_seconds, action)`` schedules an action."""

    system_id: str
    agencies: tuple[str, ...]
    behaviour: PeerBehaviour
    client: AxisClient
    factory: DocumentFactory
    rng: random.Random
    clock: Clock
    later: Callable[[float, Action], None]
    received: dict[tuple[str, str], Edoc] = field(default_factory=dict)
    withdrawn: set[tuple[str, str]] = field(default_factory=set)
    sent: int = 0

    def __repr__(self) -> str:
        return f"Peer({self.system_id!r}, {self.behaviour!r})"

    # --- the receive loop ---------------------------------------------------------------

    def poll(self) -> None:
        for messagetype in ("edoc", "status"):
            for item in self.client.get_received_list(messagetype):
                self._receive(str(item["docId"]), messagetype)

    def _receive(self, doc_id: str, messagetype: str) -> None:
        data = self.client.get_edoc(doc_id)
        try:
            message = spec.check(data, spec.Options(clock=self.clock)).message
        except InputRefused:
            message = None
        self.client.update_status(doc_id, "done")
        if isinstance(message, Edoc):
            self._answer(message)
        elif isinstance(message, Status):
            self._on_status(message)

    # --- answering documents ------------------------------------------------------------

    def _answer(self, edoc: Edoc) -> None:
        mine = [c for c in edoc.recipients if c in self.agencies and lookup(c) is not None]
        answer = self.behaviour.answer
        for code in mine:
            self.received[(edoc.header.document_id or "", code)] = edoc
            if answer == "silent":
                continue
            if answer == "refuse":
                script: Sequence[StatusCode] = (StatusCode.ARRIVED, StatusCode.REFUSED)
            else:
                script = self.behaviour.statuses
            self._script(edoc, code, script, twice=answer == "twice")

    def _script(self, edoc: Edoc, code: str, script: Sequence[StatusCode], *, twice: bool) -> None:
        due = 0.0
        for status in script:
            due += handling_time(status).draw(self.rng)
            self.later(due, self._status_action(edoc, code, status, twice=twice))

    def _status_action(
        self, edoc: Edoc, code: str, status: StatusCode, *, twice: bool = False
    ) -> Action:
        def send() -> None:
            key = (edoc.header.document_id or "", code)
            if key in self.withdrawn and not status.stage.answers_take_back:
                return
            reporter = lookup(code)
            if reporter is None:  # pragma: no cover - checked when received
                return
            for copy in range(2 if twice else 1):
                # A second copy is another message (a second later), not an SDK retry.
                at = wall_time(self.clock) + timedelta(seconds=copy)
                message = self.factory.status(edoc, reporter, status, at)
                self.client.send_edoc(serialize(message), "status")

        return send

    def _on_status(self, status: Status) -> None:
        rf = status.response_for
        if status.status_code != StatusCode.TAKE_BACK_REQUESTED.value or rf is None:
            return
        key = ((rf.document_id or "").strip(), (rf.organ_id or "").strip())
        edoc = self.received.get(key)
        answer = self.behaviour.take_back
        if edoc is None or answer == "silent":
            return
        if answer == "agree":
            self.withdrawn.add(key)
            code = StatusCode.TAKE_BACK_AGREED
        else:
            code = StatusCode.TAKE_BACK_REFUSED
        self.later(handling_time(code).draw(self.rng), self._status_action(edoc, key[1], code))

    # --- sending documents --------------------------------------------------------------

    def schedule_sends(self) -> None:
        schedule = self.behaviour.send
        if schedule is None:
            return
        for n in range(schedule.count):
            self.later(schedule.first_after_s + n * schedule.every_s, self._send_action(schedule))

    def _send_action(self, schedule: SendSchedule) -> Action:
        def send() -> None:
            sender = lookup(schedule.sender or self.agencies[0])
            if sender is None:
                log.warning("peer %s: sender %r is not a known agency", self.system_id, schedule)
                return
            targets = [_agency(code) for code in schedule.to]
            doc = self.factory.edoc(sender, targets, attachments=1, sent_at=wall_time(self.clock))
            self.client.send_edoc(serialize(doc))
            self.sent += 1
            if schedule.take_back_after_s is not None:
                for target in targets:
                    self.later(schedule.take_back_after_s, self._take_back_action(doc, target))

        return send

    def _take_back_action(self, doc: Edoc, target: Agency) -> Action:
        def send() -> None:
            ask = self.factory.take_back(doc, target, wall_time(self.clock))
            self.client.send_edoc(serialize(ask), "status")

        return send


def _agency(code: str) -> Agency:
    """The fixture agency ``code``, or a stand-in for an agency the registry does not know (a
    vendor's own code)."""
    found = lookup(code)
    if found is not None:
        return found
    return Agency(code, code, Tier.PROVINCE, None, "", None, True, code)


class PeerRunner:
    """Plays the simulated systems of an axis at ``url``: one thread, one scheduler, a protocol
    client per peer. ``systems`` maps a system id to (secret, agencies)."""

    def __init__(
        self,
        url: str,
        systems: dict[str, tuple[str, tuple[str, ...]]],
        plan: PeerPlan,
        settings: PeerSettings,
        *,
        seed: int | None = None,
        clock: Clock = SYSTEM_CLOCK,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._queue: list[tuple[float, int, Action]] = []
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        base = random.Random(seed)
        self.peers: list[Peer] = []
        for system_id, (secret, agencies) in sorted(systems.items()):
            behaviour = plan.behaviour(system_id)
            if behaviour is None or not agencies:
                continue
            client = AxisClient(
                url, system_id, secret, transport=transport, user_agent=PEER_USER_AGENT
            )
            self.peers.append(
                Peer(
                    system_id,
                    agencies,
                    behaviour,
                    client,
                    DocumentFactory(base.getrandbits(32), vietnam_today(clock)),
                    random.Random(base.getrandbits(64)),
                    clock,
                    self._later,
                )
            )

    def __repr__(self) -> str:
        return f"PeerRunner({[p.system_id for p in self.peers]!r}, {self.settings!r})"

    @property
    def systems(self) -> list[str]:
        return [p.system_id for p in self.peers]

    def _later(self, model_s: float, action: Action) -> None:
        self._at(time.monotonic() + model_s / self.settings.time_scale, action)

    def _at(self, due: float, action: Action) -> None:
        with self._lock:
            heapq.heappush(self._queue, (due, next(self._order), action))
        self._wake.set()

    def _poll_forever(self, peer: Peer) -> Action:
        def poll() -> None:
            try:
                peer.poll()
            finally:
                if not self._stop.is_set():
                    self._at(time.monotonic() + self.settings.poll_s, self._poll_forever(peer))

        return poll

    def start(self) -> None:
        """Start playing (a daemon thread); ``stop`` ends it."""
        for peer in self.peers:
            self._at(time.monotonic(), self._poll_forever(peer))
            peer.schedule_sends()
        self._thread = threading.Thread(target=self._run, name="axis-peers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(30)
        for peer in self.peers:
            peer.client.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                head = self._queue[0] if self._queue else None
                if head is not None and head[0] <= time.monotonic():
                    heapq.heappop(self._queue)
                    self._wake.clear()
            if head is None or head[0] > time.monotonic():
                self._wake.wait(None if head is None else head[0] - time.monotonic())
                self._wake.clear()
                continue
            try:
                head[2]()
            except (AxisError, httpx.HTTPError, OSError) as exc:
                log.warning("simulated peer: %s: %s", type(exc).__name__, exc)
