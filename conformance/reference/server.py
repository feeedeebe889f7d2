"""Running the reference SUT with its control endpoint on a real port: ``running_reference``
for tests and the in-process adapter (uvicorn in a thread on 127.0.0.1 and a free port), and
``serve`` for ``python -m conformance.reference``."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import uvicorn

from conformance.errors import ConformanceError
from conformance.reference.controller import create_controller
from conformance.reference.sut import ReferenceSut

START_TIMEOUT_S = 30.0

__all__ = ["RunningReference", "ServerFailed", "running_reference", "serve"]


class ServerFailed(ConformanceError, RuntimeError):
    """The reference SUT's control endpoint could not start."""


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServerFailed(f"cannot listen on {host}:{port}: {exc}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _config(sut: ReferenceSut) -> uvicorn.Config:
    return uvicorn.Config(
        create_controller(sut),
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=3,
        server_header=False,
    )


@dataclass
class RunningReference:
    """A reference SUT whose controller listens at ``url``."""

    url: str
    sut: ReferenceSut = field(repr=False)


@contextlib.contextmanager
def running_reference(
    sut: ReferenceSut, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[RunningReference]:
    """Serve ``sut``'s controller from a background thread; stop it (and close ``sut``) on exit."""
    with contextlib.ExitStack() as stack:
        stack.callback(sut.close)
        sock = _bind(host, port)
        stack.callback(sock.close)
        server = _Server(_config(sut))
        failure: list[BaseException] = []

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # re-raised in the caller's thread
                failure.append(exc)
                server.ready.set()

        thread = threading.Thread(target=run, name="reference-controller", daemon=True)
        thread.start()
        if not server.ready.wait(START_TIMEOUT_S) or failure:
            server.should_exit = True
            raise ServerFailed(f"the reference controller did not start: {failure[:1]!r}")
        try:
            yield RunningReference(_url(host, sock.getsockname()[1]), sut)
        finally:
            server.should_exit = True
            thread.join(START_TIMEOUT_S)
        if failure:
            raise ServerFailed(f"the reference controller failed: {failure[0]!r}") from failure[0]


def serve(sut: ReferenceSut, *, host: str, port: int, out: Callable[[str], None] = print) -> int:
    """Serve in the foreground until interrupted; announces the URL first."""
    sock = _bind(host, port)
    try:
        out(f"reference SUT controller listening on {_url(host, sock.getsockname()[1])}")
        _Server(_config(sut)).run(sockets=[sock])
    finally:
        sock.close()
        sut.close()
    return 0
