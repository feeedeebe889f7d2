"""An httpx transport that calls an ASGI app in this process: the synchronous clients
(``AxisClient``, ``AxisAdmin``) talk to an axis without a socket, for fast unit tests.

httpx's own ``ASGITransport`` is async only; this one runs the app on an event loop in a
background thread (an anyio blocking portal) and hands each request to it.
"""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
from anyio.from_thread import start_blocking_portal

__all__ = ["InProcessTransport"]


class InProcessTransport(httpx.BaseTransport):
    """``httpx.Client(transport=InProcessTransport(app))`` calls ``app`` directly, as if from
    ``client`` (address, port). Close it (or close the client) to stop its event loop."""

    def __init__(self, app: Any, *, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        self._stack = contextlib.ExitStack()
        self._portal = self._stack.enter_context(start_blocking_portal(backend="asyncio"))
        self._inner = httpx.ASGITransport(app=app, client=client)

    def __repr__(self) -> str:
        return f"InProcessTransport({self._inner.app!r})"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def run() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            inner = httpx.Request(
                request.method, request.url, headers=request.headers.raw, content=body
            )
            response = await self._inner.handle_async_request(inner)
            content = await response.aread()
            return response.status_code, response.headers.raw, content

        status, headers, content = self._portal.call(run)
        return httpx.Response(status, headers=headers, content=content, request=request)

    def close(self) -> None:
        self._stack.close()
