"""The officer's HTML page and its timeline pictures."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from datetime import date

from lxml import html as lxml_html

from reports.html import MAX_EXCERPT_CHARS, render_html
from reports.model import DocumentTimeline, Evidence, EvidenceLine, Outcome, Waiver
from reports.timeline import timeline_png
from spec.catalogue import requirement
from tests.reports.samples import sample_report, timeline, with_verdicts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def body_text(page: str) -> str:
    body = lxml_html.fromstring(page).body
    assert body is not None
    return " ".join(body.text_content().split())


def test_verdict_comes_first_then_failures_in_place() -> None:
    page = render_html(sample_report())
    text = body_text(page)
    assert text.startswith("NOT CERTIFIED 1 MUST requirement(s) failed: LC-NO-REPEAT")
    tree = lxml_html.fromstring(page)
    banner = tree.get_element_by_id("verdict")
    assert "verdict-not-certified" in (banner.get("class") or "")
    failure = tree.get_element_by_id("req-LC-NO-REPEAT")
    content = " ".join(failure.text_content().split())
    req = requirement("LC-NO-REPEAT")
    assert req.title in content
    assert req.source in content
    assert " ".join(req.statement.split()) in content
    assert "status 03 for the same document and receiver was sent twice" in content
    assert "transcript events #12, #14" in content
    assert '"doc_id": "5f1e3c9a-7a52-4c1e-9d4b-2b7c1e6f0a11"' in content
    assert "Keep the last status sent per document and receiver" in content
    # the MUST failure is explained before the SHOULD one, and both before the passed table
    assert text.index("LC-NO-REPEAT —") < text.index("LC-STAFFINFO-EXPECTED —")
    assert text.index("LC-STAFFINFO-EXPECTED —") < text.index("Passed (3)")
    assert "only MUST failures block certification" in text


def test_text_from_the_run_is_escaped() -> None:
    page = render_html(sample_report())
    assert "no StaffInfo &lt;&amp;&gt;" in page
    assert "no StaffInfo <&>" not in page


def test_page_is_self_contained_with_a_timeline_picture() -> None:
    page = render_html(sample_report())
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//script|//link|//iframe")
    for element in tree.xpath("//*[@src]"):
        assert element.get("src").startswith("data:image/png;base64,")
    assert not [a for a in tree.xpath("//a/@href") if not a.startswith("#")]
    images = tree.xpath("//figure/img/@src")
    assert len(images) == 1
    png = base64.b64decode(images[0].split(",", 1)[1])
    assert png.startswith(PNG_SIGNATURE)


def test_certified_page_is_green_and_lists_waivers() -> None:
    report = sample_report()
    passed = tuple(replace(r, verdict=Outcome.PASSED) for r in report.requirements)
    waiver = Waiver("LC-NO-REPEAT", "fixed in 4.2 <soon>", date(2025, 6, 30), "Trần Thị B")
    waived = replace(passed[1], verdict=Outcome.WAIVED, waiver=waiver)
    expired = Waiver("MSG-SUBJECT-REQUIRED", "old", date(2024, 1, 1), "Lê C")
    report = report.with_results((*passed[:1], waived, *passed[2:]), expired_waivers=(expired,))
    tree = lxml_html.fromstring(render_html(report))
    assert "verdict-certified" in (tree.get_element_by_id("verdict").get("class") or "")
    assert not tree.xpath("//*[@id='failures']")
    cells = [td.text_content() for td in tree.get_element_by_id("req-LC-NO-REPEAT").xpath("td")]
    assert cells[3:] == ["fixed in 4.2 <soon>", "Trần Thị B", "2025-06-30"]
    assert "Lê C" in tree.get_element_by_id("expired-waivers").text_content()


def test_incomplete_run_says_why() -> None:
    report = with_verdicts(sample_report(), LC_NO_REPEAT=Outcome.PASSED)
    report = replace(report, completed=False, incomplete_reason="the SUT's control endpoint died")
    text = body_text(render_html(report))
    assert text.startswith("INCOMPLETE the run did not complete: the SUT's control endpoint died")
    assert "Not tested (1)" in text


def test_long_evidence_is_cut_with_a_pointer_to_the_json() -> None:
    big = Evidence("transcript", "a long exchange", "x" * (MAX_EXCERPT_CHARS + 500))
    report = sample_report()
    failed = replace(report.result("LC-NO-REPEAT"), evidence=(big,))
    page = render_html(report.with_results((failed,)))
    assert "x" * MAX_EXCERPT_CHARS in page
    assert "x" * (MAX_EXCERPT_CHARS + 1) not in page
    assert "the full detail is in report.json" in page


def test_transcript_events_evidence_reads_as_lines() -> None:
    events = [
        {
            "seq": 12,
            "at": "2025-03-14T02:00:03+00:00",
            "kind": "call",
            "summary": "#12 call op=updateStatus doc_id=D1",
            "data": {"op": "updateStatus", "doc_id": "D1"},
        },
        {
            "seq": 13,
            "at": "2025-03-14T02:00:04+00:00",
            "kind": "delivery",
            "summary": "#13 delivery system=00.41.W00 doc_id=D1 status=done",
            "data": {"doc_id": "D1", "status": "done"},
        },
    ]
    report = sample_report()
    failed = replace(
        report.result("LC-NO-REPEAT"), evidence=(Evidence("transcript", "the calls", events),)
    )
    text = body_text(render_html(report.with_results((failed,))))
    assert "2025-03-14T02:00:03+00:00 #12 call op=updateStatus doc_id=D1" in text
    assert "2025-03-14T02:00:04+00:00 #13 delivery system=00.41.W00 doc_id=D1 status=done" in text


def test_timeline_png_is_deterministic_and_reflects_events() -> None:
    first = timeline_png(timeline(), time_scale=60)
    assert first.startswith(PNG_SIGNATURE)
    assert timeline_png(timeline(), time_scale=60) == first
    fewer = DocumentTimeline(timeline().document_id, timeline().events[:3], timeline().label)
    assert timeline_png(fewer, time_scale=60) != first
    width, height = (int.from_bytes(first[i : i + 4], "big") for i in (16, 20))
    one_lane = timeline_png(replace(fewer, events=fewer.events[:1]), time_scale=60)
    assert int.from_bytes(one_lane[20:24], "big") < height  # one lane is shorter than two
    assert width > 600


def test_empty_timeline_still_renders() -> None:
    assert timeline_png(DocumentTimeline("D-EMPTY", ())).startswith(PNG_SIGNATURE)


def test_page_has_the_report_digest() -> None:
    from reports.certificate import report_digest

    report = sample_report()
    assert re.search(report_digest(report.to_json()), render_html(report))


def test_evidence_reads_as_sentences_with_faults_marked_and_message_bytes_linked() -> None:
    at = sample_report().started
    lines = (
        EvidenceLine("the SUT (00.44.W00) listed its edoc inbox (1 listed)", at, 4),
        EvidenceLine(
            "the harness disturbed the SUT (00.44.W00)'s getEdoc on purpose: error 503",
            at,
            5,
            fault=True,
        ),
        EvidenceLine(
            "the SUT (00.44.W00) sent status 03 on document X to 000.00.00.G12, after 01 at "
            "09:00:02, 03 at 09:00:03",
            at,
            14,
            xml="messages/5f1e3c9a.xml",
        ),
    )
    report = sample_report()
    failed = report.result("LC-NO-REPEAT")
    told = replace(failed, evidence=(replace(failed.evidence[0], lines=lines),))
    page = render_html(report.with_results((told,)))
    failure = lxml_html.fromstring(page).get_element_by_id("req-LC-NO-REPEAT")
    content = " ".join(failure.text_content().split())
    rows = [
        [" ".join(td.text_content().split()) for td in tr.xpath("td")]
        for tr in failure.xpath(".//table[@class='story']/tr")
    ]
    assert rows[0] == ["09:00:00", "the SUT (00.44.W00) listed its edoc inbox (1 listed)", "#4"]
    assert rows[1][1].startswith("injected fault the harness disturbed")
    assert rows[2][2] == "XML #14"
    (fault_row,) = failure.xpath(".//tr[@class='fault']")
    assert "error 503" in fault_row.text_content()
    assert failure.xpath(".//a/@href") == ["messages/5f1e3c9a.xml"]
    assert "after 01 at 09:00:02, 03 at 09:00:03" in content
    # the raw data stays, folded away
    assert failure.xpath(".//details/summary")[0].text == "data"


def test_legal_sources_are_told_apart_from_harness_rules() -> None:
    report = with_verdicts(sample_report(), RCV_ARRIVED=Outcome.FAILED)
    tree = lxml_html.fromstring(render_html(report))
    rows = tree.get_element_by_id("req-LC-NO-REPEAT").xpath(".//dt/text()")
    assert "Harness rule" in rows and "Legal basis" not in rows
    msg = with_verdicts(sample_report(), MSG_SUBJECT_REQUIRED=Outcome.FAILED)
    subject = lxml_html.fromstring(render_html(msg)).get_element_by_id("req-MSG-SUBJECT-REQUIRED")
    assert subject.xpath(".//dt/text()")[0] == "Legal basis"
    assert "QCVN 102:2016/BTTTT" in subject.xpath(".//dd/text()")[0]


def test_the_passed_table_names_checks_not_node_ids() -> None:
    tests = (
        *(f"conformance/checks/test_a.py::test_rule[ID-{n}]" for n in range(5)),
        "conformance/checks/test_b.py::test_other",
        "conformance/checks/test_c.py::test_third",
    )
    report = sample_report()
    passed = replace(report.result("RCV-ARRIVED"), tests=tests)
    tree = lxml_html.fromstring(render_html(report.with_results((passed,))))
    row = tree.get_element_by_id("req-RCV-ARRIVED")
    text = " ".join(row.text_content().split())
    assert "conformance/checks" not in text and "[ID-" not in text
    assert "test_rule and 2 more" in text and "test_other, test_third" in text
