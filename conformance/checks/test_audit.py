"""The audit of the run: every status and document the SUT sent, and every call it made,
judged against each rule that applies to it (whatever scenario made the SUT send it). These
tests run last."""

from __future__ import annotations

import pytest

from conformance.audit import AUDITED, Audit, audit, limited
from conformance.judge import Judge
from conformance.world import World

pytestmark = pytest.mark.audit


@pytest.fixture(scope="module")
def audited(online: World) -> Audit:
    # Let the SUT finish what it was doing: two more polls of both inboxes.
    online.observer.settle(online.observer.head(), online.bounds.poll_interval * 3)
    return audit(online)


@pytest.mark.parametrize(
    "req_id", [pytest.param(i, marks=pytest.mark.requirement(i), id=i) for i in AUDITED]
)
def test_what_the_sut_sent_follows_the_rule(req_id: str, audited: Audit, judge: Judge) -> None:
    judged = audited.judged.get(req_id, 0)
    if not judged:
        pytest.skip(f"the SUT sent nothing in this run that {req_id} applies to")
    faults = audited.faults.get(req_id, [])
    for fault in limited(faults):
        judge.fail(req_id, fault.message, fault.evidence)
    if not faults:
        judge.passed(req_id, f"{judged} message(s) or call(s) of the SUT judged, none broke it")
