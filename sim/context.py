"""What every part of one run shares: the SimPy environment, the calendar, the network, the
random numbers, the recorders and the measurement window."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from sim.calendar import WorkCalendar
from sim.metrics import DocBook, Metrics
from sim.randoms import Randoms
from sim.topology import Topology
from sim.traces import Tracer
from sim.types import SimTime


@dataclass(eq=False)
class RunContext:
    """The shared collaborators of one run. ``window`` is the measurement window in clock
    time, ``window_w`` the same in working time; ``phase`` and ``province`` group agencies
    for the metrics (a province group per province, the last one for central bodies)."""

    env: simpy.Environment
    calendar: WorkCalendar
    topology: Topology
    randoms: Randoms
    metrics: Metrics
    docs: DocBook
    tracer: Tracer
    tick: float
    window: tuple[SimTime, SimTime]
    window_w: tuple[float, float]
    tier: np.ndarray
    phase: np.ndarray
    province: np.ndarray

    def __repr__(self) -> str:
        return f"<RunContext {self.topology.label}, horizon {self.horizon:.0f} s>"

    @property
    def horizon(self) -> SimTime:
        return self.window[1]
