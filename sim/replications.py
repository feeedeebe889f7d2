"""Replications and where they run: in this process, on local processes (joblib) or on a Dask
cluster. The model code is the same everywhere: a task is (scenario data, seed, days) and its
result depends on nothing else, so any backend gives the same numbers for the same seeds.

Replication ``i`` of a run with seed ``s`` uses seed ``s + i``; each result records its seed,
and ``--seed <that seed> --replications 1`` replays it alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from sim.errors import BackendError
from sim.model import Model, Progress
from sim.results import RunResult, summarize
from sim.scenario import Scenario
from sim.stats import Estimate, estimate, paired
from sim.topology import Topology

Task = tuple[Mapping[str, Any], int, int | None]
"""(scenario data, seed, days or None for the scenario's own)."""


def run_one(
    data: Mapping[str, Any],
    seed: int,
    days: int | None = None,
    *,
    topology: Topology | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """One replication of the scenario ``data`` with ``seed``."""
    return summarize(Model(data, seed, topology=topology, days=days).run(progress))


def _run_task(task: Task) -> RunResult:
    data, seed, days = task
    return run_one(data, seed, days)


def seeds_for(seed: int, replications: int) -> list[int]:
    """The seeds of ``replications`` replications of a run with ``seed``."""
    if replications < 1:
        raise ValueError(f"replications(={replications!r}) must be >= 1")
    return [seed + i for i in range(replications)]


@dataclass
class Replications:
    """The results of one scenario's replications."""

    scenario: Scenario
    results: list[RunResult]

    def __repr__(self) -> str:
        return f"<Replications of {self.scenario.name}: seeds {self.seeds}>"

    @property
    def seeds(self) -> list[int]:
        return [r.seed for r in self.results]

    def summary(self) -> dict[str, Estimate]:
        """Per scalar metric, the mean over replications with its 95 % confidence interval."""
        names = list(self.results[0].scalars)
        return {name: estimate([r.scalars[name] for r in self.results]) for name in names}

    def differences(self, reference: Replications) -> dict[str, Estimate]:
        """Per metric, this scenario minus ``reference``, paired replication by replication
        (same seeds: common random numbers), with 95 % confidence intervals."""
        if self.seeds != reference.seeds:
            raise ValueError(
                f"paired differences need the same seeds (reference={reference.seeds!r}, "
                f"this={self.seeds!r})"
            )
        names = list(self.results[0].scalars)
        return {
            name: paired(
                [r.scalars[name] for r in reference.results],
                [r.scalars[name] for r in self.results],
            )
            for name in names
        }


def run_tasks(
    tasks: Sequence[Task],
    *,
    jobs: int | None = 1,
    scheduler: str | None = None,
    progress: bool = False,
    label: str = "replications",
) -> list[RunResult]:
    """Run ``tasks`` in order of submission: on a Dask cluster when ``scheduler`` is an
    address, else on ``jobs`` local processes (``jobs == 1``: in this process; None: one per
    core, as many as there are tasks)."""
    if jobs is None:
        jobs = max(1, min(os.cpu_count() or 1, len(tasks)))
    if scheduler:
        stream = _on_dask(tasks, scheduler)
    elif jobs == 1:
        stream = _in_process(tasks, progress)
    else:
        stream = _on_joblib(tasks, jobs)
    bar = progress and not (jobs == 1 and not scheduler and len(tasks) == 1)
    results = list(tqdm(stream, total=len(tasks), desc=label, disable=not bar, unit="run"))
    return results


def _in_process(tasks: Sequence[Task], progress: bool) -> Iterator[RunResult]:
    for data, seed, days in tasks:
        if progress and len(tasks) == 1:
            total = int(data["warmup_days"]) + int(days if days is not None else data["days"])
            with tqdm(total=total, desc=f"{data['name']} seed {seed}", unit="day") as bar:
                yield run_one(data, seed, days, progress=bar.update)
        else:
            yield run_one(data, seed, days)


def _on_joblib(tasks: Sequence[Task], jobs: int) -> Iterator[RunResult]:
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=jobs, return_as="generator")
    yield from parallel(delayed(_run_task)(task) for task in tasks)


def _on_dask(tasks: Sequence[Task], address: str) -> Iterator[RunResult]:
    try:
        from distributed import Client
    except ImportError as exc:
        raise BackendError(
            "--scheduler needs Dask's distributed package: pip install 'lienthong[dask]'"
        ) from exc
    try:
        client = Client(address, timeout="20s", set_as_default=False)
    except OSError as exc:
        raise BackendError(f"cannot reach the Dask scheduler (address={address!r}): {exc}") from exc
    try:
        futures = client.map(_run_task, list(tasks), pure=False)
        for future in futures:
            yield future.result()
    finally:
        client.close()


def run_replications(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    jobs: int | None = 1,
    scheduler: str | None = None,
    progress: bool = False,
) -> Replications:
    """All replications of ``scenario`` (its own count and seed unless given)."""
    seeds = seeds_for(
        scenario.seed if seed is None else seed,
        scenario.replications if replications is None else replications,
    )
    tasks = [(scenario.data, s, days) for s in seeds]
    results = run_tasks(
        tasks, jobs=jobs, scheduler=scheduler, progress=progress, label=scenario.name
    )
    return Replications(scenario, results)
