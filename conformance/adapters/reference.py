"""The reference adapter: starts the reference SUT and drives it through its HTTP control
endpoint, exactly as the HTTP adapter drives a vendor's test build, so the reference (and
every mutant) exercises the same path a vendor does.

``mode="thread"`` serves the SUT in this process (uvicorn in a thread, 127.0.0.1, a free
port); ``mode="subprocess"`` runs ``python -m conformance.reference`` and reads the URL it
announces.
"""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Literal

from conformance.adapters.http import HttpAdapter
from conformance.errors import SutUnreachable
from conformance.reference.behaviour import Behaviour
from conformance.reference.link import RetryPolicy
from conformance.reference.server import running_reference
from conformance.reference.sut import ReferenceSut

START_TIMEOUT_S = 60.0
_ANNOUNCE = "listening on "

__all__ = ["ReferenceAdapter"]


def _drain(stream: IO[str], first: queue.Queue[str]) -> None:
    """Hand the first line over, then keep reading so the child never blocks on a full pipe."""
    line = stream.readline()
    first.put(line)
    for _ in iter(stream.readline, ""):
        pass


class ReferenceAdapter(HttpAdapter):
    """The reference SUT with ``behaviour`` (honest by default), driven over HTTP.

    ``data_dir`` keeps its register (a temporary folder when ``None``). In thread mode,
    ``retry`` and ``axis_timeout`` tune the SUT and :attr:`sut` is the running instance (for
    inspection while debugging; the suite judges only the wire).
    """

    def __init__(
        self,
        behaviour: Behaviour | None = None,
        *,
        mode: Literal["thread", "subprocess"] = "thread",
        data_dir: Path | str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        axis_timeout: float | None = None,
    ) -> None:
        if mode not in ("thread", "subprocess"):
            raise ValueError(f"mode={mode!r} must be 'thread' or 'subprocess'")
        self.behaviour = behaviour or Behaviour()
        self.mode = mode
        self.sut: ReferenceSut | None = None
        self._stack = contextlib.ExitStack()
        self._process: subprocess.Popen[str] | None = None
        self._drainer: threading.Thread | None = None
        try:
            url = (
                self._start_thread(data_dir, retry, axis_timeout)
                if mode == "thread"
                else self._start_process(data_dir)
            )
        except BaseException:
            self._stack.close()
            raise
        super().__init__(url, timeout=timeout)

    def __repr__(self) -> str:
        return f"ReferenceAdapter({self.behaviour!r}, mode={self.mode!r})"

    def _start_thread(
        self, data_dir: Path | str | None, retry: RetryPolicy | None, axis_timeout: float | None
    ) -> str:
        self.sut = ReferenceSut(
            self.behaviour, data_dir=data_dir, retry=retry, axis_timeout=axis_timeout
        )
        running = self._stack.enter_context(running_reference(self.sut))
        return running.url

    def _start_process(self, data_dir: Path | str | None) -> str:
        command = [sys.executable, "-m", "conformance.reference", "--control-port", "0"]
        for name in self.behaviour.defects:
            command += ["--defect", name]
        if data_dir is not None:
            command += ["--data", str(data_dir)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self._process = process
        self._stack.callback(self._stop_process)
        first: queue.Queue[str] = queue.Queue()
        self._drainer = threading.Thread(
            target=_drain, args=(process.stdout, first), name="reference-stdout", daemon=True
        )
        self._drainer.start()
        try:
            line = first.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            raise SutUnreachable(
                f"the reference SUT did not announce its URL within {START_TIMEOUT_S} s"
            ) from None
        if _ANNOUNCE not in line:
            raise SutUnreachable(
                f"the reference SUT did not start (exit code {process.poll()}): {line.strip()!r}"
            )
        return line.split(_ANNOUNCE, 1)[1].strip()

    def _stop_process(self) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        if self._drainer is not None:
            self._drainer.join(10)  # it ends at the end of the child's output
        if process.stdout is not None:
            process.stdout.close()

    def close(self) -> None:
        super().close()
        self._stack.close()
