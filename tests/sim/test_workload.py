"""Documents by stream: who writes to whom, how many, with how many recipients."""

from __future__ import annotations

from datetime import date

import numpy as np

from sim.calendar import WorkCalendar, parse_clock
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


def documents(*streams: dict[str, object], days: int = 20) -> list:
    work = Workload(list(streams), TOPO, CAL, pages_mean=3.0, report_type="Báo cáo")
    rng = np.random.default_rng(2)
    return [d for d in (work.day(day, rng) for day in range(days)) if d is not None]


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
    work = Workload(
        [stream("s", "central", "central", "nation")], TOPO, CAL, pages_mean=3.0, report_type="x"
    )
    saturday = 4  # 5 March 2016
    assert work.day(saturday, np.random.default_rng(0)) is None
