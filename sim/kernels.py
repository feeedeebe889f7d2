"""The two loops that cannot be vectorised, compiled with Numba: a multi-server FIFO queue
served job by job, for the axis and for every agency's desks.

Both are the textbook recursion (Kiefer–Wolfowitz): a job starts when it has arrived and the
server that frees first is free, and holds that server for its service time. Compiled once
per machine (``cache=True`` keeps the machine code beside this module).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def serve_desks(  # pragma: no cover - compiled
    free: np.ndarray,
    counts: np.ndarray,
    agency: np.ndarray,
    ready: np.ndarray,
    effort: np.ndarray,
) -> np.ndarray:
    """Start times of jobs at their agencies' desks, each in the order given; ``free[a, p]``
    is when person ``p`` of agency ``a`` is free (updated)."""
    n = agency.shape[0]
    start = np.empty(n)
    for i in range(n):
        a = agency[i]
        best = 0
        first = free[a, 0]
        for p in range(1, counts[a]):
            if free[a, p] < first:
                first = free[a, p]
                best = p
        t = ready[i] if ready[i] > first else first
        start[i] = t
        free[a, best] = t + effort[i]
    return start


@njit(cache=True, nogil=True)
def serve_fifo(  # pragma: no cover - compiled
    free: np.ndarray,
    arrivals: np.ndarray,
    service: np.ndarray,
    down_from: np.ndarray,
    down_until: np.ndarray,
) -> np.ndarray:
    """Start times of jobs (sorted by arrival) at ``len(free)`` servers, ``free`` the times
    each server frees (updated); no service starts in [down_from[k], down_until[k]) (sorted,
    not overlapping)."""
    n = arrivals.shape[0]
    servers = free.shape[0]
    outages = down_from.shape[0]
    start = np.empty(n)
    k = 0
    for i in range(n):
        best = 0
        first = free[0]
        for p in range(1, servers):
            if free[p] < first:
                first = free[p]
                best = p
        t = arrivals[i] if arrivals[i] > first else first
        while k < outages and down_until[k] <= t:
            k += 1
        if k < outages and down_from[k] <= t:
            t = down_until[k]
        start[i] = t
        free[best] = t + service[i]
    return start
