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
from sim.types import HOUR


class Timeline:
    """Rows of ``dtype`` ordered by their field ``field`` (simulated seconds)."""

    def __init__(self, dtype: np.dtype, field: str, *, bin_seconds: float = HOUR) -> None:
        self.dtype = dtype
        self.field = field
        self.width = bin_seconds
        self._bins: dict[int, list[np.ndarray]] = {}
        self._bin = -1
        self._current = np.empty(0, dtype)
        self._fresh: list[np.ndarray] = []
        self._taken_until = -np.inf
        self.pending = 0

    def __repr__(self) -> str:
        return f"<Timeline by {self.field}: {self.pending} rows pending>"

    def add(self, rows: np.ndarray) -> None:
        if len(rows) == 0:
            return
        times = rows[self.field]
        if times.min() < self._taken_until:
            raise ModelError(
                f"rows for t={times.min()!r} added after the timeline was taken up to "
                f"{self._taken_until!r}"
            )
        self.pending += len(rows)
        bins = np.floor(times / self.width).astype(np.int64)
        # the live bin has been sorted already: its newcomers go to the side list
        live = bins <= self._bin
        if live.any():
            self._fresh.append(rows[live])
            rows, bins = rows[~live], bins[~live]
            if len(rows) == 0:
                return
        lo, hi = int(bins.min()), int(bins.max())
        if lo == hi:
            self._bins.setdefault(lo, []).append(rows)
            return
        order = np.argsort(bins, kind="stable")
        rows, bins = rows[order], bins[order]
        cuts = np.flatnonzero(bins[1:] != bins[:-1]) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts, [len(rows)]))
        for b, i, j in zip(bins[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
            self._bins.setdefault(b, []).append(rows[i:j])

    def take(self, until: float) -> np.ndarray:
        """Every pending row with time < ``until`` (``until`` never decreases)."""
        if until < self._taken_until:
            raise ModelError(f"take(until={until!r}) after taking up to {self._taken_until!r}")
        self._taken_until = until
        target = int(np.floor(until / self.width))
        out: list[np.ndarray] = []
        while self._bin < target:
            self._flush_live(out)
            self._bin += 1
            chunks = self._bins.pop(self._bin, None)
            if chunks:
                rows = chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
                self._current = rows[np.argsort(rows[self.field], kind="stable")]
            if not self._bins and self._bin < target:
                # nothing pending beyond: jump straight to the target bin
                self._bin = max(self._bin, target - 1)
        cut = int(np.searchsorted(self._current[self.field], until, side="left"))
        if cut:
            out.append(self._current[:cut])
            self._current = self._current[cut:]
        if self._fresh:
            fresh = self._fresh[0] if len(self._fresh) == 1 else np.concatenate(self._fresh)
            due = fresh[self.field] < until
            if due.any():
                out.append(fresh[due])
                fresh = fresh[~due]
            self._fresh = [fresh] if len(fresh) else []
        if not out:
            return np.empty(0, self.dtype)
        rows = out[0] if len(out) == 1 else np.concatenate(out)
        self.pending -= len(rows)
        return rows

    def _flush_live(self, out: list[np.ndarray]) -> None:
        """Leaving the live bin: whatever is left in it is due now (it is all earlier than the
        next bin)."""
        if len(self._current):
            out.append(self._current)
            self._current = np.empty(0, self.dtype)
        if self._fresh:
            out.extend(self._fresh)
            self._fresh = []
