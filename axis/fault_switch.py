"""The fault plan in force on a running axis: set, cleared and described by the admin API and
the ``--faults`` file, consulted for every VXP call; every change is a ``faults`` event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axis.events import FaultsEvent
from axis.faults import ANYTHING, CallSubject, FaultPlan, Injection
from axis.store import Store

__all__ = ["FaultSwitch"]


class FaultSwitch:
    """Holds the active :class:`FaultPlan` (or none) of the axis whose store is ``store``."""

    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock
        self.plan: FaultPlan | None = None

    def __repr__(self) -> str:
        return f"FaultSwitch({self.plan!r})"

    def set(self, spec: dict[str, Any] | None) -> None:
        """Install a plan (validated; ``None`` clears it) and record it, with the axis time it
        started at (outage windows count from it)."""
        started = self._clock()
        plan = FaultPlan(spec, started=started) if spec is not None else None
        self.plan = plan
        with self._store.transaction():
            self._store.record(
                FaultsEvent(
                    action="set" if plan else "cleared",
                    plan=spec or {},
                    started=started if plan else None,
                )
            )

    def decide(self, op: str, system: str, subject: CallSubject = ANYTHING) -> list[Injection]:
        """The faults that fire on this call about ``subject`` (none without a plan)."""
        return self.plan.decide(op, system, self._clock(), subject) if self.plan else []

    @property
    def rules(self) -> int:
        return len(self.plan.rules) if self.plan else 0

    def describe(self) -> dict[str, Any]:
        """The active plan with its remaining budgets (empty rules when none)."""
        return self.plan.describe() if self.plan else {"seed": 0, "rules": []}
