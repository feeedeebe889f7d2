"""Random durations as the scenarios describe them: exponential, lognormal or constant.

A :class:`Duration` draws a whole array at once from the numpy Generator it is given, so the
model pays one call per batch, never one per document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.mean == 0 or self.kind == "constant":
            return np.full(n, self.mean)
        if self.kind == "exponential":
            return rng.exponential(self.mean, n)
        return rng.lognormal(self._mu, self._sigma, n)
