"""The model's promises: determinism, no electronic exchange before onboarding, statuses that
spec's lifecycle accepts, and the effects its parameters are there to show."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from sim.model import Model
from sim.output import dumps
from sim.records import DELIVERY
from sim.replications import run_one
from sim.results import summarize
from sim.scenario import load_scenario
from sim.statuses import code_of
from sim.topology import synthetic
from sim.types import Channel
from spec.lifecycle import check_sequence

TOPOLOGY = synthetic(central=4, provinces=3, departments=3, districts=3, communes=4)
FIVE_MINUTES = ("engine.tick_seconds", 300)  # coarser ticks: these checks do not need minutes
# June 2016: provinces are online, most districts and communes still on paper
BUSY = [
    ("start", "2016-06-06"),
    ("days", 21),
    FIVE_MINUTES,
    ("agencies.take_back.rate", 0.05),
    ("agencies.take_back.agree", 0.5),
    ("agencies.refusal_rate", 0.05),
    ("metrics.audit_lifecycle", True),
    ("metrics.trace_documents", 10),
]


def busy_model(seed: int = 3, extra: list[tuple[str, object]] | None = None) -> Model:
    scenario = load_scenario("baseline-2016", BUSY + (extra or []))
    return Model(scenario.data, seed, topology=TOPOLOGY)


class Recording(Model):
    """The model, keeping every delivery it routes."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.routed: list[np.ndarray] = []

    def _route(self, rows: np.ndarray, channel: np.ndarray) -> None:
        self.routed.append(rows.copy())
        super()._route(rows, channel)


@pytest.fixture(scope="module")
def recorded() -> Recording:
    scenario = load_scenario("baseline-2016", BUSY)
    return Recording(scenario.data, 3, topology=TOPOLOGY).run()


def test_no_electronic_exchange_before_onboarding(recorded: Recording) -> None:
    rows = np.concatenate(recorded.routed) if recorded.routed else np.empty(0, DELIVERY)
    onboard = recorded.rollout.onboard
    electronic = rows["channel"] != Channel.PAPER
    assert electronic.any() and (~electronic).any()
    e = rows[electronic]
    assert (onboard[e["sender"]] <= e["t_send"]).all()
    assert (onboard[e["recipient"]] <= e["t_send"]).all()
    # and the paper side is not empty for the unconnected
    p = rows[~electronic]
    unconnected = (onboard[p["sender"]] > p["t_send"]) | (onboard[p["recipient"]] > p["t_send"])
    assert unconnected.any()


def test_every_status_sequence_is_accepted_by_spec_lifecycle(recorded: Recording) -> None:
    audit = recorded.audit
    assert audit
    key = np.concatenate([a[0] for a in audit])
    code = np.concatenate([a[1] for a in audit]).astype(int)
    emitted = np.concatenate([a[2] for a in audit])
    # one document at one receiver, in timestamp order (equal stamps in code order)
    order = np.lexsort((code, emitted, key))
    key, code, emitted = key[order], code[order], emitted[order]
    start = datetime(2016, 6, 6)
    cuts = np.flatnonzero(np.diff(key)) + 1
    sequences = np.split(np.arange(len(key)), cuts)
    seen_codes = set(code.tolist())
    assert {1, 2, 3, 4, 5, 6, 13, 15, 16} <= seen_codes, seen_codes
    for rows in sequences:
        events = [
            (code_of(int(code[i])), start + timedelta(seconds=float(emitted[i]))) for i in rows
        ]
        assert check_sequence(events) == [], events


def test_same_seed_same_results_different_seed_different() -> None:
    a = summarize(busy_model(3).run())
    b = summarize(busy_model(3).run())
    c = summarize(busy_model(4).run())
    assert dumps(a.to_json()) == dumps(b.to_json())
    assert dumps(a.scalars) != dumps(c.scalars)
    assert a.scalars["deliveries"] > 0


def test_traces_follow_a_document_in_time_order(recorded: Recording) -> None:
    result = summarize(recorded)
    assert 0 < len(result.traces) <= 10
    for trace in result.traces:
        times = [e["t"] for e in trace["events"]]
        assert times == sorted(times)
        assert trace["events"][0]["what"] == "sent"


