"""The fake axis's exceptions and the ErrorCode table it answers with.

The SDK ignores HTTP status codes and reads only the JSON envelope, whose ``ErrorCode`` the real
axis never documented. The codes below are an *[axis choice]*: stable across versions, listed in
docs/axis.md, one per kind of failure. Server code raises the subclass; the envelope carries its
code and message. The client raises the same subclass when an answer says ``FAIL``.
"""

from __future__ import annotations

import enum


class ErrorCode(enum.IntEnum):
    """``ErrorCode`` values of the envelope (sent as strings: ``"0"``, ``"1"``, …)."""

    OK = 0
    AUTH = 1  # missing identity headers, unknown system, bad signature
    BAD_REQUEST = 2  # missing or malformed header or body, unknown operation, hash-file mismatch
    NOT_FOUND = 3  # no such document for this caller (also: another system's document)
    FORBIDDEN = 4  # the caller may not do this (an agency served by another system)
    VALIDATION_REFUSED = 5  # strict mode: the document has error-level findings
    TOO_LARGE = 6  # the body is over the configured size limit
    UNROUTABLE = 7  # a recipient nobody serves, or a connection system (W00) as recipient
    UNAVAILABLE = 8  # an injected fault: outage window or injected server error
    INTERNAL = 9  # a bug in the axis: the request was not applied


class AxisError(Exception):
    """Base class of every error raised by :mod:`axis`; ``code`` is its envelope ErrorCode."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthError(AxisError, PermissionError):
    code = ErrorCode.AUTH


class BadSignature(AuthError):
    """The hash-header is not the HMAC of the sign-header; ``eight_bit`` is True when the
    sign-header holds bytes >= 0x80 (the SDK's known truncation of non-ASCII values)."""

    def __init__(self, message: str, *, eight_bit: bool) -> None:
        super().__init__(message)
        self.eight_bit = eight_bit


class BadRequest(AxisError, ValueError):
    code = ErrorCode.BAD_REQUEST


class NotFound(AxisError, LookupError):
    code = ErrorCode.NOT_FOUND


class Forbidden(AxisError, PermissionError):
    code = ErrorCode.FORBIDDEN


class ValidationRefused(AxisError, ValueError):
    code = ErrorCode.VALIDATION_REFUSED


class TooLarge(AxisError, ValueError):
    code = ErrorCode.TOO_LARGE


class Unroutable(AxisError, LookupError):
    code = ErrorCode.UNROUTABLE


class Unavailable(AxisError, ConnectionError):
    code = ErrorCode.UNAVAILABLE


class InternalError(AxisError, RuntimeError):
    code = ErrorCode.INTERNAL


class ConfigError(AxisError, ValueError):
    """Bad settings, fault plan or fixture data given to the axis (never sent on the wire)."""

    code = ErrorCode.BAD_REQUEST


class ProtocolError(AxisError, ValueError):
    """The client got an answer that is not the envelope the protocol promises."""

    code = ErrorCode.INTERNAL


_BY_CODE: dict[int, type[AxisError]] = {
    cls.code: cls
    for cls in (
        AuthError,
        BadRequest,
        NotFound,
        Forbidden,
        ValidationRefused,
        TooLarge,
        Unroutable,
        Unavailable,
        InternalError,
    )
}


def error_for(code: int | str, message: str) -> AxisError:
    """The exception a ``FAIL`` envelope with ``code`` stands for (``InternalError`` when the
    code is not in the table, with the code kept in the message)."""
    try:
        number = int(code)
    except (TypeError, ValueError):
        number = -1
    cls = _BY_CODE.get(number)
    if cls is None:
        return InternalError(f"ErrorCode {code!r}: {message}")
    return cls(message)
