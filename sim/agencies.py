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

_LOOP_BELOW = 24
"""Below this many rows a plain loop beats another round of numpy calls."""


class Desks:
    """One role's staff at every agency, as a matrix of working times at which each person is
    free (``inf`` pads agencies with fewer people than the widest one)."""

    def __init__(self, counts: np.ndarray) -> None:
        if (counts < 1).any():
            raise ScenarioError("every agency needs at least one person at each desk")
        width = int(counts.max())
        self.counts = counts
        self.free = np.where(np.arange(width)[None, :] < counts[:, None], 0.0, np.inf)
        self.work = 0.0

    def __repr__(self) -> str:
        return f"<Desks for {len(self.counts)} agencies, up to {self.free.shape[1]} people>"

    def serve(self, agency: np.ndarray, ready: np.ndarray, effort: np.ndarray) -> np.ndarray:
        """Start times of jobs (in row order) at their agencies' desks; the rows of one agency
        are served in the order given."""
        n = len(agency)
        start = np.empty(n)
        free = self.free
        # round r serves the r-th row of every agency: within a round agencies are distinct
        order = np.argsort(agency, kind="stable")
        sorted_agency = agency[order]
        new = np.empty(n, dtype=bool)
        new[:1] = True
        np.not_equal(sorted_agency[1:], sorted_agency[:-1], out=new[1:])
        heads = np.flatnonzero(new)
        rank = np.arange(n) - np.repeat(heads, np.diff(np.append(heads, n)))
        left = n
        r = 0
        while left >= _LOOP_BELOW:
            now = order[rank == r]
            a = agency[now]
            person = np.argmin(free[a], axis=1)
            st = np.maximum(ready[now], free[a, person])
            free[a, person] = st + effort[now]
            start[now] = st
            left -= len(now)
            r += 1
        for i in order[rank >= r].tolist() if left else ():
            line = free[agency[i]]
            person = int(line.argmin())
            st = max(ready[i], line[person])
            line[person] = st + effort[i]
            start[i] = st
        self.work += float(effort.sum())
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
