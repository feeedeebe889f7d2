"""Sweeps and comparisons: many scenario variants, every replication of every variant at once,
compared pair by pair.

Every variant runs with the same seeds, and every random number is keyed by its purpose and by
what it is for (:mod:`sim.randoms`), so replication ``i`` of each variant sees the same
documents, efforts and delays wherever the variants agree: common random numbers. A
comparison therefore reports, per metric, the mean of the per-seed differences with its 95 %
confidence interval, which is far narrower than the two means' intervals suggest, and flags
the differences whose interval excludes zero.

A sweep varies dotted-path parameters over lists of values (the cartesian product of all
``--vary`` options); its replications are one flat list of tasks, so local processes or a
Dask cluster work through all of them in parallel. Its first variant is the reference the
others are compared with.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.replications import Replications, run_tasks, seeds_for
from sim.scenario import Scenario
from sim.stats import Estimate


@dataclass
class SweepPoint:
    """One variant of a sweep: the overrides that make it, its replications, and its paired
    differences from the sweep's first variant (empty for that one)."""

    overrides: tuple[tuple[str, Any], ...]
    replications: Replications
    differences: dict[str, Estimate] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.overrides) or "(as is)"


@dataclass
class Comparison:
    """Two scenarios' replications with the same seeds, and B − A per metric, paired."""

    a: Replications
    b: Replications
    differences: dict[str, Estimate]

    def __repr__(self) -> str:
        significant = sum(d.significant for d in self.differences.values())
        return (
            f"<Comparison {self.a.scenario.name} vs {self.b.scenario.name}: "
            f"{significant} significant differences>"
        )


def variants(
    scenario: Scenario, vary: Sequence[tuple[str, Sequence[Any]]]
) -> list[tuple[tuple[tuple[str, Any], ...], Scenario]]:
    """The scenarios of the cartesian product of ``vary`` (each validated)."""
    paths = [path for path, _ in vary]
    out = []
    for values in itertools.product(*(vals for _, vals in vary)):
        overrides = tuple(zip(paths, values, strict=True))
        out.append((overrides, scenario.with_overrides(overrides)))
    return out


def sweep(
    scenario: Scenario,
    vary: Sequence[tuple[str, Sequence[Any]]],
    *,
    replications: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> list[SweepPoint]:
    """Every variant's replications, all with the same seeds (common random numbers), each
    compared with the first variant."""
    seeds = seeds_for(
        scenario.seed if seed is None else seed,
        scenario.replications if replications is None else replications,
    )
    points = variants(scenario, vary)
    tasks = [(variant.data, s, days) for _, variant in points for s in seeds]
    results = run_tasks(tasks, jobs=jobs, scheduler=scheduler, progress=progress, label="sweep")
    out: list[SweepPoint] = []
    for i, (overrides, variant) in enumerate(points):
        mine = Replications(variant, results[i * len(seeds) : (i + 1) * len(seeds)])
        differences = mine.differences(out[0].replications) if out else {}
        out.append(SweepPoint(overrides, mine, differences))
    return out


def compare(
    a: Scenario,
    b: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> Comparison:
    """Both scenarios' replications with the same seeds (those of ``a`` unless given), and
    their paired differences."""
    seeds = seeds_for(
        a.seed if seed is None else seed,
        a.replications if replications is None else replications,
    )
    tasks = [(s.data, x, days) for s in (a, b) for x in seeds]
    results = run_tasks(tasks, jobs=jobs, scheduler=scheduler, progress=progress, label="compare")
    n = len(seeds)
    ra, rb = Replications(a, results[:n]), Replications(b, results[n:])
    return Comparison(ra, rb, rb.differences(ra))
