"""Sweeps and comparisons: many scenario variants, every replication of every variant at once.

A sweep varies dotted-path parameters over lists of values (the cartesian product of all
``--vary`` options); its replications are one flat list of tasks, so local processes or a
Dask cluster work through all of them in parallel.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.replications import Replications, run_tasks, seeds_for
from sim.scenario import Scenario


@dataclass
class SweepPoint:
    """One variant of a sweep: the overrides that make it, and its replications."""

    overrides: tuple[tuple[str, Any], ...]
    replications: Replications

    @property
    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.overrides) or "(as is)"


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
    """Every variant's replications, all with the same seeds (common random numbers)."""
    seeds = seeds_for(
        scenario.seed if seed is None else seed,
        scenario.replications if replications is None else replications,
    )
    points = variants(scenario, vary)
    tasks = [(variant.data, s, days) for _, variant in points for s in seeds]
    results = run_tasks(tasks, jobs=jobs, scheduler=scheduler, progress=progress, label="sweep")
    out = []
    for i, (overrides, variant) in enumerate(points):
        mine = results[i * len(seeds) : (i + 1) * len(seeds)]
        out.append(SweepPoint(overrides, Replications(variant, mine)))
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
) -> tuple[Replications, Replications]:
    """Both scenarios' replications with the same seeds (those of ``a`` unless given)."""
    seeds = seeds_for(
        a.seed if seed is None else seed,
        a.replications if replications is None else replications,
    )
    tasks = [(s.data, x, days) for s in (a, b) for x in seeds]
    results = run_tasks(tasks, jobs=jobs, scheduler=scheduler, progress=progress, label="compare")
    n = len(seeds)
    return Replications(a, results[:n]), Replications(b, results[n:])
