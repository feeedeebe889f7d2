"""The run's random numbers: one stream per purpose, keyed by what a number is drawn for.

Comparing two scenarios is only fair when both spend the same random numbers on the same
things (common random numbers). A sequential generator cannot promise that: once one scenario
draws one number more (a report-back, an extra delivery), every later draw shifts. So here a
random number is a function of the run's seed, its **purpose** (the channel a delivery takes,
the clerk's effort, the axis's service time, …) and a **key** naming what it is for (a
delivery, a document, a status message, an agency). The same delivery gets the same clerk
effort, the same postal delay and the same axis service time in every scenario that has it.

The hash is SplitMix64's finaliser, vectorised on numpy ``uint64`` arrays (multiplication
wraps, as it must). Bulk draws that need no key (a day's documents of one stream, random
outages) take a numpy Generator seeded from (seed, purpose, path).
"""

from __future__ import annotations

import enum

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_UNIT = 2.0**-53


class Purpose(enum.IntEnum):
    """What a random number is drawn for: each purpose is its own stream."""

    WORKLOAD = 1
    PAGES = 2
    CHANNEL = 3
    PAPER_COPY = 4
    POST = 5
    TAKE_BACK = 6
    TAKE_BACK_DELAY = 7
    AGREE = 8
    ANSWER = 9
    REFUSAL = 10
    CLERK = 11
    LEADER = 12
    OFFICER = 13
    LEAD = 14
    ACK = 15
    PLATFORM = 16
    UPLOAD = 17
    RELAY = 18
    AXIS = 19
    ONBOARD_DAY = 20
    ONBOARD_LAG = 21
    POLL = 22
    HABITS = 23
    OUTAGES = 24
    REPORT = 25
    STATUS = 26
    UPTAKE = 27


def _splitmix(x: np.ndarray) -> np.ndarray:
    z = x + np.uint64(_GOLDEN)
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _scalar_mix(value: int) -> int:
    z = (value + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def as_keys(values: np.ndarray | int) -> np.ndarray:
    """``values`` as a one-dimensional ``uint64`` key array."""
    return np.atleast_1d(np.asarray(values)).astype(np.uint64, copy=False)


def combine(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """A key for the pair (a, b) (arrays broadcast): a document and a recipient, a day and a
    stream."""
    return _splitmix(as_keys(a) ^ _splitmix(as_keys(b)))


_CODE_SALT = np.array([_scalar_mix(c + (1 << 40)) for c in range(128)], dtype=np.uint64)


def message_keys(keys: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The keys of status messages ``codes`` about deliveries ``keys`` (one hash, not two:
    status messages are the model's most numerous rows)."""
    return keys ^ _CODE_SALT[codes]


class Randoms:
    """The random numbers of one run with ``seed``."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._salt = {
            p: np.uint64(_scalar_mix((_scalar_mix(self.seed) + p * _GOLDEN) & _MASK))
            for p in Purpose
        }

    def __repr__(self) -> str:
        return f"Randoms({self.seed!r})"

    def uniform(self, purpose: Purpose, keys: np.ndarray) -> np.ndarray:
        """One uniform number in [0, 1) per key, for ``purpose``."""
        z = _splitmix(as_keys(keys) ^ self._salt[purpose])
        return (z >> _S11).astype(np.float64) * _UNIT

    def generator(self, purpose: Purpose, *path: int) -> np.random.Generator:
        """A numpy Generator for bulk draws of ``purpose`` at ``path`` (a day, a stream)."""
        return np.random.default_rng([self.seed, int(purpose), *(int(p) for p in path)])
