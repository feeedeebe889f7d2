"""The certification suite: it drives a vendor's software (the SUT) through an adapter, watches
what crosses the fake axis, and gives a verdict per requirement.

Parts: the adapter contract (:mod:`conformance.contract`) and adapters
(:mod:`conformance.adapters`), the harness clock, the reference SUT
(:mod:`conformance.reference`), and the pytest plugin and test modules that judge a SUT.
"""

from conformance.clock import HarnessClock
from conformance.errors import (
    ActionRefused,
    ConformanceError,
    ContractViolation,
    NotConfigured,
    NotSupported,
    OperatorTimeout,
    RunIncomplete,
    SutError,
    SutUnreachable,
    UnknownDocument,
)

__all__ = [
    "ActionRefused",
    "ConformanceError",
    "ContractViolation",
    "HarnessClock",
    "NotConfigured",
    "NotSupported",
    "OperatorTimeout",
    "RunIncomplete",
    "SutError",
    "SutUnreachable",
    "UnknownDocument",
]
