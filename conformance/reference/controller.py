"""The reference SUT's control endpoint: the adapter contract served over HTTP (Starlette).

Every request body is checked against the contract's schema before the SUT sees it, and every
answer against its schema before it leaves, so the reference is also a living test of the
contract. Document ids arrive percent-encoded in one path segment; they are read from the raw
path, because a decoded ``%2F`` would split them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from conformance import contract
from conformance.contract import (
    Action,
    Configuration,
    DocumentRequest,
    TakeBackAnswer,
    TakeBackRequest,
)
from conformance.errors import ContractViolation, SutError
from conformance.reference.sut import ReferenceSut

__all__ = ["create_controller"]

log = logging.getLogger("conformance.reference")

Handler = Callable[[Request], Awaitable[JSONResponse]]

_DOCUMENTS = contract.BASE_PATH + "/documents/"
_SUFFIXES = (
    ("/take-back/answer", "take-back-answer"),
    ("/take-back", "take-back"),
    ("/actions", "action"),
)


def _error(code: str, message: str, rule: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message}
    if rule is not None:
        body["rule"] = rule
    return JSONResponse(body, status_code=contract.ERROR_STATUS.get(code, 500))


def _answer(name: str, body: Any) -> JSONResponse:
    ep = contract.endpoint(name)
    contract.validate(ep.response, body)
    return JSONResponse(body, status_code=ep.success)


async def _not_routed(request: Request, exc: Exception) -> JSONResponse:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return JSONResponse(
        {
            "error": "bad-request" if status < 500 else "internal",
            "message": f"no endpoint {request.method} {request.url.path!r} in adapter contract "
            f"{contract.CONTRACT_VERSION}",
        },
        status_code=status,
    )


def _guard(handler: Handler) -> Handler:
    """Turn the SUT's refusals into the contract's error bodies."""

    async def endpoint(request: Request) -> JSONResponse:
        try:
            return await handler(request)
        except SutError as exc:
            return _error(exc.code, exc.message, exc.rule)
        except ContractViolation as exc:  # an answer of ours that breaks the contract
            return _error("internal", str(exc))
        except Exception as exc:  # a bug: still answer in the contract's shape
            log.exception(
                "reference SUT controller: %s %s failed", request.method, request.url.path
            )
            return _error("internal", f"{type(exc).__name__}: {exc}")

    return endpoint


async def _body(request: Request, name: str) -> dict[str, Any]:
    """The request body of endpoint ``name``, checked against its schema."""
    schema = contract.endpoint(name).request or ""
    raw = await request.body()
    try:
        data = json.loads(raw or b"{}")
    except ValueError as exc:
        raise SutError("bad-request", f"the body is not JSON: {exc}") from None
    found = contract.problems(schema, data)
    if found:
        raise SutError("bad-request", f"{schema}: " + "; ".join(found[:5]))
    return data


def _document_route(request: Request) -> tuple[str, str]:
    """(endpoint name, document id) for a path under /documents/, read from the raw path."""
    raw = request.scope.get("raw_path") or request.url.path.encode("utf-8")
    path = raw.split(b"?", 1)[0].decode("latin-1")
    rest = path[len(_DOCUMENTS) :]
    name, encoded = None, rest
    if request.method == "POST":
        for suffix, candidate in _SUFFIXES:
            if rest.endswith(suffix):
                name, encoded = candidate, rest[: -len(suffix)]
                break
    elif "/" not in rest:
        name = "document"
    if name is None or not encoded:
        raise SutError(
            "bad-request",
            f"no endpoint {request.method} {path!r} in adapter contract {contract.CONTRACT_VERSION}",
        )
    return name, unquote(encoded, encoding="utf-8", errors="strict")


def create_controller(sut: ReferenceSut) -> Starlette:
    """The ASGI app serving ``sut`` under ``/lienthong/v1``."""

    async def info(request: Request) -> JSONResponse:
        return _answer("info", sut.info().to_json())

    async def configure(request: Request) -> JSONResponse:
        config = Configuration.from_json(await _body(request, "configure"))
        await run_in_threadpool(sut.configure, config)
        return _answer(
            "configure",
            {"configured": True, "organId": config.organ_id, "systemId": config.system_id},
        )

    async def reset(request: Request) -> JSONResponse:
        await _body(request, "reset")
        await run_in_threadpool(sut.reset)
        return _answer("reset", {"reset": True})

    async def documents(request: Request) -> JSONResponse:
        if request.method == "POST":
            try:
                send = DocumentRequest.from_json(await _body(request, "send"))
            except ValueError as exc:
                raise SutError("bad-request", str(exc)) from None
            sent = await run_in_threadpool(sut.send, send)
            return _answer("send", sent.to_json())
        direction = request.query_params.get("direction")
        if direction not in (None, "received", "sent"):
            raise SutError("bad-request", f"direction={direction!r} must be received or sent")
        found = await run_in_threadpool(sut.documents, direction)
        return _answer("documents", {"documents": [d.to_json() for d in found]})

    async def document(request: Request) -> JSONResponse:
        name, document_id = _document_route(request)
        if name == "document":
            found = await run_in_threadpool(sut.document, document_id)
            return _answer(name, found.to_json())
        body = await _body(request, name)
        if name == "action":
            action = Action(body["action"])
            result = await run_in_threadpool(
                sut.act, document_id, action, body.get("reason"), body.get("staff")
            )
            return _answer(name, result.to_json())
        if name == "take-back":
            ask = TakeBackRequest.from_json(body)
            result = await run_in_threadpool(
                sut.request_take_back, document_id, ask.recipient, ask.reason
            )
            return _answer(
                name,
                {
                    "documentId": document_id,
                    "recipient": ask.recipient,
                    "statusCode": result.status_code.value,
                },
            )
        answer = TakeBackAnswer.from_json(body)
        result = await run_in_threadpool(
            sut.answer_take_back, document_id, answer.requester, answer.agree, answer.reason
        )
        return _answer(name, result.to_json())

    base = contract.BASE_PATH
    return Starlette(
        routes=[
            Route(base + "/info", _guard(info), methods=["GET"]),
            Route(base + "/configure", _guard(configure), methods=["POST"]),
            Route(base + "/reset", _guard(reset), methods=["POST"]),
            Route(base + "/documents", _guard(documents), methods=["GET", "POST"]),
            Route(base + "/documents/{rest:path}", _guard(document), methods=["GET", "POST"]),
        ],
        exception_handlers={404: _not_routed, 405: _not_routed},
    )
