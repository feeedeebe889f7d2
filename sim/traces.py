"""The life of a sample of documents, step by step, for the report: every stride-th document
sent in the measurement window, up to a quota."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.types import SimTime


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One step in the life of a traced document."""

    t: SimTime
    what: str
    agency: int
    detail: str = ""


class Tracer:
    """Traces of up to ``quota`` documents, one in ``stride`` of those sent from ``start``."""

    def __init__(self, quota: int, stride: int, start: SimTime) -> None:
        self.quota = quota
        self.stride = stride
        self.start = start
        self.traces: dict[int, list[TraceEvent]] = {}

    def __repr__(self) -> str:
        return f"<Tracer {len(self.traces)} of {self.quota} documents>"

    def pick(self, ids: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Which of the new documents ``ids`` sent at ``t`` get a trace."""
        if not self.stride or len(self.traces) >= self.quota:
            return np.zeros(len(ids), dtype=bool)
        traced = (ids % self.stride == 0) & (t >= self.start)
        traced &= np.cumsum(traced) <= self.quota - len(self.traces)
        for doc in ids[traced].tolist():
            self.traces[doc] = []
        return traced

    def add(self, doc: int, t: float, what: str, agency: int, detail: str = "") -> None:
        events = self.traces.get(int(doc))
        if events is not None:
            events.append(TraceEvent(float(t), what, int(agency), detail))
