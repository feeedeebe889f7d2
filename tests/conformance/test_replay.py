"""Deterministic replay: the same seed against the reference SUT gives the same messages, the
same faults and the same verdicts. Two full runs are compared through their transcripts at the
level of messages (per document: who sent what kind of message with which status code) and of
faults (the plans installed and what each rule did), never through wall-clock timestamps."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from axis.events import Event, FaultEvent, FaultsEvent, StoredEvent, parse_event
from conformance.certify import CertifyResult, run
from conformance.exploration import load_scenario
from conformance.settings import CertifySettings
from reports.model import Report, Verdict
from spec.status_codes import InvalidStatusCode, StatusCode
from tests.side_by_side import side_by_side

SEED = 20160405  # the day TP.HCM went live two-way


def _events(folder: Path) -> list[Event]:
    lines = (folder / "transcript.jsonl").read_text("utf-8").splitlines()
    return [parse_event(line) for line in lines]


def _code(text: str) -> str:
    try:
        return StatusCode.parse(text).value
    except InvalidStatusCode:
        return text


def messages(folder: Path, sut_system: str) -> dict[str, list[tuple[str, str, str]]]:
    """Per DocumentId, the stored messages in order: (sender, messagetype, status code)."""
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for event in _events(folder):
        stored = event.body
        if not isinstance(stored, StoredEvent) or stored.unparsed:
            continue
        role = "sut" if stored.system == sut_system else stored.system
        out[stored.document_id].append((role, stored.messagetype, _code(stored.status_code)))
    return dict(out)


def fault_plans(folder: Path) -> list[dict[str, Any]]:
    return [e.body.plan for e in _events(folder) if isinstance(e.body, FaultsEvent)]


def firings(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Per fault rule, what each firing did (kind and drawn parameters, not the call it hit)."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in _events(folder):
        if isinstance(event.body, FaultEvent):
            fault = event.body
            out[fault.rule].append({"fault": fault.fault, **fault.params})
    return dict(out)


def _run(out: Path) -> tuple[Report, Path]:
    result = run(CertifySettings(adapter="reference", seed=SEED, out_dir=out))
    assert result.verdict is Verdict.CERTIFIED, result.message
    assert result.folder is not None and result.outcome is not None
    assert result.outcome.report is not None
    return result.outcome.report, result.folder


@pytest.mark.slow
@side_by_side(_run, _run)
def test_the_same_seed_gives_the_same_messages_faults_and_verdicts(
    ran: list[tuple[Report, Path]],
) -> None:
    (first, first_folder), (second, second_folder) = ran
    folders = [first_folder, second_folder]
    sut = first.sut.system_id

    one, two = (messages(f, sut) for f in folders)
    assert len(one) > 20 and sum(len(v) for v in one.values()) > 60
    assert one.keys() == two.keys()
    for document_id in one:
        assert one[document_id] == two[document_id], document_id

    assert fault_plans(folders[0]) == fault_plans(folders[1])
    fired_one, fired_two = firings(folders[0]), firings(folders[1])
    assert fired_one.keys() == fired_two.keys() and fired_one
    for rule, events in fired_one.items():
        other = fired_two[rule]
        shortest = min(len(events), len(other))
        assert events[:shortest] == other[:shortest], rule
        # Budgeted rules fire exactly their budget; an outage fires per call in its window,
        # and the exploration's last fault may be cleared before the SUT's next call.
        if rule != "outage" and not rule.startswith("explore-"):
            assert len(events) == len(other), rule

    assert [(r.id, r.verdict) for r in first.requirements] == [
        (r.id, r.verdict) for r in second.requirements
    ]


def test_a_scenario_file_is_read_back_and_bad_ones_are_refused(tmp_path: Path) -> None:
    from conformance.errors import ConformanceError
    from conformance.exploration import Scenario

    scenario = Scenario(
        "explore-seed1-abc",
        1,
        ("LC-NO-REPEAT",),
        ({"op": "deliver", "partner": 0}, {"op": "act", "doc": 0, "action": "accept"}),
        ("LC-NO-REPEAT: 03 again",),
    )
    path = scenario.write(tmp_path / "scenarios")
    assert path.name == "explore-seed1-abc.json"
    assert load_scenario(path) == scenario
    path.write_text('{"format": "lienthong-scenario/1", "steps": [{"op": "dance"}]}', "utf-8")
    with pytest.raises(ConformanceError, match="steps must be a list"):
        load_scenario(path)


def _explore_and_replay(out: Path) -> tuple[CertifyResult, CertifyResult, CertifyResult]:
    """The exploration against a mutant that never acks, then its scenario replayed against
    that mutant and against the reference."""
    result = run(
        CertifySettings(
            adapter="reference",
            mutant="never-ack",
            requirements=("TR-ACK-DONE",),
            exploration_examples=3,
            out_dir=out / "explore",
        )
    )
    assert result.outcome is not None and result.outcome.scenarios, result.message
    path = result.outcome.scenarios[0]
    again = run(
        CertifySettings(adapter="reference", mutant="never-ack", replay=path, out_dir=out / "again")
    )
    fixed = run(CertifySettings(adapter="reference", replay=path, out_dir=out / "fixed"))
    return result, again, fixed


@pytest.mark.slow
@side_by_side(_explore_and_replay)
def test_a_failing_exploration_is_shrunk_written_and_replayable(
    ran: list[tuple[CertifyResult, CertifyResult, CertifyResult]],
) -> None:
    """The exploration finds a planted defect, writes a named scenario that names the broken
    requirement, and replaying it fails the mutant but not the reference."""
    ((result, again, fixed),) = ran
    assert result.outcome is not None and result.outcome.scenarios, result.message
    scenario = load_scenario(result.outcome.scenarios[0])
    assert "TR-ACK-DONE" in scenario.requirements
    assert scenario.steps == ({"op": "deliver", "partner": scenario.steps[0]["partner"]},)
    assert again.exit_code == 1, again.message
    assert fixed.exit_code == 0, fixed.message
