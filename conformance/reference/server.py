"""Running the reference SUT with its control endpoint on a real port: ``running_reference``
for tests and the in-process adapter (uvicorn in a thread on 127.0.0.1 and a free port), and
``serve`` for ``python -m conformance.reference``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from axis.server import running_app, serve_app
from conformance.reference.controller import create_controller
from conformance.reference.sut import ReferenceSut

__all__ = ["RunningReference", "running_reference", "serve"]


@dataclass
class RunningReference:
    """A reference SUT whose controller listens at ``url``."""

    url: str
    sut: ReferenceSut = field(repr=False)


@contextlib.contextmanager
def running_reference(
    sut: ReferenceSut, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[RunningReference]:
    """Serve ``sut``'s controller from a background thread; stop it (and close ``sut``) on exit.
    The server stack is the axis's (``axis.server.running_app``)."""
    with contextlib.ExitStack() as stack:
        stack.callback(sut.close)
        url = stack.enter_context(running_app(create_controller(sut), host, port))
        yield RunningReference(url, sut)


def serve(sut: ReferenceSut, *, host: str, port: int, out: Callable[[str], None] = print) -> int:
    """Serve in the foreground until interrupted; announces the URL first."""
    try:
        serve_app(
            create_controller(sut),
            host,
            port,
            announce=lambda url: out(f"reference SUT controller listening on {url}"),
        )
    finally:
        sut.close()
    return 0
