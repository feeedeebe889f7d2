"""One VXP call over HTTP: match the operation on the path's last segment (an endpoint may carry
a base path, and a trailing slash on it yields ``//sendEdoc``), read the body within its
bounds, let the fault plan decide, run the operation through the shared ``execute`` step inside
the group commit, and answer once the commit is durable.

The SDK ignores HTTP status codes, so every outcome of a known operation is ``200`` with the
JSON envelope, except transport-level refusals (body too large or too slow), injected faults
and ``downloadEdoc``, which answers raw bytes or an empty ``404``.
"""

from __future__ import annotations

import asyncio

from axis import envelope
from axis.asgi import ClientGone, Receive, Scope, Send, SlowBody, read_body, send_bytes
from axis.asgi import until_disconnect as _until_disconnect
from axis.call import Answer
from axis.config import AxisConfig
from axis.errors import AxisError, BadRequest, ErrorCode, TooLarge
from axis.execute import Executor, internal, send_extra
from axis.fault_switch import FaultSwitch
from axis.faults import ANYTHING, CallSubject, Injection
from axis.group_commit import GroupCommit
from axis.numbers import whole_number
from axis.operations import OPERATIONS, Operation
from axis.recording import Recorder, Request
from axis.sending import carried_document_ids
from axis.wire import Headers

RESET_EXTENSION = "lienthong.reset"
_JSON = b"application/json; charset=utf-8"
_OCTETS = b"application/octet-stream"
_BREAKING = frozenset({"error", "reset", "timeout", "outage"})

__all__ = ["RESET_EXTENSION", "InjectedReset", "VxpEndpoint"]


class InjectedReset(ConnectionResetError):
    """Raised in-process (no socket to reset) when a reset fault fires."""


class VxpEndpoint:
    """Serves the VXP operations of one axis."""

    def __init__(
        self,
        config: AxisConfig,
        executor: Executor,
        recorder: Recorder,
        group: GroupCommit,
        faults: FaultSwitch,
    ) -> None:
        self.config = config
        self.executor = executor
        self.recorder = recorder
        self.group = group
        self.faults = faults

    def __repr__(self) -> str:
        return f"VxpEndpoint({self.config!r})"

    def _subject(self, op: Operation, headers: Headers, body: bytes) -> CallSubject:
        """What the call is about, for fault rules aimed at one document."""
        if op.name == "sendEdoc":
            return CallSubject(None, lambda: carried_document_ids(body))
        doc_id = headers.vxp("docId") if "docId" in op.keys else None
        if not doc_id:
            return ANYTHING
        mailbox = self.executor.store.mailbox

        def stored() -> list[str]:
            message = mailbox.message(doc_id)
            return [message.document_id] if message is not None else []

        return CallSubject(doc_id, stored)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.group.inflight += 1
        try:
            await self._call(scope, receive, send)
        finally:
            self.group.inflight -= 1

    async def _call(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].rsplit("/", 1)[-1]
        headers = Headers(scope["headers"])
        op = OPERATIONS.get(name)
        if op is None or scope["method"] != op.method:
            await self._refuse_route(scope, headers, name, op, send)
            return
        config = self.config
        try:
            body = (
                await read_body(
                    receive,
                    config.max_body_bytes,
                    whole_number(headers.get("content-length")),
                    chunked="chunked" in (headers.get("transfer-encoding") or "").lower(),
                    idle_s=config.body_timeout_s,
                    total_s=config.body_timeout_s * 10,
                )
                if op.json
                else b""
            )
        except ClientGone:
            return
        except (TooLarge, SlowBody) as exc:
            status = 413 if isinstance(exc, TooLarge) else 408
            answer = Answer(
                envelope.fail(exc.code, exc.message, **send_extra(op)), http_status=status
            )
            await self._record_and_answer(send, op, _request(scope, headers, b""), answer)
            return
        request = _request(scope, headers, body)
        injections = self.faults.decide(
            op.name, headers.vxp("systemid") or "", self._subject(op, headers, body)
        )
        latency = sum(i.params["latency_ms"] for i in injections if i.kind == "latency")
        if latency:
            await asyncio.sleep(latency / 1000.0)
        breaking = next((i for i in injections if i.kind in _BREAKING), None)
        if breaking is None:
            answer = self._execute(op, request, injections)
            if not await self.group.durable():
                answer = internal(op)
            await self._answer(send, op, answer)
            return
        dropped = _fault_answer(op, breaking)
        if breaking.params.get("apply", False):
            self._execute(op, request, injections)
        else:
            self.group.join()
            self.recorder.record(request, dropped, injections=injections, applied=False)
        await self.group.durable()
        await self._break(send, receive, scope, op, breaking, dropped)

    def _execute(self, op: Operation, request: Request, injections: list[Injection]) -> Answer:
        try:
            self.group.join()
        except Exception:
            return internal(op)
        return self.executor.execute(op, request, injections=injections)

    async def _record_and_answer(
        self, send: Send, op: Operation | None, request: Request, answer: Answer
    ) -> None:
        self.group.join()
        self.recorder.record(request, answer)
        await self.group.durable()
        await self._answer(send, op, answer, close=answer.http_status >= 400)

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
        request = Request(name[:80] or "/", scope["method"], scope["path"], headers, b"")
        self.group.join()
        self.recorder.record(request, answer)
        await self.group.durable()
        await self._answer(send, op, answer)

    async def _answer(
        self, send: Send, op: Operation | None, answer: Answer, *, close: bool = False
    ) -> None:
        if op is not None and not op.json:
            if answer.raw is not None:
                await send_bytes(send, answer.http_status, answer.raw, _OCTETS)
            else:
                # The client saves whatever it gets: refusals carry no body at all.
                status = answer.http_status if answer.http_status >= 500 else 404
                await send_bytes(send, status, b"", _OCTETS)
            return
        if answer.encoded is not None:
            await send_bytes(send, answer.http_status, answer.encoded, _JSON, close=close)
            return
        if answer.envelope is None:  # pragma: no cover - every JSON answer has one
            raise RuntimeError(f"answer to {op.name if op else '?'} has no envelope")
        body = envelope.encode(answer.envelope, ascii_only=op is not None and op.ascii_only)
        await send_bytes(send, answer.http_status, body, _JSON, close=close)

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


def _request(scope: Scope, headers: Headers, body: bytes) -> Request:
    return Request(scope["path"].rsplit("/", 1)[-1], scope["method"], scope["path"], headers, body)


def _fault_answer(op: Operation, injection: Injection) -> Answer:
    status = int(injection.params.get("http_status", 503))
    desc = f"service unavailable (injected fault {injection.rule})"
    return Answer(envelope.fail(ErrorCode.UNAVAILABLE, desc, **send_extra(op)), http_status=status)
