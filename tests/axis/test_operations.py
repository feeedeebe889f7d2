"""Every VXP operation of AXIS_PROTOCOL.md §4 against a real axis on 127.0.0.1, with the header
handling of §2, the envelope of §3 and the delivery semantics of §5."""

from __future__ import annotations

import base64
import hashlib
import re
import socket
from collections.abc import Iterator

import httpx
import pytest

from axis import (
    AxisClient,
    AxisConfig,
    BadRequest,
    Forbidden,
    NotFound,
    RunningAxis,
    Unroutable,
    ValidationRefused,
    running_axis,
)
from axis.events import AmbiguousHeaderEvent, FindingsEvent, StoredEvent
from axis.signing import HeaderMap, format_sdk_timestamp, sdk_hash_file
from axis.testing import Documents, realworld_sample
from spec.clock import wall_time

VPCP, NGHE_AN, CAO_BANG, XAY_DUNG = "02.22.W00", "00.41.W00", "00.14.W00", "02.17.W00"
G22, H41, H14 = "000.00.00.G22", "000.00.00.H41", "000.00.00.H14"
LIST_KEYS = {
    "docId",
    "serviceType",
    "messageType",
    "created_time",
    "updated_time",
    "from",
    "to",
    "status",
    "status_desc",
}


@pytest.fixture(scope="module")
def server() -> Iterator[RunningAxis]:
    with running_axis(AxisConfig(seed=7)) as axis:
        yield axis


@pytest.fixture
def docs() -> Documents:
    return Documents(seed=11)


def _messages(axis: RunningAxis) -> int:
    with axis.admin() as admin:
        return int(admin.stats()["store"]["messages"])


def test_send_list_get_download_ack(axis: RunningAxis, docs: Documents) -> None:
    data = docs.edoc(G22, [H41, H14])
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an, axis.client(CAO_BANG) as cb:
        doc_id = vpcp.send_edoc(data)
        [item] = nghe_an.get_received_list("edoc")
        assert set(item) == LIST_KEYS and all(isinstance(v, str) for v in item.values())
        assert (item["docId"], item["from"], item["to"], item["status"]) == (
            doc_id,
            G22,
            H41,
            "pending",
        )
        assert nghe_an.get_received_list("status") == []
        assert nghe_an.count_receive("edoc") == 1
        assert nghe_an.get_edoc(doc_id) == data
        assert nghe_an.download_edoc(doc_id) == data
        nghe_an.update_status(doc_id, "done")
        assert nghe_an.get_received_list("edoc") == []
        assert nghe_an.count_receive("edoc") == 0
        assert [i["docId"] for i in cb.get_received_list("edoc")] == [doc_id]


def test_fail_keeps_a_delivery_listed_and_done_removes_it(
    axis: RunningAxis, docs: Documents
) -> None:
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        doc_id = vpcp.send_edoc(docs.edoc(G22, [H41]))
        nghe_an.update_status(doc_id, "fail")
        [item] = nghe_an.get_received_list("edoc")
        assert item["status"] == "fail"
        nghe_an.update_status(doc_id, "processing")
        assert nghe_an.get_received_list("edoc")[0]["status"] == "processing"
        nghe_an.update_status(doc_id, "done")
        nghe_an.update_status(doc_id, "done")  # a retried ack is harmless
        assert nghe_an.get_received_list("edoc") == []


def test_sent_list_has_one_item_per_recipient_with_its_progress(
    axis: RunningAxis, docs: Documents
) -> None:
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        doc_id = vpcp.send_edoc(docs.edoc(G22, [H41, H14]))
        nghe_an.update_status(doc_id, "done")
        items = vpcp.get_sent_list("edoc")
        assert {i["toCode"]: i["receiveStatus"] for i in items} == {H41: "done", H14: "pending"}
        assert {i["senderDocId"] for i in items} == {doc_id}
        assert all(i["fromCode"] == G22 and i["sendStatus"] == "sent" for i in items)
        assert [i["toCode"] for i in vpcp.get_sent_list("edoc", doc_id=doc_id)] == [H41, H14]
        assert vpcp.get_sent_list("edoc", doc_id="no-such-doc") == []
        assert nghe_an.get_sent_list("edoc") == []


