"""Vietnam time: the timezone the wire, the documents and every user of the harness live in, and
the clock protocol every part of lienthong takes from its caller.

edXML dates and timestamps carry Vietnam's wall time without an offset (Indochina Time, UTC+7,
no daylight saving). A decision about "today" or "now" (a promulgation date not in the future,
a waiver or a certificate still valid) is taken on the Vietnam date of a :class:`Clock` handed
in by the caller, never on the machine's local date: a vendor's CI in UTC, a planner in Los
Angeles and the axis in Hà Nội must agree on what day it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

__all__ = [
    "SYSTEM_CLOCK",
    "VIETNAM",
    "Clock",
    "FixedClock",
    "PosixClock",
    "SystemClock",
    "vietnam_now",
    "vietnam_today",
    "wall_time",
]

VIETNAM = timezone(timedelta(hours=7), "ICT")
"""Indochina Time, UTC+7: the timezone of every date and timestamp on the wire."""


@runtime_checkable
class Clock(Protocol):
    """Anything that tells the time: ``now()`` returns a timezone-aware datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's real time, read in Vietnam time (whatever the machine's own timezone)."""

    def __repr__(self) -> str:
        return "SystemClock()"

    def now(self) -> datetime:
        return datetime.now(VIETNAM)


SYSTEM_CLOCK = SystemClock()
"""The real clock in Vietnam time: the default wherever a caller gives no clock."""


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock stopped at ``at`` (an aware datetime): for tests and for judging a document as of
    a given moment."""

    at: datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError(f"at={self.at!r} must be timezone-aware (e.g. tzinfo=VIETNAM)")

    def now(self) -> datetime:
        return self.at


@dataclass(frozen=True, slots=True)
class PosixClock:
    """A clock over a function that returns POSIX seconds (``time.time`` or a fake of it), as the
    axis keeps time for its transcript."""

    seconds: Callable[[], float]

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.seconds(), VIETNAM)


def vietnam_now(clock: Clock = SYSTEM_CLOCK) -> datetime:
    """The clock's time in Vietnam, aware; a naive time from a clock is refused (it would be
    read in the machine's local timezone)."""
    moment = clock.now()
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{clock!r} returned a naive datetime {moment!r}; a Clock must be aware")
    return moment.astimezone(VIETNAM)


def vietnam_today(clock: Clock = SYSTEM_CLOCK) -> date:
    """The date in Vietnam by ``clock``."""
    return vietnam_now(clock).date()


def wall_time(clock: Clock = SYSTEM_CLOCK) -> datetime:
    """The clock's Vietnam wall time as a naive datetime: what edXML Timestamps carry."""
    return vietnam_now(clock).replace(tzinfo=None)
