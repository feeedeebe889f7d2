"""``lienthong contract check``: the reference SUT's controller passes every endpoint; a
controller with one broken answer (each endpoint in turn) is named broken on exactly that
endpoint, with the exact key and the shape the contract expects; a controller that cannot be
reached is exit 2; a SUT whose axis requests are badly signed is told so at configure."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from axis.server import running_app
from conformance import contract
from conformance.contract_check import CheckAborted, check_contract, render_lines
from conformance.reference import Behaviour, ReferenceSut, create_controller
from lienthong.cli import main

Mutation = Callable[[int, Any], tuple[int, Any]]


def _pattern(ep: contract.Endpoint) -> re.Pattern[str]:
    return re.compile("^" + re.escape(ep.path).replace(r"\{documentId\}", "[^/]+") + "$")


_ROUTES = [(ep, _pattern(ep)) for ep in contract.ENDPOINTS]


def endpoint_of(method: str, raw_path: bytes) -> str | None:
    path = raw_path.split(b"?", 1)[0].decode("latin-1")
    for ep, pattern in _ROUTES:
        if ep.method == method and pattern.match(path):
            return ep.name
    return None


class Breaker:
    """An ASGI wrapper that rewrites the answers of one endpoint with ``mutation``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.endpoint: str | None = None
        self.mutation: Mutation | None = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        name = None
        if scope["type"] == "http":
            name = endpoint_of(scope["method"], scope.get("raw_path") or b"")
        if name is None or name != self.endpoint or self.mutation is None:
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keep(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        status, body = self.mutation(start["status"], json.loads(b"".join(chunks)))
        data = json.dumps(body).encode()
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(data)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})


@dataclass
class Controller:
    url: str
    breaker: Breaker


@pytest.fixture(scope="module")
def controller() -> Iterator[Controller]:
    sut = ReferenceSut()
    breaker = Breaker(create_controller(sut))
    try:
        with running_app(breaker) as url:
            yield Controller(url, breaker)
    finally:
        sut.close()


def _on_ok(change: Callable[[dict], Any]) -> Mutation:
    """Change successful answers only (the refusals the check provokes stay right)."""

    def mutate(status: int, body: Any) -> tuple[int, Any]:
        if status < 400:
            body = change(body)
        return status, body

    return mutate


def _without(key: str) -> Callable[[dict], dict]:
    return lambda body: {k: v for k, v in body.items() if k != key}


def _with(key: str, value: object) -> Callable[[dict], dict]:
    return lambda body: {**body, key: value}


@pytest.mark.slow
def test_the_reference_controller_passes_every_endpoint(controller: Controller) -> None:
    controller.breaker.endpoint = None
    report = check_contract(controller.url, wait=15)
    lines = "\n".join(render_lines(report))
    assert report.exit_code == 0, lines
    assert [c.endpoint.name for c in report.checks] == [
        "info",
        "configure",
        "send",
        "action",
        "take-back",
        "take-back-answer",
        "documents",
        "document",
        "reset",
    ]
    assert {c.verdict for c in report.checks} == {"ok"}, lines
    assert report.check("configure").right[-1].startswith("the SUT listed its inbox")
    assert any("illegal-transition" in r for r in report.check("action").right)
    assert report.seconds < 15


