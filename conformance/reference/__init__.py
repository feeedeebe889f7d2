"""The reference SUT: a small but real document-management client that passes the full
profile, and the behaviour toggles that turn it into the suite's mutants.

Run it with ``python -m conformance.reference``; drive it through
:class:`conformance.adapters.ReferenceAdapter` or any HTTP client of the adapter contract.
"""

from conformance.reference.behaviour import DEFECTS, Behaviour
from conformance.reference.controller import create_controller
from conformance.reference.link import RetryPolicy
from conformance.reference.server import RunningReference, running_reference
from conformance.reference.sut import ReferenceSut

__all__ = [
    "DEFECTS",
    "Behaviour",
    "ReferenceSut",
    "RetryPolicy",
    "RunningReference",
    "create_controller",
    "running_reference",
]
