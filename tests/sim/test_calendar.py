"""Working time: office hours, weekends and holidays, as a map between clock and work."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sim.calendar import WorkCalendar, parse_clock
from sim.errors import ScenarioError

HOURS = [(parse_clock("07:30"), parse_clock("11:30")), (parse_clock("13:30"), parse_clock("17:00"))]
# Tuesday 1 March 2016; Monday 7 March a holiday for the test
CAL = WorkCalendar(date(2016, 3, 1), 30, hours=HOURS, holidays=[date(2016, 3, 7)])
H = 3600.0


def test_office_hours_count_and_the_rest_does_not() -> None:
    assert CAL.day_length == 7.5 * H
    assert CAL.to_work(7.5 * H) == 0.0
    assert CAL.to_work(9.5 * H) == 2 * H
    assert CAL.to_work(12 * H) == CAL.to_work(13.5 * H) == 4 * H  # lunch
    assert CAL.to_work(20 * H) == 7.5 * H
    # Friday evening to Tuesday morning: Saturday, Sunday and the holiday Monday count nothing
    friday_evening = 3 * 24 * H + 18 * H
    tuesday_morning = 7 * 24 * H + 7.5 * H
    assert CAL.to_work(friday_evening) == CAL.to_work(tuesday_morning)
    assert not CAL.is_working_day(6) and CAL.is_working_day(7)


def test_from_work_gives_the_earliest_moment() -> None:
    assert CAL.from_work(0.0) == 7.5 * H
    assert CAL.from_work(4 * H) == 11.5 * H  # end of the morning, not after lunch
    assert CAL.from_work(4 * H + 1) == 13.5 * H + 1
    # a day's last working second is that day's closing time
    assert CAL.from_work(7.5 * H) == 17 * H


@given(st.floats(min_value=0, max_value=30 * 24 * 3600))
def test_round_trip(t: float) -> None:
    w = CAL.to_work(t)
    assume(w > 0)  # no work done yet: from_work(0) is the first office hour
    back = CAL.from_work(w)
    assert back <= t + 1e-6
    assert CAL.to_work(back) == pytest.approx(w, abs=1e-6)


def test_arrays_and_the_post() -> None:
    t = np.array([0.0, 10 * H, 3 * 24 * H + 12 * H])
    np.testing.assert_allclose(CAL.to_work(t), [0.0, 2.5 * H, 3 * 7.5 * H + 4 * H])
    # letters are opened at 07:30 on the next working day (Friday noon -> Tuesday: Monday is off)
    np.testing.assert_allclose(CAL.next_work_start(t[1:]), [24 * H + 7.5 * H, 7 * 24 * H + 7.5 * H])


def test_bad_hours_are_refused() -> None:
    with pytest.raises(ScenarioError, match="hours"):
        WorkCalendar(date(2016, 3, 1), 3, hours=[(10 * H, 9 * H)])
    with pytest.raises(ScenarioError, match="clock time"):
        parse_clock("7h30")
