"""The SDK's request signature, both ways: building the signed headers and checking them.

VNPT's SDK keeps one ordered header map per service object (AXIS_PROTOCOL.md §2): it starts with
``systemid`` and ``timestamp``, each call sets ``Content-Type`` and adds the caller's keys, and
it is never cleared. Every entry goes on the wire as ``XroadVnpt-<key>``; the map's keys, a
compact JSON copy of it (the *sign-header*) and an HMAC-SHA256 of that JSON complete the request.
The server verifies the HMAC over the sign-header bytes it received, never a rebuilt copy.

The ``sendEdoc`` body is tied in by ``hash-file``: SHA-256 hex written byte by byte with ``%x``,
so ``05`` becomes ``5`` (62 characters is normal).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import datetime

PREFIX = "XroadVnpt-"
SIGN_HEADER_KEY = PREFIX + "sign-header-key"
SIGN_HEADER = PREFIX + "sign-header"
HASH_HEADER = PREFIX + "hash-header"
USER_AGENT = "JAVASDKAgent/1.0.0 XRoad/VPCP"
SDK_VERSION = "3.0.201608"

__all__ = [
    "HASH_HEADER",
    "PREFIX",
    "SDK_VERSION",
    "SIGN_HEADER",
    "SIGN_HEADER_KEY",
    "USER_AGENT",
    "HeaderMap",
    "decode_header",
    "digest_matches",
    "format_sdk_timestamp",
    "hash_file_matches",
    "sdk_hash_file",
    "sign",
    "sign_header_json",
    "signature_valid",
]


def format_sdk_timestamp(moment: datetime) -> str:
    """``ddMMyyyy'T'HHmmss+SSSS`` where ``SSSS`` is the milliseconds on four digits (Java's
    ``SimpleDateFormat`` pads ``SSSS`` that way): ``21112026T114905+0495``."""
    return moment.strftime("%d%m%YT%H%M%S") + f"+{moment.microsecond // 1000:04d}"


def _json_string(text: str) -> str:
    # The SDK escapes only the quote and the backslash; everything else, non-ASCII included,
    # goes in raw.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sign_header_json(entries: Iterable[tuple[str, str]]) -> str:
    """The sign-header: ``{"XroadVnpt-<key>":"<value>",…}`` in map order, without spaces."""
    return "{" + ",".join(f"{_json_string(PREFIX + k)}:{_json_string(v)}" for k, v in entries) + "}"


def sign(secret: str, sign_header: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of the sign-header bytes, keyed with the secret's UTF-8."""
    return hmac.new(secret.encode("utf-8"), sign_header, hashlib.sha256).hexdigest()


def signature_valid(secret: str, sign_header: bytes, hash_header: str) -> bool:
    """Whether ``hash_header`` is the HMAC of the received sign-header bytes (case-insensitive,
    constant time; a value with non-ASCII characters simply does not match)."""
    given = hash_header.strip().lower().encode("utf-8", "surrogateescape")
    return hmac.compare_digest(sign(secret, sign_header).encode("ascii"), given)


def decode_header(raw: bytes) -> str:
    """A header value as text: UTF-8 when it is valid UTF-8 (what the SDK sends), else latin-1
    (what a client that truncated characters to 8 bits sends)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def sdk_hash_file(data: bytes) -> str:
    """The SDK's ``hash-file`` for ``data``: each SHA-256 byte as ``%x`` (no zero padding)."""
    return "".join(f"{b:x}" for b in hashlib.sha256(data).digest())


def hash_file_matches(data: bytes, given: str) -> bool:
    """Whether ``given`` is the SHA-256 of ``data`` in the SDK's unpadded form or as the
    standard 64-character hex (either case)."""
    return digest_matches(hashlib.sha256(data).digest(), given)


def digest_matches(digest: bytes, given: str) -> bool:
    """``hash_file_matches`` for an already computed SHA-256 digest."""
    text = given.strip().lower()
    expected = digest.hex() if len(text) == 64 else "".join(f"{b:x}" for b in digest)
    # Bytes, not text: compare_digest refuses non-ASCII strings (a hostile hash-file).
    return hmac.compare_digest(expected.encode("ascii"), text.encode("utf-8", "surrogateescape"))


class HeaderMap:
    """The SDK's header map: insertion-ordered, keys in the caller's case, never cleared.

    ``entries()`` is what gets signed and sent; ``headers(secret)`` the full list of HTTP
    headers for one call (each entry, the plain ``Content-Type``, and the three signature
    headers)."""

    def __init__(self, system_id: str, timestamp: str) -> None:
        self._entries: dict[str, str] = {"systemid": system_id, "timestamp": timestamp}

    def __repr__(self) -> str:
        return f"HeaderMap({self._entries!r})"

    def copy(self) -> HeaderMap:
        clone = HeaderMap.__new__(HeaderMap)
        clone._entries = dict(self._entries)
        return clone

    def update(self, values: Mapping[str, str]) -> None:
        """Set keys; an existing key keeps its place (Java's ``LinkedHashMap.put``)."""
        for key, value in values.items():
            self._entries[key] = value

    def entries(self) -> list[tuple[str, str]]:
        return list(self._entries.items())

    def headers(self, secret: str) -> list[tuple[str, str]]:
        entries = self.entries()
        sign_header = sign_header_json(entries)
        out = [(PREFIX + k, v) for k, v in entries]
        content_type = self._entries.get("Content-Type")
        if content_type is not None:
            out.append(("Content-Type", content_type))
        out.append((SIGN_HEADER_KEY, ";".join(k for k, _ in entries)))
        out.append((SIGN_HEADER, sign_header))
        out.append((HASH_HEADER, sign(secret, sign_header.encode("utf-8"))))
        return out
