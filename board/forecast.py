"""The go-live forecast: when will a phase be ready, and what does each week of delay cost?

Each blocked member first needs its vendor's fix (the officer's estimate for it, or a default
by what blocks it, :data:`FIX_DAYS`), then a certification run. The certification office runs
at most ``capacity`` runs a week, spread over its working days (Monday to Friday), first come
first served in the order fixes are done. A member whose certificate only waits for its validity to begin,
or that only lacks a recorded deployment, needs no run; a member for which the officer entered
an expected ready date is taken at its word. The phase is ready on the last member's day.

What a week of delay costs comes from the phase simulation (:mod:`board.simulate`): the paper
letters and pages of the members kept on paper, per agency-week, times the members still
blocked on the planned date.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from board.model import Decision
from board.readiness import Code, PhaseReadiness
from board.simulate import PhaseSimulation

DEFAULT_CAPACITY = 5
HORIZON_DAYS = 5 * 365
WORKING_DAYS = 5  # Monday to Friday

# Days a vendor needs, by what blocks its agency (the officer can say otherwise per agency).
FIX_DAYS: Mapping[Code, int] = {
    Code.NO_DEPLOYMENT: 0,
    Code.NO_CERTIFICATE: 14,
    Code.NOT_CERTIFIED: 21,
    Code.INVALID: 7,
    Code.UNTRUSTED: 7,
    Code.WRONG_AGENCY: 0,
    Code.WRONG_PROFILE: 14,
    Code.PARTIAL_RUN: 0,
    Code.MUTANT: 0,
    Code.SIGNATURE_DROPPED: 21,
    Code.WRONG_SYSTEM: 3,
    Code.NO_BUILD: 7,
    Code.WRONG_BUILD: 0,
    Code.NOT_YET_VALID: 0,
    Code.EXPIRED: 0,
    Code.WAIVER_EXPIRED: 21,
}
# Blockers that go away without a certification run.
NO_RUN = frozenset({Code.NO_DEPLOYMENT, Code.NOT_YET_VALID})

__all__ = [
    "DEFAULT_CAPACITY",
    "FIX_DAYS",
    "AgencyForecast",
    "DelayCost",
    "Forecast",
    "forecast_phase",
    "ready_dates",
]


@dataclass(frozen=True, slots=True)
class AgencyForecast:
    """When one member is expected ready, and why: ``basis`` is ``ready`` (it is already),
    ``officer`` (the officer's date), ``run`` (a certification run after its fix) or
    ``validity`` (its certificate's validity begins)."""

    organ_id: str
    planned: date
    fix_done: date
    ready_on: date
    basis: str

    @property
    def days_late(self) -> int:
        return max(0, (self.ready_on - self.planned).days)


@dataclass(frozen=True, slots=True)
class DelayCost:
    """What one week of delay costs, from a phase simulation: paper letters and pages per
    week for the members still blocked on the planned date, and how much longer documents
    take to reach status 06 (hours, the simulated gap)."""

    letters_per_week: float
    pages_per_week: float
    tts_06_hours: float
    blocked_members: int
    basis: str


@dataclass(frozen=True, slots=True)
class Forecast:
    """The go-live forecast of a phase as of ``as_of``."""

    plan: str
    as_of: date
    capacity: int
    planned: date
    ready_on: date
    runs: int
    agencies: tuple[AgencyForecast, ...]
    cost: DelayCost | None

    @property
    def days_late(self) -> int:
        """Days between the plan's start and the day the last member is ready (0: on time)."""
        return max(0, (self.ready_on - self.planned).days)

    @property
    def weeks_late(self) -> int:
        return math.ceil(self.days_late / 7)

    @property
    def start_passed(self) -> bool:
        """The plan's start was before the day the forecast is made: the phase has slipped
        already, and what matters is how long from now it takes."""
        return self.planned < self.as_of

    @property
    def late(self) -> tuple[AgencyForecast, ...]:
        """The members not ready on their planned date (or, once it has passed, not ready on
        the forecast's day), in the order they get ready."""
        found = (a for a in self.agencies if a.ready_on > max(a.planned, self.as_of))
        return tuple(sorted(found, key=lambda a: a.ready_on))

    @property
    def days_from_now(self) -> int:
        """Days from the forecast's day to the day the last member is ready."""
        return (self.ready_on - self.as_of).days


def _fix_days(codes: list[Code], decision: Decision | None) -> int:
    if decision is not None and decision.fix_days is not None:
        return decision.fix_days
    return max((FIX_DAYS[c] for c in codes), default=0)


def _needs_run(codes: list[Code]) -> bool:
    return any(c not in NO_RUN for c in codes)


def _schedule(waiting: list[tuple[date, int, str]], capacity: int, today: date) -> dict[str, date]:
    """Run day of each member: (fix done, plan position, organ id), at most ``capacity`` runs a
    week spread over its five working days."""
    waiting = sorted(waiting)
    out: dict[str, date] = {}
    per_day = math.ceil(capacity / WORKING_DAYS)
    day, used, week = today, 0, today.isocalendar()[:2]
    limit = today + timedelta(days=HORIZON_DAYS)
    while waiting and day <= limit:
        if day.isocalendar()[:2] != week:
            week, used = day.isocalendar()[:2], 0
        if day.weekday() < WORKING_DAYS:
            today_runs = 0
            while waiting and used < capacity and today_runs < per_day and waiting[0][0] <= day:
                _, _, organ_id = waiting.pop(0)
                out[organ_id] = day
                used += 1
                today_runs += 1
        day += timedelta(days=1)
    for _, _, organ_id in waiting:
        out[organ_id] = limit
    return out


def forecast_phase(
    readiness: PhaseReadiness,
    decisions: Mapping[str, Decision],
    *,
    capacity: int = DEFAULT_CAPACITY,
    simulation: PhaseSimulation | None = None,
) -> Forecast:
    """The go-live forecast of a phase from its readiness on ``readiness.as_of``, the officer's
    decisions, the certification capacity (runs a week) and, for the cost of delay, the
    phase's simulation."""
    if capacity < 1:
        raise ValueError(f"capacity={capacity!r} must be at least one run a week")
    today = readiness.as_of
    plan = readiness.plan
    planned = {m.organ_id: m.planned for m in plan.members}
    position = {m.organ_id: i for i, m in enumerate(plan.members)}
    found: dict[str, AgencyForecast] = {}
    waiting: list[tuple[date, int, str]] = []
    fixes: dict[str, date] = {}
    for agency in readiness.agencies:
        organ_id = agency.organ_id
        if agency.ready:
            found[organ_id] = AgencyForecast(organ_id, planned[organ_id], today, today, "ready")
            continue
        decision = decisions.get(organ_id)
        codes = [b.code for b in agency.blockers]
        fix_done = today + timedelta(days=_fix_days(codes, decision))
        if decision is not None and decision.expected_ready is not None:
            day = max(decision.expected_ready, today)
            found[organ_id] = AgencyForecast(organ_id, planned[organ_id], fix_done, day, "officer")
        elif not _needs_run(codes):
            starts = [
                agency.certificate.valid_from
                for b in agency.blockers
                if b.code is Code.NOT_YET_VALID and agency.certificate is not None
            ]
            day = max([fix_done, *starts])
            found[organ_id] = AgencyForecast(organ_id, planned[organ_id], fix_done, day, "validity")
        else:
            fixes[organ_id] = fix_done
            waiting.append((fix_done, position[organ_id], organ_id))
    runs = _schedule(waiting, capacity, today)
    for organ_id, day in runs.items():
        found[organ_id] = AgencyForecast(organ_id, planned[organ_id], fixes[organ_id], day, "run")
    agencies = tuple(found[m.organ_id] for m in plan.members)
    ready_on = max((a.ready_on for a in agencies), default=today)
    forecast = Forecast(
        plan=plan.name,
        as_of=today,
        capacity=capacity,
        planned=plan.start,
        ready_on=ready_on,
        runs=len(runs),
        agencies=agencies,
        cost=None,
    )
    return replace(forecast, cost=_cost(simulation, len(forecast.late)))


def _cost(simulation: PhaseSimulation | None, blocked: int) -> DelayCost | None:
    if simulation is None or simulation.gap_agency_days <= 0:
        return None
    per_agency_week = 7.0 / simulation.gap_agency_days
    letters = simulation.difference("paper_letters").mean
    pages = simulation.difference("paper_pages").mean
    tts = simulation.difference("tts_06_median_h").mean
    return DelayCost(
        letters_per_week=letters * per_agency_week * blocked,
        pages_per_week=pages * per_agency_week * blocked,
        tts_06_hours=tts,
        blocked_members=blocked,
        basis=(
            f"simulation of {simulation.plan} ({simulation.replications} replications, "
            f"{simulation.gap_agency_days:,} agency-days on paper): extra paper per agency-week "
            f"× {blocked} member(s) not ready on their planned date (or, once it has passed, "
            "now)"
        ),
    )


def ready_dates(
    readiness: PhaseReadiness,
    decisions: Mapping[str, Decision],
    forecast: Forecast | None = None,
) -> dict[str, date | None]:
    """Per member, the date it connects as the phase stands, for :mod:`board.simulate`: its
    planned date when it is ready, the officer's expected date, else its forecast date when a
    forecast is given, else None (it stays on paper)."""
    planned = {m.organ_id: m.planned for m in readiness.plan.members}
    by_forecast = {a.organ_id: a.ready_on for a in forecast.agencies} if forecast else {}
    out: dict[str, date | None] = {}
    for a in readiness.agencies:
        decision = decisions.get(a.organ_id)
        if a.ready:
            out[a.organ_id] = planned[a.organ_id]
        elif decision is not None and decision.expected_ready is not None:
            out[a.organ_id] = decision.expected_ready
        else:
            out[a.organ_id] = by_forecast.get(a.organ_id)
    return out
