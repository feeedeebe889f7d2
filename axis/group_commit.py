"""Group commit: the calls of one event-loop turn share one store transaction, committed before
any of them is answered, so what a client was told is what the store and the transcript hold,
and a burst of calls costs one WAL append instead of one each.
"""

from __future__ import annotations

import asyncio
import logging

from axis.database import Database

GROUP_COMMIT_WAIT_S = 0.001

log = logging.getLogger("axis")

__all__ = ["GROUP_COMMIT_WAIT_S", "GroupCommit"]


class GroupCommit:
    """Opens the shared transaction of ``db`` on demand and commits it soon after."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._batch: asyncio.Future[bool] | None = None
        self.inflight = 0

    def __repr__(self) -> str:
        return f"GroupCommit({self._db!r})"

    def join(self) -> asyncio.Future[bool]:
        """The open batch (a transaction shared by the calls of this event-loop turn), opened
        if needed; its future says whether it committed."""
        loop = asyncio.get_running_loop()
        batch = self._batch
        if batch is None or batch.get_loop() is not loop:
            # Another thread's loop (an in-process transport beside the server) may hold a
            # batch: begin() waits for its commit, which also clears it.
            self._db.begin()
            batch = self._batch = loop.create_future()
            # Alone, commit at once; with other calls in progress, wait a moment so that they
            # share the commit (one WAL append instead of one each).
            if self.inflight > 1:
                loop.call_later(GROUP_COMMIT_WAIT_S, self._flush)
            else:
                loop.call_soon(self._flush)
        return batch

    def _flush(self) -> None:
        batch, self._batch = self._batch, None
        if batch is None:  # pragma: no cover - one flush per batch
            return
        try:
            self._db.commit()
        except Exception:
            log.exception("axis: commit failed; the calls of this batch were not applied")
            batch.set_result(False)
        else:
            batch.set_result(True)

    async def durable(self) -> bool:
        """Wait until what this turn wrote is committed (admin endpoints call it before
        answering); False when that commit failed."""
        batch = self._batch
        if batch is None or batch.get_loop() is not asyncio.get_running_loop():
            return True
        return await batch
