"""What the admin API and the dashboard may use of a running axis: two narrow protocols, so
neither depends on the ASGI app (nor on how it commits, dispatches or injects faults).

``AxisView`` is what the dashboard reads; ``AxisControl`` adds what the admin API does. The
axis's :class:`axis.operator.Operator` implements both; a test may hand either one a fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from axis.bus import EventBus
from axis.events import Event
from axis.records import Agency, StoredMessage

__all__ = ["AxisControl", "AxisView"]


class AxisView(Protocol):
    """What a read-only view of the axis sees."""

    @property
    def bus(self) -> EventBus:
        """Wakes waiters when the transcript grows."""
        ...

    @property
    def strict(self) -> bool: ...

    def uptime_s(self) -> float: ...

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the last transcript event."""
        ...

    def counts(self) -> dict[str, int]: ...

    def list_systems(self) -> list[dict[str, Any]]:
        """Systems with their agencies and traffic, never their secrets."""
        ...

    def system_names(self) -> dict[str, str]: ...

    def agencies(self, *, include_deleted: bool = False) -> list[Agency]: ...

    def find_agency(self, code: str) -> Agency | None: ...

    def list_messages(self, *, limit: int = 100, after_seq: int = 0) -> list[dict[str, Any]]: ...

    def message(self, doc_id: str) -> StoredMessage | None: ...

    def body(self, doc_id: str) -> bytes | None: ...

    def timeline(self, doc_id: str) -> list[Event]: ...

    def events_after(
        self,
        cursor: int = 0,
        *,
        limit: int = 1000,
        kind: str | None = None,
        system: str | None = None,
        doc_id: str | None = None,
        op: str | None = None,
    ) -> list[Event]: ...

    def active_faults(self) -> dict[str, Any]: ...

    def check_token(self, token: str) -> bool:
        """Whether ``token`` is the admin token (constant time)."""
        ...


class AxisControl(AxisView, Protocol):
    """A view that may also change the axis (the admin API)."""

    def stats(self) -> dict[str, Any]: ...

    async def durable(self) -> bool:
        """Wait until what this event-loop turn wrote is committed; False if it failed."""
        ...

    def reset(self, *, messages: bool, registry: bool, faults: bool) -> int: ...

    def put_system(
        self, system_id: str, secret: str, name: str, agencies: list[str]
    ) -> dict[str, Any]: ...

    def put_agency(
        self, code: str, system_id: str, *, name: str, mail: str, strict: bool | None
    ) -> tuple[Agency, list[dict[str, str]]]: ...

    def delete_agency(self, code: str) -> None: ...

    def inject(
        self,
        data: bytes,
        *,
        system_id: str,
        messagetype: str,
        to: list[str],
        unparsed: bool,
    ) -> dict[str, Any]: ...

    def set_faults(self, spec: dict[str, Any] | None) -> None: ...

    def export_lines(self) -> Iterator[str]: ...
