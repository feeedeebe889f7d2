"""Who is calling: the signature check of AXIS_PROTOCOL.md §2, server side.

The caller names itself in ``XroadVnpt-systemid``; the axis HMACs the sign-header bytes exactly
as received with that system's secret and compares with ``XroadVnpt-hash-header``. The signed
JSON must name the same system, and every header the operation reads must be covered by the
signature with the value that was sent, so a signed request cannot be replayed with other
headers. Timestamps are not checked for freshness (real clients keep one for days).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import orjson

from axis.bounded_cache import ByteBoundedCache
from axis.errors import AuthError, BadSignature
from axis.signing import HASH_HEADER, PREFIX, SIGN_HEADER, decode_header, signature_valid
from axis.store import System
from axis.wire import Headers

__all__ = ["Identity", "authenticate", "require_signed"]


@dataclass(frozen=True, slots=True)
class Identity:
    """An authenticated caller; ``signed`` maps lowercase keys (without the prefix) to the
    signed values, first spelling first; ``tolerated_8bit`` is True when a bad signature was
    accepted under ``tolerate_8bit_headers``."""

    system: System
    signed: dict[str, str]
    tolerated_8bit: bool = False


# SDK clients repeat the same signed headers (one timestamp per service object), so the check
# of a polling loop is a dictionary lookup after the first call. Both caches are bounded by the
# bytes of the headers they keep (a client chooses how long its headers are).
CACHE_BYTES = 8 * 1024 * 1024
CACHE_ENTRY_BYTES = 16 * 1024
_VERDICTS: ByteBoundedCache[tuple[str, bytes, str], bool] = ByteBoundedCache(
    CACHE_BYTES, CACHE_ENTRY_BYTES
)
_SIGNED: ByteBoundedCache[bytes, dict[str, str]] = ByteBoundedCache(CACHE_BYTES, CACHE_ENTRY_BYTES)


def _signature_valid(secret: str, sign_header: bytes, hash_header: str) -> bool:
    key = (secret, sign_header, hash_header)
    verdict = _VERDICTS.get(key)
    if verdict is None:
        verdict = signature_valid(secret, sign_header, hash_header)
        _VERDICTS.put(key, verdict, len(secret) + len(sign_header) + len(hash_header))
    return verdict


def _signed_values(sign_header: bytes) -> dict[str, str]:
    """The signed keys (lowercase, without the prefix) and values; cached, do not modify."""
    values = _SIGNED.get(sign_header)
    if values is None:
        values = _read_signed(sign_header)
        _SIGNED.put(sign_header, values, 2 * len(sign_header))
    return values


def _read_signed(sign_header: bytes) -> dict[str, str]:
    try:
        obj = orjson.loads(sign_header)
    except orjson.JSONDecodeError:
        # Not strict JSON: the SDK leaves control characters raw, a truncating client
        # leaves bytes that are not UTF-8.
        try:
            obj = json.loads(decode_header(sign_header), strict=False)
        except ValueError as exc:
            raise AuthError(f"{SIGN_HEADER} is not a JSON object: {exc}") from None
    if not isinstance(obj, dict):
        raise AuthError(f"{SIGN_HEADER} is not a JSON object")
    prefix = PREFIX.lower()
    out: dict[str, str] = {}
    for key, value in obj.items():
        lower = str(key).lower()
        if lower.startswith(prefix):
            out.setdefault(lower[len(prefix) :], str(value))
    return out


def authenticate(
    headers: Headers, lookup: dict[str, System] | None, *, tolerate_8bit: bool
) -> Identity:
    """Check the identity headers; raises ``AuthError`` with a clear reason."""
    system_id = headers.vxp("systemid")
    sign_header = headers.raw(SIGN_HEADER)
    hash_header = headers.get(HASH_HEADER)
    if not system_id or not sign_header or not hash_header:
        missing = [
            name
            for name, value in (
                (PREFIX + "systemid", system_id),
                (SIGN_HEADER, sign_header),
                (HASH_HEADER, hash_header),
            )
            if not value
        ]
        raise AuthError(f"missing header {', '.join(missing)}; is this the VXP SDK?")
    system = (lookup or {}).get(system_id)
    if system is None:
        raise AuthError(f"unknown system {system_id!r}")
    tolerated = False
    if not _signature_valid(system.secret, sign_header, hash_header):
        eight_bit = any(b >= 0x80 for b in sign_header)
        if tolerate_8bit and eight_bit:
            tolerated = True
        else:
            hint = (
                " (a signed value has non-ASCII bytes: the SDK truncates them to 8 bits when the "
                "endpoint URL has an explicit port; see tolerate_8bit_headers)"
                if eight_bit
                else ""
            )
            raise BadSignature(
                f"bad signature for system {system_id!r}: {HASH_HEADER} is not the HMAC-SHA256 "
                f"of {SIGN_HEADER} under this system's secret{hint}",
                eight_bit=eight_bit,
            )
    signed = _signed_values(sign_header)
    if signed.get("systemid") != system_id:
        raise AuthError(
            f"{SIGN_HEADER} names system {signed.get('systemid')!r}, "
            f"but {PREFIX}systemid is {system_id!r}"
        )
    return Identity(system, signed, tolerated)


def require_signed(identity: Identity, headers: Headers, keys: tuple[str, ...]) -> None:
    """Every header in ``keys`` that was sent must be signed with the same value."""
    for key in keys:
        value = headers.vxp(key)
        if value is None:
            continue
        signed = identity.signed.get(key.lower())
        if signed is None:
            raise AuthError(f"header {PREFIX}{key} is not covered by {SIGN_HEADER}")
        if signed.strip() != value:
            raise AuthError(f"header {PREFIX}{key} is {value!r} but its signed value is {signed!r}")
