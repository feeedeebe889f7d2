"""From test outcomes to the certification report: the verdict on every requirement of the
profile, with the evidence that proves it, and the timelines of the documents involved.

The :class:`Ledger` collects what each conformance test said: the judgements it recorded
(:mod:`conformance.judge`), and for a test that failed outside its judge the failure itself,
charged to every requirement the test declared. A requirement fails when any judgement on it
failed, passes when it was judged and never failed, and is "not tested" when no test that ran
judged it. Reasons the run could not finish are collected too: such a run is INCOMPLETE.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from axis.events import CallEvent, DeliveryEvent, StoredEvent
from conformance.judge import Judgement
from conformance.observe import WireEvent, ack_word
from reports.model import (
    Conditions,
    DocumentTimeline,
    Evidence,
    Outcome,
    Report,
    RequirementResult,
    SutIdentity,
    TimelineEvent,
)
from spec.catalogue import catalogue
from spec.lifecycle import receiver_of
from spec.status_codes import InvalidStatusCode, StatusCode

__all__ = ["Ledger", "TestRecord", "build_report", "build_timelines"]

_MAX_FAILURES = 6
_MAX_EVIDENCE = 4
_MAX_TIMELINES = 8


@dataclass
class TestRecord:
    """What one test (``nodeid``) said: the requirement ids it declared, its outcome
    (``passed``, ``failed``, ``skipped``), its judgements and, for a failure outside its judge,
    the failure message charged to its declared ids. ``judged`` is True for a test that
    recorded its verdicts with a judge: a declared id it gave no verdict on (nothing to judge)
    is then not credited with a pass."""

    __test__ = False  # a record of a test, not a pytest test class

    nodeid: str
    declared: tuple[str, ...]
    outcome: str
    judgements: list[Judgement] = field(default_factory=list)
    failure: str = ""
    judged: bool = False


@dataclass
class Ledger:
    """Every test record of a run and the reasons it could not finish."""

    records: list[TestRecord] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)

    def add(self, record: TestRecord) -> None:
        self.records.append(record)

    def stop(self, reason: str) -> None:
        """Record that the run could not finish (the verdict will be INCOMPLETE)."""
        if reason not in self.incomplete:
            self.incomplete.append(reason)

    @property
    def completed(self) -> bool:
        return not self.incomplete

    def judgements(self) -> dict[str, list[tuple[str, Judgement]]]:
        """Per requirement id, the (test, judgement) pairs of the run, in test order."""
        out: dict[str, list[tuple[str, Judgement]]] = defaultdict(list)
        for record in self.records:
            if record.outcome == "skipped":
                continue
            judged = set()
            for judgement in record.judgements:
                out[judgement.req_id].append((record.nodeid, judgement))
                judged.add(judgement.req_id)
            for req_id in record.declared:
                if req_id in judged:
                    continue
                if record.outcome == "failed" and record.failure:
                    out[req_id].append((record.nodeid, Judgement(req_id, False, record.failure)))
                elif record.outcome == "passed" and not record.judged:
                    out[req_id].append(
                        (record.nodeid, Judgement(req_id, True, f"{record.nodeid} passed"))
                    )
        return out

    def results(self, requirement_ids: Iterable[str]) -> tuple[RequirementResult, ...]:
        """The verdict on each of ``requirement_ids`` with its evidence."""
        table = self.judgements()
        return tuple(_result(req_id, table.get(req_id, [])) for req_id in requirement_ids)


def _short(test: str) -> str:
    """``test_audit.py::test_x[ID]`` from a node id."""
    return test.rsplit("/", 1)[-1]


def _result(req_id: str, pairs: list[tuple[str, Judgement]]) -> RequirementResult:
    tests = tuple(dict.fromkeys(test for test, _ in pairs))
    failures = [(t, j) for t, j in pairs if not j.passed]
    if failures:
        # The same fault is often seen by a scenario test and by the audit: show it once.
        unique: dict[str, tuple[list[str], Judgement]] = {}
        for test, judgement in failures:
            seen = unique.setdefault(judgement.message, ([], judgement))
            seen[0].append(_short(test))
        evidence: list[Evidence] = []
        for message, (by, judgement) in list(unique.items())[:_MAX_FAILURES]:
            evidence.append(Evidence("note", message, {"tests": by}))
            evidence.extend(judgement.evidence[:_MAX_EVIDENCE])
        if len(unique) > _MAX_FAILURES:
            more = len(unique) - _MAX_FAILURES
            evidence.append(Evidence("note", f"… and {more} more failed check(s)"))
        return RequirementResult.of(
            req_id, Outcome.FAILED, evidence=evidence, tests=tests, hint=_hint(req_id)
        )
    if pairs:
        first_test, first = pairs[0]
        evidence = [
            Evidence(
                "note",
                f"{len(pairs)} check(s) passed; first: {first.message}",
                {"tests": [_short(first_test)]},
            ),
            *first.evidence[:2],
        ]
        return RequirementResult.of(req_id, Outcome.PASSED, evidence=evidence, tests=tests)
    return RequirementResult.of(req_id, Outcome.NOT_TESTED)


def _hint(req_id: str) -> str:
    """The catalogue's hint for ``req_id``, or its statement as the thing to do."""
    found = catalogue()[req_id]
    return found.hint or "Make the SUT do what the requirement states: " + found.statement


