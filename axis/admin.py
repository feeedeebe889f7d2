"""The admin API under ``/_admin``: how tests, the conformance suite and operators drive and
watch the fake axis (reset, systems and agencies, injected messages, transcript events and
long-polls, faults, statistics).

Every endpoint but the OpenAPI document needs ``Authorization: Bearer <token>``. Inputs are
checked against the OpenAPI document's own schemas, so the document is the contract; refusals
are ``4xx`` with ``{"error": "..."}``. Secrets go in, never out.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import itertools
import json
from collections.abc import Awaitable, Callable, Iterator
from importlib import resources
from typing import Any, TypeVar

import jsonschema
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from axis.errors import AxisError, ConfigError, NotFound
from axis.events import Event
from axis.numbers import decimal_number, whole_number
from axis.ports import AxisControl
from axis.records import Agency

MAX_SAFE_INT = 2**53 - 1
DEFAULT_WAIT_S = 10.0
_EXPORT_CHUNK_LINES = 1000

__all__ = ["admin_app", "openapi_document"]


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The admin API's OpenAPI 3.0 document."""
    text = (resources.files("axis") / "admin_openapi.yaml").read_text("utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


@functools.cache
def _validator(name: str) -> jsonschema.Draft7Validator:
    schema = {"$ref": f"#/components/schemas/{name}", **openapi_document()}
    return jsonschema.Draft7Validator(schema)


async def _body(request: Request, schema: str, *, required: bool = True) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise _Refused(400, f"a JSON body ({schema}) is required")
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Refused(400, f"body is not JSON: {exc}") from None
    error = next(iter(_validator(schema).iter_errors(value)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(body)"
        raise _Refused(400, f"{schema} invalid at {where}: {error.message}")
    body: dict[str, Any] = value  # every request schema is an object
    return body


_N = TypeVar("_N", int, float)


def _number(request: Request, name: str, kind: type[_N], default: _N, low: _N, high: _N) -> _N:
    """Query parameter ``name`` as ``kind`` (int or float, ASCII digits) within ``low..high``."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = whole_number(raw) if kind is int else decimal_number(raw)
    if value is None:
        what = "a whole number" if kind is int else "a number"
        raise _Refused(400, f"query parameter {name}={raw[:40]!r} must be {what} (ASCII digits)")
    if not low <= value <= high:
        raise _Refused(400, f"query parameter {name}={raw[:40]!r} must be in {low}..{high}")
    return kind(value)


def _text(request: Request, name: str, limit: int) -> str | None:
    raw = request.query_params.get(name)
    if raw is not None and len(raw) > limit:
        raise _Refused(400, f"query parameter {name} is longer than {limit} characters")
    return raw


def _agency_json(agency: Agency, findings: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "id": agency.id,
        "code": agency.code,
        "alt_code": agency.alt_code or "",
        "system_id": agency.system_id,
        "name": agency.name,
        "valid": agency.valid,
        "deleted": agency.deleted,
        "version": agency.version,
        "findings": findings or [],
    }


Endpoint = Callable[[AxisControl, Request], Awaitable[Response]]


def bearer_token(request: Request) -> str:
    """The token of an ``Authorization: Bearer <token>`` header ("" when none)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _guarded(axis: AxisControl, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        if not axis.check_token(bearer_token(request)):
            return _error(401, "missing or wrong bearer token (printed when the axis started)")
        try:
            response = await endpoint(axis, request)
        except _Refused as exc:
            response = _error(exc.status, exc.message)
        except NotFound as exc:
            response = _error(404, exc.message)
        except (ConfigError, AxisError) as exc:
            response = _error(400, exc.message)
        # Answer only once what the call wrote is committed (it may share a batch with VXP
        # calls of the same event-loop turn).
        if not await axis.durable():
            return _error(503, "the store could not commit; nothing was changed")
        return response

    return run


# --- endpoints -----------------------------------------------------------------------------


async def stats(axis: AxisControl, request: Request) -> Response:
    return JSONResponse(axis.stats())


async def reset(axis: AxisControl, request: Request) -> Response:
    body = await _body(request, "ResetRequest", required=False)
    parts = {k: bool(body.get(k, True)) for k in ("messages", "registry", "faults")}
    cursor = axis.reset(**parts)
    return JSONResponse({"ok": True, "cursor": cursor})


async def list_systems(axis: AxisControl, request: Request) -> Response:
    return JSONResponse(axis.list_systems())


async def put_system(axis: AxisControl, request: Request) -> Response:
    body = await _body(request, "SystemRequest")
    info = axis.put_system(
        body["system_id"], body["secret"], body.get("name", ""), list(body.get("agencies", []))
    )
    return JSONResponse(info)


async def list_agencies(axis: AxisControl, request: Request) -> Response:
    return JSONResponse([_agency_json(a) for a in axis.agencies(include_deleted=True)])


async def put_agency(axis: AxisControl, request: Request) -> Response:
    body = await _body(request, "AgencyRequest")
    agency, findings = axis.put_agency(
        body["code"],
        body["system_id"],
        name=body.get("name", ""),
        mail=body.get("mail", ""),
        strict=body.get("strict"),
    )
    return JSONResponse(_agency_json(agency, findings))


async def delete_agency(axis: AxisControl, request: Request) -> Response:
    axis.delete_agency(request.path_params["code"])
    return JSONResponse({"ok": True})


def _inject_body(body: dict[str, Any]) -> bytes:
    if ("body_base64" in body) == ("body_text" in body):
        raise _Refused(400, "give exactly one of body_base64 and body_text")
    if "body_text" in body:
        text: str = body["body_text"]
        return text.encode("utf-8")
    try:
        return base64.b64decode(body["body_base64"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _Refused(400, f"body_base64 is not base64: {exc}") from None


async def inject(axis: AxisControl, request: Request) -> Response:
    body = await _body(request, "InjectRequest")
    if ("system_id" in body) == ("as_agency" in body):
        raise _Refused(400, "give exactly one of system_id and as_agency")
    if "as_agency" in body:
        agency = axis.find_agency(body["as_agency"])
        if agency is None:
            raise _Refused(404, f"agency {body['as_agency']!r} is not registered")
        system_id = agency.system_id
    else:
        system_id = body["system_id"]
    answer = axis.inject(
        _inject_body(body),
        system_id=system_id,
        messagetype=body.get("messagetype", "edoc"),
        to=list(body.get("to", [])),
        unparsed=bool(body.get("unparsed", False)),
    )
    return JSONResponse(answer)


async def list_messages(axis: AxisControl, request: Request) -> Response:
    after = _number(request, "after", int, 0, 0, MAX_SAFE_INT)
    limit = _number(request, "limit", int, 100, 1, 1000)
    return JSONResponse(axis.list_messages(limit=limit, after_seq=after))


async def message_body(axis: AxisControl, request: Request) -> Response:
    """The exact bytes a message was stored with (junk before ``<?xml`` included), so a harness
    watching a running axis can judge messages sent to systems it does not play."""
    body = axis.body(request.path_params["doc_id"])
    if body is None:
        raise _Refused(404, f"no stored message with DocId {request.path_params['doc_id']!r}")
    return Response(body, media_type="application/octet-stream")


def _page(events: list[Event], cursor: int) -> dict[str, Any]:
    return {"events": [e.to_json() for e in events], "cursor": events[-1].seq if events else cursor}


async def timeline(axis: AxisControl, request: Request) -> Response:
    return JSONResponse(_page(axis.timeline(request.path_params["doc_id"]), 0))


def _filters(request: Request) -> dict[str, str | None]:
    return {
        "kind": _text(request, "kind", 100),
        "system": _text(request, "system", 200),
        "doc_id": _text(request, "doc_id", 200),
        "op": _text(request, "op", 100),
    }


async def events(axis: AxisControl, request: Request) -> Response:
    after = _number(request, "after", int, 0, 0, MAX_SAFE_INT)
    limit = _number(request, "limit", int, 1000, 1, 5000)
    found = axis.events_after(after, limit=limit, **_filters(request))
    return JSONResponse(_page(found, after))


async def wait_event(axis: AxisControl, request: Request) -> Response:
    after = _number(request, "after", int, 0, 0, MAX_SAFE_INT)
    timeout = _number(request, "timeout", float, DEFAULT_WAIT_S, 0.0, 60.0)
    filters = _filters(request)
    extra = {
        "status": _text(request, "status", 100),
        "error_code": _text(request, "error_code", 10),
    }
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        wake = axis.bus.snapshot()
        batch = axis.events_after(after, limit=500, **filters)
        for event in batch:
            if event.matches(**extra):
                return JSONResponse(
                    {"event": event.to_json(), "timed_out": False, "cursor": event.seq}
                )
        if batch:
            after = batch[-1].seq
            if len(batch) == 500:
                continue
        remaining = deadline - loop.time()
        if remaining <= 0:
            return JSONResponse({"timed_out": True, "cursor": after})
        await axis.bus.wait(wake, remaining)


async def export_transcript(axis: AxisControl, request: Request) -> Response:
    # Starlette steps a plain iterator in its thread pool, one hop per item: a chunk of lines
    # per hop, not a line.
    def chunks() -> Iterator[str]:
        lines = axis.export_lines()
        while batch := list(itertools.islice(lines, _EXPORT_CHUNK_LINES)):
            yield "".join(f"{line}\n" for line in batch)

    return StreamingResponse(chunks(), media_type="application/x-ndjson")


async def get_faults(axis: AxisControl, request: Request) -> Response:
    return JSONResponse(axis.active_faults())


async def set_faults(axis: AxisControl, request: Request) -> Response:
    raw = await request.body()
    try:
        spec = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Refused(400, f"body is not JSON: {exc}") from None
    if not isinstance(spec, dict):
        raise _Refused(400, "the fault plan must be a JSON object with 'rules'")
    axis.set_faults(spec)
    return JSONResponse(axis.active_faults())


async def clear_faults(axis: AxisControl, request: Request) -> Response:
    axis.set_faults(None)
    return JSONResponse({"ok": True})


async def _openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


async def _unknown(request: Request) -> Response:
    return _error(404, f"no admin endpoint {request.url.path!r}; see /_admin/openapi.json")


def admin_app(axis: AxisControl) -> Starlette:
    """The Starlette app mounted at ``/_admin``."""

    def guarded(path: str, endpoint: Endpoint, methods: list[str]) -> Route:
        return Route(path, _guarded(axis, endpoint), methods=methods)

    return Starlette(
        routes=[
            Route("/openapi.json", _openapi, methods=["GET"]),
            guarded("/stats", stats, ["GET"]),
            guarded("/reset", reset, ["POST"]),
            guarded("/systems", list_systems, ["GET"]),
            guarded("/systems", put_system, ["POST"]),
            guarded("/agencies", list_agencies, ["GET"]),
            guarded("/agencies", put_agency, ["POST"]),
            guarded("/agencies/{code:path}", delete_agency, ["DELETE"]),
            guarded("/inject", inject, ["POST"]),
            guarded("/messages", list_messages, ["GET"]),
            guarded("/messages/{doc_id:path}/body", message_body, ["GET"]),
            guarded("/timeline/{doc_id:path}", timeline, ["GET"]),
            guarded("/events", events, ["GET"]),
            guarded("/events/wait", wait_event, ["GET"]),
            guarded("/transcript.jsonl", export_transcript, ["GET"]),
            guarded("/faults", get_faults, ["GET"]),
            guarded("/faults", set_faults, ["PUT"]),
            guarded("/faults", clear_faults, ["DELETE"]),
            Route("/{rest:path}", _unknown, methods=["GET"]),
        ]
    )
