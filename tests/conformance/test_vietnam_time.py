"""The axis and the suite agree on the Vietnam date at every hour: the axis judges documents by
its own clock in Vietnam time, the suite hands its model clock to the axis it starts, and the
reference SUT is certified when the machine's UTC date and Vietnam's differ and when model
time crosses Vietnam midnight during the run."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
import time_machine

from axis import AxisConfig, running_axis
from axis.events import FindingsEvent
from conformance.certify import run
from conformance.settings import DEFAULT_TIME_SCALE, CertifySettings
from fixtures.agencies import lookup
from fixtures.factory import DocumentFactory
from reports.model import Verdict
from spec import serialize
from spec.clock import VIETNAM, FixedClock, vietnam_today
from spec.findings import Finding
from tests.side_by_side import side_by_side

SENDER, RECEIVER = "000.00.00.G22", "000.00.00.H41"


def _promulgation_findings(axis_admin: object) -> list[Finding]:
    events, _ = axis_admin.events(0, kind="findings")  # type: ignore[attr-defined]
    return [
        f
        for e in events
        if isinstance(e.body, FindingsEvent)
        for f in e.body.findings
        if f.req_id == "MSG-PROMULGATION-DATE"
    ]


def _send_dated(axis: object, day: date) -> None:
    sender, receiver = lookup(SENDER), lookup(RECEIVER)
    assert sender and receiver
    doc = DocumentFactory(seed=5, today=day).edoc(sender, [receiver], promulgated=day)
    with axis.client(sender.system_id) as client:  # type: ignore[attr-defined]
        client.send_edoc(serialize(doc))


@pytest.mark.parametrize(
    "moment",
    [datetime(2026, 12, 4, 17, 0, tzinfo=UTC), datetime(2026, 12, 4, 23, 59, 59, tzinfo=UTC)],
)
def test_the_axis_judges_dates_by_its_clock_in_vietnam_time(moment: datetime) -> None:
    with time_machine.travel(moment, tick=True), running_axis(AxisConfig(seed=1)) as axis:
        today = vietnam_today()
        assert today == date(2026, 12, 5)
        with axis.admin() as admin:
            _send_dated(axis, today)
            assert _promulgation_findings(admin) == []
            _send_dated(axis, today + timedelta(days=1))
            assert len(_promulgation_findings(admin)) == 1


def test_the_axis_judges_dates_by_the_calendar_it_is_given() -> None:
    tomorrow = FixedClock(datetime.now(VIETNAM) + timedelta(days=1))
    with running_axis(AxisConfig(seed=1), calendar=tomorrow) as axis, axis.admin() as admin:
        _send_dated(axis, tomorrow.now().date())
        assert _promulgation_findings(admin) == []


HOURS = {
    # 23:59:59 in Vietnam: at the default time scale model time crosses midnight at once
    "16:59:59 UTC": (datetime(2026, 12, 4, 16, 59, 59, tzinfo=UTC), "full"),
    "17:00:00 UTC": (datetime(2026, 12, 4, 17, 0, 0, tzinfo=UTC), "sender"),
    "23:59:59 UTC": (datetime(2026, 12, 4, 23, 59, 59, tzinfo=UTC), "sender"),
}


def _certify_at(moment: datetime, profile: str, out: Path) -> tuple[Verdict | None, str, Path]:
    with time_machine.travel(moment, tick=True):
        result = run(
            CertifySettings(
                adapter="reference",
                profile=profile,
                out_dir=out,
                time_scale=DEFAULT_TIME_SCALE,
                exploration_examples=2,
            )
        )
    assert result.folder is not None, result.message
    return result.verdict, result.message, result.folder


@pytest.mark.slow
@side_by_side(*(partial(_certify_at, *pinned) for pinned in HOURS.values()))
def test_the_reference_sut_is_certified_at_every_hour(
    ran: list[tuple[Verdict | None, str, Path]],
) -> None:
    """Each moment pinned in a process of its own."""
    for name, (verdict, message, folder) in zip(HOURS, ran, strict=True):
        assert verdict is Verdict.CERTIFIED, f"at {name}: {message}"
        report = json.loads((folder / "report.json").read_text("utf-8"))
        assert report["verdict"] == "CERTIFIED", name
