"""The fake axis as an ASGI application: the VXP operations, the admin API and extension mounts.

A VXP call is matched on the last path segment (an endpoint may carry a base path, and a
trailing slash on it yields ``//sendEdoc``). The operation's writes, its notes, any injected
fault and its ``call`` event (request and answer) go into the store transaction shared by the
calls of one event-loop turn (group commit), which is committed before any of them is answered:
what a client was told is what the store and the transcript hold. The SDK ignores HTTP status
codes, so every outcome of a known operation is ``200`` with the JSON envelope, except
transport-level refusals (body too large), injected faults and ``downloadEdoc``, which answers
raw bytes or an empty ``404``.

The VXP hot path is a plain ASGI callable (no framework routing per call); ``/_admin`` and any
mounted extension (the dashboard under ``/ui``) go through a Starlette router.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from starlette.routing import Mount, Router

from axis import envelope
from axis.admin import admin_app
from axis.auth import Identity, authenticate, require_signed
from axis.config import AxisConfig
from axis.errors import AxisError, BadRequest, BadSignature, ErrorCode, TooLarge
from axis.faults import ANYTHING, CallSubject, FaultPlan, Injection, load_plan
from axis.operations import OPERATIONS, Answer, Call, Operation
from axis.registry import AgencyFields, register_agency
from axis.seed import default_systems, fixture_agency
from axis.sending import carried_document_ids
from axis.store import Clock, Store, open_store
from axis.wire import Headers
from spec.clock import Clock as SpecClock
from spec.clock import PosixClock

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

RESET_EXTENSION = "lienthong.reset"
ADMIN_PREFIX = "/_admin"
_JSON = b"application/json; charset=utf-8"
_BREAKING = frozenset({"error", "reset", "timeout", "outage"})
GROUP_COMMIT_WAIT_S = 0.001
_OK = envelope.ok()
_OCTETS = b"application/octet-stream"

log = logging.getLogger("axis")

__all__ = ["AxisApp", "EventBus", "create_app"]


class _ClientGone(Exception):
    """The client disconnected before its request was complete."""


class InjectedReset(ConnectionResetError):
    """Raised in-process (no socket to reset) when a reset fault fires."""


class EventBus:
    """Wakes long-polling admin waiters when the transcript grows."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.waiters = 0
        self.closed = False

    def close(self) -> None:
        """The server is shutting down: wake every waiter for good (long-lived streams end)."""
        self.closed = True
        self._wake()

    def bind(self) -> None:
        # Follow the running loop: an in-process test client may start a new one per request.
        loop = asyncio.get_running_loop()
        if loop is not self._loop or self._event is None:
            self._loop = loop
            self._event = asyncio.Event()

    def _wake(self) -> None:
        if self._event is not None:
            event, self._event = self._event, asyncio.Event()
            event.set()

    def notify(self, _seq: int) -> None:
        if not self.waiters or self._loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._wake()
        else:
            self._loop.call_soon_threadsafe(self._wake)

    def snapshot(self) -> asyncio.Event:
        """The event the next commit will set: take it before looking, then ``wait`` on it,
        so a commit in between is not missed."""
        self.bind()
        if self._event is None:  # pragma: no cover - bind() sets it
            raise RuntimeError("event bus not bound")
        return self._event

    async def wait(self, event: asyncio.Event, timeout: float) -> None:
        """Return once ``event`` is set (a commit happened) or after ``timeout`` seconds."""
        self.waiters += 1
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self.waiters -= 1


async def _send_bytes(
    send: Send, status: int, body: bytes, content_type: bytes, *, close: bool = False
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive, limit: int, declared: int | None) -> bytes:
    if declared is not None and declared > limit:
        raise TooLarge(f"body of {declared:,} bytes is over the limit of {limit:,} bytes")
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"body is over the limit of {limit:,} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _declared_length(headers: Headers) -> int | None:
    raw = headers.raw("content-length")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return None


