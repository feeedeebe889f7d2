"""The people of a receiving agency: the registry clerk, the leaders and the officers.

A document that reaches an agency is registered by a clerk (status 03, or a refusal 02), a
leader assigns it (04), an officer takes it up (05) and completes it (06). Each role is a desk
of ``n`` interchangeable people per agency (:class:`Desks`); a document takes the person who
frees first, in the order of the incoming register. All of this runs in working time
(:mod:`sim.calendar`): people act in office hours only. Completion also waits a lead time that
holds nobody (consultations, site visits, a report to draft), longer for steering documents.

Some staff act only on the paper copy (SPEC §6): per agency a share ``paper_dependence`` of the
documents wait for the post before the leader assigns them.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.calendar import WorkCalendar
from sim.distributions import Duration
from sim.errors import ScenarioError
from sim.topology import Topology
from sim.types import HOUR, Role

_ROWS_PER_ROUND = 8
"""Below this many rows per remaining round, a plain loop beats more rounds of numpy calls."""


class Desks:
    """One role's staff at every agency, as a matrix of working times at which each person is
    free (``inf`` pads agencies with fewer people than the widest one). Agencies are numbered
    so that a round over communes' two officers never looks at a ministry's sixty."""

    def __init__(self, counts: np.ndarray) -> None:
        if (counts < 1).any():
            raise ScenarioError("every agency needs at least one person at each desk")
        width = int(counts.max())
        self.counts = counts
        self.free = np.where(np.arange(width)[None, :] < counts[:, None], 0.0, np.inf)

    def __repr__(self) -> str:
        return f"<Desks for {len(self.counts)} agencies, up to {self.free.shape[1]} people>"

    def serve(self, agency: np.ndarray, ready: np.ndarray, effort: np.ndarray) -> np.ndarray:
        """Start times of jobs (in row order) at their agencies' desks; the rows of one agency
        are served in the order given."""
        return serve_chain([self], agency, ready, [effort])[0]

    def _take(self, agency: np.ndarray, ready: np.ndarray, effort: np.ndarray) -> np.ndarray:
        """Serve one job at each of ``agency`` (all distinct): the person free first."""
        free = self.free
        width = int(self.counts[agency].max())
        if width == 1:
            start = np.maximum(ready, free[agency, 0])
            free[agency, 0] = start + effort
            return start
        lines = free[agency[:, None], np.arange(width)]
        person = lines.argmin(axis=1)
        start = np.maximum(ready, lines[np.arange(len(agency)), person])
        free[agency, person] = start + effort
        return start


def serve_chain(
    chain: Sequence[Desks],
    agency: np.ndarray,
    ready: np.ndarray,
    efforts: Sequence[np.ndarray],
) -> list[np.ndarray]:
    """Jobs pass the desks of ``chain`` in turn (a job is ready for the next desk when the
    previous one is done with it); returns each desk's start times, in row order. The rows
    of one agency are served in the order given, at every desk."""
    n = len(agency)
    starts = [np.empty(n) for _ in chain]
    # round r serves the r-th job of every agency: within a round the agencies are distinct
    order = np.argsort(agency, kind="stable")
    sorted_agency = agency[order]
    new = np.empty(n, dtype=bool)
    new[:1] = True
    np.not_equal(sorted_agency[1:], sorted_agency[:-1], out=new[1:])
    heads = np.flatnonzero(new)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(heads, np.diff(np.append(heads, n)))
    rounds = int(rank.max()) + 1
    left, r = n, 0
    # a round of numpy calls costs as much as a few rows served one by one
    while left and left >= _ROWS_PER_ROUND * (rounds - r):
        now = np.flatnonzero(rank == r)
        a = agency[now]
        t = ready[now]
        for desk, effort, start in zip(chain, efforts, starts, strict=True):
            e = effort[now]
            st = desk._take(a, t, e)
            start[now] = st
            t = st + e
        left -= len(now)
        r += 1
    if left:
        _serve_rest(chain, agency, ready, efforts, starts, order[rank[order] >= r])
    return starts


def _serve_rest(
    chain: Sequence[Desks],
    agency: np.ndarray,
    ready: np.ndarray,
    efforts: Sequence[np.ndarray],
    starts: list[np.ndarray],
    rest: np.ndarray,
) -> None:
    """Serve ``rest`` (sorted by agency, in order within each) one by one: per agency, each
    desk's free times as a heap."""
    owners = agency[rest].tolist()
    ready_rest = ready[rest].tolist()
    effort_rest = [e[rest].tolist() for e in efforts]
    out: list[list[float]] = [[] for _ in chain]
    heaps: list[list[float]] = []
    current = -1
    for i, a in enumerate(owners):
        if a != current:
            for desk, heap in zip(chain, heaps, strict=False):
                desk.free[current, : len(heap)] = heap
            current = a
            heaps = [desk.free[a, : desk.counts[a]].tolist() for desk in chain]
            for heap in heaps:
                heapq.heapify(heap)
        t = ready_rest[i]
        for heap, effort, sink in zip(heaps, effort_rest, out, strict=True):
            first = heap[0]
            st = t if t > first else first
            t = st + effort[i]
            heapq.heapreplace(heap, t)
            sink.append(st)
    for desk, heap in zip(chain, heaps, strict=False):
        desk.free[current, : len(heap)] = heap
    for start, sink in zip(starts, out, strict=True):
        start[rest] = sink


