"""Take-back requests (status 13) and what spec's lifecycle lets follow them.

Only deliveries whose sender asks to take them back (a small share) are tracked here, by
delivery key: the times at which the receiver emitted each forward status, whether and when an
agreed take-back (15) withdrew the delivery, and which final statuses the sender has already
counted (a sender may see 06 and then 15 for the same recipient; it counts the first).
"""

from __future__ import annotations

import math

import numpy as np

from sim import statuses as st

_SLOTS = {
    st.ARRIVED: 0,
    st.REFUSED: 1,
    st.ACCEPTED: 2,
    st.ASSIGNED: 3,
    st.PROCESSING: 4,
    st.COMPLETED: 5,
}


class TakeBacks:
    """The receiver-side times and withdrawals of deliveries with a take-back request."""

    def __init__(self) -> None:
        self.times: dict[int, list[float]] = {}
        self.withdrawn: dict[int, float] = {}
        self.finals: set[int] = set()

    def __repr__(self) -> str:
        return f"<TakeBacks of {len(self.times)} deliveries, {len(self.withdrawn)} withdrawn>"

    def remember(self, keys: np.ndarray, code: int, at: np.ndarray) -> None:
        """The receivers of ``keys`` emitted ``code`` at ``at``."""
        slot = _SLOTS[code]
        for key, t in zip(keys.tolist(), at.tolist(), strict=True):
            self.times.setdefault(key, [math.inf] * 6)[slot] = t

    def allowed(self, key: int, t13: float) -> bool:
        """Whether spec's lifecycle lets a 13 at ``t13`` follow what the receiver emitted by
        then (nothing yet when it has not downloaded the document)."""
        times = self.times.get(key)
        if times is None:
            return st.TAKE_BACK_ALLOWED[0]
        t01, t02, t03, t04, t05, t06 = times
        if t02 <= t13:
            return st.TAKE_BACK_AFTER_REFUSAL
        steps = sum(x <= t13 for x in (t01, t03, t04, t05, t06))
        return st.TAKE_BACK_ALLOWED[steps]

    def withdraw(self, key: int, at: float) -> None:
        self.withdrawn[key] = at

    def gone(self, keys: np.ndarray, now: float) -> np.ndarray:
        """Which deliveries ``keys`` were withdrawn at or before ``now``."""
        out = np.zeros(len(keys), dtype=bool)
        if self.withdrawn:
            for i, key in enumerate(keys.tolist()):
                at = self.withdrawn.get(key)
                out[i] = at is not None and at <= now
        return out

    def suppressed(self, keys: np.ndarray, codes: np.ndarray, emitted: np.ndarray) -> np.ndarray:
        """Which statuses were emitted after their delivery was withdrawn (and so are not
        sent: after an agreed take-back only :data:`sim.statuses.AFTER_AGREED` may follow)."""
        out = np.zeros(len(keys), dtype=bool)
        for i, (key, code, t) in enumerate(
            zip(keys.tolist(), codes.tolist(), emitted.tolist(), strict=True)
        ):
            at = self.withdrawn.get(key)
            out[i] = at is not None and t > at and code not in st.AFTER_AGREED
        return out

    def first_finals(self, keys: np.ndarray) -> np.ndarray:
        """Which of these final statuses are the first the sender sees for their delivery."""
        out = np.ones(len(keys), dtype=bool)
        for i, key in enumerate(keys.tolist()):
            if key in self.finals:
                out[i] = False
            else:
                self.finals.add(key)
        return out
