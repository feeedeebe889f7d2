"""The fake Trục liên thông: an HTTP service that speaks VNPT's VXP axis protocol byte for byte
(AXIS_PROTOCOL.md), with a SQLite store, a hash-chained transcript, seeded faults, an admin API,
and a Python client that signs like the SDK.

Start one with ``lienthong axis serve`` or, in tests, ``with running_axis(AxisConfig()) as
axis: ...``; talk to it with ``axis.client(system_id)`` and ``axis.admin()``.
"""

from axis.app import AxisApp, create_app
from axis.client import AdminError, AxisAdmin, AxisClient
from axis.config import AxisConfig, SystemSpec
from axis.errors import (
    AuthError,
    AxisError,
    BadRequest,
    BadSignature,
    ConfigError,
    ErrorCode,
    Forbidden,
    InternalError,
    NotFound,
    ProtocolError,
    TooLarge,
    Unavailable,
    Unroutable,
    ValidationRefused,
)
from axis.events import Event, EventKind, parse_event
from axis.faults import FaultPlan, plan_schema
from axis.server import RunningAxis, ServerFailed, running_axis, serve
from axis.transcript import Verification, verify_file

__all__ = [
    "AdminError",
    "AuthError",
    "AxisAdmin",
    "AxisApp",
    "AxisClient",
    "AxisConfig",
    "AxisError",
    "BadRequest",
    "BadSignature",
    "ConfigError",
    "ErrorCode",
    "Event",
    "EventKind",
    "FaultPlan",
    "Forbidden",
    "InternalError",
    "NotFound",
    "ProtocolError",
    "RunningAxis",
    "ServerFailed",
    "SystemSpec",
    "TooLarge",
    "Unavailable",
    "Unroutable",
    "ValidationRefused",
    "Verification",
    "create_app",
    "parse_event",
    "plan_schema",
    "running_axis",
    "serve",
    "verify_file",
]
