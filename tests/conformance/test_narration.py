"""Evidence told in sentences (conformance.narration): the common event kinds read as an officer
would say them, injected faults are marked, and failures name the message bytes kept beside
the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from axis.events import parse_event
from conformance.narration import MAX_MESSAGES, Story, told, write_messages
from conformance.observe import WireEvent
from reports.model import Evidence, Outcome, RequirementResult
from tests.reports.samples import sample_report

SUT, PARTNER = "00.44.W00", "02.12.W00"
DOC, STATUS_A, STATUS_B = "d0c-1", "st-1", "st-2"
DOCUMENT = "000.00.00.G12,2026/11/18,2559/BTC-KHTC"
T0 = datetime(2026, 12, 4, 21, 0, 0, tzinfo=UTC)  # 04:00:00 in Vietnam, the next day


def _event(seq: int, kind: str, /, **data: Any) -> WireEvent:
    if kind == "call":
        data = {"method": "POST", "path": f"/{data['op']}", **data}
    at = (T0 + timedelta(seconds=seq)).isoformat()
    return parse_event({"seq": seq, "ts": at, "kind": kind, "data": data})


def _stored(seq: int, doc_id: str, system: str, messagetype: str, to: str, **extra: Any) -> Any:
    recipients = [{"code": to, "system": "x"}]
    return _event(
        seq, "stored", op="sendEdoc", doc_id=doc_id, system=system, messagetype=messagetype,
        document_id=DOCUMENT, recipients=recipients, sha256="0" * 64, size=100, **extra,
    )  # fmt: skip


EVENTS = [
    _stored(1, DOC, PARTNER, "edoc", "000.00.00.H44"),
    _event(2, "delivery", doc_id=DOC, system=SUT, to=["000.00.00.H44"], status="pending"),
    _event(
        3,
        "call",
        op="getReceivedEdocList",
        system=SUT,
        status="OK",
        messagetype="edoc",
        listed=[DOC],
    ),
    _event(
        4,
        "fault",
        op="getEdoc",
        system=SUT,
        rule="5xx-download",
        fault="error",
        params={"http_status": 503},
    ),
    _event(
        5,
        "call",
        op="getEdoc",
        system=SUT,
        doc_id=DOC,
        status="FAIL",
        error_code="8",
        error_desc="service unavailable",
        http_status=503,
    ),
    _event(6, "call", op="getEdoc", system=SUT, doc_id=DOC, status="OK"),
    _event(7, "call", op="updateStatus", system=SUT, doc_id=DOC, status="OK", ack="done"),
    _stored(8, STATUS_A, SUT, "status", "000.00.00.G12", status_code="01"),
    _stored(9, STATUS_B, SUT, "status", "000.00.00.G12", status_code="01"),
    _event(10, "call", op="sendEdoc", channel="admin", system=PARTNER, doc_id=DOC, status="OK"),
]


def _story() -> Story:
    return Story(EVENTS, SUT, {SUT: "000.00.00.H44", PARTNER: "000.00.00.G12"})


def test_common_event_kinds_read_as_sentences() -> None:
    story = _story()
    said = {e.seq: story.sentence(e)[0] for e in EVENTS}
    assert said[1] == (
        f"the harness as 000.00.00.G12 ({PARTNER}) sent document {DOCUMENT} to 000.00.00.H44"
    )
    assert said[2] == f"the axis queued document {DOCUMENT} for {SUT} (000.00.00.H44)"
    assert said[3] == f"the SUT ({SUT}) listed its edoc inbox (1 listed)"
    assert said[5] == (
        f"the axis refused the SUT ({SUT})'s getEdoc of document {DOCUMENT}: ErrorCode 8 "
        "(service unavailable, HTTP 503)"
    )
    assert said[6] == f"the SUT ({SUT}) downloaded document {DOCUMENT} (getEdoc)"
    assert said[7] == f"the SUT ({SUT}) acknowledged document {DOCUMENT} 'done'"
    assert said[8] == f"the SUT ({SUT}) sent status 01 on document {DOCUMENT} to 000.00.00.G12"
    assert said[9].endswith("to 000.00.00.G12, after 01 at 04:00:08")
    assert (
        said[10] == f"the harness as 000.00.00.G12 ({PARTNER}) put document {DOCUMENT} on the axis"
    )


def test_an_injected_fault_is_marked() -> None:
    text, fault = _story().sentence(EVENTS[3])
    assert fault
    assert text == (
        f"the harness disturbed the SUT ({SUT})'s getEdoc on purpose: error 503 "
        "(fault rule 5xx-download)"
    )
    assert not any(_story().sentence(e)[1] for e in EVENTS if e.kind != "fault")


def test_a_document_s_evidence_also_tells_the_faults_it_met() -> None:
    story = _story()
    evidence = Evidence("transcript", "what the SUT did", [{"seq": s} for s in (1, 3, 6, 7)])
    lines = story.narrate(evidence, link=True).lines
    assert [line.seq for line in lines] == [1, 3, 4, 5, 6, 7]
    assert [line.fault for line in lines] == [False, False, True, False, False, False]
    assert lines[0].xml == f"messages/{DOC}.xml" and lines[4].xml == f"messages/{DOC}.xml"
    assert lines[1].xml is None  # a listing is not about one message's bytes


def test_an_exchange_is_told_from_its_stored_message() -> None:
    evidence = Evidence("exchange", "status 01 twice", {"doc_id": STATUS_B}, (9,))
    (line,) = _story().narrate(evidence, link=True).lines
    assert line.seq == 9 and "after 01 at 04:00:08" in line.text
    assert line.xml == f"messages/{STATUS_B}.xml"


def test_only_failures_link_message_bytes_and_they_are_kept(tmp_path: Path) -> None:
    story = _story()
    report = sample_report()
    seen = Evidence("exchange", "status", {"doc_id": STATUS_A}, (8,))
    results = tuple(
        RequirementResult.of(i, verdict, evidence=(seen,))
        for i, verdict in (("LC-NO-REPEAT", Outcome.FAILED), ("RCV-ARRIVED", Outcome.PASSED))
    )
    told_results = told(report.with_results(results), story)
    by_id = {r.id: r for r in told_results}
    assert by_id["LC-NO-REPEAT"].evidence[0].lines[0].xml == f"messages/{STATUS_A}.xml"
    assert by_id["RCV-ARRIVED"].evidence[0].lines[0].xml is None
    written = write_messages(tmp_path, story.linked, lambda doc_id: f"<{doc_id}/>".encode())
    assert written == [tmp_path / "messages" / f"{STATUS_A}.xml"]
    assert written[0].read_bytes() == b"<st-1/>"


def test_links_stop_at_the_folder_s_limit_and_unsafe_ids_get_none() -> None:
    events = [_stored(n + 1, f"doc-{n}", SUT, "status", "000.00.00.G12", status_code="01")
              for n in range(MAX_MESSAGES + 5)]  # fmt: skip
    events.append(_stored(len(events) + 1, "../../etc/passwd", SUT, "edoc", "000.00.00.G12"))
    story = Story(events, SUT, {})
    evidence = Evidence("transcript", "all", [{"seq": e.seq} for e in events])
    lines = story.narrate(evidence, link=True).lines
    assert sum(line.xml is not None for line in lines) == MAX_MESSAGES
    assert lines[-1].xml is None
