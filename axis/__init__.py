"""The fake Trục liên thông: an HTTP service that speaks VNPT's VXP axis protocol byte for byte
(AXIS_PROTOCOL.md), with a SQLite store, a hash-chained transcript, seeded faults, an admin API,
and a Python client that signs like the SDK.

Start one with ``lienthong axis serve`` or, in tests, ``with running_axis(AxisConfig()) as
axis: ...``; talk to it with ``axis.client(system_id)`` and ``axis.admin()``.

Names are imported on first use, so that ``import axis.config`` (the CLI's option table) does not
load the server stack.
"""

import importlib
import typing

_EXPORTS = {
    "AxisApp": "axis.app",
    "create_app": "axis.app",
    "AdminError": "axis.client",
    "AxisAdmin": "axis.client",
    "AxisClient": "axis.client",
    "AxisConfig": "axis.config",
    "SystemSpec": "axis.config",
    "AuthError": "axis.errors",
    "AxisError": "axis.errors",
    "BadRequest": "axis.errors",
    "BadSignature": "axis.errors",
    "ConfigError": "axis.errors",
    "ErrorCode": "axis.errors",
    "Forbidden": "axis.errors",
    "InternalError": "axis.errors",
    "NotFound": "axis.errors",
    "ProtocolError": "axis.errors",
    "TooLarge": "axis.errors",
    "Unavailable": "axis.errors",
    "Unroutable": "axis.errors",
    "ValidationRefused": "axis.errors",
    "Event": "axis.events",
    "EventKind": "axis.events",
    "parse_event": "axis.events",
    "FaultPlan": "axis.faults",
    "plan_schema": "axis.faults",
    "RunningAxis": "axis.server",
    "ServerFailed": "axis.server",
    "running_axis": "axis.server",
    "serve": "axis.server",
    "Verification": "axis.transcript",
    "verify_file": "axis.transcript",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> typing.Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'axis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
