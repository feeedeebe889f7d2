"""The national network as the model sees it: agencies as rows of numpy arrays.

Each agency has a role (:class:`sim.types.Role`), a parent, the province it belongs to, the
level-1 organ above it (a ministry or a provincial People's Committee, the unit that rollout
phases name), its connection system and the position used for postal distances.
:func:`from_fixtures` adapts ``fixtures.agencies.topology`` into this form;
:meth:`Topology.from_records` builds any other network (tests use small ones).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.errors import TopologyError
from sim.types import Role, Tier
from spec.organ_ids import compose, system_id_for

HANOI = (21.03, 105.85)
"""Where the central bodies sit, for postal distances."""


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    """One agency as :meth:`Topology.from_records` takes it."""

    organ_id: str
    role: Role
    parent: str | None
    system_id: str
    lat: float = HANOI[0]
    lon: float = HANOI[1]
    name: str = ""


@dataclass(frozen=True, eq=False)
class Topology:
    """Agencies as parallel arrays, index = agency number.

    ``parent``, ``province`` and ``root`` hold agency numbers (-1: none); ``province`` is the
    provincial People's Committee an agency belongs to (itself for one), ``root`` the level-1
    organ above it (itself for a level-1 organ). ``system`` indexes ``system_ids``.
    """

    label: str
    organ_ids: tuple[str, ...]
    names: tuple[str, ...]
    role: np.ndarray
    tier: np.ndarray
    parent: np.ndarray
    province: np.ndarray
    root: np.ndarray
    system: np.ndarray
    system_ids: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray

    def __repr__(self) -> str:
        return f"<Topology {self.label}: {len(self)} agencies, {len(self.system_ids)} systems>"

    def __len__(self) -> int:
        return len(self.organ_ids)

    @property
    def n_systems(self) -> int:
        return len(self.system_ids)

    def counts(self) -> dict[str, int]:
        """How many agencies of each role, by role label."""
        found = np.bincount(self.role, minlength=len(Role))
        return {role.label: int(found[role]) for role in Role}

    def index(self) -> dict[str, int]:
        """Agency number by organ id."""
        return {organ_id: i for i, organ_id in enumerate(self.organ_ids)}

    @classmethod
    def from_records(cls, records: Sequence[AgencyRecord], *, label: str = "custom") -> Topology:
        """A topology of ``records``; a parent must come before its children."""
        if not records:
            raise TopologyError("records(=[]) must hold at least one agency")
        index: dict[str, int] = {}
        n = len(records)
        parent = np.full(n, -1, dtype=np.int32)
        role = np.empty(n, dtype=np.int8)
        systems: dict[str, int] = {}
        system = np.empty(n, dtype=np.int32)
        for i, rec in enumerate(records):
            if rec.organ_id in index:
                raise TopologyError(f"organ id {rec.organ_id!r} appears twice")
            index[rec.organ_id] = i
            role[i] = Role(rec.role)
            if rec.parent is not None:
                if rec.parent not in index:
                    raise TopologyError(
                        f"parent {rec.parent!r} of {rec.organ_id!r} must be listed before it"
                    )
                parent[i] = index[rec.parent]
            system[i] = systems.setdefault(rec.system_id, len(systems))
        province = np.full(n, -1, dtype=np.int32)
        root = np.arange(n, dtype=np.int32)
        for i in range(n):
            p = parent[i]
            if p >= 0:
                root[i] = root[p]
                province[i] = province[p]
            if role[i] == Role.PROVINCE:
                if p >= 0:
                    raise TopologyError(
                        f"{records[i].organ_id!r}: a provincial People's Committee has no parent"
                    )
                province[i] = i
            elif role[i] != Role.CENTRAL and province[i] < 0:
                raise TopologyError(
                    f"{records[i].organ_id!r} ({Role(role[i]).label}) must sit under a province"
                )
        tier = np.array([Role(int(r)).tier for r in role], dtype=np.int8)
        return cls(
            label=label,
            organ_ids=tuple(r.organ_id for r in records),
            names=tuple(r.name or r.organ_id for r in records),
            role=role,
            tier=tier,
            parent=parent,
            province=province,
            root=root,
            system=system,
            system_ids=tuple(systems),
            lat=np.array([r.lat for r in records], dtype=float),
            lon=np.array([r.lon for r in records], dtype=float),
        )


def _role_of(tier: Tier, has_parent: bool) -> Role:
    if tier is Tier.CENTRAL:
        return Role.CENTRAL
    if tier is Tier.PROVINCE:
        return Role.DEPARTMENT if has_parent else Role.PROVINCE
    return Role.DISTRICT if tier is Tier.DISTRICT else Role.COMMUNE


@functools.lru_cache(maxsize=8)
def from_fixtures(era: str, scale: float = 1.0, seed: int = 0) -> Topology:
    """The network of ``era`` from ``fixtures.agencies`` (lower tiers at ``scale``); cached."""
    from fixtures import agencies as fx
    from spec.organ_ids import Tier as SpecTier

    try:
        network = fx.topology(era, scale, seed)
        places = {p.code: (p.lat, p.lon) for p in fx.provinces(era)}
    except fx.FixturesError as exc:
        raise TopologyError(str(exc)) from exc
    tiers = {
        SpecTier.CENTRAL: Tier.CENTRAL,
        SpecTier.PROVINCE: Tier.PROVINCE,
        SpecTier.DISTRICT: Tier.DISTRICT,
        SpecTier.COMMUNE: Tier.COMMUNE,
    }
    records = []
    for agency in network:
        lat, lon = places.get(agency.province, HANOI) if agency.province else HANOI
        records.append(
            AgencyRecord(
                organ_id=agency.organ_id,
                role=_role_of(tiers[agency.tier], agency.parent is not None),
                parent=agency.parent,
                system_id=agency.system_id,
                lat=lat,
                lon=lon,
                name=agency.name,
            )
        )
    return Topology.from_records(records, label=f"{era} x{scale:g}")


def synthetic(
    *,
    central: int = 2,
    provinces: int = 2,
    departments: int = 2,
    districts: int = 2,
    communes: int = 3,
) -> Topology:
    """A small network of the real shape, for experiments and tests: ``central`` bodies with
    a system each, and ``provinces`` provinces (one system each) with that many departments,
    districts per province and communes per district. Ids follow QCVN 102 (``000.00.00.G01``,
    ``000.00.00.H01``, ``000.00.01.H01``, ``000.00.21.H01``, ``000.01.21.H01``)."""
    records = []
    for g in range(1, central + 1):
        code = f"G{g:02d}"
        records.append(AgencyRecord(compose(code), Role.CENTRAL, None, system_id_for(code)))
    for h in range(1, provinces + 1):
        code = f"H{h:02d}"
        system = system_id_for(code)
        place = (HANOI[0] - 0.7 * h, HANOI[1] + 0.2 * h)
        pc = compose(code)
        records.append(AgencyRecord(pc, Role.PROVINCE, None, system, *place))
        for d in range(1, departments + 1):
            records.append(AgencyRecord(compose(code, d), Role.DEPARTMENT, pc, system, *place))
        for k in range(districts):
            district = compose(code, 21 + k)
            records.append(AgencyRecord(district, Role.DISTRICT, pc, system, *place))
            for c in range(1, communes + 1):
                records.append(
                    AgencyRecord(compose(code, 21 + k, c), Role.COMMUNE, district, system, *place)
                )
    return Topology.from_records(records, label="synthetic")


def distance_km(topology: Topology, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distance between the places of agencies ``a`` and ``b`` (arrays)."""
    lat1, lon1 = np.radians(topology.lat[a]), np.radians(topology.lon[a])
    lat2, lon2 = np.radians(topology.lat[b]), np.radians(topology.lon[b])
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))
