"""Scenario files: the shipped ones validate, bad ones are refused with the offending path."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.scenario import load_scenario, parse_override, parse_vary, shipped_scenarios

SHIPPED = (
    "baseline-2016",
    "pilot-2015",
    "no-paper-dependence",
    "axis-outage-day",
    "half-capacity",
    "two-tier-2025",
)


def test_every_shipped_scenario_loads_and_says_what_it_is_for() -> None:
    found = shipped_scenarios()
    assert set(SHIPPED) <= set(found)
    for name in SHIPPED:
        scenario = load_scenario(name)
        assert scenario.name == name
        purpose = found[name]
        assert purpose and "\n" not in purpose and purpose == scenario.purpose


def test_baseline_states_its_calibration() -> None:
    calibration = load_scenario("baseline-2016").data["workload"]["calibration"]
    assert calibration["period"] == "2022-07"
    assert calibration["targets"]["documents_sent"] == 135164
    assert calibration["targets"]["deliveries_received"] == 485666


def test_extends_merges_mappings_and_replaces_lists() -> None:
    base = load_scenario("baseline-2016").data
    half = load_scenario("half-capacity").data
    assert half["axis"]["servers"] == base["axis"]["servers"] // 2
    # untouched keys of the same mapping come from the base
    assert half["axis"]["service_seconds"] == base["axis"]["service_seconds"]
    assert half["workload"]["streams"] == base["workload"]["streams"]
    two_tier = load_scenario("two-tier-2025").data
    assert {s["to"] for s in two_tier["workload"]["streams"]}.isdisjoint({"district"})


def test_overrides_apply_and_are_validated() -> None:
    scenario = load_scenario("baseline-2016", [parse_override("axis.servers=2")])
    assert scenario.data["axis"]["servers"] == 2
    assert scenario.overrides == (("axis.servers", 2),)
    with pytest.raises(ScenarioError, match=r"axis\.servers"):
        load_scenario("baseline-2016", [("axis.servers", 0)])
    with pytest.raises(ScenarioError, match="names no setting"):
        load_scenario("baseline-2016", [("axis.server", 4)])


def test_parse_override_and_vary() -> None:
    assert parse_override("start=2022-07-01") == ("start", "2022-07-01")
    assert parse_override("rollout.gateway_relay=false") == ("rollout.gateway_relay", False)
    assert parse_vary("axis.servers=2,4,8") == ("axis.servers", [2, 4, 8])
    for bad in ("axis.servers", "=4", "axis.servers="):
        with pytest.raises(ScenarioError):
            parse_vary(bad)
    with pytest.raises(ScenarioError, match="not valid YAML"):
        parse_override("calendar.holidays=[2016-13-01]")


def test_a_file_with_a_typo_is_refused_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nextends: baseline-2016\naxis:\n  serverz: 4\n", "utf-8")
    with pytest.raises(ScenarioError, match=r"axis: Additional properties .*serverz"):
        load_scenario(path)


def test_a_plan_of_ones_own(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(
        "name: my-plan\npurpose: two provinces first\nextends: baseline-2016\n"
        "rollout:\n  phases:\n"
        "    - {name: first, start: 2016-03-01, end: 2016-03-10,"
        " members: [000.00.00.H44, 000.00.00.H22]}\n",
        "utf-8",
    )
    scenario = load_scenario(path)
    assert scenario.data["rollout"]["phases"][0]["members"] == ["000.00.00.H44", "000.00.00.H22"]


def test_unreadable_and_unknown_scenarios_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="neither a file nor a shipped name"):
        load_scenario("no-such-scenario")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", "utf-8")
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(bad)
    loop = tmp_path / "loop.yaml"
    loop.write_text("name: loop\nextends: loop.yaml\n", "utf-8")
    with pytest.raises(ScenarioError, match="extends itself"):
        load_scenario(loop)
