"""The post: how long a paper letter takes, by distance and by the recipient's tier.

A letter leaves the day it is written and is opened at the start of office hours on the first
working day after its transit time: ``base_days`` + distance / ``km_per_day`` + an extra for
the recipient's role (district and commune offices are reached later) + an exponential jitter.
"""

from __future__ import annotations

import numpy as np

from sim.calendar import WorkCalendar
from sim.config import PostConfig
from sim.randoms import Purpose, Randoms
from sim.topology import Topology, distance_km
from sim.types import DAY, Role


class Post:
    """Paper delivery times between agencies of ``topology``."""

    def __init__(
        self, config: PostConfig, topology: Topology, calendar: WorkCalendar, randoms: Randoms
    ) -> None:
        self.config = config
        self.topology = topology
        self.calendar = calendar
        self.randoms = randoms
        self.extra = np.array([config.extra_days[role] for role in Role])[topology.role]

    def __repr__(self) -> str:
        return f"<Post base={self.config.base_days} d, {self.config.km_per_day} km/d>"

    def arrival(
        self, t: np.ndarray, sender: np.ndarray, recipient: np.ndarray, keys: np.ndarray
    ) -> np.ndarray:
        """When letters posted at ``t`` (about deliveries ``keys``) are opened."""
        c = self.config
        km = distance_km(self.topology, sender, recipient)
        days = c.base_days + km / c.km_per_day + self.extra[recipient]
        if c.jitter_days > 0:
            u = self.randoms.uniform(Purpose.POST, keys)
            days = days - c.jitter_days * np.log1p(-u)
        return np.asarray(self.calendar.next_work_start(t + days * DAY))
