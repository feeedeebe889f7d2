"""The fault plan a load run switches on with ``--faults``: the axis's seeded faults of the
kinds a production hub shows under load (AXIS_PROTOCOL.md §5 says duplicates of any call must
be harmless, so the clients retry and the checks must still pass).

- server errors (HTTP 5xx with an ``Unavailable`` envelope) before the call is applied, and
  after it (the answer is lost, the call happened: the retry is a duplicate);
- connection resets, before and after the call is applied;
- the same delivery listed twice in one ``getReceivedEdocList`` answer, and lists reordered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from load.errors import PlanError

__all__ = ["load_fault_file", "seeded_faults"]


def seeded_faults(seed: int, rate: float = 0.02) -> dict[str, Any]:
    """The plan (``axis/fault_plan.schema.json``) with each breaking fault at ``rate`` per
    call, list faults at five times that."""
    if not 0 < rate <= 0.1:
        raise ValueError(f"rate={rate!r} must be in (0, 0.1]: retries must be able to win")
    return {
        "seed": seed,
        "rules": [
            {"id": "load-5xx", "kind": "error", "probability": rate, "http_status": 503},
            {
                "id": "load-5xx-after",
                "kind": "error",
                "probability": rate,
                "http_status": 502,
                "apply": True,
            },
            {"id": "load-reset", "kind": "reset", "probability": rate / 2},
            {"id": "load-reset-after", "kind": "reset", "probability": rate / 2, "apply": True},
            {
                "id": "load-duplicate",
                "kind": "duplicate",
                "operation": "getReceivedEdocList",
                "probability": min(1.0, rate * 5),
            },
            {
                "id": "load-reorder",
                "kind": "reorder",
                "operation": "getReceivedEdocList",
                "probability": min(1.0, rate * 5),
            },
        ],
    }


def load_fault_file(path: Path) -> dict[str, Any]:
    """A fault plan from a YAML or JSON file, checked against the axis's schema."""
    from axis.errors import ConfigError
    from axis.faults import load_plan

    try:
        return load_plan(Path(path), started=0.0).spec
    except ConfigError as exc:
        raise PlanError(str(exc)) from None
