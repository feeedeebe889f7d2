"""The phase simulation through today's simulator: both arms share their seeds, a phase with
everyone ready on schedule costs exactly nothing, members kept on paper cost electronic share
and paper; the result survives the registry (JSON)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from board.errors import SimulationError
from board.plans import shipped_plans
from board.simulate import PhaseSimulation, gap_agency_days, simulate_phase

PHASE1 = next(p for p in shipped_plans() if p.name == "phase-1-2016")
DAYS = 3


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The baseline on a small network with coarse ticks: the same model, seconds to run."""
    path = tmp_path_factory.mktemp("scenario") / "quick.yaml"
    path.write_text(
        "name: board-quick\npurpose: the board's tests\nextends: baseline-2016\n"
        "topology: {era: '2016', scale: 0.02, seed: 0}\nengine: {tick_seconds: 300}\n",
        "utf-8",
    )
    return str(path)


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


def test_everyone_on_schedule_costs_exactly_nothing(quick: str) -> None:
    ready = {m.organ_id: m.planned for m in PHASE1.members}
    result = simulate_phase(PHASE1, ready, replications=2, days=DAYS, scenario=quick)
    assert result.gap_agency_days == 0
    assert result.seeds == (2016, 2017)
    for d in result.differences:
        # Same seeds, same plan: the arms are the same runs (common random numbers).
        assert d.mean == 0.0 and d.low == 0.0 and d.high == 0.0, d
        assert not d.significant


def test_members_kept_on_paper_cost_electronic_share_and_paper(quick: str) -> None:
    result = simulate_phase(PHASE1, {}, replications=2, days=DAYS, scenario=quick)
    assert result.gap_agency_days == len(PHASE1.members) * DAYS
    assert all(actual is None for _, _, actual in result.connections)
    share = result.difference("electronic_share")
    letters = result.difference("paper_letters")
    assert share.mean < 0 < letters.mean
    assert share.as_it_stands < share.on_schedule
    assert result.difference("paper_pages").mean == pytest.approx(letters.mean * 3.0)
    assert [p.tier for p in result.paper_free] == ["central", "province", "district", "commune"]
    assert result.start == PHASE1.start and result.end == PHASE1.start + timedelta(days=DAYS - 1)
    stored = result.to_json()
    assert PhaseSimulation.from_json(stored).to_json() == stored


def test_a_scenario_the_simulator_refuses_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nextends: baseline-2016\naxis: {servers: -1}\n", "utf-8")
    with pytest.raises(SimulationError, match="refused"):
        simulate_phase(PHASE1, {}, replications=1, days=1, scenario=str(broken))
    with pytest.raises(SimulationError, match="replications"):
        simulate_phase(PHASE1, {}, replications=0)
