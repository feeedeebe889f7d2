"""The people of a receiving agency: the registry clerk, the leaders and the officers.

A document that reaches an agency is registered by a clerk (status 03, or a refusal 02), a
leader assigns it (04), an officer takes it up (05) and completes it (06). Each role is a desk
of ``n`` interchangeable people per agency (:class:`Desks`); a document takes the person who
frees first. All of this runs in working time (:mod:`sim.calendar`): people act in office
hours only. Completion also waits a lead time that holds nobody (consultations, site visits, a
report to draft), longer for steering documents.

Some staff act only on the paper copy (SPEC §6): per agency a share ``paper_dependence`` of the
documents wait for the post before the leader assigns them.

Efforts are drawn per delivery and desk (:mod:`sim.randoms`), so a delivery costs the same
work in every scenario that handles it.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaincinv

from sim.calendar import WorkCalendar
from sim.config import AgenciesConfig
from sim.errors import ScenarioError
from sim.kernels import serve_desks
from sim.randoms import Purpose, Randoms
from sim.topology import Topology
from sim.types import Role


class Desks:
    """One role's staff at every agency, as a matrix of working times at which each person is
    free (``inf`` pads agencies with fewer people than the widest one)."""

    def __init__(self, counts: np.ndarray) -> None:
        if (counts < 1).any():
            raise ScenarioError("every agency needs at least one person at each desk")
        width = int(counts.max())
        self.counts = counts.astype(np.int64)
        self.free = np.where(np.arange(width)[None, :] < counts[:, None], 0.0, np.inf)

    def __repr__(self) -> str:
        return f"<Desks for {len(self.counts)} agencies, up to {self.free.shape[1]} people>"

    def serve(self, agency: np.ndarray, ready: np.ndarray, effort: np.ndarray) -> np.ndarray:
        """Start times (working time) of jobs at their agencies' desks, served in the order
        given (their order in the desk's queue), each by the person who frees first."""
        return serve_desks(
            self.free,
            self.counts,
            agency.astype(np.int64, copy=False),
            np.ascontiguousarray(ready, dtype=np.float64),
            np.ascontiguousarray(effort, dtype=np.float64),
        )


def _per_role(table: dict[Role, float], topology: Topology) -> np.ndarray:
    """Per agency, the value its role has in ``table``."""
    return np.array([table[role] for role in Role])[topology.role]


class Agencies:
    """Staff, handling efforts and habits of every agency of a topology."""

    def __init__(
        self,
        config: AgenciesConfig,
        topology: Topology,
        calendar: WorkCalendar,
        randoms: Randoms,
    ) -> None:
        self.config = config
        self.calendar = calendar
        self.topology = topology
        self.randoms = randoms
        staff = config.staff
        counts = {
            desk: np.array([getattr(staff[role], desk) for role in Role], dtype=np.int64)[
                topology.role
            ]
            for desk in ("clerks", "leaders", "officers")
        }
        self.clerks = Desks(counts["clerks"])
        self.leaders = Desks(counts["leaders"])
        self.officers = Desks(counts["officers"])
        self.refusal_rate = config.refusal_rate
        self.paper_dependence = _dependence(config, topology, randoms)

    def __repr__(self) -> str:
        return f"<Agencies of {self.topology!r}>"

    def staff_by_tier(self) -> np.ndarray:
        """People per desk kind (clerk, leader, officer) and tier, every agency together."""
        tier = self.topology.tier.astype(np.int64)
        return np.array(
            [
                np.bincount(tier, desk.counts, minlength=4)
                for desk in (self.clerks, self.leaders, self.officers)
            ]
        )

    def clerk_effort(self, keys: np.ndarray) -> np.ndarray:
        return self.config.clerk.at(self.randoms.uniform(Purpose.CLERK, keys))

    def leader_effort(self, keys: np.ndarray) -> np.ndarray:
        return self.config.leader.at(self.randoms.uniform(Purpose.LEADER, keys))

    def officer_work(self, keys: np.ndarray, steering: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each delivery's officer effort and lead time (working seconds), by steering type."""
        work = np.empty(len(keys))
        lead = np.empty(len(keys))
        u_work = self.randoms.uniform(Purpose.OFFICER, keys)
        u_lead = self.randoms.uniform(Purpose.LEAD, keys)
        day = self.calendar.day_length
        for k, (effort, days) in enumerate(
            zip(self.config.officer, self.config.lead_days, strict=True)
        ):
            rows = np.flatnonzero(steering == k)
            if len(rows):
                work[rows] = effort.at(u_work[rows])
                lead[rows] = days.at(u_lead[rows]) * day
        return work, lead


def _dependence(config: AgenciesConfig, topology: Topology, randoms: Randoms) -> np.ndarray:
    """Per agency, the share of documents its staff act on only once the paper copy is in:
    a Beta draw around the role's mean (``paper_dependence_spread`` is the Beta's a + b),
    by the inverse distribution at the agency's own uniform number."""
    mean = _per_role(dict(config.paper_dependence), topology)
    spread = config.paper_dependence_spread
    inside = (mean > 0) & (mean < 1)
    out = mean.copy()
    if inside.any():
        m = mean[inside]
        u = randoms.uniform(Purpose.HABITS, np.flatnonzero(inside))
        out[inside] = betaincinv(m * spread, (1 - m) * spread, u)
    return out
