"""Hostile input and limits (issue 13's fourth to sixth findings): a DTD in UTF-16 is refused,
request headers and their copy in the transcript are bounded, the signature cache is bounded by
bytes, slow headers and bodies are cut off, non-ASCII digits and hashes are refused clearly,
and every refusal of a known operation is the JSON envelope."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator

import httpx
import psutil
import pytest

from axis import AxisConfig, BadRequest, RunningAxis, running_axis
from axis import auth as auth_module
from axis.auth import authenticate
from axis.events import CallEvent
from axis.recording import MAX_VALUE, bounded_headers
from axis.signing import HeaderMap, format_sdk_timestamp
from axis.testing import Documents
from axis.wire import Headers
from spec.clock import wall_time

VPCP, NGHE_AN = "02.22.W00", "00.41.W00"
G22, H41 = "000.00.00.G22", "000.00.00.H41"
HEADER_TIMEOUT = BODY_TIMEOUT = 0.5


@pytest.fixture(scope="module")
def server() -> Iterator[RunningAxis]:
    config = AxisConfig(seed=5, header_timeout_s=HEADER_TIMEOUT, body_timeout_s=BODY_TIMEOUT)
    with running_axis(config) as axis:
        yield axis


def _raw(axis: RunningAxis, data: bytes) -> bytes:
    """Send raw bytes on a new connection (then nothing more: a client that stalls), and return
    everything the server answers until it closes."""
    host, port = axis.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        with contextlib.suppress(OSError):  # the server may close while we still send
            sock.sendall(data)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    return answer


def _envelope(answer: bytes) -> tuple[int, dict[str, str]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def _signed(system_id: str, secret: str, values: dict[str, str]) -> list[tuple[str, str]]:
    headers = HeaderMap(system_id, format_sdk_timestamp(wall_time()))
    headers.update({"Content-Type": "application/json", **values})
    return headers.headers(secret)


# --- hostile XML whatever its encoding -------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_dtd_in_a_wide_encoding_is_refused_and_nothing_stored(
    axis: RunningAxis, codec: str
) -> None:
    text = Documents(seed=1).edoc(G22, [H41]).decode("utf-8")
    declared = "UTF-16" if "16" in codec else "UTF-32"
    text = text.replace('encoding="UTF-8"', f'encoding="{declared}"', 1)
    start = text.index("?>") + 2
    hostile = (
        text[:start] + '<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + text[start:]
    )
    data = "\ufeff".encode(codec) + hostile.encode(codec)
    with axis.client(VPCP) as vpcp, pytest.raises(BadRequest, match="DTD"):
        vpcp.send_edoc(data)
    with axis.admin() as admin:
        assert admin.stats()["store"]["messages"] == 0


# --- bounded headers ------------------------------------------------------------------------


def test_headers_over_the_limit_get_431_with_the_envelope(axis: RunningAxis) -> None:
    request = b"POST /getReceivedEdocList HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20)
    status, envelope = _envelope(_raw(axis, request + b"\r\n\r\n"))
    assert status == 431 and (envelope["status"], envelope["ErrorCode"]) == ("FAIL", "6")
    assert "65,536" in envelope["ErrorDesc"]
    many = b"".join(b"X-H%d: %s\r\n" % (n, b"v" * 100) for n in range(1000))
    status, _ = _envelope(_raw(axis, b"POST /getAgenciesList HTTP/1.1\r\n" + many + b"\r\n"))
    assert status == 431


def test_long_headers_are_kept_short_in_the_transcript_with_their_length_and_hash(
    axis: RunningAxis,
) -> None:
    name, value = "XroadVnpt-" + "n" * 300, "v" * 60_000
    response = httpx.post(f"{axis.url}/getAgenciesList", headers={name: value})
    assert response.json()["ErrorCode"] == "1"  # not signed
    with axis.admin() as admin:
        [event] = admin.events(0, kind="call", op="getAgenciesList")[0][-1:]
    call = event.body
    assert isinstance(call, CallEvent)
    assert all(len(k) <= 100 and len(v) <= MAX_VALUE for k, v in call.headers.items())
    [long] = call.long_headers
    assert (long.name_length, long.value_length) == (len(name) - len("XroadVnpt-"), 60_000)
    assert len(long.sha256) == 64
    kept, cut = bounded_headers([(f"h{n}", "x") for n in range(500)])
    assert len(kept) == 50 and cut == ()


def test_the_signature_cache_is_bounded_by_bytes(axis: RunningAxis) -> None:
    secret = axis.systems[NGHE_AN]
    system = axis.app.store.registry.system(NGHE_AN)
    assert system is not None
    for n in range(1200):  # 1,200 distinct 12 KiB signed headers: 14 MiB of keys, twice
        signed = _signed(NGHE_AN, secret, {"note": f"{n}-" + "x" * 12_000})
        headers = Headers([(k.lower().encode(), v.encode()) for k, v in signed])
        authenticate(headers, {NGHE_AN: system}, tolerate_8bit=False)
    for cache in (auth_module._VERDICTS, auth_module._SIGNED):
        assert 0 < cache.bytes <= auth_module.CACHE_BYTES
    huge = _signed(NGHE_AN, secret, {"note": "y" * 40_000})  # over the per-entry bound
    headers = Headers([(k.lower().encode(), v.encode()) for k, v in huge])
    before = len(auth_module._VERDICTS)
    assert authenticate(headers, {NGHE_AN: system}, tolerate_8bit=False).system == system
    assert len(auth_module._VERDICTS) == before  # checked, not kept


def test_memory_stays_bounded_while_100_requests_with_1_mib_headers_are_refused(
    axis: RunningAxis,
) -> None:
    process = psutil.Process()
    big = b"POST /sendEdoc HTTP/1.1\r\nHost: x\r\nXroadVnpt-systemid: " + b"s" * (1 << 20)
    _raw(axis, big + b"\r\n\r\n")  # warm up
    before = process.memory_info().rss
    for _ in range(100):
        status, _ = _envelope(_raw(axis, big + b"\r\n\r\n"))
        assert status == 431
    grown = process.memory_info().rss - before
    assert grown < 32 * 1024 * 1024, f"grew by {grown:,} bytes"


# --- slow clients ---------------------------------------------------------------------------


@pytest.mark.slow
def test_headers_that_stall_are_cut_off_with_408(axis: RunningAxis) -> None:
    started = time.monotonic()
    answer = _raw(axis, b"POST /getAgenciesList HTTP/1.1\r\nHost: x\r\n")
    status, envelope = _envelope(answer)
    assert status == 408 and envelope["ErrorCode"] == "2"
    assert time.monotonic() - started < 30  # not the client's patience: the server's bound


@pytest.mark.slow
def test_a_body_that_stalls_is_cut_off_with_408_and_recorded(axis: RunningAxis) -> None:
    headers = _signed(VPCP, axis.systems[VPCP], {"messagetype": "edoc"})
    lines = "".join(f"{k}: {v}\r\n" for k, v in headers)
    request = f"POST /registerAgency HTTP/1.1\r\nHost: x\r\n{lines}Content-Length: 100\r\n\r\n"
    answer = _raw(axis, request.encode() + b'{"code":')  # 8 of the 100 bytes, then nothing
    status, envelope = _envelope(answer)
    assert (
        status == 408 and envelope["ErrorCode"] == "2" and "did not arrive" in envelope["ErrorDesc"]
    )
    with axis.admin() as admin:
        event = admin.wait_for(0, timeout=0, kind="call", op="registerAgency")
    assert event is not None and isinstance(event.body, CallEvent)
    assert event.body.http_status == 408


# --- no internal errors ---------------------------------------------------------------------


def test_a_non_ascii_hash_header_is_a_bad_signature_not_an_internal_error(
    axis: RunningAxis,
) -> None:
    headers = [
        (k, "é" * 64 if k == "XroadVnpt-hash-header" else v)
        for k, v in _signed(NGHE_AN, axis.systems[NGHE_AN], {})
    ]
    raw = [(k.encode(), v.encode("utf-8")) for k, v in headers]
    envelope = httpx.post(f"{axis.url}/getAgenciesList", headers=raw).json()
    assert envelope["ErrorCode"] == "1" and "bad signature" in envelope["ErrorDesc"]


def test_a_non_ascii_hash_file_is_a_bad_request_not_an_internal_error(axis: RunningAxis) -> None:
    data = Documents(seed=2).edoc(G22, [H41])
    header_json = {
        "from": VPCP,
        "servicetype": "eDoc",
        "messagetype": "edoc",
        "hash-file": "²" * 62,
    }
    with axis.client(VPCP) as vpcp:
        response = vpcp.request(
            "sendEdoc", header_json, data + b"\r\n", content_type="application/octet-stream"
        )
    envelope = response.json()
    assert (envelope["ErrorCode"], envelope["DocId"]) == ("2", "")


@pytest.mark.parametrize("level", ["²", "٣", "1.0", "+1", "0", "5", "x"])
def test_a_level_that_is_not_an_ascii_digit_is_refused_clearly(
    axis: RunningAxis, level: str
) -> None:
    with axis.client(NGHE_AN) as client, pytest.raises(BadRequest, match="level"):
        client.get_agencies_list_qd20(level)


@pytest.mark.parametrize("query", ["limit=²", "limit=٣", "after=²"])
def test_the_admin_api_and_dashboard_refuse_non_ascii_digits(axis: RunningAxis, query: str) -> None:
    headers = {"Authorization": f"Bearer {axis.admin_token}"}
    assert httpx.get(f"{axis.url}/_admin/messages?{query}", headers=headers).status_code == 400
    with httpx.Client() as ui:
        ui.post(f"{axis.url}/ui/login", data={"token": axis.admin_token})
        if query.startswith("limit"):
            assert ui.get(f"{axis.url}/ui/?{query}").status_code == 400


def test_a_control_character_in_a_header_gets_the_envelope(axis: RunningAxis) -> None:
    request = b"POST /getAgenciesList HTTP/1.1\r\nHost: x\r\nXroadVnpt-systemid: a\x01b\r\n\r\n"
    status, envelope = _envelope(_raw(axis, request))
    assert status == 400 and (envelope["status"], envelope["ErrorCode"]) == ("FAIL", "2")


def test_unsigned_refusals_of_every_operation_are_envelopes(axis: RunningAxis) -> None:
    from axis.operations import OPERATIONS

    for op in OPERATIONS.values():
        response = httpx.request(op.method, f"{axis.url}/{op.name}", content=b"{}")
        if op.json:
            assert response.json()["ErrorCode"] == "1", op.name
        else:
            assert (response.status_code, response.content) == (404, b"")
