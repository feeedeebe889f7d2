"""The onboarding board: which agencies of each rollout phase run certified software, what blocks
the others, what the gap costs, and when the phase can go live.

Parts: the registry (:mod:`board.registry`, one SQLite file), certificates verified against
trusted keys (:mod:`board.certificates`, the only reader of certificate files), phase plans
(:mod:`board.plans`), the readiness rules (:mod:`board.readiness`) and their application
(:mod:`board.status`), the go-live forecast (:mod:`board.forecast`), the phase simulation
(:mod:`board.simulate`, the only caller of the simulator), diffs between runs
(:mod:`board.diff`), the web board (:mod:`board.web`) and its static export
(:mod:`board.export`). ``docs/board.md`` is the certification office's guide.

Names are imported on first use: the web board and the simulator are heavy, and most uses need
neither.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "BoardError": "board.errors",
    "CertificateRefused": "board.errors",
    "NotFound": "board.errors",
    "PlanError": "board.errors",
    "RegistryError": "board.errors",
    "SimulationError": "board.errors",
    "TrustedKeyError": "board.errors",
    "Certificate": "board.certificates",
    "TrustedKeys": "board.certificates",
    "Verification": "board.certificates",
    "load_trusted_keys": "board.certificates",
    "read_certificate": "board.certificates",
    "PhasePlan": "board.plans",
    "Role": "board.plans",
    "parse_plan": "board.plans",
    "shipped_plans": "board.plans",
    "AgencyReadiness": "board.readiness",
    "PhaseReadiness": "board.readiness",
    "State": "board.readiness",
    "agency_readiness": "board.readiness",
    "phase_readiness": "board.readiness",
    "Registry": "board.registry",
    "open_registry": "board.registry",
    "board_status": "board.status",
    "phase_status": "board.status",
    "Forecast": "board.forecast",
    "forecast_phase": "board.forecast",
    "PhaseSimulation": "board.simulate",
    "simulate_phase": "board.simulate",
    "diff_certificates": "board.diff",
    "board_app": "board.web",
    "export_board": "board.export",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'board' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
