"""The phase as it really stands, simulated: the cost of the gap between plan and readiness.

Two arms run with common random numbers (the same seeds): **on schedule**, every member of the
phase connects on its planned date; **as it stands**, a member connects on the later of its
planned date and the date it is (or is expected to be) ready, and a member with no such date
stays on paper through the window. Everyone outside the phase follows the base scenario's plan
in both arms. Per replication the difference as-it-stands minus on-schedule is taken, and the
mean difference is reported with its 95 % confidence interval, for: the electronic share of
deliveries, paper letters and pages, the median time to status 06, the hub's load in its
busiest hour, and the date each tier goes paper-free.

This module is the only place in :mod:`board` that calls the simulator. It drives today's
:mod:`sim` through scenario configuration: the phase's members become phases of one day each
(``rollout.spread: start``), so each level-1 organ connects exactly on its date; lower tiers
follow with the scenario's lags. Its interface is :func:`simulate_phase` and the typed
:class:`PhaseSimulation`; nothing else of :mod:`sim` leaks out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from board.errors import SimulationError
from board.plans import PhasePlan

BASE_SCENARIO = "baseline-2016"
PAPER_FREE_SHARE = 0.95
WARMUP_DAYS = 7
AFTER_DAYS = 28
TIERS = ("central", "province", "district", "commune")

__all__ = [
    "BASE_SCENARIO",
    "PAPER_FREE_SHARE",
    "Difference",
    "PaperFree",
    "PhaseSimulation",
    "gap_agency_days",
    "simulate_phase",
]


@dataclass(frozen=True, slots=True)
class Difference:
    """A metric in both arms (means over replications) and the paired difference as-it-stands
    minus on-schedule with its 95 % confidence interval (``low``/``high`` NaN with one
    replication)."""

    name: str
    label: str
    unit: str
    on_schedule: float
    as_it_stands: float
    mean: float
    low: float
    high: float
    n: int

    @property
    def significant(self) -> bool:
        """The interval excludes zero."""
        return not math.isnan(self.low) and (self.low > 0 or self.high < 0)


@dataclass(frozen=True, slots=True)
class PaperFree:
    """The first day from which a tier's electronic share stays at or above 95 %, in each arm
    (None: not within the window, in every replication), and the mean delay in days over the
    replications where both arms reached it (``delay_n`` of them)."""

    tier: str
    on_schedule: date | None
    as_it_stands: date | None
    delay_days: float
    delay_n: int


@dataclass(frozen=True, slots=True)
class PhaseSimulation:
    """The result of :func:`simulate_phase`. ``connections`` lists (organ id, planned date,
    date in the as-it-stands arm or None for paper throughout)."""

    plan: str
    scenario: str
    start: date
    days: int
    replications: int
    seeds: tuple[int, ...]
    connections: tuple[tuple[str, date, date | None], ...]
    differences: tuple[Difference, ...]
    paper_free: tuple[PaperFree, ...]
    gap_agency_days: int
    notes: tuple[str, ...]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def difference(self, name: str) -> Difference:
        for d in self.differences:
            if d.name == name:
                return d
        raise KeyError(f"metric {name!r} is not in this simulation")

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "scenario": self.scenario,
            "start": self.start.isoformat(),
            "days": self.days,
            "replications": self.replications,
            "seeds": list(self.seeds),
            "connections": [
                [o, p.isoformat(), c.isoformat() if c else None] for o, p, c in self.connections
            ],
            "differences": [
                {
                    "name": d.name,
                    "label": d.label,
                    "unit": d.unit,
                    "on_schedule": _num(d.on_schedule),
                    "as_it_stands": _num(d.as_it_stands),
                    "mean": _num(d.mean),
                    "low": _num(d.low),
                    "high": _num(d.high),
                    "n": d.n,
                }
                for d in self.differences
            ],
            "paper_free": [
                {
                    "tier": p.tier,
                    "on_schedule": p.on_schedule.isoformat() if p.on_schedule else None,
                    "as_it_stands": p.as_it_stands.isoformat() if p.as_it_stands else None,
                    "delay_days": _num(p.delay_days),
                    "delay_n": p.delay_n,
                }
                for p in self.paper_free
            ],
            "gap_agency_days": self.gap_agency_days,
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PhaseSimulation:
        return cls(
            plan=data["plan"],
            scenario=data["scenario"],
            start=date.fromisoformat(data["start"]),
            days=int(data["days"]),
            replications=int(data["replications"]),
            seeds=tuple(data["seeds"]),
            connections=tuple(
                (o, date.fromisoformat(p), date.fromisoformat(c) if c else None)
                for o, p, c in data["connections"]
            ),
            differences=tuple(
                Difference(
                    d["name"],
                    d["label"],
                    d["unit"],
                    _float(d["on_schedule"]),
                    _float(d["as_it_stands"]),
                    _float(d["mean"]),
                    _float(d["low"]),
                    _float(d["high"]),
                    int(d["n"]),
                )
                for d in data["differences"]
            ),
            paper_free=tuple(
                PaperFree(
                    p["tier"],
                    date.fromisoformat(p["on_schedule"]) if p["on_schedule"] else None,
                    date.fromisoformat(p["as_it_stands"]) if p["as_it_stands"] else None,
                    _float(p["delay_days"]),
                    int(p["delay_n"]),
                )
                for p in data["paper_free"]
            ),
            gap_agency_days=int(data["gap_agency_days"]),
            notes=tuple(data["notes"]),
        )


def _num(value: float) -> float | None:
    return None if math.isnan(value) else value


def _float(value: float | None) -> float:
    return float("nan") if value is None else float(value)


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


def _phases(groups: Mapping[date, list[str]], label: str) -> list[dict[str, Any]]:
    return [
        {
            "name": f"{label} {day.isoformat()}",
            "title": f"{label}: connected on {day.isoformat()}",
            "start": day.isoformat(),
            "end": day.isoformat(),
            "members": sorted(ids),
        }
        for day, ids in sorted(groups.items())
    ]


def _arm(
    base_phases: Sequence[Any], plan: PhasePlan, dates: Mapping[str, date], label: str
) -> list[Any]:
    groups: dict[date, list[str]] = {}
    for organ_id, day in dates.items():
        groups.setdefault(day, []).append(organ_id)
    # The phase's members come first: a level-1 organ connects with the first phase naming it.
    return [*_phases(groups, label), *base_phases]


# --- measuring one run ---------------------------------------------------------------------


_METRICS: tuple[tuple[str, str, str], ...] = (
    ("electronic_share", "Electronic share of deliveries", "share"),
    ("paper_letters", "Paper letters", "letters"),
    ("paper_pages", "Paper pages (letters × mean pages)", "pages"),
    ("tts_06_median_h", "Median time to status 06", "hours"),
    ("peak_hour_load", "Hub load in the busiest hour", "share"),
)


def _measure(result: Any, warmup: int, pages_mean: float) -> dict[str, float]:
    daily, hourly = result.daily, result.hourly
    letters = float(sum(daily["deliveries_paper"][warmup:]))
    load = [x for x in hourly["axis_utilisation"][warmup * 24 :] if not math.isnan(x)]
    return {
        "electronic_share": result.scalars["electronic_share"],
        "paper_letters": letters,
        "paper_pages": letters * pages_mean,
        "tts_06_median_h": result.scalars["tts_06_median_h"],
        "peak_hour_load": max(load) if load else float("nan"),
    }


def _paper_free_day(result: Any, tier: str, warmup: int) -> date | None:
    shares = result.daily[f"electronic_share_{tier}"][warmup:]
    days = result.daily["date"][warmup:]
    found = None
    for day, share in zip(days, shares, strict=True):
        if math.isnan(share) or share < PAPER_FREE_SHARE:
            found = None
        elif found is None:
            found = date.fromisoformat(day)
    return found


def _median_day(days: Sequence[date | None]) -> date | None:
    # The arm's date: the median replication's, when at least half reached it in the window.
    reached = sorted(d for d in days if d is not None)
    if len(reached) * 2 < len(days) or not reached:
        return None
    return reached[len(reached) // 2]


# --- the entry point -----------------------------------------------------------------------


def simulate_phase(
    plan: PhasePlan,
    ready_dates: Mapping[str, date | None],
    *,
    replications: int = 5,
    seed: int = 2016,
    days: int | None = None,
    scenario: str = BASE_SCENARIO,
    jobs: int | None = 1,
    progress: bool = False,
) -> PhaseSimulation:
    """Simulate ``plan`` on schedule and as it stands, with common random numbers.

    ``ready_dates`` maps each member to the date it is (or is expected to be) ready; a member
    missing or mapped to None stays on paper through the window. The window runs from the
    plan's start for ``days`` days (default: to four weeks after its end), after a week of
    warm-up. ``scenario`` is the simulator's base scenario (name or file); ``jobs`` local
    processes run the replications (None: one per core). Raises
    ``SimulationError`` when the simulator refuses the set-up."""
    from sim.errors import SimError
    from sim.replications import run_tasks, seeds_for
    from sim.scenario import load_scenario
    from sim.stats import estimate

    if replications < 1:
        raise SimulationError(f"replications={replications!r} must be >= 1")
    window = days if days is not None else (plan.end - plan.start).days + 1 + AFTER_DAYS
    if window < 1:
        raise SimulationError(f"days={days!r} must be >= 1")
    connections = _connection_dates(plan, ready_dates)
    end = plan.start + timedelta(days=window - 1)
    after = end + timedelta(days=1)
    scheduled = {o: p for o, p, _ in connections}
    standing = {o: (a if a is not None and a <= end else after) for o, _, a in connections}
    try:
        base = load_scenario(scenario)
        common = [
            ("start", (plan.start - timedelta(days=WARMUP_DAYS)).isoformat()),
            ("warmup_days", WARMUP_DAYS),
            ("rollout.spread", "start"),
        ]
        phases = base.data["rollout"]["phases"]
        on_schedule = base.with_overrides(
            [*common, ("rollout.phases", _arm(phases, plan, scheduled, plan.name))]
        )
        as_it_stands = base.with_overrides(
            [*common, ("rollout.phases", _arm(phases, plan, standing, plan.name))]
        )
        seeds = seeds_for(seed, replications)
        total = window + WARMUP_DAYS
        tasks = [(arm.data, s, total) for s in seeds for arm in (on_schedule, as_it_stands)]
        results = run_tasks(tasks, jobs=jobs, progress=progress, label=f"simulate {plan.name}")
    except SimError as exc:
        raise SimulationError(f"the simulator refused the phase set-up: {exc}") from exc
    pages_mean = float(base.data["workload"]["pages_mean"])
    pairs = [(results[2 * i], results[2 * i + 1]) for i in range(len(seeds))]
    measured = [
        (_measure(a, WARMUP_DAYS, pages_mean), _measure(b, WARMUP_DAYS, pages_mean))
        for a, b in pairs
    ]
    differences = []
    for name, label, unit in _METRICS:
        diff = estimate([b[name] - a[name] for a, b in measured])
        differences.append(
            Difference(
                name,
                label,
                unit,
                estimate([a[name] for a, _ in measured]).mean,
                estimate([b[name] for _, b in measured]).mean,
                diff.mean,
                diff.low,
                diff.high,
                diff.n,
            )
        )
    paper_free = []
    for tier in TIERS:
        days_a = [_paper_free_day(a, tier, WARMUP_DAYS) for a, _ in pairs]
        days_b = [_paper_free_day(b, tier, WARMUP_DAYS) for _, b in pairs]
        delays = [float((b - a).days) for a, b in zip(days_a, days_b, strict=True) if a and b]
        delay = estimate(delays)
        paper_free.append(
            PaperFree(tier, _median_day(days_a), _median_day(days_b), delay.mean, delay.n)
        )
    notes = (
        f"window {plan.start}..{end} after {WARMUP_DAYS} days of warm-up; base scenario "
        f"{base.name}; members of other phases follow its plan in both arms, each on its "
        "phase's first day",
        "paper pages are estimated as paper letters × the scenario's mean pages per document",
        "hub load is the axis utilisation of the busiest hour in the window",
        "time to status 06 is over electronic deliveries only: the simulator does not yet follow "
        "a paper delivery to completion, so keeping agencies on paper can shorten it",
    )
    return PhaseSimulation(
        plan=plan.name,
        scenario=base.name,
        start=plan.start,
        days=window,
        replications=replications,
        seeds=tuple(seeds),
        connections=connections,
        differences=tuple(differences),
        paper_free=tuple(paper_free),
        gap_agency_days=gap_agency_days(connections, plan.start, end),
        notes=notes,
    )
