"""A suite that fails only the guilty: every lifecycle breach is asked for, robustness is judged
on what the axis recorded, the SUT's behaviour never crashes the harness, attachments are judged
by their bytes, every run starts fresh, and failure messages say what the transcript shows.

Each test stands for one finding of an outside vendor's trial (issue 12); the mutant sweep
(test_mutants.py) certifies the mutants that go with them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from axis import AxisConfig, RunningAxis, Unavailable, running_axis
from axis.events import CallEvent, EventBody, EventKind, StoredEvent, parse_event
from axis.testing import Documents
from conformance.backoff import judge_backoff
from conformance.certify import EXIT_CERTIFIED, EXIT_NOT_CERTIFIED, run
from conformance.checks.test_transport import (
    test_stored_documents_are_acknowledged_done as judge_acks_done,
)
from conformance.clock import HarnessClock
from conformance.episodes import Receipt
from conformance.exploration import STEP_OPS, Scenario
from conformance.judge import Judge
from conformance.observe import Observer, Window, WireEvent, is_ok_call, outage_window
from conformance.probes import RECEIVER, SENDER, covered_rules, illegal_actions, probes, walks
from conformance.reference import ReferenceSut, running_reference
from conformance.settings import CertifySettings
from conformance.world import Delivered
from reports.model import Outcome
from spec import Options
from spec.lifecycle import RULE_IDS, TRANSITION_RULE_IDS, Lifecycle
from spec.status_codes import FORWARD_PATH, StatusCode

NGHE_AN, VPCP = "00.41.W00", "02.22.W00"
G22, H41 = "000.00.00.G22", "000.00.00.H41"

# -- illegal clerk steps are tried --------------------------------------------------------------


def test_every_rule_of_the_state_table_has_a_probe() -> None:
    assert covered_rules(RECEIVER) | covered_rules(SENDER) == TRANSITION_RULE_IDS
    # The others judge a status's timestamp or the first report, not a step: no clerk action
    # breaks them, and the audit and the receiving tests judge them on every status.
    assert {
        "LC-TIMESTAMP-ORDER",
        "LC-FIRST-ARRIVED-TIMELY",
        "LC-FIRST-REPORT-ARRIVED",
    } == RULE_IDS - TRANSITION_RULE_IDS
    tried = {(p.rule_id, p.action.name) for side in (RECEIVER, SENDER) for p in probes(side)}
    assert ("LC-NOTHING-AFTER-REFUSAL", "accept") in tried  # accept a refused document
    assert ("LC-REFUSAL-BEFORE-ACCEPT", "refuse") in tried  # refuse an accepted one
    assert ("LC-NO-REPEAT", "accept") in tried  # repeat a step
    assert ("LC-FORWARD-ONLY", "assign") in tried  # go back (04 after 05)


@pytest.mark.parametrize("side", [RECEIVER, SENDER])
def test_the_walks_try_every_probe_where_the_table_forbids_it(side: str) -> None:
    planned = walks(side)
    tried = {(p.rule_id, p.action.name) for w in planned for p in w.probes}
    assert tried == {(p.rule_id, p.action.name) for p in probes(side)}
    for walk in planned:
        Lifecycle.replay((m.code, None) for m in walk.path)  # a legal path
        for place, tries in enumerate(walk.tries):
            here = Lifecycle.replay((m.code, None) for m in walk.path[:place])
            for probe in tries:
                rejection = here.check(probe.action.code)
                assert rejection is not None and rejection.rule_id == probe.rule_id, probe
        clerk_steps = [m.code for m in walk.path if m.by == "clerk" and m.code.is_forward]
        assert clerk_steps == list(FORWARD_PATH[1 : 1 + len(clerk_steps)]), walk  # one by one


def test_illegal_actions_are_read_from_where_the_document_stands() -> None:
    refused = Lifecycle.replay([(StatusCode.parse(c), None) for c in ("01", "02")])
    names = {(a.name, rule) for a, rule, _ in illegal_actions(refused, RECEIVER)}
    assert ("accept", "LC-NOTHING-AFTER-REFUSAL") in names
    assert ("refuse", "LC-NO-REPEAT") in names
    assert "illegal" in STEP_OPS


@pytest.mark.slow
def test_the_exploration_asks_for_illegal_actions_and_catches_a_lax_workflow(
    tmp_path: Path,
) -> None:
    scenario = Scenario(
        "illegal-refusal",
        0,
        ("LC-REFUSAL-BEFORE-ACCEPT",),
        (
            {"op": "deliver", "partner": 0},
            {"op": "act", "doc": 0, "action": "accept"},
            {"op": "illegal", "doc": 0, "pick": 1},  # after 01, 03: refuse
        ),
    )
    path = scenario.write(tmp_path / "scenarios")
    lax = run(
        CertifySettings(
            adapter="reference", mutant="refuse-after-accept", replay=path, out_dir=tmp_path / "a"
        )
    )
    assert lax.exit_code == EXIT_NOT_CERTIFIED and "LC-REFUSAL-BEFORE-ACCEPT" in lax.failed
    honest = run(CertifySettings(adapter="reference", replay=path, out_dir=tmp_path / "b"))
    assert honest.exit_code == EXIT_CERTIFIED, honest.message


# -- robustness is judged on what the axis recorded ----------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_767_600_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def axis_and_clock() -> Iterator[tuple[RunningAxis, FakeClock]]:
    clock = FakeClock()
    with running_axis(AxisConfig(seed=3), clock=clock) as axis:
        yield axis, clock


def test_only_calls_the_axis_refused_count_as_made_during_the_outage(
    axis_and_clock: tuple[RunningAxis, FakeClock],
) -> None:
    axis, clock = axis_and_clock
    with axis.admin() as admin, axis.client(NGHE_AN) as client:
        observer = Observer(admin, HarnessClock(), NGHE_AN, lambda _: None, Options())
        after = observer.head()
        admin.set_faults(
            {"rules": [{"id": "outage", "kind": "outage", "duration_s": 10, "system": NGHE_AN}]}
        )
        started = clock.now
        for moment in (1.0, 4.0, 9.0):  # during the outage: refused
            clock.now = started + moment
            with pytest.raises(Unavailable):
                client.get_received_list("edoc")
        for moment in (10.0, 10.02, 10.05):  # the catch-up right after it: answered
            clock.now = started + moment
            client.get_received_list("edoc")
        plan_set = observer.plan_set(after)
        assert plan_set is not None
        window = outage_window(plan_set, "outage")
        assert window is not None
        assert window.start.timestamp() == started and window.end.timestamp() == started + 10
        refused = observer.refused(after, "outage")
        assert len(refused) == 3 and all(e.at in window for e in refused)
        calls = observer.sut_responses(after, "getReceivedEdocList")
        assert [is_ok_call(e) for e in calls] == [False] * 3 + [True] * 3


SCALE = 300.0
START = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
OUTAGE = Window(START, START + timedelta(seconds=300 / SCALE))  # 300 model s


def _at(model_seconds: float) -> datetime:
    return START + timedelta(seconds=model_seconds / SCALE)


def _retries(first: float, latency: float, *, grow: bool) -> list[datetime]:
    """Tries 1, 2, 4 s apart, four at a time, then quiet: 40, 80, 160 s when the SUT backs
    off (the reference), 20 s every time when it keeps its usual pace; ``latency`` model
    seconds added to every step (a busy machine)."""
    calls, t, wait = [], first, 40.0 if grow else 20.0
    while t < 300:
        for gap in (1, 2, 4, wait):
            calls.append(t)
            t += gap + latency
        wait *= 2 if grow else 1
    return [_at(c) for c in calls if c < 300]


@pytest.mark.parametrize(("first", "latency"), [(0, 0), (15, 0), (5, 30), (0, 60), (250, 0)])
def test_a_sut_that_backs_off_passes_however_busy_the_machine(first: float, latency: float) -> None:
    calls = _retries(first, latency, grow=True)
    verdict = judge_backoff(calls, OUTAGE, bound=40, pause=60, scale=SCALE)
    assert verdict.within_bound and verdict.paused, verdict


def test_a_sut_retrying_in_a_loop_or_at_its_usual_pace_fails() -> None:
    loop = [_at(i) for i in range(300)]
    verdict = judge_backoff(loop, OUTAGE, bound=40, pause=60, scale=SCALE)
    assert not verdict.within_bound and not verdict.paused
    usual = judge_backoff(_retries(0, 0, grow=False), OUTAGE, bound=40, pause=60, scale=SCALE)
    assert not usual.within_bound and not usual.paused, usual


def test_calls_outside_the_window_are_not_judged() -> None:
    after = [_at(300 + i) for i in range(100)]  # the catch-up, right after the outage
    verdict = judge_backoff([_at(10), *after], OUTAGE, bound=40, pause=60, scale=SCALE)
    assert verdict.refused == 1 and verdict.paused


# -- the SUT's behaviour is a verdict, never a crash; messages true to the transcript -------------


def _call(op: str, **data: Any) -> CallEvent:
    return CallEvent(op=op, system="sut", method="POST", path=f"/{op}", **data)


def _event(seq: int, at: float, body: EventBody) -> WireEvent:
    return WireEvent(seq, datetime.fromtimestamp(at, UTC).isoformat(), body)


def test_an_ack_without_a_download_is_not_reported_as_a_missing_ack() -> None:
    """The vendor's report read "never acknowledged done (acks seen: ['done'])" for a message
    acknowledged done and never downloaded."""
    stored = _event(
        10,
        100.0,
        StoredEvent(op="sendEdoc", system="x", doc_id="d1", messagetype="edoc", sha256="", size=0),
    )
    listed = _event(12, 100.5, _call("getReceivedEdocList", listed=("d1",)))
    ack = _event(13, 100.6, _call("updateStatus", doc_id="d1", ack="done"))
    receipt = Receipt(Delivered("d1", 9, b""), SimpleNamespace(), None)  # type: ignore[arg-type]
    receipt.stored, receipt.listed, receipt.acks = stored, listed, [ack]
    world = SimpleNamespace(bounds=SimpleNamespace(transport=300.0), clock=HarnessClock(300))
    judge = Judge(("TR-ACK-DONE",))
    judge_acks_done([receipt], world, judge)  # type: ignore[arg-type]
    [judgement] = judge.judgements
    assert "never acknowledged done" not in judgement.message
    assert "acknowledged done (#13)" in judgement.message and "listing (#12)" in judgement.message
    receipt.acks = []
    judge = Judge(("TR-ACK-DONE",))
    judge_acks_done([receipt], world, judge)  # type: ignore[arg-type]
    [judgement] = judge.judgements
    assert not judgement.passed
    assert "listed at #12, never downloaded, never acknowledged" in judgement.message


# -- fresh runs ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_test_build_certified_twice_without_a_restart_is_certified_twice(
    tmp_path: Path,
) -> None:
    """The same SUT process, the same seed, two runs: the suite resets it (capability reset)
    and the axis issues other DocIds, so nothing of the first run is taken for a duplicate."""
    wanted = ("TR-DOWNLOAD", "TR-ACK-DONE", "RCV-ARRIVED", "RCV-REPORTS-ACTIONS")
    with running_reference(ReferenceSut(data_dir=tmp_path / "register")) as sut:
        folders = []
        for name in ("first", "second"):
            settings = CertifySettings(
                adapter=sut.url,
                organ_id="000.00.00.H41",
                profile="receiver",
                seed=7,
                requirements=wanted,
                exploration_examples=0,
                out_dir=tmp_path / name,
            )
            result = run(settings)
            assert result.outcome is not None and result.outcome.report is not None
            verdicts = {r.id: r.verdict for r in result.outcome.report.requirements}
            assert {verdicts[i] for i in wanted} == {Outcome.PASSED}, f"{name}: {verdicts}"
            assert result.folder is not None
            folders.append(result.folder)
    doc_ids = []
    for folder in folders:
        lines = (folder / "transcript.jsonl").read_text("utf-8").splitlines()
        events = [parse_event(line) for line in lines]
        doc_ids.append({e.doc_id for e in events if e.kind is EventKind.STORED})
    assert doc_ids[0] and not doc_ids[0] & doc_ids[1]


# -- faults are aimed at the document under test -------------------------------------------------


@pytest.mark.slow
def test_lost_acks_meet_the_document_under_test_whatever_else_the_sut_acks(
    tmp_path: Path,
) -> None:
    """Unreadable messages stay listed and the SUT acknowledges them fail on every poll (the
    SDK's receive loop); the lost acks of TR-DEDUPE-DOCID still meet the document under test,
    so a SUT that processes a relisted message twice is caught there."""
    wanted = ("TR-ACK-FAIL-UNREADABLE", "TR-DEDUPE-DOCID")
    honest = run(
        CertifySettings(
            adapter="reference",
            profile="receiver",
            requirements=wanted,
            exploration_examples=0,
            out_dir=tmp_path,
        )
    )
    assert honest.outcome is not None and honest.outcome.report is not None
    [result] = [r for r in honest.outcome.report.requirements if r.id == "TR-DEDUPE-DOCID"]
    assert result.verdict is Outcome.PASSED
    lax = run(
        CertifySettings(
            adapter="reference",
            profile="receiver",
            mutant="no-dedupe",
            requirements=wanted,
            exploration_examples=0,
            out_dir=tmp_path,
        )
    )
    assert "TR-DEDUPE-DOCID" in lax.failed, lax.message


def test_two_documents_the_axis_lists_get_their_own_faults(
    axis_and_clock: tuple[RunningAxis, FakeClock],
) -> None:
    """A fault plan aimed at one DocumentId leaves the acks of another message alone."""
    axis, _ = axis_and_clock
    docs = Documents(seed=11)
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an, axis.admin() as admin:
        leftover = vpcp.send_edoc(docs.edoc(G22, [H41]))
        target_bytes = docs.edoc(G22, [H41])
        target_id = docs.last.header.document_id if docs.last else ""
        admin.set_faults(
            {"rules": [{"kind": "error", "operation": "updateStatus", "next": 2,
                        "document_id": target_id}]}
        )  # fmt: skip
        target = vpcp.send_edoc(target_bytes)
        for _ in range(5):
            nghe_an.update_status(leftover, "fail")  # never spends the target's faults
        for _ in range(2):
            with pytest.raises(Unavailable):
                nghe_an.update_status(target, "done")
        nghe_an.update_status(target, "done")
