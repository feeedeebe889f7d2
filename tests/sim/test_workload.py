"""Documents by stream: who writes to whom, how many, with how many recipients."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sim.calendar import WorkCalendar, parse_clock
from sim.config import WorkloadConfig, parse_stream
from sim.randoms import Randoms
from sim.topology import synthetic
from sim.types import Role
from sim.workload import Workload

TOPO = synthetic(central=5, provinces=4, departments=3, districts=3, communes=4)
CAL = WorkCalendar(date(2016, 3, 1), 60, hours=[(parse_clock("07:30"), parse_clock("17:00"))])


def stream(name: str, src: str, dst: str, scope: str, **extra: object) -> dict[str, object]:
    spec: dict[str, object] = {
        "name": name,
        "from": src,
        "to": dst,
        "scope": scope,
        "direction": "down",
        "type": "Công văn",
        "per_day": 4.0,
        "steering": {"none": 0.5, "directive": 0.3, "report": 0.2},
        "due_days": 5,
    }
    spec.update(extra)
    return spec


def workload(*streams: dict[str, object], seed: int = 2) -> Workload:
    config = WorkloadConfig(
        pages_mean=3.0,
        report_type="Báo cáo",
        streams=tuple(parse_stream(s, i) for i, s in enumerate(streams)),
        calibration={},
        validation=(),
    )
    return Workload(config, TOPO, CAL, Randoms(seed))


def documents(*streams: dict[str, object], days: int = 20) -> list:
    work = workload(*streams)
    return [d for d in (work.day(day) for day in range(days)) if d is not None]


def test_recipients_respect_the_scope_and_never_include_the_sender() -> None:
    for new in documents(
        stream("down", "district", "commune", "children", broadcast=0.3, extra_recipients=2),
        stream("up", "commune", "district", "parent"),
        stream("peer", "commune", "commune", "siblings", extra_recipients=1),
        stream("province", "department", "district", "own-province", extra_recipients=1),
    ):
        sender = new.sender[new.rec_doc]
        recipient = new.rec_agency
        assert (sender != recipient).all()
        kind = new.stream[new.rec_doc]
        down, up, peer, prov = (kind == k for k in range(4))
        assert (TOPO.parent[recipient[down]] == sender[down]).all()
        assert (TOPO.parent[sender[up]] == recipient[up]).all()
        assert (TOPO.parent[sender[peer]] == TOPO.parent[recipient[peer]]).all()
        assert (TOPO.province[sender[prov]] == TOPO.province[recipient[prov]]).all()
        # one row per (document, recipient)
        pairs = new.rec_doc.astype(np.int64) * len(TOPO) + recipient
        assert len(np.unique(pairs)) == len(pairs)


def test_volumes_broadcasts_and_due_dates() -> None:
    days = 40
    batches = documents(stream("all", "central", "province", "nation", broadcast=1.0), days=days)
    n_docs = sum(len(b) for b in batches)
    working = sum(CAL.is_working_day(d) for d in range(days))
    expected = 4.0 * 5 * working
    assert abs(n_docs - expected) < 4 * expected**0.5
    provinces = int((TOPO.role == Role.PROVINCE).sum())
    for new in batches:
        assert (np.bincount(new.rec_doc, minlength=len(new)) == provinces).all()
        directed = new.steering > 0
        assert np.isinf(new.due[~directed]).all()
        assert (new.due[directed] > new.t[directed]).all()
        # documents are written in office hours
        w = CAL.to_work(new.t)
        assert np.allclose(CAL.from_work(w), new.t)


def test_a_day_off_writes_nothing() -> None:
    work = workload(stream("s", "central", "central", "nation"))
    saturday = 4  # 5 March 2016
    assert work.day(saturday) is None


def test_a_stream_writes_the_same_documents_whatever_else_the_scenario_has() -> None:
    """Each (day, stream) draws from its own stream of random numbers: adding a stream or
    changing another leaves a stream's documents, and their keys, as they were."""
    a = stream("a", "district", "commune", "children", extra_recipients=2)
    b = stream("b", "commune", "district", "parent")
    alone = workload(a).day(3)
    beside = workload(a, {**b, "per_day": 9.0}).day(3)
    assert alone is not None and beside is not None
    mine = beside.stream == 0
    np.testing.assert_array_equal(alone.key, beside.key[mine])
    np.testing.assert_array_equal(alone.t, beside.t[mine])
    np.testing.assert_array_equal(alone.pages, beside.pages[mine])
    # a different run seed writes other documents
    other = workload(a, seed=3).day(3)
    assert other is not None and not np.array_equal(other.key, alone.key)


def test_pages_follow_one_plus_poisson() -> None:
    work = workload(stream("a", "district", "commune", "children"))
    pages = work.pages(np.random.default_rng(1).random(100_000))
    assert pages.min() == 1
    assert pages.mean() == pytest.approx(3.0, rel=0.01)
    assert (pages - 1).var() == pytest.approx(2.0, rel=0.03)
