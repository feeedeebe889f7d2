"""Random durations as the scenarios describe them: exponential, lognormal or constant.

A :class:`Duration` turns uniform numbers into durations by its inverse distribution function
(:meth:`Duration.at`), a whole array at a time. The uniforms come from :mod:`sim.randoms`,
keyed by what they are for and by whom, so the same delivery gets the same handling effort in
every scenario that handles it (common random numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import ndtri

from fixtures.handling import lognormal_params
from sim.errors import ScenarioError

KINDS = ("exponential", "lognormal", "constant")


@dataclass(frozen=True, slots=True)
class Duration:
    """A non-negative random duration with the given mean (and coefficient of variation)."""

    kind: str
    mean: float
    cv: float = 1.0
    _mu: float = field(init=False, repr=False, compare=False, default=0.0)
    _sigma: float = field(init=False, repr=False, compare=False, default=0.0)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ScenarioError(f"dist(={self.kind!r}) must be one of {KINDS!r}")
        if not self.mean >= 0:
            raise ScenarioError(f"mean(={self.mean!r}) must be >= 0")
        if not self.cv > 0:
            raise ScenarioError(f"cv(={self.cv!r}) must be > 0")
        if self.kind == "lognormal" and self.mean > 0:
            mu, sigma = lognormal_params(self.mean, self.cv)
            object.__setattr__(self, "_mu", mu)
            object.__setattr__(self, "_sigma", sigma)

    @classmethod
    def of(cls, spec: Mapping[str, Any], scale: float = 1.0) -> Duration:
        """From a scenario mapping ``{dist, mean, cv}``; ``scale`` converts units (× mean)."""
        return cls(
            str(spec.get("dist", "exponential")),
            float(spec["mean"]) * scale,
            float(spec.get("cv", 1.0)),
        )

    @property
    def fixed(self) -> bool:
        """True when every draw is the mean (no randomness to spend)."""
        return self.mean == 0 or self.kind == "constant"

    def at(self, u: np.ndarray) -> np.ndarray:
        """The durations at uniform numbers ``u`` in [0, 1) (the inverse distribution)."""
        if self.fixed:
            return np.full(len(u), self.mean)
        if self.kind == "exponential":
            return -self.mean * np.log1p(-u)
        # u = 0 would give -inf: nudge it to the smallest uniform a draw can give
        return np.exp(self._mu + self._sigma * ndtri(np.maximum(u, 2.0**-53)))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` durations from a numpy Generator (for draws that need no key)."""
        if self.fixed:
            return np.full(n, self.mean)
        if self.kind == "exponential":
            return rng.exponential(self.mean, n)
        return rng.lognormal(self._mu, self._sigma, n)
