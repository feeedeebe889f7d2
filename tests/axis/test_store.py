"""The axis's SQLite store: durable across restarts, single-owner, deterministic DocIds,
all-or-nothing calls, and a cached inbox that never shows stale state."""

from __future__ import annotations

from pathlib import Path

import pytest

from axis import AxisConfig, ConfigError, running_axis
from axis.events import AdminEvent, StartEvent
from axis.inprocess import InProcessTransport
from axis.store import open_store
from axis.testing import Documents

VPCP, NGHE_AN = "02.22.W00", "00.41.W00"
G22, H41 = "000.00.00.G22", "000.00.00.H41"


def _send_two(config: AxisConfig) -> list[str]:
    docs = Documents(seed=8)
    with running_axis(config) as axis, axis.client(VPCP) as vpcp:
        return [vpcp.send_edoc(docs.edoc(G22, [H41])) for _ in range(2)]


@pytest.mark.slow
def test_doc_ids_come_from_the_seed_and_the_run_id(tmp_path: Path) -> None:
    first = _send_two(AxisConfig(seed=21, run_id="run-a"))
    assert first == _send_two(AxisConfig(seed=21, run_id="run-a"))
    assert not set(first) & set(_send_two(AxisConfig(seed=21, run_id="run-b")))
    assert not set(first) & set(_send_two(AxisConfig(seed=22, run_id="run-a")))


@pytest.mark.slow
def test_two_runs_with_the_same_seed_never_share_a_doc_id(tmp_path: Path) -> None:
    """Without a run id each start draws one, and records it so the run can be repeated."""
    one, two = _send_two(AxisConfig(seed=21)), _send_two(AxisConfig(seed=21))
    assert not set(one) & set(two)
    with running_axis(AxisConfig(seed=21)) as axis, axis.admin() as admin:
        events, _ = admin.events(0, kind="start")
    start = events[-1].body
    assert isinstance(start, StartEvent) and start.seed == 21 and len(start.run_id) == 16


@pytest.mark.parametrize("run_id", ["", "x" * 101, "tab\there"])
def test_a_run_id_must_be_short_printable_text(run_id: str) -> None:
    with pytest.raises(ConfigError, match="run_id="):
        AxisConfig(run_id=run_id)


def test_a_restart_keeps_messages_deliveries_systems_and_the_chain(tmp_path: Path) -> None:
    config = AxisConfig(data_dir=tmp_path / "data", seed=2)
    docs = Documents(seed=9)
    with running_axis(config) as axis, axis.client(VPCP) as vpcp:
        with axis.admin() as admin:
            admin.put_system("vxp.kept", "kept-secret", agencies=["000.00.00.H44"])
        doc_id = vpcp.send_edoc(docs.edoc(G22, [H41, "000.00.00.H44"]))
        head = axis.app.store.head
    with running_axis(config) as axis, axis.client(NGHE_AN) as nghe_an:
        assert axis.app.store.head[0] > head[0]  # the start event follows the old head
        assert [i["docId"] for i in nghe_an.get_received_list("edoc")] == [doc_id]
        assert "vxp.kept" in axis.systems
        with axis.client("vxp.kept") as kept:
            assert [i["docId"] for i in kept.get_received_list("edoc")] == [doc_id]
        with axis.client(VPCP) as vpcp:
            assert vpcp.send_edoc(docs.edoc(G22, [H41])) != doc_id


@pytest.mark.slow
def test_a_second_axis_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    with (
        running_axis(AxisConfig(data_dir=tmp_path)),
        pytest.raises(ConfigError, match="another axis"),
    ):
        open_store(tmp_path)


def test_reset_never_reissues_a_doc_id(tmp_path: Path) -> None:
    docs = Documents(seed=10)
    with running_axis(AxisConfig(data_dir=tmp_path)) as axis, axis.client(VPCP) as vpcp:
        before = vpcp.send_edoc(docs.edoc(G22, [H41]))
        with axis.admin() as admin:
            admin.reset()
        assert vpcp.send_edoc(docs.edoc(G22, [H41])) != before
    store = open_store(tmp_path)
    try:
        assert store.counts()["messages"] == 1
    finally:
        store.close()


def test_a_failed_step_undoes_its_writes_and_events(tmp_path: Path) -> None:
    store = open_store(tmp_path, seed=1)
    try:
        with store.transaction():
            store.registry.put_system(VPCP, "s")
            head = store.head
            with pytest.raises(RuntimeError), store.savepoint():
                store.record(AdminEvent(action="x"))
                store.registry.put_agency(G22, VPCP, alt_code="G22", level=1, valid=True)
                raise RuntimeError("boom")
            assert store.head == head
            assert store.registry.find_agency(G22) is None
        assert store.registry.system(VPCP) is not None
        with pytest.raises(RuntimeError), store.transaction():
            store.registry.put_system("vxp.gone", "s")
            raise RuntimeError("boom")
        assert store.registry.system("vxp.gone") is None
        assert store.head == head
    finally:
        store.close()


def test_the_cached_inbox_follows_every_change(tmp_path: Path) -> None:
    docs = Documents(seed=12)
    config = AxisConfig(data_dir=tmp_path)
    with running_axis(config) as axis:
        transport = InProcessTransport(axis.app)
        try:
            with (
                axis.client(VPCP, transport=transport) as vpcp,
                axis.client(NGHE_AN, transport=transport) as nghe_an,
            ):
                assert nghe_an.get_received_list("edoc") == []
                first = vpcp.send_edoc(docs.edoc(G22, [H41]))
                assert [i["docId"] for i in nghe_an.get_received_list("edoc")] == [first]
                nghe_an.update_status(first, "fail")
                assert nghe_an.get_received_list("edoc")[0]["status"] == "fail"
                nghe_an.update_status(first, "done")
                assert nghe_an.get_received_list("edoc") == []
                second = vpcp.send_edoc(docs.edoc(G22, [H41]))
                assert [i["docId"] for i in nghe_an.get_received_list("edoc")] == [second]
                with axis.admin() as admin:
                    admin.reset()
                assert nghe_an.get_received_list("edoc") == []
        finally:
            transport.close()