def test_a_status_goes_to_the_agency_it_reports_to(axis: RunningAxis, docs: Documents) -> None:
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        vpcp.send_edoc(docs.edoc(G22, [H41]))
        status_id = nghe_an.send_edoc(docs.status(H41, "01"), "status")
        assert vpcp.get_received_list("edoc") == []
        [item] = vpcp.get_received_list("status")
        assert (item["docId"], item["messageType"], item["from"]) == (status_id, "status", H41)
        assert vpcp.count_receive("status") == 1


def test_the_sample_with_junk_before_the_declaration_comes_back_byte_for_byte(
    axis: RunningAxis,
) -> None:
    data = realworld_sample("edoc_new.edxml")
    if data is None:
        pytest.skip("../shared/realworld/edoc_new.edxml is absent (real SDK sample)")
    assert data.startswith(b"1212<?xml")
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        nghe_an.register_agency("28.22.H17", name="UBND xã Hòa Sơn")  # its To, not a valid id
        vpcp.register_agency("002.00.20.H13")  # its From: a system speaks for its agencies
        doc_id = vpcp.send_edoc(data)
        assert nghe_an.get_edoc(doc_id) == data
        assert nghe_an.download_edoc(doc_id) == data
        assert vpcp.get_edoc(doc_id) == data  # the sender may read what it sent
    with axis.admin() as admin:
        found = admin.wait_for(0, timeout=0, kind="findings", system=VPCP)
    assert found is not None and isinstance(found.body, FindingsEvent)
    assert found.body.doc_id == doc_id
    assert "XML-JUNK-BEFORE-DECLARATION" in {f.req_id for f in found.body.findings}


def _raw_send(client: AxisClient, body: bytes, hash_file: str) -> dict[str, object]:
    header_json = {
        "from": client.system_id,
        "servicetype": "eDoc",
        "messagetype": "edoc",
        "hash-file": hash_file,
    }
    response = client.request(
        "sendEdoc", header_json, body, content_type="application/octet-stream"
    )
    return response.json()


def test_exactly_one_trailing_crlf_is_removed(axis: RunningAxis, docs: Documents) -> None:
    data = docs.edoc(G22, [H41]) + b"\r\n"  # a file that itself ends in CRLF
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        doc_id = vpcp.send_edoc(data)  # the SDK appends one more CRLF
        assert nghe_an.get_edoc(doc_id) == data
        plain = docs.edoc(G22, [H41])
        answer = _raw_send(vpcp, plain, sdk_hash_file(plain))  # a client that appends nothing
        assert answer["status"] == "OK"
        assert nghe_an.get_edoc(str(answer["DocId"])) == plain


def test_hash_file_accepts_64_hex_and_refuses_a_mismatch(
    axis: RunningAxis, docs: Documents
) -> None:
    data = docs.edoc(G22, [H41])
    with axis.client(VPCP) as vpcp:
        ok = _raw_send(vpcp, data + b"\r\n", hashlib.sha256(data).hexdigest())
        assert ok["status"] == "OK"
        before = _messages(axis)
        bad = _raw_send(vpcp, data + b"\r\n", sdk_hash_file(data + b"x"))
    assert (bad["status"], bad["ErrorCode"], bad["DocId"]) == ("FAIL", "2", "")
    assert "hash-file" in str(bad["ErrorDesc"])
    assert _messages(axis) == before


def test_header_names_are_case_insensitive(axis: RunningAxis, docs: Documents) -> None:
    data = docs.edoc(G22, [H41])
    with axis.client(VPCP) as vpcp:
        doc_id = vpcp.send_edoc(data)
    secret = axis.systems[NGHE_AN]
    headers = HeaderMap(NGHE_AN, format_sdk_timestamp(wall_time()))
    headers.update({"Content-Type": "application/json", "DOCID": doc_id, "FilePath": "x"})
    shouted = [(name.upper(), value) for name, value in headers.headers(secret)]
    response = httpx.post(f"{axis.url}/getEdoc", headers=shouted, content=b"{}")
    envelope = response.json()
    assert envelope["status"] == "OK", envelope
    assert base64.b64decode(envelope["data"]) == data
    with axis.client(NGHE_AN) as nghe_an:
        nghe_an.update_status(doc_id, "done", key="docid")
        assert nghe_an.get_received_list("edoc") == []