# endpoint, mutation, what the check must say about it (each a substring of one wrong line)
BREAKS: list[tuple[str, str, Mutation, tuple[str, ...]]] = [
    (
        "info",
        "no capabilities",
        _on_ok(_without("capabilities")),
        ('$.capabilities: missing; expected an array of unique items, each one of "registered"',),
    ),
    (
        "configure",
        "configured is a word",
        _on_ok(_with("configured", "yes")),
        ('$.configured: "yes" (a string); expected true',),
    ),
    (
        "configure",
        "echoes another agency",
        _on_ok(_with("organId", "000.00.00.H41")),
        ('$.organId: "000.00.00.H41" (a string); expected "000.00.00.H44"',),
    ),
    (
        "send",
        "no businessKind",
        _on_ok(_without("businessKind")),
        ('$.businessKind: missing; expected one of "new", "revoke", "update", "replace"',),
    ),
    (
        "send",
        "200 instead of 201",
        lambda status, body: (200 if status == 201 else status, body),
        ("HTTP 200; expected HTTP 201 with a send.response",),
    ),
    (
        "action",
        "statusCode as a number",
        _on_ok(_with("statusCode", 3)),
        ('accept: $.statusCode: 3 (an integer); expected one of "01", "02", "03"',),
    ),
    (
        "action",
        "refusal without a message",
        lambda status, body: (status, _without("message")(body) if status >= 400 else body),
        ("error body $.message: missing; expected a string",),
    ),
    (
        "take-back",
        "statusCode 15",
        _on_ok(_with("statusCode", "15")),
        ('$.statusCode: "15" (a string); expected "13"',),
    ),
    (
        "take-back-answer",
        "no state",
        _on_ok(_without("state")),
        ('$.state: missing; expected one of "new", "arrived", "refused", "accepted"',),
    ),
    (
        "documents",
        "documents is an object",
        _on_ok(_with("documents", {})),
        ("$.documents: {} (an object); expected an array of items",),
    ),
    (
        "document",
        "direction incoming",
        _on_ok(_with("direction", "incoming")),
        ('$.direction: "incoming" (a string); expected one of "received", "sent"',),
    ),
    (
        "document",
        "unknown document answered 200",
        lambda status, body: (200, {"documentId": "x"}) if status == 404 else (status, body),
        ("a document the SUT does not have: HTTP 200; expected HTTP 404 'unknown-document'",),
    ),
    (
        "reset",
        "reset is a word",
        _on_ok(_with("reset", "ok")),
        ('$.reset: "ok" (a string); expected true',),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("endpoint", "mutation", "said"),
    [pytest.param(e, m, s, id=f"{e}: {what}") for e, what, m, s in BREAKS],
)
def test_one_broken_answer_is_named_with_its_key_and_shape(
    controller: Controller, endpoint: str, mutation: Mutation, said: tuple[str, ...]
) -> None:
    controller.breaker.endpoint = endpoint
    controller.breaker.mutation = mutation
    try:
        report = check_contract(controller.url, wait=15)
    finally:
        controller.breaker.endpoint = None
    lines = "\n".join(render_lines(report))
    assert report.exit_code == 1, lines
    broken = report.check(endpoint)
    assert broken.verdict == "broken", lines
    for text in said:
        assert any(text in line for line in broken.wrong), f"{text!r} not in:\n{lines}"
    others = {c.endpoint.name: c.verdict for c in report.checks if c is not broken}
    assert set(others.values()) <= {"ok", "skipped"}, lines
    if endpoint != "info":  # without capabilities the optional endpoints are not declared
        assert set(others.values()) == {"ok"}, lines
    label = f"{broken.endpoint.method} {broken.endpoint.path}"
    assert any(line.startswith(label) and line.endswith("BROKEN") for line in lines.splitlines())


@pytest.mark.slow
def test_badly_signed_axis_requests_are_named_at_configure() -> None:
    sut = ReferenceSut(Behaviour.with_defects("wrong-secret"))
    try:
        with running_app(create_controller(sut)) as url:
            report = check_contract(url, wait=2)
    finally:
        sut.close()
    configure = report.check("configure")
    assert report.exit_code == 1
    assert any("refused all" in w and "for their signature" in w for w in configure.wrong)
    assert "AXIS_PROTOCOL.md §2" in " ".join(configure.wrong)


@pytest.mark.slow
def test_an_unreachable_controller_cannot_be_checked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as held:  # bound, never listening: every connection is refused
        held.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{held.getsockname()[1]}"
        with pytest.raises(CheckAborted, match="does not answer GET /lienthong/v1/info"):
            check_contract(url, startup=0.3)
        assert main(["contract", "check", url]) == 2
    assert "is the test build running" in capsys.readouterr().err
    assert main(["contract", "check", "ftp://sut"]) == 2


@pytest.mark.slow
def test_the_command_prints_each_endpoint_and_exits_0(
    controller: Controller, capsys: pytest.CaptureFixture[str]
) -> None:
    controller.breaker.endpoint = None
    assert main(["contract", "check", controller.url, "--wait", "15"]) == 0
    out = capsys.readouterr().out
    for ep in contract.ENDPOINTS:
        assert f"{ep.method} {ep.path}" in out
    assert "OK: 9 endpoint(s) right, 0 broken, 0 not checked" in out
    assert main(["contract", "check", controller.url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exitCode"] == 0
    assert {e["verdict"] for e in data["endpoints"]} == {"ok"}
