"""Receiving: what the SUT reports on the documents it receives, and when (family RCV, and
the timeliness rule of family LC). The fields and order of every status it sends are judged
by the audit (test_audit.py)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from conformance.audit import RECEIVER_STATUS_RULES, judge_window
from conformance.contract import ACTION_STATUS, Action
from conformance.episodes import (
    FIRST_REPORT,
    FORWARD_AFTER_ARRIVAL,
    Receipt,
    code_of,
    collect_receipts,
    receive,
    wait_first_reports,
)
from conformance.errors import SutError
from conformance.judge import Judge
from conformance.observe import WireMessage
from conformance.world import World
from spec.document_id import parse_document_id
from spec.model import Edoc
from spec.status_codes import StatusCode

requirement = pytest.mark.requirement

ARRIVED = StatusCode.ARRIVED.value
REFUSED = StatusCode.REFUSED.value
ACTIONS = tuple(
    (a, ACTION_STATUS[a].value)
    for a in (Action.ACCEPT, Action.ASSIGN, Action.PROCESS, Action.COMPLETE)
)


@requirement("RCV-ARRIVED", "LC-FIRST-REPORT-ARRIVED")
def test_a_valid_document_is_reported_arrived(arrival: list[Receipt], judge: Judge) -> None:
    for receipt in arrival:
        first = receipt.codes[0] if receipt.codes else None
        judge.check(
            "RCV-ARRIVED",
            first == ARRIVED,
            f"{receipt.label()}, valid and addressed to the SUT, got {receipt.codes or 'no status'}"
            f"; expected {ARRIVED} first",
            receipt.evidence(),
        )
        judge.check(
            "LC-FIRST-REPORT-ARRIVED",
            first in FIRST_REPORT,
            f"the first report on {receipt.label()} was {first or 'missing'}",
            receipt.evidence(),
        )


@requirement("LC-FIRST-ARRIVED-TIMELY")
def test_the_first_report_comes_in_time(
    arrival: list[Receipt], online: World, judge: Judge
) -> None:
    bound = online.bounds.first_status
    for receipt in arrival:
        first = next((s for s in receipt.statuses if code_of(s) in FIRST_REPORT), None)
        if first is None or not receipt.downloads:
            judge.fail(
                "LC-FIRST-ARRIVED-TIMELY",
                f"{receipt.label()} was {receipt.seen()}; expected {' or '.join(FIRST_REPORT)} within "
                f"{online.clock.span(bound)} of its download",
                receipt.evidence(),
            )
            continue
        took = online.clock.model((first.at - receipt.downloads[0].at).total_seconds())
        judge.check(
            "LC-FIRST-ARRIVED-TIMELY",
            took <= bound,
            f"{receipt.label()} got {code_of(first)} {online.clock.span(took)} after its download "
            f"(bound {online.clock.span(bound)})",
            receipt.evidence(),
        )


def _judge_refusal(judge: Judge, req_id: str, receipt: Receipt, what: str) -> None:
    refusals: list[WireMessage] = [s for s in receipt.statuses if code_of(s) == REFUSED]
    forward = [c for c in receipt.codes if c in FORWARD_AFTER_ARRIVAL]
    reason = (
        (refusals[0].status.description or "").strip() if refusals and refusals[0].status else ""
    )
    judge.check(
        req_id,
        bool(refusals) and not forward,
        f"{what} ({receipt.label()}) got {receipt.codes or 'no status'}; expected {REFUSED} and no "
        "acceptance",
        receipt.evidence(),
    )
    judge.check(
        req_id,
        bool(reason),
        f"the refusal of {what} gives the reason {reason!r}",
        receipt.evidence(),
    )


def _without_subject(doc: Edoc) -> Edoc:
    doc.header.subject = "  "
    return doc


def _missing_attachment(doc: Edoc) -> Edoc:
    doc.attachments = doc.attachments[1:]
    return doc


def _inconsistent_document_id(doc: Edoc) -> Edoc:
    """The DocumentId dated the day before the PromulgationDate: the 02 must still copy both
    as they are (RCV-RESPONSEFOR-MATCHES), which ST-RESPONSEFOR-CONSISTENT then excuses."""
    key = parse_document_id(doc.header.document_id or "")
    earlier = dataclasses.replace(key, promulgation_date=key.promulgation_date - timedelta(days=1))
    doc.header.document_id = str(earlier)
    return doc


@requirement("RCV-REFUSE-INVALID", *RECEIVER_STATUS_RULES)
def test_an_invalid_document_is_refused_with_a_reason(online: World, judge: Judge) -> None:
    since = online.observer.head()
    partner = online.cast.partners[0]
    cases = (
        ("a document without Subject", _without_subject(online.new_document(partner))),
        (
            "a document whose manifest names a file that is not attached",
            _missing_attachment(online.new_document(partner, attachments=2)),
        ),
        (
            "a document whose DocumentId disagrees with its PromulgationDate",
            _inconsistent_document_id(online.new_document(partner)),
        ),
    )
    receipts = receive(online, [(doc, partner) for _, doc in cases])
    for (what, _), receipt in zip(cases, receipts, strict=True):
        _judge_refusal(judge, "RCV-REFUSE-INVALID", receipt, what)
    judge_window(online, judge, since)


@requirement("RCV-REFUSE-NOT-ADDRESSED")
def test_a_document_for_another_agency_is_refused(online: World, judge: Judge) -> None:
    partner = online.cast.partners[1]
    doc = online.new_document(partner, [online.cast.bystander])
    after = online.observer.head()
    delivered = online.deliver(doc, partner, to=[online.cast.sut.organ_id])
    receipt = Receipt(delivered, partner, doc)
    wait_first_reports(online, [receipt], after)
    online.observer.settle(online.observer.head(), online.bounds.poll_interval * 3)
    collect_receipts(online, [receipt], after)
    _judge_refusal(
        judge,
        "RCV-REFUSE-NOT-ADDRESSED",
        receipt,
        f"a document addressed to {online.cast.bystander.organ_id} only",
    )


@requirement("RCV-REPORTS-ACTIONS", *RECEIVER_STATUS_RULES)
def test_the_clerks_actions_are_reported(online: World, judge: Judge) -> None:
    since = online.observer.head()
    partners = online.cast.partners
    worked, refused = receive(online, [(online.new_document(p), p) for p in partners])
    for action, code in ACTIONS:
        _act(online, judge, worked, action, code)
    _act(online, judge, refused, Action.REFUSE, REFUSED, reason="Văn bản gửi nhầm nơi nhận")
    online.observer.settle(online.observer.head(), online.bounds.poll_interval * 3)
    judge_window(online, judge, since)


def _act(
    online: World,
    judge: Judge,
    receipt: Receipt,
    action: Action,
    code: str,
    reason: str | None = None,
) -> None:
    after = online.observer.head()
    try:
        online.sut.act(receipt.document_id, action, reason)
    except SutError as exc:
        judge.fail(
            "RCV-REPORTS-ACTIONS",
            f"the clerk could not {action.value} {receipt.label()}: {exc}",
            receipt.evidence(),
        )
        return
    status = online.observer.wait_status(after, online.bounds.action, receipt.document_id, (code,))
    judge.check(
        "RCV-REPORTS-ACTIONS",
        status is not None,
        f"after the clerk's {action.value} on {receipt.label()} "
        + (
            f"{code} went out"
            if status
            else f"no {code} came within {online.clock.span(online.bounds.action)}"
        ),
        [status.evidence()] if status else receipt.evidence(),
    )
