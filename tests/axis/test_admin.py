"""The admin API under /_admin: what the conformance suite and operators use to drive and
watch the axis. Fuzzed with Schemathesis against its own OpenAPI document."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

from axis import (
    AdminError,
    AuthError,
    AxisAdmin,
    AxisClient,
    AxisConfig,
    RunningAxis,
    create_app,
    running_axis,
)
from axis.events import AdminEvent, Event
from axis.testing import Documents

VPCP, NGHE_AN, CAO_BANG = "02.22.W00", "00.41.W00", "00.14.W00"
G22, H41, H14 = "000.00.00.G22", "000.00.00.H41", "000.00.00.H14"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningAxis]:
    with running_axis(AxisConfig(seed=3)) as axis:
        yield axis


@pytest.fixture
def cursor(server: RunningAxis) -> int:
    with server.admin() as admin:
        return admin.reset()


@pytest.fixture
def axis(server: RunningAxis, cursor: int) -> RunningAxis:
    server.refresh_systems()
    return server


def test_every_endpoint_but_the_document_needs_the_token(axis: RunningAxis) -> None:
    assert httpx.get(f"{axis.url}/_admin/openapi.json").json()["openapi"].startswith("3.0")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": axis.admin_token}):
        response = httpx.get(f"{axis.url}/_admin/stats", headers=headers)
        assert response.status_code == 401 and "token" in response.json()["error"]
    assert (
        httpx.post(f"{axis.url}/_admin/reset", headers={"Authorization": "Bearer x"}).status_code
        == 401
    )


def test_reset_forgets_messages_registry_and_faults_but_not_the_transcript(
    axis: RunningAxis, cursor: int
) -> None:
    with axis.admin() as admin:
        admin.put_system("vxp.extra", "extra-secret", agencies=["000.00.00.H44"])
        admin.set_faults({"rules": [{"kind": "error", "operation": "getAgenciesList"}]})
        with axis.client(VPCP) as vpcp:
            vpcp.send_edoc(Documents(seed=1).edoc(G22, [H41]))
        after = admin.reset(registry=False, faults=False)
        assert after > cursor
        assert admin.stats()["store"]["messages"] == 0
        assert "vxp.extra" in {s["system_id"] for s in admin.systems()}
        assert admin.faults()["rules"]
        admin.reset()
        assert "vxp.extra" not in {s["system_id"] for s in admin.systems()}
        assert admin.faults()["rules"] == []
        assert {s["system_id"] for s in admin.systems()} == {VPCP, NGHE_AN, CAO_BANG, "02.17.W00"}
        events, _ = admin.events(cursor, kind="admin")
    assert [e.body.action for e in events if isinstance(e.body, AdminEvent)] == [
        "put_system",
        "reset",
        "reset",
    ]


def test_a_system_added_at_run_time_can_exchange_and_its_secret_can_change(
    axis: RunningAxis,
) -> None:
    with axis.admin() as admin:
        info = admin.put_system(
            "vxp.saas.03", "first-secret", name="SaaS", agencies=["000.00.00.H44"]
        )
        assert info["agencies"] == ["000.00.00.H44"] and "secret" not in str(info)
        with AxisClient(axis.url, "vxp.saas.03", "first-secret") as saas, axis.client(VPCP) as vpcp:
            doc_id = vpcp.send_edoc(Documents(seed=2).edoc(G22, ["000.00.00.H44"]))
            assert [i["docId"] for i in saas.get_received_list("edoc")] == [doc_id]
            admin.put_system("vxp.saas.03", "second-secret")
            with pytest.raises(AuthError):
                saas.get_received_list("edoc")
        with AxisClient(axis.url, "vxp.saas.03", "second-secret") as saas:
            assert len(saas.get_received_list("edoc")) == 1


def test_agencies_through_the_admin_api(axis: RunningAxis) -> None:
    with axis.admin() as admin:
        valid = admin.put_agency("000.00.30.H41", NGHE_AN, name="Sở mới")
        assert (valid["valid"], valid["alt_code"], valid["findings"]) == (True, "H41.30", [])
        odd = admin.put_agency("28.22.H17", NGHE_AN)
        assert odd["valid"] is False and odd["findings"][0]["req_id"] == "MSG-TO-ORGANID"
        with pytest.raises(AdminError, match="strict") as strict:
            admin.put_agency("28.22.H18", NGHE_AN, strict=True)
        assert strict.value.status == 400
        moved = admin.put_agency(H41, CAO_BANG)  # the admin may move an agency
        assert moved["system_id"] == CAO_BANG
        with pytest.raises(AdminError) as unknown:
            admin.put_agency("000.00.31.H41", "vxp.nobody")
        assert unknown.value.status == 404
        admin.delete_agency("000.00.30.H41")
        deleted = next(a for a in admin.agencies() if a["code"] == "000.00.30.H41")
        assert deleted["deleted"] is True
        with pytest.raises(AdminError) as missing:
            admin.delete_agency("000.00.30.H41")
        assert missing.value.status == 404


def test_inject_sends_as_any_agency_even_what_the_sdk_could_not(axis: RunningAxis) -> None:
    docs = Documents(seed=4)
    with axis.admin() as admin, axis.client(NGHE_AN) as nghe_an:
        answer = admin.inject(docs.edoc(G22, [H41]), as_agency=G22)
        assert answer["status"] == "OK"
        junk = b"\x00\x01 not a document"
        raw = admin.inject(junk, system_id=VPCP, to=[H41], unparsed=True)
        assert [i["docId"] for i in nghe_an.get_received_list("edoc")] == [
            answer["DocId"],
            raw["DocId"],
        ]
        assert nghe_an.download_edoc(raw["DocId"]) == junk
        refused = admin.inject(b"<not-edxml/>", system_id=VPCP)
        assert (refused["status"], refused["ErrorCode"]) == ("FAIL", "2")
        for kwargs, status in (
            ({"as_agency": "000.00.00.H99"}, 404),
            ({"system_id": "vxp.nobody"}, 404),
            ({}, 400),
        ):
            with pytest.raises(AdminError) as refused_call:
                admin.inject(b"<x/>", **kwargs)
            assert refused_call.value.status == status
        response = admin._http.post(
            f"{admin.url}/inject", json={"system_id": VPCP, "body_base64": "%%%"}
        )
        assert response.status_code == 400 and "base64" in response.json()["error"]


def test_message_body_is_the_exact_stored_bytes(axis: RunningAxis, realworld_dir: Path) -> None:
    sample = (realworld_dir / "edoc_new.edxml").read_bytes()  # starts with junk: 1212<?xml
    with axis.admin() as admin:
        answer = admin.inject(sample, system_id=VPCP, to=[H41], unparsed=True)
        assert admin.message_body(answer["DocId"]) == sample
        with pytest.raises(AdminError) as missing:
            admin.message_body("no-such-doc")
        assert missing.value.status == 404
    assert httpx.get(f"{axis.url}/_admin/messages/{answer['DocId']}/body").status_code == 401


def test_events_filters_cursor_and_timeline(axis: RunningAxis, cursor: int) -> None:
    docs = Documents(seed=5)
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        doc_id = vpcp.send_edoc(docs.edoc(G22, [H41]))
        nghe_an.get_edoc(doc_id)
        nghe_an.update_status(doc_id, "done")
        status_id = nghe_an.send_edoc(docs.status(H41, "01"), "status")
    with axis.admin() as admin:
        calls, last = admin.events(cursor, kind="call", system=NGHE_AN)
        assert [c.op for c in calls] == ["getEdoc", "updateStatus", "sendEdoc"]
        assert admin.events(last, kind="call", system=NGHE_AN)[0] == []
        timeline = admin.timeline(doc_id)
        kinds = [(e.kind, e.doc_id) for e in timeline]
        assert ("stored", doc_id) in kinds and ("stored", status_id) in kinds
        assert [m["doc_id"] for m in admin.messages(after=0)] == [doc_id, status_id]
        stats = admin.stats()
    assert stats["calls"]["sendEdoc"] >= 2 and stats["store"]["messages"] == 2


def test_wait_returns_a_matching_event_as_soon_as_it_happens(
    axis: RunningAxis, cursor: int
) -> None:
    with axis.admin() as admin:
        assert admin.wait_for(cursor, timeout=0.05, kind="stored") is None
    found: list[Event | None] = []

    def waiter() -> None:
        with axis.admin() as admin:
            found.append(admin.wait_for(cursor, timeout=30, kind="delivery", system=CAO_BANG))

    thread = threading.Thread(target=waiter)
    thread.start()
    with axis.client(VPCP) as vpcp, axis.admin() as admin:
        # the waiter is in place once the axis counts it
        while axis.app.bus.waiters == 0 and thread.is_alive():
            thread.join(0.01)
        doc_id = vpcp.send_edoc(Documents(seed=6).edoc(G22, [H14]))
    thread.join(30)
    assert found and found[0] is not None
    assert found[0].doc_id == doc_id
    with axis.admin() as admin:
        failed = admin.wait_for(cursor, timeout=0, kind="call", error_code="0")
    assert failed is not None


def test_bad_query_parameters_are_refused_clearly(axis: RunningAxis) -> None:
    headers = {"Authorization": f"Bearer {axis.admin_token}"}
    for path, query in (
        ("events/wait", "after=-1"),
        ("events/wait", "after=x"),
        ("events", "limit=0"),
        ("events/wait", "timeout=nan"),
        ("events/wait", "timeout=99"),
        ("messages", "limit=5000"),
    ):
        response = httpx.get(f"{axis.url}/_admin/{path}?{query}", headers=headers)
        assert response.status_code == 400, query
        assert query.split("=")[0] in response.json()["error"]


def test_an_answer_of_the_wrong_json_shape_is_an_admin_error() -> None:
    """Whatever stands at the admin URL, the client says what it got instead of failing later
    on a missing key."""
    answers = {"/_admin/stats": b"[]", "/_admin/systems": b'{"systems": []}'}
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=answers[r.url.path]))
    with AxisAdmin("http://127.0.0.1:9", "token", transport=transport) as admin:
        with pytest.raises(AdminError, match="GET /stats: the answer is not a JSON object"):
            admin.stats()
        with pytest.raises(AdminError, match="GET /systems: the answer is not a JSON array"):
            admin.systems()


@pytest.mark.slow
def test_fuzzing_the_admin_api_finds_no_server_error(tmp_path: Path) -> None:
    app = create_app(AxisConfig(seed=1), data_dir=tmp_path)
    schema = schemathesis.openapi.from_asgi("/_admin/openapi.json", app)
    auth = {"Authorization": f"Bearer {app.admin_token}"}
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) == 17  # every operation of the document is usable
    try:
        for operation in operations:

            @settings(
                max_examples=15,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def call(case: schemathesis.Case) -> None:
                if case.operation.label == "GET /events/wait":
                    case.query = {**(case.query or {}), "timeout": 0.01}  # keep the test fast
                case.call_and_validate(headers=auth, checks=checks)

            call()
    finally:
        app.store.close()
