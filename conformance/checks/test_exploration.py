"""Stateful exploration: random sequences of axis events against the SUT (deliveries,
re-sends, revokes, take-back requests, clerk actions, faults), checked against the spec's
invariants; a failure is shrunk and written out as a replayable scenario. With
``--replay FILE`` (``lienthong certify --replay``) the scenario file is played instead."""

from __future__ import annotations

import pytest

from conformance.exploration import INVARIANTS, explore, load_scenario, replay
from conformance.judge import Judge
from conformance.runtime import CertificationSession
from conformance.world import World
from reports.model import Evidence

requirement = pytest.mark.requirement


@requirement(*INVARIANTS)
def test_random_event_sequences_keep_the_invariants(
    fresh: World, judge: Judge, certification: CertificationSession
) -> None:
    examples = certification.settings.exploration_examples
    if examples == 0:
        pytest.skip("exploration turned off (--exploration-examples 0)")
    scenario, ran = explore(fresh, examples=examples)
    if scenario is None:
        for req_id in INVARIANTS:
            judge.passed(req_id, f"{ran} random scenario(s) of axis events kept the invariant")
        return
    path = scenario.write(certification.folder / "scenarios")
    certification.scenarios.append(path)
    note = Evidence(
        "note",
        f"shrunk to {len(scenario.steps)} step(s), written to {path.name}; replay with "
        f"lienthong certify --replay {path}",
        {"scenario": scenario.to_json()},
    )
    for line in scenario.violations:
        req_id, _, message = line.partition(": ")
        judge.fail(req_id, f"scenario {scenario.name}: {message}", [note])


@pytest.mark.replay
@requirement(*INVARIANTS)
def test_the_replayed_scenario_keeps_the_invariants(
    fresh: World, judge: Judge, certification: CertificationSession
) -> None:
    path = certification.settings.replay
    if path is None:
        pytest.skip("no scenario to replay (--replay FILE)")
    scenario = load_scenario(path)
    violations = replay(fresh, scenario)
    note = Evidence("note", f"replayed {scenario.name} ({len(scenario.steps)} steps) from {path}")
    for violation in violations:
        judge.fail(violation.req_id, f"scenario {scenario.name}: {violation.message}", [note])
    broken = {v.req_id for v in violations}
    for req_id in scenario.requirements:
        if req_id not in broken:
            judge.passed(req_id, f"scenario {scenario.name} no longer breaks it", [note])
