"""Who may do what on the fake axis, and what it does with hostile input: authentication
failures, isolation between systems, hostile or broken bodies, secrets kept secret."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from axis import AxisClient, AxisConfig, NotFound, RunningAxis, running_axis
from axis.events import CallEvent, Signature8bitEvent
from axis.signing import HeaderMap, format_sdk_timestamp, sdk_hash_file
from axis.testing import Documents
from spec.clock import wall_time

VPCP, NGHE_AN, CAO_BANG = "02.22.W00", "00.41.W00", "00.14.W00"
G22, H41, H14 = "000.00.00.G22", "000.00.00.H41", "000.00.00.H14"
MAX_BODY = 256 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAxis]:
    data = tmp_path_factory.mktemp("axis") / "store"
    with running_axis(AxisConfig(data_dir=data, max_body_bytes=MAX_BODY)) as axis:
        yield axis


def _signed(system_id: str, secret: str, values: dict[str, str]) -> list[tuple[str, str]]:
    headers = HeaderMap(system_id, format_sdk_timestamp(wall_time()))
    headers.update({"Content-Type": "application/json", **values})
    return headers.headers(secret)


def _last_call(axis: RunningAxis, op: str) -> CallEvent:
    with axis.admin() as admin:
        events, _ = admin.events(0, kind="call", op=op)
    body = events[-1].body
    assert isinstance(body, CallEvent)
    return body


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (
            lambda h: [(k, "0" * 64 if k == "XroadVnpt-hash-header" else v) for k, v in h],
            "bad signature",
        ),
        (lambda h: [(k, v) for k, v in h if k != "XroadVnpt-hash-header"], "missing header"),
        (lambda h: [(k, v) for k, v in h if k != "XroadVnpt-systemid"], "missing header"),
        (
            lambda h: [(k, "vxp.unknown" if k == "XroadVnpt-systemid" else v) for k, v in h],
            "unknown system 'vxp.unknown'",
        ),
        (
            lambda h: [(k, "done" if k == "XroadVnpt-messagetype" else v) for k, v in h],
            "signed value",
        ),
        (lambda h: [*h, ("XroadVnpt-servicetype", "x")][::-1], "not covered"),
    ],
    ids=[
        "bad-hmac",
        "no-hash",
        "no-systemid",
        "unknown-system",
        "tampered-header",
        "unsigned-header",
    ],
)
def test_refused_identities_get_a_fail_envelope_and_are_in_the_transcript(
    axis: RunningAxis, mangle: object, reason: str
) -> None:
    headers = _signed(NGHE_AN, axis.systems[NGHE_AN], {"messagetype": "edoc"})
    response = httpx.post(f"{axis.url}/getReceivedEdocList", headers=mangle(headers))  # type: ignore[operator]
    envelope = response.json()
    assert (response.status_code, envelope["status"], envelope["ErrorCode"]) == (200, "FAIL", "1")
    assert reason in envelope["ErrorDesc"]
    recorded = _last_call(axis, "getReceivedEdocList")
    assert (recorded.error_code, recorded.error_desc) == ("1", envelope["ErrorDesc"])


def test_a_signature_made_for_one_system_does_not_open_another(axis: RunningAxis) -> None:
    headers = _signed(NGHE_AN, axis.systems[NGHE_AN], {"messagetype": "edoc"})
    forged = [(k, CAO_BANG if k == "XroadVnpt-systemid" else v) for k, v in headers]
    forged = [(k, v) for k, v in forged if k != "XroadVnpt-hash-header"]
    forged.append(("XroadVnpt-hash-header", dict(headers)["XroadVnpt-hash-header"]))
    envelope = httpx.post(f"{axis.url}/getReceivedEdocList", headers=forged).json()
    assert envelope["ErrorCode"] == "1"


def test_one_system_cannot_see_anothers_deliveries(axis: RunningAxis) -> None:
    docs = Documents(seed=3)
    data = docs.edoc(G22, [H41])
    with axis.client(VPCP) as vpcp, axis.client(NGHE_AN) as owner, axis.client(CAO_BANG) as other:
        doc_id = vpcp.send_edoc(data)
        assert other.get_received_list("edoc") == []
        assert other.count_receive("edoc") == 0
        with pytest.raises(NotFound) as missing:
            other.get_edoc(doc_id)
        with pytest.raises(NotFound) as unknown:
            other.get_edoc("00000000-0000-4000-8000-000000000000")
        assert str(missing.value).replace(doc_id, "X") == str(unknown.value).replace(
            "00000000-0000-4000-8000-000000000000", "X"
        )  # "not found" either way: existence is not revealed
        response = other.request("downloadEdoc", {"docId": doc_id}, method="GET")
        assert (response.status_code, response.content) == (404, b"")
        with pytest.raises(NotFound):
            other.update_status(doc_id, "done")
        with pytest.raises(NotFound):
            vpcp.update_status(doc_id, "done")  # the sender reads, only the receiver acks
        assert other.get_sent_list("edoc", doc_id=doc_id) == []
        assert owner.get_edoc(doc_id) == data
        assert [i["status"] for i in owner.get_received_list("edoc")] == ["pending"]


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<edXML>&lol3;</edXML>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><edXML>&e;</edXML>'
)
DEEP = b"<a>" * 5000 + b"</a>" * 5000


def _send_header(body: bytes) -> dict[str, str]:
    """The header VPCP's SDK sends with ``body`` as a new document."""
    return {
        "from": VPCP,
        "servicetype": "eDoc",
        "messagetype": "edoc",
        "hash-file": sdk_hash_file(body),
    }


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (BOMB, "DTD"),
        (XXE, "DTD"),
        (DEEP, "deeper"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not"),
        (b"", "empty"),
        (b"<edXML><unclosed>", "well-formed"),
        (b"<html><body>hello</body></html>", "edXML"),
    ],
    ids=[
        "billion-laughs",
        "external-entity",
        "deep-nesting",
        "binary",
        "empty",
        "broken",
        "not-edxml",
    ],
)
def test_hostile_or_broken_bodies_are_refused_and_nothing_is_stored(
    axis: RunningAxis, body: bytes, words: str
) -> None:
    with axis.client(VPCP) as vpcp:
        header_json = _send_header(body)
        response = vpcp.request(
            "sendEdoc", header_json, body + b"\r\n", content_type="application/octet-stream"
        )
        envelope = response.json()
        assert (envelope["status"], envelope["ErrorCode"], envelope["DocId"]) == ("FAIL", "2", "")
        assert words.lower() in envelope["ErrorDesc"].lower()
        assert response.content.isascii()
        assert vpcp.get_sent_list("edoc") == []
        assert vpcp.send_edoc(Documents(seed=5).edoc(G22, [H41]))  # still serving
    with axis.admin() as admin:
        assert admin.stats()["store"]["messages"] == 1


