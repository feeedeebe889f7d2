"""Simulated deliveries per wall-clock second on one core: the full 4-tier model against two
baselines measured in the same process.

* ``heapq M/M/c``: a bare hand-written event loop (the ceiling for pure Python);
* ``SimPy M/M/c``: one SimPy process per document requesting a Resource (the usual way);
* ``model``: one simulated month (July 2022) of the whole network under baseline-2016 —
  VPCP, ministries, 63 provinces with departments, districts and communes — counting
  deliveries (document x recipient); each delivery also carries its status messages
  (01, 03, 04, 05, 06) through the axis or a platform, which are reported separately.

Targets (issue 5): >= 100,000 deliveries/s, a month of the whole network in <= 60 s.
Rates are given on wall-clock time and on this process's CPU time: on a shared machine the
CPU figure is the one-core figure, and the ratios use it.
"""

from __future__ import annotations

import heapq
import random
import resource
import sys
import time

import simpy

from sim.model import Model
from sim.results import summarize
from sim.scenario import load_scenario

BASELINE_JOBS = 300_000
SERVERS, ARRIVAL_RATE, SERVICE_MEAN = 8, 6.0, 1.0


class Clock:
    """Wall-clock and CPU seconds of a block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def heapq_mmc(n: int, seed: int = 1) -> Clock:
    """A bare event loop: arrivals and departures in one heap."""
    rng = random.Random(seed)
    with Clock() as clock:
        _heapq_loop(n, rng)
    return clock


def _heapq_loop(n: int, rng: random.Random) -> None:
    events: list[tuple[float, int]] = [(rng.expovariate(ARRIVAL_RATE), 0)]
    busy, queue, done, arrived = 0, 0, 0, 1
    while done < n:
        now, kind = heapq.heappop(events)
        if kind == 0:
            if arrived < n:
                heapq.heappush(events, (now + rng.expovariate(ARRIVAL_RATE), 0))
                arrived += 1
            if busy < SERVERS:
                busy += 1
                heapq.heappush(events, (now + rng.expovariate(1 / SERVICE_MEAN), 1))
            else:
                queue += 1
        else:
            done += 1
            if queue:
                queue -= 1
                heapq.heappush(events, (now + rng.expovariate(1 / SERVICE_MEAN), 1))
            else:
                busy -= 1


def simpy_mmc(n: int, seed: int = 1) -> Clock:
    """The usual SimPy way: one process per document."""
    rng = random.Random(seed)
    env = simpy.Environment()
    axis = simpy.Resource(env, capacity=SERVERS)

    def document() -> simpy.events.ProcessGenerator:
        with axis.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1 / SERVICE_MEAN))

    def source() -> simpy.events.ProcessGenerator:
        for _ in range(n):
            yield env.timeout(rng.expovariate(ARRIVAL_RATE))
            env.process(document())

    with Clock() as clock:
        env.process(source())
        env.run()
    return clock


def model_month(scale: float = 1.0, days: int = 31) -> dict[str, float]:
    """One simulated month of the whole network: deliveries, statuses, seconds, memory."""
    scenario = load_scenario(
        "baseline-2016",
        [("start", "2022-07-01"), ("topology.scale", scale), ("metrics.trace_documents", 0)],
    )
    model = Model(scenario.data, 1, days=days)
    with Clock() as clock:
        model.run()
    result = summarize(model)
    return {
        "agencies": float(len(model.topology)),
        "deliveries": result.scalars["deliveries"],
        "statuses": float(model.metrics.tts_tier.sum()),
        "axis_jobs": float(model.axis.jobs),
        "wall": clock.wall,
        "cpu": clock.cpu,
    }


def _peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def main() -> None:
    n = BASELINE_JOBS
    heap = heapq_mmc(n)
    plain = simpy_mmc(n // 3)
    month = model_month()
    rows = [
        (
            f"bare heapq M/M/c ({SERVERS} servers, rho {ARRIVAL_RATE * SERVICE_MEAN / SERVERS:.2f})",
            n,
            heap.wall,
            heap.cpu,
        ),
        ("SimPy, a process per document, M/M/c", n // 3, plain.wall, plain.cpu),
        (
            "the model: deliveries of one month, 4 tiers",
            month["deliveries"],
            month["wall"],
            month["cpu"],
        ),
    ]
    print(f"{'':52s} {'per wall s':>12s} {'per CPU s':>12s}")
    for label, count, wall, cpu in rows:
        print(f"{label:52s} {count / wall:12,.0f} {count / cpu:12,.0f}")
    rate = month["deliveries"] / month["cpu"]
    print(
        f"\nthe month: {month['agencies']:,.0f} agencies, {month['deliveries']:,.0f} deliveries, "
        f"{month['statuses']:,.0f} statuses received by senders, {month['axis_jobs']:,.0f} axis "
        f"jobs; {month['wall']:.1f} s wall, {month['cpu']:.1f} s CPU"
    )
    print(
        f"ratios (CPU): model / SimPy {rate / (n // 3 / plain.cpu):.2f}, "
        f"model / heapq {rate / (n / heap.cpu):.2f}"
    )
    print(
        f"targets: >= 100,000 deliveries/s -> {'met' if rate >= 100_000 else 'NOT met'} "
        f"({rate:,.0f}/s CPU); a month in <= 60 s -> "
        f"{'met' if month['cpu'] <= 60 else 'NOT met'} ({month['cpu']:.1f} s CPU)"
    )
    print(f"peak memory (max RSS of this process): {_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
