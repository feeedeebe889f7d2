"""The load tests' fast client: an answer that is not an envelope is a clear ProtocolError."""

from __future__ import annotations

import asyncio

import pytest

from axis.errors import ProtocolError
from axis.fastclient import FastAxisClient, FastConnection


async def _call_against(answer: bytes) -> None:
    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(reply, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        connection = await FastConnection.open("127.0.0.1", port)
        try:
            await FastAxisClient(connection, "vxp.vendor.01", "secret").get_received_list()
        finally:
            await connection.close()


@pytest.mark.parametrize(
    ("answer", "reason"),
    [(b"[]", r"a JSON \[\], not an object"), (b"<html>", "non-JSON b'<html>'")],
)
def test_an_answer_that_is_not_an_envelope_is_a_protocol_error(answer: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        asyncio.run(_call_against(answer))
