"""Seeded faults: the same seed gives the same faults, each kind does what it says on a real
socket, and every injected fault is in the transcript."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from axis import (
    AdminError,
    AxisConfig,
    ConfigError,
    FaultPlan,
    RunningAxis,
    Unavailable,
    running_axis,
)
from axis.events import FaultEvent, FaultsEvent
from axis.testing import Documents
from lienthong.cli import main as cli

VPCP, NGHE_AN, CAO_BANG = "02.22.W00", "00.41.W00", "00.14.W00"
G22, H41 = "000.00.00.G22", "000.00.00.H41"


class FakeClock:
    """The axis's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_767_600_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def server(clock: FakeClock) -> Iterator[RunningAxis]:
    with running_axis(AxisConfig(seed=5), clock=clock) as axis:
        yield axis


@pytest.fixture
def cursor(server: RunningAxis) -> int:
    """Reset the axis; the transcript cursor right after the reset."""
    with server.admin() as admin:
        return admin.reset()


@pytest.fixture
def axis(server: RunningAxis, cursor: int) -> RunningAxis:
    return server


def _plan(*rules: dict[str, object], seed: int = 42) -> dict[str, object]:
    return {"seed": seed, "rules": list(rules)}


def _faults(axis: RunningAxis, after: int = 0) -> list[FaultEvent]:
    with axis.admin() as admin:
        events, _ = admin.events(after, kind="fault")
    return [e.body for e in events if isinstance(e.body, FaultEvent)]


def test_the_same_seed_gives_the_same_faults_whatever_other_systems_do() -> None:
    spec = _plan(
        {"kind": "error", "probability": 0.3},
        {
            "kind": "latency",
            "probability": 0.5,
            "latency": {"distribution": "exponential", "mean_ms": 50},
        },
    )

    def run(plan: FaultPlan, interleave: bool) -> list[list[tuple[str, object]]]:
        seen = []
        for _ in range(200):
            seen.append(
                [(i.kind, i.params.get("latency_ms")) for i in plan.decide("getEdoc", "A", 0.0)]
            )
            if interleave:
                plan.decide("getEdoc", "B", 0.0)
        return seen

    first = run(FaultPlan(spec, started=0.0), interleave=False)
    assert first == run(FaultPlan(spec, started=0.0), interleave=True)
    assert first != run(FaultPlan({**spec, "seed": 43}, started=0.0), interleave=False)
    fired = sum(1 for faults in first if any(kind == "error" for kind, _ in faults))
    assert 30 < fired < 90  # about 30 % of 200


def test_next_n_counts_only_matching_calls() -> None:
    plan = FaultPlan(
        _plan({"kind": "error", "next": 2, "system": "A", "operation": "getEdoc"}), started=0.0
    )
    kinds = [
        bool(plan.decide(op, system, 0.0))
        for op, system in [
            ("getEdoc", "B"),
            ("sendEdoc", "A"),
            ("getEdoc", "A"),
            ("getEdoc", "A"),
            ("getEdoc", "A"),
        ]
    ]
    assert kinds == [False, False, True, True, False]
    assert plan.describe()["rules"][0]["remaining"] == 0


@pytest.mark.parametrize(
    ("spec", "where"),
    [
        ({"rules": [{"kind": "explode"}]}, "rules/0/kind"),
        ({"rules": [{"kind": "latency"}]}, "rules/0"),
        ({"rules": [{"kind": "error", "probability": 2}]}, "rules/0/probability"),
        ({"rules": [{"kind": "error", "probability": 0.5, "next": 1}]}, "rules/0"),
        ({"rules": [], "extra": 1}, "(top)"),
    ],
)
def test_invalid_plans_are_refused_with_the_place(spec: dict[str, object], where: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"at {where}")):
        FaultPlan(spec, started=0.0)


def test_latency_delays_the_answer_and_is_recorded(cursor: int, axis: RunningAxis) -> None:
    with axis.admin() as admin:
        admin.set_faults(
            _plan(
                {
                    "kind": "latency",
                    "system": NGHE_AN,
                    "latency": {"distribution": "fixed", "ms": 150},
                }
            )
        )
    with axis.client(NGHE_AN) as slow, axis.client(CAO_BANG) as quick:
        started = time.monotonic()
        slow.get_received_list("edoc")
        assert time.monotonic() - started >= 0.15
        quick.get_received_list("edoc")
    [fault] = _faults(axis, cursor)
    assert (fault.fault, fault.params["latency_ms"], fault.system) == ("latency", 150.0, NGHE_AN)


