"""The certification suite: it drives a vendor's software (the SUT) through an adapter, watches
what crosses the fake axis, and gives a verdict per requirement.

Parts: the adapter contract (:mod:`conformance.contract`) and adapters
(:mod:`conformance.adapters`), the harness clock, the reference SUT
(:mod:`conformance.reference`), the mutant catalogue, and the pytest plugin and test modules
that judge a SUT (:mod:`conformance.plugin`, ``conformance/checks/``).

Names are imported on first use: the pytest plugin imports this package in every pytest
session, and most sessions never certify anything.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ActionRefused": "conformance.errors",
    "ConformanceError": "conformance.errors",
    "ContractViolation": "conformance.errors",
    "CouldNotRun": "conformance.errors",
    "NotConfigured": "conformance.errors",
    "NotSupported": "conformance.errors",
    "OperatorTimeout": "conformance.errors",
    "RunIncomplete": "conformance.errors",
    "SutError": "conformance.errors",
    "SutUnreachable": "conformance.errors",
    "UnknownDocument": "conformance.errors",
    "HarnessClock": "conformance.clock",
    "CertifySettings": "conformance.settings",
    "MUTANTS": "conformance.mutants",
    "mutant": "conformance.mutants",
    "profile": "conformance.profiles",
    "CertifyResult": "conformance.certify",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'conformance' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
