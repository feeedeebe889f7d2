"""Pending work keyed by time: rows of a numpy structured array, taken out tick by tick.

A two-level calendar queue. Rows for later hours wait unsorted in per-bin lists (adding a
batch costs one split, however far its rows spread); when the engine reaches a bin, its rows
are sorted once and then taken tick by tick with a binary search. Rows added for the bin in
progress wait in a small side list. Nothing may be added for a time already taken: that
would be an effect before its cause, and raises :class:`sim.errors.ModelError`.
"""

from __future__ import annotations

import numpy as np

from sim.errors import ModelError
from sim.records import pick, stack
from sim.types import HOUR


class Timeline:
    """Rows of ``dtype`` ordered by their field ``field`` (simulated seconds)."""

    def __init__(self, dtype: np.dtype, field: str, *, bin_seconds: float = HOUR) -> None:
        self.dtype = dtype
        self.field = field
        self.width = bin_seconds
        self._bins: dict[int, list[np.ndarray]] = {}
        self._bin = -1
        self._empty = np.empty(0, dtype)
        self._current = self._empty
        self._fresh: list[np.ndarray] = []
        self._head = np.inf  # the earliest time in the live bin (sorted part and side list)
        self._taken_until = -np.inf
        self.pending = 0

    def __repr__(self) -> str:
        return f"<Timeline by {self.field}: {self.pending} rows pending>"

    def add(self, rows: np.ndarray) -> None:
        if len(rows) == 0:
            return
        times = rows[self.field]
        first = float(times.min())
        if first < self._taken_until:
            raise ModelError(
                f"rows for t={first!r} added after the timeline was taken up to "
                f"{self._taken_until!r}"
            )
        self.pending += len(rows)
        bins = (times // self.width).astype(np.int64)
        # the live bin has been sorted already: its newcomers go to the side list
        live = bins <= self._bin
        if live.any():
            if live.all():
                self._fresh.append(rows)
                self._head = min(self._head, first)
                return
            fresh = pick(rows, live)
            self._fresh.append(fresh)
            self._head = min(self._head, float(fresh[self.field].min()))
            rows, bins = pick(rows, ~live), bins[~live]
        lo, hi = int(bins.min()), int(bins.max())
        if lo == hi:
            self._bins.setdefault(lo, []).append(rows)
            return
        order = np.argsort(bins, kind="stable")
        rows, bins = pick(rows, order), bins[order]
        cuts = np.flatnonzero(bins[1:] != bins[:-1]) + 1
        edges = [0, *cuts.tolist(), len(rows)]
        for b, i, j in zip(bins[edges[:-1]].tolist(), edges[:-1], edges[1:], strict=True):
            self._bins.setdefault(b, []).append(rows[i:j])

    def take(self, until: float) -> np.ndarray:
        """Every pending row with time < ``until`` (``until`` never decreases)."""
        if until < self._taken_until:
            raise ModelError(f"take(until={until!r}) after taking up to {self._taken_until!r}")
        self._taken_until = until
        target = int(until // self.width)
        if target == self._bin and self._head >= until:
            return self._empty
        out: list[np.ndarray] = []
        while self._bin < target:
            self._leave_live_bin(out)
            self._bin += 1
            chunks = self._bins.pop(self._bin, None)
            if chunks:
                rows = stack(chunks)
                self._current = pick(rows, np.argsort(rows[self.field], kind="stable"))
                self._head = float(self._current[self.field][0])
            elif not self._bins:
                # nothing pending beyond: jump straight to the target bin
                self._bin = max(self._bin, target - 1)
        current = self._current
        if len(current) and current[self.field][0] < until:
            cut = int(np.searchsorted(current[self.field], until, side="left"))
            out.append(current[:cut])
            self._current = current = current[cut:]
        head = float(current[self.field][0]) if len(current) else np.inf
        if self._fresh:
            fresh = stack(self._fresh)
            times = fresh[self.field]
            due = times < until
            if due.any():
                out.append(pick(fresh, due))
                fresh = pick(fresh, ~due)
                times = fresh[self.field]
            self._fresh = [fresh] if len(fresh) else []
            if len(fresh):
                head = min(head, float(times.min()))
        self._head = head
        if not out:
            return self._empty
        rows = stack(out)
        self.pending -= len(rows)
        return rows

    def _leave_live_bin(self, out: list[np.ndarray]) -> None:
        """Whatever is left in the live bin is due (it is all earlier than the next bin)."""
        if len(self._current):
            out.append(self._current)
            self._current = self._empty
        out.extend(self._fresh)
        self._fresh = []
        self._head = np.inf
