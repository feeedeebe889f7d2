"""Answers to a planner's questions, worked out from a run's series.

* **When does a tier (or a province) stop sending on paper?** The first day from which the
  share of its deliveries sent electronically, over the trailing seven days, stays at or above
  :data:`PAPER_FREE_SHARE` to the end of the run (:func:`paper_free_day`).
* **Does a backlog grow without bound?** A queue whose desks cannot keep up grows for as long
  as the run lasts; a stable one wobbles around a level (:func:`backlog_trend`).
* **What is the hub's load in its peak hour?** The hour of the day with the most messages on
  average over the working days of the window, against what the servers can carry
  (:func:`peak_hour`).
* **Where is the bottleneck?** The desk kind and tier (or the axis) busiest in office hours
  (:func:`bottleneck`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

PAPER_FREE_SHARE = 0.95
TRAILING_DAYS = 7
GROWTH_WARNING = 0.25
"""A backlog whose fitted trend adds this share of its mean level over the window (and that
rises in both halves of it) is reported as growing without bound."""


def trailing_share(
    electronic: np.ndarray, total: np.ndarray, days: int = TRAILING_DAYS
) -> np.ndarray:
    """Per day, the electronic share of the ``days`` days ending that day (NaN without any)."""
    e = np.convolve(electronic.astype(float), np.ones(days))[: len(electronic)]
    n = np.convolve(total.astype(float), np.ones(days))[: len(total)]
    return np.divide(e, n, out=np.full(len(n), np.nan), where=n > 0)


def paper_free_day(electronic: np.ndarray, total: np.ndarray, first: int) -> float:
    """The first day (index, from ``first`` on) from which the trailing electronic share stays
    at or above :data:`PAPER_FREE_SHARE` to the end; ``first`` when it holds throughout, NaN
    when it does not hold at the end (not within the run)."""
    share = trailing_share(electronic, total)[first:]
    known = ~np.isnan(share)
    if not known.any():
        return math.nan
    below = np.flatnonzero(known & (share < PAPER_FREE_SHARE))
    if not len(below):
        return float(first)
    last = int(below[-1])
    if last >= int(np.flatnonzero(known)[-1]):
        return math.nan
    return float(first + last + 1)


@dataclass(frozen=True, slots=True)
class Trend:
    """A backlog over the window: its mean, its level at the end, the growth of its fitted
    line over the window as a share of the mean, and whether it grows without bound."""

    mean: float
    end: float
    growth: float
    growing: bool


def backlog_trend(levels: np.ndarray) -> Trend:
    """The trend of a backlog's end-of-working-day ``levels`` over the window."""
    n = len(levels)
    if n == 0:
        return Trend(math.nan, math.nan, math.nan, False)
    mean = float(levels.mean())
    if n < 6 or mean <= 0:
        return Trend(mean, float(levels[-1]), math.nan, False)
    x = np.arange(n, dtype=float)
    slope = float(np.polyfit(x, levels, 1)[0])
    half = n // 2
    rising = all(
        float(np.polyfit(x[s], levels[s], 1)[0]) > 0 for s in (slice(0, half), slice(half, n))
    )
    growth = slope * (n - 1) / mean
    return Trend(mean, float(levels[-1]), growth, rising and growth > GROWTH_WARNING)


@dataclass(frozen=True, slots=True)
class PeakHour:
    """The busiest hour of the working day: its start (hour of day), messages per second on
    average over the window's working days, and the servers' utilisation then."""

    hour: int
    jobs_per_s: float
    utilisation: float


def peak_hour(
    jobs: np.ndarray, busy: np.ndarray, working_hours: np.ndarray, servers: int
) -> PeakHour | None:
    """From per-hour jobs and busy server-seconds over the window, and which of those hours
    fall on working days (all three one entry per hour, starting at midnight)."""
    hours = len(jobs) - len(jobs) % 24
    if hours == 0:
        return None
    keep = working_hours[:hours].reshape(-1, 24).any(axis=1)
    if not keep.any():
        return None
    per_day = jobs[:hours].reshape(-1, 24)[keep].mean(axis=0)
    busy_day = busy[:hours].reshape(-1, 24)[keep].mean(axis=0)
    h = int(per_day.argmax())
    return PeakHour(h, float(per_day[h]) / 3600.0, float(busy_day[h]) / (3600.0 * servers))


def bottleneck(utilisation: Mapping[str, float]) -> tuple[str, float] | None:
    """The busiest of ``utilisation`` (what → office-hour utilisation), None if all unknown."""
    known = {k: v for k, v in utilisation.items() if v is not None and math.isfinite(v)}
    if not known:
        return None
    what = max(known, key=lambda k: known[k])
    return what, known[what]
