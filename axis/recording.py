"""Writing a call down: the ``call`` event of every request (what was asked and what the axis
answered), after the notes the operation made and the faults that fired on it, with the
per-operation counters the admin API's statistics show.

Whatever a client sends is bounded before it is kept: at most ``MAX_HEADERS`` headers, names
cut at ``MAX_NAME`` and values at ``MAX_VALUE`` characters; a cut header is listed in
``long_headers`` with its full lengths and the SHA-256 of its raw ``name: value`` bytes, so the
transcript stays small whatever a client sends and still identifies what it sent.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from axis import envelope
from axis.auth import Identity
from axis.bounded_cache import ByteBoundedCache
from axis.call import Answer
from axis.events import CallEvent, EventBody, FaultEvent, LongHeader
from axis.faults import Injection
from axis.numbers import whole_number
from axis.operations import OPERATIONS
from axis.signing import SIGN_HEADER
from axis.store import Store
from axis.wire import Headers

MAX_HEADERS = 50
MAX_NAME = 100
MAX_VALUE = 200
MAX_PATH = 200
_OK = envelope.ok()

__all__ = ["MAX_HEADERS", "MAX_NAME", "MAX_VALUE", "Recorder", "Request", "bounded_headers"]


@dataclass(slots=True)
class Request:
    """A call as it arrived: the operation it names (the path's last segment), the HTTP method
    and path, its headers and body, and the channel (``http``, or ``admin`` for an inject)."""

    op: str
    method: str
    path: str
    headers: Headers
    body: bytes
    channel: str = "http"


def bounded_headers(
    pairs: Iterable[tuple[str, str]],
) -> tuple[dict[str, str], tuple[LongHeader, ...]]:
    """Headers for the transcript: the first ``MAX_HEADERS`` names, each name and value cut to
    its bound, and a ``LongHeader`` for every one that was cut."""
    kept: dict[str, str] = {}
    long: list[LongHeader] = []
    for name, value in pairs:
        if len(kept) >= MAX_HEADERS:
            break
        short_name = name[:MAX_NAME]
        if short_name in kept:
            continue
        kept[short_name] = value[:MAX_VALUE]
        if len(name) > MAX_NAME or len(value) > MAX_VALUE:
            raw = f"{name}: {value}".encode("utf-8", "surrogateescape")
            digest = hashlib.sha256(raw).hexdigest()
            long.append(LongHeader(short_name, len(name), len(value), digest))
    return kept, tuple(long)


# A client repeats the same signed headers (one timestamp per service object): their bounded
# copy is worked out once per sign-header and agent.
_RECORDED: ByteBoundedCache[tuple[bytes, bytes], tuple[dict[str, str], tuple[LongHeader, ...]]]
_RECORDED = ByteBoundedCache(4 * 1024 * 1024, 16 * 1024)


def _recorded_headers(
    headers: Headers, identity: Identity | None
) -> tuple[dict[str, str], tuple[LongHeader, ...]]:
    """The signed values when the caller was authenticated (they equal the headers the
    operation used), else what was sent; and the user agent; bounded. Treat as read-only."""
    if identity is None:
        return bounded_headers(headers.summary_pairs())
    key = (headers.raw(SIGN_HEADER) or b"", headers.raw("user-agent") or b"")
    found = _RECORDED.get(key)
    if found is None:
        pairs = list(identity.signed.items())
        agent = headers.get("user-agent")
        if agent is not None:
            pairs.append(("user-agent", agent))
        found = bounded_headers(pairs)
        _RECORDED.put(key, found, 2 * (len(key[0]) + len(key[1])))
    return found


class Recorder:
    """Appends calls to the transcript of ``store`` and counts them per operation."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: Counter[str] = Counter()
        self.failures: Counter[tuple[str, int]] = Counter()

    def __repr__(self) -> str:
        return f"Recorder({self.store!r})"

    def record(
        self,
        request: Request,
        answer: Answer,
        *,
        identity: Identity | None = None,
        notes: Sequence[EventBody] = (),
        injections: Sequence[Injection] = (),
        applied: bool = True,
    ) -> None:
        """Write the call's notes, its faults and its ``call`` event (inside the open
        transaction)."""
        store = self.store
        system = system_of(request)[:MAX_VALUE]
        for note in notes:
            store.record(note)
        for injection in injections:
            store.record(
                FaultEvent(
                    op=request.op,
                    system=system,
                    rule=injection.rule,
                    fault=injection.kind,
                    params=injection.params,
                )
            )
        store.record(self.call_event(request, answer, identity, applied))

    def call_event(
        self, request: Request, answer: Answer, identity: Identity | None, applied: bool
    ) -> CallEvent:
        env = answer.envelope or _OK
        error_code = env["ErrorCode"]
        headers, long = _recorded_headers(request.headers, identity)
        self.calls[request.op] += 1
        if error_code != "0":
            code = whole_number(error_code)
            self.failures[(request.op, -1 if code is None else code)] += 1
        extra = dict(answer.summary)
        op = OPERATIONS.get(request.op)
        if "doc_id" not in extra and op is not None and "docId" in op.keys:
            doc_id = request.headers.vxp("docId")
            if doc_id:
                extra["doc_id"] = doc_id[:MAX_VALUE]
        return CallEvent(
            op=request.op[:MAX_NAME],
            system=system_of(request)[:MAX_VALUE],
            method=request.method[:MAX_NAME],
            path=request.path[:MAX_PATH],
            channel=request.channel,
            headers=headers,
            long_headers=long,
            body_size=len(request.body),
            body_sha256=hashlib.sha256(request.body).hexdigest() if request.body else "",
            http_status=answer.http_status,
            status=env["status"],
            error_code=error_code,
            error_desc=env["ErrorDesc"],
            applied=applied,
            **extra,
        )


def system_of(request: Request) -> str:
    """The systemId the request claims ("" when none)."""
    return request.headers.vxp("systemid") or ""