class AxisApp:
    """The fake axis. ``store`` holds everything durable; ``faults`` the active fault plan;
    ``router`` serves ``/_admin`` and the extensions added with ``mount``."""

    def __init__(
        self,
        config: AxisConfig,
        store: Store,
        *,
        admin_token: str,
        calendar: SpecClock | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.clock: Clock = store.clock
        self.calendar: SpecClock = calendar or PosixClock(store.clock)
        self.admin_token = admin_token
        self.faults: FaultPlan | None = None
        self.bus = EventBus()
        self.calls: Counter[str] = Counter()
        self.failures: Counter[tuple[str, int]] = Counter()
        self.started = self.clock()
        self._prefixes: list[str] = [ADMIN_PREFIX]
        self._batch: asyncio.Future[bool] | None = None
        self._inflight = 0
        self.router = Router(routes=[Mount(ADMIN_PREFIX, app=admin_app(self))])
        store.add_listener(self.bus.notify)

    def __repr__(self) -> str:
        return f"create_app({self.config!r})"

    def mount(self, prefix: str, app: ASGIApp) -> None:
        """Serve ``app`` under ``prefix`` (e.g. the dashboard under ``/ui``)."""
        if not prefix.startswith("/") or prefix.endswith("/"):
            raise ValueError(f"prefix={prefix!r} must start with '/' and not end with '/'")
        self.router.routes.append(Mount(prefix, app=app))
        self._prefixes.append(prefix)

    def set_faults(self, spec: dict[str, Any] | None) -> None:
        """Install a fault plan (validated; ``None`` clears it) and record it, with the axis
        time it started at (outage windows count from it)."""
        started = self.clock()
        plan = FaultPlan(spec, started=started) if spec is not None else None
        self.faults = plan
        with self.store.transaction():
            self.store.event(
                "faults",
                {"action": "set" if plan else "cleared", "plan": spec or {}, "started": started},
            )

    def active_faults(self) -> dict[str, Any]:
        """The active plan with its remaining budgets (empty rules when none)."""
        return self.faults.describe() if self.faults else {"seed": 0, "rules": []}

    # --- seeding ------------------------------------------------------------------------

    def seed(self) -> None:
        """Add the configured systems (and the default ones) with their agencies."""
        specs = list(default_systems(self.config.seed)) if self.config.seed_defaults else []
        specs += list(self.config.systems)
        with self.store.transaction():
            for system in specs:
                if self.store.put_system(system.system_id, system.secret, system.name):
                    self.store.event("system", {"system": system.system_id, "action": "put"})
                for code in system.agencies:
                    existing = self.store.find_agency(code)
                    if existing is not None and existing.system_id == system.system_id:
                        continue
                    fixture = fixture_agency(code)
                    fields = AgencyFields(name=fixture.name if fixture else "")
                    register_agency(
                        self.store,
                        code,
                        system.system_id,
                        fields,
                        strict=False,
                        owner_may_change=True,
                    )
                    self.store.event(
                        "agency", {"system": system.system_id, "code": code, "action": "seeded"}
                    )

    # --- ASGI ---------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            path = scope["path"]
            for prefix in self._prefixes:
                if path == prefix or path.startswith(prefix + "/"):
                    await self.router(scope, receive, send)
                    return
            await self._vxp(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        # websockets are not part of the protocol: returning closes them

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.bus.bind()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- group commit -------------------------------------------------------------------

    def _join_batch(self) -> asyncio.Future[bool]:
        """The open batch (a transaction shared by the calls of this event-loop turn), opened
        if needed; its future says whether it committed."""
        loop = asyncio.get_running_loop()
        batch = self._batch
        if batch is None or batch.get_loop() is not loop:
            # Another thread's loop (an in-process transport beside the server) may hold a
            # batch: begin() waits for its commit, which also clears it.
            self.store.begin()
            batch = self._batch = loop.create_future()
            # Alone, commit at once; with other calls in progress, wait a moment so that they
            # share the commit (one WAL append instead of one each).
            if self._inflight > 1:
                loop.call_later(GROUP_COMMIT_WAIT_S, self._flush)
            else:
                loop.call_soon(self._flush)
        return batch

    def _flush(self) -> None:
        batch, self._batch = self._batch, None
        if batch is None:  # pragma: no cover - one flush per batch
            return
        try:
            self.store.commit()
        except Exception:
            log.exception("axis: commit failed; the calls of this batch were not applied")
            batch.set_result(False)
        else:
            batch.set_result(True)

    async def durable(self) -> bool:
        """Wait until what this turn wrote is committed (admin endpoints call it before
        answering); False when that commit failed."""
        batch = self._batch
        if batch is None or batch.get_loop() is not asyncio.get_running_loop():
            return True
        return await batch

    # --- a VXP call -------------------------------------------------------------------------

    async def _vxp(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._inflight += 1
        try:
            await self._vxp_call(scope, receive, send)
        finally:
            self._inflight -= 1

    async def _vxp_call(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].rsplit("/", 1)[-1]
        headers = Headers(scope["headers"])
        op = OPERATIONS.get(name)
        if op is None or scope["method"] != op.method:
            await self._refuse_route(scope, headers, name, op, send)
            return
        try:
            body = (
                await _read_body(receive, self.config.max_body_bytes, _declared_length(headers))
                if op.json
                else b""
            )
        except _ClientGone:
            return
        except TooLarge as exc:
            answer = Answer(envelope.fail(exc.code, exc.message, **_extra(op)), http_status=413)
            await self._commit_and_answer(send, op, scope, headers, b"", [], answer, close=True)
            return
        injections = (
            self.faults.decide(
                op.name,
                headers.vxp("systemid") or "",
                self.clock(),
                self._subject(op, headers, body),
            )
            if self.faults
            else []
        )
        latency = sum(i.params["latency_ms"] for i in injections if i.kind == "latency")
        if latency:
            await asyncio.sleep(latency / 1000.0)
        breaking = next((i for i in injections if i.kind in _BREAKING), None)
        if breaking is None:
            answer = self._process(op, scope, headers, body, injections)
            if not await self.durable():
                answer = _internal(op)
            await self._answer(send, op, answer)
            return
        if breaking.params.get("apply", False):
            self._process(op, scope, headers, body, injections)
        else:
            self._record(
                op.name,
                scope,
                headers,
                body,
                injections,
                _fault_answer(op, breaking),
                applied=False,
            )
        await self.durable()
        await self._break(send, receive, scope, op, breaking, _fault_answer(op, breaking))

    def _subject(self, op: Operation, headers: Headers, body: bytes) -> CallSubject:
        """What the call is about, for fault rules aimed at one document."""
        if op.name == "sendEdoc":
            return CallSubject(None, lambda: carried_document_ids(body))
        doc_id = headers.vxp("docId") if "docId" in op.keys else None
        if not doc_id:
            return ANYTHING

        def stored() -> list[str]:
            message = self.store.message(doc_id)
            return [message.document_id] if message is not None else []

        return CallSubject(doc_id, stored)

    async def _commit_and_answer(
        self,
        send: Send,
        op: Operation | None,
        scope: Scope,
        headers: Headers,
        body: bytes,
        injections: list[Injection],
        answer: Answer,
        *,
        close: bool = False,
    ) -> None:
        self._record(op.name if op else "?", scope, headers, body, injections, answer)
        await self.durable()
        await self._answer(send, op, answer, close=close)

    def _process(
        self,
        op: Operation,
        scope: Scope,
        headers: Headers,
        body: bytes,
        injections: list[Injection],
    ) -> Answer:
        """Run the call inside the open batch and record it; never raises."""
        notes: list[tuple[str, dict[str, Any]]] = []
        mark = None
        try:
            self._join_batch()
            mark = self.store.events_mark()
            answer, identity = self._run(op, headers, body, injections, notes)
            self._record(
                op.name, scope, headers, body, injections, answer, notes=notes, identity=identity
            )
        except Exception:
            log.exception("axis: %s failed and was not applied", op.name)
            if mark is not None:
                self.store.events_undo(mark)
            answer = _internal(op)
            try:
                self._record(op.name, scope, headers, body, injections, answer)
            except Exception:
                log.exception("axis: the transcript could not record the failure")
        return answer

    def _run(
        self,
        op: Operation,
        headers: Headers,
        body: bytes,
        injections: list[Injection],
        notes: list[tuple[str, dict[str, Any]]],
    ) -> tuple[Answer, Identity | None]:
        store = self.store
        claimed = headers.vxp("systemid") or ""
        try:
            identity = authenticate(
                headers, store.systems_view(), tolerate_8bit=self.config.tolerate_8bit_headers
            )
            if identity.tolerated_8bit:
                notes.append(
                    ("signature_8bit", {"op": op.name, "system": claimed, "accepted": True})
                )
            require_signed(identity, headers, op.keys)
        except BadSignature as exc:
            if exc.eight_bit:
                notes.append(
                    ("signature_8bit", {"op": op.name, "system": claimed, "accepted": False})
                )
            return _failure(op, exc), None
        except AxisError as exc:
            return _failure(op, exc), None
        call = Call(
            op.name, headers, body, identity, store, self.config, injections, notes, self.calendar
        )
        try:
            if not op.writes:
                return op.handler(call), identity
            with store.savepoint():
                return op.handler(call), identity
        except AxisError as exc:
            return _failure(op, exc), identity

    def _record(
        self,
        op_name: str,
        scope: Scope,
        headers: Headers,
        body: bytes,
        injections: list[Injection],
        answer: Answer,
        *,
        notes: list[tuple[str, dict[str, Any]]] | None = None,
        identity: Identity | None = None,
        applied: bool = True,
    ) -> None:
        """Append the call's notes, faults and its ``call`` event (request and answer) to the
        open batch, opening one if needed."""
        self._join_batch()
        store = self.store
        system = headers.vxp("systemid") or ""
        env = answer.envelope or _OK
        error_code = env["ErrorCode"]
        data: dict[str, Any] = {
            "op": op_name,
            "system": system,
            "method": scope["method"],
            "path": scope["path"][:200],
            "headers": _summary(headers, identity),
            "body_size": len(body),
            "body_sha256": hashlib.sha256(body).hexdigest() if body else "",
            "http_status": answer.http_status,
            "status": env["status"],
            "error_code": error_code,
            "error_desc": env["ErrorDesc"],
            "applied": applied,
        }
        op = OPERATIONS.get(op_name)
        if op is not None and "docId" in op.keys:
            doc_id = headers.vxp("docId")
            if doc_id:
                data["doc_id"] = doc_id[:200]
        data.update(answer.summary)
        self.calls[op_name] += 1
        if error_code != "0":
            self.failures[(op_name, int(error_code) if error_code.isdigit() else -1)] += 1
        for kind, note in notes or ():
            store.event(kind, note)
        for injection in injections:
            store.event("fault", {"op": op_name, "system": system, **injection.to_json()})
        store.event("call", data)

    async def _refuse_route(
        self, scope: Scope, headers: Headers, name: str, op: Operation | None, send: Send
    ) -> None:
        if op is None:
            error: AxisError = BadRequest(
                f"unknown operation {name[:80]!r}; known: {', '.join(OPERATIONS)}"
            )
            status = 404
        else:
            error = BadRequest(f"{op.name} takes {op.method}, not {scope['method']}")
            status = 405
        answer = Answer(envelope.fail(error.code, error.message), http_status=status)
        self._record(name[:80] or "/", scope, headers, b"", [], answer)
        await self.durable()
        await self._answer(send, op, answer)

    async def _answer(
        self, send: Send, op: Operation | None, answer: Answer, *, close: bool = False
    ) -> None:
        if op is not None and not op.json:
            if answer.raw is not None:
                await _send_bytes(send, answer.http_status, answer.raw, _OCTETS)
            else:
                # The client saves whatever it gets: refusals carry no body at all.
                status = answer.http_status if answer.http_status >= 500 else 404
                await _send_bytes(send, status, b"", _OCTETS)
            return
        if answer.encoded is not None:
            await _send_bytes(send, answer.http_status, answer.encoded, _JSON, close=close)
            return
        if answer.envelope is None:  # pragma: no cover - every JSON answer has one
            raise RuntimeError(f"answer to {op.name if op else '?'} has no envelope")
        body = envelope.encode(answer.envelope, ascii_only=op is not None and op.ascii_only)
        await _send_bytes(send, answer.http_status, body, _JSON, close=close)

    async def _break(
        self,
        send: Send,
        receive: Receive,
        scope: Scope,
        op: Operation,
        injection: Injection,
        answer: Answer,
    ) -> None:
        """Apply a breaking fault: an error answer, a reset, or silence until timeout."""
        kind = injection.kind
        mode = injection.params.get("mode", "error") if kind == "outage" else kind
        if mode == "error":
            await self._answer(send, op, answer)
            return
        if mode == "timeout":
            try:
                await asyncio.wait_for(_until_disconnect(receive), injection.params["hold_s"])
                return
            except TimeoutError:
                pass
        reset = scope.get("extensions", {}).get(RESET_EXTENSION)
        if reset is None:
            raise InjectedReset(f"injected {kind} fault on {op.name}")
        reset["reset"]()
        await _until_disconnect(receive)


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _extra(op: Operation | None) -> dict[str, Any]:
    # sendEdoc's answer is read for DocId unconditionally.
    return {"DocId": ""} if op is not None and op.name == "sendEdoc" else {}


def _summary(headers: Headers, identity: Identity | None) -> dict[str, str]:
    """The request's headers for the transcript: the signed values when the caller was
    authenticated (they equal the headers the operation used), else what was sent."""
    if identity is None:
        return headers.summary()
    out = {k: v[:200] for k, v in identity.signed.items()}
    agent = headers.get("user-agent")
    if agent is not None:
        out["user-agent"] = agent[:200]
    return out


def _internal(op: Operation) -> Answer:
    answer = Answer(
        envelope.fail(ErrorCode.INTERNAL, "internal error; nothing was changed", **_extra(op))
    )
    answer.summary["internal"] = True
    return answer


def _failure(op: Operation, exc: AxisError) -> Answer:
    desc = envelope.ascii_text(exc.message) if op.ascii_only else exc.message
    return Answer(envelope.fail(exc.code, desc, **_extra(op)), http_status=200 if op.json else 404)


def _fault_answer(op: Operation, injection: Injection) -> Answer:
    status = int(injection.params.get("http_status", 503))
    desc = f"service unavailable (injected fault {injection.rule})"
    return Answer(envelope.fail(ErrorCode.UNAVAILABLE, desc, **_extra(op)), http_status=status)


def create_app(
    config: AxisConfig,
    *,
    data_dir: Path | None = None,
    clock: Clock = time.time,
    calendar: SpecClock | None = None,
    admin_token: str | None = None,
) -> AxisApp:
    """Open the store (in ``data_dir``, else ``config.data_dir``), seed it, load the fault file,
    and return the ASGI app. The admin token is ``admin_token``, else ``config.admin_token``,
    else a new random one; the run id that salts DocIds is ``config.run_id``, else a new
    random one (both recorded in the ``start`` event). ``clock`` (POSIX seconds) times the
    transcript and the faults;
    ``calendar`` is the clock whose Vietnam date judges documents' dates (``clock`` itself by
    default; the suite gives its model clock)."""
    folder = data_dir or config.data_dir
    if folder is None:
        raise ValueError("create_app needs a data folder: config.data_dir or data_dir=")
    run_id = config.run_id or secrets.token_hex(8)
    store = open_store(folder, seed=config.seed, clock=clock, run_id=run_id)
    token = admin_token or config.admin_token or secrets.token_urlsafe(24)
    app = AxisApp(config, store, admin_token=token, calendar=calendar)
    from axis.dashboard import dashboard_app  # imported late, as the admin app is

    app.mount("/ui", dashboard_app(app))
    app.seed()
    if config.fault_file is not None:
        plan = load_plan(config.fault_file, started=clock())
        app.set_faults(plan.spec)
    with store.transaction():
        store.event(
            "start",
            {
                "strict": config.strict,
                "seed": config.seed,
                "run_id": run_id,
                "tolerate_8bit_headers": config.tolerate_8bit_headers,
                "max_body_bytes": config.max_body_bytes,
            },
        )
    return app