def test_injected_errors_answer_503_with_an_envelope(cursor: int, axis: RunningAxis) -> None:
    with axis.admin() as admin:
        admin.set_faults(_plan({"kind": "error", "next": 2, "operation": "getReceivedEdocList"}))
    with axis.client(NGHE_AN) as client:
        for _ in range(2):
            response = client.request(
                "getReceivedEdocList", {"servicetype": "eDoc", "messagetype": "edoc"}
            )
            assert response.status_code == 503
            assert (response.json()["status"], response.json()["ErrorCode"]) == ("FAIL", "8")
        assert client.get_received_list("edoc") == []
    assert len(_faults(axis, cursor)) == 2


def test_a_lost_answer_and_the_sdks_retry_store_the_document_once(axis: RunningAxis) -> None:
    data = Documents(seed=2).edoc(G22, [H41])
    with axis.admin() as admin:
        admin.set_faults(
            _plan({"kind": "error", "next": 1, "operation": "sendEdoc", "apply": True})
        )
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        with pytest.raises(Unavailable):
            vpcp.send_edoc(data)
        doc_id = vpcp.send_edoc(data)  # the retry
        assert [i["docId"] for i in nghe_an.get_received_list("edoc")] == [doc_id]
    with axis.admin() as admin:
        assert admin.stats()["store"]["messages"] == 1


def test_a_reset_connection_is_survived_by_retries(cursor: int, axis: RunningAxis) -> None:
    data = Documents(seed=3).edoc(G22, [H41])
    with axis.admin() as admin:
        admin.set_faults(
            _plan({"kind": "reset", "next": 1, "operation": "sendEdoc", "apply": True})
        )
    with axis.client(VPCP) as vpcp, pytest.raises(httpx.TransportError):
        vpcp.send_edoc(data)
    with axis.admin() as admin:
        admin.set_faults(_plan({"kind": "reset", "next": 2, "operation": "sendEdoc"}))
    with axis.client(VPCP, retries=3) as vpcp, axis.client(NGHE_AN) as nghe_an:
        doc_id = vpcp.send_edoc(data)  # the first, applied send's DocId comes back
        assert [i["docId"] for i in nghe_an.get_received_list("edoc")] == [doc_id]
    kinds = [f.fault for f in _faults(axis, cursor)]
    assert kinds == ["reset", "reset", "reset"]


