"""Before the first test: does the SUT poll the axis often enough for the chosen time scale?

Deadlines are in model time, and at ``--time-scale 300`` the profile's 120-second poll bound is
0.4 real seconds. A SUT that polls every 10 real seconds (as real software does) cannot meet
it, and would fail every deadline of the run for a reason that has nothing to do with its
conformance. So the suite watches the SUT's first polls of the inboxes its roles use, and when
the median gap between two polls, scaled, exceeds the poll bound, it stops the run (could not
run, exit 2) and says the largest scale the SUT can meet.
"""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass
from datetime import datetime

from conformance.errors import CouldNotRun
from conformance.observe import CALL, WireEvent, call_body, is_ok_call
from conformance.world import World

__all__ = ["POLLS", "WINDOW_REAL", "PollTiming", "largest_scale", "measure_polling", "preflight"]

POLLS = 4
"""How many polls of one inbox the preflight watches (three gaps)."""
_REFUSED = 2
WINDOW_REAL = 60.0
"""Real seconds the preflight waits for them at least (longer when the poll bound is long in
real time, as at a small time scale)."""


@dataclass(frozen=True, slots=True)
class PollTiming:
    """The real seconds between the SUT's successive polls of one inbox (``messagetype``)."""

    messagetype: str
    gaps: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.gaps)


def _inbox(event: WireEvent) -> str | None:
    """The inbox a getReceivedEdocList call listed (a refused call has it only in its
    headers)."""
    call = call_body(event)
    if call is None:
        return None
    return call.messagetype or call.headers.get("messagetype")


def _poll_times(world: World, messagetypes: tuple[str, ...], window_real: float) -> dict:
    """When the SUT listed each inbox successfully, watching until each was listed
    :data:`POLLS` times, ``window_real`` seconds passed, or the axis refused two of its polls
    (a SUT that cannot talk to the axis is the gate's to judge, not the clock's)."""
    times: dict[str, list[datetime]] = {m: [] for m in messagetypes}
    refused = [0]

    def counted(event: WireEvent) -> bool:
        kind = _inbox(event)
        if not is_ok_call(event):
            refused[0] += 1
        elif kind in times:
            times[kind].append(event.at)
        return refused[0] >= _REFUSED or all(len(t) >= POLLS for t in times.values())

    world.observer.wait(
        world.started_cursor,
        world.clock.model(window_real),
        counted,
        kind=CALL,
        system=world.cast.sut.system_id,
        op="getReceivedEdocList",
    )
    return times


def measure_polling(
    world: World, messagetypes: tuple[str, ...], window_real: float
) -> list[PollTiming]:
    """The timing of each inbox the SUT listed at least twice within ``window_real``."""
    out = []
    for messagetype, seen in _poll_times(world, messagetypes, window_real).items():
        gaps = tuple((b - a).total_seconds() for a, b in itertools.pairwise(seen))
        if gaps:
            out.append(PollTiming(messagetype, gaps))
    return out


def largest_scale(bound_model: float, gap_real: float) -> float:
    """The largest round time scale (1, 2, 5 × 10ⁿ) at which a poll every ``gap_real`` real
    seconds stays within ``bound_model`` model seconds (at least 1)."""
    limit = bound_model / max(gap_real, 1e-9)
    if limit <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(limit))
    for step in (5, 2, 1):
        if step * power <= limit:
            return float(step * power)
    return float(power)  # pragma: no cover - step 1 always fits


def preflight(world: World) -> list[PollTiming]:
    """Measure how often the SUT polls its inboxes; raise :class:`CouldNotRun` naming the
    largest scale it can meet when it is too slow for the run's time scale. An inbox it does
    not poll twice within the window is left to the checks to judge."""
    roles = world.profile.roles
    inboxes = tuple(m for role, m in (("receiver", "edoc"), ("sender", "status")) if role in roles)
    bound = world.bounds.poll_interval
    scale = world.clock.time_scale
    window = max(WINDOW_REAL, world.clock.real(bound * POLLS))
    timings = measure_polling(world, inboxes, window)
    for timing in timings:
        if timing.median * scale <= bound:
            continue
        fits = largest_scale(bound, timing.median)
        raise CouldNotRun(
            f"the SUT lists its {timing.messagetype} inbox every {timing.median:.3g} real s "
            f"(median of {len(timing.gaps)} gaps): at time scale {scale:g} that is "
            f"{timing.median * scale:.0f} model s, beyond the profile's poll bound of "
            f"{bound:g} model s; the largest scale it can meet is {fits:g}: run again with "
            f"--time-scale {fits:g}"
        )
    return timings
