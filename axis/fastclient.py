"""A lean asyncio client of the axis protocol for load generation: raw HTTP/1.1 over one
keep-alive connection, signed exactly like the SDK (fresh header map per call).

``AxisClient`` (httpx) is the reference client; this one trades features (no retries, no
redirects, no TLS, no chunked answers) for a client-side cost low enough that a benchmark on
a small machine measures the axis rather than the client.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from axis.errors import ProtocolError, error_for
from axis.signing import SDK_VERSION, USER_AGENT, HeaderMap, format_sdk_timestamp, sdk_hash_file
from spec.clock import SYSTEM_CLOCK, Clock, wall_time

__all__ = ["FastAxisClient", "FastConnection"]

_FIXED = f"User-Agent: {USER_AGENT}\r\nXroadVnpt-version: {SDK_VERSION}\r\n".encode()


class FastConnection:
    """One keep-alive HTTP/1.1 connection; requests on it are sequential."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._host = host.encode()

    @classmethod
    async def open(cls, host: str, port: int) -> FastConnection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(ConnectionError):
            await self._writer.wait_closed()

    async def request(self, method: str, path: str, head: bytes, body: bytes) -> tuple[int, bytes]:
        """Send one request (``head``: header lines, each ending in CRLF); return (status,
        body)."""
        self._writer.write(
            b"%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %d\r\n\r\n%s"
            % (method.encode(), path.encode(), self._host, head, len(body), body)
        )
        raw = await self._reader.readuntil(b"\r\n\r\n")
        status = int(raw[9:12])
        length = 0
        for line in raw.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return status, await self._reader.readexactly(length) if length else b""


class FastAxisClient:
    """One system on one connection: the operations a load test needs, answering parsed
    envelopes (raising the :mod:`axis.errors` exception of a ``FAIL``)."""

    def __init__(
        self,
        connection: FastConnection,
        system_id: str,
        secret: str,
        base_path: str = "",
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.connection = connection
        self.system_id = system_id
        self._secret = secret
        self._base = HeaderMap(system_id, format_sdk_timestamp(wall_time(clock)))
        self._prefix = base_path.rstrip("/") + "/"

    def _head(self, content_type: str, header_json: Mapping[str, str]) -> bytes:
        headers = self._base.copy()
        headers.update({"Content-Type": content_type})
        headers.update(header_json)
        lines = [f"{k}: {v}\r\n".encode() for k, v in headers.headers(self._secret)]
        return b"".join(lines) + _FIXED

    async def call(
        self,
        operation: str,
        header_json: Mapping[str, str],
        body: bytes = b"",
        *,
        content_type: str = "application/json",
    ) -> dict[str, Any]:
        head = self._head(content_type, header_json)
        status, payload = await self.connection.request(
            "POST", self._prefix + operation, head, body
        )
        try:
            envelope = json.loads(payload)
        except ValueError:
            raise ProtocolError(
                f"{operation}: HTTP {status} with non-JSON {payload[:80]!r}"
            ) from None
        if not isinstance(envelope, dict):
            raise ProtocolError(
                f"{operation}: HTTP {status} with a JSON {envelope!r:.80}, not an object"
            )
        if envelope.get("status") != "OK":
            raise error_for(envelope.get("ErrorCode", ""), str(envelope.get("ErrorDesc", "")))
        return envelope

    async def send_edoc(
        self, data: bytes, messagetype: str = "edoc", to: Sequence[str] = ()
    ) -> str:
        header_json = {
            "from": self.system_id,
            "servicetype": "eDoc",
            "messagetype": messagetype,
            "hash-file": sdk_hash_file(data),
        }
        if to:
            header_json["to"] = ",".join(to)
        envelope = await self.call(
            "sendEdoc", header_json, data + b"\r\n", content_type="application/octet-stream"
        )
        return str(envelope["DocId"])

    async def get_received_list(self, messagetype: str = "edoc") -> list[dict[str, Any]]:
        envelope = await self.call(
            "getReceivedEdocList", {"servicetype": "eDoc", "messagetype": messagetype}
        )
        return list(envelope.get("data", []))

    async def get_edoc(self, doc_id: str) -> bytes:
        envelope = await self.call("getEdoc", {"docId": doc_id, "filePath": "xml"}, b"{}")
        return base64.b64decode(envelope["data"])

    async def update_status(self, doc_id: str, status: str) -> None:
        await self.call("updateStatus", {"docId": doc_id, "status": status}, b"{}")
