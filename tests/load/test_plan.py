"""The plan of a run and the paperwork of each simulated system: the busiest systems of the
profile share its volume times the scale, each with its own credentials and fixture agencies;
their documents are valid, unique, of realistic sizes and addressed to other systems; their
statuses follow the lifecycle with the mix the profile conversion assumes."""

from __future__ import annotations

import random
import statistics
from datetime import datetime
from pathlib import Path

import pytest

import spec
from load.documents import DocumentMill, poisson
from load.errors import PlanError
from load.plan import Behaviour, LoadPlan, expected_recipients, make_plan, secret_for
from load.profile import DEFAULT_STATUSES_PER_DELIVERY, SystemTraffic, TrafficProfile, national_2022
from spec.lifecycle import check_sequence
from spec.status_codes import StatusCode
from tests.messages import edoc_of

TODAY = "2026-01-05"


def _plan(tmp_path: Path, **options: object) -> LoadPlan:
    values: dict[str, object] = {
        "users": 4,
        "scale": 100.0,
        "seed": 5,
        "axis_url": "http://127.0.0.1:1",
        "run_id": "r",
        "send_seconds": 5.0,
        "journal_dir": tmp_path,
        "behaviour": Behaviour(today=TODAY),
    }
    values.update(options)
    return make_plan(national_2022(), **values)  # type: ignore[arg-type]


def test_the_busiest_systems_share_the_hour_times_the_scale() -> None:
    profile = TrafficProfile(
        "uneven",
        "",
        (
            SystemTraffic("00.44.W00", (0.0, 300.0), (12.0, 12.0)),
            SystemTraffic("02.22.W00", (0.0, 100.0), (12.0, 12.0)),
            SystemTraffic("00.41.W00", (5.0, 10.0), (0.0, 6.0)),
            SystemTraffic("00.14.W00", (0.0, 1.0), (12.0, 12.0)),
        ),
        recipients_mean=2.0,
    )
    plan = make_plan(
        profile,
        users=3,
        scale=36.0,
        seed=0,
        axis_url="http://127.0.0.1:1",
        run_id="r",
        send_seconds=1,
        journal_dir=Path("j"),
        max_poll_interval_s=60,
    )
    assert plan.hour == 1  # the peak
    assert [s.system_id for s in plan.slots] == ["00.44.W00", "02.22.W00", "00.41.W00"]
    # the whole hour's 411 documents, times 36, per second, split 300:100:10
    assert plan.documents_per_s == pytest.approx(411 * 36 / 3600)
    assert plan.slots[0].documents_per_s == pytest.approx(411 * 36 / 3600 * 300 / 410)
    assert plan.slots[0].poll_interval_s == pytest.approx(3600 / (12 * 36))
    assert plan.slots[1].agencies[0] == "000.00.00.G22"
    assert plan.slots[0].secret == secret_for(0, "00.44.W00") != secret_for(1, "00.44.W00")
    assert plan.behaviour.recipients_mean == 2.0


def test_polls_are_capped_so_a_short_run_sees_its_documents_through(tmp_path: Path) -> None:
    plan = _plan(tmp_path, scale=1.0)
    assert {s.poll_interval_s for s in plan.slots} == {2.0}  # 5 min / 1 capped at 2 s
    first = plan.slots[0]
    assert all(plan.system_of()[code] == first.system_id for code in first.agencies)


def test_a_plan_round_trips_through_its_file(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    assert LoadPlan.read(plan.write(tmp_path / "plan.json")) == plan
    (tmp_path / "bad.json").write_text('{"format": "other"}')
    with pytest.raises(PlanError, match="not a load plan"):
        LoadPlan.read(tmp_path / "bad.json")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"users": 1}, "at least 2"),
        ({"users": 94}, "only 93"),
        ({"scale": 0}, "scale=0"),
        ({"hour": 2}, "hour=2"),
        ({"behaviour": None, "max_poll_interval_s": 0}, "max_poll_interval_s"),
    ],
)
def test_impossible_plans_are_refused(
    tmp_path: Path, options: dict[str, object], message: str
) -> None:
    with pytest.raises((PlanError, ValueError), match=message):
        _plan(tmp_path, **options)