def test_a_long_lived_sdk_client_with_stale_headers_runs_the_receive_loop(
    axis: RunningAxis, docs: Documents
) -> None:
    with axis.client(VPCP) as vpcp:
        sent = [vpcp.send_edoc(docs.edoc(G22, [H41])) for _ in range(3)]
    with axis.client(NGHE_AN, carry_stale_headers=True) as sdk:
        received = []
        for _ in range(2):  # a second pass finds nothing new: every ack reached the axis
            for item in sdk.get_received_list("edoc"):  # a stale status: done rides along
                received.append(sdk.get_edoc(item["docId"]))
                sdk.update_status(item["docId"], "done")
        assert len(received) == 3
        assert sdk.get_received_list("edoc") == []
        assert sdk.count_receive("edoc") == 0
    assert {r[:5] for r in received} == {b"<?xml"}
    assert len(sent) == 3


def test_mixed_spellings_of_doc_id_use_the_first_on_the_wire_and_are_noted(
    axis: RunningAxis, docs: Documents
) -> None:
    with axis.client(VPCP) as vpcp:
        first = vpcp.send_edoc(docs.edoc(G22, [H41]))
        second = vpcp.send_edoc(docs.edoc(G22, [H41]))
    with axis.client(NGHE_AN, carry_stale_headers=True) as sdk:
        sdk.get_edoc(first, key="docId")
        sdk.update_status(first, "done", key="docid")
        # docId (fresh) comes first in the map, docid (stale: first) after it
        assert sdk.get_edoc(second, key="docId") == sdk.get_edoc(second)
        assert [i["docId"] for i in sdk.get_received_list("edoc")] == [second]
    with axis.admin() as admin:
        note = admin.wait_for(0, timeout=0, kind="ambiguous_header")
    assert note is not None and isinstance(note.body, AmbiguousHeaderEvent)
    assert sorted(note.body.values) == sorted([first, second])


def test_agency_lists_in_both_forms(axis: RunningAxis) -> None:
    with axis.client(XAY_DUNG) as client:
        agencies = client.get_agencies_list()
        qd20 = client.get_agencies_list_qd20(1)
        units = client.get_synchronize_unit()
    codes = {a["code"] for a in agencies}
    assert {G22, H41, H14, "000.00.00.G17"} <= codes
    assert all(set(a) == {"id", "pid", "code", "name", "mail", "oldCode"} for a in agencies)
    by_code = {a["code"]: a for a in agencies}
    department = next(c for c in codes if c.endswith(".H41") and c != H41)
    assert by_code[department]["pid"] == by_code[H41]["id"]
    g22 = next(a for a in qd20 if a["code"] == "G22")
    assert g22["code102"] == G22 and g22["name"] == "Văn phòng Chính phủ"
    assert all(not a["code"][0].isdigit() for a in qd20)
    unit = next(u for u in units if u["code"] == H41)
    assert (unit["centerCode"], unit["deleted"], unit["isAgency"]) == (NGHE_AN, False, True)
    assert isinstance(unit["version"], int)


def test_register_route_in_both_forms_and_delete_an_agency(
    axis: RunningAxis, docs: Documents
) -> None:
    with axis.client(NGHE_AN) as nghe_an, axis.client(VPCP) as vpcp, axis.client(CAO_BANG) as cb:
        nghe_an.register_agency("000.00.77.H41", name="Sở thử nghiệm", mail="test@nghean.gov.vn")
        doc_id = vpcp.send_edoc(docs.edoc(G22, [H14]), to=["H41.77"])  # the QĐ 20 form
        assert [i["to"] for i in nghe_an.get_received_list("edoc")] == ["H41.77"]
        assert [i["docId"] for i in cb.get_received_list("edoc")] == [doc_id]
        with pytest.raises(Forbidden):
            cb.delete_agency("000.00.77.H41")
        with pytest.raises(Forbidden):
            cb.register_agency("000.00.77.H41")
        nghe_an.delete_agency("000.00.77.H41")
        unit = next(u for u in nghe_an.get_synchronize_unit() if u["code"] == "000.00.77.H41")
        assert unit["deleted"] is True and unit["version"] == 2
        with pytest.raises(Unroutable, match=re.escape("H41.77")):
            vpcp.send_edoc(docs.edoc(G22, [H14]), to=["H41.77"])
        with pytest.raises(NotFound):
            nghe_an.delete_agency("000.00.77.H41")


