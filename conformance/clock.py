"""The harness clock: model time that can run faster than real time.

Profile deadlines are written in model time ("01 within 5 minutes of the download"); a run at
``time_scale=60`` lives one model minute per real second, so those deadlines pass in seconds.
Everything that waits (the suite, the reference SUT's polling loop) takes model seconds and
asks the clock for the real seconds they stand for; status Timestamps are model time, in
Vietnam local time (UTC+7, as the wire carries it, without an offset).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from spec.clock import SYSTEM_CLOCK, VIETNAM, Clock, vietnam_now
from spec.formats import TIMESTAMP_FORMAT, format_timestamp

__all__ = ["Deadline", "HarnessClock"]


class HarnessClock:
    """Model time starting at ``start`` and running ``time_scale`` times faster than real time.

    ``start`` is the model time at creation: an aware datetime, or a naive one read as Vietnam
    local time; ``None`` is the time of ``real_clock`` (whole seconds). ``monotonic`` and
    ``sleeper`` are the real interval clock and real sleep, replaceable in tests. A HarnessClock
    is a :class:`spec.clock.Clock`: hand it to the validator and the axis so that they judge
    dates by model time.
    """

    def __init__(
        self,
        time_scale: float = 1.0,
        start: datetime | None = None,
        *,
        real_clock: Clock = SYSTEM_CLOCK,
        monotonic: Callable[[], float] = time.monotonic,
        sleeper: Callable[[float], None] = time.sleep,
    ) -> None:
        if not isinstance(time_scale, int | float) or not time_scale > 0:
            raise ValueError(f"time_scale={time_scale!r} must be a number > 0")
        if start is None:
            start = vietnam_now(real_clock).replace(microsecond=0)
        elif start.tzinfo is None:
            start = start.replace(tzinfo=VIETNAM)
        self.time_scale = float(time_scale)
        self.start = start.astimezone(VIETNAM)
        self._monotonic = monotonic
        self._sleeper = sleeper
        self._origin = monotonic()

    def __repr__(self) -> str:
        return f"HarnessClock(time_scale={self.time_scale!r}, start={self.start!r})"

    # -- reading the time ----------------------------------------------------------------

    def elapsed(self) -> float:
        """Model seconds since the clock was made."""
        return (self._monotonic() - self._origin) * self.time_scale

    def now(self) -> datetime:
        """The model time now, timezone-aware (UTC+7)."""
        return self.start + timedelta(seconds=self.elapsed())

    def wall(self) -> datetime:
        """The model time now, naive Vietnam wall time (what edXML Timestamps carry)."""
        return self.now().replace(tzinfo=None)

    def time(self) -> float:
        """The model time now as POSIX seconds (usable where a ``time.time`` is expected)."""
        return self.now().timestamp()

    def today(self) -> date:
        """The model date in Vietnam."""
        return self.now().date()

    def timestamp(self) -> str:
        """The model time now as ``yyyy/MM/dd HH:mm:ss``."""
        return format_timestamp(self.wall())

    # -- converting and waiting ----------------------------------------------------------

    def real(self, model_seconds: float) -> float:
        """The real seconds that ``model_seconds`` of model time take."""
        if model_seconds < 0:
            raise ValueError(f"model_seconds={model_seconds!r} must not be negative")
        return model_seconds / self.time_scale

    def model(self, real_seconds: float) -> float:
        """The model seconds that pass during ``real_seconds``."""
        return real_seconds * self.time_scale

    def span(self, model_seconds: float) -> str:
        """A duration as a deadline message says it, in both times and with the scale:
        ``240 model s (0.8 real s at time scale 300)``."""
        real = model_seconds / self.time_scale
        return f"{model_seconds:.3g} model s ({real:.3g} real s at time scale {self.time_scale:g})"

    def sleep(self, model_seconds: float) -> None:
        """Sleep for ``model_seconds`` of model time (for pacing loops, never for awaiting an
        event: use :meth:`wait_event` or a long-poll for that)."""
        self._sleeper(self.real(model_seconds))

    def wait_event(self, event: threading.Event, model_seconds: float) -> bool:
        """Wait until ``event`` is set, at most ``model_seconds``; True when it was set."""
        return event.wait(self.real(model_seconds))

    def deadline(self, model_seconds: float) -> Deadline:
        """A deadline ``model_seconds`` from now."""
        return Deadline(self, self.elapsed() + model_seconds)


class Deadline:
    """A point in model time, ``at``, and how much time is left until it."""

    __slots__ = ("_clock", "_due")

    def __init__(self, clock: HarnessClock, due_elapsed: float) -> None:
        self._clock = clock
        self._due = due_elapsed

    def __repr__(self) -> str:
        return f"<Deadline at {self.at:{TIMESTAMP_FORMAT}} ({self.remaining():.1f} model s left)>"

    @property
    def at(self) -> datetime:
        """The deadline as naive Vietnam local model time."""
        return (self._clock.start + timedelta(seconds=self._due)).replace(tzinfo=None)

    def remaining(self) -> float:
        """Model seconds left (0 when passed)."""
        return max(0.0, self._due - self._clock.elapsed())

    def remaining_real(self) -> float:
        """Real seconds left (0 when passed): the timeout to give a blocking call."""
        return self.remaining() / self._clock.time_scale

    @property
    def expired(self) -> bool:
        return self._clock.elapsed() >= self._due
