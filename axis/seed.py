"""The systems and agencies a fresh axis knows: a handful of simulated connection systems from
the national fixture registry, and the systems the operator added (``--system``).

The default systems' secrets are random at every start, unless a seed is given (then derived
from it, so a run can be repeated): nobody can compute them.

By default: Văn phòng Chính phủ (G22), two provinces whose samples ship with the SDK (Nghệ An
H41, Cao Bằng H14) and one ministry (Bộ Xây dựng G17), each under its harness system id
(``02.22.W00``, …) and serving its level-1 organ and that organ's departments.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from axis.config import SystemSpec
from axis.errors import AxisError, ConfigError
from axis.events import AgencyEvent, SystemEvent
from axis.registry import AgencyFields, register_agency
from axis.store import Store
from fixtures.agencies import Agency, lookup, national_agencies
from spec.organ_ids import compose

DEFAULT_LEVEL1 = ("G22", "H41", "H14", "G17")

__all__ = [
    "DEFAULT_LEVEL1",
    "default_systems",
    "derive_secret",
    "fixture_agency",
    "random_secret",
    "seed_registry",
]


def derive_secret(seed: int, system_id: str) -> str:
    """A deterministic secret for ``system_id`` under ``seed`` (24 hex characters)."""
    key = f"lienthong-axis-seed:{seed}".encode()
    return hmac.new(key, system_id.encode(), hashlib.sha256).hexdigest()[:24]


def random_secret() -> str:
    """A fresh secret (24 hex characters from the OS's random source)."""
    return secrets.token_hex(12)


def default_systems(seed: int | None, level1: tuple[str, ...] = DEFAULT_LEVEL1) -> list[SystemSpec]:
    """One system per level-1 code, with its national agencies (the organ and, for a
    province, its departments) and a secret derived from ``seed`` (random without one)."""
    agencies = national_agencies()
    out = []
    for code in level1:
        head = lookup(compose(code))
        if head is None:
            raise ValueError(f"level1={code!r} is not in the fixture registry")
        served = tuple(a.organ_id for a in agencies if a.system_id == head.system_id)
        out.append(
            SystemSpec(
                system_id=head.system_id,
                secret=random_secret() if seed is None else derive_secret(seed, head.system_id),
                name=head.name,
                agencies=served,
            )
        )
    return out


def fixture_agency(code: str) -> Agency | None:
    """The fixture registry's agency for ``code`` (either form), for names and parents."""
    return lookup(code)


def seed_registry(
    store: Store, defaults: Sequence[SystemSpec], operators: Sequence[SystemSpec]
) -> None:
    """Add the default (simulated) systems with their agencies, then the operator's systems
    with theirs, inside one transaction; every change is an event. An operator's system takes
    a code from a default system (it yields); a default system never takes a code back from an
    operator's system. Raises ``ConfigError`` when two operator systems claim one code."""
    with store.transaction():
        for system in defaults:
            _put(store, system, simulated=True, by="seed")
        for system in operators:
            _put(store, system, simulated=False, by="cli")


def _put(store: Store, system: SystemSpec, *, simulated: bool, by: str) -> None:
    registry = store.registry
    if registry.put_system(system.system_id, system.secret, system.name, simulated=simulated):
        store.record(SystemEvent(system=system.system_id, action="put", by=by, simulated=simulated))
    for code in system.agencies:
        existing = registry.find_agency(code)
        if existing is not None and (existing.system_id == system.system_id or simulated):
            continue  # already there, or an operator's system took it from a default one
        fixture = fixture_agency(code)
        try:
            registration = register_agency(
                registry,
                code,
                system.system_id,
                AgencyFields(name=fixture.name if fixture else ""),
                strict=False,
            )
        except AxisError as exc:
            raise ConfigError(f"system {system.system_id!r} cannot serve {code!r}: {exc}") from None
        store.record(
            AgencyEvent(
                system=system.system_id,
                code=registration.agency.code,
                action="yielded" if registration.yielded else "seeded",
                by=by,
                previous=registration.previous,
                valid=registration.agency.valid,
                findings=registration.findings,
            )
        )
