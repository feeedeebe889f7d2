"""The national axis as a queue: ``servers`` parallel servers, first come first served, outages.

Every message that crosses the axis (a document's sendEdoc, a status) is one job. A job waits
for a free server, holds it for a random service time, and is then stored for the recipient
system's next poll. During an outage no service starts; jobs keep arriving and queue (senders
retry), so the queue drains when the axis comes back.

The engine hands the axis each tick's arrivals at the end of the tick (:meth:`Axis.serve`), in
any order; the axis serves them in arrival order with the exact multi-server recursion
(Kiefer-Wolfowitz: each job takes the server that frees first, :mod:`sim.kernels`).

Statistics come from the jobs' own event times, not from samples: at the end of every hour
(:meth:`Axis.close_hour`) the queue length and the busy servers are integrated exactly over
the hour (time-weighted), the longest queue is found by walking the hour's arrivals and
service starts in order, and busy time inside office hours is kept apart, so utilisation can
be read over office hours and for the peak hour, not only round the clock.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import simpy

from sim.calendar import WorkCalendar
from sim.config import AxisConfig
from sim.errors import ScenarioError
from sim.kernels import serve_fifo
from sim.randoms import Purpose, Randoms
from sim.types import HOUR, SimTime

WAIT_EDGES = np.logspace(-3.0, 6.0, 9 * 32 + 1)
"""Bin edges of the axis's wait histogram: 1 ms to 11 days, 32 bins a decade."""


class Axis:
    """A multi-server FIFO queue with planned outages. Statistics of jobs count jobs arriving
    in the measurement window [``window[0]``, ``window[1]``); time-weighted ones are kept per
    hour of the run."""

    def __init__(
        self,
        env: simpy.Environment,
        config: AxisConfig,
        randoms: Randoms,
        calendar: WorkCalendar,
        *,
        outages: Sequence[tuple[SimTime, SimTime]] = (),
        window: tuple[SimTime, SimTime],
    ) -> None:
        if config.servers < 1:
            raise ScenarioError(f"axis.servers(={config.servers!r}) must be >= 1")
        self.env = env
        self.config = config
        self.servers = config.servers
        self.randoms = randoms
        self.calendar = calendar
        self.window = window
        self.outages = _merge(outages)
        self._down_from = np.array([a for a, _ in self.outages], dtype=np.float64)
        self._down_until = np.array([b for _, b in self.outages], dtype=np.float64)
        self._free = np.zeros(self.servers)
        hours = int(np.ceil(window[1] / HOUR))
        self.hour_jobs = np.zeros(hours, dtype=np.int64)
        self.hour_queue = np.zeros(hours)  # queue length integrated over the hour (job-seconds)
        self.hour_queue_max = np.zeros(hours, dtype=np.int64)
        self.hour_busy = np.zeros(hours)  # busy servers integrated over the hour
        self.hour_office_busy = np.zeros(hours)  # the same, inside office hours only
        self.hour_office = np.zeros(hours)  # office seconds in the hour
        self.wait_hist = np.zeros(len(WAIT_EDGES) + 1, dtype=np.int64)
        self.jobs = 0
        self.wait_sum = 0.0
        self.wait_max = 0.0
        self.waited = 0
        # jobs of the hour in progress, and jobs of earlier hours not yet gone
        self._open: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._carry = (np.empty(0), np.empty(0), np.empty(0))

    def __repr__(self) -> str:
        return f"<Axis servers={self.servers} service={self.config.service!r}>"

    @property
    def capacity_per_s(self) -> float:
        """Jobs per second the servers can finish at most (servers / mean service time)."""
        mean = self.config.service.mean
        return self.servers / mean if mean > 0 else float("inf")

    def up_at(self, t: np.ndarray) -> np.ndarray:
        """``t``, moved to the end of the outage it falls in (if any)."""
        for a, b in self.outages:
            t = np.where((t >= a) & (t < b), b, t)
        return t

    def serve(self, arrivals: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Serve jobs ``keys`` arriving at ``arrivals`` (any order); return each one's
        departure. A job's service time is drawn for its key."""
        n = len(arrivals)
        if n == 0:
            return np.empty(0)
        order = np.argsort(arrivals, kind="stable")
        a = arrivals[order]
        s = self.config.service.at(self.randoms.uniform(Purpose.AXIS, keys[order]))
        start = serve_fifo(self._free, a, s, self._down_from, self._down_until)
        dep = start + s
        counted = (a >= self.window[0]) & (a < self.window[1])
        if counted.any():
            wait = (start - a)[counted]
            self.jobs += int(counted.sum())
            self.wait_sum += float(wait.sum())
            self.wait_max = max(self.wait_max, float(wait.max()))
            self.waited += int((wait > 0).sum())
            self.wait_hist += np.bincount(
                np.searchsorted(WAIT_EDGES, wait, side="right"), minlength=len(self.wait_hist)
            )
        self._open.append((a, start, dep))
        out = np.empty(n)
        out[order] = dep
        return out

    def close_hour(self, end: SimTime) -> None:
        """Integrate the hour ending at ``end`` (every job arriving before it has been
        served): queue length, busy servers, the longest queue, office-hour busy time."""
        h0, h1 = end - HOUR, end
        h = round(h0 / HOUR)
        if h < 0 or h >= len(self.hour_jobs):
            return
        spans = self.calendar.office_spans(h0, h1)
        self.hour_office[h] = sum(b - a for a, b in spans)
        parts = [self._carry, *self._open]
        self._open = []
        a, st, dep = (np.concatenate(x) for x in zip(*parts, strict=True))
        if len(a) == 0:
            return
        self.hour_jobs[h] = int(((a >= h0) & (a < h1)).sum())
        self.hour_queue[h] = float(np.clip(np.minimum(st, h1) - np.maximum(a, h0), 0, None).sum())
        self.hour_busy[h] = float(np.clip(np.minimum(dep, h1) - np.maximum(st, h0), 0, None).sum())
        for o0, o1 in spans:
            self.hour_office_busy[h] += float(
                np.clip(np.minimum(dep, o1) - np.maximum(st, o0), 0, None).sum()
            )
        self.hour_queue_max[h] = _longest_queue(a, st, h0, h1)
        keep = dep > h1
        self._carry = (a[keep], st[keep], dep[keep])

    def hours_in_window(self) -> slice:
        """The hours of the run that lie in the measurement window."""
        first = int(np.ceil(self.window[0] / HOUR))
        return slice(first, int(self.window[1] // HOUR))


def _longest_queue(a: np.ndarray, st: np.ndarray, h0: float, h1: float) -> int:
    """The most jobs waiting at once during [h0, h1): start from those waiting at h0, then
    walk arrivals (+1) and service starts (-1) in time order, starts first at equal times."""
    waits = a < st
    if not waits.any():
        return 0
    a, st = a[waits], st[waits]
    at_start = int(((a <= h0) & (st > h0)).sum())
    came = a[(a > h0) & (a < h1)]
    went = st[(st > h0) & (st < h1)]
    if not len(came):
        return at_start
    times = np.concatenate((went, came))
    steps = np.concatenate((np.full(len(went), -1), np.ones(len(came), dtype=np.int64)))
    order = np.lexsort((steps, times))
    return at_start + max(0, int(np.cumsum(steps[order]).max()))


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
