"""Certification reports built by hand for the reports tests (no axis, no SUT needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from axis.events import AdminEvent
from axis.store import open_store
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
from spec.catalogue import catalogue_digest
from spec.clock import VIETNAM

STARTED = datetime(2025, 3, 14, 9, 0, 0, tzinfo=VIETNAM)
HEAD = "3f" * 32
SUT = SutIdentity(
    product="QLVB Demo",
    vendor="Công ty Phần mềm A",
    version="4.1.0",
    build="git-5f1e3c9",
    contract_version="1.1",
    adapter="http",
    organ_id="000.00.00.H44",
    agency="Ủy ban nhân dân tỉnh Phú Thọ",
    system_id="00.44.W00",
)
CONDITIONS = Conditions(
    require_signature=True,
    overrides={"time_scale": 60.0, "seed": 1234},
    exploration_examples=4,
    mutant=None,
    axis_kind="in-process",
    officer="Nguyễn Văn A",
    waivers_sha256=None,
    catalogue_sha256=catalogue_digest(),
    checks_sha256="c4" * 32,
)
DOC = "5f1e3c9a-7a52-4c1e-9d4b-2b7c1e6f0a11"
RECEIVER_A = "000.00.24.H44"
RECEIVER_B = "000.01.24.H44"

REPEATED_STATUS = {
    "request": {"op": "updateStatus", "system": "00.44.W00", "doc_id": DOC, "status": "03"},
    "response": {"op": "updateStatus", "status": "OK", "error_code": "0"},
}


def timeline() -> DocumentTimeline:
    def at(seconds: float) -> datetime:
        return STARTED + timedelta(seconds=seconds)

    events = [
        TimelineEvent(at(0.0), RECEIVER_A, "sent", seq=1, note="sendEdoc by the harness"),
        TimelineEvent(at(0.0), RECEIVER_B, "sent", seq=1),
        TimelineEvent(at(0.5), RECEIVER_A, "listed", seq=4),
        TimelineEvent(at(1.0), RECEIVER_A, "downloaded", seq=6),
        TimelineEvent(at(1.2), RECEIVER_A, "ack", "done", seq=8),
        TimelineEvent(at(2.0), RECEIVER_A, "status", "01", seq=10),
        TimelineEvent(at(3.0), RECEIVER_A, "status", "03", seq=12),
        TimelineEvent(at(3.1), RECEIVER_A, "status", "03", seq=14, note="repeated"),
        TimelineEvent(at(4.5), RECEIVER_A, "status", "04", seq=16),
        TimelineEvent(at(0.6), RECEIVER_B, "listed", seq=5),
        TimelineEvent(at(1.4), RECEIVER_B, "fault", "reset", seq=7),
        TimelineEvent(at(1.9), RECEIVER_B, "downloaded", seq=9),
        TimelineEvent(at(2.1), RECEIVER_B, "ack", "fail", seq=11),
        TimelineEvent(at(2.6), RECEIVER_B, "downloaded", seq=13),
        TimelineEvent(at(2.7), RECEIVER_B, "ack", "done", seq=15),
        TimelineEvent(at(3.5), RECEIVER_B, "status", "02", seq=17),
    ]
    return DocumentTimeline(DOC, tuple(events), "sent by the harness to two agencies")


def results() -> tuple[RequirementResult, ...]:
    return (
        RequirementResult.of(
            "RCV-ARRIVED", Outcome.PASSED, tests=("test_receiving.py::test_arrived",)
        ),
        RequirementResult.of(
            "LC-NO-REPEAT",
            Outcome.FAILED,
            evidence=(
                Evidence(
                    "exchange",
                    "status 03 for the same document and receiver was sent twice",
                    REPEATED_STATUS,
                    (12, 14),
                ),
            ),
            tests=("test_receiving.py::test_no_repeat",),
            hint="Keep the last status sent per document and receiver; do not send it again.",
        ),
        RequirementResult.of("LC-FORWARD-ONLY", Outcome.PASSED),
        RequirementResult.of("ROB-BACKOFF", Outcome.NOT_TESTED),
        RequirementResult.of(
            "LC-STAFFINFO-EXPECTED",
            Outcome.FAILED,
            evidence=(Evidence("note", "status 01 carried no StaffInfo <&>"),),
        ),
        RequirementResult.of("MSG-SUBJECT-REQUIRED", Outcome.PASSED),
    )


def sample_report(**changes: Any) -> Report:
    """A finished run: one MUST failure (LC-NO-REPEAT), one MUST untested (ROB-BACKOFF), one
    SHOULD failure; ``changes`` replace fields."""
    report = Report(
        suite_version="0.1.0",
        profile="full",
        seed=1234,
        time_scale=60.0,
        started=STARTED,
        finished=STARTED + timedelta(minutes=3),
        sut=SUT,
        axis_endpoint="http://127.0.0.1:8765",
        requirements=results(),
        transcript_sha256=HEAD,
        transcript_events=17,
        conditions=CONDITIONS,
        timelines=(timeline(),),
    )
    return replace(report, **changes)


def with_verdicts(report: Report, **verdicts: Outcome) -> Report:
    """``report`` with the requirements named (``LC_NO_REPEAT=...``) set to new verdicts."""
    changed = tuple(
        replace(report.result(name.replace("_", "-")), verdict=v) for name, v in verdicts.items()
    )
    return report.with_results(changed)


def write_transcript(path: Path, count: int = 5) -> tuple[str, int]:
    """A real axis transcript of ``count`` events, exported to ``path``; (head hash, count)."""
    store = open_store(path.with_suffix(".sqlite"), seed=1, clock=STARTED.timestamp)
    try:
        with store.transaction():
            for n in range(count):
                store.record(AdminEvent(action="sample", size=n + 1))
        lines = store.transcript.export_lines()
        path.write_text("".join(line + "\n" for line in lines), "utf-8")
        events, head = store.head
    finally:
        store.close()
    return head, events


__all__ = [
    "CONDITIONS",
    "HEAD",
    "STARTED",
    "VIETNAM",
    "sample_report",
    "timeline",
    "with_verdicts",
    "write_transcript",
]
