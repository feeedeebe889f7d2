"""Who is connected when: onboarding dates from a phase plan, and how fast agencies adopt it.

A plan is a list of phases, each naming level-1 organs (ministries, provincial People's
Committees) and a window of dates; the fixtures' phases (``fixtures.agencies.phases``) are
used by name, and a scenario may add phases of its own or shift one
(``phases.<name>.shift_days``). A level-1 organ onboards on a date drawn uniformly in the
window of the first phase that names it; the agencies under it follow after a lag drawn per
agency (departments soon, districts and communes months later: SPEC §6, Hà Nội had 65 % of its
communes connected in 2016). ``rollout.connections`` gives agencies their own dates instead
(an onboarding board's readiness), a level-1 organ's subtree following it. Before its
onboarding date an agency exchanges on paper only.

After onboarding, the share of an agency's documents that go electronically ramps from
``adoption.initial`` to 1 over ``adoption.ramp_days``. ``adoption.axis_uptake`` adds a national
curve for exchanges between connection systems: the national axis's volumes of 2019–2022 grew
for years after everyone was connected (``docs/sim.md``, validation).

Every draw is keyed by the agency (:mod:`sim.randoms`): shifting one phase moves exactly that
phase's agencies, and the others keep their dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from sim.calendar import WorkCalendar
from sim.config import PhaseSpec, RolloutConfig, Uptake
from sim.errors import ScenarioError
from sim.randoms import Purpose, Randoms
from sim.topology import Topology
from sim.types import DAY, Role

NOT_IN_PLAN = "not in plan"


@dataclass(frozen=True, eq=False)
class Rollout:
    """Onboarding time (simulated seconds; -inf before the run, +inf never) and phase per agency."""

    phases: tuple[PhaseSpec, ...]
    onboard: np.ndarray
    phase: np.ndarray
    initial: float
    ramp: float
    uptake: Uptake | None
    origin: date

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

    def axis_uptake(self, t: np.ndarray) -> np.ndarray | None:
        """The national uptake of exchanges between systems at ``t`` (None: no such curve)."""
        if self.uptake is None:
            return None
        pivot = (self.uptake.pivot - self.origin).days * DAY
        return -np.expm1(-np.exp((t - pivot) / (self.uptake.width_days * DAY)))

    def connected_counts(self, days: int) -> np.ndarray:
        """Agencies connected at the end of each day, by phase: array (days, phases + 1)."""
        ends = (np.arange(days) + 1) * DAY
        out = np.zeros((days, len(self.phases) + 1), dtype=np.int64)
        for p in range(len(self.phases) + 1):
            times = np.sort(self.onboard[self.phase == p])
            out[:, p] = np.searchsorted(times, ends, side="left")
        return out


def build_rollout(
    config: RolloutConfig,
    topology: Topology,
    calendar: WorkCalendar,
    randoms: Randoms,
) -> Rollout:
    """Onboarding dates of every agency of ``topology`` under the plan ``config``."""
    phases = config.phases
    n = len(topology)
    everyone = np.arange(n)
    level1 = np.flatnonzero(topology.root == everyone)
    index = topology.index()
    onboard_root = np.full(n, np.inf)
    phase_root = np.full(n, len(phases), dtype=np.int16)
    day_u = randoms.uniform(Purpose.ONBOARD_DAY, everyone)
    for p, phase in enumerate(phases):
        if phase.members is None:
            members = level1
        else:
            members = np.array([index[m] for m in phase.members if m in index], dtype=np.int64)
            members = members[topology.root[members] == members] if len(members) else members
        fresh = members[phase_root[members] == len(phases)]
        first = calendar.day_of(phase.start)
        span = (phase.end - phase.start).days + 1
        offset = (day_u[fresh] * span).astype(np.int64) if config.spread == "uniform" else 0
        onboard_root[fresh] = (first + offset) * DAY
        phase_root[fresh] = p
    for organ_id in config.always_connected:
        if organ_id in index:
            onboard_root[index[organ_id]] = -np.inf
    if config.unlisted == "connected":
        onboard_root[level1] = np.where(
            np.isinf(onboard_root[level1]), -np.inf, onboard_root[level1]
        )
    explicit = _connections(config, topology, calendar, index)
    roots = {a: t for a, t in explicit.items() if topology.root[a] == a}
    for agency, t in roots.items():
        onboard_root[agency] = t
    onboard = onboard_root[topology.root].copy()
    phase = phase_root[topology.root].copy()
    lag_u = randoms.uniform(Purpose.ONBOARD_LAG, everyone)
    for role in (Role.DEPARTMENT, Role.DISTRICT, Role.COMMUNE):
        rows = np.flatnonzero(topology.role == role)
        low, high = config.lower_tiers[role]
        onboard[rows] += (low + lag_u[rows] * (high - low)) * DAY
    for agency, t in explicit.items():
        if agency not in roots:
            onboard[agency] = t
    return Rollout(
        phases=phases,
        onboard=onboard,
        phase=phase,
        initial=config.adoption.initial,
        ramp=config.adoption.ramp_days * DAY,
        uptake=config.adoption.axis_uptake,
        origin=calendar.start,
    )


def _connections(
    config: RolloutConfig, topology: Topology, calendar: WorkCalendar, index: dict[str, int]
) -> dict[int, float]:
    """Agency number -> onboarding time of ``rollout.connections``."""
    out = {}
    for organ_id, when in config.connections.items():
        agency = index.get(organ_id)
        if agency is None:
            raise ScenarioError(
                f"rollout.connections.{organ_id}: no agency of the topology "
                f"({topology.label}) has this organ id"
            )
        out[agency] = np.inf if when is None else calendar.day_of(when) * DAY
    return out
