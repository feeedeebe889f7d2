"""The reference SUT's link to the axis: the protocol client plus the retry policy that a
careful client applies (exponential backoff on 5xx, connection resets, timeouts and the axis's
"unavailable"/"internal" error codes; never on a refusal that a retry cannot change)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx

from axis.client import AxisClient
from axis.errors import AxisError, InternalError, ProtocolError, Unavailable
from conformance.clock import HarnessClock

T = TypeVar("T")

TRANSIENT: tuple[type[BaseException], ...] = (
    Unavailable,
    InternalError,
    ProtocolError,
    httpx.TransportError,
)
"""Failures worth retrying: the axis (or the way to it) may answer differently next time."""

__all__ = ["TRANSIENT", "AxisLink", "RetryPolicy", "is_transient"]


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` tries per call, waiting ``base``, ``2·base``, … (capped at ``cap``) model
    seconds between them."""

    attempts: int = 4
    base: float = 1.0
    cap: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts={self.attempts!r} must be >= 1")
        if self.base < 0 or self.cap < self.base:
            raise ValueError(f"base={self.base!r} and cap={self.cap!r} must be 0 <= base <= cap")

    def delay(self, failures: int) -> float:
        """Model seconds to wait after ``failures`` consecutive failures (1, 2, …)."""
        return min(self.cap, self.base * 2 ** (failures - 1))


class AxisLink:
    """Calls the axis through ``client``, retrying transient failures by ``policy`` (only
    once when ``retry`` is False). Waits end early when ``stop`` is set."""

    def __init__(
        self,
        client: AxisClient,
        clock: HarnessClock,
        policy: RetryPolicy,
        stop: threading.Event,
        *,
        retry: bool = True,
    ) -> None:
        self.client = client
        self.clock = clock
        self.policy = policy
        self.stop = stop
        self.retry = retry

    def __repr__(self) -> str:
        return f"AxisLink({self.client!r}, {self.policy!r}, retry={self.retry!r})"

    def close(self) -> None:
        self.client.close()

    def call(self, fn: Callable[[], T], *, on_retry: Callable[[int], None] | None = None) -> T:
        """``fn()``, retried on transient failures; the last failure is raised. ``on_retry``
        is told the attempt number before each retry."""
        attempts = self.policy.attempts if self.retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return fn()
            except TRANSIENT:
                if attempt == attempts or self.stop.wait(
                    self.clock.real(self.policy.delay(attempt))
                ):
                    raise
            if on_retry is not None:
                on_retry(attempt + 1)
        raise AxisError("unreachable")  # pragma: no cover - the loop returns or raises
