"""Routing: which systems receive a message (AXIS_PROTOCOL.md §5).

The recipients of an edoc are its ``To/OrganId`` values, of a status its
``ResponseFor/OrganId``; an optional ``to`` header adds more. Each recipient organ is served by
the system that registered it; the message gets one delivery per recipient system. A recipient
nobody serves, or a connection system (``W00``), makes the whole send fail, naming the codes:
nothing is stored for anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from axis.errors import Unroutable
from axis.registry import is_system_code
from axis.store_registry import RegistryStore

__all__ = ["Route", "recipient_codes", "route"]

_SPLIT = re.compile(r"[,;\s]+")


@dataclass(frozen=True, slots=True)
class Route:
    """The routing decision: recipient code → serving system, grouped per system."""

    recipients: tuple[tuple[str, str], ...]

    @property
    def deliveries(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for code, system_id in self.recipients:
            out.setdefault(system_id, []).append(code)
        return out


def recipient_codes(message_recipients: list[str], to_header: str | None) -> list[str]:
    """The message's recipients followed by the ``to`` header's (comma, semicolon or space
    separated), without repeats, in order."""
    extra = [c for c in _SPLIT.split(to_header or "") if c]
    seen: dict[str, None] = {}
    for code in [*message_recipients, *extra]:
        seen.setdefault(code, None)
    return list(seen)


def route(registry: RegistryStore, codes: list[str]) -> Route:
    """Resolve every code to its serving system; raises ``Unroutable`` naming every code that
    cannot be delivered (none at all, a W00 code, or an agency nobody serves)."""
    if not codes:
        raise Unroutable("the message names no recipient (To/OrganId or ResponseFor/OrganId)")
    systems_codes = [c for c in codes if is_system_code(c)]
    if systems_codes:
        raise Unroutable(
            f"recipient {', '.join(map(repr, systems_codes))} names a connection system (W00), "
            "not an agency; nothing was stored"
        )
    found: list[tuple[str, str]] = []
    unknown: list[str] = []
    for code in codes:
        agency = registry.find_agency(code)
        if agency is None:
            unknown.append(code)
        else:
            found.append((code, agency.system_id))
    if unknown:
        raise Unroutable(
            f"no system serves recipient {', '.join(map(repr, unknown))} "
            "(register it with registerAgency); nothing was stored"
        )
    return Route(tuple(found))
