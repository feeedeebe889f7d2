"""The national axis as a queue: ``servers`` parallel servers, first come first served, outages.

Every message that crosses the axis (a document's sendEdoc, a status) is one job. A job waits
for a free server, holds it for a random service time, and is then stored for the recipient
system's next poll. During an outage no service starts; jobs keep arriving and queue (senders
retry), so the queue drains when the axis comes back.

The engine hands the axis each tick's arrivals at the end of the tick (:meth:`Axis.serve`), in
any order; the axis serves them in arrival order with the exact multi-server recursion
(Kiefer-Wolfowitz: each job takes the server that frees first). When no job of the tick would
wait, a vectorised check proves it and the whole tick is served in a few numpy calls; otherwise
a plain loop over a heap of the servers' free times does it. :meth:`Axis.sample` counts the
jobs queued and in service at a tick boundary, independently of the waits the recursion
computed, so Little's law can be checked against it.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Sequence

import numpy as np

from sim.distributions import Duration
from sim.errors import ScenarioError
from sim.types import SimTime


class Axis:
    """A multi-server FIFO queue with planned outages; statistics count jobs arriving after
    ``warmup``."""

    def __init__(
        self,
        servers: int,
        service: Duration,
        rng: np.random.Generator,
        *,
        outages: Sequence[tuple[SimTime, SimTime]] = (),
        warmup: SimTime = 0.0,
    ) -> None:
        if servers < 1:
            raise ScenarioError(f"axis servers(={servers!r}) must be >= 1")
        self.servers = servers
        self.service = service
        self.rng = rng
        self.warmup = warmup
        self.outages = _merge(outages)
        self._outage_starts = [a for a, _ in self.outages]
        self._free = np.zeros(servers)
        # jobs that may still be queued or in service at a later sample
        self._carry_start = np.empty(0)
        self._carry_dep = np.empty(0)
        self.jobs = 0
        self.wait_sum = 0.0
        self.wait_max = 0.0
        self.busy = 0.0
        self.waited = 0

    def __repr__(self) -> str:
        return f"Axis(servers={self.servers!r}, service={self.service!r}, outages={self.outages!r})"

    def up_at(self, t: np.ndarray) -> np.ndarray:
        """``t``, moved to the end of the outage it falls in (if any)."""
        for a, b in self.outages:
            t = np.where((t >= a) & (t < b), b, t)
        return t

    def serve(self, arrivals: np.ndarray) -> np.ndarray:
        """Serve jobs arriving at ``arrivals`` (any order); return each job's departure."""
        n = len(arrivals)
        if n == 0:
            return np.empty(0)
        order = np.argsort(arrivals, kind="stable")
        a = arrivals[order]
        s = self.service.draw(self.rng, n)
        start = a if self._no_wait(a, s) else self._loop(a, s)
        dep = start + s
        self._free = np.sort(np.concatenate((self._free, dep)))[-self.servers :]
        counted = a >= self.warmup
        if counted.any():
            wait = (start - a)[counted]
            self.jobs += int(counted.sum())
            self.wait_sum += float(wait.sum())
            self.wait_max = max(self.wait_max, float(wait.max()))
            self.waited += int((wait > 0).sum())
            self.busy += float(s[counted].sum())
        self._carry_start = np.concatenate((self._carry_start, start))
        self._carry_dep = np.concatenate((self._carry_dep, dep))
        out = np.empty(n)
        out[order] = dep
        return out

    def _no_wait(self, a: np.ndarray, s: np.ndarray) -> bool:
        """True when every job finds a free server on arrival and no outage is near."""
        if self.outages and any(x <= a[-1] and a[0] < y for x, y in self.outages):
            return False
        busy_before = self.servers - np.searchsorted(self._free, a, side="right")
        dep_sorted = np.sort(a + s)
        in_tick = np.arange(len(a)) - np.searchsorted(dep_sorted, a, side="right")
        return bool((busy_before + in_tick < self.servers).all())

    def _loop(self, a: np.ndarray, s: np.ndarray) -> np.ndarray:
        heap = self._free.tolist()
        heapq.heapify(heap)
        start = np.empty(len(a))
        outages, starts = self.outages, self._outage_starts
        for i, (ai, si) in enumerate(zip(a.tolist(), s.tolist(), strict=True)):
            f = heap[0]
            st = ai if ai > f else f
            if outages:
                k = bisect_right(starts, st) - 1
                if k >= 0 and st < outages[k][1]:
                    st = outages[k][1]
            start[i] = st
            heapq.heapreplace(heap, st + si)
        return start

    def sample(self, t: SimTime) -> tuple[int, int]:
        """(jobs queued, jobs in service) at time ``t``, once every job arriving before ``t``
        has been served."""
        if not len(self._carry_dep):
            return 0, 0
        keep = self._carry_dep > t
        self._carry_start = self._carry_start[keep]
        self._carry_dep = self._carry_dep[keep]
        queued = int((self._carry_start > t).sum())
        return queued, len(self._carry_dep) - queued


def _merge(outages: Sequence[tuple[SimTime, SimTime]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for a, b in sorted((float(a), float(b)) for a, b in outages):
        if b <= a:
            raise ScenarioError(f"outage ({a!r}, {b!r}) must end after it starts")
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