def test_a_body_over_the_limit_is_refused_without_being_read(axis: RunningAxis) -> None:
    body = b"<edXML>" + b"x" * MAX_BODY + b"</edXML>"
    with axis.client(VPCP) as vpcp:
        header_json = _send_header(body)
        response = vpcp.request(
            "sendEdoc", header_json, body, content_type="application/octet-stream"
        )
        assert response.status_code == 413
        assert (response.json()["ErrorCode"], response.json()["DocId"]) == ("6", "")

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
            for _ in range(8):
                yield b"x" * (MAX_BODY // 4)

        headers = dict(vpcp.signed_headers("application/octet-stream", header_json))
        streamed = httpx.post(f"{axis.url}/sendEdoc", headers=headers, content=chunks())
        assert (streamed.status_code, streamed.json()["ErrorCode"]) == (413, "6")
        assert vpcp.get_agencies_list()  # still serving
    with axis.admin() as admin:
        assert admin.stats()["store"]["messages"] == 0


def _eight_bit(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """What the SDK's Java HTTP client sends when the endpoint has a port: chars cut to 8 bits."""
    return [(k.encode(), bytes(ord(c) & 0xFF for c in v)) for k, v in headers]


def test_truncated_non_ascii_headers_are_refused_unless_tolerated() -> None:
    for tolerate in (False, True):
        config = AxisConfig(tolerate_8bit_headers=tolerate)
        with running_axis(config) as axis:
            signed = _signed(
                NGHE_AN, axis.systems[NGHE_AN], {"messagetype": "edoc", "note": "Hà Nội"}
            )
            envelope = httpx.post(
                f"{axis.url}/getReceivedEdocList", headers=_eight_bit(signed)
            ).json()
            assert envelope["status"] == ("OK" if tolerate else "FAIL")
            if not tolerate:
                assert "8 bits" in envelope["ErrorDesc"]
            with axis.admin() as admin:
                note = admin.wait_for(0, timeout=0, kind="signature_8bit")
            assert note is not None and isinstance(note.body, Signature8bitEvent)
            assert note.body.accepted is tolerate


def test_secrets_are_never_returned_or_recorded(axis: RunningAxis) -> None:
    with axis.client(NGHE_AN) as client:
        client.get_received_list("edoc")
    with (
        AxisClient(axis.url, NGHE_AN, "wrong-secret") as wrong,
        pytest.raises(Exception, match="bad signature"),
    ):
        wrong.get_received_list("edoc")
    with axis.admin() as admin:
        admin.put_system("vxp.new", "n3w-s3cr3t-value", name="New")
        texts = [
            admin.transcript(),
            str(admin.systems()),
            str(admin.agencies()),
            str(admin.stats()),
        ]
    secrets = [*axis.systems.values(), "n3w-s3cr3t-value"]
    for text in texts:
        assert not any(secret in text for secret in secrets)
    assert "n3w-s3cr3t" not in repr(axis.app.store.registry.system("vxp.new"))


def test_the_store_is_owner_only(server: RunningAxis) -> None:
    database = server.app.store.path
    assert stat.S_IMODE(os.stat(database.parent).st_mode) == 0o700
    for path in [database, Path(f"{database}-wal")]:
        if path.exists():
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