def test_a_system_the_fixtures_do_not_know_is_refused(tmp_path: Path) -> None:
    profile = TrafficProfile(
        "odd",
        "",
        (SystemTraffic("vxp.saas.03", (1.0,), (1.0,)), SystemTraffic("00.44.W00", (1.0,), (1.0,))),
        recipients_mean=2.0,
    )
    with pytest.raises(PlanError, match=r"'vxp\.saas\.03'"):
        make_plan(
            profile,
            users=2,
            scale=1,
            seed=0,
            axis_url="u",
            run_id="r",
            send_seconds=1,
            journal_dir=tmp_path,
        )


def test_documents_are_valid_unique_realistic_and_go_to_other_systems(tmp_path: Path) -> None:
    plan = _plan(tmp_path, users=6)
    slot = plan.slots[0]
    mill = DocumentMill(slot, plan, random.Random(1))
    others = {s.system_id for s in plan.slots[1:]}
    system_of = plan.system_of()
    seen, sizes, counts = set(), [], []
    for _ in range(300):
        doc = mill.document(datetime(2026, 1, 5, 10, 0))
        assert doc.sender in slot.agencies
        systems = [system_of[code] for code in doc.to]
        assert len(set(systems)) == len(systems) and set(systems) <= others
        seen.add((doc.data, doc.document_id))
        sizes.append(len(doc.data))
        counts.append(len(doc.to))
    assert len({d for d, _ in seen}) == len({i for _, i in seen}) == 300
    assert 8_000 < statistics.median(sizes) < 120_000 and max(sizes) <= 512_000 + 20_000
    assert statistics.mean(counts) == pytest.approx(expected_recipients(3.6, 5), abs=0.25)
    parsed = spec.check(doc.data, options=spec.Options(today=mill.factory.today))
    assert spec.errors(parsed.findings) == []
    assert isinstance(parsed.message, spec.Edoc)
    assert parsed.message.header.document_id == doc.document_id


def test_statuses_are_valid_and_follow_the_lifecycle_with_the_assumed_mix(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    sender = DocumentMill(plan.slots[0], plan, random.Random(2))
    doc = sender.document(datetime(2026, 1, 5, 10, 0))
    edoc = edoc_of(doc.data)
    receiver_slot = next(s for s in plan.slots if doc.to[0] in s.agencies)
    receiver = DocumentMill(receiver_slot, plan, random.Random(3))
    reporter = receiver.reporter_for(edoc)
    assert reporter == doc.to[0]
    assert sender.reporter_for(edoc) is None
    paths = [receiver.lifecycle() for _ in range(4000)]
    assert all(check_sequence((StatusCode.parse(c), None) for c in p) == [] for p in paths)
    assert statistics.mean(len(p) for p in paths) == pytest.approx(
        DEFAULT_STATUSES_PER_DELIVERY, abs=0.05
    )
    status = spec.check(
        receiver.status(edoc, reporter, "02", datetime(2026, 1, 5, 11)),
        options=spec.Options(today=receiver.factory.today),
    )
    assert spec.errors(status.findings) == []
    assert isinstance(status.message, spec.Status) and status.message.response_for
    assert status.message.response_for.document_id == doc.document_id
    arrived = Behaviour(today=TODAY, lifecycle="arrived")
    only_01 = DocumentMill(receiver_slot, _plan(tmp_path, behaviour=arrived), random.Random(4))
    assert {tuple(only_01.lifecycle()) for _ in range(50)} == {("01",)}


def test_recipient_counts_follow_one_plus_poisson() -> None:
    rng = random.Random(0)
    draws = [1 + poisson(rng, 2.6) for _ in range(20_000)]
    assert statistics.mean(draws) == pytest.approx(3.6, abs=0.05)
    assert expected_recipients(3.6, 1000) == pytest.approx(3.6)
    capped = [min(d, 3) for d in draws]
    assert statistics.mean(capped) == pytest.approx(expected_recipients(3.6, 3), abs=0.03)
    assert expected_recipients(3.6, 0) == 0.0
