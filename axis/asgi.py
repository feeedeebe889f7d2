"""The few ASGI pieces the axis's hot path uses without a framework: types, sending a whole
answer, reading a bounded body within a deadline, waiting for a client to go."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from axis.errors import BadRequest, ErrorCode, TooLarge

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = [
    "ASGIApp",
    "ClientGone",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "SlowBody",
    "read_body",
    "send_bytes",
    "until_disconnect",
]


class ClientGone(Exception):
    """The client disconnected before its request was complete."""


class SlowBody(BadRequest):
    """The body stalled, or took too long in all."""

    code = ErrorCode.BAD_REQUEST


async def send_bytes(
    send: Send, status: int, body: bytes, content_type: bytes, *, close: bool = False
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def read_body(
    receive: Receive,
    limit: int,
    declared: int | None,
    *,
    chunked: bool,
    idle_s: float,
    total_s: float,
) -> bytes:
    """The whole body, refused (``TooLarge``) past ``limit`` bytes, before reading when the
    declared length says so; ``SlowBody`` when no byte comes for ``idle_s`` seconds or the
    whole body takes longer than ``total_s``. A request that declares no body (no length, or
    0, and not ``chunked``) is read without a timer: the server has it all already."""
    if declared is not None and declared > limit:
        raise TooLarge(f"body of {declared:,} bytes is over the limit of {limit:,} bytes")
    chunks: list[bytes] = []
    size = 0
    if not chunked and not declared:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        first = bytes(message.get("body", b""))
        if not message.get("more_body", False):
            return first
        chunks.append(first)  # an in-process client may stream a body it did not declare
        size = len(first)
        if size > limit:
            raise TooLarge(f"body is over the limit of {limit:,} bytes")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + total_s
    try:
        # One timer for the whole body, moved forward at every chunk (cheaper than a timeout per
        # receive on the hot path).
        async with asyncio.timeout(min(loop.time() + idle_s, deadline)) as timer:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientGone
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"body is over the limit of {limit:,} bytes")
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
                timer.reschedule(min(loop.time() + idle_s, deadline))
    except TimeoutError:
        raise SlowBody(
            f"the body did not arrive in time (no data for {idle_s:g} s, or over "
            f"{total_s:g} s in all); send it at once"
        ) from None


async def until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
