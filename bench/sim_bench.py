"""Simulated deliveries per wall-clock second on one core: the full 4-tier model against two
baselines measured in the same process.

* ``heapq M/M/c``: a bare hand-written event loop (the ceiling for pure Python);
* ``SimPy M/M/c``: one SimPy process per document requesting a Resource (the usual way);
* ``model``: one simulated month (July 2022) of the whole network under baseline-2016 —
  VPCP, ministries, 63 provinces with departments, districts and communes — counting
  deliveries (document x recipient); each delivery also carries its status messages
  (01, 03, 04, 05, 06) through the axis or a platform, which are reported separately.

Targets (issue 5): >= 100,000 deliveries/s, a month of the whole network in <= 60 s.
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


def heapq_mmc(n: int, seed: int = 1) -> float:
    """A bare event loop: arrivals and departures in one heap; returns jobs per second."""
    rng = random.Random(seed)
    t0 = time.perf_counter()
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
    return n / (time.perf_counter() - t0)


def simpy_mmc(n: int, seed: int = 1) -> float:
    """The usual SimPy way: one process per document; returns jobs per second."""
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

    t0 = time.perf_counter()
    env.process(source())
    env.run()
    return n / (time.perf_counter() - t0)


def model_month(scale: float = 1.0, days: int = 31) -> dict[str, float]:
    """One simulated month of the whole network: deliveries, statuses, seconds, memory."""
    scenario = load_scenario(
        "baseline-2016", [("start", "2022-07-01"), ("topology.scale", scale), ("metrics.trace_documents", 0)]
    )
    model = Model(scenario.data, 1, days=days)
    t0 = time.perf_counter()
    model.run()
    seconds = time.perf_counter() - t0
    result = summarize(model)
    deliveries = result.scalars["deliveries"]
    statuses = float(model.metrics.tts_tier.sum())
    return {
        "agencies": float(len(model.topology)),
        "deliveries": deliveries,
        "statuses": statuses,
        "axis_jobs": float(model.axis.jobs),
        "seconds": seconds,
        "per_second": deliveries / seconds,
    }


def _peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def main() -> None:
    heap = heapq_mmc(BASELINE_JOBS)
    print(f"heapq M/M/c ({SERVERS} servers, rho {ARRIVAL_RATE * SERVICE_MEAN / SERVERS:.2f}): {heap:12,.0f} jobs/s")
    plain = simpy_mmc(BASELINE_JOBS // 3)
    print(f"SimPy process-per-document M/M/c:          {plain:12,.0f} jobs/s")
    month = model_month()
    print(
        f"model, one month of the 4-tier network ({month['agencies']:,.0f} agencies): "
        f"{month['deliveries']:,.0f} deliveries and {month['statuses']:,.0f} statuses received "
        f"({month['axis_jobs']:,.0f} axis jobs) in {month['seconds']:.1f} s"
    )
    print(f"model:                                     {month['per_second']:12,.0f} deliveries/s")
    print(f"ratios: model / SimPy {month['per_second'] / plain:.2f}, model / heapq {month['per_second'] / heap:.2f}")
    print(f"targets: >= 100,000 deliveries/s -> {'met' if month['per_second'] >= 100_000 else 'NOT met'}; "
          f"month <= 60 s -> {'met' if month['seconds'] <= 60 else 'NOT met'}")
    print(f"peak memory (max RSS of this process): {_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