def test_register_agency_reads_the_sdk_examples_malformed_json(axis: RunningAxis) -> None:
    body = (
        '{"id":"","pcode":"00.22.W00","code":"999.010.01.H22","name":"Hà giang test V4 ",'
        '"mail":cc"","mobile":333"","fax":333""}'
    ).encode()
    with axis.client(NGHE_AN) as client:
        client.register_agency("", body=body)
        agency = next(a for a in client.get_agencies_list() if a["code"] == "999.010.01.H22")
        assert (agency["name"], agency["mail"]) == ("Hà giang test V4 ", "cc")
        with pytest.raises(BadRequest, match="cannot be read"):
            client.register_agency("", body=b"not json at all")
        with pytest.raises(BadRequest, match="W00"):
            client.register_agency("00.41.W00")
    with axis.admin() as admin:
        finding = admin.wait_for(0, timeout=0, kind="findings", op="registerAgency")
    assert finding is not None and isinstance(finding.body, FindingsEvent)
    assert finding.body.findings[0].req_id == "MSG-TO-ORGANID"


def test_a_recipient_nobody_serves_stores_nothing(axis: RunningAxis, docs: Documents) -> None:
    before = _messages(axis)
    data = docs.edoc(G22, [H41]).replace(b">000.00.00.H41<", b">000.00.00.H99<")
    with axis.client(VPCP) as vpcp:
        response = vpcp.request(
            "sendEdoc",
            {
                "from": VPCP,
                "servicetype": "eDoc",
                "messagetype": "edoc",
                "hash-file": sdk_hash_file(data),
            },
            data + b"\r\n",
            content_type="application/octet-stream",
        )
        with pytest.raises(Unroutable, match=re.escape("00.00.W00")):
            vpcp.send_edoc(docs.edoc(G22, [H41]), to=["00.00.W00"])
    envelope = response.json()
    assert (envelope["status"], envelope["ErrorCode"], envelope["DocId"]) == ("FAIL", "7", "")
    assert "000.00.00.H99" in envelope["ErrorDesc"]
    assert response.content.isascii()
    assert _messages(axis) == before
    with axis.client(NGHE_AN) as nghe_an:
        assert nghe_an.get_received_list("edoc") == []


def test_an_agency_in_qd20_form_reaches_the_same_system(axis: RunningAxis, docs: Documents) -> None:
    data = docs.edoc(G22, [H41]).replace(b">000.00.00.H41<", b">H41<")
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        doc_id = vpcp.send_edoc(data)
        [item] = nghe_an.get_received_list("edoc")
    assert (item["docId"], item["to"]) == (doc_id, "H41")


def test_a_resent_document_keeps_its_doc_id_and_is_stored_once(
    axis: RunningAxis, docs: Documents
) -> None:
    data = docs.edoc(G22, [H41])
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        first = vpcp.send_edoc(data)
        again = vpcp.send_edoc(data)
        assert again == first
        assert len(nghe_an.get_received_list("edoc")) == 1
    with axis.admin() as admin:
        dup = admin.wait_for(0, timeout=0, kind="duplicate")
        admin.put_system("vxp.vendor.01", "s3cr3t", agencies=[G22])  # G22 changes hands
    axis.refresh_systems()
    with axis.client("vxp.vendor.01") as vendor:
        assert vendor.send_edoc(data) != first  # another sender is another message
    assert dup is not None and dup.doc_id == first


def test_unknown_operations_and_wrong_methods_get_an_envelope(axis: RunningAxis) -> None:
    unknown = httpx.post(f"{axis.url}/sendEdocs", content=b"{}")
    assert unknown.status_code == 404 and unknown.json()["ErrorCode"] == "2"
    wrong = httpx.get(f"{axis.url}/getReceivedEdocList")
    assert wrong.status_code == 405 and wrong.json()["status"] == "FAIL"
    post_download = httpx.post(f"{axis.url}/downloadEdoc", content=b"")
    assert (post_download.status_code, post_download.content) == (404, b"")


