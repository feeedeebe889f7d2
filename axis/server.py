"""Running the fake axis on a real port: ``serve`` for the command line, ``running_axis`` for
tests and the conformance suite (uvicorn in a thread, on 127.0.0.1 and a free port).

The server stack is uvicorn with uvloop and httptools, one process, one event loop: the store
and the transcript's hash chain are single-writer by design. Its HTTP protocol class adds one
thing to uvicorn's: a hook that lets an injected "connection reset" fault really reset the TCP
connection (RST), as a crashing proxy would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from axis import envelope
from axis.announce import announce
from axis.app import RESET_EXTENSION, AxisApp, create_app
from axis.config import DEFAULT_HEADER_TIMEOUT_S, DEFAULT_MAX_HEADERS, AxisConfig
from axis.errors import AxisError, ErrorCode
from axis.peers import PeerRunner
from axis.store import Clock
from spec.clock import Clock as SpecClock

if TYPE_CHECKING:
    from axis.client import AxisAdmin, AxisClient

START_TIMEOUT_S = 30.0

__all__ = [
    "RunningAxis",
    "ServerFailed",
    "running_app",
    "running_axis",
    "serve",
    "serve_app",
    "start_peers",
]


class ServerFailed(AxisError, RuntimeError):
    """The axis server could not start, or logged errors while it ran."""


def _refusal(status: int, reason: str, code: ErrorCode) -> bytes:
    """A whole HTTP response refusing a request before the app saw it: the JSON envelope, and
    the connection closed."""
    body = envelope.encode(envelope.fail(code, reason), ascii_only=True)
    return (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "content-type: application/json; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode("ascii") + body


class _HeadersRefused(Exception):
    """Raised in a parser callback to stop reading a request whose headers are refused."""


class _Protocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the ``lienthong.reset`` ASGI extension and the axis's
    bounds on what arrives before the app sees a request: the request line and headers at most
    ``max_header_bytes`` (431 beyond), within ``header_timeout_s`` of the request's first byte
    (408 beyond); a request the parser refuses (a control character in a header, …) gets the
    JSON envelope too, never plain text."""

    max_header_bytes = DEFAULT_MAX_HEADERS
    header_timeout_s = DEFAULT_HEADER_TIMEOUT_S

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._refused = False
        self._start_headers()

    def _start_headers(self) -> None:
        self._in_headers = True
        self._raw_bytes = 0
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = self.loop.call_later(
            self.header_timeout_s, self._headers_too_slow
        )

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_headers:
            self._raw_bytes += len(data)
        super().data_received(data)
        if self._in_headers and not self._refused and self._raw_bytes > self.max_header_bytes:
            self._refuse_headers()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.scope["extensions"] = {RESET_EXTENSION: {"reset": self._reset}}
        if not self._in_headers:
            self._start_headers()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def _count(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > self.max_header_bytes:
            raise _HeadersRefused

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._stop_header_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._raw_bytes = 0
        self._header_bytes = 0

    def send_400_response(self, msg: str) -> None:
        if self._header_bytes > self.max_header_bytes:
            self._refuse_headers()
            return
        self._refuse(
            400,
            "invalid HTTP request (a control character in a header, a malformed "
            "request line, …); send a well-formed HTTP/1.1 request",
            ErrorCode.BAD_REQUEST,
        )

    def _refuse_headers(self) -> None:
        self._refuse(
            431,
            f"request headers over {self.max_header_bytes:,} bytes; send shorter headers",
            ErrorCode.TOO_LARGE,
        )

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._in_headers and not self.transport.is_closing():
            self._refuse(
                408,
                f"request headers not received within {self.header_timeout_s:g} s",
                ErrorCode.BAD_REQUEST,
            )

    def _refuse(self, status: int, reason: str, code: ErrorCode) -> None:
        self._refused = True
        self._stop_header_timer()
        if not self.transport.is_closing():
            self.transport.write(_refusal(status, reason, code))
            self.transport.close()

    def _reset(self) -> None:
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            # Linger 0: close() sends RST instead of FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()


def _protocol_for(app: object) -> type[_Protocol]:
    """The protocol class with the bounds of ``app``'s settings (the defaults for other apps)."""
    config = getattr(app, "config", None)
    if not isinstance(config, AxisConfig):
        return _Protocol
    return type(
        "_AxisProtocol",
        (_Protocol,),
        {"max_header_bytes": config.max_header_bytes, "header_timeout_s": config.header_timeout_s},
    )


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # End the axis's long-lived streams (dashboard events) first, so the graceful shutdown
        # does not wait them out.
        bus = getattr(self.config.app, "bus", None)
        if bus is not None:
            bus.close()
        await super().shutdown(sockets)


def _uvicorn_config(app: AxisApp) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        loop="uvloop",
        http=_protocol_for(app),
        lifespan="on",
        # No logging.dictConfig: it would replace the handlers `running_axis` attaches to
        # collect server errors. Warnings reach stderr through Python's last-resort handler.
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=3,
        server_header=False,
        proxy_headers=False,
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServerFailed(f"cannot listen on {host}:{port}: {exc}") from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve_app(
    app: Callable[..., object],
    host: str,
    port: int,
    *,
    announce: Callable[[str], None],
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve any ASGI ``app`` on the axis's server stack in the foreground until interrupted;
    ``announce`` gets the URL once the port is bound, ``on_ready`` (in another thread) once the
    server answers."""
    sock = _bind(host, port)
    try:
        url = _url(host, sock.getsockname()[1])
        announce(url)
        server = _Server(_uvicorn_config(app))  # type: ignore[arg-type]
        if on_ready is not None:

            def ready() -> None:
                server.ready.wait()
                if not server.should_exit:
                    on_ready(_local_url(url))

            threading.Thread(target=ready, name="axis-ready", daemon=True).start()
        server.run(sockets=[sock])
    finally:
        sock.close()


def start_peers(app: AxisApp, url: str) -> PeerRunner | None:
    """Start playing the simulated systems of ``app`` (served at ``url``) when its settings ask
    for peers; None otherwise. The caller stops the runner."""
    settings = app.config.peers
    plan = app.peer_plan
    if settings is None or plan is None:
        return None
    systems = {s.system_id: (s.secret, s.agencies) for s in app.operator.defaults}
    runner = PeerRunner(url, systems, plan, settings, seed=app.config.seed)
    runner.start()
    return runner


def _local_url(url: str) -> str:
    """``url`` as this machine reaches it (a server bound to all interfaces is reached on the
    loopback address)."""
    return url.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//[::1]:")


def serve(
    config: AxisConfig,
    *,
    out: Callable[[str], None] = print,
    clock: Clock = time.time,
    calendar: SpecClock | None = None,
) -> int:
    """Run the axis (and its simulated peers) in the foreground until interrupted; returns an
    exit code."""
    with contextlib.ExitStack() as stack:
        data_dir = config.data_dir
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="axis-")))
            out("no --data folder: everything is kept in a temporary folder, lost at exit")
        app = create_app(config, data_dir=data_dir, clock=clock, calendar=calendar)
        stack.callback(app.store.close)

        def play(url: str) -> None:
            runner = start_peers(app, url)
            if runner is not None:
                stack.callback(runner.stop)

        serve_app(
            app,
            config.host,
            config.port,
            announce=lambda url: announce(app, url, out),
            on_ready=play,
        )
    return 0


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))


@dataclass
class RunningAxis:
    """An axis running in this process. ``systems`` maps each system id to its secret."""

    url: str
    admin_token: str = field(repr=False)
    systems: dict[str, str] = field(repr=False)
    app: AxisApp = field(repr=False)
    peers: PeerRunner | None = field(default=None, repr=False)

    @property
    def config(self) -> AxisConfig:
        return self.app.config

    def client(self, system_id: str, **options: object) -> AxisClient:
        """A protocol client signed as ``system_id``."""
        from axis.client import AxisClient

        return AxisClient(self.url, system_id, self.systems[system_id], **options)  # type: ignore[arg-type]

    def admin(self) -> AxisAdmin:
        from axis.client import AxisAdmin

        return AxisAdmin(self.url, self.admin_token)

    def refresh_systems(self) -> None:
        """Pick up systems added since start (through the admin API)."""
        self.systems = {k: v.secret for k, v in self.app.store.registry.systems_view().items()}


@contextlib.contextmanager
def running_app(
    app: Callable[..., object], host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Serve any ASGI ``app`` on the axis's server stack in a background thread; yields its
    URL and stops it on exit (used by ``running_axis`` and by the benchmarks' baseline)."""
    sock = _bind(host, port)
    server = _Server(_uvicorn_config(app))  # type: ignore[arg-type]
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)
            server.ready.set()

    thread = threading.Thread(target=run, name="axis-server", daemon=True)
    thread.start()
    try:
        if not server.ready.wait(START_TIMEOUT_S) or failure:
            server.should_exit = True
            raise ServerFailed(f"axis server did not start: {failure[:1]!r}")
        yield _url(host, sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_S)
        sock.close()
    if failure:
        raise ServerFailed(f"axis server failed: {failure[0]!r}") from failure[0]


@contextlib.contextmanager
def running_axis(
    config: AxisConfig | None = None,
    *,
    clock: Clock = time.time,
    calendar: SpecClock | None = None,
    raise_server_errors: bool = True,
) -> Iterator[RunningAxis]:
    """Start an axis on ``config.host`` (127.0.0.1) and a free port (unless ``config.port``)
    in a background thread; stop it on exit. Errors the server logged while running are
    raised as ``ServerFailed`` at exit when ``raise_server_errors``."""
    config = config or AxisConfig()
    errors = _ErrorLog()
    loggers = [logging.getLogger(name) for name in ("axis", "uvicorn.error")]
    with contextlib.ExitStack() as stack:
        data_dir = config.data_dir
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="axis-")))
        app = create_app(config, data_dir=data_dir, clock=clock, calendar=calendar)
        stack.callback(app.store.close)
        for logger in loggers:
            logger.addHandler(errors)
            stack.callback(logger.removeHandler, errors)
        url = stack.enter_context(running_app(app, config.host, config.port))
        peers = start_peers(app, url)
        if peers is not None:
            stack.callback(peers.stop)
        yield RunningAxis(
            url=url,
            admin_token=app.admin_token,
            systems={k: v.secret for k, v in app.store.registry.systems_view().items()},
            app=app,
            peers=peers,
        )
    if raise_server_errors and errors.records:
        raise ServerFailed("axis server logged errors:\n" + "\n".join(errors.records))
