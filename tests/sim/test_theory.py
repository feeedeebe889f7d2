"""The model against queueing theory, where its parts are simple enough for a formula.

Each check reduces the model to the queue a formula describes (Poisson documents day and
night, exponential or constant efforts, nothing else on the way) and runs a few short
replications. A simulated mean must lie within its replications' 95 % confidence interval of
the formula, or within the tolerance stated beside it when the interval is narrower than the
approximations the engine makes (arrivals on 60-second ticks).

* the axis as M/M/c: mean wait and time-weighted queue against Erlang C, utilisation ρ;
* the axis as M/D/1: mean wait against Pollaczek–Khinchine;
* a clerk, a leader and an officer in tandem (one person each): every desk an M/M/1
  (Jackson), time at each desk 1 / (μ − λ);
* two or four clerks feeding one leader: the clerks' departures are Poisson (Burke), so the
  leader is a plain M/M/1 — a desk that took documents in arrival order rather than
  registration order would make the leader look half as slow again;
* Little's law on the agencies' backlogs, and conservation of deliveries: each one sent is
  delivered, handled, withdrawn, or still open when the run ends, exactly once.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.model import Model
from sim.replications import run_one, seeds_for
from sim.scenario import Scenario, load_scenario
from sim.stats import Estimate, estimate
from sim.topology import AgencyRecord, Topology, synthetic
from sim.types import Role

ALWAYS = ["00:00", "24:00"]
NO_ROLE_PAPER = dict.fromkeys(("central", "province", "department", "district", "commune"), 0.0)


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    a = lam / mu
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    waiting = b / (1 - (a / c) * (1 - b))
    return waiting / (c * mu - lam)


def pollaczek_khinchine_wait(lam: float, service: float) -> float:
    """Mean wait in queue of M/D/1: λ E[S²] / (2 (1 − ρ))."""
    rho = lam * service
    return lam * service * service / (2 * (1 - rho))


def close(e: Estimate, expected: float, tolerance: float) -> bool:
    """Within the 95 % interval, or within ``tolerance`` (relative) of ``expected``."""
    return abs(e.mean - expected) <= max(e.half_width, tolerance * expected)


def _always_on(extra: list[tuple[str, Any]]) -> Scenario:
    """Everyone connected and adopting fully, offices open round the clock, no paper."""
    return load_scenario(
        "baseline-2016",
        [
            ("calendar.hours", [ALWAYS]),
            ("calendar.weekdays", [0, 1, 2, 3, 4, 5, 6]),
            ("calendar.holidays", []),
            ("engine.tick_seconds", 60),
            (
                "rollout.phases",
                [{"name": "all", "start": "2000-01-01", "end": "2000-01-01", "members": "all"}],
            ),
            ("rollout.adoption", {"initial": 1.0, "ramp_days": 0, "axis_uptake": None}),
            ("agencies.take_back.rate", 0.0),
            ("agencies.refusal_rate", 0.0),
            ("agencies.paper_dependence", NO_ROLE_PAPER),
            ("metrics.trace_documents", 0),
            *extra,
        ],
    )


def _peers(per_day: float) -> dict[str, Any]:
    """Each central body writes ``per_day`` documents to one other, uniformly: every body
    receives a Poisson stream of that rate."""
    return {
        "name": "peers",
        "from": "central",
        "to": "central",
        "scope": "nation",
        "direction": "peer",
        "type": "Công văn",
        "per_day": per_day,
        "extra_recipients": 0,
        "steering": {"none": 1.0},
    }


# -- the axis -------------------------------------------------------------------------------


def _axis_queue(servers: int, service: dict[str, Any], per_second: float) -> Scenario:
    """Twenty central bodies under their own systems: every document is one axis job."""
    return _always_on(
        [
            ("warmup_days", 0),
            ("agencies.feedback", False),
            ("axis.servers", servers),
            ("axis.service_seconds", service),
            ("axis.latency_seconds", {"dist": "constant", "mean": 0}),
            ("workload.streams", [_peers(per_second * 86400 / 20)]),
        ]
    )


AXIS_TOPOLOGY = synthetic(central=20, provinces=0)


@pytest.mark.slow
def test_axis_as_mmc_matches_erlang_c() -> None:
    servers, mean_service, lam = 2, 5.6, 0.25
    scenario = _axis_queue(servers, {"dist": "exponential", "mean": mean_service}, lam)
    results = [run_one(scenario.data, s, 1, topology=AXIS_TOPOLOGY) for s in seeds_for(42, 3)]
    expected = erlang_c_wait(lam, 1 / mean_service, servers)
    waits = estimate([r.scalars["axis_wait_mean_s"] for r in results])
    assert close(waits, expected, 0.05), (waits, expected)
    # the time-weighted queue, integrated from event times, is Erlang C's Lq = λ Wq
    queue = estimate([r.scalars["axis_queue_mean"] for r in results])
    assert close(queue, lam * expected, 0.05), (queue, lam * expected)
    rho = estimate([r.scalars["axis_utilisation"] for r in results])
    assert close(rho, lam * mean_service / servers, 0.02), rho
    busy = estimate([r.scalars["axis_in_service_mean"] for r in results])
    assert close(busy, lam * mean_service, 0.02), busy


@pytest.mark.slow
def test_axis_as_md1_matches_pollaczek_khinchine() -> None:
    service, lam = 3.0, 0.25
    scenario = _axis_queue(1, {"dist": "constant", "mean": service}, lam)
    results = [run_one(scenario.data, s, 1, topology=AXIS_TOPOLOGY) for s in seeds_for(7, 3)]
    expected = pollaczek_khinchine_wait(lam, service)
    waits = estimate([r.scalars["axis_wait_mean_s"] for r in results])
    assert close(waits, expected, 0.05), (waits, expected)
    # an M/M/1 at the same load would wait twice as long: the formula tells them apart
    assert waits.high < 1.5 * expected


# -- the desks -------------------------------------------------------------------------------


def _one_platform(agencies: int) -> Topology:
    """Central bodies under one connection system: documents go across its platform."""
    return Topology.from_records(
        [AgencyRecord(f"000.00.00.G{i:02d}", Role.CENTRAL, None, "02.01.W00")
         for i in range(1, agencies + 1)],
        label="one platform",
    )  # fmt: skip


DESK_TOPOLOGY = _one_platform(200)
LAMBDA_PER_HOUR = 3.0


def _desks(clerks: int, clerk_min: float, leader_min: float, officer_min: float) -> Scenario:
    return _always_on(
        [
            ("warmup_days", 1),
            ("agencies.feedback", False),
            ("agencies.staff.central", {"clerks": clerks, "leaders": 1, "officers": 1}),
            ("agencies.clerk_minutes", {"dist": "exponential", "mean": clerk_min}),
            ("agencies.leader_minutes", {"dist": "exponential", "mean": leader_min}),
            (
                "agencies.officer_hours.none",
                {"dist": "exponential", "mean": officer_min / 60},
            ),
            ("agencies.lead_days.none", {"dist": "constant", "mean": 0}),
            ("systems.ack_seconds", {"dist": "constant", "mean": 0}),
            ("workload.streams", [_peers(LAMBDA_PER_HOUR * 24)]),
        ]
    )


def _desk_times(scenario: Scenario, seeds: list[int], days: int) -> dict[str, Estimate]:
    results = [run_one(scenario.data, s, days, topology=DESK_TOPOLOGY) for s in seeds]
    return {
        desk: estimate([r.scalars[f"desk_time_h_central_{desk}"] * 60 for r in results])
        for desk in ("clerk", "leader", "officer")
    }


def mm1_minutes(mean_service_min: float) -> float:
    """Mean time in an M/M/1 (waiting and served), minutes, at :data:`LAMBDA_PER_HOUR`."""
    mu = 60.0 / mean_service_min
    return 60.0 / (mu - LAMBDA_PER_HOUR)


@pytest.mark.slow
def test_single_desks_in_tandem_match_jackson() -> None:
    clerk, leader, officer = 8.0, 10.0, 12.0
    times = _desk_times(_desks(1, clerk, leader, officer), seeds_for(3, 3), 1)
    for desk, service in (("clerk", clerk), ("leader", leader), ("officer", officer)):
        assert close(times[desk], mm1_minutes(service), 0.05), (desk, times[desk])


@pytest.mark.slow
@pytest.mark.parametrize("clerks", [2, 4])
def test_clerks_feeding_one_leader_match_burke(clerks: int) -> None:
    """A leader takes documents in the order the clerks registered them: by Burke's theorem
    the clerks' output is Poisson, and the leader an M/M/1 (20 minutes at this load)."""
    leader = 10.0
    clerk = 0.6 * 60.0 * clerks / LAMBDA_PER_HOUR  # the clerks 60 % busy
    times = _desk_times(_desks(clerks, clerk, leader, 5.0), seeds_for(11, 3), 1)
    assert close(times["leader"], mm1_minutes(leader), 0.05), times["leader"]


