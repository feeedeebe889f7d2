"""What arrives on the wire, as the operations need it: headers looked up the SDK's way.

Header names are matched case-insensitively and, when the SDK's never-cleared header map sends
two spellings of one key (a stale ``docId`` beside a fresh ``docid``), the first one on the wire
wins, as a servlet's ``getHeader`` does *[axis choice]*; the disagreement is noted in the
transcript. Values keep their raw bytes for the signature check.
"""

from __future__ import annotations

from collections.abc import Iterable

from axis.signing import PREFIX, decode_header

__all__ = ["Headers"]

_PREFIX_LOWER = PREFIX.lower().encode("ascii")
_SUMMARY_SKIP = frozenset({b"sign-header", b"hash-header", b"sign-header-key"})


class Headers:
    """Request headers, from ASGI's ``[(name, value), …]`` byte pairs (names lowercase, as
    ASGI requires). Values are decoded when asked for, once."""

    __slots__ = ("_decoded", "_first", "_raw", "_repeated")

    def __init__(self, raw: Iterable[tuple[bytes, bytes]]) -> None:
        self._raw = raw if isinstance(raw, list) else list(raw)
        first: dict[bytes, bytes] = {}
        repeated: list[bytes] = []
        for name, value in self._raw:
            if name in first:
                repeated.append(name)
            else:
                first[name] = value
        self._first = first
        self._repeated = repeated
        self._decoded: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return f"Headers({self._raw!r})"

    def raw(self, name: str) -> bytes | None:
        """The first value of ``name`` (any case) as received."""
        return self._first.get(name.lower().encode("latin-1"))

    def get(self, name: str) -> str | None:
        raw = self.raw(name)
        return None if raw is None else decode_header(raw)

    def vxp(self, key: str) -> str | None:
        """The value of ``XroadVnpt-<key>`` (any case), stripped; None when absent."""
        key = key.lower()
        try:
            return self._decoded[key]
        except KeyError:
            raw = self._first.get(_PREFIX_LOWER + key.encode("latin-1"))
            value = None if raw is None else decode_header(raw).strip()
            self._decoded[key] = value
            return value

    def conflicts(self, key: str) -> list[str]:
        """All distinct values sent for ``XroadVnpt-<key>`` when they disagree, else []."""
        name = _PREFIX_LOWER + key.lower().encode("latin-1")
        if name not in self._repeated:
            return []
        values = {decode_header(v).strip() for n, v in self._raw if n == name}
        return sorted(values) if len(values) > 1 else []

    def summary_pairs(self) -> list[tuple[str, str]]:
        """The ``XroadVnpt-*`` headers (signature headers left out), first spelling first,
        plus the user agent, for the transcript (which bounds them)."""
        out: list[tuple[str, str]] = []
        for name, value in self._raw:
            lower = name.lower()
            if lower.startswith(_PREFIX_LOWER):
                key = lower[len(_PREFIX_LOWER) :]
                if key not in _SUMMARY_SKIP:
                    out.append((key.decode("latin-1"), decode_header(value)))
            elif lower == b"user-agent":
                out.append(("user-agent", decode_header(value)))
        return out
