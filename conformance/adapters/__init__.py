"""SUT adapters: how the suite makes a system under test act. The protocol
(:class:`SutAdapter`) is the adapter contract in Python; :class:`HttpAdapter` speaks it to a
vendor's control endpoint, :class:`ManualAdapter` to a person at the SUT's screen, and
:class:`ReferenceAdapter` to the reference SUT it starts.
"""

from conformance.adapters.base import SutAdapter, make_configuration
from conformance.adapters.http import HttpAdapter
from conformance.adapters.manual import ManualAdapter
from conformance.adapters.reference import ReferenceAdapter

__all__ = ["HttpAdapter", "ManualAdapter", "ReferenceAdapter", "SutAdapter", "make_configuration"]
