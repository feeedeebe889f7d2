"""The model's promises: determinism, no electronic exchange before onboarding, statuses that
spec's lifecycle accepts, common random numbers across scenarios, phase shifts that move
exactly their phase, and the effects its parameters are there to show."""

from __future__ import annotations

from datetime import date, datetime, timedelta

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
from sim.types import DAY, Channel
from spec.lifecycle import check_sequence

TOPOLOGY = synthetic(central=4, provinces=3, departments=3, districts=3, communes=4)
FIVE_MINUTES = ("engine.tick_seconds", 300)  # coarser ticks: these checks do not need minutes
# June 2016: provinces are online, most districts and communes still on paper
BUSY = [
    ("start", "2016-06-06"),
    ("days", 21),
    ("warmup_days", 7),
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


def recording(model: Model) -> Model:
    """``model``, keeping every delivery it routes in ``model.routed``."""
    routed: list[np.ndarray] = []
    route = model.router._route

    def keep(rows: np.ndarray, channel: np.ndarray) -> None:
        routed.append(rows.copy())
        route(rows, channel)

    model.router._route = keep  # type: ignore[method-assign]
    model.routed = routed  # type: ignore[attr-defined]
    return model


def routed(model: Model) -> np.ndarray:
    chunks = model.routed  # type: ignore[attr-defined]
    return np.concatenate(chunks) if chunks else np.empty(0, DELIVERY)


@pytest.fixture(scope="module")
def recorded() -> Model:
    return recording(busy_model()).run()


@pytest.mark.slow
def test_no_electronic_exchange_before_onboarding(recorded: Model) -> None:
    rows = routed(recorded)
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


def test_every_status_sequence_is_accepted_by_spec_lifecycle(recorded: Model) -> None:
    audit = recorded.audit
    assert audit
    key = np.concatenate([a[0] for a in audit])
    code = np.concatenate([a[1] for a in audit]).astype(int)
    emitted = np.concatenate([a[2] for a in audit])
    # one document at one receiver, in timestamp order (equal stamps in code order)
    order = np.lexsort((code, emitted, key))
    key, code, emitted = key[order], code[order], emitted[order]
    start = datetime(2016, 5, 30)
    cuts = np.flatnonzero(np.diff(key)) + 1
    sequences = np.split(np.arange(len(key)), cuts)
    seen_codes = set(code.tolist())
    assert {1, 2, 3, 4, 5, 6, 13, 15, 16} <= seen_codes, seen_codes
    for rows in sequences:
        events = [
            (code_of(int(code[i])), start + timedelta(seconds=float(emitted[i]))) for i in rows
        ]
        assert check_sequence(events) == [], events


def test_a_sender_counts_one_final_status_per_recipient(recorded: Model) -> None:
    """After a 13 a sender may receive 06 and then 15 from the same recipient: both are
    final, and it counts the first only, so no document hears back more often than it has
    electronic recipients."""
    audit = recorded.audit
    assert audit is not None
    key = np.concatenate([a[0] for a in audit])
    code = np.concatenate([a[1] for a in audit]).astype(int)
    final = np.isin(code, [2, 6, 15])
    finals_per_delivery = np.unique(key[final], return_counts=True)[1]
    assert (finals_per_delivery >= 2).any()  # the case arises in this run
    docs = recorded.docs
    n = docs.count
    assert (docs.heard[:n] <= docs.recipients[:n]).all()


@pytest.mark.slow
def test_same_seed_same_results_different_seed_different() -> None:
    a = summarize(busy_model(3).run())
    b = summarize(busy_model(3).run())
    c = summarize(busy_model(4).run())
    assert dumps(a.to_json()) == dumps(b.to_json())
    assert dumps(a.scalars) != dumps(c.scalars)
    assert a.scalars["deliveries"] > 0


def test_traces_follow_a_document_in_time_order(recorded: Model) -> None:
    result = summarize(recorded)
    assert 0 < len(result.traces) <= 10
    for trace in result.traces:
        times = [e["t"] for e in trace["events"]]
        assert times == sorted(times)
        assert trace["events"][0]["what"] == "sent"


@pytest.mark.slow
def test_the_warm_up_runs_before_the_start_and_is_not_measured() -> None:
    model = busy_model()
    assert model.calendar.start == date(2016, 5, 30)
    assert model.days == 28 and model.warmup == 7 * DAY
    result = summarize(model.run())
    assert result.start == "2016-06-06" and result.days == 21 and result.warmup_days == 7
    assert result.daily["measured"] == [False] * 7 + [True] * 21
    window = model.metrics.deliveries[7:].sum()
    assert result.scalars["deliveries"] == window < model.metrics.deliveries.sum()


def test_the_default_scenario_warms_up() -> None:
    assert load_scenario("baseline-2016").config.warmup_days >= 7


def test_a_phase_shift_moves_exactly_that_phases_agencies() -> None:
    base = busy_model()
    shifted = busy_model(extra=[("phases.phase-2-2016.shift_days", 30)])
    labels = base.rollout.labels
    moved = base.rollout.phase == labels.index("phase-2-2016")
    assert moved.any() and (~moved).any()
    delta = shifted.rollout.onboard - base.rollout.onboard
    assert np.allclose(delta[moved], 30 * DAY)
    same = ~moved
    np.testing.assert_array_equal(shifted.rollout.onboard[same], base.rollout.onboard[same])
    # and everything under a moved level-1 organ moved with it
    topo = base.topology
    assert (moved == moved[topo.root]).all()


def test_agencies_can_be_given_their_own_connection_dates() -> None:
    topo = TOPOLOGY
    province = "000.00.00.H02"
    district = "000.00.21.H03"
    model = busy_model(
        extra=[(f"rollout.connections.{province}", "2016-07-01"),
               (f"rollout.connections.{district}", None)]
    )  # fmt: skip
    index = topo.index()
    day = (date(2016, 7, 1) - model.calendar.start).days
    assert model.rollout.onboard[index[province]] == day * DAY
    assert np.isinf(model.rollout.onboard[index[district]])
    # the province's subtree follows it: never before its date
    under = (topo.root == index[province]) & (np.arange(len(topo)) != index[province])
    assert (model.rollout.onboard[under] >= day * DAY).all()
    with pytest.raises(Exception, match=r"rollout\.connections\.000\.00\.00\.H99"):
        busy_model(extra=[("rollout.connections.000.00.00.H99", "2016-07-01")])


def test_a_fixed_schedule_keeps_the_onboarding_days_across_replications() -> None:
    drawn = [busy_model(seed).rollout.onboard for seed in (3, 4)]
    assert not np.array_equal(drawn[0], drawn[1])
    fixed = [busy_model(seed, [("rollout.schedule_seed", 77)]).rollout.onboard for seed in (3, 4)]
    np.testing.assert_array_equal(fixed[0], fixed[1])


@pytest.mark.slow
def test_scenarios_share_random_numbers_where_they_agree() -> None:
    """Common random numbers: with half the axis, the same documents go to the same
    recipients by the same channels (the old engine drew them from one sequential stream,
    which shifted as soon as a report-back came at another time)."""
    a = recording(busy_model()).run()
    b = recording(busy_model(extra=[("axis.servers", 4), ("agencies.clerk_minutes.mean", 7)]))
    b.run()
    ra, rb = routed(a), routed(b)
    channels_a = dict(zip(ra["key"].tolist(), ra["channel"].tolist(), strict=True))
    channels_b = dict(zip(rb["key"].tolist(), rb["channel"].tolist(), strict=True))
    shared = channels_a.keys() & channels_b.keys()
    assert len(shared) > 0.95 * len(channels_a)
    assert all(channels_a[k] == channels_b[k] for k in shared)


@pytest.mark.slow
def test_waiting_for_paper_delays_assignment() -> None:
    """SPEC §6: staff who wait for the paper copy make electronic delivery no faster."""
    after = [("start", "2016-09-05"), ("days", 14), ("warmup_days", 7), FIVE_MINUTES]
    waiting = run_one(load_scenario("baseline-2016", after).data, 5, topology=TOPOLOGY)
    prompt = run_one(load_scenario("no-paper-dependence", after).data, 5, topology=TOPOLOGY)
    assert prompt.scalars["tts_04_median_h"] < waiting.scalars["tts_04_median_h"] / 2
    assert prompt.scalars["paper_copies"] == 0 < waiting.scalars["paper_copies"]
    assert prompt.scalars["pages_saved"] > waiting.scalars["pages_saved"]
    # paper letters: the copies, and the deliveries still made by post
    assert waiting.scalars["paper_letters"] > prompt.scalars["paper_letters"] > 0
    assert waiting.scalars["paper_pages"] > waiting.scalars["paper_letters"]


@pytest.mark.slow
def test_an_outage_queues_work_and_the_queue_drains() -> None:
    base = [("start", "2016-10-03"), ("days", 7), ("warmup_days", 2), FIVE_MINUTES]
    outage = [*base, ("axis.outages", [{"start": "2016-10-04T08:00", "hours": 6}])]
    calm = run_one(load_scenario("baseline-2016", base).data, 5, topology=TOPOLOGY)
    down = run_one(load_scenario("baseline-2016", outage).data, 5, topology=TOPOLOGY)
    assert calm.scalars["axis_queue_max"] < down.scalars["axis_queue_max"]
    assert down.scalars["axis_wait_max_s"] >= 3600
    assert down.scalars["axis_wait_p99_s"] > calm.scalars["axis_wait_p99_s"]
    queue = down.hourly["axis_queue_mean"]
    outage_hours = slice((2 + 1) * 24 + 8, (2 + 1) * 24 + 14)
    assert max(queue[outage_hours]) > 0 and queue[-1] == 0
    assert not down.warnings
    # a window that misses the outage says so
    missed = load_scenario("baseline-2016", [*outage, ("start", "2016-10-10")])
    assert any("axis.outages[0]" in w for w in missed.config.warnings())


@pytest.mark.slow
def test_without_gateway_relay_lower_tiers_reach_other_systems_on_paper() -> None:
    base = [("start", "2019-03-01"), ("days", 7), ("warmup_days", 0), FIVE_MINUTES]
    with_relay = recording(Model(load_scenario("baseline-2016", base).data, 2, topology=TOPOLOGY))
    with_relay.run()
    without = recording(
        Model(
            load_scenario("baseline-2016", [*base, ("rollout.gateway_relay", False)]).data,
            2,
            topology=TOPOLOGY,
        )
    )
    without.run()
    for model, relay in ((with_relay, True), (without, False)):
        rows = routed(model)
        topo = model.topology
        lower = (topo.tier[rows["sender"]] >= 2) | (topo.tier[rows["recipient"]] >= 2)
        crossing = topo.system[rows["sender"]] != topo.system[rows["recipient"]]
        axis = rows["channel"] == Channel.AXIS
        assert (lower & crossing).any()
        assert (axis & lower & crossing).any() == relay