def _per_role(spec: Mapping[str, Any], topology: Topology, key: str | None = None) -> np.ndarray:
    """Per agency, the value its role has in ``spec`` (``spec[role][key]`` when key is given)."""
    table = np.array(
        [float(spec[role.label] if key is None else spec[role.label][key]) for role in Role]
    )
    return table[topology.role]


class Agencies:
    """Staff, handling times and habits of every agency of a topology."""

    def __init__(
        self,
        spec: Mapping[str, Any],
        topology: Topology,
        calendar: WorkCalendar,
        rng: np.random.Generator,
    ) -> None:
        staff = spec["staff"]
        self.calendar = calendar
        self.topology = topology
        self.clerks = Desks(_per_role(staff, topology, "clerks").astype(np.int64))
        self.leaders = Desks(_per_role(staff, topology, "leaders").astype(np.int64))
        self.officers = Desks(_per_role(staff, topology, "officers").astype(np.int64))
        self.clerk_effort = Duration.of(spec["clerk_minutes"], 60.0)
        self.leader_effort = Duration.of(spec["leader_minutes"], 60.0)
        self.officer_effort = [Duration.of(spec["officer_hours"][k], HOUR) for k in _STEERING]
        self.lead = [Duration.of(spec["lead_days"][k], calendar.day_length) for k in _STEERING]
        self.refusal_rate = float(spec["refusal_rate"])
        self.paper_dependence = _dependence(spec, topology, rng)

    def __repr__(self) -> str:
        return f"<Agencies of {self.topology!r}>"

    def register(
        self, agency: np.ndarray, t_ready: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Working time at which the clerk has registered (or refused) each document, shown
        to the clerk at ``t_ready``."""
        w = np.asarray(self.calendar.to_work(t_ready))
        effort = self.clerk_effort.draw(rng, len(agency))
        return self.clerks.serve(agency, w, effort) + effort

    def handle(
        self,
        agency: np.ndarray,
        w_ready: np.ndarray,
        steering: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Clock times of assignment (04), start of processing (05) and completion (06)."""
        n = len(agency)
        effort = self.leader_effort.draw(rng, n)
        work = np.empty(n)
        lead = np.empty(n)
        for k in range(len(_STEERING)):
            rows = np.flatnonzero(steering == k)
            if len(rows):
                work[rows] = self.officer_effort[k].draw(rng, len(rows))
                lead[rows] = self.lead[k].draw(rng, len(rows))
        picked, taken = serve_chain([self.leaders, self.officers], agency, w_ready, [effort, work])
        assigned = picked + effort
        times = self.calendar.from_work(np.concatenate((assigned, taken, taken + work + lead)))
        return times[:n], times[n : 2 * n], times[2 * n :]


_STEERING = ("none", "directive", "report")


def _dependence(
    spec: Mapping[str, Any], topology: Topology, rng: np.random.Generator
) -> np.ndarray:
    """Per agency, the share of documents its staff act on only once the paper copy is in:
    a Beta draw around the role's mean (``paper_dependence_spread`` is the Beta's a + b)."""
    mean = _per_role(spec["paper_dependence"], topology)
    spread = float(spec["paper_dependence_spread"])
    inside = (mean > 0) & (mean < 1)
    out = mean.copy()
    if inside.any():
        m = mean[inside]
        out[inside] = rng.beta(m * spread, (1 - m) * spread)
    return out
