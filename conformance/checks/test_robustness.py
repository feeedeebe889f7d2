"""Robustness: the SUT under the axis's seeded faults — 5xx answers, connection resets,
timeouts, repeated and reordered listings, lost answers and an outage window. It retries with
backoff, loses nothing, doubles no business status and recovers (family ROB)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from axis.events import EventKind
from conformance.episodes import (
    Receipt,
    collect_receipts,
    events_evidence,
    receive,
    wait_first_reports,
)
from conformance.judge import Judge
from conformance.observe import CALL, WireEvent, is_ok_call
from conformance.world import World
from reports.model import Evidence

requirement = pytest.mark.requirement

SLOWDOWN = 0.75
"""A backing-off SUT makes at most this share of its first-half calls in the second half of an
outage; one retrying at a fixed rate makes as many."""


def _faults(world: World, after: int) -> list[WireEvent]:
    return world.observer.events(after, kind=EventKind.FAULT, system=world.cast.sut.system_id)


def _judge_reported_once(judge: Judge, req_id: str, receipt: Receipt, why: str) -> None:
    arrived = receipt.codes.count("01")
    judge.check(
        req_id,
        arrived == 1 and receipt.first_ack("done") is not None,
        f"{receipt.label()} {why}: reported 01 {arrived} time(s) (codes {receipt.codes}), "
        f"acknowledged {receipt.ack_words() or 'never'}; expected one 01 and done",
        receipt.evidence(),
    )


@requirement("ROB-RETRY-5XX")
def test_5xx_answers_are_retried(fresh: World, judge: Judge) -> None:
    after = fresh.observer.head()
    fresh.set_faults(
        [
            {"id": "5xx-download", "kind": "error", "operation": "getEdoc", "next": 2},
            {"id": "5xx-send", "kind": "error", "operation": "sendEdoc", "next": 2},
        ]
    )
    partner = fresh.cast.partners[0]
    receipt = receive(fresh, [(fresh.new_document(partner), partner)])[0]
    fired = _faults(fresh, after)
    judge.check(
        "ROB-RETRY-5XX",
        bool(fired),
        f"{len(fired)} injected 5xx answer(s) reached the SUT",
        receipt.evidence(),
    )
    _judge_reported_once(judge, "ROB-RETRY-5XX", receipt, "met 5xx on its download and its 01")


@requirement("ROB-RETRY-RESET")
def test_resets_and_timeouts_are_retried(fresh: World, judge: Judge) -> None:
    after = fresh.observer.head()
    hold = fresh.clock.real(fresh.bounds.poll_interval / 2)
    fresh.set_faults(
        [
            {
                "id": "timeout-download",
                "kind": "timeout",
                "operation": "getEdoc",
                "next": 1,
                "hold_s": round(hold, 3),
            },
            {"id": "reset-send", "kind": "reset", "operation": "sendEdoc", "next": 1},
        ]
    )
    partner = fresh.cast.partners[1]
    receipt = receive(fresh, [(fresh.new_document(partner), partner)])[0]
    fired = _faults(fresh, after)
    judge.check(
        "ROB-RETRY-RESET",
        len(fired) >= 2,
        f"{len(fired)} injected reset/timeout fault(s) reached the SUT",
        receipt.evidence(),
    )
    _judge_reported_once(
        judge, "ROB-RETRY-RESET", receipt, "met a timeout on its download and a reset on its 01"
    )


@requirement("ROB-NO-LOSS")
def test_repeated_and_reordered_listings_lose_nothing(fresh: World, judge: Judge) -> None:
    fresh.set_faults(
        [
            {
                "id": "duplicate-listing",
                "kind": "duplicate",
                "operation": "getReceivedEdocList",
                "next": 6,
            },
            {
                "id": "reorder-listing",
                "kind": "reorder",
                "operation": "getReceivedEdocList",
                "next": 6,
            },
            {
                "id": "lost-ack-answer",
                "kind": "reset",
                "operation": "updateStatus",
                "next": 1,
                "apply": True,
            },
        ]
    )
    partners = fresh.cast.partners
    batch = [(fresh.new_document(partners[i % 2]), partners[i % 2]) for i in range(4)]
    receipts = receive(fresh, batch)
    for receipt in receipts:
        _judge_reported_once(
            judge, "ROB-NO-LOSS", receipt, "arrived in repeated, reordered listings"
        )


@requirement("ROB-NO-DUPLICATE-STATUS")
def test_a_status_whose_answer_was_lost_is_not_doubled(fresh: World, judge: Judge) -> None:
    after = fresh.observer.head()
    fresh.set_faults(
        [
            {
                "id": "lost-send-answer",
                "kind": "error",
                "operation": "sendEdoc",
                "next": 1,
                "apply": True,
            }
        ]
    )
    partner = fresh.cast.partners[0]
    receipt = receive(fresh, [(fresh.new_document(partner), partner)])[0]
    fired = _faults(fresh, after)
    judge.check(
        "ROB-NO-DUPLICATE-STATUS",
        bool(fired),
        f"{len(fired)} sendEdoc answer(s) of the SUT were lost after the axis stored the message",
        receipt.evidence(),
    )
    _judge_reported_once(judge, "ROB-NO-DUPLICATE-STATUS", receipt, "had the answer to its 01 lost")


@requirement("ROB-BACKOFF", "ROB-RECOVER-OUTAGE")
def test_the_sut_backs_off_during_an_outage_and_recovers(fresh: World, judge: Judge) -> None:
    bounds = fresh.bounds
    clock = fresh.clock
    after = fresh.observer.head()
    fresh.set_faults(
        [{"id": "outage", "kind": "outage", "duration_s": round(clock.real(bounds.outage), 3)}]
    )
    plan_set = fresh.observer.events(after, kind=EventKind.FAULTS)
    start = plan_set[-1].at if plan_set else None
    since = plan_set[-1].seq if plan_set else after
    partner = fresh.cast.partners[1]
    delivered = fresh.deliver(fresh.new_document(partner), partner)
    receipt = Receipt(delivered, partner, delivered.message)  # type: ignore[arg-type]
    first_ok = fresh.observer.wait(
        since,
        bounds.outage + bounds.recovery,
        is_ok_call,
        kind=CALL,
        system=fresh.cast.sut.system_id,
    )
    wait_first_reports(fresh, [receipt], after)
    fresh.clear_faults()
    fresh.observer.settle(fresh.observer.head(), bounds.poll_interval * 3)
    collect_receipts(fresh, [receipt], after)
    if start is None:
        judge.fail("ROB-BACKOFF", "the outage could not be installed on the axis")
        return
    end = start + timedelta(seconds=clock.real(bounds.outage))
    middle = start + (end - start) / 2
    calls = [
        e
        for e in fresh.observer.events(after, kind=CALL, system=fresh.cast.sut.system_id)
        if start <= e.at < end
    ]
    first = sum(e.at < middle for e in calls)
    second = len(calls) - first
    evidence = [_calls_evidence(calls)]
    judge.check(
        "ROB-BACKOFF",
        len(calls) <= bounds.outage_calls,
        f"the SUT made {len(calls)} calls during the {fresh.clock.span(bounds.outage)} outage "
        f"(bound {bounds.outage_calls})",
        evidence,
    )
    judge.check(
        "ROB-BACKOFF",
        second <= SLOWDOWN * first + 1,
        f"the SUT made {first} calls in the first half of the outage and {second} in the "
        f"second: its retries should slow down (at most {SLOWDOWN:.0%} as many)",
        evidence,
    )
    if first_ok is None:
        judge.fail(
            "ROB-RECOVER-OUTAGE",
            f"the SUT made no successful call within {fresh.clock.span(bounds.recovery)} of the "
            "outage's end",
            evidence,
        )
        return
    late = clock.model(max(0.0, (first_ok.at - end).total_seconds()))
    judge.check(
        "ROB-RECOVER-OUTAGE",
        late <= bounds.recovery,
        f"the SUT's first successful call came {fresh.clock.span(late)} after the outage "
        f"(bound {fresh.clock.span(bounds.recovery)})",
        [*evidence, *receipt.evidence()[:1]],
    )
    _judge_reported_once(
        judge, "ROB-RECOVER-OUTAGE", receipt, "was delivered during the outage and"
    )


def _calls_evidence(calls: list[WireEvent]) -> Evidence:
    return events_evidence(f"{len(calls)} call(s) of the SUT during the outage", calls)
