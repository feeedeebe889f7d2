"""The go-live forecast: fixes first, then certification runs within the weekly capacity on
working days; the officer's dates taken at their word; the cost of a week of delay from the
phase simulation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from board.certificates import Party
from board.forecast import FIX_DAYS, forecast_phase, ready_dates
from board.model import Decision, Deployment
from board.plans import PhasePlan, PlanMember, Role
from board.readiness import Code, PhaseReadiness, phase_readiness, verifier
from board.simulate import Difference, PhaseSimulation
from spec.clock import FixedClock
from tests.board.helpers import EOFFICE, NOW, Signer

MONDAY = date(2016, 2, 29)
CLOCK = FixedClock(NOW.replace(day=29, month=2))  # Monday 29 February 2016
SIGNER = Signer()


def plan_of(n: int, start: date = date(2016, 3, 25)) -> PhasePlan:
    members = tuple(PlanMember(f"000.00.00.H{i:02d}", Role.TWO_WAY, start) for i in range(1, n + 1))
    return PhasePlan("wave", "wave", start, start + timedelta(days=30), members, "test")


def readiness(plan: PhasePlan, certified: int = 0) -> PhaseReadiness:
    deployments, certificates = {}, {}
    for m in plan.members[:certified]:
        system = f"00.{m.organ_id[-2:]}.W00"
        deployments[m.organ_id] = Deployment(m.organ_id, EOFFICE, system, MONDAY, NOW, "t")
        certificates[m.organ_id] = [
            SIGNER.certificate(party=Party(m.organ_id, "x", system), issued=CLOCK.now())
        ]
    return phase_readiness(
        plan, deployments, certificates, verify=verifier(SIGNER.trusted), clock=CLOCK
    )


def test_a_ready_phase_is_ready_today() -> None:
    plan = plan_of(2)
    forecast = forecast_phase(readiness(plan, certified=2), {})
    assert forecast.ready_on == MONDAY and forecast.days_late == 0 and forecast.runs == 0
    assert {a.basis for a in forecast.agencies} == {"ready"}


def test_runs_wait_for_the_fix_and_fit_the_weekly_capacity_on_working_days() -> None:
    plan = plan_of(7)
    forecast = forecast_phase(readiness(plan), {}, capacity=5)
    fix = MONDAY + timedelta(days=FIX_DAYS[Code.NO_CERTIFICATE])  # Monday 14 March
    days = sorted(a.ready_on for a in forecast.agencies)
    assert days[0] == fix
    assert all(d.weekday() < 5 for d in days)
    per_week: dict[tuple[int, int], int] = {}
    for d in days:
        per_week[d.isocalendar()[:2]] = per_week.get(d.isocalendar()[:2], 0) + 1
    assert max(per_week.values()) <= 5
    assert forecast.runs == 7
    assert forecast.ready_on == date(2016, 3, 22)  # two runs in the second week
    faster = forecast_phase(readiness(plan), {}, capacity=10)
    assert faster.ready_on < forecast.ready_on


def test_the_officer_fix_days_and_dates_count() -> None:
    plan = plan_of(2)
    decided = {
        "000.00.00.H01": Decision("wave", "000.00.00.H01", date(2016, 5, 2), None, "", NOW, "o"),
        "000.00.00.H02": Decision("wave", "000.00.00.H02", None, 1, "", NOW, "o"),
    }
    forecast = forecast_phase(readiness(plan), decided)
    by_id = {a.organ_id: a for a in forecast.agencies}
    assert by_id["000.00.00.H01"].ready_on == date(2016, 5, 2)
    assert by_id["000.00.00.H01"].basis == "officer"
    assert by_id["000.00.00.H02"].ready_on == MONDAY + timedelta(days=1)
    assert forecast.days_late == (date(2016, 5, 2) - plan.start).days
    assert forecast.weeks_late == 6


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity"):
        forecast_phase(readiness(plan_of(1)), {}, capacity=0)


def simulation(gap_days: int, letters: float) -> PhaseSimulation:
    def diff(name: str, value: float) -> Difference:
        text = f"+{value:,.0f}"
        return Difference(name, name, "count", 0.0, value, value, value, value, 3, True, "0",
                          text, text)  # fmt: skip

    return PhaseSimulation(
        "wave", "baseline-2016", date(2016, 3, 25), 30, 7, 0.05, 3, (1, 2, 3), (), (
            diff("paper_letters", letters),
            diff("paper_pages", letters * 3),
            diff("tts_06_median_h", 1.5),
        ), gap_days, (),
    )  # fmt: skip


def test_the_cost_of_a_week_comes_from_the_simulation() -> None:
    plan = plan_of(4, start=date(2016, 3, 7))  # before the fixes can be done
    assert forecast_phase(readiness(plan), {}).cost is None
    forecast = forecast_phase(readiness(plan, certified=1), {}, simulation=simulation(70, 1000.0))
    cost = forecast.cost
    assert cost is not None
    # 1,000 letters over 70 agency-days = 100 a week per agency, for the 3 late members.
    assert forecast.days_late > 0
    assert cost.blocked_members == 3
    assert cost.letters_per_week == pytest.approx(300.0)
    assert cost.pages_per_week == pytest.approx(900.0)
    assert cost.tts_06_hours == 1.5


def test_ready_dates_for_the_simulation() -> None:
    plan = plan_of(3)
    state = readiness(plan, certified=1)
    decided = {
        "000.00.00.H02": Decision("wave", "000.00.00.H02", date(2016, 4, 4), None, "", NOW, "o")
    }
    assert ready_dates(state, decided) == {
        "000.00.00.H01": plan.start,
        "000.00.00.H02": date(2016, 4, 4),
        "000.00.00.H03": None,
    }
    forecast = forecast_phase(state, decided)
    with_forecast = ready_dates(state, decided, forecast)
    assert with_forecast["000.00.00.H03"] == next(
        a.ready_on for a in forecast.agencies if a.organ_id == "000.00.00.H03"
    )


def test_a_plan_whose_start_has_passed_counts_from_the_forecasts_day() -> None:
    plan = plan_of(3, start=date(2016, 1, 4))  # two months before the forecast
    forecast = forecast_phase(readiness(plan, certified=1), {}, simulation=simulation(70, 1000.0))
    assert forecast.start_passed
    # The ready member is not late although its planned date has passed; the others are.
    assert [a.organ_id for a in forecast.late] == ["000.00.00.H02", "000.00.00.H03"]
    assert forecast.days_from_now == (forecast.ready_on - MONDAY).days > 0
    assert forecast.cost is not None and forecast.cost.blocked_members == 2
