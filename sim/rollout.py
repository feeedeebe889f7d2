"""Who is connected when: onboarding dates from a phase plan, and how fast agencies adopt it.

A plan is a list of phases, each naming level-1 organs (ministries, provincial People's
Committees) and a window of dates; the fixtures' phases (``fixtures.agencies.phases``) are
used by name, and a scenario may add phases of its own. A level-1 organ onboards on a date
drawn uniformly in the window of the first phase that names it; the agencies under it follow
after a lag drawn per agency (departments soon, districts and communes months later: SPEC §6,
Hà Nội had 65 % of its communes connected in 2016). Before its onboarding date an agency
exchanges on paper only. After it, the share of its documents that go electronically ramps
from ``adoption.initial`` to 1 over ``adoption.ramp_days`` (the national volumes of 2019-2022
grew long after every province was connected).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from sim.calendar import WorkCalendar
from sim.errors import ScenarioError
from sim.topology import Topology
from sim.types import DAY, Role

NOT_IN_PLAN = "not in plan"


@dataclass(frozen=True, slots=True)
class PhaseSpec:
    """A phase of a plan: its members (organ ids of level-1 organs, or every one) and window."""

    name: str
    title: str
    start: date
    end: date
    members: tuple[str, ...] | None  # None: every level-1 organ


@dataclass(frozen=True, eq=False)
class Rollout:
    """Onboarding time (simulated seconds; -inf before the run, +inf never) and phase per agency."""

    phases: tuple[PhaseSpec, ...]
    onboard: np.ndarray
    phase: np.ndarray
    initial: float
    ramp: float

    def __repr__(self) -> str:
        return f"<Rollout of {len(self.phases)} phases>"

    @property
    def labels(self) -> list[str]:
        """Phase names by phase index; the last one for agencies no phase names."""
        return [p.name for p in self.phases] + [NOT_IN_PLAN]

    def adoption(self, agencies: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Share of documents each agency sends or takes electronically at time ``t``
        (0 before its onboarding date)."""
        since = t - self.onboard[agencies]
        if self.ramp <= 0:
            return (since >= 0).astype(float)
        share = self.initial + (1.0 - self.initial) * np.clip(since, 0.0, self.ramp) / self.ramp
        return np.where(since >= 0, share, 0.0)

    def connected_counts(self, days: int) -> np.ndarray:
        """Agencies connected at the end of each day, by phase: array (days, phases + 1)."""
        ends = (np.arange(days) + 1) * DAY
        out = np.zeros((days, len(self.phases) + 1), dtype=np.int64)
        for p in range(len(self.phases) + 1):
            times = np.sort(self.onboard[self.phase == p])
            out[:, p] = np.searchsorted(times, ends, side="left")
        return out


def fixture_phase(name: str) -> PhaseSpec:
    """The phase ``name`` of ``fixtures/data/phases.yaml``."""
    from fixtures.agencies import phases

    for phase in phases():
        if phase.name == name:
            return PhaseSpec(phase.name, phase.title, phase.start, phase.end, phase.members)
    known = ", ".join(p.name for p in phases())
    raise ScenarioError(f"phase {name!r} is not in fixtures/data/phases.yaml (known: {known})")


def phase_specs(items: Sequence[str | Mapping[str, Any]]) -> tuple[PhaseSpec, ...]:
    """The phases of a scenario's ``rollout.phases``: fixture names or phases of one's own."""
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(fixture_phase(item))
            continue
        members = item["members"]
        out.append(
            PhaseSpec(
                name=item["name"],
                title=item.get("title", item["name"]),
                start=_date(item["start"]),
                end=_date(item["end"]),
                members=None if members == "all" else tuple(members),
            )
        )
    for phase in out:
        if phase.end < phase.start:
            raise ScenarioError(f"phase {phase.name!r} ends ({phase.end}) before it starts")
    return tuple(out)


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(
            f"date (value={value!r}) must be an ISO date such as 2016-03-25"
        ) from None


def build_rollout(
    spec: Mapping[str, Any],
    topology: Topology,
    calendar: WorkCalendar,
    rng: np.random.Generator,
) -> Rollout:
    """Onboarding dates of every agency of ``topology`` under the plan ``spec``."""
    phases = phase_specs(spec["phases"])
    n = len(topology)
    level1 = np.flatnonzero(topology.root == np.arange(n))
    index = topology.index()
    onboard_root = np.full(n, np.inf)
    phase_root = np.full(n, len(phases), dtype=np.int16)
    for p, phase in enumerate(phases):
        if phase.members is None:
            members = level1
        else:
            members = np.array([index[m] for m in phase.members if m in index], dtype=np.int64)
            members = members[topology.root[members] == members] if len(members) else members
        fresh = members[phase_root[members] == len(phases)]
        first = calendar.day_of(phase.start)
        span = (phase.end - phase.start).days + 1
        offset = rng.integers(0, span, len(fresh)) if spec["spread"] == "uniform" else 0
        onboard_root[fresh] = (first + offset) * DAY
        phase_root[fresh] = p
    for organ_id in spec.get("always_connected", []):
        if organ_id in index:
            onboard_root[index[organ_id]] = -np.inf
    if spec.get("unlisted", "never") == "connected":
        onboard_root[level1] = np.where(
            np.isinf(onboard_root[level1]), -np.inf, onboard_root[level1]
        )
    onboard = onboard_root[topology.root].copy()
    phase = phase_root[topology.root].copy()
    lags = spec["lower_tiers"]
    for role in (Role.DEPARTMENT, Role.DISTRICT, Role.COMMUNE):
        rows = np.flatnonzero(topology.role == role)
        low, high = lags[role.label]
        onboard[rows] += rng.uniform(low, high, len(rows)) * DAY
    return Rollout(
        phases=phases,
        onboard=onboard,
        phase=phase,
        initial=float(spec["adoption"]["initial"]),
        ramp=float(spec["adoption"]["ramp_days"]) * DAY,
    )
