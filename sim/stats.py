"""Means and paired differences with 95 % confidence intervals across replications
(Student's t)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import t as student_t


def t975(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError(f"df(={df!r}) must be >= 1")
    return float(student_t.ppf(0.975, df))


@dataclass(frozen=True, slots=True)
class Estimate:
    """Mean of ``n`` replications, with the half-width of its 95 % confidence interval
    (NaN when n < 2)."""

    mean: float
    half_width: float
    sd: float
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero (for a difference: the scenarios differ)."""
        return self.n >= 2 and not math.isnan(self.half_width) and (self.low > 0 or self.high < 0)


def estimate(values: Sequence[float]) -> Estimate:
    """The mean and 95 % CI of ``values`` (NaN entries left out)."""
    xs = [float(v) for v in values if not math.isnan(float(v))]
    n = len(xs)
    if n == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    mean = sum(xs) / n
    if n < 2:
        return Estimate(mean, float("nan"), float("nan"), n)
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    return Estimate(mean, t975(n - 1) * sd / math.sqrt(n), sd, n)


def paired(a: Sequence[float], b: Sequence[float]) -> Estimate:
    """The mean difference b − a over pairs (one per seed) with its 95 % CI; pairs where
    either value is NaN (not measured, censored) are left out."""
    if len(a) != len(b):
        raise ValueError(f"paired samples differ in length ({len(a)} and {len(b)})")
    return estimate(
        [
            float(y) - float(x)
            for x, y in zip(a, b, strict=True)
            if not (math.isnan(float(x)) or math.isnan(float(y)))
        ]
    )
