"""One VXP call as an operation sees it, and what it answers: the types every operation
module shares, with the header helpers they all use.

An operation reads only the headers it owns (a stale ``status`` or ``docId`` riding along on
other calls is ignored), checks everything before it writes, and writes through the store inside
the transaction the app opened. What it wants in the transcript beyond its ``call`` event
(findings, routing, deliveries, duplicates) it adds with ``call.note``; those notes are written
even when it then refuses the call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from axis.auth import Identity
from axis.config import AxisConfig
from axis.errors import BadRequest
from axis.events import AmbiguousHeaderEvent, EventBody
from axis.faults import Injection
from axis.signing import PREFIX
from axis.store import Store
from axis.wire import Headers
from spec.clock import SYSTEM_CLOCK, VIETNAM
from spec.clock import Clock as SpecClock
from spec.formats import TIMESTAMP_FORMAT

__all__ = [
    "MESSAGE_TYPES",
    "Answer",
    "Call",
    "Handler",
    "Operation",
    "read_messagetype",
    "required",
    "wire_time",
]

MESSAGE_TYPES = ("edoc", "status")


@dataclass(slots=True)
class Call:
    """One authenticated call as the operation sees it."""

    op: str
    headers: Headers
    body: bytes
    identity: Identity
    store: Store
    config: AxisConfig
    injections: list[Injection] = field(default_factory=list)
    notes: list[EventBody] = field(default_factory=list)
    calendar: SpecClock = SYSTEM_CLOCK  # whose Vietnam date judges the documents' dates

    @property
    def system_id(self) -> str:
        return self.identity.system.system_id

    def note(self, event: EventBody) -> None:
        """Add ``event`` to the transcript with this call (even when the call is refused)."""
        self.notes.append(event)

    def injected(self, kind: str) -> list[Injection]:
        return [i for i in self.injections if i.kind == kind]


@dataclass(slots=True)
class Answer:
    """What to send back: a JSON envelope (``encoded`` when it was encoded in advance) or raw
    bytes (``downloadEdoc``), and what the transcript's ``call`` event should say beyond the
    envelope."""

    envelope: dict[str, Any] | None = None
    raw: bytes | None = None
    http_status: int = 200
    encoded: bytes | None = None  # the envelope, already encoded (a cached list)
    summary: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Call], Answer]


@dataclass(frozen=True, slots=True)
class Operation:
    """An operation: its HTTP method, the headers it owns (they must be signed) and its
    handler. ``json`` is False for ``downloadEdoc``, which answers raw bytes."""

    name: str
    method: str
    keys: tuple[str, ...]
    handler: Handler
    json: bool = True
    ascii_only: bool = False
    writes: bool = False


_WIRE_TIMES: dict[int, str] = {}


def wire_time(moment: float) -> str:
    """``yyyy/MM/dd HH:mm:ss`` in Vietnam time (memoised per second: lists repeat them)."""
    second = int(moment)
    text = _WIRE_TIMES.get(second)
    if text is None:
        if len(_WIRE_TIMES) > 100_000:
            _WIRE_TIMES.clear()
        text = datetime.fromtimestamp(second, UTC).astimezone(VIETNAM).strftime(TIMESTAMP_FORMAT)
        _WIRE_TIMES[second] = text
    return text


def required(call: Call, key: str, what: str) -> str:
    value = call.headers.vxp(key)
    if not value:
        raise BadRequest(f"header {PREFIX}{key} is required ({what})")
    conflicts = call.headers.conflicts(key)
    if conflicts:
        call.note(
            AmbiguousHeaderEvent(
                op=call.op, system=call.system_id, key=key, values=tuple(conflicts)
            )
        )
    return value


def read_messagetype(call: Call) -> str:
    value = required(call, "messagetype", "edoc or status").lower()
    if value not in MESSAGE_TYPES:
        raise BadRequest(f"header {PREFIX}messagetype={value!r} must be edoc or status")
    return value
