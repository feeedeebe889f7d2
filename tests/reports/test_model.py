"""The certification report model: verdict rules, coverage, JSON round trip and its schema."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta

import jsonschema
import pytest

import reports
from reports.errors import ReportFormatError
from reports.model import (
    Evidence,
    Outcome,
    Report,
    RequirementResult,
    TimelineEvent,
    Verdict,
    Waiver,
)
from reports.schema import REPORT_SCHEMA, load_schema
from spec.errors import UnknownRequirement
from spec.findings import Finding, Severity
from tests.reports.samples import STARTED, sample_report, with_verdicts


def all_passed() -> Report:
    report = sample_report()
    return report.with_results(
        tuple(replace(r, verdict=Outcome.PASSED) for r in report.requirements)
    )


def test_exported_names_exist_and_are_listed_once() -> None:
    assert len(reports.__all__) == len(set(reports.__all__))
    for name in reports.__all__:
        assert getattr(reports, name) is not None


def test_must_failure_means_not_certified_and_names_it() -> None:
    verdict, reason = sample_report().compute_verdict()
    assert verdict is Verdict.NOT_CERTIFIED
    assert "LC-NO-REPEAT" in reason
    # the SHOULD failure is not a reason to refuse
    assert "LC-STAFFINFO-EXPECTED" not in reason


def test_untested_must_means_incomplete() -> None:
    report = with_verdicts(sample_report(), LC_NO_REPEAT=Outcome.PASSED)
    verdict, reason = report.compute_verdict()
    assert verdict is Verdict.INCOMPLETE
    assert "ROB-BACKOFF" in reason
    assert report.coverage.untested == ("ROB-BACKOFF",)


def test_all_must_passed_certifies_despite_a_should_failure() -> None:
    report = with_verdicts(all_passed(), LC_STAFFINFO_EXPECTED=Outcome.FAILED)
    assert report.verdict is Verdict.CERTIFIED
    assert report.coverage.complete
    assert report.coverage.must_total == report.coverage.must_tested == 5


def test_run_that_did_not_complete_is_incomplete_unless_something_failed() -> None:
    stopped = replace(all_passed(), completed=False, incomplete_reason="SUT stopped answering")
    assert stopped.compute_verdict() == (
        Verdict.INCOMPLETE,
        "the run did not complete: SUT stopped answering",
    )
    failed = replace(sample_report(), completed=False, incomplete_reason="SUT stopped answering")
    assert failed.verdict is Verdict.NOT_CERTIFIED


def test_waived_must_certifies_only_while_the_waiver_holds() -> None:
    base = all_passed()
    waiver = Waiver("LC-NO-REPEAT", "fixed in 4.2", date(2025, 3, 14), "Trần Thị B")
    result = replace(base.result("LC-NO-REPEAT"), verdict=Outcome.WAIVED, waiver=waiver)
    on_the_day = base.with_results((result,))
    assert on_the_day.verdict is Verdict.CERTIFIED
    assert "1 of them under a waiver" in on_the_day.reason
    next_day = replace(on_the_day, finished=STARTED + timedelta(days=1))
    assert next_day.verdict is Verdict.NOT_CERTIFIED
    assert "expired" in next_day.reason


def test_counts_cover_every_outcome() -> None:
    counts = sample_report().counts()
    assert counts == {
        Outcome.PASSED: 3,
        Outcome.FAILED: 2,
        Outcome.NOT_TESTED: 1,
        Outcome.WAIVED: 0,
    }


def test_to_json_matches_the_schema_and_round_trips() -> None:
    report = sample_report()
    data = report.to_json()
    jsonschema.Draft202012Validator(load_schema(REPORT_SCHEMA)).validate(data)
    again = Report.from_json(json.loads(report.dumps()))
    assert again == report
    assert again.dumps() == report.dumps()


def test_finding_evidence_round_trips() -> None:
    finding = Finding(
        "MSG-SUBJECT-REQUIRED", Severity.ERROR, "/edXML/Subject", "Trích yếu is empty"
    )
    result = RequirementResult.of(
        "MSG-SUBJECT-REQUIRED", "failed", evidence=[Evidence.from_finding(finding, (3,))]
    )
    report = sample_report().with_results((result,))
    again = Report.loads(report.dumps())
    evidence = again.result("MSG-SUBJECT-REQUIRED").evidence[0]
    assert Finding.from_json(evidence.detail) == finding
    assert evidence.seqs == (3,)


def test_edited_verdict_is_refused() -> None:
    data = sample_report().to_json()
    data["verdict"] = "CERTIFIED"
    with pytest.raises(ReportFormatError, match="stored verdict"):
        Report.from_json(data)


def test_schema_violations_are_refused_with_the_place() -> None:
    data = sample_report().to_json()
    data["requirements"][0]["verdict"] = "maybe"
    with pytest.raises(ReportFormatError, match=r"/requirements/0/verdict"):
        Report.from_json(data)
    with pytest.raises(ReportFormatError, match="not JSON"):
        Report.loads("{")


def test_waiver_only_with_waived_verdict() -> None:
    waiver = Waiver("LC-NO-REPEAT", "r", date(2030, 1, 1), "x")
    with pytest.raises(ReportFormatError, match="waiver"):
        replace(sample_report().result("LC-NO-REPEAT"), waiver=waiver)
    with pytest.raises(ReportFormatError, match="carries a waiver for 'RCV-ARRIVED'"):
        replace(
            sample_report().result("LC-NO-REPEAT"),
            verdict=Outcome.WAIVED,
            waiver=replace(waiver, requirement="RCV-ARRIVED"),
        )


def test_construction_checks() -> None:
    report = sample_report()
    with pytest.raises(ReportFormatError, match="timezone"):
        replace(report, started=datetime(2025, 3, 14, 9))
    with pytest.raises(ReportFormatError, match="before started"):
        replace(report, finished=STARTED - timedelta(seconds=1))
    with pytest.raises(ReportFormatError, match="more than once"):
        replace(report, requirements=report.requirements + report.requirements[:1])
    with pytest.raises(ReportFormatError, match="incomplete_reason"):
        replace(report, completed=False)
    with pytest.raises(ReportFormatError, match="time_scale"):
        replace(report, time_scale=0)
    with pytest.raises(ReportFormatError, match="ack event needs code"):
        TimelineEvent(STARTED, "H44", "ack", "ok")
    with pytest.raises(UnknownRequirement):
        RequirementResult.of("NOPE-NOT-THERE", Outcome.PASSED)
