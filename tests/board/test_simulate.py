"""The phase simulation through the simulator's phase comparison: both arms share their seeds,
a phase with everyone ready on schedule costs exactly nothing (metrics no pair measured say
n/a, never NaN), members kept on paper cost electronic share and paper, members planned on days
of their own are measured against their own day; the result survives the registry (JSON)."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from board.errors import SimulationError
from board.plans import PlanMember, shipped_plans
from board.simulate import PhaseSimulation, gap_agency_days, simulate_phase
from sim.phase import KEY_METRICS

PHASE1 = next(p for p in shipped_plans() if p.name == "phase-1-2016")
QUICK = {"replications": 2, "days": 3, "scale": 0.02}


def test_gap_agency_days() -> None:
    start, end = date(2016, 3, 25), date(2016, 3, 31)
    connections = [
        ("a", start, start),  # on time
        ("b", start, start + timedelta(days=2)),  # two days late
        ("c", start, None),  # never in the window: 7 days
        ("d", start + timedelta(days=5), None),  # planned late in the window: 2 days
        ("e", start, end + timedelta(days=9)),  # after the window: the whole window
    ]
    assert gap_agency_days(connections, start, end) == 0 + 2 + 7 + 2 + 7


@pytest.mark.slow
def test_everyone_on_schedule_costs_exactly_nothing() -> None:
    ready = {m.organ_id: m.planned for m in PHASE1.members}
    result = simulate_phase(PHASE1, ready, **QUICK)  # type: ignore[arg-type]
    assert result.gap_agency_days == 0 and result.late == 0
    assert result.seeds == (2016, 2017)
    assert [d.name for d in result.differences] == list(KEY_METRICS)
    measured = [d for d in result.differences if d.pairs]
    assert {"electronic_share", "paper_letters", "axis_peak_hour_load"} <= {
        d.name for d in measured
    }
    for d in measured:
        # Same seeds, same plan: the arms are the same runs (common random numbers).
        assert d.mean == 0.0 and d.low == 0.0 and d.high == 0.0, d
        assert not d.significant and d.pairs == 2
    for d in result.differences:
        if not d.pairs:  # e.g. a tier that goes paper-free within neither arm's window
            assert d.text == "n/a" and math.isnan(d.mean)
    stored = result.to_json()
    text = json.dumps(stored, allow_nan=False)  # n/a is null in JSON, never NaN
    assert PhaseSimulation.from_json(json.loads(text)).to_json() == stored


@pytest.mark.slow
def test_members_kept_on_paper_cost_electronic_share_and_paper() -> None:
    result = simulate_phase(PHASE1, {}, **QUICK)  # type: ignore[arg-type]
    assert result.gap_agency_days == len(PHASE1.members) * 3 and result.late == 30
    assert all(actual is None for _, _, actual in result.connections)
    share = result.difference("electronic_share")
    letters = result.difference("paper_letters")
    assert share.mean < 0 < letters.mean
    assert share.as_it_stands < share.on_schedule
    assert result.difference("paper_pages").mean > letters.mean
    assert letters.text.startswith("+") and "[" in letters.text  # with its interval
    assert share.text.endswith("pp]") and share.on_schedule_text.endswith("%")
    assert result.start == PHASE1.start and result.end == PHASE1.start + timedelta(days=2)


@pytest.mark.slow
def test_members_planned_on_days_of_their_own_are_late_only_after_their_day() -> None:
    own_day = PHASE1.start + timedelta(days=2)
    members = tuple(
        replace(m, planned=own_day) if i % 2 else m for i, m in enumerate(PHASE1.members)
    )
    plan = replace(PHASE1, name="own-days", members=members)
    on_their_days = {m.organ_id: m.planned for m in members}
    result = simulate_phase(plan, on_their_days, **QUICK)  # type: ignore[arg-type]
    assert result.late == 0
    for d in result.differences:
        assert d.pairs == 0 or d.mean == 0.0, d
    assert isinstance(members[1], PlanMember) and members[1].planned == own_day


def test_a_scenario_the_simulator_refuses_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nextends: baseline-2016\naxis: {servers: -1}\n", "utf-8")
    with pytest.raises(SimulationError, match="refused"):
        simulate_phase(PHASE1, {}, replications=1, days=1, scenario=str(broken))
    with pytest.raises(SimulationError, match="replications"):
        simulate_phase(PHASE1, {}, replications=0)