# -- timelines -------------------------------------------------------------------------------


def _code_text(text: str) -> str:
    try:
        return StatusCode.parse(text).value
    except InvalidStatusCode:
        return text.strip() or "?"


def build_timelines(
    events: list[WireEvent],
    organ_of_system: dict[str, str],
    document_ids: Iterable[str],
    labels: dict[str, str] | None = None,
) -> tuple[DocumentTimeline, ...]:
    """The timeline of each of ``document_ids`` (at most a handful) from the transcript
    ``events``. ``organ_of_system`` names the agency each system serves (the lanes)."""
    labels = labels or {}
    wanted = list(dict.fromkeys(d for d in document_ids if d))[:_MAX_TIMELINES]
    doc_of: dict[str, str] = {}  # axis docId -> DocumentId, for edocs
    to_of: dict[str, str] = {}  # axis docId -> the first agency it was delivered for
    for event in events:
        body = event.body
        if isinstance(body, DeliveryEvent) and body.status == "pending":
            to_of.setdefault(event.doc_id, ",".join(body.to))
        if isinstance(body, StoredEvent) and body.messagetype == "edoc":
            document_id = body.document_id.strip()
            if document_id in wanted:
                doc_of[event.doc_id] = document_id
    lanes: dict[str, list[TimelineEvent]] = {d: [] for d in wanted}
    listed_seen: set[tuple[str, str]] = set()
    for event in events:
        _timeline_event(event, doc_of, to_of, lanes, organ_of_system, listed_seen)
    return tuple(
        DocumentTimeline(d, tuple(lanes[d]), labels.get(d, "")) for d in wanted if lanes[d]
    )


def _timeline_event(
    event: WireEvent,
    doc_of: dict[str, str],
    to_of: dict[str, str],
    lanes: dict[str, list[TimelineEvent]],
    organ_of_system: dict[str, str],
    listed_seen: set[tuple[str, str]],
) -> None:
    body = event.body
    if isinstance(body, StoredEvent):
        if body.messagetype == "status":
            document_id = body.document_id.strip()
            if document_id in lanes:
                code = _code_text(body.status_code)
                sender_organ = organ_of_system.get(event.system, event.system or "?")
                addressee = to_of.get(event.doc_id, "") or sender_organ
                lane = _status_lane(code, sender_organ, addressee)
                lanes[document_id].append(TimelineEvent(event.at, lane, "status", code, event.seq))
        elif event.doc_id in doc_of:
            lanes[doc_of[event.doc_id]].append(
                TimelineEvent(event.at, "axis", "sent", None, event.seq, f"docId {event.doc_id}")
            )
        return
    if not isinstance(body, CallEvent) or not body.ok:
        return
    system = event.system
    lane = organ_of_system.get(system, system)
    if event.op == "getReceivedEdocList":
        for doc_id in body.listed:
            if doc_id in doc_of and (doc_id, system) not in listed_seen:
                listed_seen.add((doc_id, system))
                lanes[doc_of[doc_id]].append(
                    TimelineEvent(event.at, lane, "listed", None, event.seq)
                )
        return
    doc_id = event.doc_id
    if doc_id not in doc_of:
        return
    if event.op in ("getEdoc", "downloadEdoc"):
        lanes[doc_of[doc_id]].append(TimelineEvent(event.at, lane, "downloaded", None, event.seq))
    elif event.op == "updateStatus" and ack_word(event) in ("done", "fail"):
        lanes[doc_of[doc_id]].append(
            TimelineEvent(event.at, lane, "ack", ack_word(event), event.seq)
        )


def _status_lane(code: str, sender_organ: str, addressee: str) -> str:
    """The receiving agency a status is about: its sender for the receiver's codes, its
    addressee for the sender's 13."""
    try:
        member = StatusCode.parse(code)
    except InvalidStatusCode:
        return sender_organ
    return receiver_of(member, sender_organ, addressee)


# -- the report ------------------------------------------------------------------------------


def build_report(
    *,
    ledger: Ledger,
    requirement_ids: Iterable[str],
    suite_version: str,
    profile: str,
    seed: int,
    time_scale: float,
    started: datetime,
    finished: datetime,
    sut: SutIdentity,
    axis_endpoint: str,
    transcript_sha256: str,
    transcript_events: int,
    conditions: Conditions,
    timelines: tuple[DocumentTimeline, ...] = (),
) -> Report:
    """The report of a run from its ledger (waivers are applied afterwards)."""
    return Report(
        suite_version=suite_version,
        profile=profile,
        seed=seed,
        time_scale=time_scale,
        started=started,
        finished=finished,
        sut=sut,
        axis_endpoint=axis_endpoint,
        requirements=ledger.results(requirement_ids),
        transcript_sha256=transcript_sha256,
        transcript_events=transcript_events,
        conditions=conditions,
        completed=ledger.completed,
        incomplete_reason="; ".join(ledger.incomplete),
        timelines=timelines,
    )
