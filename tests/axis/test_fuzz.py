"""A property of the whole fake axis: whatever a client sends, signed or not, to any VXP
operation or the dashboard, the axis never fails inside (no ErrorCode 9, no 5xx), answers every
known JSON operation with the envelope, and stores nothing for a request it refuses.

The bulk (10,000 requests) runs in-process against the ASGI app, so it takes seconds; a smaller
share goes over a real socket, where the HTTP parser and the header bounds sit."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axis import AxisConfig, RunningAxis, create_app, running_axis
from axis.app import AxisApp
from axis.operations import OPERATIONS
from axis.signing import HeaderMap, sdk_hash_file
from axis.testing import Documents

REQUESTS_PER_EXAMPLE = 20
IN_PROCESS_EXAMPLES = 500  # x 20 = 10,000 requests
SOCKET_EXAMPLES = 15  # x 20 = 300 requests
SYSTEMS = ("02.22.W00", "00.41.W00", "00.14.W00")
AGENCIES = {
    "02.22.W00": "000.00.00.G22",
    "00.41.W00": "000.00.00.H41",
    "00.14.W00": "000.00.00.H14",
}
NAMES = (*OPERATIONS, "sendEdocs", "", "getEdoc/", "x/sendEdoc", "%00")


def _documents() -> list[bytes]:
    """Valid documents between the default systems' agencies, and damaged ones."""
    docs = Documents(seed=31)
    out = []
    for sender, receiver in (
        ("000.00.00.G22", "000.00.00.H41"),
        ("000.00.00.H41", "000.00.00.H14"),
    ):
        data = docs.edoc(sender, [receiver], attachments=1)
        out += [data, b"1212" + data, data[: len(data) // 2], data.replace(b"edXML", b"edXML:x", 3)]
        out.append(docs.status(receiver, "01"))
    out.append(
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode(
            "utf-16"
        )
    )
    out.append(b"<!DOCTYPE edXML SYSTEM 'http://127.0.0.1:9/x'><edXML/>")
    return out


DOCUMENTS = _documents()


@dataclass(frozen=True)
class Wire:
    """One generated request."""

    method: str
    name: str
    headers: list[tuple[bytes, bytes]]
    body: bytes


_WORDS = (
    "edoc",
    "status",
    "EDOC",
    "done",
    "fail",
    "processing",
    "",
    " ",
    "²",
    "٣",
    "1",
    "4",
    "0",
    "eDoc",
    "null",
    "000.00.00.G22",
    "00.41.W00",
    "a\u0301",
    "\u0000",
    "x" * 300,
)
_KEYS = (
    "messagetype",
    "servicetype",
    "docId",
    "docid",
    "status",
    "level",
    "AgencyCode",
    "to",
    "from",
    "hash-file",
    "filePath",
    "x-extra",
)
_BODIES = (
    b"{}",
    b"",
    b'{"code":"000.00.00.H99","name":"x"}',
    b'{"code":"00.41.W00"}',
    b'{"id":"","code":"000.00.00.G22","mail":cc""}',
    b"not json",
    b"\xff\xfe<\x00",
)
_SENDERS = (("02.22.W00", 0), ("00.41.W00", 5))  # (system, index of a document it may send)


def _text(rnd: random.Random) -> str:
    """A header value: a known word, random Unicode, or random printable text."""
    pick = rnd.random()
    if pick < 0.5:
        return rnd.choice(_WORDS)
    if pick < 0.8:
        return "".join(chr(rnd.randrange(0x20, 0x2FFF)) for _ in range(rnd.randrange(12)))
    return "".join(chr(rnd.randrange(0x21, 0x7F)) for _ in range(rnd.randrange(40)))


def _body(rnd: random.Random) -> bytes:
    pick = rnd.random()
    if pick < 0.3:
        return rnd.randbytes(rnd.randrange(300))
    if pick < 0.7:
        return rnd.choice(DOCUMENTS)
    return rnd.choice(_BODIES)


def _signed(system: str, secret: str, values: dict[str, str]) -> list[tuple[bytes, bytes]]:
    signing = HeaderMap(system, "05012026T093000+0001")
    signing.update({"Content-Type": "application/json", **values})
    return [
        (k.lower().encode(), v.encode("utf-8", "surrogatepass")) for k, v in signing.headers(secret)
    ]


def vxp_request(rnd: random.Random, doc_ids: list[str], secrets: dict[str, str]) -> Wire:
    """One request: a well-formed call of a known operation now and then, otherwise anything
    (any name, method, headers, body), signed by a real system or not."""
    if rnd.random() < 0.25:
        return _well_formed(rnd, doc_ids, secrets)
    name = rnd.choice(NAMES)
    op = OPERATIONS.get(name)
    method = op.method if op is not None and rnd.random() < 0.9 else rnd.choice(_METHODS)
    body = _body(rnd) if method != "GET" else b""
    values = {}
    for key in rnd.sample(_KEYS, rnd.randrange(7)):
        if key in ("docId", "docid") and doc_ids and rnd.random() < 0.5:
            values[key] = rnd.choice(doc_ids)
        elif key == "hash-file" and rnd.random() < 0.5:
            values[key] = sdk_hash_file(body[:-2] if body.endswith(b"\r\n") else body)
        else:
            values[key] = _text(rnd)
    if rnd.random() < 0.7:
        system = rnd.choice(SYSTEMS)
        secret = secrets[system] if rnd.random() < 0.85 else "wrong-secret"
        return Wire(method, name, _signed(system, secret, values), body)
    headers = [
        (("xroadvnpt-" + k).lower().encode(), v.encode("utf-8", "surrogatepass"))
        for k, v in values.items()
    ]
    if rnd.random() < 0.5:
        headers.append((b"xroadvnpt-systemid", _text(rnd).encode("utf-8", "surrogatepass")))
    return Wire(method, name, headers, body)


_METHODS = ("GET", "POST", "PUT", "DELETE")


def _well_formed(rnd: random.Random, doc_ids: list[str], secrets: dict[str, str]) -> Wire:
    name = rnd.choice(tuple(OPERATIONS))
    op = OPERATIONS[name]
    system = rnd.choice(SYSTEMS)
    values: dict[str, str] = {"servicetype": "eDoc", "messagetype": rnd.choice(("edoc", "status"))}
    body = b"{}" if op.method == "POST" else b""
    if name == "sendEdoc":
        system, index = rnd.choice(_SENDERS)
        document = DOCUMENTS[index + rnd.randrange(5)]
        values["messagetype"] = "status" if index + 4 == DOCUMENTS.index(document) else "edoc"
        values["hash-file"] = sdk_hash_file(document)
        values["from"] = system
        body = document + b"\r\n"
    elif "docId" in op.keys:
        values["docId"] = rnd.choice(doc_ids) if doc_ids else "none"
        values["status"] = rnd.choice(("done", "fail", "processing", "weird"))
    elif name == "registerAgency":
        body = rnd.choice(_BODIES[:5])
    elif name == "deleteAgency":
        values["AgencyCode"] = rnd.choice(("000.00.00.H99", AGENCIES[system], "28.22.H17"))
    elif name == "getAgenciesListQD20":
        values["level"] = rnd.choice(("1", "2", "4", "5", "²"))
    return Wire(op.method, name, _signed(system, secrets[system], values), body)


def ui_request(rnd: random.Random, doc_ids: list[str]) -> Wire:
    path = rnd.choice(
        (
            "/ui/",
            "/ui/fragments/messages",
            "/ui/fragments/counts",
            "/ui/fragments/nope",
            "/ui/documents/",
            "/ui/raw/",
            "/ui/login",
            "/ui/static/app.js",
            "/ui/fragments/documents/",
            "/ui/events",
        )
    )
    if path.endswith(("documents/", "raw/")):
        path += rnd.choice(doc_ids) if doc_ids and rnd.random() < 0.5 else _text(rnd)[:30]
    query = "&".join(
        f"{k}={_text(rnd)}"
        for k in rnd.sample(
            ("limit", "system", "agency", "status", "after", "next"), rnd.randrange(4)
        )
    )
    headers = [(b"cookie", b"lienthong_ui=" + _text(rnd).encode("utf-8", "surrogatepass"))]
    method = rnd.choice(("GET", "GET", "GET", "POST"))
    return Wire(
        method,
        path + ("?" + query if query else ""),
        headers,
        _body(rnd) if method == "POST" else b"",
    )


class Harness:
    """An axis app driven in-process (no socket): one event loop per batch of requests."""

    def __init__(self, app: AxisApp) -> None:
        self.app = app
        self.secrets = {s: app.store.registry.system(s).secret for s in SYSTEMS}  # type: ignore[union-attr]
        self.doc_ids: list[str] = []
        self.checked = 0

    async def call(self, wire: Wire, path: str) -> tuple[int, bytes]:
        raw_path, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": wire.method,
            "scheme": "http",
            "path": raw_path,
            "raw_path": raw_path.encode("utf-8", "surrogatepass"),
            "query_string": query.encode("utf-8", "surrogatepass"),
            "root_path": "",
            "headers": wire.headers,
            "client": ("127.0.0.1", 40000),
            "server": ("axis.test", 80),
        }
        sent: list[MutableMapping[str, Any]] = []
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                await asyncio.sleep(3600)
            delivered = True
            return {"type": "http.request", "body": wire.body, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        status = next(m["status"] for m in sent if m["type"] == "http.response.start")
        return status, b"".join(
            m.get("body", b"") for m in sent if m["type"] == "http.response.body"
        )

    def counts(self) -> tuple[int, ...]:
        return _counts(self.app)

    def restore_senders(self) -> None:
        """Give the senders their agencies back (a generated deleteAgency may have removed one),
        so that every example can also exercise accepted sends."""
        registry = self.app.store.registry
        for system, code in AGENCIES.items():
            agency = registry.find_agency(code)
            if agency is None or agency.system_id != system:
                self.app.operator.put_agency(code, system)

    def check_vxp(self, wires: list[Wire]) -> None:
        self.restore_senders()

        async def run() -> None:
            for wire in wires:
                before = self.counts()
                status, body = await self.call(wire, "/" + wire.name)
                judge(wire, status, body, before, self.counts(), self.doc_ids)
                self.checked += 1

        asyncio.run(run())

    def check_ui(self, wires: list[Wire]) -> None:
        async def run() -> None:
            for wire in wires:
                status, _ = await self.call(wire, wire.name)
                assert status < 500, (wire, status)
                self.checked += 1

        asyncio.run(run())


_COUNTS = (
    "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM deliveries), "
    "(SELECT count(*) FROM agencies), (SELECT coalesce(sum(version), 0) FROM agencies), "
    "(SELECT count(*) FROM systems)"
)


def _counts(app: AxisApp) -> tuple[int, ...]:
    """What a refused request must not change: messages, deliveries, the registry."""
    with app.store.db.lock:
        return tuple(app.store.db.conn.execute(_COUNTS).fetchone())


def judge(
    wire: Wire,
    status: int,
    body: bytes,
    before: tuple[int, ...],
    after: tuple[int, ...],
    doc_ids: list[str],
) -> None:
    assert status < 500, (wire, status, body[:200])
    op = OPERATIONS.get(wire.name.rsplit("/", 1)[-1])  # the path's last segment names it
    if op is not None and not op.json:  # downloadEdoc: the bytes, or an empty 404
        assert status == 200 or (status, body) == (404, b""), (wire, status)
        assert after == before, wire
        return
    if op is None or wire.method != op.method:
        envelope = orjson.loads(body)
        assert (envelope["status"], envelope["ErrorCode"]) == ("FAIL", "2"), envelope
        assert after == before, wire
        return
    envelope = orjson.loads(body)
    assert isinstance(envelope, dict), body[:200]
    assert all(isinstance(envelope.get(k), str) for k in ("status", "ErrorCode", "ErrorDesc"))
    assert envelope["ErrorCode"] != "9", (wire, envelope)
    if envelope["status"] != "OK":
        assert after == before, ("a refused request changed the store", wire, envelope)
    elif op.name == "sendEdoc" and envelope["DocId"] not in doc_ids:
        doc_ids.append(envelope["DocId"])


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    app = create_app(AxisConfig(seed=31), data_dir=tmp_path_factory.mktemp("fuzz"))
    try:
        yield Harness(app)
    finally:
        app.store.close()


FUZZ = settings(
    max_examples=IN_PROCESS_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.slow
def test_ten_thousand_requests_in_process_never_break_the_axis(harness: Harness) -> None:
    @FUZZ
    @given(st.integers(0, 2**64))
    def run(seed: int) -> None:
        rnd = random.Random(seed)
        wires = [
            vxp_request(rnd, harness.doc_ids, harness.secrets) for _ in range(REQUESTS_PER_EXAMPLE)
        ]
        harness.check_vxp(wires)

    run()
    assert harness.checked >= 10_000
    assert harness.doc_ids, "no generated send was accepted: the generator is too timid"


@pytest.mark.slow
def test_the_dashboard_never_breaks_whatever_it_is_asked(harness: Harness) -> None:
    @settings(FUZZ, max_examples=100)
    @given(st.integers(0, 2**64))
    def run(seed: int) -> None:
        rnd = random.Random(seed)
        harness.check_ui([ui_request(rnd, harness.doc_ids) for _ in range(REQUESTS_PER_EXAMPLE)])

    run()


@pytest.fixture(scope="module")
def server() -> Iterator[RunningAxis]:
    with running_axis(AxisConfig(seed=32)) as axis:
        yield axis


@pytest.mark.slow
def test_requests_over_a_real_socket_never_break_the_axis(server: RunningAxis) -> None:
    secrets = {s: server.systems[s] for s in SYSTEMS}
    doc_ids: list[str] = []
    counted = [0]

    def counts() -> tuple[int, ...]:
        return _counts(server.app)

    @settings(FUZZ, max_examples=SOCKET_EXAMPLES)
    @given(st.integers(0, 2**64))
    def run(seed: int) -> None:
        rnd = random.Random(seed)
        wires = [vxp_request(rnd, doc_ids, secrets) for _ in range(REQUESTS_PER_EXAMPLE)]
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for wire in wires:
                before = counts()
                headers = [(k, v) for k, v in wire.headers if b"\n" not in v and b"\r" not in v]
                try:
                    response = http.request(
                        wire.method, "/" + wire.name, headers=headers, content=wire.body
                    )
                except httpx.LocalProtocolError:
                    continue  # a header httpx itself will not send
                judge(wire, response.status_code, response.content, before, counts(), doc_ids)
                counted[0] += 1

    run()
    assert counted[0] >= 200
