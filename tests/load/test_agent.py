"""The simulated connection systems without locust: agents stepped in one thread over httpx
against a real axis on 127.0.0.1. Well-behaved agents pass every correctness check, also under
the axis's seeded faults; deliberately broken agents (one that answers twice, one that never
acks) are caught by the checks that their fault breaks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from axis import AxisConfig, RunningAxis, running_axis
from load.agent import Agent, Reply, Wire, _Outgoing, read_reply
from load.checks import CheckResult, collect, message_cursor, run_checks
from load.faults import seeded_faults
from load.journal import Journal
from load.plan import Behaviour, LoadPlan, make_plan
from load.profile import national_2022

WINDOW_S = 1.5
DRAIN_LIMIT_S = 8.0


@pytest.fixture
def axis() -> Iterator[RunningAxis]:
    with running_axis(AxisConfig(seed_defaults=False, seed=4)) as running:
        yield running


def _plan(axis: RunningAxis, folder: Path, users: int = 3) -> LoadPlan:
    plan = make_plan(
        national_2022(),
        users=users,
        scale=100.0,
        seed=4,
        axis_url=axis.url,
        run_id="agents",
        send_seconds=WINDOW_S,
        journal_dir=folder / "journal",
        max_poll_interval_s=0.3,
        behaviour=Behaviour(status_gap_s=0.2, doc_bytes_median=6_000, templates=2),
    )
    with axis.admin() as admin:
        for slot in plan.slots:
            admin.put_system(slot.system_id, slot.secret, agencies=slot.agencies)
    return plan


def _wire(client: httpx.Client, url: str) -> Wire:
    def call(op: str, method: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        try:
            response = client.request(method, f"{url}/{op}", headers=headers, content=body or None)
        except httpx.TransportError as exc:
            return read_reply(op, 0, b"", repr(exc))
        return read_reply(op, response.status_code, response.content)

    return call


def _exchange(
    axis: RunningAxis,
    plan: LoadPlan,
    folder: Path,
    agent_class: type[Agent] = Agent,
    drain_limit_s: float = DRAIN_LIMIT_S,
) -> dict[str, CheckResult]:
    """Step the agents through the window and a drain, then run the checks. One thread
    drives every agent, sleeping until the next one has something due. The drain is over when
    every agent is idle and each has polled, since the last message any of them sent, and
    found its inbox empty: then nothing is on its way."""
    admin = axis.admin()
    cursor, after = int(admin.stats()["head"]["seq"]), message_cursor(admin)
    journal = Journal(folder / "journal")
    until = time.time() + WINDOW_S
    with httpx.Client() as client:
        wire = _wire(client, axis.url)
        # A retry's back-off must not stall the other agents: they share this thread.
        agents = [
            agent_class(s, plan, wire, journal, send_until=lambda: until, sleep=lambda _: None)
            for s in plan.slots
        ]
        deadline = until + drain_limit_s
        while time.time() < deadline:
            due = min(agent.step() for agent in agents)
            if time.time() > until and all(a.idle for a in agents):
                last = max(a.last_sent for a in agents)
                polled = [a.empty_poll_at for a in agents]
                if all(t is not None and t > last for t in polled):
                    break
            time.sleep(min(due, max(0.0, deadline - time.time())))
        for agent in agents:
            agent.close()
    journal.close()
    evidence = collect(
        admin,
        cursor=cursor,
        after_message=after,
        journal_dir=folder / "journal",
        transcript_path=folder / "transcript.jsonl",
    )
    admin.close()
    return {c.id: c for c in run_checks(evidence, plan)}


def _failed(checks: dict[str, CheckResult]) -> set[str]:
    return {name for name, check in checks.items() if not check.ok}


@pytest.mark.slow
def test_agents_exchange_documents_and_statuses_and_every_check_passes(
    axis: RunningAxis, tmp_path: Path
) -> None:
    checks = _exchange(axis, _plan(axis, tmp_path), tmp_path)
    assert _failed(checks) == set(), [c.examples for c in checks.values()]
    assert checks["documents-delivered"].checked >= 10
    assert checks["statuses-delivered"].checked >= 3 * checks["documents-delivered"].checked
    assert checks["lifecycle-legal"].checked == checks["documents-delivered"].checked


@pytest.mark.slow
def test_under_seeded_faults_agents_retry_and_every_check_still_passes(
    axis: RunningAxis, tmp_path: Path
) -> None:
    plan = _plan(axis, tmp_path)
    with axis.admin() as admin:
        admin.set_faults(seeded_faults(9, rate=0.08))
        checks = _exchange(axis, plan, tmp_path)
        faults = admin.stats()["failures"]
    assert _failed(checks) == set(), [c.examples for c in checks.values() if not c.ok]
    assert sum(faults.values()) >= 5  # the faults fired, and were survived
    lines = (tmp_path / "transcript.jsonl").read_text("utf-8")
    assert '"rule":"load-reset-after"' in lines and '"rule":"load-duplicate"' in lines


class _Stutters(Agent):
    """Sends every status twice, the second time as other bytes (a comment after the root)."""

    def _release_statuses(self, moment: float, draining: bool) -> None:
        start = len(self.outbox)
        super()._release_statuses(moment, draining)
        fresh = [self.outbox.pop() for _ in range(len(self.outbox) - start)][::-1]
        for out in fresh:
            self.outbox.append(out)
            again = out.data + b"<!-- again -->"
            self.outbox.append(_Outgoing(again, out.messagetype, dict(out.meta)))


@pytest.mark.slow
def test_an_agent_that_sends_a_status_twice_is_caught(axis: RunningAxis, tmp_path: Path) -> None:
    checks = _exchange(axis, _plan(axis, tmp_path), tmp_path, _Stutters)
    assert {"statuses-once", "lifecycle-legal"} <= _failed(checks)
    assert any("LC-NO-REPEAT" in e for e in checks["lifecycle-legal"].examples)
    assert "is stored twice" in checks["statuses-once"].examples[0]


class _NeverAcks(Agent):
    """Downloads what it is sent but never acks it."""

    def _ack(self, doc_id: str) -> None:
        return None


@pytest.mark.slow
def test_an_agent_that_never_acks_is_caught(axis: RunningAxis, tmp_path: Path) -> None:
    checks = _exchange(axis, _plan(axis, tmp_path), tmp_path, _NeverAcks, drain_limit_s=1.0)
    assert {"documents-delivered", "statuses-delivered"} <= _failed(checks)
    assert "is 'pending', not done" in checks["documents-delivered"].examples[0]
    assert checks["done-not-relisted"].checked == 0


@pytest.mark.parametrize(
    ("op", "status", "content", "error", "ok", "retryable"),
    [
        (
            "sendEdoc",
            200,
            b'{"status":"OK","ErrorCode":"0","ErrorDesc":"","DocId":"d"}',
            "",
            True,
            False,
        ),
        (
            "sendEdoc",
            503,
            b'{"status":"FAIL","ErrorCode":"8","ErrorDesc":"x","DocId":""}',
            "",
            False,
            True,
        ),
        ("sendEdoc", 200, b'{"status":"FAIL","ErrorCode":"9","ErrorDesc":"bug"}', "", False, True),
        (
            "sendEdoc",
            200,
            b'{"status":"FAIL","ErrorCode":"7","ErrorDesc":"nobody"}',
            "",
            False,
            False,
        ),
        ("getEdoc", 502, b"<html>bad gateway</html>", "", False, True),
        ("getEdoc", 200, b"[]", "", False, False),
        ("getReceivedEdocList", 0, b"", "ConnectionResetError()", False, True),
        ("downloadEdoc", 200, b"<edXML/>", "", True, False),
        ("downloadEdoc", 404, b"", "", False, False),
        ("downloadEdoc", 503, b"", "", False, True),
    ],
)
def test_answers_are_judged_as_the_sdk_judges_them(
    op: str, status: int, content: bytes, error: str, ok: bool, retryable: bool
) -> None:
    reply = read_reply(op, status, content, error)
    assert (reply.ok, reply.retryable) == (ok, retryable)
    assert reply.problem == "" if ok else reply.problem
