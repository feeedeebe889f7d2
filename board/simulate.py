"""The phase as it really stands, simulated: the cost of the gap between plan and readiness.

The simulator's phase comparison (:func:`sim.simulate_phase`) runs the phase twice per
replication with the same seeds (common random numbers): **on schedule**, every member connects
on its planned date; **as it stands**, a member connects on the later of its planned date and
the date it is (or is expected to be) ready, and a member with no such date stays on paper
through the run. Everyone outside the phase follows the base scenario's plan in both arms. Per
replication the difference as-it-stands minus on-schedule is taken; the board reports, for the
simulator's key metrics (electronic share, paper letters and pages, time to status 06, the
hub's load in its peak hour and against its capacity, office-hour utilisation, the date each
tier goes paper-free), the mean difference with its 95 % confidence interval, formatted for
people by the simulator's metric registry.

This module is the only place in :mod:`board` that calls the simulator; its interface is
:func:`simulate_phase` and the typed :class:`PhaseSimulation` (stored in the registry as JSON).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from board.errors import SimulationError
from board.plans import PhasePlan
from spec.jsonmap import NAN_AS_NULL, JsonMapped, Layout

BASE_SCENARIO = "baseline-2016"
WARMUP_DAYS = 7
SCALE = 0.05
REPLICATIONS = 3

__all__ = [
    "BASE_SCENARIO",
    "REPLICATIONS",
    "SCALE",
    "WARMUP_DAYS",
    "Difference",
    "PhaseSimulation",
    "gap_agency_days",
    "simulate_phase",
]


@dataclass(frozen=True, slots=True)
class Difference(JsonMapped):
    """One metric of the phase: its mean on schedule and as it stands, and the paired
    difference as-it-stands minus on-schedule with its 95 % interval over ``pairs``
    replications (NaN where no pair measured it, e.g. a tier that goes paper-free in neither
    arm within the window; the texts then say ``n/a``). The texts are the simulator's
    formatting: percent and percentage points, thousands, hours, dates and days.

    Its JSON form is a row of :meth:`sim.MetricDifference.to_json` (``baseline`` and
    ``actual`` for the arms, ``difference`` for the mean), NaN written as null."""

    json_layout: ClassVar[Layout] = Layout(
        rename={
            "on_schedule": "baseline",
            "as_it_stands": "actual",
            "mean": "difference",
            "on_schedule_text": "baseline_text",
            "as_it_stands_text": "actual_text",
        },
        codecs={
            name: NAN_AS_NULL for name in ("on_schedule", "as_it_stands", "mean", "low", "high")
        },
    )

    name: str
    label: str
    unit: str
    on_schedule: float
    as_it_stands: float
    mean: float
    low: float
    high: float
    pairs: int
    significant: bool
    on_schedule_text: str
    as_it_stands_text: str
    text: str


@dataclass(frozen=True, slots=True)
class PhaseSimulation(JsonMapped):
    """The result of :func:`simulate_phase`. ``connections`` lists (organ id, planned date,
    date in the as-it-stands arm or None for paper throughout); ``differences`` the key
    metrics in the simulator's order."""

    plan: str
    scenario: str
    start: date
    days: int
    warmup_days: int
    scale: float
    replications: int
    seeds: tuple[int, ...]
    connections: tuple[tuple[str, date, date | None], ...]
    differences: tuple[Difference, ...]
    gap_agency_days: int
    notes: tuple[str, ...]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    @property
    def late(self) -> int:
        """Members that connect after their planned date, or not in the window."""
        return sum(1 for _, p, a in self.connections if a is None or a > p)

    def difference(self, name: str) -> Difference:
        for d in self.differences:
            if d.name == name:
                return d
        raise KeyError(f"metric {name!r} is not in this simulation")


# --- the arms ------------------------------------------------------------------------------


def _connection_dates(
    plan: PhasePlan, ready: Mapping[str, date | None]
) -> tuple[tuple[str, date, date | None], ...]:
    """Per member: planned date, and the date it connects as it stands (None: never)."""
    out = []
    for m in plan.members:
        when = ready.get(m.organ_id)
        out.append((m.organ_id, m.planned, None if when is None else max(when, m.planned)))
    return tuple(out)


def gap_agency_days(
    connections: Sequence[tuple[str, date, date | None]], start: date, end: date
) -> int:
    """Agency-days within ``start``..``end`` (inclusive) that members spend on paper as it
    stands although the plan had them connected."""
    total = 0
    for _, planned, actual in connections:
        first = max(planned, start)
        last = end if actual is None else min(actual - timedelta(days=1), end)
        total += max(0, (last - first).days + 1)
    return total


# --- the entry point -----------------------------------------------------------------------


def simulate_phase(
    plan: PhasePlan,
    ready_dates: Mapping[str, date | None],
    *,
    replications: int = REPLICATIONS,
    seed: int = 2016,
    days: int | None = None,
    scenario: str = BASE_SCENARIO,
    scale: float = SCALE,
    jobs: int | None = 1,
    progress: bool = False,
) -> PhaseSimulation:
    """Simulate ``plan`` on schedule and as it stands, with common random numbers.

    ``ready_dates`` maps each member to the date it is (or is expected to be) ready; a member
    missing or mapped to None stays on paper through the run. The run measures ``days`` days
    from the plan's start (default: the plan's window) after a week of warm-up, with districts
    and communes at ``scale`` of their number (the national traffic is the same at any
    scale). ``scenario`` is the simulator's base scenario (name or file); ``jobs`` local
    processes run the replications (None: one per core). Raises ``SimulationError`` when the
    simulator refuses the set-up."""
    from sim import PhaseRollout, SimError
    from sim import simulate_phase as simulate
    from sim.phase import KEY_METRICS

    if replications < 1:
        raise SimulationError(f"replications={replications!r} must be >= 1")
    window = days if days is not None else (plan.end - plan.start).days + 1
    if window < 1:
        raise SimulationError(f"days={days!r} must be >= 1")
    connections = _connection_dates(plan, ready_dates)
    end = plan.start + timedelta(days=window - 1)
    try:
        rollout = PhaseRollout(
            plan.name,
            plan.start,
            {o: actual for o, _, actual in connections},
            schedule={o: planned for o, planned, _ in connections if planned != plan.start},
        )
        effect = simulate(
            rollout,
            scenario=scenario,
            start=plan.start,
            days=window,
            warmup_days=WARMUP_DAYS,
            replications=replications,
            seed=seed,
            scale=scale,
            jobs=jobs,
            progress=progress,
        )
    except SimError as exc:
        raise SimulationError(f"the simulator refused the phase set-up: {exc}") from exc
    notes = (
        f"window {plan.start}..{end} after {WARMUP_DAYS} days of warm-up; base scenario "
        f"{effect.baseline.scenario.name}; districts and communes at {scale * 100:g} % of "
        "their number; agencies outside the phase follow the scenario's plan in both arms",
        "n/a: no replication measured it in both arms (a tier that does not go paper-free "
        "within the window; a longer --days reaches later dates)",
    )
    return PhaseSimulation(
        plan=plan.name,
        scenario=effect.baseline.scenario.name,
        start=plan.start,
        days=window,
        warmup_days=WARMUP_DAYS,
        scale=scale,
        replications=replications,
        seeds=tuple(effect.seeds),
        connections=connections,
        differences=tuple(Difference.from_json(m.to_json()) for m in effect.table(KEY_METRICS)),
        gap_agency_days=gap_agency_days(connections, plan.start, end),
        notes=notes,
    )
