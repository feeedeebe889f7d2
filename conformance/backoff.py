"""Whether a SUT backed off during an outage, judged only by what the axis recorded
(ROB-BACKOFF): the calls the axis refused in its outage window, on the axis's clock.

Two things are asked. The axis refused no more of the SUT's calls than the profile's bound (a
tight retry loop makes hundreds). And at some point the SUT waited at least ``pause`` model
seconds before trying again: the longest quiet stretch between two refused calls, or from the
last one to the outage's end, reaches it. Both only get easier when the SUT's machine is slow:
a busy machine makes fewer calls and longer pauses, so load never fails an honest SUT. Where
the SUT's first attempt falls in the window (mid-way through an idle wait, say) does not matter
either: a SUT that meets the outage late only has to have paused for half of what was left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from conformance.observe import Window

__all__ = ["BackoffVerdict", "judge_backoff"]


@dataclass(frozen=True, slots=True)
class BackoffVerdict:
    """The refused calls counted, the longest pause seen and the pause asked for (model
    seconds), and whether each of the two conditions held."""

    refused: int
    bound: int
    longest_pause: float
    wanted_pause: float

    @property
    def within_bound(self) -> bool:
        return self.refused <= self.bound

    @property
    def paused(self) -> bool:
        return self.longest_pause >= self.wanted_pause


def judge_backoff(
    refused: Sequence[datetime], window: Window, *, bound: int, pause: float, scale: float
) -> BackoffVerdict:
    """Judge the times (axis clock) of the SUT's calls refused in the outage ``window``;
    ``scale`` is model seconds per real second, ``pause`` the wait asked for in model
    seconds, ``bound`` the most refused calls allowed."""
    times = sorted(t for t in refused if t in window)
    if not times:
        return BackoffVerdict(0, bound, 0.0, 0.0)
    stops = [*times, window.end]
    longest = max((b - a).total_seconds() for a, b in pairwise(stops))
    left = (window.end - times[0]).total_seconds() * scale
    return BackoffVerdict(len(times), bound, longest * scale, min(pause, left / 2))
