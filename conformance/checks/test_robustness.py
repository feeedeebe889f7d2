"""Robustness: the SUT under the axis's seeded faults — 5xx answers, connection resets,
timeouts, repeated and reordered listings, lost answers and an outage window. It retries with
backoff, loses nothing, doubles no business status and recovers (family ROB).

Each test starts from a quiet inbox and aims its faults at its own document (by DocumentId),
so the SUT's calls about other messages (re-acking an unreadable one, say) never spend them."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.backoff import judge_backoff
from conformance.episodes import (
    Receipt,
    collect_receipts,
    events_evidence,
    receive,
    wait_first_reports,
)
from conformance.errors import RunIncomplete
from conformance.judge import Judge
from conformance.observe import CALL, FAULT, Window, WireEvent, is_ok_call, outage_window
from conformance.world import Party, World
from reports.model import Evidence
from spec.status_codes import StatusCode

requirement = pytest.mark.requirement

BACKOFF_PAUSE = 0.5
"""The pause, in poll intervals, that a SUT backing off reaches at some point of an outage
(conformance.backoff); one retrying in a loop or at its usual pace never does."""
OUTAGE = "outage"
"""The id of the outage rule (its refused calls are found by it)."""


def _faults(world: World, after: int) -> list[WireEvent]:
    return world.observer.events(after, kind=FAULT, system=world.cast.sut.system_id)


def _judge_reported_once(judge: Judge, req_id: str, receipt: Receipt, why: str) -> None:
    code = StatusCode.ARRIVED.value
    arrived = receipt.codes.count(code)
    judge.check(
        req_id,
        arrived == 1 and receipt.first_ack("done") is not None,
        f"{receipt.label()} {why}: reported {code} {arrived} time(s) "
        f"(codes {receipt.codes or 'none'}), acknowledged {receipt.ack_words() or 'never'}; "
        f"expected one {code} and done",
        receipt.evidence(),
    )


def _receive_under(world: World, rules: list[dict[str, Any]], sender: Party) -> Receipt:
    """Aim ``rules`` at a new document from ``sender``, deliver it and collect what the SUT
    did with it."""
    document = world.new_document(sender)
    world.set_faults(rules, document_id=document.header.document_id)
    return receive(world, [(document, sender)])[0]


@requirement("ROB-RETRY-5XX")
def test_5xx_answers_are_retried(calm: World, judge: Judge) -> None:
    after = calm.observer.head()
    rules = [
        {"id": "5xx-download", "kind": "error", "operation": "getEdoc", "next": 2},
        {"id": "5xx-send", "kind": "error", "operation": "sendEdoc", "next": 2},
    ]
    receipt = _receive_under(calm, rules, calm.cast.partners[0])
    fired = _faults(calm, after)
    judge.check(
        "ROB-RETRY-5XX",
        bool(fired),
        f"{len(fired)} injected 5xx answer(s) reached the SUT on {receipt.label()}",
        receipt.evidence(),
    )
    _judge_reported_once(judge, "ROB-RETRY-5XX", receipt, "met 5xx on its download and its 01")


@requirement("ROB-RETRY-RESET")
def test_resets_and_timeouts_are_retried(calm: World, judge: Judge) -> None:
    after = calm.observer.head()
    hold = calm.clock.real(calm.bounds.poll_interval / 2)
    rules = [
        {
            "id": "timeout-download",
            "kind": "timeout",
            "operation": "getEdoc",
            "next": 1,
            "hold_s": round(hold, 3),
        },
        {"id": "reset-send", "kind": "reset", "operation": "sendEdoc", "next": 1},
    ]
    receipt = _receive_under(calm, rules, calm.cast.partners[1])
    fired = _faults(calm, after)
    judge.check(
        "ROB-RETRY-RESET",
        len(fired) >= 2,
        f"{len(fired)} injected reset/timeout fault(s) reached the SUT on {receipt.label()}",
        receipt.evidence(),
    )
    _judge_reported_once(
        judge, "ROB-RETRY-RESET", receipt, "met a timeout on its download and a reset on its 01"
    )


@requirement("ROB-NO-LOSS")
def test_repeated_and_reordered_listings_lose_nothing(calm: World, judge: Judge) -> None:
    partners = calm.cast.partners
    batch = [(calm.new_document(partners[i % 2]), partners[i % 2]) for i in range(4)]
    calm.set_faults(
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
        ],
        document_id=batch[0][0].header.document_id,
    )
    receipts = receive(calm, batch)
    for receipt in receipts:
        _judge_reported_once(
            judge, "ROB-NO-LOSS", receipt, "arrived in repeated, reordered listings"
        )


@requirement("ROB-NO-DUPLICATE-STATUS")
def test_a_status_whose_answer_was_lost_is_not_doubled(calm: World, judge: Judge) -> None:
    after = calm.observer.head()
    rules = [
        {
            "id": "lost-send-answer",
            "kind": "error",
            "operation": "sendEdoc",
            "next": 1,
            "apply": True,
        }
    ]
    receipt = _receive_under(calm, rules, calm.cast.partners[0])
    fired = _faults(calm, after)
    judge.check(
        "ROB-NO-DUPLICATE-STATUS",
        bool(fired),
        f"{len(fired)} sendEdoc answer(s) of the SUT about {receipt.label()} were lost after the "
        "axis stored the message",
        receipt.evidence(),
    )
    _judge_reported_once(judge, "ROB-NO-DUPLICATE-STATUS", receipt, "had the answer to its 01 lost")


@requirement("ROB-BACKOFF", "ROB-RECOVER-OUTAGE")
def test_the_sut_backs_off_during_an_outage_and_recovers(calm: World, judge: Judge) -> None:
    """Only the calls the axis refused in its outage count, placed in the window the axis
    itself recorded: a SUT's catch-up calls after the outage are never held against it."""
    bounds = calm.bounds
    clock = calm.clock
    observer = calm.observer
    sut = calm.cast.sut.system_id
    after = observer.head()
    calm.set_faults(
        [{"id": OUTAGE, "kind": "outage", "duration_s": round(clock.real(bounds.outage), 3)}]
    )
    plan_set = observer.plan_set(after)
    window = outage_window(plan_set, OUTAGE) if plan_set is not None else None
    if plan_set is None or window is None:
        raise RunIncomplete("the axis did not record the outage plan it was given")
    partner = calm.cast.partners[1]
    delivered = calm.deliver(calm.new_document(partner), partner)
    receipt = Receipt(delivered, partner, delivered.message)  # type: ignore[arg-type]
    first_ok = observer.wait(
        plan_set.seq, bounds.outage + bounds.recovery, is_ok_call, kind=CALL, system=sut
    )
    wait_first_reports(calm, [receipt], after)
    calm.clear_faults()
    observer.settle(observer.head(), bounds.poll_interval * 3)
    collect_receipts(calm, [receipt], after)
    refused = observer.refused(plan_set.seq, OUTAGE)
    verdict = judge_backoff(
        [e.at for e in refused],
        window,
        bound=bounds.outage_calls,
        pause=bounds.poll_interval * BACKOFF_PAUSE,
        scale=clock.time_scale,
    )
    evidence = [_calls_evidence(refused, window)]
    judge.check(
        "ROB-BACKOFF",
        verdict.within_bound,
        f"the axis refused {verdict.refused} call(s) of the SUT during its "
        f"{clock.span(bounds.outage)} outage (bound {verdict.bound})",
        evidence,
    )
    judge.check(
        "ROB-BACKOFF",
        verdict.paused,
        f"the SUT's longest pause between two refused calls (or before the outage's end) was "
        f"{clock.span(verdict.longest_pause)}; a SUT that backs off waits at least "
        f"{clock.span(verdict.wanted_pause)} before trying again at some point of the outage",
        evidence,
    )
    if first_ok is None:
        judge.fail(
            "ROB-RECOVER-OUTAGE",
            f"the SUT made no successful call within {clock.span(bounds.recovery)} of the "
            "outage's end",
            evidence,
        )
        return
    late = clock.model(max(0.0, (first_ok.at - window.end).total_seconds()))
    judge.check(
        "ROB-RECOVER-OUTAGE",
        late <= bounds.recovery,
        f"the SUT's first successful call (#{first_ok.seq}) came {clock.span(late)} after the "
        f"outage ended (bound {clock.span(bounds.recovery)})",
        [*evidence, *receipt.evidence()[:1]],
    )
    _judge_reported_once(
        judge, "ROB-RECOVER-OUTAGE", receipt, "was delivered during the outage and"
    )


def _calls_evidence(refused: list[WireEvent], window: Window) -> Evidence:
    return events_evidence(
        f"{len(refused)} call(s) of the SUT refused in the outage from "
        f"{window.start:%H:%M:%S.%f} to {window.end:%H:%M:%S.%f} (axis time, UTC)",
        refused,
    )