def test_waiting_for_paper_delays_assignment() -> None:
    """SPEC §6: staff who wait for the paper copy make electronic delivery no faster."""
    after = [("start", "2016-09-05"), ("days", 14), FIVE_MINUTES]
    waiting = run_one(load_scenario("baseline-2016", after).data, 5, topology=TOPOLOGY)
    prompt = run_one(load_scenario("no-paper-dependence", after).data, 5, topology=TOPOLOGY)
    assert prompt.scalars["tts_04_median_h"] < waiting.scalars["tts_04_median_h"] / 2
    assert prompt.scalars["paper_copies"] == 0 < waiting.scalars["paper_copies"]
    assert prompt.scalars["pages_saved"] > waiting.scalars["pages_saved"]


def test_an_outage_queues_work_and_the_queue_drains() -> None:
    base = [("start", "2016-10-03"), ("days", 7), FIVE_MINUTES]
    outage = [*base, ("axis.outages", [{"start": "2016-10-04T08:00", "hours": 6}])]
    calm = run_one(load_scenario("baseline-2016", base).data, 5, topology=TOPOLOGY)
    down = run_one(load_scenario("baseline-2016", outage).data, 5, topology=TOPOLOGY)
    assert calm.scalars["axis_queue_max"] < down.scalars["axis_queue_max"]
    assert down.scalars["axis_wait_max_s"] >= 3600
    queue = down.hourly["axis_queue_mean"]
    assert max(queue[24 + 8 : 24 + 14]) > 0 and queue[-1] == 0


def test_without_gateway_relay_lower_tiers_reach_other_systems_on_paper() -> None:
    base = [("start", "2019-03-01"), ("days", 7), FIVE_MINUTES]
    with_relay = Recording(load_scenario("baseline-2016", base).data, 2, topology=TOPOLOGY).run()
    without = Recording(
        load_scenario("baseline-2016", [*base, ("rollout.gateway_relay", False)]).data,
        2,
        topology=TOPOLOGY,
    ).run()
    for model, relay in ((with_relay, True), (without, False)):
        rows = np.concatenate(model.routed)
        topo = model.topology
        lower = (topo.tier[rows["sender"]] >= 2) | (topo.tier[rows["recipient"]] >= 2)
        crossing = topo.system[rows["sender"]] != topo.system[rows["recipient"]]
        axis = rows["channel"] == Channel.AXIS
        assert (lower & crossing).any()
        assert (axis & lower & crossing).any() == relay


def test_littles_law_on_agency_backlogs() -> None:
    """Backlog sampled hourly vs arrival rate x mean handling time, day and night. (Handling
    times count only deliveries finished within the run, so the long ones are a little
    under-represented: hence the tolerance.)"""
    scenario = load_scenario(
        "baseline-2016",
        [
            ("start", "2019-03-04"),
            ("days", 42),
            ("warmup_days", 7),
            FIVE_MINUTES,
            ("calendar.hours", [["00:00", "24:00"]]),
            ("calendar.weekdays", [0, 1, 2, 3, 4, 5, 6]),
            ("calendar.holidays", []),
            (
                "agencies.paper_dependence",
                dict.fromkeys(("central", "province", "department", "district", "commune"), 0.0),
            ),
        ],
    )
    model = Model(
        scenario.data,
        9,
        topology=synthetic(central=2, provinces=2, departments=2, districts=2, communes=3),
    ).run()
    m = model.metrics
    first = 7 * 24
    backlog = np.cumsum(m.arrived - m.finished, axis=0)[first:]
    arrivals = m.arrived[first:].sum(axis=0)
    hours = backlog.shape[0]
    for tier in range(4):
        sampled = backlog[:, tier].mean()
        little = arrivals[tier] / hours * (m.sojourn_sum[tier] / m.sojourn_n[tier]) / 3600
        assert sampled == pytest.approx(little, rel=0.15), (tier, sampled, little)
