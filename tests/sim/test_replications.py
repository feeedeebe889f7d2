"""Replications: each records its seed, and every backend gives the same numbers."""

from __future__ import annotations

import math

import pytest

from sim.output import dumps
from sim.replications import Replications, run_replications, run_tasks, seeds_for
from sim.scenario import load_scenario
from sim.stats import estimate, paired, t975

QUICK = [
    ("start", "2016-06-06"),
    ("days", 1),
    ("warmup_days", 1),
    ("topology.scale", 0.02),
    ("engine.tick_seconds", 300),
]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("baseline-2016", QUICK)


@pytest.fixture(scope="module")
def in_process(scenario):
    return run_replications(scenario, replications=3, seed=40)


def test_each_replication_records_its_seed(in_process) -> None:
    assert in_process.seeds == [40, 41, 42] == seeds_for(40, 3)
    summary = in_process.summary()
    deliveries = summary["deliveries"]
    assert deliveries.n == 3 and deliveries.half_width > 0
    values = [r.scalars["deliveries"] for r in in_process.results]
    assert deliveries.mean == pytest.approx(sum(values) / 3)
    assert len(set(values)) == 3


@pytest.mark.slow
def test_local_processes_give_the_same_results(scenario, in_process) -> None:
    parallel = run_replications(scenario, replications=3, seed=40, jobs=2)
    assert [dumps(r.to_json()) for r in parallel.results] == [
        dumps(r.to_json()) for r in in_process.results
    ]


@pytest.mark.slow
def test_a_dask_cluster_gives_the_same_results(scenario, in_process) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        tasks = [(scenario.data, s, None) for s in (40, 41, 42)]
        results = run_tasks(tasks, scheduler=cluster.scheduler_address)
    assert [dumps(r.to_json()) for r in results] == [dumps(r.to_json()) for r in in_process.results]


def test_confidence_intervals() -> None:
    e = estimate([1.0, 2.0, 3.0, float("nan")])
    assert e.n == 3 and e.mean == 2.0
    assert e.half_width == pytest.approx(t975(2) * 1.0 / math.sqrt(3))
    assert e.covers(2.5) and not e.covers(10.0)
    assert math.isnan(estimate([5.0]).half_width)
    assert t975(1) == pytest.approx(12.706, abs=1e-3)
    assert t975(4) == pytest.approx(2.776, abs=1e-3)
    assert t975(1000) == pytest.approx(1.962, abs=1e-3)


def test_paired_differences_cancel_what_the_pairs_share() -> None:
    """Two scenarios sharing their random numbers differ by little, while each varies a lot:
    the paired interval is narrow where the two means' intervals overlap."""
    a = [10.0, 20.0, 30.0, 40.0, 50.0]
    b = [11.0, 21.5, 30.5, 41.0, 51.0]
    d = paired(a, b)
    assert d.mean == pytest.approx(1.0) and d.significant
    assert estimate(a).high > estimate(b).low  # the means alone would not tell them apart
    assert not paired(a, a).significant
    # a pair with a value not measured (censored) is left out
    assert paired([1.0, float("nan"), 3.0], [2.0, 5.0, 4.0]).n == 2
    with pytest.raises(ValueError, match="differ in length"):
        paired([1.0], [1.0, 2.0])


def test_differences_need_the_same_seeds(scenario, in_process) -> None:
    with pytest.raises(ValueError, match="same seeds"):
        Replications(scenario, in_process.results[1:]).differences(in_process)
    zero = in_process.differences(in_process)["deliveries"]
    assert zero.mean == 0 and zero.n == 3
