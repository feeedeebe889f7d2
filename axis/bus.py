"""Wake-ups for whoever waits on the transcript: the admin API's long-polls and the dashboard's
live stream sleep until a commit appends events, never poll.
"""

from __future__ import annotations

import asyncio

__all__ = ["EventBus"]


class EventBus:
    """Wakes long-polling admin waiters when the transcript grows."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.waiters = 0
        self.closed = False

    def close(self) -> None:
        """The server is shutting down: wake every waiter for good (long-lived streams end)."""
        self.closed = True
        self._wake()

    def bind(self) -> None:
        # Follow the running loop: an in-process test client may start a new one per request.
        loop = asyncio.get_running_loop()
        if loop is not self._loop or self._event is None:
            self._loop = loop
            self._event = asyncio.Event()

    def _wake(self) -> None:
        if self._event is not None:
            event, self._event = self._event, asyncio.Event()
            event.set()

    def notify(self, _seq: int) -> None:
        if not self.waiters or self._loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._wake()
        else:
            self._loop.call_soon_threadsafe(self._wake)

    def snapshot(self) -> asyncio.Event:
        """The event the next commit will set: take it before looking, then ``wait`` on it,
        so a commit in between is not missed."""
        self.bind()
        if self._event is None:  # pragma: no cover - bind() sets it
            raise RuntimeError("event bus not bound")
        return self._event

    async def wait(self, event: asyncio.Event, timeout: float) -> None:
        """Return once ``event`` is set (a commit happened) or after ``timeout`` seconds."""
        self.waiters += 1
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self.waiters -= 1
