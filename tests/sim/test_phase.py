"""The onboarding board's question: what does a phase cost when some of its agencies connect
late? Each agency's own date against the plan's, same seeds, paired differences."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sim import PhaseRollout, simulate_phase
from sim.errors import ScenarioError
from sim.phase import KEY_METRICS, phase_dates

PLANNED = date(2016, 6, 6)
# six provinces of phase 2, four of them a month late and one not within the run
MEMBERS = ["000.00.00.H63", "000.00.00.H03", "000.00.00.H37", "000.00.00.H54",
           "000.00.00.H42", "000.00.00.H62"]  # fmt: skip
QUICK: dict[str, Any] = {"days": 3, "warmup_days": 1, "replications": 3, "scale": 0.02, "seed": 11}


@pytest.fixture(scope="module")
def late():
    delays = {m: 30 for m in MEMBERS[:4]} | {MEMBERS[4]: 0, MEMBERS[5]: None}
    phase = PhaseRollout("wave", PLANNED, phase_dates(PLANNED, delays))
    return simulate_phase(phase, **QUICK)


@pytest.mark.slow
def test_late_agencies_cost_electronic_share_and_add_paper(late) -> None:
    share = late.metric("electronic_share")
    assert share.difference.mean < 0 and share.significant
    assert share.actual.mean < share.baseline.mean
    letters = late.metric("paper_letters")
    assert letters.difference.mean > 0 and letters.significant
    assert late.metric("paper_pages").difference.mean > letters.difference.mean
    assert late.metric("axis_peak_hour_jobs_per_s").difference.mean < 0
    assert letters.text.startswith("+") and "[" in letters.text
    assert late.seeds == [11, 12, 13]
    assert set(late.phase.late) == set(MEMBERS[:4]) | {MEMBERS[5]}


def test_every_key_metric_comes_with_its_interval(late) -> None:
    rows = late.to_json()["metrics"]
    assert [r["name"] for r in rows] == list(KEY_METRICS)
    for row in rows:
        assert {"baseline", "actual", "difference", "low", "high", "significant", "text"} <= set(
            row
        )
    dates = [r for r in rows if r["name"].startswith("paper_free_")]
    assert len(dates) == 4  # per tier; not reached in three days: no pairs, said so
    assert all(r["text"] == "n/a" and r["pairs"] == 0 for r in dates)
    assert len(late.differences) > len(KEY_METRICS)  # and every other metric too


@pytest.mark.slow
def test_a_phase_on_time_costs_exactly_nothing() -> None:
    """Common random numbers: the baseline and a phase whose agencies all keep the plan's date
    are the same run, so every paired difference is zero."""
    phase = PhaseRollout("on time", PLANNED, dict.fromkeys(MEMBERS, PLANNED))
    effect = simulate_phase(phase, **{**QUICK, "days": 1, "replications": 2})
    assert not phase.late
    for name, d in effect.differences.items():
        assert d.n == 0 or (d.mean == 0 and not d.significant), name


def test_bad_phases_are_refused_with_the_reason() -> None:
    with pytest.raises(ScenarioError, match="names no agency"):
        PhaseRollout("empty", PLANNED, {})
    with pytest.raises(ScenarioError, match="must be a date"):
        PhaseRollout("typo", PLANNED, {MEMBERS[0]: "2016-07-01"})  # type: ignore[dict-item]
    phase = PhaseRollout("unknown", PLANNED, {"000.00.00.H99": PLANNED})
    with pytest.raises(ScenarioError, match=r"rollout\.connections\.000\.00\.00\.H99"):
        simulate_phase(phase, **{**QUICK, "days": 1, "replications": 1})


@pytest.mark.slow
def test_members_planned_on_days_of_their_own_are_measured_against_their_own_day() -> None:
    """A plan whose members join on different days: a member connecting on its own plan day is
    not late, and keeping every member on its own day costs exactly nothing."""
    own = {MEMBERS[1]: PLANNED.replace(day=8), MEMBERS[2]: PLANNED.replace(day=9)}
    on_time = {m: own.get(m, PLANNED) for m in MEMBERS}
    phase = PhaseRollout("own days", PLANNED, on_time, schedule=own)
    assert not phase.late
    effect = simulate_phase(phase, **{**QUICK, "days": 4, "replications": 2})
    for name, d in effect.differences.items():
        assert d.n == 0 or (d.mean == 0 and not d.significant), name
    slipped = PhaseRollout("own days", PLANNED, {**on_time, MEMBERS[1]: PLANNED.replace(day=9)},
                           schedule=own)  # fmt: skip
    assert slipped.late == {MEMBERS[1]: PLANNED.replace(day=9)}
    with pytest.raises(ScenarioError, match="not in connections"):
        PhaseRollout("typo", PLANNED, on_time, schedule={"000.00.00.H99": PLANNED})