def test_a_held_request_times_the_client_out(axis: RunningAxis) -> None:
    with axis.admin() as admin:
        admin.set_faults(_plan({"kind": "timeout", "next": 1, "hold_s": 30}))
    with axis.client(NGHE_AN, timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.get_received_list("edoc")
    with axis.client(NGHE_AN) as client:
        assert client.get_received_list("edoc") == []


def test_duplicate_and_reorder_shape_the_list(cursor: int, axis: RunningAxis) -> None:
    docs = Documents(seed=4)
    with axis.client(VPCP) as vpcp:
        sent = [vpcp.send_edoc(docs.edoc(G22, [H41])) for _ in range(5)]
    with axis.admin() as admin:
        admin.set_faults(
            _plan({"kind": "duplicate", "next": 1}, {"kind": "reorder", "next": 1}, seed=1)
        )
    with axis.client(NGHE_AN) as client:
        shaped = [i["docId"] for i in client.get_received_list("edoc")]
        plain = [i["docId"] for i in client.get_received_list("edoc")]
    assert plain == sent
    assert len(shaped) == 6 and set(shaped) == set(sent)
    assert shaped != [*sent, shaped[-1]]  # reordered, not only extended
    assert [f.fault for f in _faults(axis, cursor)] == ["duplicate", "reorder"]


def test_an_outage_window_fails_every_call_until_it_ends(
    cursor: int, axis: RunningAxis, clock: FakeClock
) -> None:
    with axis.admin() as admin:
        admin.set_faults(
            _plan({"kind": "outage", "start_s": 10, "duration_s": 60, "system": NGHE_AN})
        )
    with axis.client(NGHE_AN) as client, axis.client(CAO_BANG) as other:
        assert client.get_received_list("edoc") == []
        clock.now += 11
        for call in (lambda: client.get_received_list("edoc"), lambda: client.get_agencies_list()):
            with pytest.raises(Unavailable):
                call()
        assert other.get_received_list("edoc") == []
        clock.now += 60
        assert client.get_received_list("edoc") == []
    assert len(_faults(axis, cursor)) == 2


def test_a_delayed_message_becomes_visible_later(axis: RunningAxis, clock: FakeClock) -> None:
    with axis.admin() as admin:
        admin.set_faults(_plan({"kind": "delay", "delay_s": 120, "next": 1}))
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        doc_id = vpcp.send_edoc(Documents(seed=6).edoc(G22, [H41]))
        assert nghe_an.get_received_list("edoc") == []
        assert vpcp.get_sent_list("edoc")[0]["sendStatus"] == "queued"
        clock.now += 121
        assert [i["docId"] for i in nghe_an.get_received_list("edoc")] == [doc_id]
        assert nghe_an.get_edoc(doc_id)


def test_faults_come_from_a_file_at_start_and_can_be_cleared(tmp_path: Path) -> None:
    plan = tmp_path / "faults.yaml"
    plan.write_text(
        "seed: 9\nrules:\n  - kind: error\n    operation: getAgenciesList\n", encoding="utf-8"
    )
    with running_axis(AxisConfig(fault_file=plan)) as axis, axis.client(NGHE_AN) as client:
        with pytest.raises(Unavailable):
            client.get_agencies_list()
        with axis.admin() as admin:
            assert admin.faults()["seed"] == 9
            with pytest.raises(AdminError, match="rules/0/kind"):
                admin.set_faults({"rules": [{"kind": "nope"}]})
            admin.clear_faults()
        assert client.get_agencies_list()


def test_serve_refuses_a_broken_fault_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "faults.json"
    plan.write_text('{"rules": [{"kind": "latency"}]}', encoding="utf-8")
    assert cli(["axis", "serve", "--port", "0", "--faults", str(plan)]) == 2
    assert "fault plan invalid" in capsys.readouterr().err


def test_a_rule_aimed_at_a_docid_spares_the_other_messages(cursor: int, axis: RunningAxis) -> None:
    docs = Documents(seed=7)
    with axis.client(VPCP) as vpcp:
        other, target = (vpcp.send_edoc(docs.edoc(G22, [H41])) for _ in range(2))
    with axis.admin() as admin:
        admin.set_faults(_plan({"kind": "error", "next": 2, "doc_id": target}))
    with axis.client(NGHE_AN) as client:
        for _ in range(3):  # another message's calls never spend the rule's budget
            client.update_status(other, "fail")
        client.get_received_list("edoc")
        for _ in range(2):
            with pytest.raises(Unavailable):
                client.get_edoc(target)
        assert client.get_edoc(target)
    assert [(f.op, f.fault) for f in _faults(axis, cursor)] == [("getEdoc", "error")] * 2


def test_a_rule_aimed_at_a_documentid_hits_every_call_about_that_document(
    cursor: int, axis: RunningAxis
) -> None:
    docs = Documents(seed=8)
    document = docs.edoc(G22, [H41])
    document_id = docs.last.header.document_id if docs.last else ""
    arrived = docs.status(H41, "01")
    unrelated = docs.edoc(G22, [H41])
    with axis.admin() as admin:
        admin.set_faults(_plan({"kind": "error", "document_id": document_id}))
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        with pytest.raises(Unavailable):  # sending the document itself
            vpcp.send_edoc(document)
        spared = vpcp.send_edoc(unrelated)  # another document's calls are spared
        assert nghe_an.get_edoc(spared)
        nghe_an.update_status(spared, "done")
        with pytest.raises(Unavailable):  # a status about it
            nghe_an.send_edoc(arrived, messagetype="status")
    with axis.admin() as admin:
        admin.clear_faults()
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        doc_id = vpcp.send_edoc(document)
        with axis.admin() as admin:
            admin.set_faults(_plan({"kind": "error", "document_id": f" {document_id} "}))
        with pytest.raises(Unavailable):  # reading it by its DocId
            nghe_an.get_edoc(doc_id)
        with pytest.raises(Unavailable):  # acknowledging it
            nghe_an.update_status(doc_id, "done")
    ops = [f.op for f in _faults(axis, cursor)]
    assert ops == ["sendEdoc", "sendEdoc", "getEdoc", "updateStatus"]


def test_listing_faults_cannot_be_aimed_at_one_document() -> None:
    with pytest.raises(ConfigError, match="rules/0: a duplicate rule acts on a listing"):
        FaultPlan(_plan({"kind": "duplicate", "doc_id": "x"}), started=0.0)


def test_the_transcript_says_when_a_plan_started(
    cursor: int, axis: RunningAxis, clock: FakeClock
) -> None:
    with axis.admin() as admin:
        admin.set_faults(_plan({"kind": "outage", "start_s": 5, "duration_s": 10}))
        events, _ = admin.events(cursor, kind="faults")
    noted = events[-1].body
    assert isinstance(noted, FaultsEvent) and noted.started == clock.now
