"""Working hours and working days of the administration, as a map between clock and working time.

Staff act only in office hours. The model therefore does its queue arithmetic in *working
time*: the number of working seconds since the start of the run. :meth:`WorkCalendar.to_work`
maps clock time to working time (flat outside office hours), :meth:`WorkCalendar.from_work`
maps back (the earliest clock time at which that much work has been done). Both take scalars
or numpy arrays, so a whole batch of documents is converted in one call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

import numpy as np

from sim.errors import ScenarioError
from sim.types import DAY, SimTime

MARGIN_DAYS = 1100
"""Days covered beyond the horizon: a document's handling may end long after the run stops."""


class WorkCalendar:
    """Office hours (the same on every working day), working weekdays and holidays.

    ``hours`` are (start, end) pairs in seconds after midnight, in order and not overlapping;
    ``weekdays`` uses Monday = 0. The calendar covers ``days`` days from ``start`` plus
    :data:`MARGIN_DAYS`; working time beyond that is infinite.
    """

    def __init__(
        self,
        start: date,
        days: int,
        *,
        hours: Sequence[tuple[float, float]],
        weekdays: Iterable[int] = (0, 1, 2, 3, 4),
        holidays: Iterable[date] = (),
    ) -> None:
        if days < 1:
            raise ScenarioError(f"days(={days!r}) must be >= 1")
        spans = [(float(a), float(b)) for a, b in hours]
        if not spans:
            raise ScenarioError("hours(=[]) must hold at least one (start, end) span")
        previous = 0.0
        for a, b in spans:
            if not (previous <= a < b <= DAY):
                raise ScenarioError(
                    f"hours(={hours!r}) must be ordered, non-overlapping spans within a day"
                )
            previous = b
        self.start = start
        self.days = days
        self.hours = tuple(spans)
        self.weekdays = frozenset(int(d) for d in weekdays)
        self.holidays = frozenset(holidays)
        total = days + MARGIN_DAYS
        dates = [start + timedelta(days=i) for i in range(total)]
        self.working = np.array(
            [d.weekday() in self.weekdays and d not in self.holidays for d in dates], dtype=bool
        )
        self.day_length = sum(b - a for a, b in spans)
        self._span_start = np.array([a for a, _ in spans])
        self._span_len = np.array([b - a for a, b in spans])
        self._span_cum = np.concatenate(([0.0], np.cumsum(self._span_len)))
        per_day = np.where(self.working, self.day_length, 0.0)
        # _cum[d] = working seconds before day d
        self._cum = np.concatenate(([0.0], np.cumsum(per_day)))
        self._total_days = total
        self._end = total * DAY - 1e-3
        working_days = np.flatnonzero(self.working)
        # _next_working[d] = first working day >= d (total when there is none)
        at = np.searchsorted(working_days, np.arange(total + 1))
        self._next_working = np.append(working_days, total)[at]

    def __repr__(self) -> str:
        return (
            f"WorkCalendar({self.start!r}, {self.days!r}, hours={list(self.hours)!r}, "
            f"weekdays={sorted(self.weekdays)!r}, holidays={sorted(self.holidays)!r})"
        )

    @property
    def horizon(self) -> SimTime:
        return self.days * DAY

    def datetime_of(self, t: SimTime) -> datetime:
        """The local clock time of simulated time ``t``."""
        return datetime.combine(self.start, datetime.min.time()) + timedelta(seconds=float(t))

    def day_of(self, d: date) -> int:
        """The day index of calendar date ``d`` (0 for the start date; may be negative)."""
        return (d - self.start).days

    def is_working_day(self, day: int) -> bool:
        return 0 <= day < self._total_days and bool(self.working[day])

    def to_work(self, t: np.ndarray | float) -> np.ndarray | float:
        """Working seconds elapsed from the start of the run to clock time ``t``."""
        t = np.asarray(t, dtype=float)
        inside = np.minimum(np.maximum(t, 0.0), self._end)
        day = (inside // DAY).astype(np.int64)
        sec = inside - day * DAY
        within = np.minimum(np.maximum(sec - self._span_start[0], 0.0), self._span_len[0])
        for a, n in zip(self._span_start[1:], self._span_len[1:], strict=True):
            within += np.minimum(np.maximum(sec - a, 0.0), n)
        w = self._cum[day] + within * self.working[day]
        if t.ndim == 0:
            return float(w) if t < self._end else np.inf
        if t.max() >= self._end:
            w[t >= self._end] = np.inf
        return w

    def from_work(self, w: np.ndarray | float) -> np.ndarray | float:
        """The earliest clock time at which ``w`` working seconds have elapsed."""
        w = np.asarray(w, dtype=float)
        # the day d with _cum[d] < w <= _cum[d + 1]; w == 0 maps to the first working moment
        day = np.searchsorted(self._cum, w, side="left") - 1
        zero = day < 0
        day = np.clip(day, 0, self._total_days - 1)
        rest = w - self._cum[day]
        span = np.clip(np.searchsorted(self._span_cum, rest, side="left") - 1, 0, None)
        span = np.minimum(span, len(self._span_len) - 1)
        t = day * DAY + self._span_start[span] + (rest - self._span_cum[span])
        if zero.any():
            t = np.where(zero, self.first_work_start(), t)
        t = np.where(w > self._cum[-1], np.inf, t)
        return t if t.ndim else float(t)

    def first_work_start(self) -> float:
        first = int(np.argmax(self.working))
        return first * DAY + float(self._span_start[0])

    def next_work_start(self, t: np.ndarray | float) -> np.ndarray | float:
        """The start of office hours on the first working day whose start is at or after ``t``
        (when the post is opened)."""
        t = np.asarray(t, dtype=float)
        opening = float(self._span_start[0])
        day = np.ceil((t - opening) / DAY).astype(np.int64)
        day = np.clip(day, 0, self._total_days)
        # the next working day at or after `day`
        next_working = self._next_working[day]
        out = next_working * DAY + opening
        out = np.where(next_working >= self._total_days, np.inf, out)
        return out if out.ndim else float(out)

    def office_spans(self, t0: SimTime, t1: SimTime) -> list[tuple[float, float]]:
        """The office-hour intervals (clock time) inside [t0, t1), on working days."""
        out = []
        for day in range(int(t0 // DAY), int(np.ceil(t1 / DAY))):
            if not self.is_working_day(day):
                continue
            for a, b in self.hours:
                lo, hi = max(day * DAY + a, t0), min(day * DAY + b, t1)
                if hi > lo:
                    out.append((lo, hi))
        return out

    def work_window(self, day: int) -> tuple[float, float]:
        """The working-time interval [w0, w1) of day ``day`` (empty on days off)."""
        return float(self._cum[day]), float(self._cum[day + 1])


def parse_clock(text: str) -> float:
    """Seconds after midnight of ``"HH:MM"``."""
    try:
        hh, mm = text.split(":")
        seconds = int(hh) * 3600 + int(mm) * 60
    except (AttributeError, ValueError):
        raise ScenarioError(f"clock time (text={text!r}) must look like '07:30'") from None
    if not 0 <= seconds <= DAY:
        raise ScenarioError(f"clock time (text={text!r}) must lie within one day")
    return float(seconds)