# -- backlogs and conservation -----------------------------------------------------------------


@pytest.fixture(scope="module")
def network_run() -> Model:
    """A small network of every tier over three weeks of 2016, on paper and electronically,
    with take-backs; nobody waits for paper copies (their waits would outlast the run)."""
    scenario = load_scenario(
        "baseline-2016",
        [
            ("start", "2016-09-05"),
            ("agencies.paper_dependence", NO_ROLE_PAPER),
            ("days", 21),
            ("warmup_days", 7),
            ("engine.tick_seconds", 300),
            ("calendar.hours", [ALWAYS]),
            ("calendar.weekdays", [0, 1, 2, 3, 4, 5, 6]),
            ("calendar.holidays", []),
            ("agencies.take_back.rate", 0.05),
            ("agencies.take_back.agree", 1.0),
            ("agencies.take_back.mean_hours", 1.0),
        ],
    )
    topology = synthetic(central=2, provinces=2, departments=2, districts=2, communes=3)
    return Model(scenario.data, 9, topology=topology).run()


@pytest.mark.slow
def test_littles_law_on_agency_backlogs(network_run: Model) -> None:
    """Backlog sampled hourly against arrival rate × mean handling time, per tier. Handling
    times count only deliveries finished within the run, so the long ones are a little
    under-represented: 15 % tolerance."""
    m = network_run.metrics
    first = int(network_run.warmup // 3600)
    backlog = (m.arrived - m.finished).cumsum(axis=0)[first:]
    arrivals = m.arrived[first:].sum(axis=0)
    for tier in range(4):
        sampled = backlog[:, tier].mean()
        handling = m.sojourn_sum[tier] / m.sojourn_n[tier] / 3600
        little = arrivals[tier] / backlog.shape[0] * handling
        assert sampled == pytest.approx(little, rel=0.15), (tier, sampled, little)


def test_every_delivery_is_accounted_for_exactly_once(network_run: Model) -> None:
    m, handling = network_run.metrics, network_run.handling
    in_axis = network_run.router.doc_jobs.pending
    assert m.dispatched == m.arrived_total + m.arrive_late + in_axis
    queued = (
        handling.clerk_queue.pending + handling.leader_queue.pending
        + handling.officer_queue.pending
    )  # fmt: skip
    finished = int(m.finished.sum())
    assert m.arrived_total == finished + m.withdrawn + m.open_beyond + queued
    assert m.withdrawn > 0 and m.open_beyond > 0 and finished > 0
    # the channels' counts add up to what was sent, and every channel carried some
    assert int(m.deliveries.sum()) == m.dispatched
    assert (m.deliveries.sum(axis=(0, 1)) > 0).all()
