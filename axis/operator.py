"""What an operator may see and do on a running axis, behind the narrow protocols of
:mod:`axis.ports`: the admin API and the dashboard use this, never the ASGI app.

Changes are recorded like any other: an inject goes through the same ``execute`` step as a VXP
``sendEdoc`` (so its ``call`` event has the same shape, with ``channel: admin``), a reset or a
new system is an ``admin``/``system``/``agency`` event in the same transaction as the change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from axis.auth import Identity
from axis.bus import EventBus
from axis.call import Answer, Call
from axis.config import AxisConfig, SystemSpec
from axis.errors import ConfigError, NotFound
from axis.events import AdminEvent, AgencyEvent, Event, SystemEvent
from axis.execute import Executor
from axis.fault_switch import FaultSwitch
from axis.group_commit import GroupCommit
from axis.operations import NO_DESCRIPTION, OPERATIONS, store_message
from axis.recording import Recorder, Request
from axis.records import Agency, StoredMessage
from axis.registry import AgencyFields, register_agency
from axis.seed import seed_registry
from axis.store import Store
from axis.wire import Headers

__all__ = ["Operator"]

INJECT_PATH = "/_admin/inject"


class Operator:
    """The admin's and the dashboard's side of one axis (implements ``AxisControl``)."""

    def __init__(
        self,
        config: AxisConfig,
        store: Store,
        *,
        admin_token: str,
        bus: EventBus,
        faults: FaultSwitch,
        group: GroupCommit,
        executor: Executor,
        recorder: Recorder,
        clock: Callable[[], float],
        defaults: Sequence[SystemSpec] = (),
    ) -> None:
        self.config = config
        self.defaults = tuple(defaults)
        self.store = store
        self._token = admin_token
        self._bus = bus
        self.faults = faults
        self._group = group
        self._executor = executor
        self._recorder = recorder
        self._clock = clock
        self._started = clock()

    def __repr__(self) -> str:
        return f"Operator({self.store!r})"

    # --- AxisView -------------------------------------------------------------------------

    @property
    def bus(self) -> EventBus:
        return self._bus

    @property
    def strict(self) -> bool:
        return self.config.strict

    def uptime_s(self) -> float:
        return self._clock() - self._started

    def head(self) -> tuple[int, str]:
        return self.store.head

    def counts(self) -> dict[str, int]:
        return self.store.counts()

    def list_systems(self) -> list[dict[str, Any]]:
        return self.store.list_systems()

    def system_names(self) -> dict[str, str]:
        return {sid: s.name for sid, s in self.store.registry.systems_view().items()}

    def agencies(self, *, include_deleted: bool = False) -> list[Agency]:
        return self.store.registry.agencies(include_deleted=include_deleted)

    def find_agency(self, code: str) -> Agency | None:
        return self.store.registry.find_agency(code)

    def list_messages(self, *, limit: int = 100, after_seq: int = 0) -> list[dict[str, Any]]:
        return self.store.mailbox.list_messages(limit=limit, after_seq=after_seq)

    def message(self, doc_id: str) -> StoredMessage | None:
        return self.store.mailbox.message(doc_id)

    def body(self, doc_id: str) -> bytes | None:
        return self.store.mailbox.body(doc_id)

    def timeline(self, doc_id: str) -> list[Event]:
        return self.store.timeline(doc_id)

    def events_after(
        self,
        cursor: int = 0,
        *,
        limit: int = 1000,
        kind: str | None = None,
        system: str | None = None,
        doc_id: str | None = None,
        op: str | None = None,
    ) -> list[Event]:
        return self.store.transcript.events_after(
            cursor, limit=limit, kind=kind, system=system, doc_id=doc_id, op=op
        )

    def active_faults(self) -> dict[str, Any]:
        return self.faults.describe()

    def check_token(self, token: str) -> bool:
        return hmac.compare_digest(token.encode("utf-8"), self._token.encode("utf-8"))

    # --- AxisControl ----------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        seq, digest = self.store.head
        recorder = self._recorder
        return {
            "uptime_s": round(self.uptime_s(), 3),
            "strict": self.config.strict,
            "calls": dict(recorder.calls),
            "failures": {f"{op}:{code}": n for (op, code), n in recorder.failures.items()},
            "store": self.store.counts(),
            "head": {"seq": seq, "hash": digest},
            "fault_rules": self.faults.rules,
        }

    async def durable(self) -> bool:
        return await self._group.durable()

    def reset(self, *, messages: bool = True, registry: bool = True, faults: bool = True) -> int:
        """Forget what is asked (the registry goes back to the seed); returns the cursor after
        it."""
        store = self.store
        with store.transaction():
            store.reset(messages=messages, registry=registry)
            store.record(
                AdminEvent(action="reset", messages=messages, registry=registry, faults=faults)
            )
            if registry:
                seed_registry(store, self.defaults, self.config.systems)
        if faults and self.faults.plan is not None:
            self.faults.set(None)
        return store.head[0]

    def put_system(
        self, system_id: str, secret: str, name: str = "", agencies: list[str] | None = None
    ) -> dict[str, Any]:
        """Add (or re-key) an operator's system serving ``agencies``; it may take codes from
        the default systems, and from another operator's system (the admin decides)."""
        store = self.store
        with store.transaction():
            if store.registry.put_system(system_id, secret, name, simulated=False):
                store.record(SystemEvent(system=system_id, action="put", by="admin"))
            store.record(AdminEvent(action="put_system", system=system_id))
            for code in agencies or []:
                self._register(code, system_id, AgencyFields(), strict=False)
        return next(s for s in store.list_systems() if s["system_id"] == system_id)

    def put_agency(
        self,
        code: str,
        system_id: str,
        *,
        name: str = "",
        mail: str = "",
        strict: bool | None = None,
    ) -> tuple[Agency, list[dict[str, str]]]:
        """Register ``code`` as served by ``system_id`` (moving it if needed)."""
        if self.store.registry.system(system_id) is None:
            raise NotFound(f"system {system_id!r} is not known; add it with POST /systems")
        with self.store.transaction():
            event = self._register(
                code,
                system_id,
                AgencyFields(name=name, mail=mail),
                strict=self.config.strict if strict is None else strict,
            )
        agency = self.store.registry.find_agency(event.code)
        if agency is None:  # pragma: no cover - just registered
            raise NotFound(f"agency {code!r} vanished")
        return agency, [f.to_json() for f in event.findings]

    def _register(
        self, code: str, system_id: str, fields: AgencyFields, *, strict: bool
    ) -> AgencyEvent:
        registration = register_agency(
            self.store.registry, code, system_id, fields, strict=strict, owner_may_change=True
        )
        event = AgencyEvent(
            system=system_id,
            code=registration.agency.code,
            action="yielded" if registration.yielded else "registered",
            by="admin",
            previous=registration.previous,
            valid=registration.agency.valid,
            findings=registration.findings,
        )
        self.store.record(event)
        return event

    def delete_agency(self, code: str) -> None:
        agency = self.store.registry.find_agency(code)
        if agency is None:
            raise NotFound(f"agency {code!r} is not registered")
        with self.store.transaction():
            self.store.registry.delete_agency(agency.code)
            self.store.record(
                AgencyEvent(system=agency.system_id, code=agency.code, action="deleted", by="admin")
            )

    def inject(
        self,
        data: bytes,
        *,
        system_id: str,
        messagetype: str = "edoc",
        to: list[str] | None = None,
        unparsed: bool = False,
    ) -> dict[str, Any]:
        """Send ``data`` as ``system_id`` without a signature, always lenient, through the same
        step as a VXP ``sendEdoc``; returns the envelope it answers. ``unparsed`` stores bytes
        that are not edXML, routed by ``to`` only. Must run on the event loop (it joins the
        group commit; ``durable()`` says when it is committed)."""
        system = self.store.registry.system(system_id)
        if system is None:
            raise NotFound(f"system {system_id!r} is not known")
        to = list(to or [])
        raw_headers = [
            (b"xroadvnpt-systemid", system_id.encode()),
            (b"xroadvnpt-servicetype", b"eDoc"),
            (b"xroadvnpt-messagetype", messagetype.encode()),
            (b"xroadvnpt-hash-file", hashlib.sha256(data).hexdigest().encode()),
        ]
        if to:
            raw_headers.append((b"xroadvnpt-to", ",".join(to).encode()))
        request = Request("sendEdoc", "POST", INJECT_PATH, Headers(raw_headers), data + b"\r\n")
        op = OPERATIONS["sendEdoc"]
        if unparsed:
            op = dataclasses.replace(op, handler=_store_unparsed)
        self._group.join()
        self.store.record(
            AdminEvent(
                action="inject",
                system=system_id,
                messagetype=messagetype,
                size=len(data),
                to=tuple(to),
                unparsed=unparsed,
            )
        )
        signed = {k.decode()[len("xroadvnpt-") :]: v.decode() for k, v in raw_headers}
        answer = self._executor.execute(
            op,
            dataclasses.replace(request, channel="admin"),
            identity=Identity(system, signed),
            config=self.config.replace(strict=False),
        )
        if answer.envelope is None:  # pragma: no cover - sendEdoc always answers an envelope
            raise ConfigError("inject produced no envelope")
        return answer.envelope

    def set_faults(self, spec: dict[str, Any] | None) -> None:
        self.faults.set(spec)

    def export_lines(self) -> Iterator[str]:
        return self.store.transcript.export_lines()


def _store_unparsed(call: Call) -> Answer:
    """Store the body as it is (the admin said it is not edXML), routed by ``to`` only."""
    data = call.body[:-2]
    messagetype = call.headers.vxp("messagetype") or "edoc"
    to = [c for c in (call.headers.vxp("to") or "").split(",") if c]
    sha256 = hashlib.sha256(data).hexdigest()
    return store_message(
        call, data, sha256, messagetype, "eDoc", to, "", NO_DESCRIPTION, unparsed=True
    )