def test_download_of_a_missing_document_is_an_empty_404(axis: RunningAxis) -> None:
    with axis.client(NGHE_AN) as client:
        response = client.request("downloadEdoc", {"docId": "nope"}, method="GET")
        assert (response.status_code, response.content) == (404, b"")
        with pytest.raises(NotFound):
            client.get_edoc("nope")


def test_a_base_path_and_a_trailing_slash_on_the_endpoint_work(
    axis: RunningAxis, docs: Documents
) -> None:
    with AxisClient(f"{axis.url}/vxp/", VPCP, axis.systems[VPCP]) as vpcp:
        doc_id = vpcp.send_edoc(docs.edoc(G22, [H41]))  # posts to /vxp//sendEdoc
        assert vpcp.get_edoc(doc_id)[:5] == b"<?xml"


def test_expect_100_continue_is_answered_before_the_body_is_sent(
    axis: RunningAxis, docs: Documents
) -> None:
    data = docs.edoc(G22, [H41])
    headers = HeaderMap(VPCP, format_sdk_timestamp(wall_time()))
    headers.update(
        {
            "Content-Type": "application/octet-stream",
            "from": VPCP,
            "servicetype": "eDoc",
            "messagetype": "edoc",
            "hash-file": sdk_hash_file(data),
        }
    )
    body = data + b"\r\n"
    lines = [f"{k}: {v}" for k, v in headers.headers(axis.systems[VPCP])]
    host, port = axis.url.removeprefix("http://").split(":")
    head = (
        f"POST /sendEdoc HTTP/1.1\r\nHost: {host}\r\nExpect: 100-continue\r\n"
        f"Content-Length: {len(body)}\r\n" + "\r\n".join(lines) + "\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(head.encode())
        interim = sock.recv(64)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        answer = b""
        while b'"DocId"' not in answer:
            answer += sock.recv(4096)
    assert b"HTTP/1.1 200" in answer and b'"status":"OK"' in answer


def test_strict_mode_refuses_documents_and_codes_with_error_findings(docs: Documents) -> None:
    sample = docs.edoc(G22, [H41]).replace(b"<edXML:Subject>", b"<edXML:Subject>   ", 1)
    bad = sample.replace(b">000.00.00.G22<", b">000.00.00.G2<", 1)
    with running_axis(AxisConfig(strict=True)) as strict, strict.client(VPCP) as vpcp:
        with pytest.raises(ValidationRefused, match="MSG-FROM-ORGANID") as refused:
            vpcp.send_edoc(bad)
        assert refused.value.envelope["ErrorDesc"].isascii()
        with pytest.raises(ValidationRefused):
            vpcp.register_agency("28.22.H17")
        assert vpcp.send_edoc(sample)
        with strict.admin() as admin:
            recorded = admin.wait_for(0, timeout=0, kind="findings")
            assert admin.stats()["store"]["messages"] == 1
    assert recorded is not None and isinstance(recorded.body, FindingsEvent)
    assert recorded.body.errors >= 1 and recorded.body.refused
    with running_axis(AxisConfig()) as lenient, lenient.client(VPCP) as vpcp:
        vpcp.register_agency("000.00.00.G2")  # lenient: an invalid code, with a finding
        assert vpcp.send_edoc(bad)


def test_lenient_mode_forwards_any_xml_addressed_by_the_to_header(axis: RunningAxis) -> None:
    data = '<?xml version="1.0"?><thongBao><noiDung>Kiểm tra</noiDung></thongBao>'.encode()
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as nghe_an:
        with pytest.raises(BadRequest, match="to header"):
            vpcp.send_edoc(data)
        doc_id = vpcp.send_edoc(data, to=[H41])
        assert nghe_an.get_edoc(doc_id) == data
    with axis.admin() as admin:
        stored = admin.wait_for(0, timeout=0, kind="stored", doc_id=doc_id)
    assert stored is not None and isinstance(stored.body, StoredEvent)
    assert stored.body.not_edxml is True
    with (
        running_axis(AxisConfig(strict=True)) as strict,
        strict.client(VPCP) as vpcp,
        pytest.raises(BadRequest, match="strict"),
    ):
        vpcp.send_edoc(data, to=[H41])
