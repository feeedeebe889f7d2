"""The post: how long a paper copy takes, by distance and by the recipient's tier.

A letter leaves the day it is written and is opened at the start of office hours on the first
working day after its transit time: ``base_days`` + distance / ``km_per_day`` + an extra for
the recipient's role (district and commune offices are reached later) + an exponential jitter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.calendar import WorkCalendar
from sim.topology import Topology, distance_km
from sim.types import DAY, Role


class Post:
    """Paper delivery times between agencies of ``topology``."""

    def __init__(self, spec: Mapping[str, Any], topology: Topology, calendar: WorkCalendar) -> None:
        self.topology = topology
        self.calendar = calendar
        self.base = float(spec["base_days"])
        self.km_per_day = float(spec["km_per_day"])
        self.jitter = float(spec["jitter_days"])
        extra = spec["extra_days"]
        self.extra = np.array([float(extra[role.label]) for role in Role])[topology.role]

    def __repr__(self) -> str:
        return f"<Post base={self.base} d, {self.km_per_day} km/d>"

    def arrival(
        self, t: np.ndarray, sender: np.ndarray, recipient: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """When letters posted at ``t`` are opened by their recipients."""
        km = distance_km(self.topology, sender, recipient)
        days = self.base + km / self.km_per_day + self.extra[recipient]
        if self.jitter > 0:
            days = days + rng.exponential(self.jitter, len(t))
        return np.asarray(self.calendar.next_work_start(t + days * DAY))
