"""JUnit XML for CI: one test case per requirement, counts that CI consumers add up."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from lxml import etree

from reports.junit import render_junit
from reports.model import Outcome, Waiver
from tests.messages import child
from tests.reports.samples import HEAD, sample_report


def test_one_case_per_requirement_with_matching_counts() -> None:
    report = sample_report()
    waiver = Waiver("LC-STAFFINFO-EXPECTED", "until 4.2", date(2025, 6, 30), "Trần Thị B")
    waived = replace(report.result("LC-STAFFINFO-EXPECTED"), verdict=Outcome.WAIVED, waiver=waiver)
    report = report.with_results((waived,))
    root = etree.fromstring(render_junit(report))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [r.id for r in report.requirements]
    failures = suite.findall("testcase/failure")
    skipped = suite.findall("testcase/skipped")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("6", "1", "2")
    assert len(failures) == 1 and len(skipped) == 2
    assert suite.get("errors") == "0"
    assert root.get("tests") == "6" and root.get("failures") == "1"


def test_failure_explains_and_skips_say_why() -> None:
    root = etree.fromstring(render_junit(sample_report()))
    failure = child(root, ".//testcase[@name='LC-NO-REPEAT']/failure")
    assert failure.get("message") == (
        "MUST LC-NO-REPEAT failed: status 03 for the same document and receiver was sent twice"
    )
    text = failure.text or ""
    assert "Clause: harness profile (SPEC §3)" in text
    assert "(transcript events 12, 14)" in text
    assert "How to fix: Keep the last status" in text
    case = child(root, ".//testcase[@name='LC-NO-REPEAT']")
    assert case.get("classname") == "lienthong.lifecycle"
    assert child(root, ".//testcase[@name='ROB-BACKOFF']/skipped").get("message") == "not tested"
    assert root.find(".//testcase[@name='RCV-ARRIVED']/*") is None


def test_properties_trace_the_run() -> None:
    root = etree.fromstring(render_junit(sample_report()))
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["verdict"] == "NOT CERTIFIED"
    assert props["seed"] == "1234"
    assert props["transcript_sha256"] == HEAD
    assert props["profile"] == "full"
