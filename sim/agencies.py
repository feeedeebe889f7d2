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

from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.calendar import WorkCalendar
from sim.distributions import Duration
from sim.errors import ScenarioError
from sim.topology import Topology
from sim.types import HOUR, Role

_ROWS_PER_ROUND = 6
"""Below this many rows per remaining round, a plain loop beats more rounds of numpy calls."""


class Desks:
    """One role's staff at every agency: for each agency, the working times at which each of
    its people is free. Agencies with the same number of people share one matrix, so a
    commune's two officers are never searched among a ministry's sixty."""

    def __init__(self, counts: np.ndarray) -> None:
        if (counts < 1).any():
            raise ScenarioError("every agency needs at least one person at each desk")
        self.counts = counts
        widths = np.unique(counts)
        self._group = np.searchsorted(widths, counts)
        self._line = np.empty(len(counts), dtype=np.int64)
        self._free = []
        for g, width in enumerate(widths.tolist()):
            members = np.flatnonzero(self._group == g)
            self._line[members] = np.arange(len(members))
            self._free.append(np.zeros((len(members), width)))
        self.work = 0.0

    def __repr__(self) -> str:
        return f"<Desks for {len(self.counts)} agencies, up to {int(self.counts.max())} people>"

    def serve(self, agency: np.ndarray, ready: np.ndarray, effort: np.ndarray) -> np.ndarray:
        """Start times of jobs (in row order) at their agencies' desks; the rows of one agency
        are served in the order given."""
        self.work += float(effort.sum())
        group = self._group[agency]
        line = self._line[agency]
        first = int(group[0])
        if (group == first).all():
            return _serve(self._free[first], line, ready, effort)
        start = np.empty(len(agency))
        for g in np.unique(group).tolist():
            rows = np.flatnonzero(group == g)
            start[rows] = _serve(self._free[g], line[rows], ready[rows], effort[rows])
        return start


def _serve(free: np.ndarray, line: np.ndarray, ready: np.ndarray, effort: np.ndarray) -> np.ndarray:
    """Serve jobs at desks ``free`` (one line per agency, one column per person)."""
    n = len(line)
    start = np.empty(n)
    # round r serves the r-th job of every agency: within a round the agencies are distinct
    order = np.argsort(line, kind="stable")
    sorted_line = line[order]
    new = np.empty(n, dtype=bool)
    new[:1] = True
    np.not_equal(sorted_line[1:], sorted_line[:-1], out=new[1:])
    heads = np.flatnonzero(new)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(heads, np.diff(np.append(heads, n)))
    single = free.shape[1] == 1
    rounds = int(rank.max()) + 1
    left, r = n, 0
    # a round of numpy calls costs as much as a few rows served one by one
    while left >= _ROWS_PER_ROUND * (rounds - r):
        now = np.flatnonzero(rank == r)
        a = line[now]
        person = 0 if single else np.argmin(free[a], axis=1)
        st = np.maximum(ready[now], free[a, person])
        free[a, person] = st + effort[now]
        start[now] = st
        left -= len(now)
        r += 1
    if left:
        rest = np.flatnonzero(rank >= r)
        rest = rest[np.argsort(rank[rest], kind="stable")]
        for i in rest.tolist():
            row = free[line[i]]
            person = int(row.argmin())
            st = max(ready[i], row[person])
            row[person] = st + effort[i]
            start[i] = st
    return start


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
        self, agency: np.ndarray, t_arrive: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Working time at which the clerk has registered (or refused) each document."""
        w = np.asarray(self.calendar.to_work(t_arrive))
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
        assigned = self.leaders.serve(agency, w_ready, effort) + effort
        work = np.empty(n)
        lead = np.empty(n)
        for k in range(len(_STEERING)):
            rows = np.flatnonzero(steering == k)
            if len(rows):
                work[rows] = self.officer_effort[k].draw(rng, len(rows))
                lead[rows] = self.lead[k].draw(rng, len(rows))
        taken = self.officers.serve(agency, assigned, work)
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
