"""The contract check (``lienthong contract check URL``): the first thing a vendor runs against
its test build. It calls every endpoint of the adapter contract the controller declares,
against a throw-away axis, and says per endpoint what is right and what is wrong, with the
exact key and the shape the contract expects; exit 0 when everything is right, 1 when an
answer breaks the contract, 2 when the controller cannot be reached."""

from conformance.contract_check.render import render_lines
from conformance.contract_check.report import (
    EXIT_BROKEN,
    EXIT_CANNOT_CHECK,
    EXIT_OK,
    CheckReport,
    EndpointCheck,
)
from conformance.contract_check.run import (
    DEFAULT_TIMEOUT,
    DEFAULT_WAIT,
    CheckAborted,
    check_contract,
)
from conformance.contract_check.shapes import Problem, problems, shape

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_WAIT",
    "EXIT_BROKEN",
    "EXIT_CANNOT_CHECK",
    "EXIT_OK",
    "CheckAborted",
    "CheckReport",
    "EndpointCheck",
    "Problem",
    "check_contract",
    "problems",
    "render_lines",
    "shape",
]
