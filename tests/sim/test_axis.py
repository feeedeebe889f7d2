"""The axis queue: exact multi-server FIFO, outages, and statistics integrated from event times
rather than sampled at ticks (the queueing-theory checks are in test_theory.py)."""

from __future__ import annotations

import heapq
from datetime import date

import numpy as np
import pytest
import simpy

from sim.axis import Axis
from sim.calendar import WorkCalendar
from sim.config import AxisConfig
from sim.distributions import Duration
from sim.randoms import Purpose, Randoms
from sim.types import DAY, HOUR

CALENDAR = WorkCalendar(
    date(2016, 3, 7), 2, hours=[(7.5 * HOUR, 11.5 * HOUR), (13.5 * HOUR, 17 * HOUR)]
)


def make_axis(
    servers: int,
    service: Duration,
    *,
    outages: list[tuple[float, float]] | None = None,
    days: int = 2,
) -> Axis:
    config = AxisConfig(servers, service, Duration("constant", 0.0), (), 0.0, 0.0)
    return Axis(
        simpy.Environment(),
        config,
        Randoms(3),
        CALENDAR,
        outages=outages or [],
        window=(0.0, days * DAY),
    )


def reference_fifo(arrivals: np.ndarray, service: np.ndarray, c: int) -> np.ndarray:
    """Departures of a c-server FIFO queue, the textbook way (one heap of free times)."""
    free = [0.0] * c
    out = []
    for a, s in zip(arrivals.tolist(), service.tolist(), strict=True):
        start = max(a, heapq.heappop(free))
        heapq.heappush(free, start + s)
        out.append(start + s)
    return np.array(out)


@pytest.mark.parametrize("load", [0.3, 0.95, 1.3])
def test_tick_by_tick_service_equals_the_textbook_queue(load: float) -> None:
    rng = np.random.default_rng(7)
    c, n = 4, 20_000
    arrivals = np.cumsum(rng.exponential(1.0 / (load * c), n))
    keys = rng.integers(0, 2**63, n).astype(np.uint64)
    service = Duration("exponential", 1.0)
    axis = make_axis(c, service)
    deps = []
    # hand the arrivals over tick by tick, shuffled within a tick, as the engine does
    ticks = np.floor(arrivals / 5.0)
    for tick in np.unique(ticks):
        batch = np.flatnonzero(ticks == tick)
        order = rng.permutation(len(batch))
        dep = np.empty(len(batch))
        dep[order] = axis.serve(arrivals[batch][order], keys[batch][order])
        deps.append(dep)
    # a job's service time belongs to its key, whatever the order it was handed over in
    draws = service.at(Randoms(3).uniform(Purpose.AXIS, keys))
    np.testing.assert_allclose(np.concatenate(deps), reference_fifo(arrivals, draws, c))


def test_no_service_starts_during_an_outage() -> None:
    axis = make_axis(2, Duration("constant", 1.0), outages=[(10.0, 20.0)])
    arrivals = np.array([9.5, 9.6, 9.7, 12.0, 25.0])
    dep = axis.serve(arrivals, np.arange(5, dtype=np.uint64))
    start = dep - 1.0
    assert not ((start >= 10.0) & (start < 20.0)).any()
    # the two jobs in service at 10.0 finish; the queued ones start when the axis is back
    np.testing.assert_allclose(dep, [10.5, 10.6, 21.0, 21.0, 26.0])
    # a poll that falls in the outage finds the axis at its end
    np.testing.assert_allclose(axis.up_at(np.array([9.0, 15.0, 20.0])), [9.0, 20.0, 20.0])


def test_hourly_statistics_are_integrated_from_event_times() -> None:
    """One server, constant 600 s, four jobs at 08:00: the queue holds 3, 2, 1 for ten
    minutes each; the server is busy 40 minutes; nothing is left out between ticks."""
    axis = make_axis(1, Duration("constant", 600.0))
    eight = 8 * HOUR
    axis.serve(np.full(4, eight), np.arange(4, dtype=np.uint64))
    for end in (9 * HOUR, 10 * HOUR):
        axis.close_hour(end)
    assert axis.hour_queue_max[8] == 3
    assert axis.hour_queue[8] == pytest.approx((3 + 2 + 1) * 600.0)
    assert axis.hour_busy[8] == pytest.approx(2400.0)
    assert axis.hour_office_busy[8] == pytest.approx(2400.0)
    assert axis.hour_office[8] == pytest.approx(HOUR)
    assert axis.hour_jobs[8] == 4
    assert axis.hour_busy[9] == 0 and axis.hour_queue_max[9] == 0
    assert axis.wait_sum == pytest.approx(600.0 + 1200.0 + 1800.0)


def test_work_spanning_hours_and_office_hours_is_split_exactly() -> None:
    """A job served from 11:00 for two hours: an hour of it falls at 11:00-12:00, of which
    half an hour is office time (the office closes at 11:30)."""
    axis = make_axis(1, Duration("constant", 2 * HOUR))
    axis.serve(np.array([11 * HOUR]), np.zeros(1, dtype=np.uint64))
    for end in (12 * HOUR, 13 * HOUR, 14 * HOUR):
        axis.close_hour(end)
    assert axis.hour_busy[11] == pytest.approx(HOUR)
    assert axis.hour_busy[12] == pytest.approx(HOUR)
    assert axis.hour_office_busy[11] == pytest.approx(HOUR / 2)
    assert axis.hour_office_busy[12] == 0
    assert axis.hour_office[12] == 0 and axis.hour_office[13] == pytest.approx(HOUR / 2)


def test_a_queue_peaking_between_ticks_is_seen() -> None:
    """Twenty jobs arrive at once and clear within a minute: a sample at each tick boundary
    would see an empty queue; the integration sees nineteen waiting."""
    axis = make_axis(1, Duration("constant", 2.0))
    t = 8 * HOUR + 10.0
    axis.serve(np.full(20, t), np.arange(20, dtype=np.uint64))
    axis.close_hour(9 * HOUR)
    assert axis.hour_queue_max[8] == 19
    assert axis.wait_max == pytest.approx(38.0)
    assert axis.wait_hist.sum() == 20
