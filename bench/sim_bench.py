"""Simulated deliveries per wall-clock second on one core: the full 4-tier model against two
baselines measured in the same process.

* ``heapq M/M/c``: a bare hand-written event loop (the ceiling for pure Python);
* ``SimPy M/M/c``: one SimPy process per document requesting a Resource (the usual way);
* ``model``: one simulated month (July 2022) of the whole network under baseline-2016 —
  VPCP, ministries, 63 provinces with departments, districts and communes — after its
  two-week warm-up, counting every delivery (document x recipient) it simulates; each
  delivery also passes three desks and carries its status messages (01, 03, 04, 05, 06)
  through the axis or a platform, which are reported separately;
* ``phase``: the onboarding board's question (``sim.simulate_phase``): thirty agencies of a
  phase, a third of them three weeks late, three weeks measured after a week's warm-up, three
  replications of both scenarios, in this process.

Targets (issues 5 and 14): >= 150,000 deliveries per CPU second for the month, in <= 60 s.
Rates are given on wall-clock time and on this process's CPU time: on a shared machine the
CPU figure is the one-core figure, and the ratios use it.
"""

from __future__ import annotations

import heapq
import random
import resource
import sys
import time
from datetime import date

import simpy

from sim.model import Model
from sim.phase import PhaseRollout, phase_dates, simulate_phase
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
    """One simulated month of the whole network (after its warm-up): deliveries simulated,
    statuses, seconds."""
    scenario = load_scenario(
        "baseline-2016",
        [("start", "2022-07-01"), ("topology.scale", scale), ("metrics.trace_documents", 0)],
    )
    model = Model(scenario.data, 1, days=days)
    with Clock() as clock:
        model.run()
    summarize(model)
    return {
        "agencies": float(len(model.topology)),
        "days": float(model.days),
        "deliveries": float(model.metrics.dispatched),
        "statuses": float(model.metrics.tts_group[:, 0].sum()),
        "axis_jobs": float(model.axis.hour_jobs.sum()),
        "wall": clock.wall,
        "cpu": clock.cpu,
    }


def board_phase() -> Clock:
    """``sim.simulate_phase`` for thirty agencies of phase 2, every third three weeks late."""
    from fixtures.agencies import phases

    members = next(p for p in phases() if p.name == "phase-2-2016").members or ()
    planned = date(2016, 6, 1)
    delays = {m: (21 if i % 3 == 0 else 0) for i, m in enumerate(members[:30])}
    phase = PhaseRollout("bench", planned, phase_dates(planned, delays))
    with Clock() as clock:
        simulate_phase(phase, days=21, warmup_days=7, replications=3, jobs=1)
    return clock


def _peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def main() -> None:
    n = BASELINE_JOBS
    heap = heapq_mmc(n)
    plain = simpy_mmc(n // 3)
    month = model_month()
    phase = board_phase()
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
    heap_rate = n / heap.cpu
    print(f"{'':52s} {'per wall s':>12s} {'per CPU s':>12s}")
    for label, count, wall, cpu in rows:
        print(f"{label:52s} {count / wall:12,.0f} {count / cpu:12,.0f}")
    rate = month["deliveries"] / month["cpu"]
    print(
        f"\nthe month: {month['agencies']:,.0f} agencies, {month['days']:.0f} days simulated "
        f"(the warm-up included), {month['deliveries']:,.0f} deliveries, "
        f"{month['statuses']:,.0f} statuses received by senders in the month, "
        f"{month['axis_jobs']:,.0f} axis jobs; {month['wall']:.1f} s wall, {month['cpu']:.1f} s CPU"
    )
    print(
        f"ratios (CPU): model / bare heapq loop {rate / heap_rate:.2f}, "
        f"model / SimPy {rate / (n // 3 / plain.cpu):.2f}"
    )
    print(
        f"targets: >= 150,000 deliveries per CPU second -> "
        f"{'met' if rate >= 150_000 else 'NOT met'} ({rate:,.0f}/s); a month in <= 60 s -> "
        f"{'met' if month['cpu'] <= 60 else 'NOT met'} ({month['cpu']:.1f} s CPU)"
    )
    print(
        f"board phase (30 agencies, 21 + 7 days, 3 replications of 2 scenarios, one process): "
        f"{phase.wall:.1f} s wall, {phase.cpu:.1f} s CPU"
    )
    print(f"peak memory (max RSS of this process): {_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
