"""The axis queue: exact multi-server FIFO, outages, and the queueing laws it must obey.

The M/M/c check runs the whole model with the workload and the agencies reduced to one queue
(Poisson documents round the clock, one recipient each, no statuses, no latency, exponential
service): the mean wait on the axis must match Erlang C within the replications' 95 % CI.
"""

from __future__ import annotations

import heapq

import numpy as np
import pytest

from sim.axis import Axis
from sim.distributions import Duration
from sim.replications import run_one, seeds_for
from sim.scenario import load_scenario
from sim.stats import estimate
from sim.topology import synthetic


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    a = lam / mu
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    waiting = b / (1 - (a / c) * (1 - b))
    return waiting / (c * mu - lam)


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
    axis = Axis(c, Duration("exponential", 1.0), np.random.default_rng(3))
    deps = []
    # hand the arrivals over tick by tick, shuffled within a tick, as the engine does
    ticks = np.floor(arrivals / 5.0)
    for tick in np.unique(ticks):
        batch = arrivals[ticks == tick]
        order = rng.permutation(len(batch))
        dep = np.empty(len(batch))
        dep[order] = axis.serve(batch[order])
        deps.append(dep)
    service = np.random.default_rng(3)
    # the axis draws one service time per job in arrival order, tick after tick
    draws = np.concatenate(
        [service.exponential(1.0, int((ticks == t).sum())) for t in np.unique(ticks)]
    )
    np.testing.assert_allclose(np.concatenate(deps), reference_fifo(arrivals, draws, c))


def test_no_service_starts_during_an_outage() -> None:
    axis = Axis(2, Duration("constant", 1.0), np.random.default_rng(0), outages=[(10.0, 20.0)])
    arrivals = np.array([9.5, 9.6, 9.7, 12.0, 25.0])
    dep = axis.serve(arrivals)
    start = dep - 1.0
    assert not ((start >= 10.0) & (start < 20.0)).any()
    # the two jobs in service at 10.0 finish; the queued ones start when the axis is back
    np.testing.assert_allclose(dep, [10.5, 10.6, 21.0, 21.0, 26.0])
    # a poll that falls in the outage finds the axis at its end
    np.testing.assert_allclose(axis.up_at(np.array([9.0, 15.0, 20.0])), [9.0, 20.0, 20.0])


def test_littles_law_on_the_axis_queue() -> None:
    """Mean queue length sampled at regular instants = arrival rate x mean wait."""
    rng = np.random.default_rng(11)
    c, lam, horizon = 3, 2.4, 200_000.0
    arrivals = np.cumsum(rng.exponential(1 / lam, int(lam * horizon * 1.1)))
    arrivals = arrivals[arrivals < horizon]
    axis = Axis(c, Duration("exponential", 1.0), np.random.default_rng(5))
    queued = []
    ticks = np.floor(arrivals / 60.0).astype(int)
    cuts = np.searchsorted(ticks, np.arange(ticks[-1] + 2))
    for k in range(ticks[-1] + 1):
        axis.serve(arrivals[cuts[k] : cuts[k + 1]])
        queued.append(axis.sample((k + 1) * 60.0)[0])
    l_sampled = float(np.mean(queued))
    l_little = len(arrivals) / horizon * axis.wait_sum / axis.jobs
    assert l_sampled == pytest.approx(l_little, rel=0.05)


def _one_queue(servers: int, mean_service: float, per_second: float):
    """The model reduced to one queue: 20 central bodies writing Poisson documents to one
    another day and night, nothing else."""
    overrides = [
        ("calendar.hours", [["00:00", "24:00"]]),
        ("calendar.weekdays", [0, 1, 2, 3, 4, 5, 6]),
        ("calendar.holidays", []),
        ("warmup_days", 0.125),
        ("engine.tick_seconds", 60),  # dense queue samples for Little's law
        (
            "rollout.phases",
            [{"name": "all", "start": "2000-01-01", "end": "2000-01-01", "members": "all"}],
        ),
        ("rollout.adoption", {"initial": 1.0, "ramp_days": 0}),
        ("agencies.feedback", False),
        ("agencies.take_back.rate", 0.0),
        (
            "agencies.paper_dependence",
            dict.fromkeys(("central", "province", "department", "district", "commune"), 0.0),
        ),
        ("axis.servers", servers),
        ("axis.service_seconds", {"dist": "exponential", "mean": mean_service}),
        ("axis.latency_seconds", {"dist": "constant", "mean": 0}),
        ("metrics.trace_documents", 0),
        (
            "workload.streams",
            [
                {
                    "name": "peers",
                    "from": "central",
                    "to": "central",
                    "scope": "nation",
                    "direction": "peer",
                    "type": "Công văn",
                    "per_day": per_second * 86400 / 20,
                    "steering": {"none": 1.0},
                }
            ],
        ),
    ]
    return load_scenario("baseline-2016", overrides), synthetic(central=20, provinces=0)


def test_axis_matches_erlang_c_and_littles_law() -> None:
    servers, mean_service, lam = 2, 1.4, 1.0
    scenario, topology = _one_queue(servers, mean_service, lam)
    results = [run_one(scenario.data, s, 1, topology=topology) for s in seeds_for(42, 6)]
    waits = estimate([r.scalars["axis_wait_mean_s"] for r in results])
    expected = erlang_c_wait(lam, 1 / mean_service, servers)
    assert waits.covers(expected), (waits, expected)
    assert waits.half_width < 0.1 * expected
    for r in results:
        s = r.scalars
        assert s["axis_arrival_rate_per_s"] == pytest.approx(lam, rel=0.02)
        assert s["axis_utilisation"] == pytest.approx(lam * mean_service / servers, rel=0.05)
        # Little: sampled queue length vs arrival rate x mean wait, measured independently
        little = s["axis_arrival_rate_per_s"] * s["axis_wait_mean_s"]
        assert s["axis_queue_mean"] == pytest.approx(little, rel=0.1)
        busy = s["axis_arrival_rate_per_s"] * mean_service
        assert s["axis_in_service_mean"] == pytest.approx(busy, rel=0.05)
