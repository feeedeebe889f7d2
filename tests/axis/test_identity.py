"""Who may speak for whom on the fake axis: secrets nobody can compute, a system speaking only
for its own agencies, and default (simulated) systems that give a code up to the vendor who
registers it (issue 13's first three findings)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from axis import AxisConfig, Forbidden, RunningAxis, SystemSpec, create_app, running_axis
from axis.errors import ConfigError
from axis.events import AgencyEvent, CallEvent, IdentityEvent, SystemEvent
from axis.seed import default_systems, derive_secret
from axis.testing import Documents

VPCP, NGHE_AN, CAO_BANG = "02.22.W00", "00.41.W00", "00.14.W00"
G22, H41, H14, H44 = "000.00.00.G22", "000.00.00.H41", "000.00.00.H14", "000.00.00.H44"
VENDOR, OTHER_VENDOR = "vxp.vendor.01", "vxp.vendor.02"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningAxis]:
    config = AxisConfig(systems=(SystemSpec(VENDOR, "v3nd0r-s3cr3t"),))
    with running_axis(config) as axis:
        yield axis


def _secrets(tmp_path: Path, config: AxisConfig) -> dict[str, str]:
    app = create_app(config, data_dir=tmp_path)
    try:
        return {k: v.secret for k, v in app.store.registry.systems_view().items()}
    finally:
        app.store.close()


# --- anyone could act as VPCP ---------------------------------------------------------------


def test_default_secrets_are_random_at_every_start_unless_a_seed_is_given(tmp_path: Path) -> None:
    first = _secrets(tmp_path / "a", AxisConfig())
    second = _secrets(tmp_path / "b", AxisConfig())
    assert set(first) == {VPCP, NGHE_AN, CAO_BANG, "02.17.W00"}
    for system_id, secret in first.items():
        assert secret != second[system_id]
        assert secret not in {derive_secret(seed, system_id) for seed in range(100)}
        assert len(secret) >= 24
    seeded = _secrets(tmp_path / "c", AxisConfig(seed=7))
    assert seeded == _secrets(tmp_path / "d", AxisConfig(seed=7))
    assert seeded[VPCP] == derive_secret(7, VPCP)


def test_a_reset_keeps_the_secrets_of_this_start(axis: RunningAxis) -> None:
    before = dict(axis.systems)
    with axis.admin() as admin:
        admin.reset()
    axis.refresh_systems()
    assert axis.systems == before


# --- any system could speak for any agency --------------------------------------------------


def test_a_system_cannot_send_a_document_in_another_agencys_name(axis: RunningAxis) -> None:
    docs = Documents(seed=1)
    with axis.client(CAO_BANG) as cao_bang, axis.admin() as admin:
        cursor = admin.stats()["head"]["seq"]
        with pytest.raises(Forbidden, match=G22) as refused:
            cao_bang.send_edoc(docs.edoc(G22, [H41]))
        assert refused.value.envelope["ErrorCode"] == "4"
        assert admin.stats()["store"]["messages"] == 0
        noted = admin.wait_for(cursor, timeout=0, kind="identity")
        call = admin.wait_for(cursor, timeout=0, kind="call", op="sendEdoc")
    assert noted is not None and isinstance(noted.body, IdentityEvent)
    assert (noted.body.system, noted.body.code, noted.body.served_by) == (CAO_BANG, G22, VPCP)
    assert call is not None and isinstance(call.body, CallEvent)
    assert call.body.error_code == "4" and G22 in call.body.error_desc


def test_a_system_cannot_send_a_status_in_another_agencys_name(axis: RunningAxis) -> None:
    docs = Documents(seed=2)
    with axis.client(VPCP) as vpcp, axis.client(CAO_BANG) as cao_bang, axis.admin() as admin:
        vpcp.send_edoc(docs.edoc(G22, [H41]))
        forged = docs.status(H41, "06")  # "06 completed" in Nghệ An's name
        with pytest.raises(Forbidden, match=H41):
            cao_bang.send_edoc(forged, "status")
        assert vpcp.get_received_list("status") == []
        assert admin.stats()["store"]["messages"] == 1
        with axis.client(NGHE_AN) as nghe_an:
            assert nghe_an.send_edoc(forged, "status")  # Nghệ An's own system may


def test_a_document_without_from_is_refused_too(axis: RunningAxis) -> None:
    docs = Documents(seed=3)
    data = docs.edoc(G22, [H41]).replace(f">{G22}<".encode(), b"><", 1)
    with axis.client(VPCP) as vpcp, pytest.raises(Forbidden, match="no From"):
        vpcp.send_edoc(data)


def test_an_admin_inject_is_held_to_the_same_rule(axis: RunningAxis) -> None:
    docs = Documents(seed=4)
    with axis.admin() as admin:
        answer = admin.inject(docs.edoc(G22, [H41]), system_id=CAO_BANG)
        assert (answer["status"], answer["ErrorCode"], answer["DocId"]) == ("FAIL", "4", "")
        assert admin.inject(docs.edoc(G22, [H41]), as_agency=G22)["status"] == "OK"


# --- a vendor could not claim its own agency ------------------------------------------------


def test_a_vendor_takes_its_agency_from_a_default_system_and_receives_its_mail(
    axis: RunningAxis,
) -> None:
    docs = Documents(seed=5)
    with axis.client(VENDOR) as vendor, axis.client(VPCP) as vpcp, axis.admin() as admin:
        cursor = admin.stats()["head"]["seq"]
        vendor.register_agency(H41)  # held by the default system 00.41.W00
        moved = admin.wait_for(cursor, timeout=0, kind="agency", code=H41)
        doc_id = vpcp.send_edoc(docs.edoc(G22, [H41]))
        assert [i["docId"] for i in vendor.get_received_list("edoc")] == [doc_id]
        with axis.client(NGHE_AN) as nghe_an:
            assert nghe_an.get_received_list("edoc") == []
            with pytest.raises(Forbidden):
                nghe_an.register_agency(H41)  # a default system never takes it back
        assert vendor.send_edoc(docs.status(H41, "01"), "status")
    assert moved is not None and isinstance(moved.body, AgencyEvent)
    assert (moved.body.action, moved.body.system, moved.body.previous) == (
        "yielded",
        VENDOR,
        NGHE_AN,
    )


def test_between_operator_systems_a_served_code_is_refused(axis: RunningAxis) -> None:
    with axis.admin() as admin:
        admin.put_system(OTHER_VENDOR, "an0ther")
    axis.refresh_systems()
    with axis.client(VENDOR) as vendor, axis.client(OTHER_VENDOR) as other:
        vendor.register_agency(H44)
        vendor.register_agency(G22)
        with pytest.raises(Forbidden, match="served by another system"):
            other.register_agency(H44)
        with pytest.raises(Forbidden):
            other.register_agency(G22)


def test_system_flag_serves_codes_from_the_start_and_records_each_move(tmp_path: Path) -> None:
    spec = SystemSpec.parse(f"{VENDOR}:s3:cr:et:{H41},{H44}")
    assert (spec.secret, spec.agencies) == ("s3:cr:et", (H41, H44))
    assert SystemSpec.parse(f"{VENDOR}:pass:word").secret == "pass:word"  # not codes
    app = create_app(AxisConfig(seed=1, systems=(spec,)), data_dir=tmp_path)
    try:
        assert app.store.registry.find_agency(H41).system_id == VENDOR
        events = app.store.transcript.events_after(0, limit=5000)
        moves = [e.body for e in events if isinstance(e.body, AgencyEvent) and e.body.code == H41]
        assert [(m.action, m.system, m.by) for m in moves] == [
            ("seeded", NGHE_AN, "seed"),
            ("yielded", VENDOR, "cli"),
        ]
        added = [e.body for e in events if isinstance(e.body, SystemEvent)]
        assert {(s.system, s.simulated, s.by) for s in added} >= {
            (VENDOR, False, "cli"),
            (NGHE_AN, True, "seed"),
        }
    finally:
        app.store.close()
    # a restart keeps the vendor's code: the default system does not take it back
    app = create_app(AxisConfig(seed=1, systems=(spec,)), data_dir=tmp_path)
    try:
        assert app.store.registry.find_agency(H41).system_id == VENDOR
    finally:
        app.store.close()


def test_two_operator_systems_claiming_one_code_stop_the_start(tmp_path: Path) -> None:
    systems = (
        SystemSpec(VENDOR, "a", agencies=(H44,)),
        SystemSpec(OTHER_VENDOR, "b", agencies=(H44,)),
    )
    with pytest.raises(ConfigError, match=f"{OTHER_VENDOR}.*{H44}"):
        create_app(AxisConfig(systems=systems), data_dir=tmp_path)


def test_default_systems_are_marked_simulated(axis: RunningAxis) -> None:
    with axis.admin() as admin:
        systems = {s["system_id"]: s["simulated"] for s in admin.systems()}
    assert systems[VENDOR] is False
    assert all(systems[s.system_id] for s in default_systems(None))
