"""One step for every call that does what a VXP operation does: ``execute(operation, request)``.

A request from the wire and an admin inject go through the same step: the caller is identified
(by its signature, or named by the admin), the operation runs inside the open transaction
(writes in a savepoint, undone if it refuses), and the notes it made, the faults that fired and
its ``call`` event are recorded. So each outcome has one shape in the transcript, whoever
caused it. A bug in an operation never escapes: the call is undone and answered ErrorCode 9.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from axis import envelope
from axis.auth import Identity, authenticate, require_signed
from axis.call import Answer, Call
from axis.config import AxisConfig
from axis.errors import AxisError, BadSignature, ErrorCode
from axis.events import EventBody, Signature8bitEvent
from axis.faults import Injection
from axis.operations import Operation
from axis.recording import Recorder, Request
from axis.store import Store
from spec.clock import Clock

log = logging.getLogger("axis")

__all__ = ["Executor", "failure", "internal", "send_extra"]


def send_extra(op: Operation | None) -> dict[str, str]:
    """What a failure of ``op`` must carry beyond the envelope: sendEdoc's answer is read for
    ``DocId`` unconditionally."""
    return {"DocId": ""} if op is not None and op.name == "sendEdoc" else {}


def internal(op: Operation) -> Answer:
    """The answer to a call that failed inside the axis (nothing of it was applied)."""
    answer = Answer(
        envelope.fail(ErrorCode.INTERNAL, "internal error; nothing was changed", **send_extra(op))
    )
    answer.summary["internal"] = True
    return answer


def failure(op: Operation, exc: AxisError) -> Answer:
    """The answer to a call the operation refused with ``exc``."""
    desc = envelope.ascii_text(exc.message) if op.ascii_only else exc.message
    return Answer(
        envelope.fail(exc.code, desc, **send_extra(op)), http_status=200 if op.json else 404
    )


class Executor:
    """Runs operations against ``store`` under ``config`` and records them."""

    def __init__(
        self, store: Store, config: AxisConfig, calendar: Clock, recorder: Recorder
    ) -> None:
        self.store = store
        self.config = config
        self.calendar = calendar
        self.recorder = recorder

    def __repr__(self) -> str:
        return f"Executor({self.store!r})"

    def execute(
        self,
        op: Operation,
        request: Request,
        *,
        injections: Sequence[Injection] = (),
        identity: Identity | None = None,
        config: AxisConfig | None = None,
    ) -> Answer:
        """Run ``op`` for ``request`` inside the open transaction and record it; never raises.
        ``identity`` names the caller without a signature check (admin inject); ``config``
        replaces the axis's settings for this call."""
        notes: list[EventBody] = []
        mark = self.store.transcript.mark()
        try:
            answer, identity = self._run(op, request, injections, identity, config, notes)
            self.recorder.record(
                request, answer, identity=identity, notes=notes, injections=injections
            )
        except Exception:
            log.exception("axis: %s failed and was not applied", op.name)
            self.store.transcript.restore(mark)
            answer = internal(op)
            try:
                self.recorder.record(request, answer, injections=injections)
            except Exception:
                log.exception("axis: the transcript could not record the failure")
        return answer

    def _run(
        self,
        op: Operation,
        request: Request,
        injections: Sequence[Injection],
        identity: Identity | None,
        config: AxisConfig | None,
        notes: list[EventBody],
    ) -> tuple[Answer, Identity | None]:
        if identity is None:
            try:
                identity = self._authenticate(op, request, notes)
            except AxisError as exc:
                return failure(op, exc), None
        call = Call(
            op.name,
            request.headers,
            request.body,
            identity,
            self.store,
            config or self.config,
            list(injections),
            notes,
            self.calendar,
        )
        try:
            if not op.writes:
                return op.handler(call), identity
            with self.store.savepoint():
                return op.handler(call), identity
        except AxisError as exc:
            return failure(op, exc), identity

    def _authenticate(self, op: Operation, request: Request, notes: list[EventBody]) -> Identity:
        headers = request.headers
        claimed = headers.vxp("systemid") or ""
        try:
            identity = authenticate(
                headers,
                self.store.registry.systems_view(),
                tolerate_8bit=self.config.tolerate_8bit_headers,
            )
        except BadSignature as exc:
            if exc.eight_bit:
                notes.append(Signature8bitEvent(op=op.name, system=claimed, accepted=False))
            raise
        if identity.tolerated_8bit:
            notes.append(Signature8bitEvent(op=op.name, system=claimed, accepted=True))
        require_signed(identity, headers, op.keys)
        return identity
