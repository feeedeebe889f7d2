"""Vietnam time has one owner: ``spec.clock``. The date rules judge against the Vietnam date of
the clock they are given, whatever the machine's timezone and whatever the hour in UTC."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from fixtures.agencies import lookup
from fixtures.factory import DocumentFactory
from spec import Options, check, serialize
from spec.clock import (
    SYSTEM_CLOCK,
    VIETNAM,
    Clock,
    FixedClock,
    PosixClock,
    vietnam_now,
    vietnam_today,
    wall_time,
)

# The UTC instants around which a machine's local date and Vietnam's date disagree.
INSTANTS = {
    "16:59:59 UTC": (datetime(2026, 12, 4, 16, 59, 59, tzinfo=UTC), date(2026, 12, 4)),
    "17:00:00 UTC": (datetime(2026, 12, 4, 17, 0, 0, tzinfo=UTC), date(2026, 12, 5)),
    "23:59:59 UTC": (datetime(2026, 12, 4, 23, 59, 59, tzinfo=UTC), date(2026, 12, 5)),
}
MACHINE_ZONES = ("UTC", "Pacific/Kiritimati", "America/Los_Angeles")


@pytest.fixture(params=MACHINE_ZONES)
def machine_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test as if the machine's own timezone were each of MACHINE_ZONES."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def _document(day: date) -> bytes:
    sender, receiver = lookup("000.00.00.G22"), lookup("000.00.00.H41")
    assert sender and receiver
    doc = DocumentFactory(seed=3, today=day).edoc(sender, [receiver], promulgated=day)
    return serialize(doc)


def _date_findings(data: bytes, options: Options | None = None) -> list[str]:
    return [f.req_id for f in check(data, options).findings if f.req_id == "MSG-PROMULGATION-DATE"]


@pytest.mark.parametrize("instant", INSTANTS, ids=list(INSTANTS))
def test_today_is_the_vietnam_date_whatever_the_machine_zone(
    instant: str, machine_zone: str
) -> None:
    moment, vietnam_date = INSTANTS[instant]
    with time_machine.travel(moment, tick=False):
        assert vietnam_today() == vietnam_date
        assert vietnam_now().tzinfo is VIETNAM
        assert wall_time().tzinfo is None
        assert wall_time().date() == vietnam_date


@pytest.mark.parametrize("instant", INSTANTS, ids=list(INSTANTS))
def test_a_document_dated_today_in_vietnam_is_valid_and_tomorrow_is_not(
    instant: str, machine_zone: str
) -> None:
    moment, vietnam_date = INSTANTS[instant]
    with time_machine.travel(moment, tick=False):
        assert _date_findings(_document(vietnam_date)) == []
        assert _date_findings(_document(vietnam_date + timedelta(days=1))) == [
            "MSG-PROMULGATION-DATE"
        ]


def test_the_validator_judges_by_the_clock_it_is_given() -> None:
    evening = FixedClock(datetime(2026, 12, 4, 23, 30, tzinfo=VIETNAM))
    data = _document(date(2026, 12, 5))
    assert _date_findings(data, Options(clock=evening)) == ["MSG-PROMULGATION-DATE"]
    after_midnight = FixedClock(evening.at + timedelta(hours=1))
    assert _date_findings(data, Options(clock=after_midnight)) == []
    # a fixed ``today`` overrides the clock's date
    assert _date_findings(data, Options(today=date(2026, 12, 5), clock=evening)) == []


def test_clocks_are_aware_and_a_naive_clock_is_refused() -> None:
    assert isinstance(SYSTEM_CLOCK, Clock)
    assert SYSTEM_CLOCK.now().tzinfo is not None
    stamp = datetime(2026, 1, 1, 0, 0, tzinfo=UTC).timestamp()
    assert vietnam_now(PosixClock(lambda: stamp)) == datetime(2026, 1, 1, 7, 0, tzinfo=VIETNAM)
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(datetime(2026, 1, 1))

    class Naive:
        def now(self) -> datetime:
            return datetime(2026, 1, 1)

    with pytest.raises(ValueError, match="naive"):
        vietnam_today(Naive())
