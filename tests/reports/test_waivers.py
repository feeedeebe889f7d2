"""Waivers: reading the YAML file, applying valid ones, refusing unused ones, reporting expired."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from reports.errors import WaiverError
from reports.model import Outcome, Report, Verdict, Waiver
from reports.waivers import apply_waivers, load_waivers, parse_waivers
from tests.reports.samples import sample_report, with_verdicts

DAY = date(2025, 3, 14)

WAIVERS_YAML = """\
- requirement: LC-NO-REPEAT
  reason: duplicate 03 fixed in release 4.2 (ticket VND-118)
  expires: 2025-06-30
  approved_by: Nguyễn Văn A, certification office
- requirement: LC-STAFFINFO-EXPECTED
  reason: StaffInfo arrives with release 4.2
  expires: 2025-01-31
  approved_by: Nguyễn Văn A
"""


def fully_tested() -> Report:
    """The sample with its one untested MUST passed, so waiving LC-NO-REPEAT can certify."""
    return with_verdicts(sample_report(), ROB_BACKOFF=Outcome.PASSED)


def test_parse_reads_dates_and_names() -> None:
    waivers = parse_waivers(WAIVERS_YAML)
    assert waivers[0] == Waiver(
        "LC-NO-REPEAT",
        "duplicate 03 fixed in release 4.2 (ticket VND-118)",
        date(2025, 6, 30),
        "Nguyễn Văn A, certification office",
    )
    assert waivers[1].expires == date(2025, 1, 31)
    assert parse_waivers("") == ()


def test_valid_waiver_turns_a_failure_into_waived_and_certifies() -> None:
    waivers = parse_waivers(WAIVERS_YAML)
    report = apply_waivers(fully_tested(), waivers[:1], today=DAY)
    result = report.result("LC-NO-REPEAT")
    assert result.verdict is Outcome.WAIVED
    assert result.waiver == waivers[0]
    assert result.evidence == fully_tested().result("LC-NO-REPEAT").evidence
    assert report.verdict is Verdict.CERTIFIED
    assert Report.loads(report.dumps()) == report


def test_expired_waiver_does_not_apply_and_is_reported() -> None:
    waivers = parse_waivers(WAIVERS_YAML)
    report = apply_waivers(fully_tested(), waivers, today=DAY)
    assert report.result("LC-STAFFINFO-EXPECTED").verdict is Outcome.FAILED
    assert report.expired_waivers == (waivers[1],)
    # the expiry day itself still counts
    on_last_day = apply_waivers(fully_tested(), waivers[1:], today=date(2025, 1, 31))
    assert on_last_day.result("LC-STAFFINFO-EXPECTED").verdict is Outcome.WAIVED


@pytest.mark.parametrize(
    "requirement",
    [
        "RCV-ARRIVED",  # passed: the vendor fixed it, the re-certification goes ahead
        "ROB-BACKOFF",  # not tested
        "LC-FIRST-ARRIVED-TIMELY",  # outside the sample's requirements
    ],
)
def test_an_unused_waiver_is_a_note_never_a_stop(requirement: str) -> None:
    waiver = Waiver(requirement, "because", date(2030, 1, 1), "someone")
    report = apply_waivers(sample_report(), (waiver,), today=DAY)
    assert report.unused_waivers == (waiver,)
    assert report.verdict is sample_report().verdict
    assert not any(r.verdict is Outcome.WAIVED for r in report.requirements)


def test_a_waiver_naming_no_requirement_is_refused_with_every_such_problem() -> None:
    waivers = (
        Waiver("RCV-ARRIVED", "r", date(2030, 1, 1), "x"),
        Waiver("LC-NO-SUCH-THING", "r", date(2030, 1, 1), "x"),
        Waiver("TR-TYPO", "r", date(2030, 1, 1), "x"),
        Waiver("LC-NO-REPEAT", "r", date(2030, 1, 1), "x"),
    )
    with pytest.raises(WaiverError, match="names no requirement") as info:
        apply_waivers(sample_report(), waivers, today=DAY)
    assert len(info.value.problems) == 2
    assert "LC-NO-SUCH-THING" in info.value.problems[0] and "TR-TYPO" in info.value.problems[1]


def test_today_must_be_a_date() -> None:
    with pytest.raises(TypeError, match="today"):
        apply_waivers(sample_report(), (), today=datetime(2025, 3, 14, 9))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- requirement: LC-NO-REPEAT\n  reason: x\n  approved_by: y\n", "'expires' is a required"),
        (
            "- {requirement: LC-NO-REPEAT, reason: x, expires: 2025-02-30, approved_by: y}",
            "not a date",
        ),
        (
            "- {requirement: lc-no-repeat, reason: x, expires: 2025-02-03, approved_by: y}",
            "/0/requirement",
        ),
        (
            "- {requirement: LC-NO-REPEAT, reason: '  ', expires: 2025-02-03, approved_by: y}",
            "reason",
        ),
        ("requirement: LC-NO-REPEAT", "is not of type 'array'"),
        ("- [unclosed", "not valid YAML"),
        (WAIVERS_YAML + WAIVERS_YAML, "more than one waiver for LC-NO-REPEAT"),
    ],
)
def test_bad_waiver_files_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(WaiverError, match=message):
        parse_waivers(text, "waivers.yaml")


def test_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(WAIVERS_YAML, "utf-8")
    assert len(load_waivers(path)) == 2
    with pytest.raises(WaiverError, match="cannot read waivers file"):
        load_waivers(tmp_path / "missing.yaml")
